// Turns a failed apt/dpkg command into the job's error_kind. Messages as apt 2.6.1 / dpkg 1.21 print them
// (fixtures/apt-lock-timeout.txt, apt-dpkg-interrupted.txt, dpkg-audit-*.txt).
import { cleanMessage } from './apt-messages.extractor.ts';
import { DPKG_INTERRUPTED_REMEDIATION } from './dpkg-audit.parser.ts';

export type AptFailureKind = 'apt_lock_busy' | 'dpkg_interrupted' | 'command_failed';

export interface AptFailure {
  errorKind: AptFailureKind;
  message: string;
  remediation: string;
}

const LOCK =
  /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock (the administration directory|directory)|is another process using it\?/;
const INTERRUPTED = /dpkg was interrupted, you must manually run '(?:sudo )?dpkg --configure -a'/;
const HOLDER = /It is held by process (\d+) \(([^)]+)\)/;

/**
 * null when the command succeeded (exit 0 and no E: line). apt exits 100 for all three cases, so the text decides.
 */
export function classifyAptFailure(exitCode: number, stdout: string, stderr: string): AptFailure | null {
  const text = `${stderr}\n${stdout}`;
  const eLines = text
    .split(/\r?\n/)
    .filter((l) => l.startsWith('E: '))
    .map((l) => l.slice(3).trim());
  if (exitCode === 0 && eLines.length === 0) return null;

  const interrupted = INTERRUPTED.exec(text);
  if (interrupted) {
    return {
      errorKind: 'dpkg_interrupted',
      message: cleanMessage(interrupted[0]),
      remediation: DPKG_INTERRUPTED_REMEDIATION,
    };
  }
  if (LOCK.test(text)) {
    const holder = HOLDER.exec(text);
    const lockLine = eLines.find((l) => LOCK.test(l)) ?? 'Could not get the dpkg/apt lock';
    return {
      errorKind: 'apt_lock_busy',
      message: cleanMessage(holder ? `${lockLine} (held by process ${holder[1]} ${holder[2]})` : lockLine),
      remediation:
        'Another package manager (unattended-upgrades, apt-daily, a manual apt) held the dpkg/apt lock longer than the configured wait: retry later, or raise the lock wait.',
    };
  }
  const message = eLines.at(-1) ?? lastLine(stderr) ?? lastLine(stdout) ?? `exit code ${exitCode}`;
  return {
    errorKind: 'command_failed',
    message: cleanMessage(message),
    remediation: 'Read the important messages and the raw log of this run.',
  };
}

function lastLine(s: string): string | undefined {
  return s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1);
}
