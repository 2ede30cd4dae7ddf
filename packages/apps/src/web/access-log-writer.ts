/**
 * A connection's access log writer. A keep-alive client asking for the
 * same thing again gets the same log line within a second (the same
 * address, request line, status, byte count and time stamp), so the line's
 * bytes are kept and written again: a repeated request costs the log one
 * commit and no string work. Anything different, or the next second,
 * makes a new line (see `access-log` for its format).
 * @module
 */
import type { SystemCalls } from '@dios/kernel';
import { accessLine } from './access-log.js';
import type { HttpRequest } from './request-parser.js';

const encoder = new TextEncoder();

/** Writes the log lines of one connection to the server's log stream (see the module comment). */
export class ConnectionLog {
  readonly #sys: SystemCalls;
  readonly #log: number;
  readonly #address: string | undefined;
  // The last line made, and what it was made from (a request by identity: the parser hands out the same object
  // for a repeated head).
  #line: Uint8Array | undefined;
  #request: HttpRequest | string | undefined;
  #status = 0;
  #bytes = 0;
  #second = -1;

  /** A writer to log stream `log` for the client at `address` (as the kernel reports the connection's). */
  constructor(sys: SystemCalls, log: number, address: string | undefined) {
    this.#sys = sys;
    this.#log = log;
    this.#address = address;
  }

  /**
   * Logs a response: to `request` (a parsed request, or the request line as
   * received when it could not be parsed, or undefined when there was none),
   * its status and body bytes.
   */
  async write(request: HttpRequest | string | undefined, status: number, bytes: number): Promise<void> {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    let line = this.#line;
    if (
      line === undefined ||
      second !== this.#second ||
      status !== this.#status ||
      bytes !== this.#bytes ||
      request !== this.#request
    ) {
      const requestLine =
        typeof request === 'object' ? `${request.method} ${request.target} HTTP/1.${request.minor}` : request;
      line = encoder.encode(accessLine({ address: this.#address, time: new Date(now), requestLine, status, bytes }));
      this.#line = line;
      this.#request = request;
      this.#status = status;
      this.#bytes = bytes;
      this.#second = second;
    }
    // One commit per line, so lines of several connection tasks never interleave.
    const buf = await this.#sys.beginWrite(this.#log, line.length);
    buf.set(line);
    await this.#sys.endWrite(this.#log, buf);
  }
}
