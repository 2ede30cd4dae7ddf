/**
 * Reading RESP2 replies (what the native client receives): simple strings,
 * errors, integers, bulk strings and arrays, possibly nested.
 * @module
 */

/** An error reply (`-ERR ...`) inside an array; a top-level one is thrown by the client instead. */
export class KvErrorReply {
  /** The error text without the leading '-', e.g. `ERR syntax error`. */
  readonly message: string;
  /** Wraps an error reply's text. */
  constructor(message: string) {
    this.message = message;
  }
}

/** A decoded reply: simple string, integer, bulk bytes, null (nil), array, or an error reply. */
export type KvReply = string | number | Uint8Array | null | KvErrorReply | KvReply[];

const decoder = new TextDecoder();

function lineEnd(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) if (buf[i] === 13 && buf[i + 1] === 10) return i;
  return -1;
}

/** A reply read from bytes, and where it ended. */
export interface ParsedReply {
  /** The reply. */
  value: KvReply;
  /** Offset just past it. */
  end: number;
}

/** The reply starting at `at` in `buf` and where it ends, or undefined if it is not all there yet. Throws a TypeError for bytes that are not RESP. */
export function parseReply(buf: Uint8Array, at = 0): ParsedReply | undefined {
  if (at >= buf.length) return undefined;
  const eol = lineEnd(buf, at + 1);
  if (eol < 0) return undefined;
  const line = decoder.decode(buf.subarray(at + 1, eol));
  const next = eol + 2;
  switch (buf[at]) {
    case 0x2b: // '+'
      return { value: line, end: next };
    case 0x2d: // '-'
      return { value: new KvErrorReply(line), end: next };
    case 0x3a: // ':'
      return { value: Number(line), end: next };
    case 0x24: {
      // '$'
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      if (buf.length < next + n + 2) return undefined;
      return { value: buf.slice(next, next + n), end: next + n + 2 };
    }
    case 0x2a: {
      // '*'
      const n = Number(line);
      if (n < 0) return { value: null, end: next };
      const items: KvReply[] = [];
      let pos = next;
      for (let i = 0; i < n; i++) {
        const item = parseReply(buf, pos);
        if (item === undefined) return undefined;
        items.push(item.value);
        pos = item.end;
      }
      return { value: items, end: pos };
    }
    default:
      throw new TypeError(`not a RESP reply: first byte ${buf[at]}`);
  }
}
