/**
 * Merging the outputs of the reduce tasks as bytes (mergeRecords), and
 * wordCountRecords, which returns them as the dios command prints them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isDiosError, type SystemCalls } from '@dios/kernel';
import { KeyTable, wordCount, wordCountRecords } from '@dios/apps';
import { mergeRecords } from '@dios/apps/testing';
import { bootKernel, putBlob } from './helpers.js';

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

let sys: SystemCalls;
beforeAll(async () => ({ sys } = await bootKernel()));

describe('mergeRecords', () => {
  const a = text('the\t9\nof\t4\nzz\t4\nb\t1\n');
  const b = text('and\t5\nz\t4\nzzz\t4\n');

  it('merges runs in output order: larger count first, ties in byte order (a prefix first)', () => {
    expect(str(mergeRecords([a, b]))).toBe('the\t9\nand\t5\nof\t4\nz\t4\nzz\t4\nzzz\t4\nb\t1\n');
  });

  it('stops after `limit` records; no runs, or empty ones, give nothing', () => {
    expect(str(mergeRecords([a, b], 3))).toBe('the\t9\nand\t5\nof\t4\n');
    expect(mergeRecords([a, b], 0).length).toBe(0);
    expect(mergeRecords([]).length).toBe(0);
    expect(str(mergeRecords([new Uint8Array(0), b]))).toBe(str(b));
  });

  it.each(['word-without-count\n', 'word\t\n', 'word\t12x\n', 'word\t12'])('EIO for a malformed record: %j', (bad) => {
    let error: unknown;
    try {
      mergeRecords([text(bad), b]);
    } catch (e) {
      error = e;
    }
    expect(isDiosError(error, 'EIO')).toBe(true);
  });
});

describe('wordCountRecords', () => {
  it('gives the lines wordCount gives, as bytes, whole or the top k', async () => {
    const input = text('b a c b A, B. c d\nx y z z z ');
    const counts = await wordCount(sys, [await putBlob(sys, input)], { maps: 3, reduces: 2 });
    const lines = counts.map((c) => `${c.key}\t${c.count}\n`).join('');
    expect(str(await wordCountRecords(sys, [await putBlob(sys, input)], { maps: 2, reduces: 3 }))).toBe(lines);
    const top = await wordCountRecords(sys, [await putBlob(sys, input)], { maps: 2, reduces: 3, top: 2 });
    expect(str(top)).toBe('b\t3\nz\t3\n');
  });
});

describe('KeyTable.compareKeys', () => {
  it('compares translated key bytes, a prefix first', () => {
    const table = new KeyTable();
    const add = (s: string) => table.add(text(s), 0, s.length, s.length, 1);
    for (const k of ['ab', 'a', 'b', 'ab']) add(k);
    expect(table.size).toBe(3);
    expect(Math.sign(table.compareKeys(0, 1))).toBe(1); // 'ab' > 'a'
    expect(Math.sign(table.compareKeys(1, 2))).toBe(-1); // 'a' < 'b'
    expect(table.compareKeys(0, 0)).toBe(0);
  });
});
