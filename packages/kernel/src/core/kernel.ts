/**
 * The kernel's facade, what hosts use: it boots a kernel (its state, the
 * boot-time objects, durable blobs from a store), gives each task the
 * system-call interface, and joins peers. Everything below it is layered:
 * abi/ (what a task sees), wire/ (what kernels send each other), objects/,
 * kernel/ (the state and its ports), syscalls/, peer/.
 * @module
 */
import { errors } from './abi/errors.js';
import { Name, describe } from './abi/names.js';
import type { Transport } from './wire/transport.js';
import type { TaskObject } from './objects/task.js';
import { TagObject } from './objects/tag.js';
import { TAG_RIGHTS } from './abi/flags.js';
import { loadDurableBlobs } from './kernel/durable-restore.js';
import { kernelStatusName } from './kernel/kernel-status.js';
import { KernelState, type KernelOptions } from './kernel/kernel-state.js';
import { TaskContext } from './syscalls/task-context.js';
import { PeerLink } from './peer/peer-link.js';

export { DEFAULT_BUFFER_SIZE, type KernelOptions } from './kernel/kernel-state.js';

/** One DIOS kernel: its objects, tasks and programs. */
export class Kernel extends KernelState<TaskContext> {
  /** Boots a kernel with a root group, a console and an init task. */
  static async boot(options: KernelOptions = {}): Promise<Kernel> {
    const id = options.id ?? `k-${Name.random().key.slice(0, 12)}`;
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

  /** Joins the peers reachable through `transport` (whose id must be this kernel's id). */
  join(transport: Transport): PeerLink {
    if (this.distribution !== undefined)
      throw errors.EINVAL('join', 'transport', `kernel ${this.id} has already joined a transport`);
    const link = new PeerLink(this, transport);
    this.distribution = link;
    return link;
  }
}

// Names of boot-time objects: derived from the kernel id, so a restarted kernel keeps them.
function bootName(kernelId: string, what: string): Promise<Name> {
  return Name.fromString(`dios-boot\u0000${kernelId}\u0000${what}`);
}
