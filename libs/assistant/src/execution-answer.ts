import { reduceLogLines, type LogFamily } from '@su/contracts';
import type { ExecutionView } from '@su/db';

/** Lines of a reduced log sent at most, and the longest line: an apt error can quote a whole sources file. */
const LINES_MAX = 200;
const LINE_MAX_CHARS = 300;

/** Which prefixes reduce an action's log: APT actions APT's, Docker actions Docker's, others both. */
function familiesOf(action: string): LogFamily[] {
  if (action.startsWith('apt_') || action === 'dpkg_repair') return ['apt'];
  if (action.startsWith('docker_')) return ['docker'];
  return ['apt', 'docker'];
}

/**
 * What the assistant receives of an execution (seed 004 §7): its reduced JSON (`important_json`) and the lines the
 * deterministic reducer keeps of its raw log. The raw log itself never leaves the server.
 */
export function executionAnswer(e: ExecutionView, rawLog: string | null) {
  const lines = rawLog === null ? [] : reduceLogLines(rawLog, familiesOf(e.action));
  return {
    id: e.id,
    machineId: e.machineId,
    action: e.action,
    mode: e.mode,
    status: e.status,
    startedAt: e.startedAt,
    finishedAt: e.finishedAt,
    exitCode: e.exitCode,
    errorKind: e.errorKind,
    errorMessage: e.errorMessage,
    requestId: e.requestId,
    important: e.importantJson ?? null,
    importantLogLines: lines
      .slice(0, LINES_MAX)
      .map((l) => (l.length > LINE_MAX_CHARS ? `${l.slice(0, LINE_MAX_CHARS)}…` : l)),
    importantLogLinesTotal: lines.length,
    rawLog: rawLog === null ? 'not kept' : 'kept on the server, never sent',
  };
}
