/**
 * Installing and starting the web server on a kernel. Registering the
 * programs is the host's business (as for MapReduce); everything else is
 * done through the system calls of a host task (`kernel.init` by default):
 * the binaries are written at their paths, the server task is spawned with
 * a control stream and a report stream, and stopping it ends the control
 * stream.
 * @module
 */
import { EndWriteFlags, isDiosError, ObjectType, programBinary, type Kernel, type SystemCalls } from '@dios/kernel';
import { spawn, writeBinary } from '@dios/libd';
import { connectionProgram } from './connection.js';
import { DEFAULT_WEB_OPTIONS, optionsToArgv, type WebServerOptions } from './options.js';
import { CONNECTION_BINARY_PATH, SERVER_BINARY_PATH, serverProgram } from './server.js';
import { isStatusAccess } from './status-access.js';
import { publishProvenance } from '../provenance/live-log.js';

/** Program ids of the web server's two programs. */
export const WEB_PROGRAM_IDS = {
  /** The server task's program (listens, accepts, starts connection tasks). */
  server: 'dios-httpd',
  /** A connection task's program (serves one connection). */
  connection: 'dios-httpd-conn',
} as const;

/**
 * Registers the server and connection programs with `kernel` (they run in
 * the kernel's thread) and writes their binaries at
 * {@link SERVER_BINARY_PATH} and {@link CONNECTION_BINARY_PATH} in the
 * first group of `sys`. Installing again is harmless.
 */
export async function installWebServer(
  kernel: Pick<Kernel, 'registerProgram' | 'init'>,
  sys: SystemCalls = kernel.init,
): Promise<void> {
  kernel.registerProgram(WEB_PROGRAM_IDS.server, serverProgram);
  kernel.registerProgram(WEB_PROGRAM_IDS.connection, connectionProgram);
  for (const [id, path] of [
    [WEB_PROGRAM_IDS.server, SERVER_BINARY_PATH],
    [WEB_PROGRAM_IDS.connection, CONNECTION_BINARY_PATH],
  ] as const) {
    try {
      await sys.delete(await writeBinary(sys, programBinary(id), path));
    } catch (e) {
      if (!isDiosError(e, 'EEXIST')) throw e;
    }
  }
}

/** A web server started by {@link startWebServer}. */
export interface RunningWebServer {
  /** `http://host:port/`. */
  readonly url: string;
  /** The address the server listens on, `host:port`. */
  readonly address: string;
  /** The port it listens on. */
  readonly port: number;
  /** Handle (in the starting task) of the server task. */
  readonly task: number;
  /** Stops accepting, lets the connection tasks finish their current request, and waits for the server task to exit. */
  stop(): Promise<void>;
}

/** The server could not start (its report names the errno code and the cause). */
export class WebServerError extends Error {
  /** The errno code the server reported, such as `EADDRINUSE`. */
  readonly code: string;
  /** `message` is the server's report. */
  constructor(code: string, message: string) {
    super(message);
    this.name = 'WebServerError';
    this.code = code;
  }
}

/** What {@link startWebServer} takes: the server's settings, and the host's side of it. */
export type StartWebServerOptions = Partial<WebServerOptions> & {
  /**
   * Called with each access log line (Common Log Format, without the line
   * end) as the connection tasks write them to the server's log stream;
   * without it the server keeps no log, at no cost.
   */
  readonly accessLog?: (line: string) => void;
  /**
   * Called with whole access log lines, several at a time (each with its
   * line end), as one read of the log stream brings them: a host writing
   * the log out makes one write per batch instead of one per request.
   * Either this or `accessLog`, or both, turns
   * the log on.
   */
  readonly accessLogText?: (text: string) => void;
};

// Who hears of the log: each line, and/or each batch of whole lines.
interface LogSinks {
  readonly line?: (line: string) => void;
  readonly text?: (text: string) => void;
}

// One turn of the host's event loop (setImmediate where there is one).
function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate !== undefined ? immediate(resolve) : setTimeout(resolve, 0)));
}

// The access log stream, read until it ends, the complete lines of each read handed to `sinks`.
async function pumpLog(sys: SystemCalls, log: number, sinks: LogSinks): Promise<void> {
  const decoder = new TextDecoder();
  let pending = '';
  for (;;) {
    await sys.select([log]);
    // Lines come one per response, from every connection task: waiting for the rest of this turn of the event
    // loop lets one read take all of them, where reading at once would take one line per select and read.
    await nextTurn();
    const view = await sys.beginRead(log, { length: 64 * 1024 });
    const n = view.length;
    pending += decoder.decode(view, { stream: true });
    await sys.endRead(log, view);
    const end = pending.lastIndexOf('\n') + 1;
    if (end > 0) {
      const whole = pending.slice(0, end);
      pending = pending.slice(end);
      sinks.text?.(whole);
      if (sinks.line !== undefined) for (const line of whole.slice(0, -1).split('\n')) sinks.line(line);
    }
    if (n === 0) return;
  }
}

// Ends the log stream once the server has exited (a connection task still finishing gets EPIPE and ends) and
// waits until the lines before the end are handed over.
async function endLog(sys: SystemCalls, log: number, pumped: Promise<void>): Promise<void> {
  const buf = await sys.beginWrite(log, 0);
  await sys.endWrite(log, buf, undefined, EndWriteFlags.END_OF_STREAM);
  await pumped;
  await sys.delete(log);
}

// The server's report: read until the stream ends, or until the server exits without one.
async function readReport(sys: SystemCalls, report: number, task: number): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  for (;;) {
    if ((await sys.select([report, task])) === task && !sys.ref(report).ioReady) return text;
    const view = await sys.beginRead(report, { length: 4096 });
    const n = view.length;
    text += decoder.decode(view, { stream: true });
    await sys.endRead(report, view);
    if (n === 0) return text;
  }
}

/**
 * Installs the web server on `kernel` and starts a server task from task
 * `sys` (default `kernel.init`) serving DIOS path `options.root` of its
 * first group. The kernel needs a network device (`useNetwork`). Resolves
 * once the server listens; rejects with {@link WebServerError} when it
 * cannot (EADDRINUSE ...), or EINVAL when `options.status` is not `'off'`,
 * `'local'` or `'on'`. Unless the status page is off, the kernel's
 * provenance log (when it keeps one) is published at `/.provenance/KERNEL-ID`
 * until the server stops, for the page's graph of flows.
 */
export async function startWebServer(
  kernel: Pick<Kernel, 'registerProgram' | 'init'> & Partial<Pick<Kernel, 'id' | 'provenance'>>,
  options: StartWebServerOptions = {},
  sys: SystemCalls = kernel.init,
): Promise<RunningWebServer> {
  const settings: WebServerOptions = { ...DEFAULT_WEB_OPTIONS, ...options };
  if (!isStatusAccess(settings.status)) {
    throw new WebServerError(
      'EINVAL',
      `options.status: expected 'off', 'local' or 'on', got '${String(settings.status)}'`,
    );
  }
  await installWebServer(kernel, sys);
  const control = (await sys.create(ObjectType.SHARED_MEMORY_STREAM)).ref;
  const report = (await sys.create(ObjectType.SHARED_MEMORY_STREAM)).ref;
  const sinks: LogSinks = { line: options.accessLog, text: options.accessLogText };
  const logged = sinks.line !== undefined || sinks.text !== undefined;
  const log = logged ? (await sys.create(ObjectType.SHARED_MEMORY_STREAM)).ref : undefined;
  let task: number;
  try {
    task = await spawn(sys, SERVER_BINARY_PATH, {
      argv: [WEB_PROGRAM_IDS.server, ...optionsToArgv(settings)],
      inputs: [control],
      outputs: log === undefined ? [report] : [report, log],
    });
  } catch (e) {
    await sys.delete(control);
    await sys.delete(report);
    if (log !== undefined) await sys.delete(log);
    throw e;
  }
  const pumped = log === undefined ? undefined : pumpLog(sys, log, sinks);
  const line = await readReport(sys, report, task);
  await sys.delete(report);
  const m = /^listening (\S+)\n$/.exec(line);
  if (m === null) {
    await sys.delete(control);
    await sys.select([task]);
    await sys.delete(task);
    if (log !== undefined) await endLog(sys, log, pumped!);
    const err = /^error (\S+) (.*)\n?$/s.exec(line);
    throw new WebServerError(err?.[1] ?? 'EIO', err?.[2] ?? 'the web server task exited before it listened');
  }
  // The status page draws the kernel's flows from its published provenance log (when the kernel keeps one).
  const live =
    settings.status === 'off' || kernel.id === undefined
      ? undefined
      : await publishProvenance({ id: kernel.id, init: kernel.init, provenance: kernel.provenance }, {}, sys);
  const address = m[1]!;
  const port = Number(address.split(':').pop());
  const host = address.slice(0, address.lastIndexOf(':'));
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    address,
    port,
    task,
    stop(): Promise<void> {
      stopped ??= (async () => {
        const buf = await sys.beginWrite(control, 0);
        await sys.endWrite(control, buf, undefined, EndWriteFlags.END_OF_STREAM);
        await sys.select([task]);
        await sys.delete(task);
        await sys.delete(control);
        if (log !== undefined) await endLog(sys, log, pumped!);
        await live?.close();
      })();
      return stopped;
    },
  };
}
