/**
 * The serving half of a kernel's link to its peers. Each peer gets a proxy
 * task on this kernel; the references a peer holds here live in that task's
 * table, and its remote I/O runs as that task's system calls, so remote
 * access obeys exactly the rules local access does.
 * @module
 */
import { DiosError, errors } from '../abi/errors.js';
import type { KernelState } from '../kernel/kernel-state.js';
import type { GroupObject } from '../objects/group.js';
import type { KernelObject } from '../objects/kernel-object.js';
import type { TaskObject } from '../objects/task.js';
import type { PeerReply, PeerRequest, RemoteHandle } from '../wire/transport.js';
import { describeObject } from './describe.js';
import { dispatch, type Importer, type PeerCall } from './handlers/peer-call.js';
import { PeerProxy } from './handlers/peer-proxy.js';
import { replicaGroup } from './handlers/replica-group.js';
import { PEER_HANDLERS } from './handlers/table.js';

/**
 * Exit status of a task stopped because the kernel that ran it is gone
 * (fate sharing): 128 + 9, as a shell reports a task killed by SIGKILL.
 */
export const EXIT_PEER_GONE = 137;

/** Serves requests from peers against the local kernel. */
export class PeerService {
  readonly #kernel: KernelState;
  readonly #proxies = new Map<string, PeerProxy>();
  readonly #notify: (to: string, handle: number) => void;
  #leaseCounter = 0;
  readonly #nextLease = (): number => ++this.#leaseCounter;
  // First handle number a new proxy task for a peer may use: a peer that comes back never reaches its old handles' objects.
  readonly #handleFloor = new Map<string, number>();

  /** `notify` tells a peer that a handle it held here was revoked. */
  constructor(kernel: KernelState, notify: (to: string, handle: number) => void) {
    this.#kernel = kernel;
    this.#notify = notify;
  }

  /** The proxy task holding `peer`'s references (created on first use). */
  proxyTask(peer: string): TaskObject {
    return this.#proxy(peer).task;
  }

  /** Handles one request with its kind's handler (see handlers/table.ts); every failure becomes an error reply. */
  async handle(from: string, req: PeerRequest, importer: Importer): Promise<PeerReply> {
    try {
      if (!Object.hasOwn(PEER_HANDLERS, req.kind))
        throw errors.EINVAL('peer', 'kind', `no such request kind: ${String(req.kind)}`);
      return await dispatch(PEER_HANDLERS, this.#call(from, importer), req.kind, req);
    } catch (e) {
      const err =
        e instanceof DiosError
          ? e
          : errors.EIO(`peer:${req.kind}`, undefined, e instanceof Error ? e.message : String(e));
      return { ok: false, error: { code: err.code, syscall: err.syscall, argument: err.argument, detail: err.detail } };
    }
  }

  // What a handler works with when serving `from`.
  #call(from: string, importer: Importer): PeerCall {
    const proxy = this.#proxy(from);
    return {
      from,
      kernel: this.#kernel,
      proxy,
      sys: this.#kernel.contextOf(proxy.task),
      importer,
      proxyOf: (peer) => this.#proxies.get(peer),
      export: (peer, obj, rights, parent) => this.export(peer, obj, rights, parent),
      replicaGroup: (key) => this.replicaGroup(key),
      describe: describeObject,
    };
  }

  /** Opens a reference to a local object for `peer` and describes it. */
  export(
    peer: string,
    obj: KernelObject,
    rights: number,
    parent: { task: string; id: number } | undefined,
  ): RemoteHandle {
    const ref = this.#kernel.openRef(this.#proxy(peer).task, obj, rights, parent);
    return { home: this.#kernel.id, handle: ref.id, object: describeObject(obj) };
  }

  /** The local object behind handle `handle` that `peer` holds here. */
  local(peer: string, handle: number): KernelObject {
    return this.#kernel.ref(this.#proxy(peer).task, handle, 'copy', 'refs').object;
  }

  /** The local group object named `key`: the original, or a replica made now (groups are scopes identified by name). */
  replicaGroup(key: string): GroupObject {
    return replicaGroup(this.#kernel, key);
  }

  /**
   * Peer `peer` is gone (crashed, left or cut off). Fate sharing: the tasks
   * it ran here exit with {@link EXIT_PEER_GONE}, and every handle it held
   * here is closed (not deleted), which gives back the leases taken through
   * them; its proxy task goes. If the peer comes back it gets a new proxy
   * task whose handles never reuse the old numbers, so old handles are EBADF.
   */
  peerGone(peer: string): void {
    const proxy = this.#proxies.get(peer);
    if (proxy === undefined) return;
    this.#proxies.delete(peer);
    proxy.gone = true;
    for (const task of [...proxy.runs]) this.#kernel.exitTask(task, EXIT_PEER_GONE, 'lost');
    this.#handleFloor.set(peer, proxy.task.nextHandle);
    this.#kernel.exitTask(proxy.task, 0);
  }

  #proxy(peer: string): PeerProxy {
    let proxy = this.#proxies.get(peer);
    if (proxy === undefined) {
      const task = this.#kernel.newTask(this.#kernel.newName(), {
        argv: [`peer:${peer}`],
        env: {},
        groups: [],
        program: undefined,
      });
      task.state = 'running';
      const floor = this.#handleFloor.get(peer);
      if (floor !== undefined && task.nextHandle < floor) task.nextHandle = floor;
      const p = new PeerProxy(task, this.#nextLease);
      task.onRefClosed = (ref) => {
        p.dropLeases(ref.id);
        if (!p.gone && !p.releasing.has(ref.id) && ref.id !== task.selfHandle) this.#notify(peer, ref.id);
      };
      this.#proxies.set(peer, p);
      proxy = p;
    }
    return proxy;
  }
}
