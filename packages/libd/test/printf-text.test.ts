/**
 * %c, %s, %% and literal text. Table rows follow C and were checked once
 * against glibc; the JavaScript-specific cases (numbers for %s, Unicode for %lc)
 * are libd's own documented choices.
 */
import { describe, expect, it } from 'vitest';
import { sprintf, type PrintfArg } from '@dios/libd';

type Case = [format: string, args: PrintfArg[], expected: string];

const show = ([format, args]: Case) => `${JSON.stringify(format)} <- ${args.map((a) => JSON.stringify(a)).join(', ')}`;

function table(name: string, cases: Case[]): void {
  describe(name, () => {
    for (const c of cases) it(show(c), () => expect(sprintf(c[0], ...c[1])).toBe(c[2]));
  });
}

table('%c', [
  ['%c', [65], 'A'],
  ['%c', ['A'], 'A'],
  ['%c%c%c', [97, 'b', 99], 'abc'],
  ['%c', [321], 'A'],
  ['%c', [-191], 'A'],
  ['%c', [0], '\0'],
  ['%c', [255], '\u00ff'],
  ['%5c', ['x'], '    x'],
  ['%-5c|', ['x'], 'x    |'],
  ['%05c', ['x'], '    x'],
  ['%.3c', ['x'], 'x'],
  ['%+c', ['x'], 'x'],
  ['% c', ['x'], 'x'],
  ['%*c', [3, 'x'], '  x'],
  ['%*c|', [-3, 'x'], 'x  |'],
  ['%lc', [65], 'A'],
]);

table('%s', [
  ['%s', ['hello'], 'hello'],
  ['%s', [''], ''],
  ['[%s]', ['a b'], '[a b]'],
  ['%10s', ['hi'], '        hi'],
  ['%-10s|', ['hi'], 'hi        |'],
  ['%1s', ['hello'], 'hello'],
  ['%.3s', ['abcdef'], 'abc'],
  ['%.0s', ['abc'], ''],
  ['%.s', ['abc'], ''],
  ['%.10s', ['abc'], 'abc'],
  ['%5.2s|', ['abc'], '   ab|'],
  ['%-5.2s|', ['abc'], 'ab   |'],
  ['%*s', [4, 'a'], '   a'],
  ['%-*s|', [4, 'a'], 'a   |'],
  ['%*s|', [-4, 'a'], 'a   |'],
  ['%.*s', [2, 'abc'], 'ab'],
  ['%.*s', [-1, 'abc'], 'abc'],
  ['%05s', ['ab'], '   ab'],
  ['%+s', ['x'], 'x'],
  ['% s', ['x'], 'x'],
  ['%#s', ['x'], 'x'],
  ['%ls', ['wide'], 'wide'],
  ['%s', ['%d'], '%d'],
]);

table('%% and literal text', [
  ['', [], ''],
  ['plain text', [], 'plain text'],
  ['tab\tnew\n', [], 'tab\tnew\n'],
  ['%%', [], '%'],
  ['100%%', [], '100%'],
  ['%%d', [], '%d'],
  ['a%%b%%c', [], 'a%b%c'],
  ['%5%', [], '%'],
  ['%-5%', [], '%'],
  ['%*%|%d', [5, 7], '%|7'],
  ['%s=%d (%5.1f%%)', ['x', 3, 42.25], 'x=3 ( 42.2%)'],
  ['%d', [1, 2, 3], '1'],
]);

describe('JavaScript arguments', () => {
  it('%s writes numbers and bigints with String()', () => {
    expect(sprintf('%s|%s|%s|%s', 42, 1.5, -0, 12n)).toBe('42|1.5|0|12');
    expect(sprintf('%.2s|%5s', 12345, 1e21)).toBe('12|1e+21');
  });

  it('%c takes a one-character string outside Latin-1 as it is, including an astral character', () => {
    expect(sprintf('%c', '\u263a')).toBe('\u263a');
    expect(sprintf('[%3c]', '\u{1f600}')).toBe('[ \u{1f600}]'); // width counts UTF-16 code units
  });

  it('%c keeps the low 8 bits of a code as C does; %lc takes a Unicode code point', () => {
    expect(sprintf('%c', 0x263a)).toBe(String.fromCharCode(0x3a));
    expect(sprintf('%lc', 0x263a)).toBe('\u263a');
    expect(sprintf('%lc', 0x1f600n)).toBe('\u{1f600}');
    expect(sprintf('%c', 321n)).toBe('A');
  });

  it('%s counts precision and width in UTF-16 code units', () => {
    expect(sprintf('%.2s|%4s', 'h\u00e9llo', '\u00e9')).toBe('h\u00e9|   \u00e9');
  });
});
