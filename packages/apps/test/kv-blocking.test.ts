/**
 * Blocking commands against a server in this process: a client parked by
 * BLPOP is woken by another's write, in arrival order, times out, keeps
 * its pipelined requests for after, can be unblocked, and is forgotten
 * when it leaves.
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

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const pair = (k: string, v: string) => `*2\r\n${bulk(k)}${bulk(v)}`;

// Waits until INFO reports `n` blocked clients.
async function blocked(s: Session, n: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    s.send('INFO', 'clients');
    const head = await s.next('$');
    let len = '';
    for (let c = await s.next('x'); c !== '\r'; c = await s.next('x')) len += c;
    const body = await s.next('\n' + 'x'.repeat(Number(len)) + '\r\n');
    if (body.includes(`blocked_clients:${n}\r\n`)) return;
    expect(head).toBe('$');
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never ${n} blocked clients`);
}

describe('blocking commands', () => {
  it('serve a woken client from the key whose write woke it, as Redis does', async () => {
    const a = await connect();
    const w = await connect();
    a.send('BLPOP', 'bl:k1', 'bl:k2', '0');
    await blocked(w, 1);
    // Both keys fill in one transaction, k2 first: the client gets k2's head, not k1's (its first key).
    await call(w, '+OK\r\n', 'MULTI');
    await call(w, '+QUEUED\r\n', 'RPUSH', 'bl:k2', 'x', 'y');
    await call(w, '+QUEUED\r\n', 'RPUSH', 'bl:k1', 'a', 'b', 'c');
    await call(w, '*2\r\n:2\r\n:3\r\n', 'EXEC');
    expect(await a.next(pair('bl:k2', 'x'))).toBe(pair('bl:k2', 'x'));
    await call(w, ':3\r\n', 'LLEN', 'bl:k1');
    await call(w, '*1\r\n$1\r\ny\r\n', 'LRANGE', 'bl:k2', '0', '-1');
  });

  it('wake the clients blocked on a key in the order they came, one element each', async () => {
    const a = await connect();
    const b = await connect();
    const w = await connect();
    a.send('BLPOP', 'bl:q', '0');
    await blocked(w, 1);
    b.send('BLPOP', 'bl:q', '0');
    await blocked(w, 2);
    await call(w, ':2\r\n', 'RPUSH', 'bl:q', 'x', 'y');
    expect(await a.next(pair('bl:q', 'x'))).toBe(pair('bl:q', 'x'));
    expect(await b.next(pair('bl:q', 'y'))).toBe(pair('bl:q', 'y'));
    await call(w, ':0\r\n', 'EXISTS', 'bl:q');
    await blocked(w, 0);
  });

  it('time out with a null array, and keep pipelined requests until then', async () => {
    const a = await connect();
    const start = Date.now();
    a.send('BLPOP', 'bl:none', '0.2');
    a.send('PING');
    expect(await a.next('*-1\r\n+PONG\r\n')).toBe('*-1\r\n+PONG\r\n');
    expect(Date.now() - start).toBeGreaterThanOrEqual(190);
  });

  it('a pipelined request after the block runs once the client is served', async () => {
    const a = await connect();
    const w = await connect();
    a.send('BLPOP', 'bl:p', '0');
    a.send('ECHO', 'after');
    await blocked(w, 1);
    expect(a.rest()).toBe('');
    await call(w, ':1\r\n', 'LPUSH', 'bl:p', 'v');
    const want = pair('bl:p', 'v') + bulk('after');
    expect(await a.next(want)).toBe(want);
  });

  it('BLMOVE served by a push wakes a client blocked on its destination', async () => {
    const a = await connect();
    const b = await connect();
    const w = await connect();
    b.send('BLPOP', 'bl:dst', '0');
    await blocked(w, 1);
    a.send('BLMOVE', 'bl:src', 'bl:dst', 'LEFT', 'RIGHT', '0');
    await blocked(w, 2);
    await call(w, ':1\r\n', 'RPUSH', 'bl:src', 'm');
    expect(await a.next(bulk('m'))).toBe(bulk('m'));
    expect(await b.next(pair('bl:dst', 'm'))).toBe(pair('bl:dst', 'm'));
  });

  it('CLIENT UNBLOCK ends a block with the timeout reply or an error; a client that leaves is forgotten', async () => {
    const a = await connect();
    const w = await connect();
    a.send('CLIENT', 'ID');
    const idLine = await a.next(':');
    let id = '';
    for (let c = await a.next('x'); c !== '\r'; c = await a.next('x')) id += c;
    await a.next('\n');
    expect(idLine).toBe(':');
    a.send('BLPOP', 'bl:u', '0');
    await blocked(w, 1);
    await call(w, ':1\r\n', 'CLIENT', 'UNBLOCK', id);
    expect(await a.next('*-1\r\n')).toBe('*-1\r\n');
    await call(w, ':0\r\n', 'CLIENT', 'UNBLOCK', id);
    a.send('BLPOP', 'bl:u', '0');
    await blocked(w, 1);
    await call(w, ':1\r\n', 'CLIENT', 'UNBLOCK', id, 'ERROR');
    expect(await a.next('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n')).toBe(
      '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n',
    );
    a.send('BLPOP', 'bl:u', '0');
    await blocked(w, 1);
    a.close();
    await blocked(w, 0);
    await call(w, ':1\r\n', 'LPUSH', 'bl:u', 'kept');
    await call(w, ':1\r\n', 'LLEN', 'bl:u');
  });
});
