/**
 * A listening socket as a DIOS object. It is readable while accepted
 * connections wait; a read lends the 32-byte name of the next one (a new
 * TCP connection object in the listener's group), which the task then
 * looks up to get a reference: accepting is select, begin_read, lookup.
 * A connection nobody has looked up yet is held by the listener, and closed
 * with it.
 * @module
 */
import type { Server, Socket } from 'node:net';
import { errors } from '../../core/abi/errors.js';
import { ObjectType, type Lifecycle } from '../../core/abi/flags.js';
import type { Kernel } from '../../core/kernel.js';
import { Name } from '../../core/abi/names.js';
import type { GroupObject } from '../../core/objects/group.js';
import type { IoRequest } from '../../core/objects/kernel-object.js';
import { SequentialObject, type SequentialTerms } from '../../core/objects/sequential-object.js';
import type { Lease } from '../../core/objects/reference.js';
import { TcpConnectionObject } from './tcp-connection.js';

// Connections accepted but not yet read; beyond this the listener stops accepting (the kernel's backlog).
const BACKLOG = 1024;

const LISTENER_TERMS: SequentialTerms = {
  noOffsets: 'a listener has no offsets',
  minRead: 32,
  shortRead: 'a listener read yields a 32-byte name: ask for at least 32 bytes',
};

/** A TCP listener (see the module comment). */
export class TcpListenerObject extends SequentialObject {
  /** Always a TCP listener. */
  readonly type = ObjectType.TCP_LISTENER;
  readonly #kernel: Kernel;
  readonly #server: Server;
  // Accepted connections whose names no read has handed out yet.
  readonly #waiting: TcpConnectionObject[] = [];
  // Handed out, not yet looked up: held here so that they close with the listener if nobody takes them.
  readonly #unclaimed = new Set<TcpConnectionObject>();
  // The connection whose name the outstanding read lease holds (one read lease at a time).
  #lent: TcpConnectionObject | undefined = undefined;
  /** The port the listener is bound to (the one picked when port 0 was asked for). */
  readonly port: number;
  /** The host it is bound to. */
  readonly host: string;

  /** Wraps a bound server; connections it accepts become objects of `kernel` in `group`. */
  constructor(
    name: Name,
    lifecycle: Lifecycle,
    group: GroupObject,
    kernel: Kernel,
    server: Server,
    host: string,
    port: number,
  ) {
    super(name, lifecycle, group, LISTENER_TERMS);
    this.#kernel = kernel;
    this.#server = server;
    this.host = host;
    this.port = port;
    server.on('connection', (socket) => this.#accept(socket));
  }

  override get size(): number {
    return this.#waiting.length * 32;
  }
  override get address(): string {
    return `${this.host}:${this.port}`;
  }

  #accept(socket: Socket): void {
    if (this.destroyed || this.#waiting.length >= BACKLOG) {
      socket.destroy();
      return;
    }
    const conn = new TcpConnectionObject(Name.random(), 'refcounted', this.group, socket);
    conn.creator = this.creator;
    this.#kernel.objects.set(conn.name.key, conn);
    this.group!.add(conn);
    // A connection that closes before anyone takes it is forgotten.
    socket.once('close', () => {
      if (conn.refCount === 0 && !conn.destroyed) {
        const i = this.#waiting.indexOf(conn);
        if (i >= 0) this.#waiting.splice(i, 1);
        this.#unclaimed.delete(conn);
        this.#kernel.destroyObject(conn);
        this.changed.notify();
      }
    });
    this.#waiting.push(conn);
    this.changed.notify();
  }

  protected override hasInput(): boolean {
    return this.#waiting.length > 0;
  }
  protected override takesWrite(): boolean {
    return false;
  }

  // The name of the next connection; it is taken off the queue when the read ends.
  protected override lend(): Uint8Array {
    this.#lent = this.#waiting[0]!;
    return this.#lent.name.bytes.slice();
  }
  protected override consume(): void {
    const conn = this.#lent!;
    const i = this.#waiting.indexOf(conn);
    if (i >= 0) this.#waiting.splice(i, 1);
    // Connections that got a reference are claimed: they close when their last reference does.
    for (const held of this.#unclaimed) if (held.refCount > 0 || held.destroyed) this.#unclaimed.delete(held);
    if (!conn.destroyed && conn.refCount === 0) this.#unclaimed.add(conn);
  }

  override beginWrite(req: IoRequest): Lease {
    throw errors.EINVAL(req.syscall, 'ref', 'a listener cannot be written; connect with create(TCP_CONNECTION)');
  }

  override destroy(byDelete = false): void {
    this.#server.close();
    for (const conn of [...this.#waiting, ...this.#unclaimed])
      if (conn.refCount === 0) this.#kernel.destroyObject(conn);
    this.#waiting.length = 0;
    this.#unclaimed.clear();
    super.destroy(byDelete);
  }
}
