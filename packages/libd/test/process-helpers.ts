/** Helpers of libd's process tests: install a libd main as a program and run it to its exit status. */
import type { Kernel, SystemCalls } from '@dios/kernel';
import { defineProgram, installProgram, spawn, wait, type ProgramMain, type SpawnOptions } from '@dios/libd';

let programs = 0;

/** Registers `main` (through defineProgram) under a fresh id and writes its binary with `sys`; returns the id and the binary's handle. */
export async function install(
  kernel: Kernel,
  sys: SystemCalls,
  main: ProgramMain,
): Promise<{ id: string; binary: number }> {
  const id = `process-test-${++programs}`;
  return { id, binary: await installProgram(kernel, sys, id, defineProgram(main)) };
}

/** Installs `main`, spawns it from `sys` and waits for its exit status. */
export async function runToExit(
  kernel: Kernel,
  sys: SystemCalls,
  main: ProgramMain,
  options: Partial<SpawnOptions> = {},
): Promise<number> {
  const { id, binary } = await install(kernel, sys, main);
  const task = await spawn(sys, binary, { argv: [id], ...options });
  await sys.delete(binary);
  return wait(sys, task);
}

/** A promise with its resolve function outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
