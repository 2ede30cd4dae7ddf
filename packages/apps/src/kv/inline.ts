/**
 * Inline requests (`SET a 1\r\n`, what telnet users type): splitting a line
 * into arguments with Redis' rules (sdssplitargs): blanks separate, "..."
 * takes \n \r \t \b \a \\ \" and \xHH escapes, '...' takes \'.
 * @module
 */

const ESCAPES: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 97: 7 };

function isSpace(c: number | undefined): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The arguments of an inline line, or undefined for unbalanced quotes (a protocol error). */
export function splitInline(line: Uint8Array): Uint8Array[] | undefined {
  const args: Uint8Array[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return args;
    const out: number[] = [];
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      const c = line[i];
      if (inDouble) {
        if (c === undefined) return undefined;
        if (c === 92 && line[i + 1] === 120 && hexValue(line[i + 2]) >= 0 && hexValue(line[i + 3]) >= 0) {
          out.push(hexValue(line[i + 2]) * 16 + hexValue(line[i + 3]));
          i += 3;
        } else if (c === 92 && i + 1 < n) {
          i++;
          const e = line[i]!;
          out.push(ESCAPES[e] ?? e);
        } else if (c === 34) {
          // A closing quote must be followed by a blank or the end.
          if (i + 1 < n && !isSpace(line[i + 1])) return undefined;
          i++;
          break;
        } else out.push(c);
      } else if (inSingle) {
        if (c === undefined) return undefined;
        if (c === 92 && line[i + 1] === 39) {
          i++;
          out.push(39);
        } else if (c === 39) {
          if (i + 1 < n && !isSpace(line[i + 1])) return undefined;
          i++;
          break;
        } else out.push(c);
      } else {
        if (c === undefined || isSpace(c)) break;
        if (c === 34) inDouble = true;
        else if (c === 39) inSingle = true;
        else out.push(c);
      }
      i++;
    }
    args.push(Uint8Array.from(out));
  }
}
