/**
 * A kernel's link to its peers over a Transport: the client half (the
 * {@link Distribution} the system calls use) wired to the serving half
 * ({@link PeerService}).
 * @module
 */
import { checkLoad } from './load-reply.js';
import type { NodeLoad } from '../wire/transport.js';
import { labelToWire } from '../objects/label.js';
import { DiosError, errors } from '../abi/errors.js';
import { ObjectType, Rights } from '../abi/flags.js';
import type { Distribution, ResolvedSpec } from '../kernel/distribution.js';
import type { KernelState } from '../kernel/kernel-state.js';
import { GroupObject } from '../objects/group.js';
import type { KernelObject } from '../objects/kernel-object.js';
import { RemoteObject } from '../objects/remote.js';
import type { TaskObject } from '../objects/task.js';
import type { Reference } from '../objects/reference.js';
import type { PeerReply, PeerRequest, RemoteHandle, Transport } from '../wire/transport.js';
import { describeObject } from './describe.js';
import type { Importer } from './handlers/peer-call.js';
import { labelField, PeerRemotePort } from './peer-remote-port.js';
import { PeerService } from './peer-service.js';
import { readWhole } from '../syscalls/run.js';
import { NameDirectory, type DirectoryRequest } from './directory/name-directory.js';

type Ok = Extract<PeerReply, { ok: true }>;

/** How a kernel finds the peers that hold a name. */
export type NameResolution = 'directory' | 'broadcast';

/** Options of {@link PeerLink} (and `Kernel.join`). */
export interface JoinOptions {
  /**
   * `'directory'` (default): a lookup asks the name's directory shard, then
   * the kernels it names (a constant number of requests); `'broadcast'`: a
   * lookup asks every peer (the design before the directory, kept as the
   * baseline to measure against). docs/cluster.md.
   */
  nameResolution?: NameResolution;
}

/** What a lookup sent, for tests and benchmarks. */
export interface LookupStats {
  /** Lookups that went to peers. */
  lookups: number;
  /** Lookups that fell back to asking every peer (the directory could not vouch for its answer). */
  broadcasts: number;
  /** Lookup requests sent. */
  requests: number;
}

/** Connects a kernel to its peers through `transport`. */
export class PeerLink implements Distribution, Importer {
  readonly #kernel: KernelState;
  readonly #transport: Transport;
  readonly #service: PeerService;
  // Proxies by home kernel and handle there, so a revocation notice finds its proxy.
  readonly #remotes = new Map<string, RemoteObject>();
  // Peers once reachable and found gone: a run naming one is EHOSTDOWN, not EHOSTUNREACH (never known).
  readonly #gone = new Set<string>();
  // How many times each peer was found gone (a retried release stops once its home was).
  readonly #goneTimes = new Map<string, number>();
  // Lease ids this kernel picks for its remote begin requests (unique per home, as this kernel's leases there).
  #leaseCounter = 0;
  readonly #nextLease = (): number => ++this.#leaseCounter;
  // How the proxies' I/O reaches their homes.
  readonly #port: PeerRemotePort;
  readonly #directory: NameDirectory | undefined;
  readonly #lookupStats = { lookups: 0, broadcasts: 0, requests: 0 };

  /** Starts serving peers and makes the kernel's system calls reach them. */
  constructor(kernel: KernelState, transport: Transport, options: JoinOptions = {}) {
    if (transport.localId !== kernel.id) {
      throw errors.EINVAL(
        'join',
        'transport',
        `the transport is bound to "${transport.localId}", the kernel is "${kernel.id}"`,
      );
    }
    this.#kernel = kernel;
    this.#transport = transport;
    this.#port = new PeerRemotePort(this.send, this.#nextLease, kernel.remoteChunkBytes, (peer) =>
      this.#transport.peers().includes(peer) ? (this.#goneTimes.get(peer) ?? 0) : undefined,
    );
    this.#service = new PeerService(kernel, (to, handle) => {
      // A notice lost with a peer that is gone is moot: its proxies for this kernel's objects went with it.
      this.#transport.request(to, { kind: 'revoked', handle }).catch(() => {});
    });
    const resolution = options.nameResolution ?? 'directory';
    if (resolution !== 'directory' && resolution !== 'broadcast')
      throw errors.EINVAL(
        'join',
        'options.nameResolution',
        `expected 'directory' or 'broadcast', got ${String(resolution)}`,
      );
    transport.listen((from, req) => this.#serve(from, req));
    transport.onPeerGone((peer) => this.#peerGone(peer));
    if (resolution === 'directory') {
      const directory = new NameDirectory(kernel.id, this.send, transport.peers(), [], kernel.clock);
      this.#directory = directory;
      for (const key of kernel.objects.listen(directory)) directory.named(key);
      transport.onPeerSeen((peer) => directory.peerSeen(peer));
    } else this.#directory = undefined;
  }

  /** The name directory's part on this kernel (undefined with `nameResolution: 'broadcast'`). */
  get directory(): NameDirectory | undefined {
    return this.#directory;
  }

  /** What lookups have sent so far. */
  get lookupStats(): LookupStats {
    return { ...this.#lookupStats };
  }

  published(key: string): Promise<void> | undefined {
    return this.#directory?.published(key);
  }

  /** The transport in use. */
  get transport(): Transport {
    return this.#transport;
  }

  /** Number of live proxies for remote objects (for tests). */
  get remoteCount(): number {
    return this.#remotes.size;
  }

  /** Sends a request; an error reply is rethrown as a DiosError. */
  send = async (to: string, request: PeerRequest): Promise<Ok> => {
    const reply = await this.#transport.request(to, request);
    if (!reply.ok) throw new DiosError(reply.error.code, reply.error.syscall, reply.error.argument, reply.error.detail);
    return reply;
  };

  async lookup(
    key: string,
    groups: { key: string; rights: number }[],
    foundLocally: boolean,
  ): Promise<
    {
      /** The local stand-in for the object found (a proxy, or this kernel's group of that name). */
      object: KernelObject;
      /** Rights the peer conferred. */
      rights: number;
    }[]
  > {
    this.#lookupStats.lookups++;
    const found: { object: KernelObject; rights: number }[] = [];
    const down: string[] = [];
    const asked = new Set<string>([this.#kernel.id]);
    const ask = async (peers: string[], directory: boolean) => {
      this.#lookupStats.requests += peers.length;
      for (const p of peers) asked.add(p);
      const results = await Promise.allSettled(
        peers.map((peer) =>
          this.send(peer, { kind: 'lookup', name: key, groups, ...(directory ? { directory } : {}) }),
        ),
      );
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') {
          for (const h of r.value.objects ?? [])
            found.push({ object: this.importHandle(peers[i]!, h), rights: h.rights ?? 0 });
        } else down.push(peers[i]!);
      });
      return results;
    };
    const directory = this.#directory;
    let complete = false;
    if (directory !== undefined) {
      // The shard says where the name lives; the homes, asked next, say what the task may get.
      const owner = directory.ownerOf(key);
      let homes: string[] = [];
      if (owner === this.#kernel.id) {
        ({ homes, complete } = directory.answer(key));
        // Our own shard vouches only for the peers on our circle: a transport listing others (a partition that
        // reported peers gone while they stay listed, or newcomers not heard of yet) sends the lookup to everyone.
        if (complete) {
          const peers = this.#transport.peers();
          complete = peers.length === directory.circleSize - 1 && peers.every((p) => directory.knows(p));
        }
      } else {
        const [r] = await ask([owner], true);
        if (r!.status === 'fulfilled') {
          const listed: unknown = r!.value.homes;
          // Another kernel's word, checked: a list of ids no longer than our circle, each a kernel on it (a home we
          // have found gone is not asked, so its objects are ENOENT once it is dropped here, as with the broadcast).
          if (Array.isArray(listed) && listed.length <= directory.circleSize) {
            homes = listed.filter((h): h is string => typeof h === 'string' && directory.knows(h));
            complete = r!.value.complete === true;
          }
        }
      }
      const next = [...new Set(homes)].filter((h) => !asked.has(h));
      if (next.length > 0) await ask(next, false);
    }
    if (!complete) {
      this.#lookupStats.broadcasts++;
      await ask(
        this.#transport.peers().filter((p) => !asked.has(p)),
        false,
      );
    }
    if (found.length === 0 && !foundLocally && down.length > 0) {
      throw errors.EHOSTDOWN('lookup', 'name', `not found here, and peer(s) ${down.join(', ')} did not answer`);
    }
    return found;
  }

  async delegate(task: TaskObject, target: Reference, sources: Reference[], rights: number[]): Promise<number[]> {
    const home = (target.object as RemoteObject).home;
    (target.object as RemoteObject).checkHostUp('copy', 'target');
    const exported = await this.#exportAll(
      home,
      sources.map((src, i) => ({ ref: src, rights: rights[i]! })),
    );
    try {
      const reply = await this.send(home, {
        kind: 'delegate',
        target: (target.object as RemoteObject).handle,
        refs: exported.map((ref, i) => ({ ref, rights: rights[i]! })),
        ...labelField(labelToWire(task.label)),
      });
      return reply.handles ?? [];
    } catch (e) {
      this.#unexport(home, exported);
      throw e;
    }
  }

  async run(
    parent: TaskObject,
    binary: Reference,
    spec: ResolvedSpec,
    flags: number,
    kernelId: string,
  ): Promise<number> {
    if (!this.#transport.peers().includes(kernelId)) {
      if (this.#gone.has(kernelId)) throw errors.EHOSTDOWN('run', 'spec.kernel', `kernel ${kernelId} is gone`);
      throw errors.EHOSTUNREACH('run', 'spec.kernel', `kernel ${kernelId} is not among the reachable peers`);
    }
    if (binary.object instanceof RemoteObject) binary.object.checkHostUp('run', 'binary');
    spec.inputs.forEach((r, i) =>
      r.object instanceof RemoteObject ? r.object.checkHostUp('run', `spec.inputs[${i}]`) : undefined,
    );
    spec.outputs.forEach((r, i) =>
      r.object instanceof RemoteObject ? r.object.checkHostUp('run', `spec.outputs[${i}]`) : undefined,
    );
    const bytes = await readWhole(binary, parent.label);
    const passed = await this.#exportAll(kernelId, [
      ...spec.inputs.map((ref) => ({ ref, rights: ref.rights & ~(Rights.WRITE | Rights.EXEC) })),
      ...spec.outputs.map((ref) => ({ ref, rights: ref.rights & ~Rights.EXEC })),
    ]);
    const inputs = passed.slice(0, spec.inputs.length);
    const outputs = passed.slice(spec.inputs.length);
    const groups =
      spec.groups !== undefined
        ? spec.groups.map((g) => ({ key: g.object.name.key, rights: g.rights }))
        : parent.setup.groups.map((m) => ({ key: m.group.name.key, rights: m.rights }));
    let reply: Ok;
    try {
      reply = await this.send(kernelId, {
        kind: 'run',
        binary: bytes,
        argv: spec.argv,
        env: spec.env,
        inputs: inputs.map((ref) => ({ ref, rights: ref.rights })),
        outputs: outputs.map((ref) => ({ ref, rights: ref.rights })),
        groups,
        name: spec.name?.key,
        flags,
        ...(spec.placement !== undefined ? { placement: spec.placement } : {}),
        ...(spec.container !== undefined
          ? {
              container: {
                id: spec.container.id,
                tag: spec.container.tag.key,
                group: spec.container.group.name.key,
                limits: { ...spec.container.limits },
              },
            }
          : {}),
        ...labelField(labelToWire(parent.label)),
      });
    } catch (e) {
      this.#unexport(kernelId, [...inputs, ...outputs]);
      throw e;
    }
    const child = this.importHandle(kernelId, { home: kernelId, handle: reply.handle!, object: reply.object! });
    if (parent.state === 'exited') {
      this.#kernel.destroyObject(child);
      throw errors.ECANCELED('run', undefined, 'the task exited during the call');
    }
    return this.#kernel.openRef(parent, child, Rights.READ | Rights.WRITE | Rights.DELEGATE, undefined).id;
  }

  /** Ids of the peers the transport reaches now. */
  peers(): string[] {
    return this.#transport.peers();
  }

  /** Asks peer `kernelId` for its load (and the class it has seen `program` have). */
  async load(kernelId: string, program?: string): Promise<NodeLoad> {
    const reply = await this.send(kernelId, { kind: 'load', ...(program !== undefined ? { program } : {}) });
    return checkLoad(reply.load, kernelId);
  }

  async pause(caller: TaskObject, target: Reference, flags: number): Promise<void> {
    const remote = target.object as RemoteObject;
    remote.checkHostUp('pause', 'task');
    const reply = await this.send(remote.home, {
      kind: 'pause',
      handle: remote.handle,
      flags,
      ...labelField(labelToWire(caller.label)),
    }).catch((e: unknown) => {
      // The home may be found gone while the request waits: say so about the argument, not the transport.
      if (remote.hostDown) remote.checkHostUp('pause', 'task');
      throw e;
    });
    remote.update(reply.object);
    void caller;
  }

  /** The local object a handle from `from` stands for. */
  importHandle(from: string, h: RemoteHandle): KernelObject {
    const kernel = this.#kernel;
    if (h.home === kernel.id) return this.#service.local(from, h.handle);
    if (h.object.type === ObjectType.GROUP) {
      // Groups are scopes identified by their names: a local replica stands in for the remote group. The handle goes
      // back at once, best effort: a home that cannot be reached drops it when it finds this kernel gone.
      if (h.handle !== 0) this.send(h.home, { kind: 'release', handle: h.handle, destroy: false }).catch(() => {});
      return this.#service.replicaGroup(h.object.name);
    }
    const key = `${h.home}/${h.handle}`;
    const known = this.#remotes.get(key);
    if (known !== undefined) {
      known.update(h.object);
      return known;
    }
    const remote = new RemoteObject(h.home, h.handle, h.object, this.#port);
    remote.onDestroyed = () => {
      if (this.#remotes.get(key) === remote) this.#remotes.delete(key);
    };
    this.#remotes.set(key, remote);
    return remote;
  }

  // A reference the peer can use: a handle held for it at the object's home.
  async #exportTo(
    peer: string,
    ref: Reference & { rights: number },
    rights: number,
  ): Promise<RemoteHandle & { rights: number }> {
    const obj = ref.object;
    if (obj instanceof GroupObject) return { home: this.#kernel.id, handle: 0, object: describeObject(obj), rights };
    if (obj instanceof RemoteObject) {
      if (obj.home === peer) return { home: peer, handle: obj.handle, object: describeObject(obj), rights };
      const reply = await this.send(obj.home, { kind: 'share', handle: obj.handle, peer, rights });
      return { home: obj.home, handle: reply.handle!, object: describeObject(obj), rights };
    }
    return { ...this.#service.export(peer, obj, rights, { task: ref.owner, id: ref.id }), rights };
  }

  // Exports every reference or none: when one fails, those already exported are given back.
  async #exportAll(
    peer: string,
    items: { ref: Reference; rights: number }[],
  ): Promise<(RemoteHandle & { rights: number })[]> {
    const results = await Promise.allSettled(items.map((it) => this.#exportTo(peer, it.ref, it.rights)));
    const failed = results.find((r) => r.status === 'rejected');
    const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (failed !== undefined) {
      this.#unexport(peer, done);
      throw failed.reason;
    }
    return done;
  }

  // Gives back handles exported for `peer` that it never received: ours directly, a third kernel's by asking it.
  #unexport(peer: string, handles: RemoteHandle[]): void {
    for (const h of handles) {
      if (h.handle === 0 || h.home === peer) continue;
      if (h.home === this.#kernel.id) {
        const ref = this.#service.proxyTask(peer).table.get(h.handle);
        if (ref !== undefined) this.#kernel.closeRef(ref);
      } else {
        // Best effort: if the third kernel cannot be reached, it drops the handles it held for this one when it finds it gone.
        this.send(h.home, { kind: 'release', handle: h.handle, destroy: false, for: peer }).catch(() => {});
      }
    }
  }

  #serveDirectory(from: string, req: DirectoryRequest): PeerReply {
    try {
      if (this.#directory === undefined)
        throw errors.ENOTSUP(
          'peer',
          'kind',
          `kernel ${this.#kernel.id} resolves names by broadcast, without a directory`,
        );
      return this.#directory.serve(from, req);
    } catch (e) {
      const err = e instanceof DiosError ? e : errors.EIO(`peer:${req.kind}`, undefined, String(e));
      return { ok: false, error: { code: err.code, syscall: err.syscall, argument: err.argument, detail: err.detail } };
    }
  }

  // Fate sharing: proxies for the peer's objects lose their handles, and what the peer held or ran here goes.
  #peerGone(peer: string): void {
    this.#gone.add(peer);
    this.#goneTimes.set(peer, (this.#goneTimes.get(peer) ?? 0) + 1);
    for (const [key, remote] of this.#remotes) {
      if (remote.home !== peer) continue;
      // Forgotten now: a restarted peer hands out handle numbers afresh, which must not find these proxies.
      this.#remotes.delete(key);
      remote.markHostDown();
    }
    this.#service.peerGone(peer);
    this.#directory?.peerGone(peer);
  }

  async #serve(from: string, req: PeerRequest): Promise<PeerReply> {
    if (req.kind === 'directory-sync' || req.kind === 'directory-add' || req.kind === 'directory-remove')
      return this.#serveDirectory(from, req);
    if (req.kind === 'lookup' && req.directory === true) {
      const reply = await this.#service.handle(from, req, this);
      if (!reply.ok) return reply;
      const answer = this.#directory?.answer(req.name) ?? { homes: [], complete: false };
      return { ...reply, homes: answer.homes, complete: answer.complete };
    }
    if (req.kind === 'revoked') {
      const remote = this.#remotes.get(`${from}/${req.handle}`);
      if (remote !== undefined) {
        remote.markRevoked();
        this.#kernel.destroyObject(remote);
      }
      return { ok: true };
    }
    return this.#service.handle(from, req, this);
  }
}
