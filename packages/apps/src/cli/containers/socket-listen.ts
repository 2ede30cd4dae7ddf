/**
 * Listening on a daemon's Unix socket, one daemon per socket: a live
 * socket is never taken over, a stale one (left by a daemon that died) is
 * replaced, and the socket is the user's alone (mode 0600).
 * @module
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { errors } from '@dios/kernel';

/** Whether something accepts connections on the Unix socket at `path`. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Sets the process umask for the duration of `f` where it can be set (not in a worker thread). */
function withUmask<T>(mask: number, f: () => T): T {
  let old: number | undefined;
  try {
    old = process.umask(mask);
  } catch {
    old = undefined;
  }
  try {
    return f();
  } finally {
    if (old !== undefined) process.umask(old);
  }
}

/**
 * Makes `server` listen on `path`. EADDRINUSE when a daemon already
 * answers there; a socket file nobody answers on is removed first; any
 * other file there is left alone (EEXIST).
 */
export async function listenOnSocket(server: Server, path: string): Promise<void> {
  let stale = false;
  try {
    stale = lstatSync(path).isSocket();
    if (!stale) throw errors.EEXIST('daemon.listen', path, 'a file that is not a socket is in the way');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (stale) {
    if (await socketAnswers(path))
      throw errors.EADDRINUSE('daemon.listen', path, 'a daemon already serves this data directory');
    unlinkSync(path);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE' ? errors.EADDRINUSE('daemon.listen', path, 'another daemon took the socket first') : e,
      ),
    );
    // Made 0600 from the start (the umask), and again after (a worker thread cannot set the umask).
    withUmask(0o177, () => server.listen(path, () => resolve()));
  });
  chmodSync(path, 0o600);
}
