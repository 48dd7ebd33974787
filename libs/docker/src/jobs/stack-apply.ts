import { setTimeout as sleep } from 'node:timers/promises';
import type { ApprovedPlan, DockerExecutionResult, DockerImageChange, DockerStackView } from '@su/contracts';
import type { NewDockerImageEvent } from '@su/db';
import type { DockerApplyTarget } from '@su/runs';
import { composeErrorMessage } from '../compose-config.parser.ts';
import {
  composeArgv,
  imageInspectArgv,
  inspectArgv,
  logsArgv,
  tagArgv,
  type ComposeProject,
} from '../docker-commands.ts';
import { classifyDockerFailure, type DockerFailure } from '../docker-failure.classifier.ts';
import {
  parseContainerInspect,
  parseImageInspect,
  pulledDigest,
  type InspectedContainer,
} from '../docker-inspect.parser.ts';
import { importantComposeLines } from './docker-report.renderer.ts';
import type { DockerJobSession } from './docker-session.ts';

export interface DockerApplyRequest {
  machineId: string;
  jobId: string;
  stackId?: string | undefined;
  services?: string[] | undefined;
  rollback?: boolean | undefined;
  healthTimeoutSeconds?: number | undefined;
  tag?: string | undefined;
  approvedPlan?: ApprovedPlan | undefined;
  signal: AbortSignal;
}

export type ApplyTarget = DockerApplyTarget;

interface ServiceState {
  imageId: string | null;
  digest: string | null;
}

const DEFAULT_HEALTH_TIMEOUT_S = 60;

/** The compose invocation of a stored stack: found under a root, compose's own lookup; by labels, its files and name. */
export function projectOf(s: DockerStackView): ComposeProject {
  return s.detectedBy === 'label'
    ? { workingDir: s.workingDir, composeFiles: s.composeFiles, projectName: s.name }
    : { workingDir: s.workingDir, composeFiles: [], projectName: null };
}

/** One stack's apply over the job's session. */
export class StackApply {
  private readonly project: ComposeProject;
  private readonly before = new Map<string, ServiceState & { container: InspectedContainer | null }>();
  private readonly keepTag: string;

  constructor(
    private readonly s: DockerJobSession,
    private readonly stack: DockerStackView,
    private readonly targets: ApplyTarget[],
    private readonly p: DockerApplyRequest,
    private readonly result: DockerExecutionResult,
    private readonly events: NewDockerImageEvent[],
    private readonly executionId: string,
    private readonly machineId: string,
  ) {
    this.project = projectOf(stack);
    this.keepTag = `job-${p.jobId.slice(0, 8)}`;
  }

  private get important(): string[] {
    return (this.result.importantLines ??= []);
  }

  private get up(): NonNullable<DockerExecutionResult['up']> {
    return (this.result.up ??= { recreated: [], running: [], exited: [], unhealthy: [] });
  }

  private get changes(): DockerImageChange[] {
    return (this.result.pull ??= { changes: [] }).changes;
  }

  private compose(args: string[]) {
    return this.s.docker(composeArgv(this.project, args), { timeoutMs: 30 * 60_000 });
  }

  private failed(r: { exitCode: number | null; stdout: string; stderr: string }, what: string): DockerFailure {
    return (
      classifyDockerFailure(r.exitCode, r.stdout, r.stderr) ?? {
        errorKind: 'compose_failed',
        message: `${what} failed: ${composeErrorMessage(r.stderr, r.stdout)}`,
        remediation: `Run \`docker compose ${what}\` in ${this.stack.workingDir} and fix what it reports.`,
      }
    );
  }

  async run(): Promise<DockerFailure | null> {
    await this.readBefore();
    await this.keepReferences();
    const retagged = this.targets.filter((t) => t.toRef !== t.fromRef);
    for (const t of retagged) {
      const f = await this.changeComposeTag(t);
      if (f) return f;
    }
    const services = this.targets.map((t) => t.service);
    const pull = await this.compose(['pull', ...services]);
    this.important.push(...importantComposeLines(`${pull.stdout}\n${pull.stderr}`));
    if (pull.exitCode !== 0) {
      await this.restoreComposeFiles(retagged);
      return this.failed(pull, 'pull');
    }
    const pulled = await this.images(this.targets.map((t) => t.toRef));
    const changed = this.targets.filter((t) => pulled.get(t.toRef)?.imageId !== this.before.get(t.service)?.imageId);
    for (const t of this.targets) this.record(t, 'pulled', this.before.get(t.service), pulled.get(t.toRef));
    if (!changed.length) return null;
    const up = await this.compose(['up', '-d', ...changed.map((t) => t.service)]);
    this.important.push(...importantComposeLines(`${up.stdout}\n${up.stderr}`));
    this.up.recreated.push(...changed.map((t) => `${this.stack.name}/${t.service}`));
    const failing = up.exitCode === 0 ? await this.waitHealthy(changed) : changed.map((t) => t.service);
    const after = await this.readContainers();
    const failure = failing.length ? await this.describeFailure(up, failing, after) : null;
    for (const t of changed) this.record(t, 'recreated', this.before.get(t.service), await this.stateOf(after, t));
    if (failure && this.p.rollback) return this.rollBack(changed, failure, pulled);
    if (!failure) await this.dropReferences();
    return failure;
  }

  private async readContainers(): Promise<InspectedContainer[]> {
    const ids = await this.s.docker([
      'docker',
      'ps',
      '-aq',
      '--no-trunc',
      '--filter',
      `label=com.docker.compose.project=${this.stack.name}`,
    ]);
    const list = ids.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (!list.length) return [];
    const r = await this.s.docker(inspectArgv(list));
    return r.exitCode === 0 ? parseContainerInspect(r.stdout) : [];
  }

  private async images(refs: string[]): Promise<Map<string, ServiceState>> {
    const r = await this.s.docker(imageInspectArgv([...new Set(refs)]));
    const images = r.stdout.trim().startsWith('[') ? parseImageInspect(r.stdout) : [];
    const out = new Map<string, ServiceState>();
    for (const ref of refs) {
      const img = images.find((i) => i.repoTags.includes(ref) || i.id === ref);
      out.set(ref, { imageId: img?.id ?? null, digest: pulledDigest(img, ref) });
    }
    return out;
  }

  private async readBefore(): Promise<void> {
    const containers = await this.readContainers();
    const ids = containers.map((c) => c.imageId).filter(Boolean);
    const images = ids.length ? await this.s.docker(imageInspectArgv([...new Set(ids)])) : null;
    const parsed = images?.stdout.trim().startsWith('[') ? parseImageInspect(images.stdout) : [];
    for (const t of this.targets) {
      const c =
        containers.find((x) => x.service === t.service && x.state === 'running') ??
        containers.find((x) => x.service === t.service) ??
        null;
      const img = parsed.find((i) => i.id === c?.imageId);
      this.before.set(t.service, { container: c, imageId: c?.imageId ?? null, digest: pulledDigest(img, t.fromRef) });
    }
  }

  private keepRef(t: ApplyTarget): string {
    const repo = `su-rollback/${this.stack.name}-${t.service}`.toLowerCase().replace(/[^a-z0-9/._-]/g, '-');
    return `${repo}:${this.keepTag}`;
  }

  /** A tag on each running image, so that neither a pull nor a prune can take it away before a rollback. */
  private async keepReferences(): Promise<void> {
    for (const t of this.targets) {
      const id = this.before.get(t.service)?.imageId;
      if (id) await this.s.docker(tagArgv(id, this.keepRef(t)));
    }
  }

  /** After a good apply: the rollback tags and the compose files' `.su-bak` copies go. */
  private async dropReferences(): Promise<void> {
    for (const t of this.targets)
      if (this.before.get(t.service)?.imageId) await this.s.docker(['docker', 'image', 'rm', this.keepRef(t)]);
    if (this.targets.some((t) => t.toRef !== t.fromRef))
      await this.s.docker(['rm', '-f', ...this.stack.composeFiles.map((f) => `${f}.su-bak`)]);
  }

  /** The compose files that name the old reference get the new tag (a `.su-bak` copy is kept until the end). */
  private async changeComposeTag(t: ApplyTarget): Promise<DockerFailure | null> {
    const files = this.stack.composeFiles;
    const pattern = `^([[:space:]]*image:[[:space:]]*["']?)${t.fromRef.replace(/[.[\]*^$\\]/g, '\\$&')}(["']?[[:space:]]*)$`;
    const r = await this.s.docker(['sed', '-E', '-i.su-bak', `s#${pattern}#\\1${t.toRef}\\2#`, ...files]);
    if (r.exitCode !== 0)
      return {
        errorKind: 'command_failed',
        message: `could not change the tag in ${files.join(', ')}: ${composeErrorMessage(r.stderr)}`,
        remediation: 'Check that the compose files are writable by the sudo rule of the machine.',
      };
    const check = await this.s.docker(['grep', '-lF', t.toRef, ...files]);
    if (check.exitCode !== 0)
      return {
        errorKind: 'compose_failed',
        message: `no "image: ${t.fromRef}" line in ${files.join(', ')} to change to ${t.toRef}`,
        remediation: 'The image is set another way (variable, extends): change the tag in the compose file by hand.',
      };
    return null;
  }

  private async restoreComposeFiles(retagged: ApplyTarget[]): Promise<void> {
    if (!retagged.length) return;
    for (const f of this.stack.composeFiles)
      await this.s.docker(['sh', '-c', 'test -f "$1.su-bak" && mv -f "$1.su-bak" "$1" || true', 'sh', f]);
  }

  /** Until every changed service runs (healthy, when it has a health check) twice in a row, or the timeout. */
  private async waitHealthy(changed: ApplyTarget[]): Promise<string[]> {
    const deadline = Date.now() + (this.p.healthTimeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_S) * 1000;
    let goodStreak = 0;
    let bad: string[] = changed.map((t) => t.service);
    while (Date.now() < deadline && !this.p.signal.aborted) {
      const cs = await this.readContainers();
      bad = changed
        .map((t) => t.service)
        .filter((svc) => {
          const c = cs.find((x) => x.service === svc);
          return !c || c.state !== 'running' || (c.health !== null && c.health !== 'healthy');
        });
      const unhealthy = bad.filter((svc) => cs.find((x) => x.service === svc)?.health === 'unhealthy');
      if (unhealthy.length) return unhealthy;
      goodStreak = bad.length ? 0 : goodStreak + 1;
      if (goodStreak >= 2) return [];
      await sleep(1000);
    }
    return bad;
  }

  private async describeFailure(
    up: { exitCode: number | null; stdout: string; stderr: string },
    failing: string[],
    after: InspectedContainer[],
  ): Promise<DockerFailure> {
    const x = this.up;
    for (const svc of failing) {
      const c = after.find((y) => y.service === svc);
      if (c?.health === 'unhealthy') x.unhealthy.push(`${this.stack.name}/${svc}`);
      else if (c && c.state !== 'running') x.exited.push(`${this.stack.name}/${svc}`);
      const logs = c ? await this.s.docker(logsArgv(c.id, 20)) : null;
      (this.result.failingLogs ??= []).push({
        service: `${this.stack.name}/${svc}`,
        lines: logs ? `${logs.stdout}\n${logs.stderr}`.split('\n').filter(Boolean).slice(-20) : [],
      });
    }
    if (up.exitCode !== 0) return this.failed(up, 'up -d');
    return {
      errorKind: 'docker_service_unhealthy',
      message: `${failing.map((f) => `${this.stack.name}/${f}`).join(', ')} did not become running${failing.length ? '/healthy' : ''} within ${this.p.healthTimeoutSeconds ?? DEFAULT_HEALTH_TIMEOUT_S} s`,
      remediation: this.p.rollback
        ? 'The previous image runs again; read the last log lines of the new one before trying again.'
        : 'Read the last log lines; apply again with rollback to return to the previous image.',
    };
  }

  /** The previous image under the service's reference again, the compose file as it was, and the service recreated. */
  private async rollBack(
    changed: ApplyTarget[],
    failure: DockerFailure,
    pulled: Map<string, ServiceState>,
  ): Promise<DockerFailure> {
    await this.restoreComposeFiles(changed.filter((t) => t.toRef !== t.fromRef));
    for (const t of changed) {
      const id = this.before.get(t.service)?.imageId;
      // The reference points at the previous image again; compose then finds it locally and does not pull.
      if (id) await this.s.docker(tagArgv(this.keepRef(t), t.fromRef));
    }
    const up = await this.compose(['up', '-d', '--force-recreate', ...changed.map((t) => t.service)]);
    this.important.push(...importantComposeLines(`${up.stdout}\n${up.stderr}`));
    await this.waitHealthy(changed);
    const after = await this.readContainers();
    for (const t of changed) {
      const now = await this.stateOf(after, { ...t, toRef: t.fromRef });
      this.events.push(this.event(t, 'rolled_back', pulled.get(t.toRef), now, t.fromRef));
      this.changes.push(this.change(t, 'rolled_back', pulled.get(t.toRef), now));
    }
    this.result.rollback = { asked: true, done: true, services: changed.map((t) => `${this.stack.name}/${t.service}`) };
    return { ...failure, message: `${failure.message}; rolled back to the previous image` };
  }

  private async stateOf(cs: InspectedContainer[], t: Pick<ApplyTarget, 'service' | 'toRef'>): Promise<ServiceState> {
    const c =
      cs.find((x) => x.service === t.service && x.state === 'running') ?? cs.find((x) => x.service === t.service);
    if (!c) return { imageId: null, digest: null };
    const r = await this.s.docker(imageInspectArgv([c.imageId]));
    const img = r.stdout.trim().startsWith('[') ? parseImageInspect(r.stdout)[0] : undefined;
    return { imageId: c.imageId, digest: pulledDigest(img, t.toRef) };
  }

  private change(
    t: ApplyTarget,
    operation: DockerImageChange['operation'],
    from: ServiceState | null | undefined,
    to: ServiceState | undefined,
  ): DockerImageChange {
    return {
      stack: this.stack.name,
      serviceName: t.service,
      imageRef: operation === 'rolled_back' ? t.fromRef : t.toRef,
      fromRef: operation === 'rolled_back' ? t.toRef : t.fromRef,
      fromImageId: from?.imageId ?? null,
      toImageId: to?.imageId ?? null,
      fromDigest: from?.digest ?? null,
      toDigest: to?.digest ?? null,
      operation,
    };
  }

  private event(
    t: ApplyTarget,
    operation: NewDockerImageEvent['operation'],
    from: ServiceState | null | undefined,
    to: ServiceState | undefined,
    ref = t.toRef,
  ): NewDockerImageEvent {
    return {
      executionId: this.executionId,
      machineId: this.machineId,
      stackId: this.stack.id,
      serviceName: t.service,
      imageRef: ref,
      fromRef: ref === t.fromRef ? t.toRef : t.fromRef,
      fromImageId: from?.imageId ?? null,
      toImageId: to?.imageId ?? null,
      fromDigest: from?.digest ?? null,
      toDigest: to?.digest ?? null,
      operation,
    };
  }

  private record(
    t: ApplyTarget,
    operation: 'pulled' | 'recreated',
    from: ServiceState | undefined,
    to: ServiceState | undefined,
  ): void {
    this.events.push({ ...this.event(t, operation, from, to), fromRef: t.fromRef });
    this.changes.push(this.change(t, operation, from, to));
  }
}
