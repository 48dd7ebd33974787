/**
 * Splits a command line built by the product's `shellQuote` (plain words and single-quoted words, `'\''` for a quote)
 * back into its argv. Anything else (double quotes, `$`, backslashes outside that escape) is not what the product
 * sends, so it throws instead of guessing.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === ' ') {
      if (cur !== null) words.push(cur);
      cur = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quote in the command line');
      cur = (cur ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\' && line[i + 1] === "'") {
      cur = (cur ?? '') + "'";
      i++;
    } else if (/[A-Za-z0-9_./:@%+,=-]/.test(c)) cur = (cur ?? '') + c;
    else throw new Error(`unexpected character ${JSON.stringify(c)} in the command line`);
  }
  if (cur !== null) words.push(cur);
  return words;
}

/**
 * The inverse: one single-quoted word per argument (a quote written `'\''`). The lab machine's shell reads it back
 * as the same argv. (libs/ssh's `shellQuote` cannot be used here: the ssh lib's tests depend on this lib.)
 */
export function quoteWords(argv: readonly string[]): string {
  return argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}
