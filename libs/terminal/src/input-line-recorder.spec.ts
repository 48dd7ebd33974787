import { describe, expect, it } from 'vitest';
import { InputLineRecorder } from './input-line-recorder.ts';
import { currentLineOf, isPasswordPrompt } from './password-prompt.ts';

describe('password prompts', () => {
  it('recognises sudo, su, passwd, ssh and French prompts at the end of the cursor line, escapes removed', () => {
    for (const p of [
      '[sudo] password for admin: ',
      'Password:',
      "admin@web1's password: ",
      'Enter passphrase for key /root/.ssh/id_ed25519: ',
      'New password: ',
      '[sudo] Mot de passe de admin : ',
      'output\r\n\x1b[1m[sudo] password for admin:\x1b[0m ',
    ])
      expect(isPasswordPrompt(p), p).toBe(true);
    for (const p of ['admin@web1:~$ ', 'Password: ok\r\nadmin@web1:~$ ', 'echo password', 'cat passwords.txt\r\n'])
      expect(isPasswordPrompt(p), p).toBe(false);
    expect(currentLineOf('a\r\nb\x1b[32mc\x1b[0m')).toBe('bc');
  });
});

describe('InputLineRecorder', () => {
  const typed = (r: InputLineRecorder, keys: string) => r.input(keys);

  it('gives the lines entered, with backspace, Ctrl-U, Ctrl-W, Ctrl-C and arrow keys handled', () => {
    const r = new InputLineRecorder();
    r.output('admin@web1:~$ ');
    expect(typed(r, 'uname -x\x7fa\r')).toEqual([{ line: 'uname -a', hidden: false }]);
    expect(typed(r, 'rm -rf /\x15ls\r')).toEqual([{ line: 'ls', hidden: false }]);
    expect(typed(r, 'echo one two\x17three\r')).toEqual([{ line: 'echo one three', hidden: false }]);
    expect(typed(r, 'oops\x03')).toEqual([]);
    expect(typed(r, '\x1b[A\x1b[Bdf -h\x1b[D\r')).toEqual([{ line: 'df -h', hidden: false }]);
    expect(typed(r, '\r\r')).toEqual([]);
  });

  it('never keeps what is typed at a password prompt; the next command is logged again', () => {
    const r = new InputLineRecorder();
    r.output('admin@web1:~$ ');
    expect(typed(r, 'sudo -k; sudo true\r')).toEqual([{ line: 'sudo -k; sudo true', hidden: false }]);
    r.output('\r\n[sudo] password for admin: ');
    expect(typed(r, 'lab-admin-')).toEqual([]);
    expect(typed(r, 'pw\r')).toEqual([{ line: null, hidden: true }]);
    r.output('\r\nadmin@web1:~$ ');
    expect(typed(r, 'whoami\r')).toEqual([{ line: 'whoami', hidden: false }]);
  });

  it('hides a password typed ahead of its prompt when the prompt is showing at Enter', () => {
    const r = new InputLineRecorder();
    r.output('$ ');
    typed(r, 'sudo true\r');
    typed(r, 'secret-typed-early');
    r.output('\r\n[sudo] password for admin: ');
    const lines = typed(r, '\r');
    expect(lines).toEqual([{ line: null, hidden: true }]);
    expect(JSON.stringify(lines)).not.toContain('secret');
  });
});
