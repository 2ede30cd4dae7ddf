/**
 * WordCount on MapReduce agrees exactly with the coreutils pipeline on real
 * texts, for several numbers of map and reduce tasks.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SystemCalls } from '@dios/kernel';
import { wordCount, wordCountSync } from '@dios/apps';
import { asMap, bootKernel, coreutilsCounts, entries, inOutputOrder, putBlob } from './helpers.js';

const TEXTS = ['GPL-3', 'Apache-2.0', 'GFDL-1.3', 'Artistic', 'LGPL-2.1', 'MPL-2.0'].map(
  (n) => `/usr/share/common-licenses/${n}`,
);
const SHAPES: [number, number][] = [
  [1, 1],
  [2, 3],
  [7, 2],
  [16, 5],
  [64, 16],
];

let sys: SystemCalls;
beforeAll(async () => ({ sys } = await bootKernel()));

describe.each(TEXTS)('%s', (path) => {
  const bytes = readFileSync(path);
  const expected = coreutilsCounts(bytes);

  it.each(SHAPES)('maps=%i reduces=%i: the same counts as coreutils, in output order', async (maps, reduces) => {
    const input = await putBlob(sys, bytes);
    const counts = await wordCount(sys, [input], { maps, reduces });
    expect(expected.size).toBeGreaterThan(100);
    expect(entries(asMap(counts))).toEqual(entries(expected));
    expect(inOutputOrder(counts)).toBe(true);
  });

  it('the single-threaded baseline agrees too, in the same order', () => {
    const counts = wordCountSync(bytes);
    expect(entries(asMap(counts))).toEqual(entries(expected));
    expect(inOutputOrder(counts)).toBe(true);
  });
});

describe('several inputs', () => {
  it('counts the inputs together, a record never running from one input into the next', async () => {
    const parts = TEXTS.map((p) => readFileSync(p));
    // The first input ends inside a word that the second begins with: they are two words, not one.
    parts[0] = Buffer.concat([parts[0]!, Buffer.from('abc')]);
    parts[1] = Buffer.concat([Buffer.from('def'), parts[1]!]);
    const inputs = await Promise.all(parts.map((p) => putBlob(sys, p)));
    const expected = coreutilsCounts(Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')])));
    expect(expected.get('abc')).toBe(1);
    for (const [maps, reduces] of [
      [1, 1],
      [5, 3],
      [40, 7],
    ] as const) {
      const counts = await wordCount(sys, inputs, { maps, reduces });
      expect(entries(asMap(counts))).toEqual(entries(expected));
    }
  });
});
