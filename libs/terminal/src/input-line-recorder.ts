import { isPasswordPrompt } from './password-prompt.ts';

/** One line the person entered: its text, or `hidden` when it was typed at a password prompt (text never kept). */
export type EnteredLine = { line: string; hidden: false } | { line: null; hidden: true };

/** The output kept to know what the cursor's line shows (a prompt is short; the tail is enough). */
const TAIL_CHARS = 512;
/** A line longer than this is cut (a paste of a whole file is not a command). */
const MAX_LINE_CHARS = 4_096;

// Keys that are not text: arrows and function keys (CSI / SS3 sequences) and bracketed-paste markers.
// eslint-disable-next-line no-control-regex
const KEY_SEQUENCES = /\x1b\[[0-9;]*[~A-Za-z]|\x1bO[A-Za-z]|\x1b[^[O]/g;

/**
 * Turns a terminal's keystrokes into the lines a person entered, for the session's command log. It watches the
 * remote's output: a line typed while the cursor's line looks like a password prompt (sudo, su, passwd, ssh) is
 * reported as hidden, and its characters are dropped as they arrive, so a secret never sits in memory longer than a
 * keystroke. Backspace, Ctrl-U, Ctrl-W and Ctrl-C edit or drop the line as the shell would; escape sequences (arrows)
 * are ignored, so a line recalled from history is logged as what was typed, not what ran.
 */
export class InputLineRecorder {
  private screenTail = '';
  private buffer = '';
  /** The line being typed started, or was continued, at a password prompt. */
  private secret = false;
  private typing = false;

  /** What the remote printed (decoded text). */
  output(text: string): void {
    this.screenTail = (this.screenTail + text).slice(-TAIL_CHARS);
  }

  /** What the person typed; returns the lines it completed. */
  input(text: string): EnteredLine[] {
    const done: EnteredLine[] = [];
    for (const ch of text.replace(KEY_SEQUENCES, '')) {
      if (!this.typing) {
        this.typing = true;
        this.secret = isPasswordPrompt(this.screenTail);
      }
      const line = this.key(ch);
      if (line) done.push(line);
    }
    return done;
  }

  private key(ch: string): EnteredLine | null {
    if (ch === '\r' || ch === '\n') return this.enter();
    if (ch === '\x03' || ch === '\x15') this.reset(); // Ctrl-C drops the line; Ctrl-U clears it
    else if (ch === '\x7f' || ch === '\b') this.buffer = this.buffer.slice(0, -1);
    else if (ch === '\x17') this.buffer = this.buffer.replace(/\S+\s*$/, '');
    else if (this.secret) this.buffer = '';
    else if (ch >= ' ' || ch === '\t') {
      if (this.buffer.length < MAX_LINE_CHARS) this.buffer += ch;
    }
    return null;
  }

  private enter(): EnteredLine | null {
    // Typed ahead of a prompt that showed up meanwhile: still the prompt's answer.
    if (isPasswordPrompt(this.screenTail)) this.secret = true;
    // An Enter on an empty line at no password prompt is not a command.
    const entered: EnteredLine | null = this.secret
      ? { line: null, hidden: true }
      : this.buffer.trim()
        ? { line: this.buffer, hidden: false }
        : null;
    this.reset();
    return entered;
  }

  private reset(): void {
    this.buffer = '';
    this.secret = false;
    this.typing = false;
  }
}
