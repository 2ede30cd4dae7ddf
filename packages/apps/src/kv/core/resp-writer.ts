/**
 * RESP2 and RESP3 reply writer: replies are appended to one growing buffer, so a
 * batch of pipelined commands is answered with a single write. The buffer
 * never grows past a limit: what would is dropped and the writer says it
 * overflowed (the server then disconnects the client whose reply it was,
 * as Redis does past client-output-buffer-limit).
 * @module
 */
import { formatDouble } from './double.js';
import { MAX_BUFFER_BYTES } from './limits.js';

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Writes RESP values into a growable byte buffer. Strings are written as latin1 (keys are latin1 strings, see
 * keyspace.ts). The RESP3 types (map, set, double, null, boolean, push, verbatim) are written as their RESP2
 * equivalents while {@link RespWriter.protocol} is 2, as Redis does for a client that has not said HELLO 3.
 */
export class RespWriter {
  /** The protocol of the client being answered (HELLO sets it); 2 by default. */
  protocol: 2 | 3 = 2;
  #buf = new Uint8Array(16 * 1024);
  #len = 0;
  #limit = MAX_BUFFER_BYTES;
  #overflowed = false;

  /** Length past which writes are dropped (at most {@link MAX_BUFFER_BYTES}, which is the default). */
  get limit(): number {
    return this.#limit;
  }
  /** Sets the limit (clamped to {@link MAX_BUFFER_BYTES}). */
  set limit(n: number) {
    this.#limit = Math.min(n, MAX_BUFFER_BYTES);
  }

  /** Whether a write was dropped for want of room since the last {@link RespWriter.truncate} or reset: the bytes are then incomplete. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  /** Bytes written since the last {@link RespWriter.reset}. */
  get length(): number {
    return this.#len;
  }

  /** The bytes written (a view: valid until the next write or reset). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  /** Forgets what was written; shrinks a buffer that grew large, so one big reply does not pin memory. */
  reset(): void {
    this.truncate(0);
    if (this.#buf.length > 1 << 20) this.#buf = new Uint8Array(16 * 1024);
  }

  /** Drops what was written past `length` and clears {@link RespWriter.overflowed}. */
  truncate(length: number): void {
    if (length < this.#len) this.#len = length;
    this.#overflowed = false;
  }

  // Makes room for n more bytes; false (and overflowed) when that would pass the limit.
  #room(n: number): boolean {
    const need = this.#len + n;
    if (need > this.#limit || this.#overflowed) {
      this.#overflowed = true;
      return false;
    }
    if (need <= this.#buf.length) return true;
    const next = new Uint8Array(Math.min(Math.max(this.#buf.length * 2, need), this.#limit));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    return true;
  }

  /** Raw bytes. */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    if (!this.#room(n)) return;
    // A short value is copied faster by a loop than by set(), whose fixed cost dominates a few bytes.
    if (n <= 16) {
      const buf = this.#buf;
      const at = this.#len;
      for (let i = 0; i < n; i++) buf[at + i] = bytes[i]!;
    } else this.#buf.set(bytes, this.#len);
    this.#len += n;
  }

  /** A latin1 string's bytes, without framing. */
  text(s: string): void {
    const n = s.length;
    if (!this.#room(n)) return;
    const buf = this.#buf;
    let at = this.#len;
    for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i);
    this.#len = at;
  }

  #crlf(): void {
    if (!this.#room(2)) return;
    this.#buf[this.#len++] = 13;
    this.#buf[this.#len++] = 10;
  }

  // `<type><n>\r\n` written digit by digit: framing is on every reply, and a template string per reply is an allocation
  // the hot path does not need. `n` is a safe integer (lengths, counts, and integers that fit one).
  #line(type: number, n: number): void {
    const negative = n < 0;
    let v = negative ? -n : n;
    let digits = 1;
    for (let p = 10; p <= v; p *= 10) digits++;
    const size = digits + (negative ? 4 : 3);
    if (!this.#room(size)) return;
    const buf = this.#buf;
    const at = this.#len;
    buf[at] = type;
    if (negative) buf[at + 1] = 0x2d;
    for (let i = at + size - 3; i > at + size - 3 - digits; i--) {
      buf[i] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
    buf[at + size - 2] = 13;
    buf[at + size - 1] = 10;
    this.#len = at + size;
  }

  /** `+s\r\n` (s must not hold CR or LF). */
  simple(s: string): void {
    if (!this.#room(s.length + 3)) return;
    const buf = this.#buf;
    let at = this.#len;
    buf[at++] = 0x2b;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    buf[at++] = 13;
    buf[at++] = 10;
    this.#len = at;
  }

  /** `-message\r\n` (message such as `ERR syntax error`; newlines become spaces, as Redis does). */
  error(message: string): void {
    this.text('-');
    this.text(/[\r\n]/.test(message) ? message.replace(/[\r\n]+/g, ' ') : message);
    this.#crlf();
  }

  /** `:n\r\n`. */
  integer(n: number | bigint): void {
    if (typeof n === 'number' ? Number.isSafeInteger(n) : n >= MIN_SAFE && n <= MAX_SAFE) this.#line(0x3a, Number(n));
    else this.text(`:${n}\r\n`);
  }

  /** `$len\r\n...\r\n`, or for null the null bulk `$-1\r\n` (RESP3: `_\r\n`). */
  bulk(bytes: Uint8Array | null): void {
    if (bytes === null) {
      if (this.protocol === 3) this.text('_\r\n');
      else this.#line(0x24, -1);
      return;
    }
    this.#line(0x24, bytes.length);
    this.raw(bytes);
    this.#crlf();
  }

  /** A latin1 string as a bulk string. */
  bulkText(s: string): void {
    this.#line(0x24, s.length);
    this.text(s);
    this.#crlf();
  }

  /** `*n\r\n`; the n elements follow. */
  arrayHeader(n: number): void {
    this.#line(0x2a, n);
  }

  /** The null array `*-1\r\n` (RESP3: `_\r\n`). */
  nullArray(): void {
    if (this.protocol === 3) this.text('_\r\n');
    else this.#line(0x2a, -1);
  }

  /** A map of n pairs follows (key, value, key, value...): `%n` in RESP3, an array of 2n in RESP2. */
  mapHeader(n: number): void {
    if (this.protocol === 3) this.#line(0x25, n);
    else this.#line(0x2a, 2 * n);
  }

  /** A set of n elements follows: `~n` in RESP3, an array in RESP2. */
  setHeader(n: number): void {
    this.#line(this.protocol === 3 ? 0x7e : 0x2a, n);
  }

  /** An out-of-band push of n elements follows (pub/sub messages): `>n` in RESP3, an array in RESP2. */
  pushHeader(n: number): void {
    this.#line(this.protocol === 3 ? 0x3e : 0x2a, n);
  }

  /** A double: `,x` in RESP3, a bulk string in RESP2, formatted as Redis 7.0 does (see double.ts). */
  double(x: number): void {
    const s = formatDouble(x);
    if (this.protocol === 3) {
      this.text(`,${s}`);
      this.#crlf();
    } else this.bulkText(s);
  }

  /** A boolean: `#t`/`#f` in RESP3, the integer 1 or 0 in RESP2. */
  boolean(b: boolean): void {
    if (this.protocol === 3) this.text(b ? '#t\r\n' : '#f\r\n');
    else this.#line(0x3a, b ? 1 : 0);
  }

  /** Text for people (INFO): a verbatim string of format `txt` in RESP3, a bulk string in RESP2. */
  verbatim(s: string): void {
    if (this.protocol === 3) {
      this.#line(0x3d, s.length + 4);
      this.text('txt:');
      this.text(s);
      this.#crlf();
    } else this.bulkText(s);
  }

  /** A whole request (an array of bulk strings), as the AOF and the native client write them. */
  command(args: readonly (Uint8Array | string)[]): void {
    this.arrayHeader(args.length);
    for (const a of args) {
      if (typeof a === 'string') this.bulkText(a);
      else this.bulk(a);
    }
  }
}
