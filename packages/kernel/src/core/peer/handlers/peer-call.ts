/**
 * What a handler of a peer request works with, and how a request finds its
 * handler: a table with one handler per request kind, typed so that each
 * handler takes exactly its own kind of request.
 * @module
 */
import type { SystemCalls } from '../../abi/system-calls.js';
import type { KernelState } from '../../kernel/kernel-state.js';
import type { GroupObject } from '../../objects/group.js';
import type { KernelObject } from '../../objects/kernel-object.js';
import type { ObjectDescriptor, PeerReply, PeerRequest, RemoteHandle } from '../../wire/transport.js';
import type { PeerProxy } from './peer-proxy.js';

/** Resolves the references a peer passes along (delegation, run) to local objects. */
export interface Importer {
  /** The object a remote handle stands for on this kernel (a local object, a replica group, or a new proxy). */
  importHandle(from: string, handle: RemoteHandle): KernelObject;
}

/** One request being served: who asks, and what of the serving kernel a handler may use. */
export interface PeerCall {
  /** Id of the asking peer. */
  readonly from: string;
  /** The serving kernel. */
  readonly kernel: KernelState;
  /** The asking peer's proxy here: the task holding its references, its leases, the tasks it ran. */
  readonly proxy: PeerProxy;
  /** The proxy task's system calls: a peer's I/O runs as these, so it obeys the rules local calls do. */
  readonly sys: SystemCalls;
  /** Resolves the handles the peer passes along. */
  readonly importer: Importer;
  /** The proxy of peer `peer`, if it has one here. */
  proxyOf(peer: string): PeerProxy | undefined;
  /** Opens a reference to a local object for `peer` (in its proxy task) and describes it. */
  export(
    peer: string,
    obj: KernelObject,
    rights: number,
    parent: { task: string; id: number } | undefined,
  ): RemoteHandle;
  /** The local group object named `key`: the original, or a replica made now. */
  replicaGroup(key: string): GroupObject;
  /** Describes a local object for the peer. */
  describe(obj: KernelObject): ObjectDescriptor;
}

/** Each kind of peer request, by its `kind`. */
export type PeerRequestOf = { [K in PeerRequest['kind']]: Extract<PeerRequest, { kind: K }> };

/** Serves one kind of request; a throw becomes the error reply. */
export type PeerHandler<K extends keyof PeerRequestOf> = (
  call: PeerCall,
  request: PeerRequestOf[K],
) => Promise<PeerReply>;

/** One handler for every kind of peer request. */
export type PeerHandlers = { [K in keyof PeerRequestOf]: PeerHandler<K> };

/** Serves `request` (of kind `kind`) with its handler in `handlers`. */
export function dispatch<K extends keyof PeerRequestOf>(
  handlers: PeerHandlers,
  call: PeerCall,
  kind: K,
  request: PeerRequestOf[K],
): Promise<PeerReply> {
  const handler: PeerHandler<K> = handlers[kind];
  return handler(call, request);
}

/** A fresh description of the object behind the peer's handle `handle`, if it still holds it. */
export function describeHandle(call: PeerCall, handle: number): ObjectDescriptor | undefined {
  const ref = call.proxy.task.table.get(handle);
  return ref === undefined ? undefined : call.describe(ref.object);
}
