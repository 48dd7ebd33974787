import type { Socket } from 'node:net';

/**
 * Makes a connected socket send what is written in one turn of the event loop together.
 *
 * ssh2 writes each packet in pieces: the encrypted length, the encrypted body, then the MAC or the AES-GCM tag, each
 * its own `write`. Nagle is off (`setNoDelay`: a command's few bytes must not wait for an ACK), so each piece was a
 * system call and a TCP segment of its own, and the machine's sshd woke to read each one. Corked for the rest of the
 * turn, the pieces of every packet written in it leave in one `writev`, and nothing waits past the turn (ADR 0061).
 *
 * An own `write` on the instance, installed once the socket is connected: `net.Socket#connect` puts
 * `Socket.prototype.write` back on a socket whose `write` differs, so a subclass's override would be undone.
 */
export function sendPerTurn(sock: Socket): void {
  const write = sock.write;
  let corked = false;
  sock.write = function (this: Socket, ...args: Parameters<Socket['write']>): boolean {
    if (!corked) {
      corked = true;
      sock.cork();
      process.nextTick(() => {
        corked = false;
        sock.uncork();
      });
    }
    return write.apply(sock, args);
  } as Socket['write'];
}
