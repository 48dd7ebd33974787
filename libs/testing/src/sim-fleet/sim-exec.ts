import type { ServerChannel } from 'ssh2';
import { shellWords } from './shell-words.ts';

/** The product's sudo wrapper (libs/ssh sudo-invocation.ts): `sh -c <READY_SCRIPT> <ready-marker> <argv...>`. */
const READY_SCRIPT = 'printf %s "$0" >&2; exec "$@"';

/** One exec request as the product sent it: the command under sudo's wrapper, and everything it wrote on stdin. */
export interface ExecRequest {
  argv: string[];
  sudo: boolean;
  stdin: string;
}

interface SudoPrefix {
  prompt: string | null;
  ready: string;
  inner: string[];
}

/** Splits `sudo -S -p <prompt> -- sh -c <ready script> <marker> argv...` (or `sudo -n -- ...`) into its parts. */
function sudoPrefix(argv: string[]): SudoPrefix | null {
  if (argv[0] !== 'sudo') return null;
  const withPassword = argv[1] === '-S' && argv[2] === '-p';
  const rest = withPassword ? argv.slice(4) : argv[1] === '-n' ? argv.slice(2) : null;
  if (!rest || rest[0] !== '--' || rest[1] !== 'sh' || rest[2] !== '-c' || rest[3] !== READY_SCRIPT || !rest[4])
    throw new Error('a sudo line the product does not send');
  return { prompt: withPassword ? (argv[3] ?? null) : null, ready: rest[4], inner: rest.slice(5) };
}

/**
 * Plays sudo's side of the dialogue the product expects (prompt marker on stderr, one password line, ready marker),
 * then collects the command's stdin until EOF. Resolves with the request, or null once it answered a refused sudo.
 */
export function readExec(ch: ServerChannel, line: string, password: string): Promise<ExecRequest | null> {
  const argv = shellWords(line);
  const sudo = sudoPrefix(argv);
  let phase: 'password' | 'stdin' = sudo?.prompt ? 'password' : 'stdin';
  let buf = '';
  if (sudo) ch.stderr.write(sudo.prompt ?? sudo.ready);
  return new Promise((resolve) => {
    ch.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      if (phase !== 'password' || !sudo) return;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const given = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      // A wrong password: sudo asks again, and the product gives up (it ends stdin).
      if (given !== password) return ch.stderr.write(sudo.prompt ?? '');
      phase = 'stdin';
      ch.stderr.write(sudo.ready);
    });
    ch.once('end', () => {
      if (phase === 'password') {
        // A client that died (a killed worker) hears nothing more: only a live one is told.
        if (ch.stderr.writable) {
          ch.stderr.write('sudo: no password was provided\nsudo: 1 incorrect password attempt\n');
          ch.exit(1);
          ch.end();
        }
        return resolve(null);
      }
      resolve({ argv: sudo ? sudo.inner : argv, sudo: !!sudo, stdin: buf });
    });
  });
}
