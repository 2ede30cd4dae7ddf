/**
 * Property: for random bytes and random numbers of map and reduce tasks,
 * MapReduce WordCount gives exactly the single-threaded counts, in the same
 * order. Runs: DIOS_PROPERTY_RUNS (default 100).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SystemCalls } from '@dios/kernel';
import { wordCount, wordCountSync } from '@dios/apps';
import { bootKernel, putBlob } from './helpers.js';

const RUNS = Number(process.env.DIOS_PROPERTY_RUNS ?? 100);

let sys: SystemCalls;
beforeAll(async () => ({ sys } = await bootKernel()));

// Mostly word bytes of both cases, some separators, some of any value: words of every length, cut anywhere.
const byte = fc.oneof(
  fc.constantFrom(...'aAbBzZ09 \n\t.'.split('').map((c) => c.charCodeAt(0))),
  fc.integer({ min: 0, max: 255 }),
);

describe('MapReduce WordCount = single-threaded WordCount', () => {
  it('for random bytes, maps and reduces', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(byte, { maxLength: 3000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        async (bytes, maps, reduces) => {
          const input = Uint8Array.from(bytes);
          const counts = await wordCount(sys, [await putBlob(sys, input)], { maps, reduces });
          expect(counts).toEqual(wordCountSync(input));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
