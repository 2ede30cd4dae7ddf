import { describe, expect, it } from 'vitest';
import { ObjectType } from '@dios/kernel';
import { EOF, fclose, feof, fflush, fgetc, fgets, fputs, fread, fwrite, stdio } from '@dios/libd';
import { boot, enc, expectErrno, spawn } from './stdio-helpers.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('stdio(sys)', () => {
  it('stdout is line-buffered: output appears at each newline, or at fflush', async () => {
    const { kernel, sys, out } = await boot();
    const { stdout } = await stdio(sys);
    await fputs(stdout, 'one ');
    await fputs(stdout, 'two');
    expect(out).toEqual([]);
    await fputs(stdout, ' three\nfour');
    expect(out).toEqual(['one two three\n']);
    await fflush(stdout);
    expect(out).toEqual(['one two three\n', 'four']);
    kernel.checkInvariants();
  });

  it('stderr is unbuffered: each write appears at once', async () => {
    const { kernel, sys, out } = await boot();
    const { stderr } = await stdio(sys);
    await fputs(stderr, 'a');
    expect(out).toEqual(['a']);
    await fwrite(stderr, enc('é'));
    expect(out).toEqual(['a', 'é']);
    kernel.checkInvariants();
  });

  it('stdin reads the console input, then reports its end', async () => {
    const { kernel, sys } = await boot();
    const { stdin } = await stdio(sys);
    kernel.console.pushInput(enc('first line\nsec'));
    kernel.console.pushInput(enc('ond line\n'));
    expect(await fgets(stdin, 100)).toBe('first line\n');
    const pending = fgets(stdin, 100);
    kernel.console.pushInput(enc('tail'));
    kernel.console.endInput();
    expect(await pending).toBe('second line\n');
    expect(await fgets(stdin, 100)).toBe('tail');
    expect(await fgetc(stdin)).toBe(EOF);
    expect(feof(stdin)).toBe(true);
    kernel.checkInvariants();
  });

  it('waiting for input first shows a prompt still buffered in stdout', async () => {
    const { kernel, sys, out } = await boot();
    const { stdin, stdout } = await stdio(sys);
    await fputs(stdout, 'name? ');
    expect(out).toEqual([]);
    const answer = fgets(stdin, 100);
    await tick();
    expect(out).toEqual(['name? ']);
    kernel.console.pushInput(enc('Ada\n'));
    expect(await answer).toBe('Ada\n');
    kernel.checkInvariants();
  });

  it('stdin is read-only and stdout write-only', async () => {
    const { kernel, sys } = await boot();
    const { stdin, stdout } = await stdio(sys);
    await expectErrno(fputs(stdin, 'x'), 'EBADF', 'stream');
    await expectErrno(fread(stdout, new Uint8Array(1)), 'EBADF', 'stream');
    kernel.checkInvariants();
  });

  it('gives a task the same three FILEs on every call; closing one leaves the others working', async () => {
    const { kernel, sys, out } = await boot();
    const first = await stdio(sys);
    const again = await stdio(sys);
    expect(again.stdout).toBe(first.stdout);
    expect(again.stdin).toBe(first.stdin);
    expect(new Set([first.stdin.handle, first.stdout.handle, first.stderr.handle]).size).toBe(3);
    const before = sys.handles.length;
    await fputs(first.stdout, 'bye');
    await fclose(first.stdout);
    expect(out).toEqual(['bye']);
    expect(sys.handles.length).toBe(before - 1);
    expect(first.stdout.closed).toBe(true);
    await expectErrno(fputs(first.stdout, 'x'), 'EBADF', 'stream', 'fputs');
    await fputs(first.stderr, 'still here');
    expect(out).toEqual(['bye', 'still here']);
    kernel.checkInvariants();
  });

  it('each task has its own', async () => {
    const { kernel, sys, out } = await boot();
    const other = await kernel.attachTask(['other']);
    const mine = await stdio(sys);
    const theirs = await stdio(other);
    expect(theirs.stdout).not.toBe(mine.stdout);
    await fputs(mine.stdout, 'a\n');
    await fputs(theirs.stdout, 'b\n');
    expect(out).toEqual(['a\n', 'b\n']);
    kernel.checkInvariants();
  });

  it('a task that cannot resolve the console name uses a console reference it holds, or fails with ENOENT', async () => {
    const { kernel, sys, out } = await boot();
    const group = await sys.create(ObjectType.GROUP);
    const consoleRef = sys.handles.find((h) => sys.ref(h).type === ObjectType.CONSOLE)!;
    const withConsole = await spawn(
      kernel,
      sys,
      async (c) => {
        const { stdout } = await stdio(c);
        await fputs(stdout, 'from a contained task\n');
        const before = c.handles;
        await fclose(stdout);
        expect(c.handles).toEqual(before); // the handed-in reference is not the FILE's to delete
      },
      { groups: [group.ref], outputs: [consoleRef] },
    );
    await withConsole.done;
    expect(out).toEqual(['from a contained task\n']);
    const without = await spawn(
      kernel,
      sys,
      async (c) => {
        await expectErrno(stdio(c), 'ENOENT');
        expect(c.handles).toEqual([c.self]);
      },
      { groups: [group.ref] },
    );
    await without.done;
    kernel.checkInvariants();
  });
});
