import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Name, NAME_BYTES } from '@dios/kernel';
import { expectErrno } from './helpers.js';

const sha256 = (...parts: Uint8Array[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
const utf8 = (s: string) => new TextEncoder().encode(s);
const be64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
};

describe('Name.random', () => {
  it('gives 256-bit names in canonical form that all differ', () => {
    const keys = new Set<string>();
    // More than one batch of the internal random pool.
    for (let i = 0; i < 1000; i++) {
      const n = Name.random();
      expect(n.key).toMatch(/^[0-9a-f]{64}$/);
      expect(n.bytes.length).toBe(NAME_BYTES);
      keys.add(n.key);
    }
    expect(keys.size).toBe(1000);
  });

  it('hands out copies of its bytes: mutating them does not change the name', () => {
    const n = Name.random();
    const before = n.key;
    const bytes = n.bytes;
    bytes.fill(0);
    expect(n.key).toBe(before);
    expect(Buffer.from(n.bytes).toString('hex')).toBe(before);
  });
});

describe('Name.derived', () => {
  it('is deterministic: the same creator and counter give the same name', async () => {
    const creator = Name.random();
    const a = await Name.derived(creator, 7);
    const b = await Name.derived(Name.parse(creator.key), 7);
    expect(a.equals(b)).toBe(true);
    expect(a.key).toBe(b.key);
  });

  it('differs by counter and by creator', async () => {
    const c1 = Name.random();
    const c2 = Name.random();
    const keys = new Set<string>();
    for (const c of [c1, c2]) for (const n of [0, 1, 2, 255, 256, 2 ** 40]) keys.add((await Name.derived(c, n)).key);
    expect(keys.size).toBe(12);
  });

  it('is SHA-256 over "dios:drv", the creator bytes and the big-endian 64-bit counter', async () => {
    const creator = Name.random();
    for (const counter of [0, 1, 123456789]) {
      const n = await Name.derived(creator, counter);
      expect(n.key).toBe(sha256(utf8('dios:drv'), creator.bytes, be64(counter)));
    }
  });
});

describe('Name.fromString', () => {
  it('is deterministic and distinct by input', async () => {
    const seeds = ['', 'a', 'b', 'ab', 'a\u0000b', 'é', 'output/0', 'output/1', ' a'];
    const names = await Promise.all(seeds.map((s) => Name.fromString(s)));
    expect(new Set(names.map((n) => n.key)).size).toBe(seeds.length);
    const again = await Promise.all(seeds.map((s) => Name.fromString(s)));
    expect(again.map((n) => n.key)).toEqual(names.map((n) => n.key));
  });

  it('is SHA-256 over "dios:str" and the UTF-8 bytes of the seed', async () => {
    for (const seed of ['hello', '', 'ünïcødé ✓']) {
      expect((await Name.fromString(seed)).key).toBe(sha256(utf8('dios:str'), utf8(seed)));
    }
  });

  it('is separated from derived names by its domain tag', async () => {
    // Identical 40 bytes after the tag ('a' x 32, then counter 0 as eight zero bytes): only the tag differs.
    const creator = Name.fromBytes(new Uint8Array(NAME_BYTES).fill(0x61));
    const derived = await Name.derived(creator, 0);
    const seeded = await Name.fromString('a'.repeat(NAME_BYTES) + '\u0000'.repeat(8));
    expect(derived.equals(seeded)).toBe(false);
  });

  it('rejects a seed that is not a string with EINVAL', async () => {
    const err = await expectErrno(Name.fromString(42 as unknown as string), 'EINVAL', 'seed');
    expect(err.syscall).toBe('Name.fromString');
  });
});

describe('parse and format', () => {
  it('round-trip: parse(format(n)) equals n, and format(parse(t)) is t', () => {
    for (let i = 0; i < 50; i++) {
      const n = Name.random();
      const text = n.toString();
      expect(text).toBe(n.key);
      expect(n.toJSON()).toBe(text);
      expect(JSON.parse(JSON.stringify({ n }))).toEqual({ n: text });
      const back = Name.parse(text);
      expect(back.equals(n)).toBe(true);
      expect(back.bytes).toEqual(n.bytes);
      expect(Name.parse(back.toString()).key).toBe(text);
    }
  });

  it('fromBytes and bytes round-trip, and fromBytes copies its input', () => {
    const raw = new Uint8Array(NAME_BYTES).map((_, i) => i * 7);
    const n = Name.fromBytes(raw);
    expect(n.bytes).toEqual(raw);
    raw[0] = 0xff;
    expect(n.bytes[0]).toBe(0);
    expect(Name.parse(n.key).bytes).toEqual(n.bytes);
  });

  it.each([
    ['upper case', 'A'.repeat(64)],
    ['mixed case', 'aB'.repeat(32)],
    ['63 digits', 'a'.repeat(63)],
    ['65 digits', 'a'.repeat(65)],
    ['0x prefix', '0x' + 'a'.repeat(62)],
    ['leading space', ' ' + 'a'.repeat(63)],
    ['trailing newline', 'a'.repeat(64) + '\n'],
    ['non-hex digit', 'g' + 'a'.repeat(63)],
    ['empty', ''],
  ])('parse rejects non-canonical text (%s) with EINVAL', async (_what, text) => {
    const err = await expectErrno(() => Name.parse(text), 'EINVAL', 'name');
    expect(err.syscall).toBe('Name.parse');
  });

  it("parse rejects values that are not strings, naming the caller's syscall and argument", async () => {
    for (const v of [undefined, null, 42, {}, ['a'.repeat(64)]]) {
      const err = await expectErrno(() => Name.parse(v as string, 'lookup', 'who'), 'EINVAL', 'who');
      expect(err.syscall).toBe('lookup');
    }
  });

  it('fromBytes rejects anything but 32 bytes', async () => {
    await expectErrno(() => Name.fromBytes(new Uint8Array(31)), 'EINVAL', 'bytes');
    await expectErrno(() => Name.fromBytes(new Uint8Array(33)), 'EINVAL', 'bytes');
    await expectErrno(() => Name.fromBytes([...new Uint8Array(32)] as unknown as Uint8Array), 'EINVAL', 'bytes');
  });

  it('equals compares bits, not identity', () => {
    const a = Name.random();
    const b = Name.random();
    expect(a.equals(Name.fromBytes(a.bytes))).toBe(true);
    expect(a.equals(b)).toBe(false);
  });
});

describe('names from another copy of the kernel module', () => {
  // What a program in a worker thread holds when it loaded @dios/kernel again: same class name, same shape.
  class Name_ {
    constructor(readonly key: string) {}
  }
  Object.defineProperty(Name_, 'name', { value: 'Name' });

  it('are names: seeded, derived and from() read them by their key', async () => {
    const real = Name.random();
    const foreign = new Name_(real.key) as unknown as Name;
    expect(Name.isName(foreign)).toBe(true);
    expect(Name.from(foreign).equals(real)).toBe(true);
    expect((await Name.seeded(foreign, 'x')).key).toBe((await Name.seeded(real, 'x')).key);
    expect((await Name.derived(foreign, 3)).key).toBe((await Name.derived(real, 3)).key);
    expect(Name.seededSync(foreign, 'y').key).toBe(Name.seededSync(real, 'y').key);
  });

  it('but an object of another class, or a malformed key, is not', async () => {
    expect(Name.isName({ key: Name.random().key })).toBe(false);
    expect(Name.isName(new Name_('xyz'))).toBe(false);
    expect(Name.isName(null)).toBe(false);
    await expectErrno(async () => Name.seeded(new Name_('00') as unknown as Name, 'x'), 'EINVAL', 'scope');
  });
});
