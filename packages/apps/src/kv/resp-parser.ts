/**
 * Incremental RESP2 request parser: multibulk (`*N\r\n$len\r\n...`) and
 * inline commands, fed whatever a read returned. Limits and messages follow
 * Redis (bulk > 512 MB, multibulk > 1M elements, inline line > 64 KiB are
 * protocol errors, and so is an incomplete request over the query buffer
 * limit). It holds at most about twice the bytes it was fed: a bulk length
 * announced is not allocated before its bytes arrive.
 * @module
 */
import { plainBytes } from './core/bytes.js';
import { splitInline } from './inline.js';
import { DEFAULT_KV_LIMITS } from './core/limits.js';

/** Largest bulk string (bytes) by default, as Redis' proto-max-bulk-len. */
export const MAX_BULK_BYTES = DEFAULT_KV_LIMITS.maxBulkBytes;
/** Most elements of one multibulk request. */
export const MAX_MULTIBULK = 1024 * 1024;
/** Longest inline request or count line (bytes). */
export const MAX_INLINE_BYTES = 64 * 1024;

/** A request the client got wrong at the protocol level; the connection is closed after the reply. */
export class RespProtocolError extends Error {
  /** `message` is what follows `-ERR ` on the wire, e.g. `Protocol error: invalid bulk length`. */
  constructor(message: string) {
    super(message);
    this.name = 'RespProtocolError';
  }
}

/** An incomplete request grew past the query buffer limit (Redis' client-query-buffer-limit). */
export class RespQueryLimitError extends RespProtocolError {
  /** `held`: the bytes the request had reached; `limit`: the limit. */
  constructor(held: number, limit: number) {
    super(`Protocol error: query buffer limit reached (${held} bytes of an incomplete request, limit ${limit})`);
    this.name = 'RespQueryLimitError';
  }
}

/** Limits of one parser (defaults: Redis'). */
export interface RespParserLimits {
  /** Longest bulk string. */
  maxBulkBytes?: number;
  /** Most bytes an incomplete request may hold. */
  queryBufferBytes?: number;
}

const CR = 13;
// Nothing: never written to (a buffer of length 0 has no room for a write).
const EMPTY = new Uint8Array(0);
const LF = 10;

/**
 * Parses requests out of the bytes fed to it. Arguments returned by
 * {@link RespParser.next} may be views of the fed chunk: use them before
 * the chunk is given back (copy what is kept), then call
 * {@link RespParser.retain} so that unparsed bytes survive.
 */
export class RespParser {
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #end = 0;
  // Whether #buf is ours (may be kept across reads) or the caller's chunk.
  #owned = true;
  // Multibulk in progress: elements still to read, and those read so far.
  #pending = 0;
  #args: Uint8Array[] = [];
  // How many of #args (from the first) are copies of ours rather than views of a buffer; their total length.
  #argsOwned = 0;
  #argBytes = 0;
  readonly #maxBulk: number;
  readonly #queryLimit: number;

  /** A parser enforcing `limits`. */
  constructor(limits: RespParserLimits = {}) {
    this.#maxBulk = limits.maxBulkBytes ?? DEFAULT_KV_LIMITS.maxBulkBytes;
    this.#queryLimit = limits.queryBufferBytes ?? DEFAULT_KV_LIMITS.queryBufferBytes;
  }
  // Length of the bulk string whose bytes are awaited (-1: none).
  #bulkLen = -1;

  /** Bytes fed and not yet parsed into a complete request. */
  get buffered(): number {
    return this.#end - this.#pos + (this.#pending > 0 || this.#args.length > 0 ? 1 : 0);
  }

  /** Bytes of memory the parser holds: its own buffer and the arguments it copied (a chunk fed and not yet retained is the caller's). */
  get memory(): number {
    let n = this.#owned ? this.#buf.length : 0;
    for (let i = 0; i < this.#argsOwned; i++) n += this.#args[i]!.length;
    return n;
  }

  /** Adds a chunk. Without leftovers it is parsed in place (no copy). */
  feed(chunk: Uint8Array): void {
    // Arguments are subarrays of it, which commands copy with slice(): that must be Uint8Array's slice.
    chunk = plainBytes(chunk);
    if (this.#pos === this.#end) {
      this.#buf = chunk;
      this.#pos = 0;
      this.#end = chunk.length;
      this.#owned = false;
      return;
    }
    this.#reserve(chunk.length);
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  // Makes #buf owned with room for `more` bytes past #end, dropping parsed bytes.
  #reserve(more: number): void {
    const live = this.#end - this.#pos;
    if (this.#owned && this.#end + more <= this.#buf.length) return;
    let target = this.#buf;
    if (!this.#owned || live + more > this.#buf.length) {
      // Doubling, but not past the end of the bulk string awaited: memory follows the bytes received, not a length announced.
      let size = Math.max(2 * live, 4096);
      if (this.#bulkLen >= 0) size = Math.min(size, this.#bulkLen + 2);
      target = new Uint8Array(Math.max(live + more, size));
    }
    // Pending multibulk args may point into the bytes about to move: copy them out first.
    this.#ownArgs();
    if (target === this.#buf) this.#buf.copyWithin(0, this.#pos, this.#end);
    else target.set(this.#buf.subarray(this.#pos, this.#end), 0);
    this.#buf = target;
    this.#owned = true;
    this.#end = live;
    this.#pos = 0;
  }

  /** Call before the fed chunk is given back: copies what is left unparsed (and partial arguments) into the parser's own memory. */
  retain(): void {
    if (this.#owned) {
      // A big request's buffer is not kept for an idle client.
      if (this.#pos === this.#end && this.#buf.length > 64 * 1024) this.#buf = EMPTY;
      return;
    }
    this.#ownArgs();
    // Usually a read ends where a request does: nothing to copy, and no empty copy made per read.
    const live = this.#pos === this.#end ? EMPTY : this.#buf.subarray(this.#pos, this.#end);
    this.#buf = live.length === 0 ? EMPTY : live.slice();
    this.#pos = 0;
    this.#end = live.length;
    this.#owned = true;
  }

  // Copies the pending args that are still views (each is copied once, however many reads the request spans).
  #ownArgs(): void {
    const args = this.#args;
    for (let i = this.#argsOwned; i < args.length; i++) args[i] = args[i]!.slice();
    this.#argsOwned = args.length;
  }

  /**
   * The next complete request (its arguments), or undefined when more bytes
   * are needed. Throws {@link RespProtocolError} (a {@link RespQueryLimitError}
   * when an incomplete request holds more than the query buffer limit).
   */
  next(): Uint8Array[] | undefined {
    const args = this.#next();
    if (args === undefined) {
      const held = this.#argBytes + this.#end - this.#pos;
      if (held > this.#queryLimit) throw new RespQueryLimitError(held, this.#queryLimit);
    }
    return args;
  }

  #next(): Uint8Array[] | undefined {
    for (;;) {
      if (this.#pending === 0) {
        if (this.#pos >= this.#end) return undefined;
        if (this.#buf[this.#pos] !== 0x2a /* '*' */) {
          const inline = this.#inline();
          if (inline === undefined) return undefined;
          if (inline.length === 0) continue;
          return inline;
        }
        // Most requests are whole in the buffer: read at one go; anything else (cut short, or wrong) goes the long way.
        const whole = this.#whole();
        if (whole !== undefined) return whole;
        const count = this.#countLine(
          MAX_MULTIBULK,
          'Protocol error: too big mbulk count string',
          'Protocol error: invalid multibulk length',
        );
        if (count === undefined) return undefined;
        if (count <= 0) continue;
        this.#pending = count;
        this.#args = [];
        this.#argsOwned = 0;
        this.#argBytes = 0;
      }
      while (this.#pending > 0) {
        if (this.#bulkLen < 0) {
          if (this.#pos >= this.#end) return undefined;
          const c = this.#buf[this.#pos]!;
          if (c !== 0x24 /* '$' */) {
            throw new RespProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(c)}'`);
          }
          const len = this.#countLine(
            this.#maxBulk,
            'Protocol error: too big bulk count string',
            'Protocol error: invalid bulk length',
          );
          if (len === undefined) return undefined;
          if (len < 0) throw new RespProtocolError('Protocol error: invalid bulk length');
          this.#bulkLen = len;
        }
        // The payload and its CRLF (which, as Redis does, is skipped unchecked).
        if (this.#end - this.#pos < this.#bulkLen + 2) return undefined;
        this.#args.push(this.#buf.subarray(this.#pos, this.#pos + this.#bulkLen));
        this.#argBytes += this.#bulkLen;
        this.#pos += this.#bulkLen + 2;
        this.#bulkLen = -1;
        this.#pending--;
      }
      const args = this.#args;
      this.#args = [];
      this.#argsOwned = 0;
      this.#argBytes = 0;
      return args;
    }
  }

  // A whole well-formed multibulk request at #pos (a '*'), in local variables; undefined, with nothing changed, for a
  // request cut short or anything out of the ordinary (a sign, a limit passed, a line not ended by CRLF), which the
  // general path then reads (and refuses) as it always did: this path only ever agrees with it.
  #whole(): Uint8Array[] | undefined {
    const buf = this.#buf;
    const end = this.#end;
    let p = this.#pos + 1;
    let count = 0;
    const countStart = p;
    for (let d = buf[p]! - 48; p < end && d >= 0 && d <= 9; d = buf[++p]! - 48) count = count * 10 + d;
    if (p === countStart || p - countStart > 7 || p + 1 >= end || buf[p] !== CR || buf[p + 1] !== LF) return undefined;
    if (count === 0 || count > MAX_MULTIBULK) return undefined;
    p += 2;
    const args: Uint8Array[] = [];
    for (let k = 0; k < count; k++) {
      if (p >= end || buf[p] !== 0x24 /* '$' */) return undefined;
      const lenStart = ++p;
      let len = 0;
      for (let d = buf[p]! - 48; p < end && d >= 0 && d <= 9; d = buf[++p]! - 48) len = len * 10 + d;
      if (p === lenStart || p - lenStart > 10 || p + 1 >= end || buf[p] !== CR || buf[p + 1] !== LF) return undefined;
      if (len > this.#maxBulk) return undefined;
      p += 2;
      // The payload and its CRLF (skipped unchecked, as the general path and Redis do).
      if (end - p < len + 2) return undefined;
      args.push(buf.subarray(p, p + len));
      p += len + 2;
    }
    this.#pos = p;
    return args;
  }

  // Parses `<c><integer>\r\n` at #pos (c is '*' or '$'); undefined when the line is incomplete.
  #countLine(max: number, tooBig: string, invalid: string): number | undefined {
    const buf = this.#buf;
    const start = this.#pos + 1;
    let i = start;
    const end = this.#end;
    while (i < end && buf[i] !== CR) i++;
    if (i >= end - 1) {
      if (end - this.#pos > MAX_INLINE_BYTES) throw new RespProtocolError(tooBig);
      return undefined;
    }
    const n = parseLine(buf, start, i);
    if (n === undefined || n > max) throw new RespProtocolError(invalid);
    this.#pos = i + 2;
    return n;
  }

  #inline(): Uint8Array[] | undefined {
    const buf = this.#buf;
    const nl = buf.indexOf(LF, this.#pos);
    if (nl < 0 || nl >= this.#end) {
      if (this.#end - this.#pos > MAX_INLINE_BYTES)
        throw new RespProtocolError('Protocol error: too big inline request');
      return undefined;
    }
    let lineEnd = nl;
    if (lineEnd > this.#pos && buf[lineEnd - 1] === CR) lineEnd--;
    const line = buf.subarray(this.#pos, lineEnd);
    this.#pos = nl + 1;
    const args = splitInline(line);
    if (args === undefined) throw new RespProtocolError('Protocol error: unbalanced quotes in request');
    return args;
  }
}

// A decimal integer (optional '-') between start and end, or undefined.
function parseLine(buf: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  let negative = false;
  if (buf[i] === 0x2d) {
    negative = true;
    i++;
  }
  if (i >= end || end - i > 15) return undefined;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}
