// An htpasswd file for docker-registry, which accepts bcrypt only. Node has no bcrypt; Debian's libcrypt (libxcrypt)
// does, reached through perl's crypt() (perl-base is essential on Debian). The password goes through stdin.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function writeHtpasswd(path: string, username: string, password: string): void {
  const salt =
    [...randomBytes(22)]
      .map((b) => BCRYPT_ALPHABET[b % 64])
      .join('')
      .slice(0, 21) + 'e';
  const hash = execFileSync('perl', ['-e', 'my $p = <STDIN>; chomp $p; print crypt($p, $ARGV[0])', `$2b$05$${salt}`], {
    input: `${password}\n`,
    encoding: 'utf8',
  });
  if (!hash.startsWith('$2b$05$')) throw new Error('perl crypt() did not produce a bcrypt hash');
  writeFileSync(path, `${username}:${hash}\n`, { mode: 0o600 });
}
