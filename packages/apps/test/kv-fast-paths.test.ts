/**
 * The KV server's fast paths say exactly what the plain code said: reply
 * framing written digit by digit (against template strings), command names
 * found without a string (any case, the host's added commands), what is
 * kept of a lent Node Buffer copied (its slice() is a view), and the
 * select loop that serves every ready client: a client that pipelines
 * without end does not keep another client's GET from being answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import fc from 'fast-check';
import { type CommandContext, type CommandSpec, DEFAULT_KV_LIMITS, Keyspace, RespWriter } from '@dios/apps';
import { commandTable, detachedContext, dispatch, RespParser } from '@dios/apps/testing';
import { rawClient, resp, startKv, type KvFixture } from './kv-helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

function context(commands?: ReadonlyMap<string, CommandSpec>): CommandContext {
  const ctx = detachedContext(new Keyspace(), new RespWriter(), DEFAULT_KV_LIMITS);
  return commands === undefined ? ctx : { ...ctx, commands };
}
const reply = (ctx: CommandContext, ...args: string[]) => {
  ctx.out.reset();
  dispatch(args.map(enc), ctx);
  return latin1(ctx.out.bytes());
};

describe('RespWriter framing', () => {
  it('integers, lengths and counts read as the template strings wrote them', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
        fc.uint8Array({ maxLength: 40 }),
        fc.nat({ max: 1_000_000_000 }),
        (n, bytes, count) => {
          const w = new RespWriter();
          w.integer(n);
          w.bulk(bytes);
          w.arrayHeader(count);
          w.bulkText(latin1(bytes));
          w.simple('OK');
          w.bulk(null);
          const b = latin1(bytes);
          expect(latin1(w.bytes())).toBe(
            `:${n}\r\n$${bytes.length}\r\n${b}\r\n*${count}\r\n$${b.length}\r\n${b}\r\n+OK\r\n$-1\r\n`,
          );
        },
      ),
    );
  });

  it('a reply that fits its limit exactly is written; one byte less and it is dropped', () => {
    for (const [write, text] of [
      [(w: RespWriter) => w.integer(-1234), ':-1234\r\n'],
      [(w: RespWriter) => w.bulk(enc('abc')), '$3\r\nabc\r\n'],
      [(w: RespWriter) => w.simple('OK'), '+OK\r\n'],
      [(w: RespWriter) => w.arrayHeader(10), '*10\r\n'],
    ] as const) {
      const fits = new RespWriter();
      fits.limit = text.length;
      write(fits);
      expect([latin1(fits.bytes()), fits.overflowed]).toEqual([text, false]);
      const short = new RespWriter();
      short.limit = text.length - 1;
      write(short);
      expect(short.overflowed).toBe(true);
    }
  });
});

describe('command lookup', () => {
  it('finds names in any ASCII case, and no name that only shares a length and first letter', () => {
    const ctx = context();
    expect(reply(ctx, 'sEt', 'k', 'v')).toBe('+OK\r\n');
    expect(reply(ctx, 'GET', 'k')).toBe('$1\r\nv\r\n');
    expect(reply(ctx, 'gEt', 'k')).toBe('$1\r\nv\r\n');
    expect(reply(ctx, 'GEX', 'k')).toMatch(/^-ERR unknown command 'GEX'/);
    expect(reply(ctx, 'G', 'k')).toMatch(/^-ERR unknown command 'G'/);
    // Not ASCII case: 0xc7 is not 'G' in any case.
    expect(reply(ctx, '\xc7ET', 'k')).toMatch(/^-ERR unknown command/);
    expect(reply(ctx, '', 'k')).toMatch(/^-ERR unknown command ''/);
    expect(reply(ctx, 'get'.repeat(30), 'k')).toMatch(/^-ERR unknown command/);
  });

  it("finds the host's commands, and one of theirs that replaces a built-in", () => {
    const hello: CommandSpec = { name: 'HELLO.World', arity: 1, run: (_a, c) => c.out.simple('hi') };
    const get: CommandSpec = { name: 'get', arity: 2, run: (_a, c) => c.out.simple('mine') };
    const ctx = context(commandTable([hello, get]));
    expect(reply(ctx, 'hello.world')).toBe('+hi\r\n');
    expect(reply(ctx, 'HELLO.WORLD')).toBe('+hi\r\n');
    expect(reply(ctx, 'GET', 'k')).toBe('+mine\r\n');
    expect(reply(ctx, 'set', 'k', 'v')).toBe('+OK\r\n');
    // The built-in table is untouched.
    expect(reply(context(), 'hello.world')).toMatch(/^-ERR unknown command/);
  });
});

describe('RespParser on whole requests', () => {
  // Everything a parser gives (requests, or the error it throws) for `bytes` fed at once, or one byte per read: a
  // request cut short always goes the general way, so the second says what the general path makes of the bytes.
  function parse(bytes: Uint8Array, byByte: boolean, limits = {}): string[] {
    const p = new RespParser(limits);
    const out: string[] = [];
    try {
      for (const chunk of byByte ? Array.from(bytes, (b) => Uint8Array.of(b)) : [bytes]) {
        p.feed(chunk);
        for (let a = p.next(); a !== undefined; a = p.next()) out.push(a.map(latin1).join('|'));
        p.retain();
      }
    } catch (e) {
      out.push(`error: ${(e as Error).message}`);
    }
    return out;
  }

  it.each([
    '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n',
    '*02\r\n$003\r\nGET\r\n$1\r\nk\r\n',
    '*0\r\n*1\r\n$4\r\nPING\r\n',
    '*-1\r\n*1\r\n$4\r\nPING\r\n',
    '*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n',
    '*1\r\n$+4\r\nPING\r\n',
    '*1\r\n$4\rxPING\r\n',
    '*1\r\n+4\r\nPING\r\n',
    '*+1\r\n$4\r\nPING\r\n',
    '*1\r\n$11\r\n0123456789a\r\n',
    '*1\r\n$10\r\n0123456789\r\n',
    '*1048577\r\n',
    '*1\r\n$99999999999\r\n',
    'PING\r\n*1\r\n$4\r\nPING\r\n',
  ])('%j: the same at once as byte by byte', (text) => {
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const limits = { maxBulkBytes: 10 };
    expect(parse(bytes, false, limits)).toEqual(parse(bytes, true, limits));
  });
});

describe('a lent view that is a Node Buffer', () => {
  it('the parser keeps copies of a request cut in two, not views of the chunk', () => {
    const p = new RespParser();
    const first = Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nva');
    p.feed(first);
    expect(p.next()).toBeUndefined();
    p.retain();
    // The chunk is given back and reused.
    first.fill(0x21);
    p.feed(Buffer.from('lue\r\n'));
    expect(p.next()?.map(latin1)).toEqual(['SET', 'k', 'value']);
  });

  it('SET stores a copy of the value, not a view of the chunk', () => {
    const ctx = context();
    const p = new RespParser();
    const chunk = resp('SET', 'k', 'value');
    p.feed(chunk);
    dispatch(p.next()!, ctx);
    p.retain();
    chunk.fill(0x21);
    expect(reply(ctx, 'GET', 'k')).toBe('$5\r\nvalue\r\n');
  });
});

describe('a client that pipelines without end', () => {
  let kv: KvFixture;
  beforeAll(async () => {
    kv = await startKv();
  });
  afterAll(async () => {
    await kv.close();
  });

  it("does not keep another client's GET from being answered", async () => {
    const setter = await rawClient(kv.port);
    setter.socket.write(resp('SET', 'k', 'answered'));
    await setter.until((t) => t === '+OK\r\n');
    // The hog connects first, so select reports it before the others every time, and it is always ready: it sends
    // batch after batch of pipelined requests as fast as the server takes them, reading (and dropping) every reply.
    // Its flood is long but bounded: a server that served it alone would answer the other GET only after the whole
    // flood, when the hog has (nearly) all its replies.
    const batch = Buffer.concat(Array.from({ length: 4096 }, () => resp('GET', 'k')));
    const batches = 400;
    const replyBytes = batches * 4096 * '$8\r\nanswered\r\n'.length;
    let sent = 0;
    let received = 0;
    const hog = connect({ port: kv.port, host: '127.0.0.1' });
    hog.on('data', (c: Buffer) => (received += c.length));
    hog.on('error', () => {});
    const flood = () => {
      while (sent < batches) {
        sent++;
        if (!hog.write(batch)) return void hog.once('drain', flood);
      }
    };
    await new Promise<void>((r) => hog.once('connect', r));
    try {
      flood();
      // Well into the flood before the GET goes.
      while (sent < 16) await new Promise((r) => setTimeout(r, 10));
      const other = await rawClient(kv.port);
      other.socket.write(resp('GET', 'k'));
      const text = await other.until((t) => t.endsWith('\r\n') && t.length >= 14);
      const hogHad = received / replyBytes;
      expect(text).toBe('$8\r\nanswered\r\n');
      // Answered in the middle of the flood, not after it.
      expect(hogHad).toBeLessThan(0.5);
      other.socket.destroy();
    } finally {
      sent = batches;
      hog.destroy();
      setter.socket.destroy();
    }
  }, 50_000);
});
