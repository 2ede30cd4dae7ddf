/**
 * Starting the server on a kernel, for a host (the `dios kv serve` command,
 * tests): the host's init task makes the inbox at its well-known path and,
 * if asked, a TCP listener, runs the server task with both as inputs, and
 * later stops it by ending the inbox.
 * @module
 */
import { CreateFlags, EndWriteFlags, ObjectType, pathSeed, type Kernel, type SystemCalls } from '@dios/kernel';
import { deleteQuietly, installProgram, listen, wait } from '@dios/libd';
import { KV_INBOX_PATH } from './inbox.js';
import type { CommandSpec } from './commands/context.js';
import type { OutputBufferLimit } from './core/limits.js';
import { KV_SERVER_PROGRAM_ID, kvServerProgram, kvServerProgramWith } from './program.js';

/** How {@link startKvServer} starts the server. */
export interface StartKvServerOptions {
  /** Listen on this TCP port (0: a free one); leave out for native clients only. Needs the network device (`useNetwork`). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Path prefix of the snapshot and AOF blobs (default `/kv`). */
  dir?: string;
  /** Path of the inbox stream (default {@link KV_INBOX_PATH}). */
  inboxPath?: string;
  /** Least AOF size that triggers a rewrite (bytes; default 64 MiB). */
  rewriteMinBytes?: number;
  /** The fsync policy's Redis name, for INFO and CONFIG GET (the kernel's store decides the real policy). */
  fsync?: string;
  /** Longest bulk string, bytes (Redis' proto-max-bulk-len; default 512 MiB, at most 1 GiB). */
  maxBulkBytes?: number;
  /** Longest key or other argument read as a string, bytes (default and most: MAX_KEY_BYTES, V8's longest string). */
  maxKeyBytes?: number;
  /** Most bytes of one incomplete request (Redis' client-query-buffer-limit; default 1 GiB, at most 1 GiB). */
  queryBufferBytes?: number;
  /** Per-client limit on unsent replies (Redis' client-output-buffer-limit; default 256 MiB hard, 64 MiB for 60 s soft). */
  outputBufferLimit?: OutputBufferLimit;
  /** The server's clock (default Date.now), for tests of expiry. With it or `commands`, the server runs as program id `dios-kv-server-custom`. */
  clock?: () => number;
  /** Commands added to the built-in ones, as Redis modules add them. */
  commands?: readonly CommandSpec[];
}

/** A running server. */
export interface KvServerHandle {
  /** The address it listens on (`host:port`), if it listens. */
  readonly address: string | undefined;
  /** The port it listens on, if it listens. */
  readonly port: number | undefined;
  /** Resolves to the server task's exit status when it ends (0: stopped cleanly). */
  readonly done: Promise<number>;
  /** Stops the server (it closes its clients and its listener) and resolves to its exit status. */
  stop(): Promise<number>;
}

/**
 * Registers the server program with `kernel`, makes the inbox (and the
 * listener) with task `sys` (default: `kernel.init`) and runs the server.
 * Errors: create's (EEXIST when a server already has an inbox at the path,
 * EADDRINUSE naming `options.address` for a port in use), run's.
 */
export async function startKvServer(
  kernel: Pick<Kernel, 'registerProgram' | 'init'>,
  options: StartKvServerOptions = {},
  sys: SystemCalls = kernel.init,
): Promise<KvServerHandle> {
  const binary =
    options.clock === undefined && options.commands === undefined
      ? await installProgram(kernel, sys, KV_SERVER_PROGRAM_ID, kvServerProgram)
      : await installProgram(
          kernel,
          sys,
          `${KV_SERVER_PROGRAM_ID}-custom`,
          kvServerProgramWith({
            ...(options.clock !== undefined && { clock: options.clock }),
            ...(options.commands !== undefined && { commands: options.commands }),
          }),
        );
  const inbox = (
    await sys.create(
      ObjectType.SHARED_MEMORY_STREAM,
      { nameSeed: pathSeed(options.inboxPath ?? KV_INBOX_PATH) },
      CreateFlags.NAME_DETERMINISTIC,
    )
  ).ref;
  let listener: number | undefined;
  let task: number;
  try {
    if (options.port !== undefined)
      listener = await listen(sys, { port: options.port, ...(options.host !== undefined && { host: options.host }) });
    const argv = ['kv-server'];
    if (options.dir !== undefined) argv.push('--dir', options.dir);
    if (options.rewriteMinBytes !== undefined) argv.push('--rewrite-min', String(options.rewriteMinBytes));
    if (options.fsync !== undefined) argv.push('--fsync', options.fsync);
    if (options.maxBulkBytes !== undefined) argv.push('--max-bulk', String(options.maxBulkBytes));
    if (options.maxKeyBytes !== undefined) argv.push('--max-key', String(options.maxKeyBytes));
    if (options.queryBufferBytes !== undefined) argv.push('--query-limit', String(options.queryBufferBytes));
    if (options.outputBufferLimit !== undefined) {
      const { hard, soft, softSeconds } = options.outputBufferLimit;
      argv.push('--output-limit', `${hard} ${soft} ${softSeconds}`);
    }
    task = await sys.run(binary, { argv, inputs: listener === undefined ? [inbox] : [inbox, listener] });
  } catch (e) {
    await deleteQuietly(sys, inbox);
    if (listener !== undefined) await deleteQuietly(sys, listener);
    throw e;
  } finally {
    await deleteQuietly(sys, binary);
  }
  const address = listener === undefined ? undefined : sys.ref(listener).address;
  // The server holds its own reference to the listener now.
  if (listener !== undefined) await sys.delete(listener);
  const done = wait(sys, task);
  let stopping: Promise<number> | undefined;
  return {
    address,
    port: address === undefined ? undefined : Number(address.slice(address.lastIndexOf(':') + 1)),
    done,
    stop() {
      stopping ??= (async () => {
        try {
          const buf = await sys.beginWrite(inbox, 0);
          await sys.endWrite(inbox, buf, undefined, EndWriteFlags.END_OF_STREAM);
        } catch {
          // The server has gone already; its status says how.
        }
        const status = await done;
        await deleteQuietly(sys, inbox);
        return status;
      })();
      return stopping;
    },
  };
}
