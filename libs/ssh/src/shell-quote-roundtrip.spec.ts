import { describe, expect, it } from 'vitest';
import { quoteWords, shellWords } from '@su/testing';
import { shellQuote } from './shell-quote.ts';

// The simulated fleet reads the product's command lines back into argv (its fixtures are keyed by argv): every line
// shellQuote builds must split back exactly, and the simulator's own quoting must too.
describe('shellQuote read back by the simulated fleet', () => {
  const argvs = [
    ['env', 'LC_ALL=C', 'apt-cache', 'policy', 'homelab-demo'],
    ['sh', '-c', `out=$(dpkg-query -W -f='\${db:Status-Want} \${binary:Package}\\n') || exit $?`],
    ['sudo', '-S', '-p', '<su-sudo-prompt-0a>', '--', 'sh', '-c', 'printf %s "$0" >&2; exec "$@"', '<r>', 'sh', '-s'],
    ["it's", '', 'a b', 'if', '$(x)', '`y`', 'new\nline'],
  ];

  it('splits every quoted line back into the same argv', () => {
    for (const argv of argvs) {
      expect(shellWords(shellQuote(argv))).toEqual(argv);
      expect(shellWords(quoteWords(argv))).toEqual(argv);
    }
  });

  it('refuses what the product never sends instead of guessing', () => {
    expect(() => shellWords('echo "double"')).toThrow(/unexpected character/);
    expect(() => shellWords("echo 'open")).toThrow(/unterminated/);
  });
});
