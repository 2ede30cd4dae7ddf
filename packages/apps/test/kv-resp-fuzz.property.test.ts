/**
 * Fuzzing the RESP request parser, a pure function of the bytes fed to it:
 * valid requests (multibulk, inline, the other RESP2 types' lines, empty and
 * null arrays), then mutated (bytes flipped, truncated, extended with random
 * bytes, repeated, spliced), fed in random chunks as reads deliver them, each
 * lent chunk wiped after use. The parser must give valid requests back
 * exactly, throw nothing but RespProtocolError, give the same requests and the
 * same error however the bytes are split, and hold memory in proportion to
 * the bytes fed, whatever lengths they announce. Runs per property:
 * DIOS_FUZZ_RUNS (default 300); the number of cases run is printed.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RespParser, RespProtocolError } from '@dios/apps/testing';

const RUNS = Number(process.env['DIOS_FUZZ_RUNS'] ?? 300);
let cases = 0;
afterAll(() => console.log(`kv-resp-fuzz: ${cases} cases run (${RUNS} per property)`));

const enc = (s: string) => new TextEncoder().encode(s);
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

// A request and the arguments it stands for (undefined: it stands for nothing, as an empty or null array does).
interface Message {
  bytes: Uint8Array;
  args: number[][] | undefined;
}

// Bytes, CR and LF among them.
const anyBytes = fc.uint8Array({ maxLength: 40 }).chain((b) => fc.constantFrom(b, concat([b, enc('\r\n'), b])));
const multibulk: fc.Arbitrary<Message> = fc.array(anyBytes, { minLength: 1, maxLength: 6 }).map((args) => ({
  bytes: concat([enc(`*${args.length}\r\n`), ...args.flatMap((a) => [enc(`$${a.length}\r\n`), a, enc('\r\n')])]),
  args: args.map((a) => [...a]),
}));
// Inline words: printable, no quotes or blanks, so that splitting on blanks gives them back.
const word = fc
  .string({ unit: fc.constantFrom(...'abcSETGPINXYZ0123456789:+-$*_'.split('')), minLength: 1, maxLength: 12 })
  .filter((w) => !w.startsWith('*'));
const inline: fc.Arbitrary<Message> = fc
  .tuple(
    fc.array(word, { minLength: 1, maxLength: 5 }),
    fc.constantFrom('\r\n', '\n'),
    fc.constantFrom(' ', '  ', '\t'),
  )
  .map(([words, eol, blank]) => ({
    bytes: enc(words.join(blank) + eol),
    args: words.map((w) => [...enc(w)]),
  }));
// The other RESP2 types as a client might send them: a line that is not an array is an inline request.
const otherTypes: fc.Arbitrary<Message> = fc
  .tuple(
    fc.constantFrom('+', '-', ':'),
    fc.string({ unit: fc.constantFrom(...'OKERR0123456789'.split('')), minLength: 1, maxLength: 8 }),
  )
  .map(([t, s]) => ({
    bytes: enc(`${t}${s}\r\n`),
    args: [[...enc(`${t}${s}`)]],
  }));
const empty: fc.Arbitrary<Message> = fc
  .constantFrom('*0\r\n', '*-1\r\n', '\r\n', '   \r\n')
  .map((s) => ({ bytes: enc(s), args: undefined }));
const message = fc.oneof(
  { arbitrary: multibulk, weight: 4 },
  { arbitrary: inline, weight: 2 },
  { arbitrary: otherTypes, weight: 1 },
  { arbitrary: empty, weight: 1 },
);
const pipeline = fc.array(message, { minLength: 1, maxLength: 6 });

// Headers announcing more than will ever come, or more than is allowed.
const bigHeader = fc
  .tuple(
    fc.constantFrom('*', '$'),
    fc.oneof(
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.constantFrom(536_870_912, 536_870_913, 1_048_576, 1_048_577, 2 ** 53),
    ),
  )
  .map(([c, n]) => (c === '*' ? enc(`*${n}\r\n`) : enc(`*1\r\n$${n}\r\n`)));

type Mutation = (b: Uint8Array) => fc.Arbitrary<Uint8Array>;
const flip: Mutation = (b) =>
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => {
    const out = b.slice();
    for (const [at, x] of flips) if (out.length > 0) out[at % out.length]! ^= x;
    return out;
  });
const truncate: Mutation = (b) => fc.nat({ max: b.length }).map((n) => b.slice(0, n));
const extend: Mutation = (b) => fc.uint8Array({ minLength: 1, maxLength: 64 }).map((tail) => concat([b, tail]));
const repeat: Mutation = (b) => fc.integer({ min: 2, max: 5 }).map((k) => concat(Array.from({ length: k }, () => b)));
const splice: Mutation = (b) =>
  fc
    .tuple(fc.nat({ max: b.length }), fc.uint8Array({ minLength: 1, maxLength: 16 }), bigHeader)
    .map(([at, junk, header]) => concat([b.subarray(0, at), junk, header, b.subarray(at)]));
const mutation = fc.constantFrom(flip, truncate, extend, repeat, splice);
// Up to three mutations, one after the other.
const mutated: fc.Arbitrary<Uint8Array> = fc
  .tuple(pipeline, fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .chain(([msgs, ms]) =>
    ms.reduce<fc.Arbitrary<Uint8Array>>((acc, m) => acc.chain(m), fc.constant(concat(msgs.map((x) => x.bytes)))),
  );

// Cut points for feeding `bytes` in chunks.
const cuts = fc.array(fc.nat(), { maxLength: 12 });
function chunksOf(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const points = [...new Set(at.map((n) => (bytes.length === 0 ? 0 : n % (bytes.length + 1))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  return out;
}

// What the parser makes of `chunks`: the requests, then how it stopped. Only RespProtocolError may escape next();
// anything else fails the property. Memory is checked after every chunk.
function run(chunks: Uint8Array[]): { requests: number[][][]; end: string } {
  const p = new RespParser();
  const requests: number[][][] = [];
  let fed = 0;
  for (const chunk of chunks) {
    // A lent read buffer: wiped once given back, so a request that kept a view of it would show.
    const lent = chunk.slice();
    p.feed(lent);
    fed += lent.length;
    try {
      for (let r = p.next(); r !== undefined; r = p.next()) requests.push(r.map((a) => [...a]));
    } catch (e) {
      if (!(e instanceof RespProtocolError)) throw e;
      return { requests, end: e.message };
    }
    p.retain();
    lent.fill(0x5a);
    // Bounded by what was fed (twice it, as a buffer grows by doubling), never by a length announced.
    expect(p.memory).toBeLessThanOrEqual(2 * fed + 4096);
  }
  return { requests, end: p.buffered > 0 ? 'incomplete' : 'clean' };
}

describe('RESP parser fuzzing', () => {
  it('valid pipelines, split anywhere: exactly the requests sent', () => {
    fc.assert(
      fc.property(pipeline, cuts, (msgs, at) => {
        cases++;
        const bytes = concat(msgs.map((m) => m.bytes));
        const expected = msgs.flatMap((m) => (m.args === undefined ? [] : [m.args]));
        expect(run(chunksOf(bytes, at))).toEqual({ requests: expected, end: 'clean' });
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated pipelines: only protocol errors, the same outcome however split, memory bounded', () => {
    fc.assert(
      fc.property(mutated, cuts, (bytes, at) => {
        cases++;
        const whole = run([bytes]);
        expect(run(chunksOf(bytes, at))).toEqual(whole);
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes, and random bytes after a valid request: only protocol errors, memory bounded', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.tuple(multibulk, fc.uint8Array({ maxLength: 100 })).map(([m, junk]) => concat([m.bytes, junk])),
        ),
        cuts,
        (bytes, at) => {
          cases++;
          expect(run(chunksOf(bytes, at))).toEqual(run([bytes]));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a header announcing up to 2^53 bytes or elements, then a few bytes: refused or awaited, never allocated', () => {
    fc.assert(
      fc.property(bigHeader, fc.uint8Array({ maxLength: 2000 }), cuts, (header, tail, at) => {
        cases++;
        const bytes = concat([header, tail]);
        const outcome = run(chunksOf(bytes, at));
        // Whatever happened, memory stayed bounded (checked in run); a bulk length over 512 MB is refused.
        const announced = Number(/\$(\d+)/.exec(new TextDecoder().decode(header))?.[1] ?? 0);
        if (announced > 536_870_912) expect(outcome.end).toBe('Protocol error: invalid bulk length');
      }),
      { numRuns: RUNS },
    );
  });

  it('a request repeated many times in one chunk: every copy parsed, nothing left', () => {
    fc.assert(
      fc.property(multibulk, fc.integer({ min: 1, max: 200 }), (m, k) => {
        cases++;
        const out = run([concat(Array.from({ length: k }, () => m.bytes))]);
        expect(out.end).toBe('clean');
        expect(out.requests).toHaveLength(k);
        expect(out.requests[k - 1]).toEqual(m.args);
      }),
      { numRuns: RUNS },
    );
  });
});
