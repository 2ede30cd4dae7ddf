import { constants } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiosError, Errno, errors, isDiosError, type ObjectType, type ErrnoCode } from '@dios/kernel';
import { boot, expectErrno } from './helpers.js';

const codes = Object.keys(Errno) as ErrnoCode[];

describe('Errno', () => {
  // Node's table is the host's; on Linux it is the numbering the kernel promises. libuv omits EHOSTDOWN (112 in asm-generic/errno.h).
  it.runIf(process.platform === 'linux')('uses the Linux numbering of every code', () => {
    const linux: Record<string, number | undefined> = { EHOSTDOWN: 112, ...constants.errno };
    for (const code of codes) {
      expect(linux[code], code).toBeDefined();
      expect(Errno[code], code).toBe(linux[code]);
    }
  });

  it('has distinct numbers', () => {
    expect(new Set(Object.values(Errno)).size).toBe(codes.length);
  });
});

describe('errors helpers and DiosError', () => {
  it('build a DiosError for every code with code, errno, syscall and argument', () => {
    for (const code of codes) {
      const e = errors[code]('read', 'ref', 'detail text');
      expect(e).toBeInstanceOf(DiosError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe('DiosError');
      expect(e.code).toBe(code);
      expect(e.errno).toBe(Errno[code]);
      expect(e.syscall).toBe('read');
      expect(e.argument).toBe('ref');
      expect(typeof e.stack).toBe('string');
    }
  });

  it('format the message as "CODE: description, syscall(argument): detail"', () => {
    const e = errors.EBADF('lookup', 'ref', 'reference 7 is not open');
    expect(e.message).toMatch(/^EBADF: [a-z ]+, lookup\(ref\): reference 7 is not open$/);
    const noArg = errors.ECANCELED('select', undefined, 'the task exited');
    expect(noArg.argument).toBeUndefined();
    expect(noArg.message).toMatch(/^ECANCELED: [a-z ]+, select: the task exited$/);
  });

  it('give each code its own description', () => {
    const descriptions = codes.map((code) => {
      const m = /^[A-Z]+: (.+), s: d$/.exec(errors[code]('s', undefined, 'd').message);
      expect(m, code).not.toBeNull();
      return m![1];
    });
    expect(new Set(descriptions).size).toBe(codes.length);
  });

  it('the public constructor rebuilds an error received over a transport', () => {
    const original = errors.EPIPE('beginWrite', 'ref', 'no reader');
    const rebuilt = new DiosError(original.code, original.syscall, original.argument, 'no reader');
    expect(rebuilt.message).toBe(original.message);
    expect(rebuilt.errno).toBe(original.errno);
  });
});

describe('messages name their code once', () => {
  const count = (text: string, code: string) => text.split(new RegExp(`\\b${code}\\b`)).length - 1;

  it('whatever the detail: one passed on from another error of the code keeps its text, not the code', () => {
    const code = fc.constantFrom(...codes);
    // Text that does not itself mention a code: what a caller means to say.
    const text = fc.string({ minLength: 1, maxLength: 40 }).filter((t) => !/\bE[A-Z]+\b/.test(t) && t.trim() === t);
    fc.assert(
      fc.property(code, text, fc.constantFrom('', 'ref', '/data/in.txt', undefined), fc.nat(6), (c, t, arg, shape) => {
        const passedOn = [
          t,
          `${c}: ${t}`,
          `${c} ${t}`,
          errors[c]('lookup', 'name', t).message,
          `${t} (${c})`,
          `listen ${c}: ${t}`,
          `${c}: ${c}: ${t} (${c})`,
        ][shape]!;
        const e = errors[c]('call', arg, passedOn);
        expect(count(e.message, c), e.message).toBe(1);
        expect(e.message.startsWith(`${c}: `)).toBe(true);
        expect(e.detail.endsWith(t), e.detail).toBe(true);
        expect(e.message.endsWith(e.detail)).toBe(true);
        // Rebuilt from its parts, as a transport does, it is the same error.
        expect(new DiosError(c, e.syscall, e.argument, e.detail).message).toBe(e.message);
      }),
    );
  });

  it('a detail that is only the code is the description', () => {
    expect(errors.ENOENT('open', '/x', 'ENOENT').message).toBe('ENOENT: no such object, open(/x): no such object');
    expect(errors.EIO('load', 'aof', 'EIO: input/output error, read').detail).toBe('read');
    // Another code in the detail is information, and stays.
    expect(errors.EIO('load', 'aof', 'ENOENT: no such object, x').detail).toBe('ENOENT: no such object, x');
  });
});

describe('isDiosError', () => {
  it('recognises DiosErrors, optionally of one code', () => {
    const e = errors.ENOENT('lookup', 'name', 'x');
    expect(isDiosError(e)).toBe(true);
    expect(isDiosError(e, 'ENOENT')).toBe(true);
    expect(isDiosError(e, 'EBADF')).toBe(false);
  });

  it('rejects other values, even look-alikes', () => {
    const lookalike = Object.assign(new Error('EBADF: bad reference'), { code: 'EBADF', errno: 9 });
    for (const v of [lookalike, new Error('x'), { code: 'EBADF' }, 'EBADF', undefined, null]) {
      expect(isDiosError(v)).toBe(false);
      expect(isDiosError(v, 'EBADF')).toBe(false);
    }
  });
});

describe('errors raised by system calls', () => {
  it('are DiosErrors naming the system call and the argument', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const e1 = await expectErrno(sys.beginRead(999), 'EBADF', 'ref');
    expect(e1.syscall).toBe('beginRead');
    expect(e1.message).toContain('beginRead(ref)');
    const e2 = await expectErrno(sys.create('nonsense' as ObjectType), 'EINVAL', 'type');
    expect(e2.syscall).toBe('create');
    expect(e2.message).toContain('"nonsense"');
    kernel.checkInvariants();
  });
});

describe('errors from another copy of the kernel module', () => {
  it('are DiosErrors to isDiosError when named so and carrying a known code', () => {
    // What a worker thread's copy of DiosError looks like to this copy.
    const foreign = Object.assign(new Error('EBADF: bad reference'), { name: 'DiosError', code: 'EBADF' });
    expect(isDiosError(foreign)).toBe(true);
    expect(isDiosError(foreign, 'EBADF')).toBe(true);
    expect(isDiosError(foreign, 'ENOENT')).toBe(false);
    expect(isDiosError(Object.assign(new Error('x'), { name: 'DiosError', code: 'EWHATEVER' }))).toBe(false);
    expect(isDiosError(Object.assign(new Error('x'), { code: 'EBADF' }))).toBe(false);
    expect(isDiosError({ name: 'DiosError', code: 'EBADF' })).toBe(false);
  });
});
