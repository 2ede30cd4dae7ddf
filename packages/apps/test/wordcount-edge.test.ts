/**
 * WordCount on MapReduce on made-up inputs that stress the splits: empty
 * input, one word of several MB crossing every split, no trailing newline,
 * every byte value, fewer bytes than map tasks, many tasks.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDiosError, pathName, type SystemCalls } from '@dios/kernel';
import { wordCount } from '@dios/apps';
import { jobPath, mapOutputPath, outputPath, progressPath, reportPath } from '@dios/apps/testing';
import { asMap, bootKernel, coreutilsCounts, entries, putBlob } from './helpers.js';

let sys: SystemCalls;
beforeAll(async () => ({ sys } = await bootKernel()));

async function check(bytes: Uint8Array, maps: number, reduces: number): Promise<Map<string, number>> {
  const counts = asMap(await wordCount(sys, [await putBlob(sys, bytes)], { maps, reduces }));
  expect(entries(counts)).toEqual(entries(coreutilsCounts(bytes)));
  return counts;
}

const text = (s: string) => new TextEncoder().encode(s);

describe('edge cases', () => {
  it('empty input: no words', async () => {
    expect((await check(new Uint8Array(0), 4, 3)).size).toBe(0);
  });

  it('no input objects at all: no words', async () => {
    expect(await wordCount(sys, [], { maps: 3, reduces: 2 })).toEqual([]);
  });

  it('one word of 5 MB crossing every split, between other words', async () => {
    const huge = new Uint8Array(5 * 1024 * 1024).fill(0x61);
    huge[1234567] = 0x42; // 'B', lower-cased into the word
    const bytes = new Uint8Array([...text('x y '), ...huge, ...text(' y z')]);
    const counts = await check(bytes, 16, 3);
    expect(counts.size).toBe(4);
    expect([...counts.keys()].find((k) => k.length > 1000)?.length).toBe(huge.length);
  });

  it("a word of 5 MB across the 4 MiB ranges a map task reads its piece in, and words at the ranges' edges", async () => {
    const bytes = new Uint8Array(5 * 1024 * 1024 + 6).fill(0x71);
    bytes.set(text('p q '));
    bytes.set(text(' r'), bytes.length - 2);
    const counts = await check(bytes, 1, 2);
    expect([...counts.values()].sort()).toEqual([1, 1, 1, 1]);
    // Words of 1000 letters end to end: one straddles each range's edge, and counts once.
    const words = new Uint8Array(9 * 1024 * 1024).map((_, i) => (i % 1001 === 1000 ? 0x20 : 0x61 + (i % 5)));
    await check(words, 2, 2);
  });

  it('a huge word alone, and only separators', async () => {
    await check(new Uint8Array(3 * 1024 * 1024).fill(0x7a), 9, 2);
    expect((await check(new Uint8Array(100_000).fill(0x20), 9, 2)).size).toBe(0);
  });

  it('no trailing newline: the last word counts', async () => {
    const counts = await check(text('one two two\nthree three three'), 3, 2);
    expect(counts.get('three')).toBe(3);
  });

  it('every byte value, and random bytes', async () => {
    await check(
      Uint8Array.from({ length: 256 * 4 }, (_, i) => i % 256),
      5,
      3,
    );
    await check(randomBytes(200_000), 13, 4);
  });

  it('fewer bytes than map tasks', async () => {
    await check(text('Ab a B'), 20, 3);
    await check(text('x'), 8, 8);
  });

  it('M=1 R=1 and many maps and reduces', async () => {
    const bytes = randomBytes(50_000).map((b) => (b % 3 === 0 ? 0x20 : 0x61 + (b % 4)));
    await check(bytes, 1, 1);
    await check(bytes, 200, 64);
  });

  it('leaves nothing of the job behind but what it was asked to keep', async () => {
    await wordCount(sys, [await putBlob(sys, text('a b c a'))], { maps: 3, reduces: 2, job: 'tidy' });
    const group = sys.groupNames[0]!;
    for (const path of [
      mapOutputPath('tidy', 0, 1, 0),
      mapOutputPath('tidy', 2, 1, 1),
      outputPath('tidy', 1),
      reportPath('tidy'),
      progressPath('tidy'),
      jobPath('tidy'),
    ]) {
      const found = await sys
        .lookup(await pathName(group, path))
        .catch((e: unknown) => (isDiosError(e, 'ENOENT') ? 'ENOENT' : e));
      expect(found, path).toBe('ENOENT');
    }
  });

  it('reports progress in tasks done', async () => {
    const seen: [number, number][] = [];
    await wordCount(sys, [await putBlob(sys, text('a b'))], {
      maps: 3,
      reduces: 2,
      onProgress: (d, t) => seen.push([d, t]),
    });
    expect(seen.at(-1)).toEqual([5, 5]);
  });

  it('bad options are EINVAL naming them', async () => {
    const input = await putBlob(sys, text('a'));
    await expect(wordCount(sys, [input], { maps: 0 })).rejects.toMatchObject({ code: 'EINVAL', argument: 'job.maps' });
    await expect(wordCount(sys, [input], { reduces: 1.5 })).rejects.toMatchObject({
      code: 'EINVAL',
      argument: 'job.reduces',
    });
    await expect(wordCount(sys, [input], { top: -1 })).rejects.toMatchObject({
      code: 'EINVAL',
      argument: 'options.top',
    });
    await expect(wordCount(sys, [input], { job: '../x' })).rejects.toMatchObject({
      code: 'EINVAL',
      argument: 'job.job',
    });
  });

  it('--top keeps the most frequent words, ties in byte order', async () => {
    const input = await putBlob(sys, text('b a c b a d b e'));
    expect(await wordCount(sys, [input], { maps: 3, reduces: 3, top: 3 })).toEqual([
      { key: 'b', count: 3 },
      { key: 'a', count: 2 },
      { key: 'c', count: 1 },
    ]);
  });
});
