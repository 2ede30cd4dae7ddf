/**
 * The host's standard streams bridged to DIOS streams for `dios exec`: the
 * bytes of a Node Readable pumped into a stream a task reads, and the bytes
 * a task writes into a stream pumped out to a Node Writable. The host end is
 * the kernel's init task, which made the streams.
 * @module
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { EndWriteFlags, type SystemCalls } from '@dios/kernel';

// The most bytes one begin_write asks for: well under a stream's default ring (256 KiB), so a write never waits for all of it to drain.
const CHUNK = 64 * 1024;

/** Marks end-of-stream on `ref` (a stream `sys` may write) once what was written before is read. */
export async function endStream(sys: SystemCalls, ref: number): Promise<void> {
  await sys.endWrite(ref, await sys.beginWrite(ref, 0), undefined, EndWriteFlags.END_OF_STREAM);
}

/**
 * Pumps `input` into the stream `ref`, waiting while the stream is full, and
 * ends the stream when `input` ends. The returned `stop` detaches from
 * `input` (the caller then deletes `ref`, which fails a write still waiting,
 * and `done` settles).
 */
export function pumpIn(sys: SystemCalls, ref: number, input: Readable): { done: Promise<void>; stop: () => void } {
  let stopped = false;
  let wake: (() => void) | undefined;
  const queue: Buffer[] = [];
  let ended = false;
  const onData = (chunk: Buffer | string) => {
    queue.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    // Back-pressure: the host stops reading while the task has not taken what came.
    input.pause();
    wake?.();
  };
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  input.on('data', onData);
  input.on('end', onEnd);
  input.on('error', onEnd);
  const stop = () => {
    stopped = true;
    input.off('data', onData);
    input.off('end', onEnd);
    input.off('error', onEnd);
    input.pause();
    wake?.();
  };
  const done = (async () => {
    for (;;) {
      while (queue.length === 0 && !ended && !stopped) await new Promise<void>((resolve) => (wake = resolve));
      if (stopped) return;
      const chunk = queue.shift();
      if (chunk === undefined) {
        await endStream(sys, ref);
        return;
      }
      for (let at = 0; at < chunk.length;) {
        const n = Math.min(CHUNK, chunk.length - at);
        const buf = await sys.beginWrite(ref, n);
        buf.set(chunk.subarray(at, at + n));
        await sys.endWrite(ref, buf);
        at += n;
      }
      if (queue.length === 0 && !ended) input.resume();
    }
  })();
  return { done, stop };
}

/** Pumps the stream `ref` out to `output` until end-of-stream, waiting for `output` to drain when it asks. */
export async function pumpOut(sys: SystemCalls, ref: number, output: Writable): Promise<void> {
  for (;;) {
    const view = await sys.beginRead(ref);
    const n = view.length;
    // The view is lent by the kernel: the host stream gets a copy it may keep.
    const more = n === 0 || output.write(Buffer.from(view));
    await sys.endRead(ref, view);
    if (n === 0) return;
    if (!more) await once(output, 'drain');
  }
}
