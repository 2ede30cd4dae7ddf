/**
 * What the system calls need from a kernel's peers. The kernel core calls
 * this interface; {@link PeerLink} implements it over any Transport.
 * @module
 */
import type { Container } from '../objects/container.js';
import type { KernelObject } from '../objects/kernel-object.js';
import type { TaskObject } from '../objects/task.js';
import type { Reference } from '../objects/reference.js';
import type { Name } from '../abi/names.js';
import type { Placement } from '../abi/program.js';
import type { NodeLoad } from '../wire/transport.js';

/** A task spec with references already resolved, for running a task on a peer. */
export interface ResolvedSpec {
  /** Arguments. */
  argv: string[];
  /** Environment. */
  env: Record<string, string>;
  /** Input references in the caller's table. */
  inputs: Reference[];
  /** Output references in the caller's table. */
  outputs: Reference[];
  /** Group references in the caller's table; undefined: the caller's own memberships. */
  groups: Reference[] | undefined;
  /** The task's name when RunFlags.NAME_DETERMINISTIC derived it; undefined: random. */
  name: Name | undefined;
  /** The placement the caller asked for; undefined: the kernel that runs the task chooses. */
  placement: Placement | undefined;
  /** The container the task joins, if any (docs/containers.md). */
  container: Container | undefined;
}

/** The kernel's view of its peers. */
export interface Distribution {
  /**
   * Objects named `key` in any of `groups` on peer kernels, as local proxies
   * with the rights their groups confer. An unreachable peer is an error
   * (EHOSTDOWN) only when nothing was found anywhere (`foundLocally` false).
   */
  lookup(
    key: string,
    groups: { key: string; rights: number }[],
    foundLocally: boolean,
  ): Promise<{ object: KernelObject; rights: number }[]>;
  /** Delegates `sources` to the task `target` (a reference to a remote task); returns the handles in that task's table. */
  delegate(task: TaskObject, target: Reference, sources: Reference[], rights: number[]): Promise<number[]>;
  /** Runs a task on peer `kernelId`; returns a handle (in `parent`'s table) of a reference to it. */
  run(parent: TaskObject, binary: Reference, spec: ResolvedSpec, flags: number, kernelId: string): Promise<number>;
  /** Pauses or resumes a remote task. */
  pause(caller: TaskObject, target: Reference, flags: number): Promise<void>;
  /**
   * Resolves once the name `key`, just entered here, is registered with the
   * name directory (so a lookup on any peer finds it); undefined when there
   * is nothing to wait for. Calls that name an object wait for it.
   */
  published(key: string): Promise<void> | undefined;
  /** Ids of the peer kernels reachable now. */
  peers(): string[];
  /** Peer `kernelId`'s load (for scheduling); with `program`, the class it has seen that program have. */
  load(kernelId: string, program?: string): Promise<NodeLoad>;
}
