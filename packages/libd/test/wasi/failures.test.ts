// Bad programs end as tasks with a clear line on stderr and a non-zero status; the kernel and other tasks go on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_LINK_FAILED, EXIT_NOT_RUNNABLE, EXIT_TRAP } from '@dios/libd/wasi';
import { bootWasi, C_DIR, clangMissing, compileC, runWasm, type WasiKernel } from './support.js';

const missing = clangMissing();

const enc = new TextEncoder();
const name = (s: string): number[] => [s.length, ...enc.encode(s)];
const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
// A module of one function type () -> i32 and one function import of it.
function importing(module: string, field: string): Uint8Array {
  const types = [0x01, 0x60, 0x00, 0x01, 0x7f];
  const imports = [0x01, ...name(module), ...name(field), 0x00, 0x00];
  return new Uint8Array([...HEADER, 0x01, types.length, ...types, 0x02, imports.length, ...imports]);
}

describe.skipIf(missing !== undefined)('WASI: failures', () => {
  let k: WasiKernel;
  let trap: Uint8Array;
  let misc: Uint8Array;
  beforeAll(async () => {
    trap = compileC(new URL('trap.c', C_DIR));
    misc = compileC(new URL('misc.c', C_DIR));
    k = await bootWasi();
  });
  afterAll(() => k?.close());

  it.each([
    ['unreachable', EXIT_TRAP, /trap: unreachable/],
    ['oob', EXIT_TRAP, /trap: memory access out of bounds/],
    ['abort', EXIT_TRAP, /trap: unreachable/],
    ['exit', 42, /^$/],
  ])('%s: status %i and one line on stderr', async (how, status, message) => {
    const r = await runWasm(k.sys, trap, { argv: ['trap', how] });
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n').filter((l) => l.length > 0).length).toBeLessThanOrEqual(1);
    expect(r.status).toBe(status);
    k.kernel.checkInvariants();
  });

  it('an import preview1 does not define, or from a module no one provides: link error 127', async () => {
    const notWasi = await runWasm(k.sys, importing('wasi_snapshot_preview1', 'not_a_call'), { argv: ['bad'] });
    expect(notWasi.status).toBe(EXIT_LINK_FAILED);
    expect(notWasi.stderr).toBe(
      'bad: link error: import wasi_snapshot_preview1.not_a_call is not a WASI preview1 function\n',
    );
    const env = await runWasm(k.sys, compileC(new URL('missing-import.c', C_DIR), ['-Wl,--allow-undefined']));
    expect(env.status).toBe(EXIT_LINK_FAILED);
    expect(env.stderr).toMatch(/link error: import module "env" is not provided/);
    const notDios = await runWasm(k.sys, importing('dios', 'dios_frobnicate'));
    expect(notDios.status).toBe(EXIT_LINK_FAILED);
    expect(notDios.process).toBe('hybrid');
    // A preview1 function with the wrong type: the engine's LinkError.
    const wrongType = await runWasm(k.sys, importing('wasi_snapshot_preview1', 'fd_write'));
    expect(wrongType.status === EXIT_LINK_FAILED || wrongType.status === EXIT_NOT_RUNNABLE).toBe(true);
    expect(wrongType.stderr).not.toBe('');
    k.kernel.checkInvariants();
  });

  it('a module that does not compile: status 126', async () => {
    // Well-formed sections up to the imports (what run checks), then a code section for functions never declared.
    const bytes = new Uint8Array([
      ...importing('wasi_snapshot_preview1', 'sched_yield'),
      0x0a,
      0x04,
      0x01,
      0x02,
      0x00,
      0x0b,
    ]);
    const r = await runWasm(k.sys, bytes, { argv: ['broken'] });
    expect(r.status).toBe(EXIT_NOT_RUNNABLE);
    expect(r.stderr).toMatch(/^broken: not a valid WebAssembly module: /);
    const noStart = await runWasm(k.sys, importing('wasi_snapshot_preview1', 'sched_yield'), { argv: ['lib'] });
    expect(noStart.status).toBe(EXIT_NOT_RUNNABLE);
    expect(noStart.stderr).toMatch(/no memory or no _start/);
    k.kernel.checkInvariants();
  });

  it('clocks, random numbers, a poll_oneoff timeout, and EFAULT for pointers outside memory', async () => {
    const r = await runWasm(k.sys, misc, { argv: ['misc'] });
    expect(r.stdout).toBe(
      [
        'realtime after 2020: 1',
        'nanosleep: 0',
        'monotonic waited >= 30ms: 1',
        'random differs: 1',
        'fd_write bad iovec buffer: 21',
        'fd_write bad iovec array: 21',
        'random_get bad buffer: 21',
        'clock_time_get bad out: 21',
        'path_open bad path: 21',
        'fd_close bad fd: 8',
        'fd_renumber (not implemented): 52',
        'clock_time_get bad clock: 28',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(0);
    k.kernel.checkInvariants();
  });

  it('the kernel and other tasks go on after a trapping task', async () => {
    const [trapped, exited, ok] = await Promise.all([
      runWasm(k.sys, trap, { argv: ['trap', 'oob'] }),
      runWasm(k.sys, trap, { argv: ['trap', 'exit'] }),
      runWasm(k.sys, trap, { argv: ['trap', 'none'] }),
    ]);
    expect([trapped.status, exited.status, ok.status]).toEqual([EXIT_TRAP, 42, 0]);
    expect(ok.stdout).toBe('before\n');
    expect(k.failures).toEqual([]);
    k.kernel.checkInvariants();
  });
});
