/**
 * What the help of the container commands says about the daemon behind
 * them.
 * @module
 */
import { MAX_SOCKET_PATH_BYTES } from './daemon-paths.js';

/** How `dios image|container|load` reach the daemon, and what it keeps: the details of `dios help daemon start`. */
export const DAEMON_DETAILS = `  The container commands (image, container, load) talk to the daemon of a
  data directory over HTTP/1.1 on a Unix socket (DIR/dios.sock, mode 0600;
  when that path is longer than ${MAX_SOCKET_PATH_BYTES} bytes, TMPDIR/dios-HASH.sock, HASH
  taken from the directory's absolute path). When no daemon answers, the
  command starts one in the background ('dios daemon start --data DIR', its
  output appended to DIR/daemon.log) and waits for it (up to 15 s). The
  daemon is one DIOS kernel: images and containers are kept in durable
  blobs in DIR/store, so they survive a restart; containers running when
  the daemon stops come back stopped.`;
