/**
 * `dios web serve DIR`: boots a kernel with a network device and a durable
 * store (for the server's binaries), mirrors DIR live into blobs under
 * /www (new, changed and deleted files are served as they are now: see
 * mirrorDirectory), runs the web server task on them and prints its URL,
 * then an access log line per response on stdout unless --quiet; SIGINT or
 * SIGTERM stop it.
 * @module
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '@dios/kernel';
import { FileBlobStore, mirrorDirectory, useNetwork } from '@dios/kernel/node';
import { startWebServer, WebServerError } from '../web/install.js';
import { parseWebArgs } from './web-args.js';
import { errorText } from './error-text.js';
import { InputError } from './wordcount-command.js';

/** Where the served directory is mirrored in the kernel (a DIOS path). */
export const WEB_ROOT = '/www';

/**
 * Runs `dios web ARGS` until a signal arrives: the URL line and the access
 * log on `out`, warnings (files left out) on `err`. UsageError or
 * InputError for the caller to report.
 */
export async function webCommand(
  args: readonly string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream = process.stderr,
): Promise<void> {
  const options = parseWebArgs(args);
  let isDir: boolean;
  try {
    isDir = statSync(options.dir).isDirectory();
  } catch (e) {
    throw new InputError(`cannot read '${options.dir}': ${errorText(e)}`);
  }
  if (!isDir) throw new InputError(`'${options.dir}' is not a directory`);
  const temp = options.data === undefined ? mkdtempSync(join(tmpdir(), 'dios-web-')) : undefined;
  const store = new FileBlobStore(options.data ?? temp!, { fsync: 'batch' });
  let mirror;
  try {
    const kernel = await Kernel.boot({ id: 'dios-web', store });
    useNetwork(kernel);
    mirror = mirrorDirectory(kernel.init, options.dir, WEB_ROOT, {
      dotfiles: options.dotfiles,
      onWarning: (message) => err.write(`dios web: ${message}\n`),
    });
    await mirror.ready;
    let server;
    try {
      server = await startWebServer(kernel, {
        root: WEB_ROOT,
        host: options.host,
        port: options.port,
        status: options.status,
        ...(options.quiet ? {} : { accessLogText: (text: string) => out.write(text) }),
      });
    } catch (e) {
      if (e instanceof WebServerError)
        throw new InputError(`cannot listen on ${options.host}:${options.port}: ${errorText(e)}`);
      throw e;
    }
    const status =
      options.status === 'off'
        ? 'status page off'
        : `status${options.status === 'local' ? ', loopback clients only' : ''}: ${server.url}_dios/status`;
    // The signal handlers first: whoever reads the line below may stop the server at once.
    const stopped = new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    const files = mirror.entries().length;
    out.write(`dios web: serving ${files} files from ${options.dir} at ${server.url} (${status}), live\n`);
    await stopped;
    await server.stop();
  } finally {
    await mirror?.close();
    await store.close();
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
  }
}
