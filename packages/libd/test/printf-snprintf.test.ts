/**
 * snprintf's C semantics (the text cut to size - 1, the length of the whole
 * output), and the examples in the documentation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { snprintf, sprintf, vformat } from '@dios/libd';

const NUM_RUNS = Number(process.env.DIOS_PROPERTY_RUNS ?? 1000);

describe('snprintf', () => {
  it('keeps size - 1 characters and reports the whole length', () => {
    expect(snprintf(4, '%d', 123456)).toEqual({ text: '123', length: 6 });
    expect(snprintf(6, '%d', 123456)).toEqual({ text: '12345', length: 6 });
    expect(snprintf(7, '%d', 123456)).toEqual({ text: '123456', length: 6 });
    expect(snprintf(100, '%s-%s', 'a', 'b')).toEqual({ text: 'a-b', length: 3 });
  });

  it('writes nothing for size 0 or 1, and still reports the length', () => {
    expect(snprintf(0, '%5.1f', 2.25)).toEqual({ text: '', length: 5 });
    expect(snprintf(1, 'abc')).toEqual({ text: '', length: 3 });
    expect(snprintf(0, '')).toEqual({ text: '', length: 0 });
  });

  it('is sprintf cut to size - 1, for any size', () => {
    const cases = fc.constantFrom<[string, ...(number | string | bigint)[]]>(
      ['%d', -123456],
      ['%-8s|%x', 'abc', 255],
      ['%.3e', 6.02214076e23],
      ['', 0],
      ['%llu', -1n],
    );
    fc.assert(
      fc.property(cases, fc.nat(40), ([format, ...args], size) => {
        const full = sprintf(format, ...args);
        const r = snprintf(size, format, ...args);
        expect(r.length).toBe(full.length);
        expect(r.text).toBe(full.slice(0, Math.max(0, size - 1)));
        expect(r.text.length).toBe(Math.min(full.length, Math.max(0, size - 1)));
      }),
      { numRuns: Math.min(NUM_RUNS, 300) },
    );
  });
});

describe('the documented examples', () => {
  it('package example', () => {
    expect(sprintf('%5.2f|%-4d|%x', 3.14159, 42, 255)).toBe(' 3.14|42  |ff');
  });

  it('sprintf example', () => {
    expect(sprintf('%-6s|%+.2e|%#x|%05.1f', 'ab', 12345.678, 255, -2.25)).toBe('ab    |+1.23e+04|0xff|-02.2');
  });

  it('vformat takes the arguments as an array', () => {
    expect(vformat('%s has %d items', ['cart', 3])).toBe('cart has 3 items');
  });
});
