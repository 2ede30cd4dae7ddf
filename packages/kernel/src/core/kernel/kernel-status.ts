/**
 * The kernel's status as an object (like /proc): a read lends a JSON
 * snapshot of the kernel's tasks, with their monitoring figures, and of its
 * objects, taken when the read begins. Tasks find it by name in the root
 * group ({@link kernelStatusName}), so a status page is an ordinary program
 * that reads an object.
 * @module
 */
import { errors } from '../abi/errors.js';
import { ObjectType } from '../abi/flags.js';
import type { KernelState } from './kernel-state.js';
import { monitorTasks, type TaskReport } from './monitoring.js';
import { Name } from '../abi/names.js';
import type { Lease } from '../objects/reference.js';
import { KernelObject, type IoRequest } from '../objects/kernel-object.js';
import { canFlow, type Label } from '../objects/label.js';

// How much of an object's name the status shows (see ObjectStatus.name).
const STATUS_NAME_DIGITS = 12;

/** One object as the status lists it. */
export interface ObjectStatus {
  /**
   * The first 12 hex digits of the name: enough to tell objects apart, not
   * to look one up. A data object's name is a capability for its bytes
   * (its lookup mask is `rwxd`), so the status, which every task of the
   * root group may read, does not publish it. Tasks are listed by their
   * full names in {@link KernelStatus.tasks}.
   */
  readonly name: string;
  /** The object's type, as {@link ObjectType} spells it. */
  readonly type: string;
  /** Size in bytes. */
  readonly size: number;
  /** Changes on every committed write. */
  readonly version: number;
  /** References to it on this kernel. */
  readonly refs: number;
  /** When the object is destroyed: `immortal`, `single-delete` or `refcounted`. */
  readonly lifecycle: string;
  /** Network objects: their address. */
  readonly address?: string;
}

/** What a read of the status object yields (as JSON). */
export interface KernelStatus {
  /** The kernel's id. */
  readonly kernel: string;
  /** When the snapshot was taken (ms since the epoch). */
  readonly at: number;
  /** Tasks, live and recently exited, oldest first. */
  readonly tasks: readonly TaskReport[];
  /** Objects on this kernel (tasks included). */
  readonly objects: readonly ObjectStatus[];
}

/** Name of kernel `kernelId`'s status object (in its root group). */
export function kernelStatusName(kernelId: string): Promise<Name> {
  return Name.fromString(`dios-boot\u0000${kernelId}\u0000status`);
}

/** The status object (see the module comment). */
export class KernelStatusObject extends KernelObject {
  /** Always a status object. */
  readonly type = ObjectType.KERNEL_STATUS;
  readonly #kernel: KernelState;

  /** The status of `kernel`. */
  constructor(name: Name, kernel: KernelState) {
    super(name, 'immortal', undefined);
    this.#kernel = kernel;
  }

  override get size(): number {
    return 0;
  }
  override isReady(): boolean {
    return true;
  }

  /**
   * The snapshot a read would lend now. Given the reader's label, tasks and
   * objects whose label may not flow to it are left out (their figures are
   * their data); the host's view (no reader) shows everything.
   */
  snapshot(reader?: Label): KernelStatus {
    const objects: ObjectStatus[] = [];
    for (const obj of this.#kernel.objects.values()) {
      if (reader !== undefined && !canFlow(obj.label, reader)) continue;
      const address = obj.address;
      objects.push({
        name: obj.name.key.slice(0, STATUS_NAME_DIGITS),
        type: obj.type,
        size: obj.size,
        version: obj.version,
        refs:
          reader === undefined
            ? obj.refCount
            : obj.refCount - [...obj.refs].filter((r) => !canFlow(r.holder.label, reader)).length,
        lifecycle: obj.lifecycle,
        ...(address !== undefined ? { address } : {}),
      });
    }
    return {
      kernel: this.#kernel.id,
      at: this.#kernel.clock.now(),
      tasks: monitorTasks(this.#kernel, reader),
      objects,
    };
  }

  override beginRead(req: IoRequest): Lease {
    if (req.offset !== 0) throw errors.ESPIPE(req.syscall, 'options.offset', 'the status object is read whole');
    const buffer = new TextEncoder().encode(JSON.stringify(this.snapshot(req.label)));
    return { ref: req.ref, kind: 'read', buffer, offset: 0, version: this.version, exclusive: false, truncate: false };
  }
  override endRead(): boolean {
    return true;
  }
}
