/**
 * Node adaptation of the console device: output to process.stdout (or any
 * writable), input from process.stdin (or any readable).
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import type { ConsoleSink } from '../core/objects/console.js';
import type { Kernel } from '../core/kernel.js';

/** A console sink writing to `out` (default process.stdout). The bytes are copied, since the kernel reuses its buffer. */
export function writableConsoleSink(out: Writable = process.stdout): ConsoleSink {
  return (bytes) => {
    out.write(Buffer.from(bytes));
  };
}

/** Feeds `input` (default process.stdin) to the kernel's console; returns a function that stops feeding. */
export function feedConsoleInput(kernel: Kernel, input: Readable = process.stdin): () => void {
  const onData = (chunk: Buffer | string) =>
    kernel.console.pushInput(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const onEnd = () => kernel.console.endInput();
  input.on('data', onData);
  input.on('end', onEnd);
  return () => {
    input.off('data', onData);
    input.off('end', onEnd);
  };
}
