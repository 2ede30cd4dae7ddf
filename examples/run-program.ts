/**
 * The host side shared by the libd example programs (cat, cp, wc, tee):
 * boots a kernel whose console is this process's stdin and stdout, imports
 * the host files named on the command line into DIOS paths (the same path
 * text, so the program can open its arguments as given), runs the program
 * as a DIOS task, exports the files it wrote back to the host, and exits
 * with the task's status.
 * @module
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDiosError, Kernel, normalizePath } from '@dios/kernel';
import { exportFile, feedConsoleInput, FileBlobStore, importFile, writableConsoleSink } from '@dios/kernel/node';
import { defineProgram, installProgram, perror, spawn, wait, type ProgramContext } from '@dios/libd';

/** A libd program: C's `main(argv)`, with the task's system calls in `ctx.sys`; resolves to the exit status. */
export type Main = (argv: string[], ctx: ProgramContext) => Promise<number>;

/** What the host must do around a program, given its command-line arguments. */
export interface RunOptions {
  /** Arguments naming files the program writes: exported back to the host after it exits. */
  outputs?: (args: string[]) => string[];
  /** Whether the program reads stdin (then the host's stdin feeds the console). */
  readsStdin?: (args: string[]) => boolean;
}

/** A failure in the words coreutils use (`No such file or directory` for ENOENT, and so on), for the programs that mimic them. */
export function strerror(e: unknown): string {
  if (isDiosError(e, 'ENOENT')) return 'No such file or directory';
  if (isDiosError(e, 'EACCES')) return 'Permission denied';
  if (isDiosError(e)) return `${e.code} (${e.detail})`;
  return e instanceof Error ? e.message : String(e);
}

/** Runs `main` as a DIOS task named `name` on a fresh kernel, with this process's arguments; sets process.exitCode. */
export async function runProgram(name: string, main: Main, options: RunOptions = {}): Promise<void> {
  const args = process.argv.slice(2);
  const store = await mkdtemp(join(tmpdir(), `dios-${name}-`));
  try {
    const kernel = await Kernel.boot({ id: name, consoleSink: writableConsoleSink(), store: new FileBlobStore(store) });
    const sys = kernel.init;
    // Each existing host file becomes the durable blob at the same path; two host files may not share one.
    const seen = new Map<string, string>();
    for (const arg of args) {
      // An argument stat cannot read (a word, a missing file) is simply not a host file: it is passed on as it is.
      const info = await stat(arg).catch(() => undefined);
      if (arg === '-' || info === undefined || !info.isFile()) continue;
      const path = normalizePath(arg);
      const other = seen.get(path);
      if (other !== undefined && other !== resolve(arg))
        throw new Error(`${arg} and ${other} would share the DIOS path ${path}`);
      seen.set(path, resolve(arg));
      await importFile(sys, arg, arg);
    }
    // defineProgram makes main a kernel program that ends as C's exit does (atexit handlers, stdio flushed).
    const program = defineProgram(async (argv, ctx) => {
      try {
        return await main(argv, ctx);
      } catch (e) {
        // An error main did not handle: described on stderr, as C's perror would, and the program fails.
        await perror(ctx.sys, name, e);
        return 1;
      }
    });
    // The host registers the program; init writes its binary into a blob it can spawn.
    const binary = await installProgram(kernel, sys, name, program);
    const readsStdin = options.readsStdin?.(args) ?? false;
    const stopFeeding = readsStdin ? feedConsoleInput(kernel) : () => kernel.console.endInput();
    const child = await spawn(sys, binary, { argv: [name, ...args] });
    const status = await wait(sys, child);
    stopFeeding();
    if (readsStdin) process.stdin.destroy();
    process.exitCode = status;
    for (const out of options.outputs?.(args) ?? []) {
      await exportFile(sys, out, out).catch((e: unknown) => {
        if (!isDiosError(e, 'ENOENT')) throw e;
      });
    }
  } finally {
    await rm(store, { recursive: true, force: true });
  }
}
