import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SshError, type CommandResult } from '@su/ssh';
import { REBOOT_SCRIPT, issueReboot, type RebootSession } from './reboot-command.ts';

const result = (over: Partial<CommandResult>): CommandResult => ({
  exitCode: 0,
  signal: null,
  stdout: '',
  stderr: '',
  durationMs: 1,
  truncated: false,
  ...over,
});
const session = (runScript: RebootSession['runScript']): RebootSession => ({
  run: () => Promise.reject(new Error('not used')),
  runScript,
  close: () => Promise.resolve(),
});

describe('reboot command', () => {
  // Only parsed here, never run: on a systemd host it would really schedule a reboot.
  it('the script is valid POSIX sh and prefers a systemd timer, with a detached fallback', () => {
    expect(spawnSync('sh', ['-n'], { input: REBOOT_SCRIPT }).status).toBe(0);
    expect(REBOOT_SCRIPT).toContain('systemd-run --quiet --on-active=1 --timer-property=AccuracySec=100ms');
    expect(REBOOT_SCRIPT).toMatch(
      /setsid sh -c 'sleep 1; exec "\$@"' sh "\$cmd" "\$@" <\/dev\/null >\/dev\/null 2>&1 &/,
    );
  });

  it('maps the outcomes', async () => {
    const scheduled = await issueReboot(
      session(() => Promise.resolve(result({ stdout: 'su-reboot-scheduled detached\n' }))),
      1000,
    );
    expect(scheduled).toEqual({ kind: 'scheduled', method: 'detached' });
    // exit 0 without the marker: something else answered (a wrapper, a broken sudo rule) — not a scheduled reboot
    expect(
      (
        await issueReboot(
          session(() => Promise.resolve(result({}))),
          1000,
        )
      ).kind,
    ).toBe('failed');
    const killed = await issueReboot(
      session(() => Promise.resolve(result({ exitCode: null, signal: 'KILL' }))),
      1000,
    );
    expect(killed).toMatchObject({
      kind: 'failed',
      errorKind: 'command_failed',
      message: expect.stringMatching(/KILL/),
    });
    const dropped = await issueReboot(
      session(() => Promise.reject(new SshError('unreachable', 'lost'))),
      1000,
    );
    expect(dropped.kind).toBe('connection_dropped');
    const slow = await issueReboot(
      session(() => Promise.reject(new SshError('timeout', 'slow'))),
      1000,
    );
    expect(slow.kind).toBe('uncertain');
    const tty = await issueReboot(
      session(() => Promise.reject(new SshError('sudo_requires_tty', 'tty'))),
      1000,
    );
    expect(tty).toMatchObject({ kind: 'failed', errorKind: 'sudo_requires_tty', remediation: expect.any(String) });
    await expect(
      issueReboot(
        session(() => Promise.reject(new Error('bug'))),
        1000,
      ),
    ).rejects.toThrow('bug');
  });
});
