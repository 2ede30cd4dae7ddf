/**
 * RESP2 reply writer: replies are appended to one growing buffer, so a
 * batch of pipelined commands is answered with a single write.
 * @module
 */

/** Writes RESP2 values into a growable byte buffer. Strings are written as latin1 (keys are latin1 strings, see keyspace.ts). */
export class RespWriter {
  #buf = new Uint8Array(16 * 1024);
  #len = 0;

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
    this.#len = 0;
    if (this.#buf.length > 1 << 20) this.#buf = new Uint8Array(16 * 1024);
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Raw bytes. */
  raw(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
  }

  /** A latin1 string's bytes, without framing. */
  text(s: string): void {
    const n = s.length;
    this.#room(n);
    const buf = this.#buf;
    let at = this.#len;
    for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i);
    this.#len = at;
  }

  #crlf(): void {
    this.#room(2);
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
