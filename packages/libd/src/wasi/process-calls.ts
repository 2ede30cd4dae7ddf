/**
 * The calls about the process rather than its files: args_*, environ_*
 * (the task's argv and env), clock_res_get and clock_time_get (realtime from
 * the epoch; monotonic and the CPU-time clocks from the thread's start),
 * random_get (the platform's cryptographic generator), sched_yield and
 * proc_exit (unwinds the program; the task exits with that status).
 * @module
 */
import { ProcExit, type WasiContext } from './context.js';
import { WasiErrno } from './errno.js';
import { utf8, type GuestMemory } from './guest-memory.js';

/** WASI clock ids (`__wasi_clockid_t`). */
const Clock = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 } as const;

/** The time of clock `id` in nanoseconds, or undefined for an unknown clock. */
export function clockNow(id: number): bigint | undefined {
  if (id === Clock.REALTIME) return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  if (id === Clock.MONOTONIC || id === Clock.PROCESS_CPUTIME || id === Clock.THREAD_CPUTIME)
    return BigInt(Math.round(performance.now() * 1e6));
  return undefined;
}

// Strings as C wants them: pointers into one buffer of NUL-terminated strings.
function writeStrings(mem: GuestMemory, strings: readonly string[], pointers: number, buffer: number): number {
  const encoded = strings.map((s) => utf8(`${s}\0`));
  mem.check(pointers, encoded.length * 4);
  let at = buffer;
  encoded.forEach((bytes, i) => {
    mem.write(at, bytes);
    mem.setU32(pointers + i * 4, at);
    at += bytes.length;
  });
  return WasiErrno.SUCCESS;
}

function writeSizes(mem: GuestMemory, strings: readonly string[], countPtr: number, sizePtr: number): number {
  mem.check(countPtr, 4);
  mem.check(sizePtr, 4);
  let size = 0;
  for (const s of strings) size += utf8(s).length + 1;
  mem.setU32(countPtr, strings.length);
  mem.setU32(sizePtr, size);
  return WasiErrno.SUCCESS;
}

/** The process calls of one task. */
export function processCalls(ctx: WasiContext) {
  const mem = ctx.memory;
  const argv = ctx.sys.argv;
  const environ = Object.entries(ctx.sys.env).map(([k, v]) => `${k}=${v}`);
  return {
    args_get: (pointers: number, buffer: number): number => writeStrings(mem, argv, pointers, buffer),
    args_sizes_get: (countPtr: number, sizePtr: number): number => writeSizes(mem, argv, countPtr, sizePtr),
    environ_get: (pointers: number, buffer: number): number => writeStrings(mem, environ, pointers, buffer),
    environ_sizes_get: (countPtr: number, sizePtr: number): number => writeSizes(mem, environ, countPtr, sizePtr),
    clock_res_get(id: number, ptr: number): number {
      mem.check(ptr, 8);
      if (clockNow(id) === undefined) return WasiErrno.INVAL;
      // performance.now() is given to the microsecond (coarser where the platform blurs it).
      mem.setU64(ptr, 1000n);
      return WasiErrno.SUCCESS;
    },
    clock_time_get(id: number, _precision: bigint, ptr: number): number {
      mem.check(ptr, 8);
      const now = clockNow(id);
      if (now === undefined) return WasiErrno.INVAL;
      mem.setU64(ptr, now);
      return WasiErrno.SUCCESS;
    },
    random_get(ptr: number, length: number): number {
      const dest = mem.bytes(ptr, length);
      // getRandomValues fills at most 64 KiB at a time.
      for (let at = 0; at < length; at += 65536)
        crypto.getRandomValues(dest.subarray(at, Math.min(length, at + 65536)));
      return WasiErrno.SUCCESS;
    },
    sched_yield: (): number => WasiErrno.SUCCESS,
    proc_exit(status: number): never {
      throw new ProcExit(status >>> 0);
    },
  };
}
