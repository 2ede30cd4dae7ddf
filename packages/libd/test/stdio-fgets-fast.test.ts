/**
 * fgets takes a line whose newline is already buffered as a slice of the
 * buffer's text decoded once; lines that cross a refill, or are longer than
 * maxChars, go character by character. Both give the same lines: a FILE
 * with a 4-byte buffer (nearly every line the slow way) and one with a
 * 64 KiB buffer (nearly every line the fast way) read any bytes, valid
 * UTF-8 or not, alike, with any maxChars, mixed with fgetc.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fclose, fgetc, fgets, fopen, type FILE } from '@dios/libd';
import { blobWith, boot } from './stdio-helpers.js';

const piece = fc.oneof(
  fc.constantFrom('\n', 'é', '😀', 'ab', '\r\n', '\uFEFF'),
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => b),
);

async function readAll(file: FILE, steps: readonly number[]): Promise<(string | number | null)[]> {
  const out: (string | number | null)[] = [];
  for (let i = 0; ; i++) {
    const step = steps[i % steps.length]!;
    if (step === 0) {
      const c = await fgetc(file);
      out.push(c);
      if (c < 0) break;
    } else {
      const line = await fgets(file, step > 40 ? Infinity : step);
      out.push(line);
      if (line === null) break;
    }
  }
  return out;
}

describe('fgets, fast and slow', () => {
  it('a small buffer and a large one read the same lines from any bytes', async () => {
    const { sys } = await boot();
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 8 }),
        async (pieces, steps) => {
          const parts = pieces.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p));
          const bytes = Uint8Array.from(parts.flatMap((p) => [...p]));
          const results = [];
          for (const readBufferSize of [4, 65536]) {
            const { ref } = await blobWith(sys, bytes, { readBufferSize });
            const file = await fopen(sys, { ref }, 'r');
            results.push(await readAll(file, steps));
            await fclose(file);
            await sys.delete(ref);
          }
          expect(results[1]).toEqual(results[0]);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});
