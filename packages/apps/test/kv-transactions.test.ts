/**
 * MULTI/EXEC/DISCARD/WATCH against a server in this process, replies
 * checked byte for byte against Redis 7.0's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKv, type KvFixture } from './kv-helpers.js';
import { session, type Session } from './kv-session.js';

let kv: KvFixture;
const open: Session[] = [];
beforeAll(async () => {
  kv = await startKv();
});
afterAll(async () => {
  for (const s of open) s.close();
  await kv.close();
  expect(kv.failures).toEqual([]);
});

async function connect(): Promise<Session> {
  const s = await session(kv.port);
  open.push(s);
  return s;
}

async function call(s: Session, expected: string, ...args: string[]): Promise<void> {
  s.send(...args);
  expect(await s.next(expected)).toBe(expected);
}

describe('transactions', () => {
  it('queues commands and runs them at EXEC, replies in one array', async () => {
    const s = await connect();
    await call(s, '+OK\r\n', 'MULTI');
    await call(s, '+QUEUED\r\n', 'SET', 'tx:a', '1');
    await call(s, '+QUEUED\r\n', 'INCR', 'tx:a');
    await call(s, '+QUEUED\r\n', 'GET', 'tx:a');
    await call(s, '*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n', 'EXEC');
    await call(s, '$1\r\n2\r\n', 'GET', 'tx:a');
  });

  it('refuses nesting, WATCH inside MULTI, EXEC and DISCARD without MULTI', async () => {
    const s = await connect();
    await call(s, '-ERR EXEC without MULTI\r\n', 'EXEC');
    await call(s, '-ERR DISCARD without MULTI\r\n', 'DISCARD');
    await call(s, '+OK\r\n', 'MULTI');
    await call(s, '-ERR MULTI calls can not be nested\r\n', 'MULTI');
    await call(s, '-ERR WATCH inside MULTI is not allowed\r\n', 'WATCH', 'x');
    await call(s, '*0\r\n', 'EXEC');
  });

  it('aborts with EXECABORT after a command refused while queueing, running none', async () => {
    const s = await connect();
    await call(s, '+OK\r\n', 'MULTI');
    await call(s, '+QUEUED\r\n', 'SET', 'tx:b', '1');
    await call(s, "-ERR unknown command 'NOSUCH', with args beginning with: \r\n", 'NOSUCH');
    await call(s, "-ERR wrong number of arguments for 'get' command\r\n", 'GET');
    await call(s, '-EXECABORT Transaction discarded because of previous errors.\r\n', 'EXEC');
    await call(s, ':0\r\n', 'EXISTS', 'tx:b');
    await call(s, '+PONG\r\n', 'PING');
  });

  it('DISCARD drops the queue', async () => {
    const s = await connect();
    await call(s, '+OK\r\n', 'MULTI');
    await call(s, '+QUEUED\r\n', 'SET', 'tx:c', '1');
    await call(s, '+OK\r\n', 'DISCARD');
    await call(s, ':0\r\n', 'EXISTS', 'tx:c');
  });

  it('a watched key written by another client makes EXEC fail with a null array; UNWATCH forgets', async () => {
    const a = await connect();
    const b = await connect();
    await call(a, '+OK\r\n', 'SET', 'tx:w', '1');
    await call(a, '+OK\r\n', 'WATCH', 'tx:w', 'tx:other');
    await call(b, '+OK\r\n', 'SET', 'tx:w', '2');
    await call(a, '+OK\r\n', 'MULTI');
    await call(a, '+QUEUED\r\n', 'SET', 'tx:w', '3');
    await call(a, '*-1\r\n', 'EXEC');
    await call(a, '$1\r\n2\r\n', 'GET', 'tx:w');
    // After EXEC nothing is watched.
    await call(b, '+OK\r\n', 'SET', 'tx:w', '4');
    await call(a, '+OK\r\n', 'MULTI');
    await call(a, '+QUEUED\r\n', 'GET', 'tx:w');
    await call(a, '*1\r\n$1\r\n4\r\n', 'EXEC');
  });

  it('a write that changes nothing does not touch a watched key; FLUSHALL touches only keys that exist', async () => {
    const a = await connect();
    const b = await connect();
    await call(a, '+OK\r\n', 'WATCH', 'tx:none');
    await call(b, ':0\r\n', 'DEL', 'tx:none');
    await call(a, '+OK\r\n', 'MULTI');
    await call(a, '+QUEUED\r\n', 'PING');
    await call(a, '*1\r\n+PONG\r\n', 'EXEC');
    await call(a, '+OK\r\n', 'SET', 'tx:f', '1');
    await call(a, '+OK\r\n', 'WATCH', 'tx:f');
    await call(b, '+OK\r\n', 'FLUSHALL');
    await call(a, '+OK\r\n', 'MULTI');
    await call(a, '+QUEUED\r\n', 'PING');
    await call(a, '*-1\r\n', 'EXEC');
  });

  it('a blocking command inside MULTI gets its timeout reply at once', async () => {
    const s = await connect();
    await call(s, '+OK\r\n', 'MULTI');
    await call(s, '+QUEUED\r\n', 'BLPOP', 'tx:empty', '0');
    await call(s, '*1\r\n*-1\r\n', 'EXEC');
  });

  it('EXEC in RESP3 answers a failed transaction with a null', async () => {
    const s = await connect();
    s.send('HELLO', '3');
    await s.next('%7\r\n');
    await expect.poll(() => s.rest().includes('$7\r\nmodules\r\n*0\r\n')).toBe(true);
    await s.next(s.rest());
    await call(s, '+OK\r\n', 'WATCH', 'tx:r3');
    const b = await connect();
    await call(b, '+OK\r\n', 'SET', 'tx:r3', '1');
    await call(s, '+OK\r\n', 'MULTI');
    await call(s, '_\r\n', 'EXEC');
  });

  it('past maxmemory: a queued command is refused (EXEC aborts), DISCARD still works, reads still run', async () => {
    const s = await connect();
    const admin = await connect();
    await call(s, '+OK\r\n', 'SET', 'tx:m', 'v');
    await call(admin, '+OK\r\n', 'CONFIG', 'SET', 'maxmemory', '1');
    try {
      const oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
      await call(s, oom, 'SET', 'tx:m2', 'v');
      await call(s, '$1\r\nv\r\n', 'GET', 'tx:m');
      await call(s, '+OK\r\n', 'MULTI');
      await call(s, oom, 'SET', 'tx:m2', 'v');
      await call(s, '+OK\r\n', 'DISCARD');
    } finally {
      await call(admin, '+OK\r\n', 'CONFIG', 'SET', 'maxmemory', '0');
    }
    await call(s, '+OK\r\n', 'SET', 'tx:m2', 'v');
  });

  it('TIME answers seconds and microseconds', async () => {
    const s = await connect();
    s.send('TIME');
    await expect.poll(() => /^\*2\r\n\$10\r\n\d{10}\r\n\$\d\r\n\d{1,6}\r\n$/.test(s.rest())).toBe(true);
    const seconds = Number(s.rest().split('\r\n')[2]);
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(5);
  });

  it('SYNC streams the writes: one as itself, an EXEC of several as MULTI/EXEC, PUBLISH too, no reads', async () => {
    const replica = await connect();
    const s = await connect();
    await call(replica, '$0\r\n', 'SYNC');
    const cmd = (...a: string[]) => `*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`;
    await call(s, '+OK\r\n', 'SET', 'rp:a', '1');
    await call(s, '$1\r\n1\r\n', 'GET', 'rp:a');
    await call(s, '+OK\r\n', 'MULTI');
    await call(s, '+QUEUED\r\n', 'SET', 'rp:b', '2');
    await call(s, '+QUEUED\r\n', 'RPUSH', 'rp:c', 'x');
    await call(s, '*2\r\n+OK\r\n:1\r\n', 'EXEC');
    await call(s, ':0\r\n', 'PUBLISH', 'rp:ch', 'm');
    const want =
      cmd('SELECT', '0') +
      cmd('SET', 'rp:a', '1') +
      cmd('MULTI') +
      cmd('SET', 'rp:b', '2') +
      cmd('RPUSH', 'rp:c', 'x') +
      cmd('EXEC') +
      cmd('PUBLISH', 'rp:ch', 'm');
    const got = (await replica.next(want))
      .replace(/\$3\r\nset\r\n/gi, '$3\r\nSET\r\n')
      .replace(/\$5\r\nrpush\r\n/gi, '$5\r\nRPUSH\r\n');
    expect(got).toBe(want.replace(/\$5\r\nrpush\r\n/gi, '$5\r\nRPUSH\r\n'));
  });

  it('REPLICAOF makes the server refuse writes until REPLICAOF NO ONE; a write queued in MULTI is refused', async () => {
    const s = await connect();
    const readonly = "READONLY You can't write against a read only replica.";
    await call(s, '+OK\r\n', 'REPLICAOF', 'localhost', '9999');
    try {
      await call(s, `-${readonly}\r\n`, 'SET', 'ro:a', '1');
      await call(s, '$-1\r\n', 'GET', 'ro:a');
      await call(s, '+OK\r\n', 'MULTI');
      // Refused at queue time, as Redis checks READONLY before queueing.
      await call(s, `-${readonly}\r\n`, 'DEL', 'ro:a');
      await call(s, '-EXECABORT Transaction discarded because of previous errors.\r\n', 'EXEC');
    } finally {
      await call(s, '+OK\r\n', 'REPLICAOF', 'NO', 'ONE');
    }
    await call(s, '+OK\r\n', 'SET', 'ro:a', '1');
  });
});
