/**
 * printf, puts and putchar write to the task's stdout (line-buffered, like
 * C's), and perror to its stderr: what they print is read back from the
 * kernel's console.
 */
import { describe, expect, it } from 'vitest';
import {
  defineProgram,
  fflush,
  fopen,
  perror,
  printf,
  putchar,
  puts,
  spawn,
  stdio,
  wait,
  writeBinary,
} from '@dios/libd';
import { boot, expectErrno } from './stdio-helpers.js';

describe('printf, puts, putchar', () => {
  it('print to stdout, return bytes written, and wait for a newline as stdout does', async () => {
    const { kernel, sys, out } = await boot();
    // π is two bytes in UTF-8: 2 + 1 + 5 + 1.
    expect(await printf(sys, '%s=%5.1f|', 'π', 3.14159)).toBe(9);
    expect(out).toEqual([]);
    expect(await puts(sys, 'done')).toBe(5);
    expect(out.join('')).toBe('π=  3.1|done\n');
    expect(await putchar(sys, 'é')).toBe(0xe9);
    expect(await putchar(sys, 0x100 + 0x21)).toBe(0x21);
    expect(await putchar(sys, 10)).toBe(10);
    expect(out.join('')).toBe('π=  3.1|done\né!\n');
    kernel.checkInvariants();
  });

  it('reject bad arguments with EINVAL naming them', async () => {
    const { sys } = await boot();
    await expectErrno(putchar(sys, 'ab'), 'EINVAL', 'c', 'putchar');
    await expectErrno(putchar(sys, 1.5), 'EINVAL', 'c', 'putchar');
    await expectErrno(puts(sys, 3 as never), 'EINVAL', 'text', 'puts');
    await expectErrno(printf(sys, '%d'), 'EINVAL', undefined, 'printf');
  });
});

describe('perror', () => {
  it('describes the error given, or the last one a libd call threw, on stderr', async () => {
    const { kernel, sys, out } = await boot();
    const { stdout } = await stdio(sys);
    let caught: unknown;
    await fopen(sys, '/no/such', 'r').catch((e: unknown) => (caught = e));
    await perror(sys, 'cat', caught);
    await perror(sys, 'again');
    await perror(sys);
    await printf(sys, 'kept');
    await perror(sys, 'plain', new Error('something else'));
    const lines = out.join('').split('\n');
    const described = "ENOENT: no such object, fopen(/no/such): nothing at this path in the task's first group";
    expect(lines.slice(0, 3)).toEqual([`cat: ${described}`, `again: ${described}`, described]);
    // stderr is unbuffered: the line does not wait for stdout's.
    expect(lines[3]).toBe('plain: something else');
    await fflush(stdout);
    expect(out.join('')).toMatch(/something else\nkept$/);
    kernel.checkInvariants();
  });

  it('says so when no error was recorded', async () => {
    const { sys, out } = await boot();
    await perror(sys, 'x');
    expect(out.join('')).toBe('x: no error recorded\n');
  });

  it('in a program run with spawn: its output is flushed at exit and wait gets its status', async () => {
    const { kernel, sys, out } = await boot();
    const program = defineProgram(async (argv, { sys: task }) => {
      await printf(task, '%s got %d argument(s)\n', argv[0]!, argv.length - 1);
      // C-style: the failure is left to lastError, and perror describes it.
      if ((await fopen(task, argv[1]!, 'r').catch(() => undefined)) === undefined) await perror(task, argv[0]);
      await printf(task, 'no newline at the end');
      return 3;
    });
    await writeBinary(sys, kernel.registerProgram('stdout-test', program), '/bin/stdout-test');
    const child = await spawn(sys, '/bin/stdout-test', { argv: ['t', '/missing'] });
    expect(await wait(sys, child)).toBe(3);
    expect(out.join('')).toBe(
      't got 1 argument(s)\n' +
        "t: ENOENT: no such object, fopen(/missing): nothing at this path in the task's first group\n" +
        'no newline at the end',
    );
    kernel.checkInvariants();
  });
});
