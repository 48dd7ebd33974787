import { setTimeout as sleep } from 'node:timers/promises';
import { SshError } from '@su/ssh';
import { DEFAULT_BACKOFF, backoffDelayMs, type BackoffOptions } from './backoff-schedule.ts';
import type { PortProbe, PortState } from './port-probe.ts';
import { issueReboot, type RebootSession } from './reboot-command.ts';
import type { RebootResult, RebootStatus, SnapshotError } from '@su/contracts';
import { recommendedWaitSeconds } from './recommended-wait.ts';

export interface VerifiedRebootDeps {
  /** The job's open session; the reboot is issued on it. Closed here once SSH is seen down (it is dead by then). */
  session: RebootSession;
  /**
   * Opens a NEW session with the same pinned host key verifier and credentials. Used for every reconnection, so a
   * machine that comes back with another host key is refused during key exchange (`host_key_changed`), never trusted.
   */
  connect: () => Promise<RebootSession>;
  /**
   * Optional TCP check of the SSH port (`tcpPortProbe(host, port)`). Sees sshd stop before the open session dies
   * (earlier down detection) and spares a full SSH handshake — and a connect timeout that could overrun the
   * deadline — while a powered-off machine drops our SYNs.
   */
  probePort?: PortProbe;
}

export type RebootPhase = 'requested' | 'down' | 'back';

export interface VerifiedRebootOptions {
  /** How long the machine may stay unreachable, counted from sshWentDownAt. Default: recommendedWaitSeconds(previous). */
  maxWaitSeconds?: number;
  /** How long after the request SSH must be seen going down. Default 60. */
  downDetectTimeoutSeconds?: number;
  /** Down-detection poll period. Default 500. */
  pollIntervalMs?: number;
  /** Retry delays while waiting for SSH to come back. Default DEFAULT_BACKOFF (0.5 s × 1.5 up to 5 s). */
  backoff?: BackoffOptions;
  /** This machine's previous reboot durations (lastRebootDurationSeconds of earlier results), oldest first. */
  previousDurationsSeconds?: number[];
  /** Timeout of each remote command (boot_id reads, the reboot request). Default 30 s. */
  commandTimeoutMs?: number;
  /** Progress for live events (SSE); must not throw. */
  onPhase?: (phase: RebootPhase, at: Date) => void;
}

interface Resolved {
  maxWaitMs: number;
  downDetectMs: number;
  pollIntervalMs: number;
  backoff: BackoffOptions;
  previous: number[];
  commandTimeoutMs: number;
  onPhase: (phase: RebootPhase, at: Date) => void;
}

const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';
const BOOT_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longest single liveness check of the old session / port while waiting for it to go down. */
const DOWN_CHECK_MAX_MS = 3_000;
/** Longest single port probe while waiting for the machine to come back. */
const BACK_PROBE_MAX_MS = 2_000;
/** Host key verdicts end the wait at once: retrying would only ask the same question again; accepting is never ours. */
const HOST_KEY_KINDS = new Set(['host_key_changed', 'host_key_unknown']);

function resolveOptions(o: VerifiedRebootOptions): Resolved {
  const previous = o.previousDurationsSeconds ?? [];
  return {
    maxWaitMs: (o.maxWaitSeconds ?? recommendedWaitSeconds(previous)) * 1000,
    downDetectMs: (o.downDetectTimeoutSeconds ?? 60) * 1000,
    pollIntervalMs: Math.max(10, o.pollIntervalMs ?? 500),
    backoff: o.backoff ?? DEFAULT_BACKOFF,
    previous,
    commandTimeoutMs: o.commandTimeoutMs ?? 30_000,
    onPhase: o.onPhase ?? (() => undefined),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number) => Math.round(ms / 100) / 10;

function sshErrorEntry(e: unknown, context: string): SnapshotError {
  if (e instanceof SshError)
    return {
      source: 'ssh',
      kind: e.errorKind,
      severity: 'error',
      message: `${context}: ${e.message}`,
      remediation: e.remediation,
    };
  return {
    source: 'system',
    kind: 'internal_error',
    severity: 'error',
    message: `${context}: ${(e as Error)?.message ?? String(e)}`,
  };
}

async function readBootId(session: RebootSession, timeoutMs: number): Promise<string> {
  const r = await session.run(['cat', BOOT_ID_PATH], { timeoutMs });
  const id = r.stdout.trim();
  if (r.exitCode !== 0 || !BOOT_ID_RE.test(id))
    throw new SshError(
      'command_failed',
      `Cannot read ${BOOT_ID_PATH} (exit ${r.exitCode ?? r.signal}): ${r.stderr.trim().slice(0, 200)}`,
    );
  return id;
}

/** Resolves with the promise's value, or `null` once `ms` have passed; a value arriving later goes to `late`. */
async function within<T>(p: Promise<T>, ms: number, late: (v: T) => void): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(
      () => {
        expired = true;
        resolve(null);
      },
      Math.max(0, ms),
    );
  });
  try {
    return await Promise.race([
      p.then((v) => {
        if (expired) late(v);
        return v;
      }),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const closeQuietly = (s: RebootSession) => void s.close().catch(() => undefined);

/** True once the old session is unusable or the SSH port stops accepting connections. */
async function sshLooksDown(deps: VerifiedRebootDeps, budgetMs: number): Promise<boolean> {
  const checkMs = Math.max(100, Math.min(DOWN_CHECK_MAX_MS, budgetMs));
  try {
    await deps.session.run(['true'], { timeoutMs: checkMs, idleTimeoutMs: checkMs });
  } catch {
    // Lost connection (`unreachable`) or no answer in time: either way the machine no longer serves this session.
    // A false alarm cannot produce `ok`: the boot_id comparison at the end still has to show a new boot.
    return true;
  }
  if (!deps.probePort) return false;
  return (await deps.probePort(Math.min(DOWN_CHECK_MAX_MS, checkMs))) !== 'open';
}

function portError(state: PortState): SshError {
  return state === 'refused'
    ? new SshError('connection_refused', 'The SSH port refuses connections (sshd not started yet)')
    : new SshError(state === 'timeout' ? 'timeout' : 'unreachable', `The SSH port does not answer (${state})`);
}

/**
 * Reboots the machine behind `deps.session` and proves it: boot_id before, the request (through sudo), SSH seen going
 * down, SSH back through `deps.connect` (same pinned host key), boot_id after. Never throws for a machine-side
 * problem: every outcome is a `RebootResult` status with its timings and error entries.
 */
export async function verifiedReboot(
  deps: VerifiedRebootDeps,
  opts: VerifiedRebootOptions = {},
): Promise<RebootResult> {
  const o = resolveOptions(opts);
  const errors: SnapshotError[] = [];
  let beforeBootId: string | null = null;
  let afterBootId: string | null = null;
  let requestedAt = Date.now();
  let downAt: number | null = null;
  let backAt: number | null = null;

  const finish = (status: RebootStatus): RebootResult => {
    const duration = downAt !== null && backAt !== null ? seconds(backAt - downAt) : undefined;
    const history = duration !== undefined && status === 'ok' ? [...o.previous, duration] : o.previous;
    return {
      beforeBootId,
      afterBootId,
      requestedAt: iso(requestedAt),
      sshWentDownAt: downAt === null ? null : iso(downAt),
      sshCameBackAt: backAt === null ? null : iso(backAt),
      waitedSeconds: seconds(Date.now() - requestedAt),
      status,
      ...(duration !== undefined ? { lastRebootDurationSeconds: duration } : {}),
      nextRecommendedWaitSeconds: recommendedWaitSeconds(history),
      ...(errors.length ? { errors } : {}),
    };
  };

  // 1. boot_id on the open session: without it nothing could be proven, so no reboot is requested.
  try {
    beforeBootId = await readBootId(deps.session, o.commandTimeoutMs);
  } catch (e) {
    errors.push(sshErrorEntry(e, 'Reading boot_id before the reboot failed; no reboot was requested'));
    return finish('reboot_command_failed');
  }

  // 2. The request.
  requestedAt = Date.now();
  o.onPhase('requested', new Date(requestedAt));
  const issued = await issueReboot(deps.session, o.commandTimeoutMs);
  const issueProblem = issueEntry(issued);
  if (issueProblem) errors.push(issueProblem);
  if (issued.kind === 'failed') return finish('reboot_command_failed');
  // The reboot killing our connection before the command returned is the request succeeding, not failing.
  if (issued.kind === 'connection_dropped') downAt = Date.now();

  // 3. SSH must go down.
  downAt ??= await waitForDown(deps, o, requestedAt + o.downDetectMs);
  if (downAt === null) {
    errors.push(neverWentDownEntry(o.downDetectMs));
    // A request that never clearly returned and never took effect most likely never ran.
    return finish(issued.kind === 'uncertain' ? 'reboot_command_failed' : 'ssh_never_went_down');
  }
  o.onPhase('down', new Date(downAt));
  closeQuietly(deps.session);

  // 4. SSH must come back, within maxWait of going down, through a freshly verified connection.
  const { next, lastError } = await waitForReturn(deps, o, downAt + o.maxWaitMs);
  if (next === null) {
    const hostKey = lastError && HOST_KEY_KINDS.has(lastError.errorKind);
    errors.push(
      sshErrorEntry(
        lastError ?? new SshError('timeout', 'no attempt finished'),
        hostKey
          ? 'The machine came back with a host key that is not the recorded one; it was refused, nothing was run'
          : `SSH did not come back within ${seconds(o.maxWaitMs)} s`,
      ),
    );
    return finish('machine_did_not_return');
  }
  backAt = Date.now();
  o.onPhase('back', new Date(backAt));

  // 5. A new boot_id is the proof that a reboot happened (SSH can drop and return without one: an sshd restart).
  try {
    afterBootId = await readBootId(next, o.commandTimeoutMs);
  } catch (e) {
    errors.push(sshErrorEntry(e, 'Reading boot_id after the reboot failed'));
    return finish('timeout');
  } finally {
    closeQuietly(next);
  }
  if (afterBootId === beforeBootId) {
    errors.push(bootIdUnchangedEntry(beforeBootId));
    return finish('boot_id_unchanged');
  }
  return finish('ok');
}

/** What the reboot request itself left to report: its failure, or a warning when its outcome is uncertain. */
function issueEntry(issued: Awaited<ReturnType<typeof issueReboot>>): SnapshotError | null {
  if (issued.kind === 'failed')
    return {
      source: 'ssh',
      kind: issued.errorKind,
      severity: 'error',
      message: issued.message,
      ...(issued.remediation ? { remediation: issued.remediation } : {}),
    };
  if (issued.kind === 'uncertain')
    return { source: 'ssh', kind: issued.errorKind, severity: 'warning', message: `Reboot request: ${issued.message}` };
  return null;
}

/** Polls until SSH looks down; the instant it was seen down, or null when it stayed up until `deadline`. */
async function waitForDown(deps: VerifiedRebootDeps, o: Resolved, deadline: number): Promise<number | null> {
  while (Date.now() < deadline) {
    if (await sshLooksDown(deps, deadline - Date.now())) return Date.now();
    await sleep(Math.max(0, Math.min(o.pollIntervalMs, deadline - Date.now())));
  }
  return null;
}

/**
 * Tries, with backoff, to open a freshly verified session until `deadline`. A changed host key ends the wait at once;
 * anything else may be the machine still booting.
 */
async function waitForReturn(
  deps: VerifiedRebootDeps,
  o: Resolved,
  deadline: number,
): Promise<{ next: RebootSession | null; lastError: SshError | null }> {
  let lastError: SshError | null = null;
  for (let attempt = 0; ; attempt++) {
    let remaining = deadline - Date.now();
    if (remaining <= 0) return { next: null, lastError };
    const state = deps.probePort ? await deps.probePort(Math.min(BACK_PROBE_MAX_MS, remaining)) : 'open';
    remaining = deadline - Date.now();
    if (state !== 'open') lastError = portError(state);
    else if (remaining > 0) {
      try {
        const next = await within(deps.connect(), remaining, closeQuietly);
        if (next) return { next, lastError };
        lastError = new SshError('timeout', 'SSH connect did not finish before the deadline');
      } catch (e) {
        if (!(e instanceof SshError)) throw e;
        lastError = e;
        if (HOST_KEY_KINDS.has(e.errorKind)) return { next: null, lastError };
        // Anything else may be the machine still booting: refused, timeouts, and even auth_failed while
        // pam_nologin ("System is booting up") refuses logins until systemd-user-sessions has started.
      }
    }
    await sleep(Math.max(0, Math.min(backoffDelayMs(attempt, o.backoff), deadline - Date.now())));
  }
}

function neverWentDownEntry(downDetectMs: number): SnapshotError {
  return {
    source: 'system',
    kind: 'timeout',
    severity: 'error',
    message: `SSH stayed up for ${seconds(downDetectMs)} s after the reboot request`,
    remediation:
      'The machine did not go down. Check that it may reboot (inhibitors, a hung shutdown job, a container that ignores reboot) and look at its journal.',
  };
}

function bootIdUnchangedEntry(bootId: string | null): SnapshotError {
  return {
    source: 'system',
    kind: 'boot_id_unchanged',
    severity: 'error',
    message: `SSH went down and came back but boot_id is still ${bootId}: the machine did not reboot`,
    remediation: 'Something restarted sshd or the network instead of rebooting; check the journal of the machine.',
  };
}
