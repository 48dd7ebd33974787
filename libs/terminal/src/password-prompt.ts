/**
 * Prompts after which what is typed is a secret: sudo's `[sudo] password for admin:`, `Password:`, su's, ssh's
 * `admin@host's password:`, key passphrases, `New password:` / `Retype new password:` of passwd, and French ones
 * (`Mot de passe :`). Matched at the END of what the remote shows on the cursor's line, ignoring case.
 */
const PROMPT =
  /(?:\[sudo\][^\n]*|pass(?:word|phrase)[^\n]*|mot de passe[^\n]*|\bpin[^\n]*|verification code[^\n]*|\bOTP[^\n]*):\s*$/i;

// CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL|ESC \`), and two-byte escapes: the colours and titles of a prompt.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g;

/** The text of the line the cursor is on, without terminal escapes (at most the last 512 characters kept). */
export function currentLineOf(screenTail: string): string {
  const plain = screenTail.replace(ESCAPES, '');
  const lastBreak = Math.max(plain.lastIndexOf('\n'), plain.lastIndexOf('\r'));
  return plain.slice(lastBreak + 1);
}

/** True when the remote is waiting for a secret on the cursor's line. */
export function isPasswordPrompt(screenTail: string): boolean {
  return PROMPT.test(currentLineOf(screenTail));
}
