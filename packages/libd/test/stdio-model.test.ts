/**
 * A FILE against C semantics: random sequences of operations run on a libd
 * FILE over a blob and on a host file (node:fs, positioned reads and writes
 * with the position, end-of-file and error indicators tracked here, as C
 * stdio tracks them). Every result, position, indicator and, after each
 * flush and at the end, the content must agree.
 */
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DiosError } from '@dios/kernel';
import {
  clearerr,
  EOF,
  fclose,
  feof,
  ferror,
  fflush,
  fgetc,
  fopen,
  fputc,
  fread,
  fseek,
  ftell,
  fwrite,
  rewind,
  type Whence,
} from '@dios/libd';
import { blobWith, boot, contentOf } from './stdio-helpers.js';

type Op =
  | { kind: 'write'; data: number[] }
  | { kind: 'putc'; byte: number }
  | { kind: 'read'; n: number }
  | { kind: 'getc' }
  | { kind: 'seek'; offset: number; whence: Whence }
  | { kind: 'flush' }
  | { kind: 'rewind' }
  | { kind: 'clearerr' };

/** What one operation returned: a value, or the code of the error it threw. */
type Outcome = { value: unknown } | { error: string };

/** C stdio semantics on a host file: an unbuffered model, position and indicators kept here. */
class HostFile {
  readonly fd: number;
  pos = 0;
  eof = false;
  error = false;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly append: boolean;

  constructor(path: string, initial: Uint8Array, mode: string) {
    writeFileSync(path, initial);
    this.fd = openSync(path, 'r+'); // append is done here, by position: Linux ignores pwrite offsets under O_APPEND
    this.readable = mode.startsWith('r') || mode.includes('+');
    this.writable = !mode.startsWith('r') || mode.includes('+');
    this.append = mode.startsWith('a');
    if (mode.startsWith('w')) ftruncateSync(this.fd, 0);
    if (this.append && !this.readable) this.pos = this.size();
  }
  size(): number {
    return fstatSync(this.fd).size;
  }
  #fail(code: string): Outcome {
    this.error = true;
    return { error: code };
  }
  apply(op: Op): Outcome {
    switch (op.kind) {
      case 'write':
      case 'putc': {
        if (!this.writable) return this.#fail('EBADF');
        const data = op.kind === 'write' ? Uint8Array.from(op.data) : Uint8Array.of(op.byte);
        if (data.length === 0) return { value: 0 }; // nothing written: even in append mode the position stays
        const at = this.append ? this.size() : this.pos;
        writeSync(this.fd, data, 0, data.length, at);
        this.pos = at + data.length;
        return { value: op.kind === 'write' ? data.length : op.byte };
      }
      case 'read':
      case 'getc': {
        if (!this.readable) return this.#fail('EBADF');
        const n = op.kind === 'read' ? op.n : 1;
        const buf = new Uint8Array(n);
        const got = n === 0 || this.eof ? 0 : readSync(this.fd, buf, 0, n, this.pos);
        this.pos += got;
        if (got < n) this.eof = true;
        if (op.kind === 'getc') return { value: got === 1 ? buf[0] : EOF };
        return { value: [...buf.subarray(0, got)] };
      }
      case 'seek': {
        const base = op.whence === 0 ? 0 : op.whence === 1 ? this.pos : this.size();
        if (base + op.offset < 0) return this.#fail('EINVAL');
        this.pos = base + op.offset;
        this.eof = false;
        return { value: undefined };
      }
      case 'rewind':
        this.pos = 0;
        this.eof = this.error = false;
        return { value: undefined };
      case 'clearerr':
        this.eof = this.error = false;
        return { value: undefined };
      case 'flush':
        return { value: undefined };
    }
  }
}

async function outcome(action: () => unknown): Promise<Outcome> {
  try {
    return { value: await action() };
  } catch (e) {
    if (e instanceof DiosError) return { error: e.code };
    throw e;
  }
}

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      data: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 20 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('putc' as const), byte: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), n: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'getc' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('seek' as const),
      offset: fc.integer({ min: -12, max: 40 }),
      whence: fc.constantFrom<Whence>(0, 1, 2),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'rewind' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clearerr' as const }) },
);

const dir = mkdtempSync(join(tmpdir(), 'libd-stdio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a FILE behaves as C stdio on a host file', () => {
  it('for any sequence of reads, writes, seeks and flushes, in every mode and with any buffer sizes', async () => {
    const { kernel, sys } = await boot();
    const path = join(dir, 'model');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('r', 'r+', 'w', 'w+', 'a', 'a+'),
        fc.uint8Array({ maxLength: 30 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(op, { maxLength: 40 }),
        async (mode, initial, readBufferSize, writeBufferSize, ops) => {
          const { ref } = await blobWith(sys, initial, { readBufferSize, writeBufferSize });
          const host = new HostFile(path, initial, mode);
          try {
            const f = await fopen(sys, { ref }, mode);
            for (const [i, o] of ops.entries()) {
              const mine = await outcome(() => apply(f, o));
              const step = `step ${i}: ${JSON.stringify(o)}`;
              expect(mine, step).toEqual(host.apply(o));
              expect([feof(f), ferror(f)], step).toEqual([host.eof, host.error]);
              expect(ftell(f), step).toBe(host.pos);
              if (o.kind === 'flush')
                expect(await contentOf(sys, ref), step).toEqual(new Uint8Array(readFileSync(path)));
            }
            await fclose(f);
            expect(await contentOf(sys, ref)).toEqual(new Uint8Array(readFileSync(path)));
          } finally {
            closeSync(host.fd);
            await sys.delete(ref);
          }
          kernel.checkInvariants();
        },
      ),
      { numRuns: 400 },
    );
    // 400 random runs take about 5 s on an idle machine: room for a loaded one.
  }, 30_000);
});

async function apply(f: Awaited<ReturnType<typeof fopen>>, o: Op): Promise<unknown> {
  switch (o.kind) {
    case 'write':
      return fwrite(f, Uint8Array.from(o.data));
    case 'putc':
      return fputc(f, o.byte);
    case 'read': {
      const buf = new Uint8Array(o.n);
      const n = await fread(f, buf);
      return [...buf.subarray(0, n)];
    }
    case 'getc':
      return fgetc(f);
    case 'seek':
      return fseek(f, o.offset, o.whence);
    case 'flush':
      return fflush(f);
    case 'rewind':
      return rewind(f);
    case 'clearerr':
      return clearerr(f);
  }
}
