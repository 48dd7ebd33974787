import 'reflect-metadata';
import { aptBench } from './apt.bench.ts';
import { dockerBench } from './docker.bench.ts';
import { eventsBench } from './events.bench.ts';
import { fanoutBench } from './fanout.bench.ts';
import { queueBench } from './queue.bench.ts';
import { scalePassSection } from './scale-pass.bench.ts';
import { scaleBench } from './scale.bench.ts';
import { schedulerBench } from './scheduler.bench.ts';
import { sshBench } from './ssh.bench.ts';
import { tilesBench } from './tiles.bench.ts';
import { webBench } from './web.bench.ts';
import { workerMemoryBench } from './worker-memory.bench.ts';

const benches: Record<string, () => Promise<void>> = {
  queue: queueBench,
  ssh: sshBench,
  apt: aptBench,
  scheduler: schedulerBench,
  events: eventsBench,
  docker: dockerBench,
  web: webBench,
  tiles: tilesBench,
  fanout: fanoutBench,
  'scale-pass': async () => void (await scalePassSection()),
  scale: scaleBench,
  'worker-memory': workerMemoryBench,
};
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = names.filter((n) => !benches[n]);
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
console.log(`system-update benchmarks — node ${process.version}, ${new Date().toISOString()}`);
for (const name of names.length ? names : Object.keys(benches)) await benches[name]!();
