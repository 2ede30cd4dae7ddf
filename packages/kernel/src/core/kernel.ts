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
