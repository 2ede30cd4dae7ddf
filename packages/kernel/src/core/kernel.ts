/**
 * The kernel's facade, what hosts use: it boots a kernel (its state, the
 * boot-time objects, durable blobs from a store), gives each task the
 * system-call interface, and joins peers. Everything below it is layered:
 * abi/ (what a task sees), wire/ (what kernels send each other), objects/,
 * kernel/ (the state and its ports), syscalls/, peer/.
 * @module
 */
import { v7 as uuidv7 } from 'uuid';
import { errors } from './abi/errors.js';
import { Name, describe } from './abi/names.js';
import type { Transport } from './wire/transport.js';
import type { TaskObject } from './objects/task.js';
import { TagObject } from './objects/tag.js';
import { checkRights, Rights, TAG_RIGHTS } from './abi/flags.js';
import { loadDurableBlobs } from './kernel/durable-restore.js';
import { kernelStatusName } from './kernel/kernel-status.js';
import { KernelState, type KernelOptions } from './kernel/kernel-state.js';
import { TaskContext } from './syscalls/task-context.js';
import { PeerLink, type JoinOptions } from './peer/peer-link.js';
import type { Container, ContainerOptions } from './objects/container.js';
import {
  createContainer,
  hostGroup,
  killContainer,
  noticeContainer,
  rearmContainer,
  removeContainer,
  shareIntoContainer,
} from './kernel/containers.js';

export { DEFAULT_BUFFER_SIZE, type KernelOptions } from './kernel/kernel-state.js';

/** One DIOS kernel: its objects, tasks and programs. */
export class Kernel extends KernelState<TaskContext> {
  /** Boots a kernel with a root group, a console and an init task. */
  static async boot(options: KernelOptions = {}): Promise<Kernel> {
    // A kernel id is a UUID by nature (unique without coordination); v7 sorts by boot time in listings and logs.
    const id = options.id ?? uuidv7();
    if (typeof id !== 'string' || id.length === 0)
      throw errors.EINVAL('Kernel.boot', 'options.id', `a kernel id is a non-empty string, got ${describe(id)}`);
    const cluster = options.cluster ?? id;
    if (typeof cluster !== 'string' || cluster.length === 0)
      throw errors.EINVAL(
        'Kernel.boot',
        'options.cluster',
        `a cluster name is a non-empty string, got ${describe(cluster)}`,
      );
    const names = await Promise.all([
      Name.fromString(`dios-cluster-root\u0000${cluster}`),
      bootName(id, 'console'),
      bootName(id, 'init'),
      kernelStatusName(id),
    ]);
    const kernel = new Kernel(id, options, names);
    if (options.store !== undefined) await loadDurableBlobs(kernel, options.store);
    return kernel;
  }

  /** Each task's system calls: a {@link TaskContext}. */
  protected contextFor(task: TaskObject): TaskContext {
    return new TaskContext(this, task);
  }

  /**
   * The host's way back to a tag after a restart. Tags live in memory, so a
   * durable blob labelled with one comes back with a label whose
   * capabilities nobody holds. This makes tag `name` again on this kernel,
   * named in the root group, and gives init a reference with every right
   * (ADD and REMOVE included), to hand on with copy. A host operation, not
   * a system call: no task can make a tag of a chosen name (docs/ifc.md).
   * EEXIST when an object of that name is here already. Returns init's handle.
   */
  restoreTag(name: Name | string): number {
    const key = typeof name === 'string' ? Name.parse(name, 'restoreTag', 'name') : name;
    if (this.objects.has(key.key))
      throw errors.EEXIST('restoreTag', 'name', `an object named ${key.key} already exists on kernel ${this.id}`);
    const tag = new TagObject(key, 'refcounted', this.rootGroup);
    this.objects.set(key.key, tag);
    this.rootGroup.add(tag);
    const init = this.tasks.get(this.init.taskName.key)!;
    return this.openRef(init, tag, TAG_RIGHTS, undefined).id;
  }

  /**
   * Makes a container (docs/containers.md): a group of its own that is its
   * tasks' only scope, a secrecy tag they all carry, a console and a stop
   * notice in the group, and limits. Init gets every right on the group (so
   * the host starts tasks in it with `run`, `spec.groups: [handles.group]`)
   * and ADD and REMOVE on the tag. EEXIST when the id is taken, EINVAL for a
   * bad id or limit.
   */
  createContainer(options: ContainerOptions): Container {
    return createContainer(this, options);
  }

  /** Asks a container's tasks to stop: its stop notice ends (a task sees it with select; libd's `stopRequested`). */
  noticeContainer(container: Container): void {
    noticeContainer(this, this.#own(container, 'noticeContainer'));
  }

  /** Gives a container whose stop notice has ended a fresh one (before it starts again). */
  rearmContainer(container: Container): void {
    rearmContainer(this, this.#own(container, 'rearmContainer'));
  }

  /** Ends every task of a container now, with `status` (default 137). */
  killContainer(container: Container, status?: number): void {
    killContainer(this, this.#own(container, 'killContainer'), status);
  }

  /**
   * Makes the object behind init's reference `handle` resolvable inside a
   * container, under its own name or under `options.as` (for example the
   * name a path has in the container's group), read-only if asked: never
   * with more rights than init's reference has. The labels still decide
   * what may flow.
   */
  shareIntoContainer(
    container: Container,
    handle: number,
    options: { readonly as?: Name; readonly readOnly?: boolean; readonly rights?: number } = {},
  ): void {
    const s = 'shareIntoContainer';
    const init = this.tasks.get(this.init.taskName.key)!;
    const ref = this.ref(init, handle, s, 'handle');
    if (!(ref.rights & Rights.READ)) throw errors.EACCES(s, 'handle', `init's reference ${handle} lacks READ`);
    const asked = options.rights === undefined ? Rights.ALL : checkRights(s, 'options.rights', options.rights);
    let rights = asked & ref.rights & Rights.ALL;
    if (options.readOnly === true) rights &= ~Rights.WRITE;
    shareIntoContainer(this.#own(container, s), ref.object, { as: options.as, rights });
  }

  /** The name of host group `seed` (see {@link Kernel.hostGroup}): what seeded names in it derive from. */
  hostGroupName(seed: string): Name {
    if (typeof seed !== 'string' || seed.length === 0)
      throw errors.EINVAL('hostGroup', 'seed', `expected a non-empty string, got ${describe(seed)}`);
    return Name.seededSync(this.rootGroup.name, `dios-host\u0000${seed}`);
  }

  /**
   * A group of the host's own (an image store, a daemon's records): named
   * from `seed` and in no group, so no task finds it by name; if it came
   * back with durable blobs after a restart (the boot names such groups in
   * the root group), it is taken out of the root group again. Returns init's
   * handle to it, with every right (a new handle on every call).
   */
  hostGroup(seed: string): number {
    // hostGroupName checks the seed.
    const group = hostGroup(this, this.hostGroupName(seed), 'hostGroup');
    const init = this.tasks.get(this.init.taskName.key)!;
    return this.openRef(init, group, Rights.ALL, undefined).id;
  }

  /** Removes a container: its tasks killed, the objects in its group destroyed (durable ones leave the store), its tag and group gone. */
  removeContainer(container: Container): void {
    removeContainer(this, this.#own(container, 'removeContainer'));
  }

  #own(container: Container, call: string): Container {
    if (this.containers.get(container?.id) !== container)
      throw errors.ENOENT(call, 'container', `not a container of kernel ${this.id}: ${describe(container?.id)}`);
    return container;
  }

  /** Joins the peers reachable through `transport` (whose id must be this kernel's id). */
  join(transport: Transport, options?: JoinOptions): PeerLink {
    if (this.distribution !== undefined)
      throw errors.EINVAL('join', 'transport', `kernel ${this.id} has already joined a transport`);
    const link = new PeerLink(this, transport, options);
    this.distribution = link;
    return link;
  }
}

// Names of boot-time objects: derived from the kernel id, so a restarted kernel keeps them.
function bootName(kernelId: string, what: string): Promise<Name> {
  return Name.fromString(`dios-boot\u0000${kernelId}\u0000${what}`);
}
