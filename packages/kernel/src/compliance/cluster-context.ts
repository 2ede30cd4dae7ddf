/**
 * What the cluster compliance cases share: the booted cluster as they see it,
 * and helpers for time limits, programs and streams.
 */
import { expect } from 'vitest';
import { DiosError, EndWriteFlags, programBinary, type ErrnoCode, type Program, type SystemCalls } from '@dios/kernel';
import { concatBytes, sleep } from './bytes.js';
import type { ClusterNodes } from './cluster-setup.js';

/** A booted cluster as the cases see it: a host task (member of the shared root group) per kernel. */
export interface Nodes extends ClusterNodes {
  readonly sys: Readonly<Record<string, SystemCalls>>;
  check(...ids: string[]): void;
}

/** What each group of cases gets from the suite: a way to boot a cluster, and its time limits. */
export interface ClusterCase {
  /** Boots a cluster of kernels with these ids (torn down after the case) and attaches a host task to each. */
  readonly boot: (...ids: string[]) => Promise<Nodes>;
  /** Per-case timeout. */
  readonly timeout: number;
  /** How soon calls on a downed node's objects must fail. */
  readonly downMs: number;
}

let programs = 0;

/** Settles `p` or fails once `ms` have passed (so a hang is a failure, not a test timeout). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Asserts `p` rejects with `code` within `ms`; returns how long it took. */
export async function failsWithin(p: Promise<unknown>, code: ErrnoCode, ms: number, what: string): Promise<number> {
  const start = Date.now();
  const outcome = await within(
    p.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    ms,
    what,
  );
  expect(outcome.ok, `${what}: expected ${code}, got ${JSON.stringify(outcome.ok ? outcome.value : undefined)}`).toBe(
    false,
  );
  const error = (outcome as { error: unknown }).error;
  expect(error, `${what}: ${String(error)}`).toBeInstanceOf(DiosError);
  expect((error as DiosError).code, `${what}: ${(error as DiosError).message}`).toBe(code);
  return Date.now() - start;
}

/** Polls `check` until true; fails after `ms`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await sleep(5);
  }
}

/** Registers `program` on every kernel under one fresh id; returns the binary's bytes. */
export function installEverywhere(n: Nodes, program: Program): Uint8Array {
  const id = `cc-${++programs}`;
  for (const k of Object.values(n.kernels)) k.registerProgram(id, program);
  return programBinary(id);
}

/** Reads a stream through `ref` until end-of-stream; returns everything read. */
export async function drain(sys: SystemCalls, ref: number, length = 2 ** 31 - 1): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (;;) {
    const buf = await sys.beginRead(ref, { length });
    const part = buf.slice();
    await sys.endRead(ref, buf);
    if (part.length === 0) break;
    parts.push(part);
  }
  return concatBytes(parts);
}

/** Writes `bytes` to a stream in chunks of `chunk` bytes, ending it with the last one. */
export async function feed(sys: SystemCalls, ref: number, bytes: Uint8Array, chunk: number): Promise<void> {
  for (let off = 0; off < bytes.length; off += chunk) {
    const part = bytes.subarray(off, Math.min(off + chunk, bytes.length));
    const buf = await sys.beginWrite(ref, part.length);
    buf.set(part);
    await sys.endWrite(ref, buf, {}, off + chunk >= bytes.length ? EndWriteFlags.END_OF_STREAM : 0);
  }
}
