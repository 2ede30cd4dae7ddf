/**
 * The request parser under random and mutated input (fast-check): valid
 * requests, pipelined, then bytes flipped, cut, extended, inserted,
 * deleted, repeated, and pure junk, each fed in random chunks under random
 * limits. The parser may answer only with requests, "incomplete" or its
 * protocol errors (400, 413, 505): never an exception. Whatever it buffers
 * while waiting stays under the head limit; the chunking changes nothing
 * in what it finds; after an error it gives that error again and holds no
 * more bytes. DIOS_FUZZ_RUNS=N runs N cases per property (default sized to
 * a few seconds).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RequestParser, type ParseResult, type ParserLimits } from '@dios/apps/testing';

const RUNS = Number(process.env.DIOS_FUZZ_RUNS ?? '') || 1500;
// Generous: the machine may be shared; about 2 ms a case when it is not.
const TIMEOUT = 60_000 + RUNS * 50;
// Inputs stay under this many bytes (several heads' worth), so a case takes milliseconds.
const MAX_INPUT = 64 * 1024;
const STATUSES = [400, 413, 505];
const enc = new TextEncoder();
let cases = 0;
// What the parser answered over all cases: shows the inputs reach every outcome.
const tally = new Map<string, number>();
afterAll(() => {
  const outcomes = [...tally]
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  console.log(
    `web request fuzz: ${cases} cases (${RUNS} per property; DIOS_FUZZ_RUNS=N for more); parser answers: ${outcomes}`,
  );
});

/** What one request of the generator is, and what the parser must make of it. */
interface Generated {
  readonly text: string;
  readonly method: string;
  readonly target: string;
  readonly minor: number;
  readonly headers: [string, string][];
  readonly keepAlive: boolean;
  readonly hasBody: boolean;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/;
const SPECIAL = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);
const token = fc.stringMatching(TOKEN);
const fieldName = token.filter((n) => !SPECIAL.has(n.toLowerCase()));
// No space or tab at either end: the parser trims those.
const fieldValue = fc.stringMatching(/^([\x21-\x7e]([\x20-\x7e\t]{0,30}[\x21-\x7e])?)?$/);
const eol = fc.constantFrom('\r\n', '\n');

const validRequest: fc.Arbitrary<Generated> = fc
  .record({
    method: fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS'), token),
    target: fc.oneof(fc.stringMatching(/^\/[\x21-\x7e]{0,40}$/), fc.constant('*')),
    minor: fc.constantFrom(0, 1),
    host: fc.option(fieldValue, { nil: undefined }),
    fields: fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 8 }),
    close: fc.boolean(),
    length: fc.option(
      fc.oneof(
        fc.constant('0'),
        fc.constant('999999999999999'),
        fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }).map(String),
      ),
      { nil: undefined },
    ),
    eols: fc.array(eol, { minLength: 12, maxLength: 12 }),
  })
  .map(({ method, target, minor, host, fields, close, length, eols }) => {
    const lines: [string, string][] = [];
    // HTTP/1.1 needs its one Host; HTTP/1.0 may have one.
    if (minor === 1 || host !== undefined) lines.push(['Host', host ?? 'example']);
    lines.push(...fields);
    if (close) lines.push(['Connection', 'close']);
    if (length !== undefined) lines.push(['Content-Length', length]);
    let text = `${method} ${target} HTTP/1.${minor}${eols[0]}`;
    lines.forEach(([n, v], i) => (text += `${n}: ${v}${eols[(i + 1) % eols.length]}`));
    text += eols[11];
    const hasBody = length !== undefined && Number(length) > 0;
    return { text, method, target, minor, headers: lines, keepAlive: minor === 1 && !close && !hasBody, hasBody };
  });

const limits: fc.Arbitrary<ParserLimits> = fc.oneof(
  fc.constant({ maxHeaderBytes: 8192, maxHeaders: 100 }),
  fc.record({ maxHeaderBytes: fc.integer({ min: 16, max: 1024 }), maxHeaders: fc.integer({ min: 0, max: 12 }) }),
);

// Chunk sizes, used in turn (an empty list: everything in one push).
const chunking = fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 20_000 })), {
  maxLength: 6,
});

type Mutation = (b: Uint8Array) => fc.Arbitrary<Uint8Array>;
const at = (b: Uint8Array): fc.Arbitrary<number> => fc.integer({ min: 0, max: b.length });
const junk = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ minLength: 1000, maxLength: 20_000 }),
  fc.constantFrom(
    enc.encode('\r\n'),
    enc.encode('\n'),
    enc.encode('\r'),
    enc.encode(':'),
    enc.encode(' '),
    new Uint8Array([0]),
  ),
);
const cat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
};
// Bytes and words that mean something to the parser (as a fuzzer's dictionary): mutations put them in.
const BYTES = [0, 9, 10, 13, 32, 0x22, 0x2c, 0x30, 0x31, 0x32, 0x3a, 0x3f, 0x7f, 0x80, 0xa0, 0xff];
const WORDS = [
  'HTTP/1.1',
  'HTTP/1.0',
  'HTTP/2.0',
  'HTTP/0.9',
  'HTTP/1.12',
  'HTTP/11',
  'Host: x',
  'host:',
  'Content-Length: 5',
  'Content-Length: 1000000000000000',
  'Content-Length: 1, 1',
  'Transfer-Encoding: chunked',
  'Connection: close',
  ' close',
  '\r\n',
  '\n',
  '\r',
  '\r\n\r\n',
  '\n\n',
  '\n\r\n',
  ': ',
  ' ',
  '\t',
  '\0',
  '%00',
  '?',
  'GET ',
  ' / ',
].map((w) => enc.encode(w));
const anyByte = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...BYTES));
const word = fc.constantFrom(...WORDS);
// Words that stand for one another: a mutation swaps an occurrence of one for another of its class.
const CLASSES = [
  ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/3.0', 'HTTP/1.12', 'HTTP/11', 'http/1.1'],
  ['\r\n', '\n', '\r', '\n\r', ' \r\n', '\r\n ', '\r\n\t', ''],
  [': ', ':', ' : ', ':\t', ''],
  ['Host', 'Content-Length', 'Transfer-Encoding', 'Connection', 'host', 'X-Y'],
  ['GET', 'HEAD', 'POST', 'G(T', '', 'GET GET'],
];
function swap(b: Uint8Array, cls: string[], to: number, nth: number): Uint8Array {
  const text = Buffer.from(b).toString('latin1');
  const at: [number, string][] = [];
  for (const word of cls)
    if (word !== '') for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) at.push([i, word]);
  if (at.length === 0) return b;
  const [i, word] = at[nth % at.length]!;
  return new Uint8Array(Buffer.from(text.slice(0, i) + cls[to]! + text.slice(i + word.length), 'latin1'));
}
const MUTATIONS: Mutation[] = [
  (b) =>
    fc
      .constantFrom(...CLASSES)
      .chain((cls) => fc.tuple(fc.constant(cls), fc.nat(cls.length - 1), fc.nat()))
      .map(([cls, to, nth]) => swap(b, cls, to, nth)),
  // Put a dictionary word in, or over the bytes there.
  (b) =>
    fc
      .tuple(at(b), word, fc.boolean())
      .map(([i, w, over]) => cat(b.subarray(0, i), w, b.subarray(over ? Math.min(b.length, i + w.length) : i))),
  // Flip 1-4 bytes.
  (b) =>
    fc.array(fc.tuple(at(b), anyByte), { minLength: 1, maxLength: 4 }).map((flips) => {
      const c = b.slice();
      for (const [i, v] of flips) if (i < c.length) c[i] = v;
      return c;
    }),
  (b) => at(b).map((i) => b.slice(0, i)), // truncate
  (b) => junk.map((j) => cat(b, j)), // extend
  (b) => fc.tuple(at(b), junk).map(([i, j]) => cat(b.subarray(0, i), j, b.subarray(i))), // insert
  (b) => fc.tuple(at(b), at(b)).map(([i, j]) => cat(b.subarray(0, Math.min(i, j)), b.subarray(Math.max(i, j)))), // delete
  // Repeat a slice (a line, a whole request ...) up to 300 times, to at most MAX_INPUT bytes.
  (b) =>
    fc.tuple(at(b), at(b), fc.integer({ min: 2, max: 300 })).map(([i, j, k]) => {
      const piece = b.subarray(Math.min(i, j), Math.max(i, j));
      const times = Math.min(k - 1, Math.floor(MAX_INPUT / Math.max(1, piece.length)));
      return cat(
        b.subarray(0, Math.max(i, j)),
        ...Array.from({ length: times }, () => piece),
        b.subarray(Math.max(i, j)),
      );
    }),
];

const pipelined = fc.array(validRequest, { minLength: 1, maxLength: 4 });
const bytesOf = (reqs: Generated[]): Uint8Array => enc.encode(reqs.map((r) => r.text).join(''));
const mutated = pipelined.chain((reqs) =>
  fc
    .array(fc.integer({ min: 0, max: MUTATIONS.length - 1 }), { minLength: 1, maxLength: 3 })
    .chain((picks) =>
      picks.reduce<fc.Arbitrary<Uint8Array>>((arb, k) => arb.chain(MUTATIONS[k]!), fc.constant(bytesOf(reqs))),
    ),
);
const anyInput = fc.oneof(
  { weight: 4, arbitrary: mutated },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20_000 }) },
);

/** One thing the parser found, comparable across runs. */
type Found =
  | {
      kind: 'request';
      method: string;
      target: string;
      path: string;
      minor: number;
      headers: [string, string][];
      keepAlive: boolean;
      hasBody: boolean;
    }
  | { kind: 'error'; status: number; reason: string };

function found(r: Exclude<ParseResult, { kind: 'incomplete' }>): Found {
  if (r.kind === 'error') return { kind: 'error', status: r.status, reason: r.reason };
  const q = r.request;
  return {
    kind: 'request',
    method: q.method,
    target: q.target,
    path: q.path,
    minor: q.minor,
    headers: [...q.headers],
    keepAlive: q.keepAlive,
    hasBody: q.hasBody,
  };
}

// A failed invariant (cheaper than expect in loops that run per byte).
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invariant broken: ${what}`);
}

/**
 * Feeds `bytes` in chunks of `sizes` (in turn), taking every result after
 * each push, and checks the invariants on the way. Any exception the
 * parser throws fails the property.
 */
function feed(bytes: Uint8Array, sizes: number[], lim: ParserLimits): Found[] {
  const p = new RequestParser(lim);
  const out: Found[] = [];
  let largest = 0;
  for (let pos = 0, k = 0; pos < bytes.length;) {
    const chunk = bytes.subarray(pos, pos + (sizes.length === 0 ? bytes.length : sizes[k++ % sizes.length]!));
    pos += chunk.length;
    largest = Math.max(largest, chunk.length);
    p.push(chunk);
    for (;;) {
      const r = p.next();
      if (r.kind === 'incomplete') {
        // Waiting for more, it holds less than one head's limit: the limit is enforced while bytes arrive.
        check(
          p.buffered < lim.maxHeaderBytes,
          `waiting with ${p.buffered} bytes buffered, limit ${lim.maxHeaderBytes}`,
        );
        break;
      }
      out.push(found(r));
      const key = r.kind === 'error' ? String(r.status) : 'request';
      tally.set(key, (tally.get(key) ?? 0) + 1);
      if (r.kind === 'error') {
        check(STATUSES.includes(r.status) && r.reason.length > 0, `error ${r.status} '${r.reason}'`);
        // Failed for good: the same error again, and bytes pushed afterwards are not kept.
        const held = p.buffered;
        p.push(bytes.subarray(0, 4096));
        expect(p.next()).toEqual(r);
        expect(p.buffered).toBe(held);
        return out;
      }
      // Requests are taken as they come: what stays is at most the rest of the last push.
      check(p.buffered <= largest, `${p.buffered} bytes left after a request, largest push ${largest}`);
    }
  }
  return out;
}

const settings = (seed?: number): fc.Parameters<unknown> => ({
  numRuns: RUNS,
  ...(seed === undefined ? {} : { seed }),
});

describe('RequestParser fuzzed', () => {
  it('valid pipelined requests parse to what was sent, in any chunking', { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(pipelined, chunking, (reqs, sizes) => {
        cases++;
        const got = feed(bytesOf(reqs), sizes, { maxHeaderBytes: 8192, maxHeaders: 100 });
        const want: Found[] = reqs.map((r) => {
          const headers = new Map<string, string>();
          for (const [n, v] of r.headers) {
            const seen = headers.get(n.toLowerCase());
            headers.set(n.toLowerCase(), seen === undefined ? v : `${seen}, ${v}`);
          }
          const q = r.target.indexOf('?');
          return {
            kind: 'request',
            method: r.method,
            target: r.target,
            path: q < 0 ? r.target : r.target.slice(0, q),
            minor: r.minor,
            headers: [...headers],
            keepAlive: r.keepAlive,
            hasBody: r.hasBody,
          };
        });
        expect(got).toEqual(want);
      }),
      settings(),
    );
  });

  it(
    'mutated requests and junk give only requests and protocol errors, the same in any chunking',
    { timeout: TIMEOUT },
    () => {
      fc.assert(
        fc.property(anyInput, chunking, limits, (bytes, sizes, lim) => {
          cases++;
          expect(feed(bytes, sizes, lim)).toEqual(feed(bytes, [], lim));
        }),
        settings(),
      );
    },
  );

  it('bytes one at a time give what one push gives', { timeout: TIMEOUT }, () => {
    fc.assert(
      fc.property(
        mutated.map((b) => b.subarray(0, 4000)),
        limits,
        (bytes, lim) => {
          cases++;
          expect(feed(bytes, [1], lim)).toEqual(feed(bytes, [], lim));
        },
      ),
      settings(),
    );
  });
});

describe('RequestParser bounds (regressions of the fuzzing)', () => {
  it('after an error it answers that error again, not another one, and keeps no more bytes', () => {
    for (const [text, status] of [
      ['GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
      [`GET / HTTP/1.1\r\nX: ${'a'.repeat(9000)}`, 413],
      ['NOPE\r\n\r\n', 400],
    ] as const) {
      const p = new RequestParser();
      p.push(enc.encode(text));
      const first = p.next();
      expect(first).toMatchObject({ kind: 'error', status });
      const held = p.buffered;
      p.push(new Uint8Array(100_000));
      expect(p.next()).toEqual(first);
      expect(p.buffered).toBe(held);
    }
  });

  it('a Content-Length of 10^15 (refused) or 10^15 - 1 (a body not read) allocates nothing', () => {
    const before = process.memoryUsage().arrayBuffers;
    const parsers = ['1000000000000000', '999999999999999'].map((length) => {
      const p = new RequestParser();
      p.push(enc.encode(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\nabc`));
      return [p, p.next()] as const;
    });
    expect(parsers[0]![1]).toMatchObject({ kind: 'error', status: 400 });
    expect(parsers[1]![1]).toMatchObject({ kind: 'request', request: { hasBody: true, keepAlive: false } });
    // Only the three body bytes that came with the head are held.
    expect(parsers[1]![0].buffered).toBe(3);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('a head that never ends is refused once it reaches the limit, however slowly it comes', () => {
    const p = new RequestParser({ maxHeaderBytes: 1024, maxHeaders: 100 });
    p.push(enc.encode('GET / HTTP/1.1\r\nX: '));
    let r: ParseResult = p.next();
    let pushed = 19;
    while (r.kind === 'incomplete') {
      p.push(enc.encode('a'));
      pushed++;
      r = p.next();
    }
    expect(r).toMatchObject({ kind: 'error', status: 413 });
    expect(pushed).toBe(1024);
  });
});
