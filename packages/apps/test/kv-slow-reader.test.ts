/**
 * The issue's cases against `dios kv serve` as its own process, with the
 * default limits, measuring the process: a client that never reads 300
 * replies of 1 MiB (before the output limit: 945-961 MB RSS, kept, the
 * client never dropped) and, with DIOS_KV_BIG=1, a SET whose key is
 * 536,870,900 bytes (before: the process exited, "Invalid string length";
 * it moves 512 MB, so it is not run by default).
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, info, rawClient, resp, rssMb, serveChild } from './kv-helpers.js';

const MiB = 1024 * 1024;
let server: { child: ChildProcess; port: number; output: () => string };
beforeAll(async () => {
  server = await serveChild(['--port', '0', '--fsync', 'no']);
});
afterAll(() => {
  server.child.kill('SIGKILL');
});

describe('dios kv serve, one abusive client at a time', () => {
  it('a client that never reads 300 replies of 1 MiB is disconnected past 256 MiB; the server stays far below 945 MB', async () => {
    const pid = server.child.pid!;
    const setup = await rawClient(server.port);
    setup.socket.write(resp('SET', 'k', Buffer.alloc(MiB, 118)));
    await setup.until((t) => t === '+OK\r\n');
    const before = rssMb(pid);
    const hog = await rawClient(server.port);
    hog.socket.pause();
    hog.socket.write(Buffer.concat(Array.from({ length: 300 }, () => resp('GET', 'k'))));
    let peak = before;
    const dropped = await eventually(async () => {
      peak = Math.max(peak, rssMb(pid));
      return (await info(server.port))['client_output_buffer_limit_disconnections'] === '1';
    }, 20_000);
    peak = Math.max(peak, rssMb(pid));
    expect(dropped).toBe(true);
    expect(server.output()).toMatch(
      /kv-server: client id=\d+ addr=127\.0\.0\.1:\d+ closed for overcoming of output buffer limits \(a round's replies passed 268435456 bytes\)/,
    );
    // Before: 945 MB and more, held as long as the client stayed. Now one round's replies, cut at the limit.
    console.log(`slow reader: RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`);
    expect(peak).toBeLessThan(800);
    // Everyone else is served as before.
    setup.socket.write(resp('EXISTS', 'k'));
    setup.socket.write('PING\r\n');
    expect(await setup.until((t) => t.endsWith('+PONG\r\n'))).toBe('+OK\r\n:1\r\n+PONG\r\n');
    hog.socket.destroy();
    setup.socket.destroy();
  });

  it.skipIf(process.env['DIOS_KV_BIG'] !== '1')(
    'a SET whose key is 536,870,900 bytes is an error reply; the process serves on (DIOS_KV_BIG=1)',
    async () => {
      const c = await rawClient(server.port);
      const n = 536_870_900;
      c.socket.write(`*3\r\n$3\r\nSET\r\n$${n}\r\n`);
      const chunk = Buffer.alloc(MiB, 107);
      for (let left = n; left > 0; left -= MiB) {
        if (!c.socket.write(left >= MiB ? chunk : chunk.subarray(0, left)))
          await new Promise((r) => c.socket.once('drain', r));
      }
      c.socket.write('\r\n$1\r\nv\r\n');
      expect(await c.until((t) => t.endsWith('\r\n'))).toBe(
        `-ERR key or argument too long: ${n} bytes (at most 536870888; values may be longer)\r\n`,
      );
      c.socket.write('PING\r\n');
      expect(await c.until((t) => t.endsWith('+PONG\r\n'))).toMatch(/\+PONG\r\n$/);
      expect(server.child.exitCode).toBeNull();
      c.socket.destroy();
    },
    120_000,
  );
});
