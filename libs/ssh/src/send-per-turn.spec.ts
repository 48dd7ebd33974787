import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendPerTurn } from './send-per-turn.ts';

/** Real loopback TCP: what the server receives, and what the client holds back within a turn. */
describe('sendPerTurn', () => {
  let server: Server;
  let received: Promise<string>;
  beforeAll(async () => {
    let deliver: (s: string) => void = () => undefined;
    received = new Promise((r) => (deliver = r));
    server = createServer((c) => {
      let text = '';
      c.setEncoding('utf8');
      c.on('data', (d: string) => (text += d));
      c.on('end', () => deliver(text));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const connected = async (): Promise<Socket> => {
    const sock = new Socket();
    sock.setNoDelay(true);
    await new Promise<void>((r) => sock.connect((server.address() as AddressInfo).port, '127.0.0.1', r));
    return sock;
  };

  it('holds the pieces written in one turn and sends them together after it, in order, across turns', async () => {
    const sock = await connected();
    // Without it, a small write on an idle connection leaves at once.
    sock.write('x');
    expect(sock.writableLength).toBe(0);
    sendPerTurn(sock);
    for (const turn of ['ab', 'cd']) {
      sock.write('len:');
      sock.write(Buffer.from(`${turn}:`));
      const callback = new Promise<void>((r) => sock.write('mac;', () => r()));
      expect(sock.writableLength).toBe(4 + turn.length + 1 + 4);
      await callback;
      expect(sock.writableLength).toBe(0);
    }
    sock.end('end', 'utf8');
    expect(await received).toBe('xlen:ab:mac;len:cd:mac;end');
  });
});
