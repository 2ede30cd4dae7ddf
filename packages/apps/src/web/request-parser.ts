/**
 * An incremental HTTP/1.x request parser: bytes go in as they arrive, whole
 * request heads come out, with limits, so no client can make the server
 * hold more than one read beyond {@link ParserLimits.maxHeaderBytes}.
 * Request bodies are not read: a request that has one is answered and the
 * connection closed (the server serves GET and HEAD only).
 * @module
 */

/** A parsed request head. */
export interface HttpRequest {
  /** The method, as sent (case-sensitive). */
  readonly method: string;
  /** The request target, as sent. */
  readonly target: string;
  /** The target's path part (before `?`), still percent-encoded. */
  readonly path: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1 (and later 1.x). */
  readonly minor: number;
  /** Header fields by lower-case name; repeated fields joined with ", ". */
  readonly headers: ReadonlyMap<string, string>;
  /** Whether the connection may carry another request after this one. */
  readonly keepAlive: boolean;
  /** Whether a body follows (Content-Length above 0, or Transfer-Encoding): the connection is closed after the answer. */
  readonly hasBody: boolean;
}

/** What {@link RequestParser.next} found. */
export type ParseResult =
  | {
      /** A complete request head (its bytes are consumed). */
      readonly kind: 'request';
      /** Its method, target, version and header fields. */
      readonly request: HttpRequest;
    }
  | {
      /** Not a whole head yet: push more bytes. */
      readonly kind: 'incomplete';
    }
  | {
      /** A request that cannot be served: answer `status` and close. */
      readonly kind: 'error';
      /** 400 malformed, 413 too large, 505 not HTTP/1.x. */
      readonly status: 400 | 413 | 505;
      /** What was wrong, for people. */
      readonly reason: string;
      /** The request line as received (its first 1024 characters, `MAX_LOGGED_LINE`, latin1), for the access log: may hold anything. */
      readonly line: string;
    };

/** Limits of a {@link RequestParser}. */
export interface ParserLimits {
  /** Most bytes of a request head (request line and header fields, with line ends): beyond, 413. */
  readonly maxHeaderBytes: number;
  /** Most header fields: beyond, 413. */
  readonly maxHeaders: number;
}

/** The default limits: 8 KiB and 100 fields. */
export const DEFAULT_LIMITS: ParserLimits = { maxHeaderBytes: 8192, maxHeaders: 100 };

/** Most characters of a refused request line kept for the access log. */
export const MAX_LOGGED_LINE = 1024;

const CR = 13;
const LF = 10;
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const TARGET = /^[\x21-\x7e]+$/;
const VERSION = /^HTTP\/(\d)\.(\d)$/;
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Field values may hold visible ASCII, space, tab and obs-text: any other control character fails the head.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n|$)/;
const OWS = /^[ \t]+|[ \t]+$/g;
const latin1 = new TextDecoder('latin1');
const INCOMPLETE: ParseResult = Object.freeze({ kind: 'incomplete' });

/** See the module comment. */
export class RequestParser {
  readonly #limits: ParserLimits;
  #buf = new Uint8Array(4096);
  #start = 0;
  #end = 0;
  // Bytes from #start already searched for the end of the head, so a slow client costs no rescans.
  #scanned = 0;
  // The error that ended this connection's requests: given again by every later next().
  #failure: ParseResult | undefined;
  // The last head parsed and its result (requests are immutable, so one may be handed out twice).
  #last: { bytes: Uint8Array; result: ParseResult } | undefined;

  /** A parser with `limits` (default {@link DEFAULT_LIMITS}). */
  constructor(limits: ParserLimits = DEFAULT_LIMITS) {
    this.#limits = limits;
  }

  /** Bytes received and not yet consumed by a request. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /**
   * Appends received bytes (copied: the caller may give the buffer back).
   * Call {@link RequestParser.next} until it is incomplete after each push:
   * the buffer then never holds more than one push beyond the head limit.
   * After an error, bytes are dropped.
   */
  push(bytes: Uint8Array): void {
    if (this.#failure !== undefined) return;
    const n = bytes.length;
    if (this.#end + n > this.#buf.length) {
      const live = this.#end - this.#start;
      const target = live + n > this.#buf.length ? new Uint8Array(Math.max(this.#buf.length * 2, live + n)) : this.#buf;
      if (target === this.#buf) target.copyWithin(0, this.#start, this.#end);
      else target.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = target;
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += n;
  }

  /** The next request head, if a whole one is buffered (see {@link ParseResult}). After an error, always that error. */
  next(): ParseResult {
    if (this.#failure !== undefined) return this.#failure;
    const buf = this.#buf;
    // Empty lines before a request line are ignored (RFC 9112 2.2).
    while (this.#start < this.#end && (buf[this.#start] === CR || buf[this.#start] === LF)) {
      this.#start++;
      this.#scanned = 0;
    }
    const limit = Math.min(this.#end, this.#start + this.#limits.maxHeaderBytes);
    let i = Math.max(this.#start, this.#start + this.#scanned - 3);
    let headEnd = -1;
    let bodyStart = -1;
    for (; i < limit; i++) {
      if (buf[i] !== LF) continue;
      // "\n\n" or "\n\r\n" ends the head.
      if (i + 1 < this.#end && buf[i + 1] === LF) {
        headEnd = i;
        bodyStart = i + 2;
        break;
      }
      if (i + 2 < this.#end && buf[i + 1] === CR && buf[i + 2] === LF) {
        headEnd = i;
        bodyStart = i + 3;
        break;
      }
    }
    if (headEnd < 0 || bodyStart - this.#start > this.#limits.maxHeaderBytes) {
      if (this.#end - this.#start >= this.#limits.maxHeaderBytes) {
        const text = latin1.decode(buf.subarray(this.#start, this.#start + MAX_LOGGED_LINE));
        return this.#fail(413, 'request head too large', stripCr(text.split('\n')[0]!));
      }
      this.#scanned = this.#end - this.#start;
      return INCOMPLETE;
    }
    const start = this.#start;
    this.#start = bodyStart;
    this.#scanned = 0;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    // A keep-alive client often sends the very same head again: the same bytes parse to the same request.
    const last = this.#last;
    if (last !== undefined && sameBytes(last.bytes, buf, start, headEnd)) return last.result;
    const result = this.#parseHead(latin1.decode(buf.subarray(start, headEnd)));
    if (result.kind === 'request') this.#last = { bytes: buf.slice(start, headEnd), result };
    return result;
  }

  #fail(status: 400 | 413 | 505, reason: string, line = ''): ParseResult {
    this.#failure = Object.freeze({ kind: 'error', status, reason, line: line.slice(0, MAX_LOGGED_LINE) });
    return this.#failure;
  }

  #parseHead(head: string): ParseResult {
    // Control characters other than tab, and CR not before LF, are refused anywhere in the head (no NUL, no bare CR).
    const lines = head.split('\n');
    const requestLine = stripCr(lines[0]!);
    const fail = (status: 400 | 413 | 505, reason: string): ParseResult => this.#fail(status, reason, requestLine);
    if (CONTROL.test(head)) return fail(400, 'control character in the request head');
    const parts = requestLine.split(' ');
    if (parts.length !== 3) return fail(400, 'malformed request line');
    const method = parts[0]!;
    const target = parts[1]!;
    const version = parts[2]!;
    if (!METHOD.test(method) || !TARGET.test(target)) return fail(400, 'malformed request line');
    let minor = 1;
    if (version !== 'HTTP/1.1') {
      const v = VERSION.exec(version);
      if (v === null) return fail(400, 'malformed HTTP version');
      if (v[1] !== '1') return fail(505, 'only HTTP/1.x is served');
      minor = v[2] === '0' ? 0 : 1;
    }
    if (lines.length - 1 > this.#limits.maxHeaders) return fail(413, 'too many header fields');
    const headers = new Map<string, string>();
    let hosts = 0;
    for (let k = 1; k < lines.length; k++) {
      const line = stripCr(lines[k]!);
      const colon = line.indexOf(':');
      // No obsolete line folding, no space before the colon (RFC 9112 5.1, 5.2).
      if (colon <= 0) return fail(400, 'malformed header field');
      const name = line.slice(0, colon);
      if (!FIELD_NAME.test(name)) return fail(400, 'malformed header field name');
      // Optional white space is spaces and tabs only (RFC 9110 5.6.3): String.trim would take more, such as 0xA0.
      const value = line.slice(colon + 1).replace(OWS, '');
      const key = name.toLowerCase();
      if (key === 'host') hosts++;
      const seen = headers.get(key);
      headers.set(key, seen === undefined ? value : `${seen}, ${value}`);
    }
    if (hosts > 1 || (minor === 1 && hosts === 0)) return fail(400, 'an HTTP/1.1 request needs exactly one Host');
    const te = headers.get('transfer-encoding');
    const cl = headers.get('content-length');
    if (te !== undefined && cl !== undefined) return fail(400, 'both Transfer-Encoding and Content-Length');
    if (cl !== undefined && !/^\d{1,15}$/.test(cl)) return fail(400, 'malformed Content-Length');
    const hasBody = te !== undefined || (cl !== undefined && Number(cl) > 0);
    const connection = headers.get('connection')?.toLowerCase();
    const close = connection !== undefined && connection.split(',').some((t) => t.trim() === 'close');
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    return {
      kind: 'request',
      request: { method, target, path, minor, headers, keepAlive: minor === 1 && !close && !hasBody, hasBody },
    };
  }
}

function sameBytes(a: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
