/**
 * The server task: listens, accepts, and starts one task per connection.
 *
 * One task per connection rather than one task selecting over all of them:
 * each connection's code is then a plain blocking loop, a client that
 * trips a bug ends only its own task, and the kernel's monitoring counts
 * every connection's calls, bytes and time apart, so the status page shows
 * the server at work connection by connection. It also keeps select short:
 * a connection task waits on its connection (and the control stream) only,
 * where one task would pass every connection to every select.
 * @module
 */
import {
  DeleteFlags,
  EndWriteFlags,
  isDiosError,
  normalizePath,
  pathName,
  SelectFlags,
  type SystemCalls,
} from '@dios/kernel';
import { accept, listen } from '@dios/libd';
import { optionsFromArgv, optionsToArgv } from './options.js';

/** DIOS path of the server program's binary (in the first group of the task that installs it). */
export const SERVER_BINARY_PATH = '/bin/dios-httpd';
/** DIOS path of the connection program's binary. */
export const CONNECTION_BINARY_PATH = '/bin/dios-httpd-conn';

const encoder = new TextEncoder();
// Connections accepted per wake-up before the control stream is looked at again.
const ACCEPT_ROUND = 64;

async function lookupPath(sys: SystemCalls, path: string): Promise<number> {
  const [ref, ...extra] = await sys.lookup(await pathName(sys.groupNames[0]!, normalizePath(path)));
  for (const r of extra) await sys.delete(r, DeleteFlags.DROP);
  return ref!;
}

// Accepts the next connection of `listener` and starts a connection task on it (the task gets its own reference).
async function startConnection(
  sys: SystemCalls,
  listener: number,
  binary: number,
  control: number | undefined,
  log: number | undefined,
  childArgs: string[],
): Promise<void> {
  let conn: number;
  try {
    conn = await accept(sys, listener, { nonblock: true });
  } catch (e) {
    // Gone before it was taken (ECONNRESET), or taken by nobody else (EAGAIN): next.
    if (isDiosError(e)) return;
    throw e;
  }
  try {
    const task = await sys.run(binary, {
      argv: ['dios-httpd-conn', sys.ref(conn).address ?? '?', ...childArgs],
      inputs: control === undefined ? [] : [control],
      outputs: log === undefined ? [conn] : [conn, log],
    });
    // The server does not wait for its connection tasks: they end on their own.
    await sys.delete(task);
  } catch (e) {
    if (!isDiosError(e)) throw e;
  } finally {
    // The task has its own reference now: the connection lives while it does.
    await sys.delete(conn);
  }
}

async function reportLine(sys: SystemCalls, report: number | undefined, text: string): Promise<void> {
  if (report === undefined) return;
  const line = encoder.encode(text + '\n');
  const buf = await sys.beginWrite(report, line.length);
  buf.set(line);
  await sys.endWrite(report, buf, undefined, EndWriteFlags.END_OF_STREAM);
  await sys.delete(report);
}

/**
 * The program of the server task. Input 0: the control stream (the server
 * stops when it ends); output 0: a stream on which it reports one line,
 * `listening HOST:PORT` or `error CODE MESSAGE`, then ends; output 1, when
 * given: the access log stream, handed to every connection task. argv: the
 * program name and the options (see `optionsToArgv`).
 */
export async function serverProgram(sys: SystemCalls): Promise<number> {
  const options = optionsFromArgv(sys.argv.slice(1));
  const control = sys.inputs[0];
  const report = sys.outputs[0];
  const log = sys.outputs[1];
  let listener: number;
  try {
    listener = await listen(sys, { host: options.host, port: options.port });
  } catch (e) {
    // Whoever started the server learns why it could not (EADDRINUSE, EACCES ...).
    await reportLine(
      sys,
      report,
      `error ${isDiosError(e) ? e.code : 'EIO'} ${e instanceof Error ? e.message : String(e)}`,
    );
    return 1;
  }
  const address = sys.ref(listener).address!;
  await reportLine(sys, report, `listening ${address}`);
  const binary = await lookupPath(sys, CONNECTION_BINARY_PATH);
  const childArgs = optionsToArgv({ ...options, port: Number(address.split(':').pop()) });
  const watch = control === undefined ? [listener] : [listener, control];
  for (;;) {
    // Every ready handle at once: the control stream ending (or written to) stops the server even while
    // connections keep arriving, and a burst of connections is taken in one round.
    const ready = await sys.select(watch, undefined, SelectFlags.ALL);
    if (control !== undefined && ready.includes(control)) break;
    // At most ACCEPT_ROUND per round, then the control stream is looked at again.
    for (let taken = 0; taken < ACCEPT_ROUND && sys.ref(listener).ioReady; taken++)
      await startConnection(sys, listener, binary, control, log, childArgs);
  }
  await sys.delete(listener);
  await sys.delete(binary, DeleteFlags.DROP);
  return 0;
}
