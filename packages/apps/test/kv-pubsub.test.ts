/**
 * Pub/sub, keyspace events, HELLO/RESP3 and CLIENT REPLY against a server
 * in this process, replies checked byte for byte against Redis 7.0's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { info, rawClient, resp, startKv, type KvFixture } from './kv-helpers.js';
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
const arr = (...items: string[]) => `*${items.length}\r\n${items.join('')}`;

describe('pub/sub', () => {
  it('delivers to channel and pattern subscribers, counts receivers, unsubscribes', async () => {
    const sub = await connect();
    const pub = await connect();
    await call(
      sub,
      arr(bulk('subscribe'), bulk('ch1'), ':1\r\n') + arr(bulk('subscribe'), bulk('ch2'), ':2\r\n'),
      'SUBSCRIBE',
      'ch1',
      'ch2',
    );
    await call(sub, arr(bulk('psubscribe'), bulk('ch*'), ':3\r\n'), 'PSUBSCRIBE', 'ch*');
    await call(pub, ':2\r\n', 'PUBLISH', 'ch1', 'hello');
    expect(await sub.next(arr(bulk('message'), bulk('ch1'), bulk('hello')))).toBe(
      arr(bulk('message'), bulk('ch1'), bulk('hello')),
    );
    const pm = arr(bulk('pmessage'), bulk('ch*'), bulk('ch1'), bulk('hello'));
    expect(await sub.next(pm)).toBe(pm);
    await call(pub, ':0\r\n', 'PUBLISH', 'other', 'x');
    await call(pub, arr(bulk('ch1'), ':1\r\n', bulk('zz'), ':0\r\n'), 'PUBSUB', 'NUMSUB', 'ch1', 'zz');
    await call(pub, ':1\r\n', 'PUBSUB', 'NUMPAT');
    const stats = await info(kv.port);
    expect([stats['pubsub_channels'], stats['pubsub_patterns']]).toEqual(['2', '1']);
    await call(
      sub,
      "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
      'GET',
      'x',
    );
    await call(sub, arr(bulk('pong'), bulk('')), 'PING');
    await call(
      sub,
      arr(bulk('unsubscribe'), bulk('ch1'), ':2\r\n') + arr(bulk('unsubscribe'), bulk('ch2'), ':1\r\n'),
      'UNSUBSCRIBE',
    );
    await call(sub, arr(bulk('punsubscribe'), bulk('ch*'), ':0\r\n'), 'PUNSUBSCRIBE');
    await call(sub, arr(bulk('punsubscribe'), '$-1\r\n', ':0\r\n'), 'PUNSUBSCRIBE');
    await call(sub, '+PONG\r\n', 'PING');
    await call(pub, ':0\r\n', 'PUBLISH', 'ch1', 'hello');
  });

  it('RESP3: HELLO 3 makes messages pushes; NOPROTO for other versions', async () => {
    const s = await connect();
    await call(s, '-NOPROTO unsupported protocol version\r\n', 'HELLO', '4');
    s.send('HELLO', '3');
    const hello = `%7\r\n${bulk('server')}${bulk('redis')}${bulk('version')}${bulk('7.0.0')}${bulk('proto')}:3\r\n${bulk('id')}`;
    expect(await s.next(hello)).toBe(hello);
    await expect.poll(() => s.rest().endsWith(`${bulk('modules')}*0\r\n`)).toBe(true);
    await s.next(s.rest());
    await call(s, `>3\r\n${bulk('subscribe')}${bulk('r3')}:1\r\n`, 'SUBSCRIBE', 'r3');
    // RESP3 subscribers may run any command.
    await call(s, '_\r\n', 'GET', 'r3:none');
    const pub = await connect();
    await call(pub, ':1\r\n', 'PUBLISH', 'r3', 'm');
    expect(await s.next(`>3\r\n${bulk('message')}${bulk('r3')}${bulk('m')}`)).toBe(
      `>3\r\n${bulk('message')}${bulk('r3')}${bulk('m')}`,
    );
    await call(s, '+RESET\r\n', 'RESET');
    await call(pub, ':0\r\n', 'PUBLISH', 'r3', 'm');
  });

  it('keyspace events as notify-keyspace-events asks, CLIENT REPLY OFF keeps pushes', async () => {
    const sub = await connect();
    const w = await connect();
    await call(w, '+OK\r\n', 'CONFIG', 'SET', 'notify-keyspace-events', 'KEl');
    sub.send('CLIENT', 'REPLY', 'OFF');
    await call(sub, arr(bulk('psubscribe'), bulk('*'), ':1\r\n'), 'PSUBSCRIBE', '*');
    await call(w, '+OK\r\n', 'SET', 'ev:s', 'x');
    await call(w, ':1\r\n', 'LPUSH', 'ev:l', 'a');
    const space = arr(bulk('pmessage'), bulk('*'), bulk('__keyspace@0__:ev:l'), bulk('lpush'));
    const event = arr(bulk('pmessage'), bulk('*'), bulk('__keyevent@0__:lpush'), bulk('ev:l'));
    expect(await sub.next(space + event)).toBe(space + event);
    // A key created is a 'new' event; writing it again is not.
    await call(w, '+OK\r\n', 'CONFIG', 'SET', 'notify-keyspace-events', 'En');
    await call(w, '+OK\r\n', 'SET', 'ev:n', '1');
    await call(w, '+OK\r\n', 'SET', 'ev:n', '2');
    await call(w, '+OK\r\n', 'SET', 'ev:n2', '1');
    const fresh = (k: string) => arr(bulk('pmessage'), bulk('*'), bulk('__keyevent@0__:new'), bulk(k));
    expect(await sub.next(fresh('ev:n') + fresh('ev:n2'))).toBe(fresh('ev:n') + fresh('ev:n2'));
    await call(w, '+OK\r\n', 'CONFIG', 'SET', 'notify-keyspace-events', '');
    await call(w, ':2\r\n', 'LPUSH', 'ev:l', 'b');
    await new Promise((r) => setTimeout(r, 100));
    expect(sub.rest()).toBe('');
  });

  it('a subscriber that does not read is cut off past the hard output limit; the others go on', async () => {
    const small = await startKv({ outputBufferLimit: { hard: 1 << 20, soft: 0, softSeconds: 0 } });
    try {
      const hog = await rawClient(small.port);
      hog.socket.write(resp('SUBSCRIBE', 'big'));
      await hog.until((t) => t.endsWith(':1\r\n'));
      hog.socket.pause();
      const pub = await session(small.port);
      const payload = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 200; i++) pub.send('PUBLISH', 'big', payload);
      let ones = 0;
      for (let i = 0; i < 200; i++) if ((await pub.next(':1\r\n')) === ':1\r\n') ones++;
      expect(ones).toBeGreaterThan(0);
      await expect
        .poll(async () => (await info(small.port))['client_output_buffer_limit_disconnections'], { timeout: 10_000 })
        .toBe('1');
      pub.send('PING');
      expect(await pub.next('+PONG\r\n')).toBe('+PONG\r\n');
      pub.close();
      hog.socket.destroy();
    } finally {
      await small.close();
    }
  });

  it('CLIENT REPLY SKIP drops the next reply only; OFF drops all until ON, which says OK', async () => {
    const s = await connect();
    s.send('CLIENT', 'REPLY', 'SKIP');
    s.send('ECHO', 'dropped');
    await call(s, bulk('kept'), 'ECHO', 'kept');
    s.send('CLIENT', 'REPLY', 'OFF');
    s.send('ECHO', 'dropped');
    s.send('NOSUCH');
    await call(s, '+OK\r\n', 'CLIENT', 'REPLY', 'ON');
    await call(s, '-ERR syntax error\r\n', 'CLIENT', 'REPLY', 'MAYBE');
  });
});
