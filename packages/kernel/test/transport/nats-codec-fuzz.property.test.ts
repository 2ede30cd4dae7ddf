/**
 * Fuzzing the NATS frame codec (codec.ts) and the reassembly of parts
 * (parts.ts), both pure. Random and mutated inputs (valid frames with bytes
 * flipped, truncated, extended, repeated, the length prefix or the JSON
 * header mangled; headers built from arbitrary JSON; parts dropped,
 * repeated, reordered, with mangled part headers and huge announced totals)
 * must meet only protocol errors:
 *
 * - decodeFrame returns a value or throws MalformedFrameError, nothing else;
 *   a valid frame round-trips byte for byte;
 * - Reassembly.add never throws; what it holds stays within the sender's and
 *   the node's budgets and within twice the bytes fed to it (memory taken as
 *   parts arrive: an announced total allocates nothing); untouched frames
 *   come back whole whatever else is interleaved with them.
 *
 * Runs per property: DIOS_FUZZ_RUNS (default 300, a few seconds in all); the
 * number of cases run is printed at the end.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, MalformedFrameError } from '@dios/kernel/testing';
import { Reassembly, splitFrame } from '../../src/transport/nats/parts.js';

const NUM_RUNS = Number(process.env.DIOS_FUZZ_RUNS ?? 300);
// Generous per test, and growing with the runs asked for: a loaded machine is slow, not wrong.
const TIMEOUT = 20_000 + NUM_RUNS * 40;
let cases = 0;

afterAll(() => {
  console.log(`NATS codec fuzzing: ${cases} cases run (DIOS_FUZZ_RUNS=${NUM_RUNS} per property)`);
});

/** Runs a property, counting its cases. */
function check<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => void, runs = NUM_RUNS): void {
  fc.assert(
    fc.property(arb, (value) => {
      cases++;
      predicate(value);
    }),
    { numRuns: runs },
  );
}

/** Decodes `frame`, letting through only MalformedFrameError; true when it decoded. */
/** The parts Reassembly gives back, as one frame. */
function joined(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function decodesOrRefuses(frame: Uint8Array | readonly Uint8Array[]): boolean {
  try {
    decodeFrame(frame);
    return true;
  } catch (e) {
    if (e instanceof MalformedFrameError) return false;
    throw new Error(
      `decodeFrame threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} for a frame of ${frame.length} bytes`,
      { cause: e },
    );
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON-compatible values with byte arrays among them: what the transport encodes. */
const { value: messageValue } = fc.letrec<{ value: unknown; leaf: unknown }>((tie) => ({
  leaf: fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 64 }),
  ),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
}));

/** A frame with `head` as its header text and `tail` after it, the length prefix right. */
function frameOf(head: string | Uint8Array, tail: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = typeof head === 'string' ? encoder.encode(head) : head;
  const f = new Uint8Array(4 + h.length + tail.length);
  new DataView(f.buffer).setUint32(0, h.length);
  f.set(h, 4);
  f.set(tail, 4 + h.length);
  return f;
}

// Text worth splicing into a header: JSON structure, markers, out-of-range and odd numbers, prototype keys.
const HEADER_BITS = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  '{"$bin":0}',
  '{"$bin":-1}',
  '{"$bin":1.5}',
  '{"$bin":"0"}',
  '{"$bin":99999999999}',
  '"$bin"',
  '"__proto__"',
  '"constructor"',
  '1e309',
  '-0',
  '"\\ud800"',
  '\u0000',
  'null',
  '"bin":[0]',
  '"bin":[4294967295]',
  '"bin":[-1]',
  '"bin":{}',
  '"body"',
];

type Mutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'truncate'; keep: number }
  | { op: 'extend'; bytes: Uint8Array }
  | { op: 'repeat'; from: number; length: number; times: number }
  | { op: 'prefix'; value: number }
  | { op: 'header'; at: number; remove: number; insert: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('truncate' as const), keep: fc.nat() }),
  fc.record({ op: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({
    op: fc.constant('repeat' as const),
    from: fc.nat(),
    length: fc.integer({ min: 1, max: 64 }),
    times: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    op: fc.constant('prefix' as const),
    value: fc.oneof(fc.nat({ max: 64 }), fc.integer({ min: 0, max: 0xffffffff })),
  }),
  fc.record({
    op: fc.constant('header' as const),
    at: fc.nat(),
    remove: fc.nat({ max: 4 }),
    insert: fc.oneof(fc.constantFrom(...HEADER_BITS), fc.string({ maxLength: 4 })),
  }),
);

function mutate(frame: Uint8Array, m: Mutation): Uint8Array {
  const n = frame.length;
  switch (m.op) {
    case 'flip': {
      if (n === 0) return frame;
      const f = frame.slice();
      f[m.at % n]! ^= m.mask;
      return f;
    }
    case 'truncate':
      return frame.slice(0, n === 0 ? 0 : m.keep % n);
    case 'extend': {
      const f = new Uint8Array(n + m.bytes.length);
      f.set(frame);
      f.set(m.bytes, n);
      return f;
    }
    case 'repeat': {
      if (n === 0) return frame;
      const from = m.from % n;
      const piece = frame.subarray(from, Math.min(n, from + m.length));
      const f = new Uint8Array(n + piece.length * m.times);
      f.set(frame.subarray(0, from + piece.length));
      for (let i = 0; i < m.times; i++) f.set(piece, from + piece.length * (i + 1));
      f.set(frame.subarray(from + piece.length), from + piece.length * (m.times + 1));
      return f;
    }
    case 'prefix': {
      if (n < 4) return frame;
      const f = frame.slice();
      new DataView(f.buffer).setUint32(0, m.value);
      return f;
    }
    case 'header': {
      // Edits the header as text and fixes the length prefix, so the damage reaches the JSON parser and beyond.
      if (n < 4) return frame;
      const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
      if (length > n - 4) return frame;
      const text = decoder.decode(frame.subarray(4, 4 + length));
      const at = text.length === 0 ? 0 : m.at % (text.length + 1);
      return frameOf(text.slice(0, at) + m.insert + text.slice(at + m.remove), frame.subarray(4 + length));
    }
  }
}

describe('NATS frame codec: fuzzing', () => {
  it(
    'round-trips every message byte for byte',
    () => {
      check(messageValue, (value) => {
        const frame = encodeFrame(value);
        const again = encodeFrame(decodeFrame(frame));
        expect(Buffer.from(again).equals(Buffer.from(frame))).toBe(true);
      });
    },
    TIMEOUT,
  );

  it(
    'random bytes: a value or MalformedFrameError, nothing else',
    () => {
      check(fc.uint8Array({ maxLength: 2048 }), (bytes) => void decodesOrRefuses(bytes));
      // With a plausible length prefix, so the bytes reach the JSON parser.
      check(
        fc.tuple(fc.uint8Array({ maxLength: 256 }), fc.uint8Array({ maxLength: 256 })),
        ([head, tail]) => void decodesOrRefuses(frameOf(head, tail)),
      );
    },
    TIMEOUT,
  );

  it(
    'valid frames flipped, truncated, extended, repeated, with the prefix or the header mangled: a value or MalformedFrameError',
    () => {
      let decoded = 0;
      check(fc.tuple(messageValue, fc.array(mutation, { minLength: 1, maxLength: 5 })), ([value, mutations]) => {
        let frame = encodeFrame(value);
        for (const m of mutations) frame = mutate(frame, m);
        if (decodesOrRefuses(frame)) decoded++;
      });
      // Some mutations leave a decodable frame (a flipped byte inside a byte array): both paths are exercised.
      console.log(`mutated frames: ${decoded} of ${NUM_RUNS} still decoded`);
    },
    TIMEOUT,
  );

  it(
    'headers built from arbitrary JSON (markers anywhere, byte-array lengths of any type): a value or MalformedFrameError',
    () => {
      const marker = fc.record({
        $bin: fc.oneof(fc.nat({ max: 4 }), fc.integer(), fc.double(), fc.string(), fc.constant(null)),
      });
      const { body } = fc.letrec<{ body: unknown }>((tie) => ({
        body: fc.oneof(
          { depthSize: 'small' },
          fc.jsonValue({ maxDepth: 2 }),
          marker,
          fc.array(tie('body'), { maxLength: 4 }),
          fc.dictionary(fc.constantFrom('$bin', '__proto__', 'constructor', 'a', 'kind'), tie('body'), { maxKeys: 3 }),
        ),
      }));
      const bin = fc.array(
        fc.oneof(
          fc.nat({ max: 8 }),
          fc.integer(),
          fc.double(),
          fc.constant(2 ** 32),
          fc.constant(Number.MAX_SAFE_INTEGER),
          fc.string({ maxLength: 2 }),
          fc.constant(null),
        ),
        { maxLength: 6 },
      );
      const header = fc.record({ body, bin: fc.oneof(bin, fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] });
      check(
        fc.tuple(header, fc.uint8Array({ maxLength: 64 })),
        ([h, tail]) => void decodesOrRefuses(frameOf(JSON.stringify(h), tail)),
      );
    },
    TIMEOUT,
  );

  it(
    'deeply nested headers and prototype keys: a value or MalformedFrameError, and no prototype is replaced',
    () => {
      check(
        fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":', '{"$bin":')),
        ([depth, open]) => {
          const close = open === '[' ? ']' : '}';
          decodesOrRefuses(frameOf(`{"body":${open.repeat(depth)}0${close.repeat(depth)},"bin":[]}`));
        },
        Math.max(20, Math.floor(NUM_RUNS / 10)),
      );
      const value = decodeFrame(frameOf('{"body":{"__proto__":{"polluted":1},"kind":"x"},"bin":[]}')) as Record<
        string,
        unknown
      >;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(value.polluted).toBeUndefined();
      expect(Object.keys(value).sort()).toEqual(['__proto__', 'kind']);
    },
    TIMEOUT,
  );

  it(
    'byte-array lengths announcing more than the frame holds allocate nothing: MalformedFrameError',
    () => {
      check(fc.integer({ min: 65, max: 2 ** 53 }), (n) => {
        expect(() => decodeFrame(frameOf(`{"body":{"$bin":0},"bin":[${n}]}`, new Uint8Array(64)))).toThrow(
          MalformedFrameError,
        );
      });
    },
    TIMEOUT,
  );
});

describe('NATS parts reassembly: fuzzing', () => {
  const LIMITS = { bytesPerSender: 64 * 1024, bytes: 160 * 1024, framesPerSender: 8, frames: 64, timeoutMs: 1000 };
  const header = (id: string, i: number, n: number, total: number) => `${id} ${i} ${n} ${total}`;

  /** One stream of parts: a frame from a sender, under a key of its own, maybe damaged. */
  interface Stream {
    sender: string;
    frame: Uint8Array;
    size: number;
    damage: { at: number; kind: 'drop' | 'repeat' | 'swap' | 'header' | 'data' | 'huge'; text: string }[];
  }
  const stream: fc.Arbitrary<Stream> = fc.record({
    sender: fc.constantFrom('a', 'b', 'c'),
    frame: fc.uint8Array({ minLength: 2, maxLength: 3000 }),
    size: fc.integer({ min: 1, max: 700 }),
    damage: fc.array(
      fc.record({
        at: fc.nat(),
        kind: fc.constantFrom('drop', 'repeat', 'swap', 'header', 'data', 'huge'),
        text: fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom(
            'x 0 2 9007199254740993',
            'x 0 2 1e3',
            'x 00 2 10',
            'x 0 0 0',
            'x 1 1 1',
            '  ',
            'x 0 2 -5',
            'x 0 3 18446744073709551616',
          ),
        ),
      }),
      { maxLength: 3 },
    ),
  });

  /** The parts of a stream as sent: [header, bytes], damaged as it says. */
  function partsOf(s: Stream, id: string): [string, Uint8Array][] {
    const pieces = splitFrame(s.frame, s.size);
    if (pieces.length < 2) pieces.push(Uint8Array.of(0));
    const total = pieces.reduce((n, p) => n + p.length, 0);
    const parts: [string, Uint8Array][] = pieces.map((p, i) => [header(id, i, pieces.length, total), p]);
    for (const d of s.damage) {
      if (parts.length === 0) break;
      const i = d.at % parts.length;
      if (d.kind === 'drop') parts.splice(i, 1);
      else if (d.kind === 'repeat') parts.splice(i, 0, parts[i]!);
      else if (d.kind === 'swap' && i + 1 < parts.length) [parts[i], parts[i + 1]] = [parts[i + 1]!, parts[i]!];
      else if (d.kind === 'header') parts[i] = [d.text, parts[i]![1]];
      else if (d.kind === 'data') parts[i] = [parts[i]![0], encoder.encode(d.text)];
      else if (d.kind === 'huge') parts[i] = [header(id, 0, 2, 2 ** 40 + d.at), parts[i]![1]];
    }
    return parts;
  }

  it(
    'never throws, stays within its budgets and twice the bytes fed, and gives back every undamaged frame whole',
    () => {
      check(
        fc.tuple(fc.array(stream, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 200 })),
        ([streams, schedule]) => {
          const r = new Reassembly(LIMITS);
          const queues = streams.map((s, k) => partsOf(s, `f${k}`));
          const results = new Map<number, Uint8Array[]>();
          let fed = 0;
          const step = (k: number) => {
            const next = queues[k]!.shift();
            if (next === undefined) return;
            fed += next[1].length;
            const out = r.add(streams[k]!.sender, `key-${k}`, next[0], next[1], 0);
            if (out !== undefined) results.set(k, [...(results.get(k) ?? []), joined(out)]);
            expect(r.held).toBeLessThanOrEqual(LIMITS.bytes);
            expect(r.held).toBeLessThanOrEqual(2 * fed);
            for (const sender of ['a', 'b', 'c']) expect(r.heldFor(sender)).toBeLessThanOrEqual(LIMITS.bytesPerSender);
            expect(r.heldFor('a') + r.heldFor('b') + r.heldFor('c')).toBe(r.held);
          };
          // Interleaved as the schedule says, then whatever is left in order.
          for (const pick of schedule) step(pick % queues.length);
          for (let k = 0; k < queues.length; k++) while (queues[k]!.length > 0) step(k);
          streams.forEach((s, k) => {
            // Undamaged and within a sender's budget: it comes back exactly once, byte for byte.
            if (s.damage.length === 0 && s.frame.length <= LIMITS.bytesPerSender) {
              const whole =
                s.frame.length >= 2 && splitFrame(s.frame, s.size).length >= 2 ? s.frame : Uint8Array.of(...s.frame, 0);
              expect(results.get(k)?.map((f) => Buffer.from(f).equals(Buffer.from(whole)))).toEqual([true]);
            }
          });
          // Everything finished or not, expiring empties it.
          r.expire(LIMITS.timeoutMs + 1);
          expect([r.held, r.open]).toEqual([0, 0]);
        },
      );
    },
    TIMEOUT,
  );

  it(
    'a part announcing any total holds at most its own bytes: nothing is allocated from the announcement',
    () => {
      check(
        fc.tuple(
          fc.integer({ min: 2, max: 2 ** 53 - 1 }),
          fc.uint8Array({ minLength: 1, maxLength: 256 }),
          fc.constantFrom('a', 'b'),
        ),
        ([total, data, sender]) => {
          const r = new Reassembly();
          r.add(sender, 'k', header('x', 0, 2, total), data, 0);
          expect(r.held).toBeLessThanOrEqual(data.length);
          expect(r.heldFor(sender)).toBe(r.held);
        },
      );
      // And in bulk: ten thousand announcements of 100 MiB each, from as many senders, take a few bytes each.
      const r = new Reassembly({ frames: 20_000 });
      const before = process.memoryUsage().arrayBuffers;
      for (let i = 0; i < 10_000; i++)
        r.add(`s${i}`, `k${i}`, header('x', 0, 2, 100 * 1024 * 1024), new Uint8Array(16), 0);
      const grew = process.memoryUsage().arrayBuffers - before;
      console.log(
        `10,000 announcements of 100 MiB: ${r.held} bytes held, ${r.open} frames open, array buffers grew by ${(grew / 1024 / 1024).toFixed(1)} MiB`,
      );
      expect(r.held).toBe(160_000);
      expect(grew).toBeLessThan(64 * 1024 * 1024);
    },
    TIMEOUT,
  );

  it(
    'mangled part streams of real frames: what comes out decodes or is MalformedFrameError',
    () => {
      check(fc.tuple(messageValue, stream), ([value, s]) => {
        const frame = encodeFrame(value);
        const r = new Reassembly(LIMITS);
        for (const [h, data] of partsOf({ ...s, frame: frame.length >= 2 ? frame : Uint8Array.of(...frame, 0) }, 'f')) {
          const out = r.add(s.sender, 'k', h, data, 0);
          if (out !== undefined) decodesOrRefuses(out);
        }
      });
    },
    TIMEOUT,
  );
});
