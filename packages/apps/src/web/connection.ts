/**
 * The connection loop: the program of the task that serves one accepted
 * connection. It reads with begin/end_read into the incremental parser,
 * answers each request, and keeps the connection for the next one
 * (HTTP/1.1 keep-alive) until the client closes, asks to close, sends
 * something unanswerable, or stays idle past the timeout (between requests
 * the task blocks in begin_read and an `IdleWatch` closes the connection at
 * the deadline; inside a request head, select with timeoutMs). Whatever
 * the client does ends at worst this task, never the server.
 * @module
 */
import { BeginWriteFlags, EndWriteFlags, isDiosError, type SystemCalls } from '@dios/kernel';
import { deleteQuietly } from '@dios/libd';
import { ConnectionLog } from './access-log-writer.js';
import { FileTable } from './files.js';
import { IdleWatch, STOP_CHECK_MS } from './idle-watch.js';
import { RequestHandler } from './handle-request.js';
import { optionsFromArgv } from './options.js';
import { RequestParser, type HttpRequest } from './request-parser.js';
import { lendWrite } from './response.js';
import { statusVisible } from './status-access.js';
import { StatusReader } from './status-page.js';

/** Most bytes taken from the connection per read. */
export const READ_BYTES = 64 * 1024;
const READ_OPTIONS = Object.freeze({ length: READ_BYTES });
/** After the last answer, how long the client's remaining bytes are read and dropped before closing (ms). */
export const LINGER_MS = 2000;
/** ... and at most how many. */
export const LINGER_BYTES = 1 << 20;
export { STOP_CHECK_MS } from './idle-watch.js';

// Requests answered in a row from bytes already received before the event loop takes a turn (fairness).
const PIPELINE_ROUND = 16;

type Wait = 'data' | 'timeout' | 'stop';

// One turn of the host's event loop (setImmediate where there is one).
function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate !== undefined ? immediate(resolve) : setTimeout(resolve, 0)));
}

// Waits until the connection can be read, the server stops (control stream ended) or `timeoutMs` passes.
// The select names the connection only: every connection task shares the control stream, and putting it in
// each select costs every request a registration on one shared wait queue. So the control stream is looked
// at between selects of at most STOP_CHECK_MS: an idle connection notices a stop within that time.
async function waitReadable(
  sys: SystemCalls,
  conn: number,
  control: number | undefined,
  timeoutMs: number,
): Promise<Wait> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (sys.ref(conn).ioReady) return 'data';
    if (control !== undefined && sys.ref(control).ioReady) return 'stop';
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    try {
      await sys.select([conn], { timeoutMs: Math.ceil(Math.min(left, STOP_CHECK_MS)) });
      return 'data';
    } catch (e) {
      if (!isDiosError(e, 'ETIMEDOUT')) throw e;
    }
  }
}

// A blocking read of the next bytes while `watch` looks after the deadline; undefined when the watch closed the
// connection (timeout or stop: the read failed with EBADF).
async function idleRead(
  sys: SystemCalls,
  conn: number,
  watch: IdleWatch,
  deadline: number,
): Promise<Uint8Array | undefined> {
  watch.start(deadline);
  try {
    return await sys.beginRead(conn, READ_OPTIONS);
  } catch (e) {
    if (watch.fired !== undefined && isDiosError(e, 'EBADF')) return undefined;
    throw e;
  } finally {
    watch.done();
  }
}

// Closes gracefully: ends our side, then drops what the client still sends until it closes too, so the
// kernel does not answer unread bytes with a reset that could destroy the response before it is read.
async function linger(sys: SystemCalls, conn: number): Promise<void> {
  const buf = await lendWrite(sys, conn, 0);
  await sys.endWrite(conn, buf, undefined, EndWriteFlags.END_OF_STREAM);
  const deadline = Date.now() + LINGER_MS;
  let drained = 0;
  while (drained < LINGER_BYTES) {
    if ((await waitReadable(sys, conn, undefined, deadline - Date.now())) !== 'data') return;
    const view = await sys.beginRead(conn, { length: READ_BYTES });
    const n = view.length;
    await sys.endRead(conn, view);
    if (n === 0) return;
    drained += n;
  }
}

// Writes the access log line of the response just sent, when the server keeps a log (output 1).
async function logResponse(
  log: ConnectionLog | undefined,
  handler: RequestHandler,
  request: HttpRequest | string | undefined,
): Promise<void> {
  if (log === undefined) return;
  const { status, bytes } = handler.sent;
  await log.write(request, status, bytes);
}

async function serve(
  sys: SystemCalls,
  conn: number,
  control: number | undefined,
  handler: RequestHandler,
  parser: RequestParser,
  options: ReturnType<typeof optionsFromArgv>,
): Promise<void> {
  const log = sys.outputs[1] === undefined ? undefined : new ConnectionLog(sys, sys.outputs[1], sys.ref(conn).address);
  const watch = new IdleWatch(sys, conn, control);
  try {
    await serveRequests(sys, conn, control, handler, parser, options, log, watch);
  } finally {
    watch.close();
  }
}

async function serveRequests(
  sys: SystemCalls,
  conn: number,
  control: number | undefined,
  handler: RequestHandler,
  parser: RequestParser,
  options: ReturnType<typeof optionsFromArgv>,
  log: ConnectionLog | undefined,
  watch: IdleWatch,
): Promise<void> {
  // Requests answered in a row without waiting for the client (pipelined, or read ahead).
  let inRow = 0;
  for (;;) {
    let result = parser.next();
    let started: number | undefined;
    if (result.kind !== 'incomplete' && ++inRow >= PIPELINE_ROUND) {
      // A client that pipelines many requests would keep this task busy (the calls do not wait) and the
      // other connections unserved: after a round, the event loop takes a turn.
      inRow = 0;
      await nextTurn();
    }
    while (result.kind === 'incomplete') {
      inRow = 0;
      // Idle between requests: the idle timeout; inside a request head: what is left of the request timeout.
      if (started === undefined && parser.buffered > 0) started = Date.now();
      const wait = started === undefined ? options.idleTimeoutMs : started + options.requestTimeoutMs - Date.now();
      // Between requests, with nothing received yet: a plain blocking read, which the watch ends on a timeout or
      // a stop (the usual case, one call per wait). Data already waiting needs no wait at all; inside a request
      // head, select with what is left of the request timeout (a 408 then needs the connection).
      const ready = sys.ref(conn).ioReady;
      if (!ready && started === undefined) {
        if (control !== undefined && sys.ref(control).ioReady) return;
        const view = await idleRead(sys, conn, watch, Date.now() + wait);
        if (view === undefined) return;
        const n = view.length;
        if (n > 0) parser.push(view);
        await sys.endRead(conn, view);
        if (n === 0) return;
        result = parser.next();
        continue;
      }
      const outcome = ready ? 'data' : await waitReadable(sys, conn, control, wait);
      if (outcome === 'stop') return;
      if (outcome === 'timeout') {
        if (parser.buffered > 0) {
          await handler.simple(408, false, false);
          await logResponse(log, handler, undefined);
          await linger(sys, conn);
        }
        return;
      }
      const view = await sys.beginRead(conn, READ_OPTIONS);
      const n = view.length;
      if (n > 0) parser.push(view);
      await sys.endRead(conn, view);
      // The client closed: a request cut short is dropped with the connection.
      if (n === 0) return;
      result = parser.next();
    }
    if (result.kind === 'error') {
      await handler.simple(result.status, false, false);
      await logResponse(log, handler, result.line);
      await linger(sys, conn);
      return;
    }
    const request = result.request;
    // The hot path (a small file asked for again) goes straight to the connection's write calls.
    const cached = handler.cached(request);
    if (cached !== undefined) {
      let buf: Uint8Array;
      try {
        buf = await sys.beginWrite(conn, cached.length, undefined, BeginWriteFlags.NONBLOCK);
      } catch (e) {
        if (!isDiosError(e, 'EAGAIN')) throw e;
        buf = await lendWrite(sys, conn, cached.length);
      }
      buf.set(cached);
      await sys.endWrite(conn, buf);
      await logResponse(log, handler, request);
      if (!request.keepAlive) {
        await linger(sys, conn);
        return;
      }
    } else {
      const again = await handler.handle(request);
      await logResponse(log, handler, request);
      if (!again) {
        await linger(sys, conn);
        return;
      }
    }
    if (control !== undefined && sys.ref(control).ioReady) return;
  }
}

/**
 * The program of a connection task. Its output 0 is the connection (read
 * and write); output 1, when there is one, the server's access log stream
 * (a line per response, see `access-log`); its input, when there is one,
 * is the server's control stream, which ends when the server stops. argv: the program name, the client's
 * address (for people reading the status page), then the server's options
 * (see `optionsToArgv`). Whether this client may read the status page is
 * decided once, from the connection's remote address (see `status-access`). Exits 0 however the client behaved; fails only on a bug.
 */
export async function connectionProgram(sys: SystemCalls): Promise<number> {
  const conn = sys.outputs[0];
  if (conn === undefined) return 2;
  const control = sys.inputs[0];
  const options = optionsFromArgv(sys.argv.slice(2));
  const files = new FileTable(sys, options.root);
  // The client's address as the kernel reports it (not argv, which whoever runs this program writes).
  const status = statusVisible(options.status, sys.ref(conn).address) ? new StatusReader(sys) : undefined;
  const handler = new RequestHandler(sys, conn, files, status);
  const parser = new RequestParser({ maxHeaderBytes: options.maxHeaderBytes, maxHeaders: 100 });
  try {
    await serve(sys, conn, control, handler, parser, options);
  } catch (e) {
    // The client reset or stopped reading (ECONNRESET, EPIPE, ETIMEDOUT ...): its connection just goes.
    // Anything else is a bug here: the task fails (the kernel's onTaskFailure hears of it), the server goes on.
    if (!isDiosError(e)) throw e;
  } finally {
    await files.close();
    await status?.close();
    await deleteQuietly(sys, conn);
  }
  return 0;
}
