/**
 * One POSIX shell word, always single-quoted: inside single quotes nothing is special (`$`, backticks, `;`, globs,
 * newlines), and a single quote itself is written `'\''` (close, escaped quote, reopen). Templates quote every value
 * this way, readable or not, so what a person previews is exactly the rule that held.
 */
export function posixWord(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The shell variable a secret is read from at run time (never its value in the script text). */
export function secretVariableName(name: string): string {
  return `SU_SECRET_${name}`;
}
