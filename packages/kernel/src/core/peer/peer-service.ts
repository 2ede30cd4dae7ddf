/**
 * The serving half of a kernel's link to its peers. Each peer gets a proxy
 * task on this kernel; the references a peer holds here live in that task's
 * table, and its remote I/O runs as that task's system calls, so remote
 * access obeys exactly the rules local access does.
 * @module
 */
import { nodeLoad } from '../kernel/scheduler.js';
import { DiosError, errors } from '../abi/errors.js';
import { BeginReadFlags, BeginWriteFlags, checkRights, EndReadFlags, EndWriteFlags, formatRights, ObjectType, Rights, RunFlags, SelectFlags } from '../abi/flags.js';
import type { KernelState } from '../kernel/kernel-state.js';
import { GroupObject } from '../objects/group.js';
import type { KernelObject } from '../objects/kernel-object.js';
import { TaskObject } from '../objects/task.js';
import { Name } from '../abi/names.js';
import { placementOf, programId } from '../syscalls/run.js';
import { requireRights } from '../syscalls/validate.js';
import type { PeerReply, PeerRequest, RemoteHandle } from '../wire/transport.js';
import { describeObject } from './describe.js';

/** Resolves the references a peer passes along (delegation, run) to local objects. */
export interface Importer {
  /** The object a remote handle stands for on this kernel (a local object, a replica group, or a new proxy). */
  importHandle(from: string, handle: RemoteHandle): KernelObject;
}

interface LentBuffer {
  handle: number;
  buffer: Uint8Array;
}

interface Proxy {
  task: TaskObject;
  leases: Map<number, LentBuffer>;
  // Handles the peer is releasing itself: no revocation notice for them.
  releasing: Set<number>;
  // Tasks started by the peer's run requests: fate-shared with their parent there.
  runs: Set<TaskObject>;
  // Lease ids the peer picked for begin requests still waiting here, and those it gave up on meanwhile (reply lost).
  pending: Set<number>;
  abandoned: Set<number>;
  // Set once the peer is gone: its handles close without notices.
  gone: boolean;
}

/**
 * Exit status of a task stopped because the kernel that ran it is gone
 * (fate sharing): 128 + 9, as a shell reports a task killed by SIGKILL.
 */
export const EXIT_PEER_GONE = 137;

/** Serves requests from peers against the local kernel. */
export class PeerService {
  readonly #kernel: KernelState;
  readonly #proxies = new Map<string, Proxy>();
  readonly #notify: (to: string, handle: number) => void;
  #leaseCounter = 0;
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

  /** Handles one request; every failure becomes an error reply. */
  async handle(from: string, req: PeerRequest, importer: Importer): Promise<PeerReply> {
    try {
      return await this.#dispatch(from, req, importer);
    } catch (e) {
      if (req.kind === 'delegate') this.#dropForeign(from, req.refs, importer);
      if (req.kind === 'run') this.#dropForeign(from, [...req.inputs, ...req.outputs], importer);
      const err = e instanceof DiosError ? e : errors.EIO(`peer:${req.kind}`, undefined, e instanceof Error ? e.message : String(e));
      return { ok: false, error: { code: err.code, syscall: err.syscall, argument: err.argument, detail: err.detail } };
    }
  }

  async #dispatch(from: string, req: PeerRequest, importer: Importer): Promise<PeerReply> {
    const kernel = this.#kernel;
    const proxy = this.#proxy(from);
    const sys = this.#kernel.contextOf(proxy.task);
    switch (req.kind) {
      case 'load':
        return { ok: true, load: nodeLoad(kernel) };
      case 'lookup': {
        // The asking kernel vouches for its task's groups and their rights; this kernel, the object's home, confers no
        // more than those, and no more than the object's lookup mask.
        const found = new Map<KernelObject, number>();
        for (const { key, rights } of req.groups) {
          const group = kernel.objects.get(key);
          if (!(group instanceof GroupObject) || !(rights & Rights.READ)) continue;
          for (const obj of group.resolve(req.name) ?? []) {
            if (!obj.destroyed && obj.type !== ObjectType.PRIVATE_MEMORY_BLOB) found.set(obj, (found.get(obj) ?? 0) | (rights & obj.lookupRights));
          }
        }
        const objects = [...found].map(([obj, rights]) => ({ ...this.export(from, obj, rights, undefined), rights }));
        return { ok: true, objects };
      }
      case 'release': {
        // On another peer's behalf a peer only gives back what it had shared for it: it closes, never destroys.
        if (req.for !== undefined && req.destroy) throw errors.EPERM('delete', 'ref', 'a handle held for another peer can be given back, not deleted');
        const holder = req.for === undefined ? proxy : this.#proxies.get(req.for);
        const ref = holder?.task.table.get(req.handle);
        // A proxy's self reference is not the peer's to give back (deleting it would end the proxy task), nor is
        // another peer's handle that this peer did not share for it (share records the sharer's proxy as parent).
        if (holder === undefined || ref === undefined || req.handle === holder.task.selfHandle) return { ok: true };
        if (holder !== proxy && ref.parent?.task !== proxy.task.name.key) return { ok: true };
        holder.releasing.add(req.handle);
        try {
          if (req.destroy) await this.#kernel.contextOf(holder.task).delete(req.handle);
          else kernel.closeRef(ref);
        } finally {
          holder.releasing.delete(req.handle);
        }
        return { ok: true };
      }
      case 'begin-read': {
        const flags = req.nonblock ? BeginReadFlags.NONBLOCK : 0;
        const buffer = await this.#begin(proxy, req.rid, () => sys.beginRead(req.handle, { offset: req.offset, length: req.length }, flags), (b) =>
          sys.endRead(req.handle, b, EndReadFlags.RELEASE),
        );
        const lease = this.#lend(proxy, req.handle, buffer, req.rid);
        return { ok: true, lease, bytes: buffer.slice(), object: this.#describe(proxy, req.handle) };
      }
      case 'end-read': {
        if (req.release && this.#abandon(proxy, req.lease)) return { ok: true, valid: true };
        const lent = this.#takeLease(proxy, req.lease, req.handle);
        const valid = await sys.endRead(req.handle, lent.buffer, req.release ? EndReadFlags.RELEASE : 0);
        return { ok: true, valid, object: this.#describe(proxy, req.handle) };
      }
      case 'begin-write': {
        const flags = (req.nonblock ? BeginWriteFlags.NONBLOCK : 0) | (req.append === true ? BeginWriteFlags.APPEND : 0);
        const options = req.append === true ? {} : { offset: req.offset, truncate: req.truncate };
        const buffer = await this.#begin(proxy, req.rid, () => sys.beginWrite(req.handle, req.length, options, flags), (b) =>
          sys.endWrite(req.handle, b, { length: 0 }, EndWriteFlags.DISCARD),
        );
        return { ok: true, lease: this.#lend(proxy, req.handle, buffer, req.rid) };
      }
      case 'end-write': {
        if (req.discard && this.#abandon(proxy, req.lease)) return { ok: true };
        const lent = this.#takeLease(proxy, req.lease, req.handle);
        const at = placeBytes(lent.buffer, req.at ?? 0, req.bytes);
        const flags = (req.discard ? EndWriteFlags.DISCARD : 0) | (req.endOfStream ? EndWriteFlags.END_OF_STREAM : 0);
        const version = await sys.endWrite(req.handle, lent.buffer, { length: req.discard ? 0 : at + req.bytes.length }, flags);
        return { ok: true, version, object: this.#describe(proxy, req.handle) };
      }
      case 'write-part': {
        const lent = proxy.leases.get(req.lease);
        if (lent === undefined || lent.handle !== req.handle) throw errors.EINVAL('endWrite', 'buffer', `lease ${req.lease} is not outstanding on handle ${req.handle}`);
        placeBytes(lent.buffer, req.at, req.bytes);
        return { ok: true };
      }
      case 'watch': {
        const timeoutMs = Math.min(Math.max(0, Math.floor(req.timeoutMs)), 60_000);
        await sys.select([req.handle], { timeoutMs }, req.mode === 'write' ? SelectFlags.WRITE : 0);
        return { ok: true, object: this.#describe(proxy, req.handle) };
      }
      case 'share': {
        const ref = kernel.ref(proxy.task, req.handle, 'share', 'handle');
        if ((req.rights & ~ref.rights) !== 0) {
          throw errors.EPERM('copy', 'rights', `cannot raise rights from ${formatRights(ref.rights)} to ${formatRights(req.rights)}`);
        }
        const exported = this.export(req.peer, ref.object, req.rights, { task: proxy.task.name.key, id: ref.id });
        return { ok: true, handle: exported.handle };
      }
      case 'delegate': {
        const targetRef = kernel.ref(proxy.task, req.target, 'copy', 'target');
        const target = targetRef.object;
        if (!(target instanceof TaskObject)) throw errors.EINVAL('copy', 'target', 'not a task');
        // The home checks what it can itself: the peer's handle on the target, and on each of this kernel's objects.
        requireRights('copy', 'target', targetRef, Rights.WRITE);
        if (target.state === 'exited') throw errors.ESRCH('copy', 'target', 'the task has exited');
        const rights = req.refs.map((r, i) => this.#within(proxy, r.ref, r.rights, 'copy', `refs[${i}]`));
        const objects = req.refs.map((r) => importer.importHandle(from, r.ref));
        const handles = objects.map((obj, i) => kernel.openRef(target, obj, rights[i]!, undefined).id);
        return { ok: true, handles };
      }
      case 'run': {
        const id = programId(req.binary);
        if (id === undefined) throw errors.ENOEXEC('run', 'binary', 'the binary does not name a program');
        const program = kernel.programs.get(id);
        if (program === undefined) throw errors.ENOENT('run', 'binary', `no program "${id}" is installed on kernel ${kernel.id}`);
        const name = req.name !== undefined ? Name.parse(req.name, 'run', 'spec.name') : Name.random();
        if (kernel.objects.has(name.key)) throw errors.EEXIST('run', 'spec.name', `an object named ${name.key} already exists on kernel ${kernel.id}`);
        const groups = req.groups.map(({ key, rights }) => ({ group: this.replicaGroup(key), rights: rights & Rights.ALL }));
        const inputs = req.inputs.map((r, i) => ({ rights: this.#within(proxy, r.ref, r.rights, 'run', `spec.inputs[${i}]`), obj: importer.importHandle(from, r.ref) }));
        const outputs = req.outputs.map((r, i) => ({ rights: this.#within(proxy, r.ref, r.rights, 'run', `spec.outputs[${i}]`), obj: importer.importHandle(from, r.ref) }));
        // The serving kernel decides where the task runs, by the same rule as a local run.
        const placement = placementOf(kernel, typeof program === 'function', undefined, req.flags);
        const child = kernel.newTask(name, { argv: req.argv, env: req.env, groups, program, placement, pure: (req.flags & RunFlags.PURE) !== 0 });
        child.inputs = inputs.map((r) => kernel.openRef(child, r.obj, r.rights, undefined).id);
        child.outputs = outputs.map((r) => kernel.openRef(child, r.obj, r.rights, undefined).id);
        const exported = this.export(from, child, Rights.READ | Rights.WRITE | Rights.DELEGATE, undefined);
        // Exited tasks are pruned here, so the set holds about as many tasks as are alive.
        for (const t of proxy.runs) if (t.state === 'exited') proxy.runs.delete(t);
        proxy.runs.add(child);
        if ((req.flags & RunFlags.START_PAUSED) === 0) kernel.startTask(child);
        return { ok: true, handle: exported.handle, object: describeObject(child) };
      }
      case 'pause': {
        await sys.pause(req.handle, req.flags);
        return { ok: true, object: this.#describe(proxy, req.handle) };
      }
      case 'revoked':
        throw errors.EINVAL('peer', 'kind', 'revocations are handled by the peer link');
    }
  }

  /** Opens a reference to a local object for `peer` and describes it. */
  export(peer: string, obj: KernelObject, rights: number, parent: { task: string; id: number } | undefined): RemoteHandle {
    const ref = this.#kernel.openRef(this.#proxy(peer).task, obj, rights, parent);
    return { home: this.#kernel.id, handle: ref.id, object: describeObject(obj) };
  }

  /** The local object behind handle `handle` that `peer` holds here. */
  local(peer: string, handle: number): KernelObject {
    return this.#kernel.ref(this.#proxy(peer).task, handle, 'copy', 'refs').object;
  }

  /** The local group object named `key`: the original, or a replica made now (groups are scopes identified by name). */
  replicaGroup(key: string): GroupObject {
    const kernel = this.#kernel;
    const existing = kernel.objects.get(key);
    if (existing instanceof GroupObject) return existing;
    if (existing !== undefined) throw errors.EINVAL('run', 'spec.groups', `object ${key} is a ${existing.type} here, not a group`);
    const group = new GroupObject(Name.parse(key, 'run', 'spec.groups'), 'immortal', undefined);
    kernel.objects.set(key, group);
    return group;
  }

  // Rights a peer asks for on a handle it passes on: checked against its own handle here when this kernel is the
  // object's home (as share does), so a peer cannot confer more than it holds here. Other homes check on share.
  #within(proxy: Proxy, ref: RemoteHandle, rights: unknown, syscall: string, argument: string): number {
    const wanted = checkRights(syscall, argument, rights);
    if (ref.home !== this.#kernel.id) return wanted;
    const held = this.#kernel.ref(proxy.task, ref.handle, syscall, argument);
    if ((wanted & ~held.rights) !== 0) {
      throw errors.EPERM(syscall, argument, `cannot raise rights from ${formatRights(held.rights)} to ${formatRights(wanted)}`);
    }
    return wanted;
  }

  // A failed delegate or run: the handles a third kernel made for this one (shared on the sender's behalf) are
  // this kernel's to give back; the sender takes back its own, and groups hold nothing.
  #dropForeign(from: string, refs: { ref: RemoteHandle }[], importer: Importer): void {
    for (const { ref } of refs) {
      if (ref.home === this.#kernel.id || ref.home === from || ref.object.type === ObjectType.GROUP) continue;
      try {
        const obj = importer.importHandle(from, ref);
        if (obj.refCount === 0) this.#kernel.destroyObject(obj);
      } catch {
        // A malformed handle names nothing to give back.
      }
    }
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
    for (const task of [...proxy.runs]) this.#kernel.exitTask(task, EXIT_PEER_GONE);
    this.#handleFloor.set(peer, proxy.task.nextHandle);
    this.#kernel.exitTask(proxy.task, 0);
  }

  #proxy(peer: string): Proxy {
    let proxy = this.#proxies.get(peer);
    if (proxy === undefined) {
      const task = this.#kernel.newTask(Name.random(), { argv: [`peer:${peer}`], env: {}, groups: [], program: undefined });
      task.state = 'running';
      const floor = this.#handleFloor.get(peer);
      if (floor !== undefined && task.nextHandle < floor) task.nextHandle = floor;
      proxy = { task, leases: new Map(), releasing: new Set(), runs: new Set(), pending: new Set(), abandoned: new Set(), gone: false };
      const p = proxy;
      task.onRefClosed = (ref) => {
        for (const [id, lent] of p.leases) if (lent.handle === ref.id) p.leases.delete(id);
        if (!p.gone && !p.releasing.has(ref.id) && ref.id !== task.selfHandle) this.#notify(peer, ref.id);
      };
      this.#proxies.set(peer, proxy);
    }
    return proxy;
  }

  /**
   * Runs a begin call for a request whose lease id `rid` the peer picked.
   * If the peer gave the lease up while the call waited (its reply was
   * lost), `giveBack` returns the buffer at once and the request fails.
   */
  async #begin(proxy: Proxy, rid: number | undefined, begin: () => Promise<Uint8Array>, giveBack: (b: Uint8Array) => Promise<unknown>): Promise<Uint8Array> {
    if (rid === undefined) return begin();
    if (!Number.isSafeInteger(rid) || rid <= 0 || proxy.leases.has(rid) || proxy.pending.has(rid)) {
      throw errors.EINVAL('peer', 'rid', `lease id ${String(rid)} is malformed or already in use`);
    }
    proxy.pending.add(rid);
    let buffer: Uint8Array;
    try {
      buffer = await begin();
    } catch (e) {
      proxy.abandoned.delete(rid);
      throw e;
    } finally {
      proxy.pending.delete(rid);
    }
    if (proxy.abandoned.delete(rid)) {
      await giveBack(buffer);
      throw errors.ECANCELED('peer', 'rid', `the requester gave lease ${rid} up before it was granted`);
    }
    return buffer;
  }

  // A release of a lease whose begin request still waits here: remember it, so the lease is given back when granted.
  #abandon(proxy: Proxy, lease: number): boolean {
    if (!proxy.pending.has(lease)) return false;
    proxy.abandoned.add(lease);
    return true;
  }

  #lend(proxy: Proxy, handle: number, buffer: Uint8Array, rid: number | undefined): number {
    let lease = rid;
    if (lease === undefined) while (proxy.leases.has((lease = ++this.#leaseCounter)));
    proxy.leases.set(lease, { handle, buffer });
    return lease;
  }

  #takeLease(proxy: Proxy, lease: number, handle: number): LentBuffer {
    const lent = proxy.leases.get(lease);
    if (lent === undefined || lent.handle !== handle) {
      throw errors.EINVAL('endRead', 'buffer', `lease ${lease} is not outstanding on handle ${handle}`);
    }
    proxy.leases.delete(lease);
    return lent;
  }

  #describe(proxy: Proxy, handle: number) {
    const ref = proxy.task.table.get(handle);
    return ref === undefined ? undefined : describeObject(ref.object);
  }
}

/** Copies `bytes` to `at` in a lent buffer; EINVAL (`length`) when they do not fit. Returns `at`. */
function placeBytes(buffer: Uint8Array, at: number, bytes: Uint8Array): number {
  if (!Number.isSafeInteger(at) || at < 0 || at + bytes.length > buffer.length) {
    throw errors.EINVAL('endWrite', 'length', `${bytes.length} bytes at ${String(at)} for a buffer of ${buffer.length}`);
  }
  buffer.set(bytes, at);
  return at;
}
