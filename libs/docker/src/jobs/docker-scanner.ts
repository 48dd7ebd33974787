import type { DockerContainer, DockerSnapshotStack, SnapshotError } from '@su/contracts';
import { ClassifiedError } from '@su/platform';
import type { ContainerProblem, ScannedService, ScannedStack } from '@su/db';
import type { CommandResult } from '@su/ssh';
import { composeErrorMessage, parseComposeConfig, type ComposeConfig } from '../compose-config.parser.ts';
import { parseFoundComposeFiles, type FoundProject } from '../compose-files.parser.ts';
import {
  COMPOSE_VERSION_ARGV,
  composeArgv,
  composeConfigArgs,
  CONTAINER_IDS_ARGV,
  DOCKER_VERSION_ARGV,
  findComposeFilesArgv,
  imageInspectArgv,
  inspectArgv,
  type ComposeProject,
} from '../docker-commands.ts';
import { classifyDockerFailure, unexpectedOutput, type DockerFailure } from '../docker-failure.classifier.ts';
import {
  OCI_SOURCE_LABEL,
  OCI_VERSION_LABEL,
  parseContainerInspect,
  parseImageInspect,
  pulledDigest,
  type InspectedContainer,
  type InspectedImage,
} from '../docker-inspect.parser.ts';

type Run = (argv: readonly string[]) => Promise<CommandResult>;

export interface ScanResult {
  serverVersion: string | null;
  composeVersion: string | null;
  stacks: ScannedStack[];
  containers: InspectedContainer[];
  errors: SnapshotError[];
}

const fail = (f: DockerFailure): never => {
  throw new ClassifiedError(f.errorKind, f.message, f.remediation);
};

/** A read that must work: a classified failure, or unexpected output, ends the scan (never "no stacks"). */
async function mustRead(run: Run, argv: readonly string[], what: string): Promise<CommandResult> {
  const r = await run(argv);
  if (r.exitCode !== 0)
    fail(
      classifyDockerFailure(r.exitCode, r.stdout, r.stderr) ??
        unexpectedOutput(what, composeErrorMessage(r.stderr, r.stdout)),
    );
  return r;
}

function parsed<T>(what: string, text: string, parse: (s: string) => T): T {
  try {
    return parse(text);
  } catch (e) {
    return fail(unexpectedOutput(what, (e as Error).message));
  }
}

/** Compose's default project name for a directory (its base name, lower-cased, to compose's character set). */
export function defaultProjectName(dir: string): string {
  return (dir.slice(dir.lastIndexOf('/') + 1) || 'root').toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

/**
 * docker.scan's reading of a machine: Docker's versions, the compose projects under the roots and those that run
 * (compose labels), each one's services and images from `docker compose config`, and every container's state.
 */
export async function scanMachine(run: Run, roots: { path: string; depth: number }[]): Promise<ScanResult> {
  const version = parsed(
    'docker version',
    (await mustRead(run, DOCKER_VERSION_ARGV, 'docker version')).stdout,
    (s) => JSON.parse(s) as { Server?: { Version?: string } },
  );
  const composeVersion = (await mustRead(run, COMPOSE_VERSION_ARGV, 'docker compose version')).stdout.trim() || null;
  const errors: SnapshotError[] = [];
  const found: FoundProject[] = [];
  for (const root of roots) {
    const r = await run(findComposeFilesArgv(root.path, root.depth));
    if (r.exitCode !== 0 && !r.stdout.trim())
      errors.push({
        source: 'docker',
        kind: 'root_unreadable',
        severity: 'warning',
        message: `root ${root.path}: ${composeErrorMessage(r.stderr)}`,
        remediation: 'Check that the directory exists on the machine, or remove the root.',
      });
    found.push(...parseFoundComposeFiles(r.stdout));
  }
  const ids = (await mustRead(run, CONTAINER_IDS_ARGV, 'docker ps')).stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const containers = ids.length
    ? parsed('docker inspect', (await mustRead(run, inspectArgv(ids), 'docker inspect')).stdout, parseContainerInspect)
    : [];
  const projects = projectsOf(found, containers);
  const stacks: ScannedStack[] = [];
  for (const p of projects) stacks.push(await readStack(run, p, containers));
  await fillImages(run, stacks);
  return { serverVersion: version.Server?.Version ?? null, composeVersion, stacks, containers, errors };
}

interface Project extends ComposeProject {
  detectedBy: 'root_scan' | 'label';
  envFile: string | null;
  /** The files as found or labelled (for display: compose's own lookup has none given). */
  files: string[];
}

/** The projects under the roots, then the running ones found only by their labels (candidates). */
function projectsOf(found: FoundProject[], containers: InspectedContainer[]): Project[] {
  const out: Project[] = found.map((f) => {
    const running = containers.find((c) => c.workingDir === f.workingDir && c.project);
    return {
      workingDir: f.workingDir,
      composeFiles: [],
      projectName: running?.project ?? null,
      detectedBy: 'root_scan',
      envFile: f.envFile,
      files: f.composeFiles,
    };
  });
  const known = new Set(out.map((p) => p.projectName ?? defaultProjectName(p.workingDir)));
  for (const c of containers) {
    if (!c.project || !c.workingDir || known.has(c.project)) continue;
    known.add(c.project);
    out.push({
      workingDir: c.workingDir,
      composeFiles: c.configFiles,
      projectName: c.project,
      detectedBy: 'label',
      envFile: null,
      files: c.configFiles,
    });
  }
  return out;
}

async function readStack(run: Run, p: Project, containers: InspectedContainer[]): Promise<ScannedStack> {
  const r = await run(composeArgv(p, composeConfigArgs));
  const fallbackName = p.projectName ?? defaultProjectName(p.workingDir);
  const base = {
    workingDir: p.workingDir,
    composeFiles: p.files,
    envFile: p.envFile,
    detectedBy: p.detectedBy,
  };
  if (r.exitCode !== 0) {
    const f = classifyDockerFailure(r.exitCode, r.stdout, r.stderr);
    if (f && f.errorKind !== 'docker_missing') fail(f);
    return {
      ...base,
      name: fallbackName,
      projectName: p.projectName,
      error: composeErrorMessage(r.stderr, r.stdout),
      services: [],
    };
  }
  let config: ComposeConfig;
  try {
    config = parseComposeConfig(r.stdout);
  } catch (e) {
    return { ...base, name: fallbackName, projectName: p.projectName, error: (e as Error).message, services: [] };
  }
  const services: ScannedService[] = config.services.map((s) => {
    const c = containerOf(containers, config.name, s.serviceName);
    return {
      serviceName: s.serviceName,
      imageRef: s.image,
      currentImageId: c?.imageId ?? null,
      currentDigest: null,
      versionLabel: null,
      sourceUrl: null,
      containerState: c?.state ?? null,
      containerHealth: c?.health ?? null,
    };
  });
  return { ...base, name: config.name, projectName: config.name, error: null, services };
}

/** The service's container: a running one first (a scaled service has several; they share the image). */
export function containerOf(
  containers: readonly InspectedContainer[],
  project: string,
  service: string,
): InspectedContainer | undefined {
  const mine = containers.filter((c) => c.project === project && c.service === service);
  return mine.find((c) => c.state === 'running') ?? mine[0];
}

/** Image ids, RepoDigests and OCI labels of every service's image, in one `docker image inspect`. */
async function fillImages(run: Run, stacks: ScannedStack[]): Promise<void> {
  const services = stacks.flatMap((s) => s.services);
  const keys = [...new Set(services.map((s) => s.currentImageId ?? s.imageRef).filter((k): k is string => !!k))];
  if (!keys.length) return;
  // Missing images are reported on stderr and the others still printed: the exit code alone says nothing.
  const r = await run(imageInspectArgv(keys));
  const images = r.stdout.trim().startsWith('[') ? parsed('docker image inspect', r.stdout, parseImageInspect) : [];
  const byId = new Map(images.map((i) => [i.id, i]));
  const byTag = new Map(images.flatMap((i) => i.repoTags.map((t) => [t, i] as const)));
  for (const s of services) {
    const img: InspectedImage | undefined =
      (s.currentImageId ? byId.get(s.currentImageId) : undefined) ?? (s.imageRef ? byTag.get(s.imageRef) : undefined);
    if (!img) continue;
    s.currentImageId = img.id;
    s.currentDigest = s.imageRef ? pulledDigest(img, s.imageRef) : null;
    s.versionLabel = img.labels[OCI_VERSION_LABEL] ?? null;
    s.sourceUrl = img.labels[OCI_SOURCE_LABEL] ?? null;
  }
}

/** Containers of enabled stacks that exited or are unhealthy: the alerts a scan opens (and, gone, closes). */
export function containerProblems(
  stacks: readonly { id: string; name: string; status: string }[],
  containers: readonly DockerContainer[],
): ContainerProblem[] {
  const enabled = new Map(stacks.filter((s) => s.status === 'enabled').map((s) => [s.name, s.id]));
  const out: ContainerProblem[] = [];
  for (const c of containers) {
    const stackId = c.project ? enabled.get(c.project) : undefined;
    if (!stackId) continue;
    if (c.state === 'exited' || c.state === 'dead')
      out.push({
        stackId,
        containerName: c.name,
        state: 'exited',
        message: `${c.name} ${c.state} (exit code ${c.exitCode ?? '?'})`,
      });
    else if (c.health === 'unhealthy')
      out.push({ stackId, containerName: c.name, state: 'unhealthy', message: `${c.name} is unhealthy` });
  }
  return out;
}

/** The snapshot's view of the stacks as stored (status and choice from the database). */
export function snapshotStacks(
  stored: readonly { name: string; status: string; detectedBy: string | null }[],
  scanned: readonly ScannedStack[],
): DockerSnapshotStack[] {
  return scanned.map((s) => {
    const row = stored.find((x) => x.name === s.name);
    return {
      name: s.name,
      workingDir: s.workingDir,
      composeFiles: s.composeFiles,
      projectName: s.projectName,
      status: (row?.status ?? (s.error ? 'error' : 'candidate')) as DockerSnapshotStack['status'],
      detectedBy: s.detectedBy,
      error: s.error,
      services: s.services.map((v) => ({
        serviceName: v.serviceName,
        image: v.imageRef ?? '',
        currentImageId: v.currentImageId,
        currentDigest: v.currentDigest,
        currentVersion: v.versionLabel,
        sourceUrl: v.sourceUrl,
        containerState: v.containerState,
        containerHealth: v.containerHealth,
      })),
    };
  });
}
