/**
 * Shared setup for the apps tests: a kernel with the MapReduce programs,
 * blobs from bytes, and the coreutils word count as the oracle.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel, type SystemCalls } from '@dios/kernel';
import { installMapReducePrograms, type KeyCount } from '@dios/apps';
import { blobWith } from '../../kernel/test/support/blobs.js';

/** A kernel with the MapReduce programs installed; task failures are collected rather than logged. */
export async function bootKernel(): Promise<{ kernel: Kernel; sys: SystemCalls; failures: unknown[] }> {
  const kernel = await Kernel.boot();
  const failures: unknown[] = [];
  kernel.onTaskFailure = (_task, error) => failures.push(error);
  await installMapReducePrograms(kernel);
  return { kernel, sys: kernel.init, failures };
}

/** A new shared-memory blob holding `bytes`; returns its handle. */
export async function putBlob(sys: SystemCalls, bytes: Uint8Array): Promise<number> {
  return (await blobWith(sys, bytes)).ref;
}

/** Counts from `LC_ALL=C tr -cs 'A-Za-z0-9' '\n' | tr 'A-Z' 'a-z' | sort | uniq -c` over `bytes` (empty words dropped). */
export function coreutilsCounts(bytes: Uint8Array): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'dios-apps-'));
  try {
    const file = join(dir, 'input');
    writeFileSync(file, bytes);
    const out = execFileSync(
      'sh',
      ['-c', `tr -cs 'A-Za-z0-9' '\\n' < "$1" | tr 'A-Z' 'a-z' | sort | uniq -c`, 'sh', file],
      {
        env: { ...process.env, LC_ALL: 'C' },
        maxBuffer: 1 << 30,
      },
    ).toString('latin1');
    const counts = new Map<string, number>();
    for (const line of out.split('\n')) {
      const m = /^\s*(\d+) (.*)$/.exec(line);
      if (m === null || m[2] === '') continue;
      counts.set(m[2]!, Number(m[1]));
    }
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Key counts as a map (and a check that no key appears twice). */
export function asMap(counts: readonly KeyCount[]): Map<string, number> {
  const map = new Map(counts.map((c) => [c.key, c.count]));
  if (map.size !== counts.length) throw new Error('a key appears twice');
  return map;
}

/** Whether `counts` is in output order: count descending, ties in byte order. */
export function inOutputOrder(counts: readonly KeyCount[]): boolean {
  return counts.every(
    (c, i) =>
      i === 0 || counts[i - 1]!.count > c.count || (counts[i - 1]!.count === c.count && counts[i - 1]!.key < c.key),
  );
}

/** Sorted entries of a map, for readable comparisons. */
export const entries = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => (a[0] < b[0] ? -1 : 1));
