/**
 * RESP2 reply writer: replies are appended to one growing buffer, so a
 * batch of pipelined commands is answered with a single write. The buffer
 * never grows past a limit: what would is dropped and the writer says it
 * overflowed (the server then disconnects the client whose reply it was,
 * as Redis does past client-output-buffer-limit).
 * @module
 */
import { MAX_BUFFER_BYTES } from './limits.js';

/** Writes RESP2 values into a growable byte buffer. Strings are written as latin1 (keys are latin1 strings, see keyspace.ts). */
export class RespWriter {
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
    if (!this.#room(bytes.length)) return;
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
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

  /** `+s\r\n` (s must not hold CR or LF). */
  simple(s: string): void {
    this.text('+');
    this.text(s);
    this.#crlf();
  }

  /** `-message\r\n` (message such as `ERR syntax error`; newlines become spaces, as Redis does). */
  error(message: string): void {
    this.text('-');
    this.text(/[\r\n]/.test(message) ? message.replace(/[\r\n]+/g, ' ') : message);
    this.#crlf();
  }

  /** `:n\r\n`. */
  integer(n: number | bigint): void {
    this.text(`:${n}\r\n`);
  }

  /** `$len\r\n...\r\n`, or the null bulk `$-1\r\n` for null. */
  bulk(bytes: Uint8Array | null): void {
    if (bytes === null) {
      this.text('$-1\r\n');
      return;
    }
    this.text(`$${bytes.length}\r\n`);
    this.raw(bytes);
    this.#crlf();
  }

  /** A latin1 string as a bulk string. */
  bulkText(s: string): void {
    this.text(`$${s.length}\r\n`);
    this.text(s);
    this.#crlf();
  }

  /** `*n\r\n`; the n elements follow. */
  arrayHeader(n: number): void {
    this.text(`*${n}\r\n`);
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
