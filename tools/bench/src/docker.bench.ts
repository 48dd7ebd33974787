// Docker bench (issue 13): digest checks of 50 unique images in the lab registry (Debian's docker-registry on the
// lab bridge, filled with pushImage), in the same run as the peers: `skopeo inspect` per image (Debian's skopeo,
// installed here when missing) and `docker pull` per image on a lab machine. Figures: wall time, per image, images/s
// and the requests our client sent. Needs root (the lab); brings a 1-machine Docker lab up when none is running
// (with SU_LAB_ID, that lab) and takes it down again afterwards.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { RegistryClient, type DigestRunResult } from '@su/registry';
import { Lab, REGISTRY_HOST, isRoot, pushImage, type PushedImage } from '@su/testing';
import { labCli } from './lab-cli.ts';
import { printTable, summary } from './stats.ts';

const IMAGES = 50;
const ROUNDS = 7;

function ensureSkopeo(): boolean {
  if (spawnSync('skopeo', ['--version']).status === 0) return true;
  console.log('docker bench: installing the peer, Debian package skopeo (apt-get install -y skopeo)');
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'skopeo'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0 && spawnSync('skopeo', ['--version']).status === 0;
}

function checkAll(result: DigestRunResult, images: PushedImage[]): void {
  const wrong = result.results.filter((r, i) => r.status !== 'ok' || r.digest !== images[i % images.length]?.digest);
  if (wrong.length) throw new Error(`our client: ${wrong.length} digests differ from the pushed ones`);
}

interface Variant {
  refs: string[];
  concurrency: number;
  times: number[];
  requests: number;
}

/** One round of one variant with a new client (nothing cached: every round asks the registry). */
async function round(v: Variant, images: PushedImage[]): Promise<number> {
  const client = new RegistryClient({
    registries: [{ registry: REGISTRY_HOST, insecure: true }],
    concurrency: v.concurrency,
  });
  const t0 = performance.now();
  const result = await client.checkDigests(v.refs);
  const ms = performance.now() - t0;
  checkAll(result, images);
  v.requests = result.stats.reduce((n, s) => n + s.requests, 0);
  return ms;
}

/** A warm-up round each (JIT, first connections), then rounds interleaved so a load spike on the shared machine
 * hits every variant alike. */
async function ours(variants: Variant[], images: PushedImage[]): Promise<void> {
  for (const v of variants) await round(v, images);
  for (let r = 0; r < ROUNDS; r++) for (const v of variants) v.times.push(await round(v, images));
}

function skopeo(images: PushedImage[]): number[] {
  return images.map((img) => {
    const t0 = performance.now();
    const r = spawnSync(
      'skopeo',
      ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${img.reference}`],
      { encoding: 'utf8' },
    );
    const ms = performance.now() - t0;
    if (r.status !== 0 || r.stdout.trim() !== img.digest)
      throw new Error(`skopeo inspect ${img.reference} failed: ${r.stderr}`);
    return ms;
  });
}

async function dockerPull(lab: Lab, machine: string, images: PushedImage[]): Promise<number[]> {
  const times: number[] = [];
  for (const img of images) {
    const t0 = performance.now();
    await lab.exec(machine, `docker pull -q ${img.reference} >/dev/null`);
    times.push(performance.now() - t0);
  }
  await lab.exec(machine, `docker rmi -f ${images.map((i) => i.reference).join(' ')} >/dev/null`, { allowFail: true });
  return times;
}

export async function dockerBench(): Promise<void> {
  if (!isRoot()) {
    console.log('\ndocker bench skipped: needs root (the lab)');
    return;
  }
  if (!ensureSkopeo()) {
    console.log('\ndocker bench skipped: the peer skopeo could not be installed (apt-get install skopeo)');
    return;
  }
  const broughtUp = !Lab.exists();
  if (broughtUp) labCli(['up', '--machines', '1', '--docker']);
  try {
    const lab = Lab.attach();
    const machine = lab.machines().find((m) => m.docker);
    if (!machine) throw new Error('the running lab has no Docker machine: npm run lab:up -- --machines 1 --docker');
    const stamp = Date.now().toString(36);
    const images: PushedImage[] = [];
    for (let i = 0; i < IMAGES; i++) images.push(await pushImage(`bench/img${String(i).padStart(2, '0')}:${stamp}`));
    await report(lab, machine.name, images);
  } finally {
    if (broughtUp) labCli(['down']);
  }
}

async function report(lab: Lab, machine: string, images: PushedImage[]): Promise<void> {
  const refs = images.map((i) => i.reference);
  const variant = (r: string[], concurrency: number): Variant => ({ refs: r, concurrency, times: [], requests: 0 });
  const [batchV, serialV, fleetV] = [variant(refs, 8), variant(refs, 1), variant([...refs, ...refs, ...refs], 8)];
  const load = loadavg()[0] ?? 0;
  await ours([batchV, serialV, fleetV], images);
  const [batch, serial, fleet] = [batchV, serialV, fleetV].map((v) => ({
    p50: summary(v.times).p50,
    requests: v.requests,
  }));
  if (!batch || !serial || !fleet) throw new Error('no rounds');
  const sk = summary(skopeo(images));
  const pull = summary(await dockerPull(lab, machine, images));
  const perImage = batch.p50 / IMAGES;
  const rate = (IMAGES * 1000) / batch.p50;
  printTable(
    `Docker digest check — ${IMAGES} unique images in the lab registry (${REGISTRY_HOST}); ours: p50 of ${ROUNDS} rounds after a warm-up, new client each; load average ${load.toFixed(1)} on ${cpus().length} cores`,
    ['method', 'wall ms (50 images)', 'per image ms', 'images/s', 'registry requests'],
    [
      ['ours, RegistryClient.checkDigests, concurrency 8', batch.p50, perImage, rate, batch.requests],
      ['ours, concurrency 1', serial.p50, serial.p50 / IMAGES, (IMAGES * 1000) / serial.p50, serial.requests],
      [
        'ours, 150 refs (3 machines × 50 images), concurrency 8',
        fleet.p50,
        fleet.p50 / IMAGES,
        (IMAGES * 1000) / fleet.p50,
        fleet.requests,
      ],
      [
        'skopeo inspect, one process per image (p50 per image)',
        sk.mean * IMAGES,
        sk.p50,
        1000 / sk.mean,
        '(manifest + config blob)',
      ],
      [
        `docker pull on ${machine}, per image (p50 per image)`,
        pull.mean * IMAGES,
        pull.p50,
        1000 / pull.mean,
        '(manifest + blobs)',
      ],
    ],
  );
  const speedup = sk.p50 / perImage;
  console.log(
    `target: >= 10x faster than skopeo per image: ${speedup.toFixed(1)}x — ${speedup >= 10 ? 'met' : 'NOT met'}`,
  );
  console.log(`target: >= 100 images/s: ${rate.toFixed(0)} images/s — ${rate >= 100 ? 'met' : 'NOT met'}`);
}
