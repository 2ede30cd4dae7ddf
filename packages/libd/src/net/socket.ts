/**
 * Sockets in libd style, over the kernel's network objects and nothing
 * else: listen is create(TCP_LISTENER), accept is select + begin_read (the
 * listener yields the new connection's name) + lookup, connect is
 * create(TCP_CONNECTION). Read and write a connection with FILEs (fopen by
 * handle) or the raw calls; delete it to close.
 * @module
 */
import { errors, isDiosError, Name, ObjectType, type NetworkAddress, type SystemCalls } from '@dios/kernel';

/** Opens a TCP listener at `address` (port 0: a free port; see `sys.ref(h).address`); returns its handle. */
export async function listen(sys: SystemCalls, address: NetworkAddress): Promise<number> {
  return (await sys.create(ObjectType.TCP_LISTENER, { address })).ref;
}

/**
 * Waits for the next connection on `listener` and returns a handle to it.
 * Errors: the kernel's (EBADF, EACCES on the listener; EAGAIN with
 * `nonblock` when none waits; ETIMEDOUT after `timeoutMs`).
 */
export async function accept(
  sys: SystemCalls,
  listener: number,
  options: { nonblock?: boolean; timeoutMs?: number } = {},
): Promise<number> {
  if (!options.nonblock)
    await sys.select([listener], options.timeoutMs === undefined ? undefined : { timeoutMs: options.timeoutMs });
  const view = await sys.beginRead(listener, { length: 32 }, options.nonblock ? 0x1 : 0);
  const name = Name.fromBytes(view.slice());
  await sys.endRead(listener, view);
  let found: number[];
  try {
    found = await sys.lookup(name);
  } catch (e) {
    // The peer went away between the read and the lookup: the connection object is gone.
    if (isDiosError(e, 'ENOENT'))
      throw errors.ECONNRESET('accept', 'listener', 'the connection closed before it was taken');
    throw e;
  }
  return found[0]!;
}

/** Connects to `address`; returns the connection's handle (ECONNREFUSED, EHOSTUNREACH ... naming `options.address`). */
export async function connect(sys: SystemCalls, address: NetworkAddress): Promise<number> {
  return (await sys.create(ObjectType.TCP_CONNECTION, { address })).ref;
}
