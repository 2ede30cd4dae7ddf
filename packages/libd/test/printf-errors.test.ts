/**
 * Every caller mistake is a DiosError EINVAL naming the argument at fault:
 * `format` for a malformed format, `args[i]` for a missing argument or one of
 * the wrong type, `size` for a bad snprintf size.
 */
import { describe, expect, it } from 'vitest';
import { DiosError, isDiosError } from '@dios/kernel';
import { snprintf, sprintf, vformat, type PrintfArg } from '@dios/libd';

/** Runs `f` and returns the DiosError it throws (failing if it throws none or something else). */
function caught(f: () => unknown): DiosError {
  try {
    f();
  } catch (e) {
    if (e instanceof DiosError) return e;
    throw e;
  }
  throw new Error('expected a DiosError, nothing was thrown');
}

describe('malformed formats', () => {
  it('an unknown conversion names format, the conversion and its offset', () => {
    const e = caught(() => sprintf('abc%y', 1));
    expect(e.code).toBe('EINVAL');
    expect(e.errno).toBe(22);
    expect(e.syscall).toBe('sprintf');
    expect(e.argument).toBe('format');
    expect(e.detail).toBe('unknown conversion %y at offset 3');
    expect(e.message).toBe('EINVAL: invalid argument, sprintf(format): unknown conversion %y at offset 3');
  });

  it('shows the whole specification up to the bad character', () => {
    expect(caught(() => sprintf('x %-5.2ly', 1)).detail).toBe('unknown conversion %-5.2ly at offset 2');
  });

  for (const [format, offset] of [
    ['%a', 0],
    ['%A', 0],
    ['%n', 0],
    ['%p', 0],
    ['%b', 0],
    ['%m', 0],
    ['%C', 0],
    ['%S', 0],
    ['%qd', 0],
    ['%hhhd', 0],
    ['%lLd', 0],
    ['%5*d', 0],
    ['%.5.3f', 0],
    ['ok %d %k', 6],
    ['%\u00e9', 0],
    ['%\u{1f600}', 0],
  ] as const) {
    it(`rejects ${JSON.stringify(format)} at offset ${offset}`, () => {
      const e = caught(() => sprintf(format, 1, 2, 3));
      expect(e.code).toBe('EINVAL');
      expect(e.argument).toBe('format');
      expect(e.detail).toMatch(new RegExp(`^unknown conversion %\\S* at offset ${offset}$`, 'u'));
    });
  }

  for (const format of ['%', 'abc%', '%5', '%-', '%.', '%.3', '%l', '%hh', '%*', '100%% and %']) {
    it(`rejects the dangling ${JSON.stringify(format)}`, () => {
      const e = caught(() => sprintf(format, 1, 2));
      expect(e.argument).toBe('format');
      expect(e.detail).toMatch(/^incomplete conversion specification %\S* at offset \d+: the format ends there$/);
      expect(e.detail).toContain(`at offset ${format.lastIndexOf('%')}`);
    });
  }

  it('rejects positional arguments', () => {
    const e = caught(() => sprintf('%1$d', 5));
    expect(e.argument).toBe('format');
    expect(e.detail).toContain('positional');
  });

  it('rejects a width or precision above INT_MAX written in the format', () => {
    expect(caught(() => sprintf('%2147483648d', 1)).argument).toBe('format');
    expect(caught(() => sprintf('%.2147483648f', 1)).detail).toMatch(
      /^precision 2147483648 in %\.2147483648 at offset 0: larger than INT_MAX/,
    );
  });

  it('reports a malformed format before any argument problem', () => {
    expect(caught(() => sprintf('%d %y', 'not a number')).argument).toBe('format');
  });

  it('rejects a format that is not a string', () => {
    expect(caught(() => sprintf(42 as unknown as string)).argument).toBe('format');
  });
});

describe('missing arguments', () => {
  it('names the first missing argument and the conversion that needs it', () => {
    const e = caught(() => sprintf('%d and %d', 1));
    expect(e.code).toBe('EINVAL');
    expect(e.argument).toBe('args[1]');
    expect(e.detail).toBe('missing: %d at offset 7 needs it for its value, but only 1 argument was given');
  });

  it('counts `*` arguments', () => {
    expect(caught(() => sprintf('%*d')).argument).toBe('args[0]');
    expect(caught(() => sprintf('%*d', 5)).argument).toBe('args[1]');
    expect(caught(() => sprintf('%*.*f', 5, 2)).detail).toContain('for its value');
    expect(caught(() => sprintf('%*.*f', 5)).detail).toContain('for its precision');
    expect(caught(() => sprintf('%s')).detail).toContain('only 0 arguments were given');
  });
});

describe('arguments of the wrong type', () => {
  const wrong: [string, unknown[], number][] = [
    ['%d', ['5'], 0],
    ['%d', [1.5], 0],
    ['%d', [NaN], 0],
    ['%x', [Infinity], 0],
    ['%s %u', ['a', '7'], 1],
    ['%f', ['1.5'], 0],
    ['%e', [1n], 0],
    ['%c', ['ab'], 0],
    ['%c', [''], 0],
    ['%c', [1.5], 0],
    ['%lc', [-1], 0],
    ['%lc', [0x110000], 0],
    ['%s', [undefined], 0],
    ['%s', [{}], 0],
    ['%s', [null], 0],
    ['%*d', [1.5, 1], 0],
    ['%*d', [2 ** 31, 1], 0],
    ['%.*f', [-(2 ** 31) - 1, 1], 0],
    ['%*d', ['3', 1], 0],
    ['%d %d %d', [1, 2, 'x'], 2],
  ];
  for (const [format, args, index] of wrong) {
    it(`${JSON.stringify(format)} rejects args[${index}] = ${typeof args[index] === 'bigint' ? `${args[index]}n` : (JSON.stringify(args[index]) ?? 'undefined')}`, () => {
      const e = caught(() => sprintf(format, ...(args as PrintfArg[])));
      expect(e.code).toBe('EINVAL');
      expect(e.argument).toBe(`args[${index}]`);
      expect(e.detail).toMatch(/ at offset \d+ expects .+, got /);
    });
  }

  it('says what was expected and what came', () => {
    expect(caught(() => sprintf('%5d', 'five')).detail).toBe(
      '%5d at offset 0 expects an integer (an integral number or a bigint), got string "five"',
    );
  });
});

describe('the reported function name', () => {
  it('is the public function, or the caller vformat is given', () => {
    expect(caught(() => sprintf('%y')).syscall).toBe('sprintf');
    expect(caught(() => snprintf(10, '%y')).syscall).toBe('snprintf');
    expect(caught(() => vformat('%y', [])).syscall).toBe('vformat');
    expect(caught(() => vformat('%d', [], 'fprintf')).syscall).toBe('fprintf');
  });
});

describe('snprintf size', () => {
  for (const size of [-1, 1.5, NaN, Infinity, '4' as unknown as number]) {
    it(`rejects ${String(size)}`, () => {
      const e = caught(() => snprintf(size, 'x'));
      expect(e.code).toBe('EINVAL');
      expect(e.argument).toBe('size');
    });
  }
});

describe('output too long for a string', () => {
  it('is ENOMEM rather than a RangeError', () => {
    const e = caught(() => sprintf('%2147483647d', 1));
    expect(isDiosError(e, 'ENOMEM')).toBe(true);
    expect(caught(() => sprintf('%.2147483647f', 1.5)).code).toBe('ENOMEM');
  });
});
