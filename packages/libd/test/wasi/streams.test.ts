// stdin, stdout and stderr through the task's streams; argv, env and the exit status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootWasi, C_DIR, clangMissing, compileC, runWasm, type WasiKernel } from './support.js';

const missing = clangMissing();

describe.skipIf(missing !== undefined)('WASI: standard streams, args, env, exit status', () => {
  let k: WasiKernel;
  let image: Uint8Array;
  beforeAll(async () => {
    image = compileC(new URL('stdio.c', C_DIR));
    k = await bootWasi();
  });
  afterAll(() => k?.close());

  it('reads stdin, writes stdout and stderr, sees argv and env, exits with its status', async () => {
    const r = await runWasm(k.sys, image, {
      argv: ['stdio', '3', 'two words'],
      env: { GREETING: 'hej' },
      stdin: 'abc\ndef\n',
    });
    expect(r.stdout).toBe('argc=3 [3] [two words]\nGREETING=hej\nABC\nDEF\n');
    expect(r.stderr).toBe('read 8 bytes\n');
    expect(r.status).toBe(3);
    expect(r.process).toBe('legacy');
    expect(k.failures).toEqual([]);
    k.kernel.checkInvariants();
  });

  it('poll: stdin with nothing yet times out, with input it is readable; stdout and files are ready', async () => {
    const poll = compileC(new URL('poll.c', C_DIR));
    const waiting = await runWasm(k.sys, poll, { argv: ['poll'], stdinOpen: true });
    expect(waiting.stdout).toBe('stdin: 0 - after the timeout\nstdout: 1 POLLOUT\nfile: 1 POLLIN POLLOUT\n');
    const ready = await runWasm(k.sys, poll, { argv: ['poll'], stdin: 'x' });
    expect(ready.stdout).toBe('stdin: 1 POLLIN\nstdout: 1 POLLOUT\nfile: 1 POLLIN POLLOUT\n');
    k.kernel.checkInvariants();
  });

  it('output gathered for streams keeps its order across stdout and stderr on one stream, and all of it arrives', async () => {
    const lines = 50_000;
    const r = await runWasm(k.sys, compileC(new URL('interleave.c', C_DIR)), {
      argv: ['interleave', String(lines)],
      mergeStderr: true,
    });
    const numbered = Array.from({ length: lines }, (_, i) => `line ${String(i).padStart(6, '0')}\n`).join('');
    expect(r.stdout).toBe(`out 0\nerr 0\nout 1\nerr 1\nout 2\nerr 2\n${numbered}`);
    expect(r.status).toBe(0);
    k.kernel.checkInvariants();
  });

  it('an empty stdin and no arguments: status 0', async () => {
    const r = await runWasm(k.sys, image, { argv: ['stdio'] });
    expect(r.stdout).toBe('argc=1\nGREETING=(unset)\n');
    expect(r.stderr).toBe('read 0 bytes\n');
    expect(r.status).toBe(0);
    k.kernel.checkInvariants();
  });
});
