/**
 * Files at paths in the host's own name space (the root group, as init
 * sees it): where `load` puts host files, and what a container's
 * `--share PATH` finds. libd's fopen makes them (durable when the kernel has
 * a store) as it does any C program's files.
 * @module
 */
import type { SystemCalls } from '@dios/kernel';
import { fclose, fopen, fwrite } from '@dios/libd';

/** Replaces the file at `path` in `sys`'s first group with `bytes`, making it when missing. */
export async function writePath(sys: SystemCalls, path: string, bytes: Uint8Array): Promise<void> {
  const file = await fopen(sys, path, 'w');
  try {
    await fwrite(file, bytes);
  } finally {
    await fclose(file);
  }
}
