/**
 * POSIX shell quoting. Every argument becomes one single-quoted word, so nothing inside it (spaces, `$()`, backticks,
 * globs, newlines, quotes) is interpreted by the remote shell. A single quote cannot appear inside single quotes, so it
 * is written as `'\''` (close, escaped quote, reopen). This is the only way remote command lines are built: user input
 * is never concatenated into a shell line unquoted.
 */
// Reserved words are only special unquoted in command position, but quoting them everywhere is simpler and safe.
const RESERVED = new Set(
  'if then else elif fi do done case esac while until for in function select time coproc'.split(' '),
);

export function quoteArg(arg: string): string {
  // Plain words stay readable in logs; the allow-list is deliberately small (no `=`, `~`, `*`, `!`, `#`, ...).
  if (/^[A-Za-z0-9_./:@%+,-]+$/.test(arg) && !RESERVED.has(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellQuote(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('shellQuote: empty argv');
  for (const a of argv) if (typeof a !== 'string') throw new TypeError('shellQuote: every argument must be a string');
  return argv.map(quoteArg).join(' ');
}
