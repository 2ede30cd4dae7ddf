/**
 * Writing responses to a connection through begin_write/end_write: the
 * head and a small body go out in one commit (one socket write); a blob's
 * bytes are copied from a read lease straight into the write lease, in
 * chunks, so a large file never sits whole in memory twice.
 * @module
 */
import { BeginWriteFlags, EndWriteFlags, isDiosError, SelectFlags, type SystemCalls } from '@dios/kernel';

/** Reason phrases of the statuses the server sends. */
export const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  206: 'Partial Content',
  301: 'Moved Permanently',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  416: 'Range Not Satisfiable',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

/** Header fields of a response, in order (values are made ASCII when written). */
export type HeaderFields = ReadonlyArray<readonly [string, string | number]>;

/** The bytes of a blob to send as a body: `length` bytes from `offset` of the blob `ref`, at `version`. */
export interface BlobSlice {
  /** Handle of the blob. */
  readonly ref: number;
  /** The version the head describes (its ETag and length): every piece must come from it. */
  readonly version: number;
  /** First byte. */
  readonly offset: number;
  /** Byte count. */
  readonly length: number;
}

/** Largest piece of a blob copied per write: the socket's back-pressure acts between pieces. */
export const CHUNK_BYTES = 256 * 1024;

/** How long a write may wait for a client that does not read (ms); then ETIMEDOUT, and the connection goes. */
export const SEND_TIMEOUT_MS = 30_000;

const encoder = new TextEncoder();

/**
 * begin_write on the connection without waiting when there is room (the
 * usual case, one call), else waiting at most {@link SEND_TIMEOUT_MS} for
 * the client to read: a client that never reads cannot hold a task for ever.
 */
export async function lendWrite(sys: SystemCalls, conn: number, length: number): Promise<Uint8Array> {
  try {
    return await sys.beginWrite(conn, length, undefined, BeginWriteFlags.NONBLOCK);
  } catch (e) {
    if (!isDiosError(e, 'EAGAIN')) throw e;
  }
  await sys.select([conn], { timeoutMs: SEND_TIMEOUT_MS }, SelectFlags.WRITE);
  return sys.beginWrite(conn, length, undefined, BeginWriteFlags.NONBLOCK);
}
let dateSecond = -1;
let dateText = '';

/** The Date header's value, formatted once per second. */
export function httpDate(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

function ascii(value: string | number): string {
  const text = String(value);
  // Header bytes are ASCII by construction; anything else (and CR, LF) would corrupt the framing.
  return /^[\x20-\x7e]*$/.test(text) ? text : text.replace(/[^\x20-\x7e]/g, '?');
}

/** The head of a response: status line, Date, Server, Connection, `fields`, blank line. */
export function formatHead(status: number, fields: HeaderFields, keepAlive: boolean): string {
  let head = `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\nDate: ${httpDate()}\r\nServer: dios-httpd\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n`;
  for (const [name, value] of fields) head += `${name}: ${ascii(value)}\r\n`;
  return head + '\r\n';
}

/** Writes `bytes` (a whole response) in one commit. */
export async function writeRaw(sys: SystemCalls, conn: number, bytes: Uint8Array): Promise<void> {
  const buf = await lendWrite(sys, conn, bytes.length);
  buf.set(bytes);
  await sys.endWrite(conn, buf);
}

/** Writes `head` (ASCII) and `body` in one commit. */
export async function writeBytes(sys: SystemCalls, conn: number, head: string, body?: Uint8Array): Promise<void> {
  const n = head.length + (body?.length ?? 0);
  const buf = await lendWrite(sys, conn, n);
  encoder.encodeInto(head, buf);
  if (body !== undefined) buf.set(body, head.length);
  await sys.endWrite(conn, buf);
}

/** What {@link writeBlob} did. */
export interface BlobWriteResult {
  /** Whether every byte came from the version asked for. */
  readonly ok: boolean;
  /** Bytes committed to the connection. */
  readonly sent: number;
}

/**
 * Writes `head` and then the bytes of `slice`, copied through read leases.
 * `ok` is true when every byte came from `slice.version`. Otherwise a write
 * committed to the blob: with `sent` 0 nothing went out (answer again),
 * else the response is torn and the caller must close the connection.
 */
export async function writeBlob(
  sys: SystemCalls,
  conn: number,
  head: string,
  slice: BlobSlice,
): Promise<BlobWriteResult> {
  let offset = slice.offset;
  let left = slice.length;
  let prefix = head.length;
  let sent = 0;
  do {
    const piece = Math.min(left, CHUNK_BYTES);
    const buf = await lendWrite(sys, conn, prefix + piece);
    if (prefix > 0) encoder.encodeInto(head, buf);
    if (piece > 0) {
      const view = await sys.beginRead(slice.ref, { offset, length: piece });
      // A blob shrunk under us lends fewer bytes than asked: that is a change too.
      const whole = view.length === piece;
      buf.set(whole ? view : view.subarray(0, Math.min(view.length, piece)), prefix);
      const valid = await sys.endRead(slice.ref, view);
      if (!valid || !whole || sys.ref(slice.ref).version !== slice.version) {
        await sys.endWrite(conn, buf, undefined, EndWriteFlags.DISCARD);
        return { ok: false, sent };
      }
    }
    await sys.endWrite(conn, buf);
    sent += prefix + piece;
    offset += piece;
    left -= piece;
    prefix = 0;
  } while (left > 0);
  return { ok: true, sent };
}
