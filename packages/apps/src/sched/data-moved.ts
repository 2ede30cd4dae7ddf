/**
 * The bytes a placement moves: a task's input not held by the machine it
 * runs on (totalBytes − inputBytes[machine]), split by where they come from
 * when racks are configured. With the task's blocks known the split is
 * exact (a block with a replica in the machine's rack comes from there);
 * with only bytes by machine (a trace without blocks), the rack is credited
 * with what its best single other holder has beyond the machine's own bytes:
 * a lower bound of what the rack could supply.
 * @module
 */
import type { MachineSpec } from '@dios/kernel';
import type { SimTask } from './workload.js';

/** Where a placed task's input came from. */
export interface Movement {
  /** Bytes the machine held. */
  readonly local: number;
  /** Bytes fetched from its rack. */
  readonly inRack: number;
  /** Bytes fetched from beyond its rack (all the moved bytes when there are no racks). */
  readonly crossRack: number;
}

/** Computes {@link Movement}s on one cluster. */
export class DataMoved {
  readonly #rackOf = new Map<string, string>();

  /** `machines`: the cluster (their racks, if any). */
  constructor(machines: readonly MachineSpec[]) {
    for (const m of machines) if (m.rack !== undefined) this.#rackOf.set(m.id, m.rack);
  }

  /** What placing `task` on `machine` moves. */
  of(task: SimTask, machine: string): Movement {
    const local = task.inputBytes[machine] ?? 0;
    const moved = Math.max(0, task.totalBytes - local);
    const rack = this.#rackOf.get(machine);
    if (rack === undefined || moved === 0) return { local, inRack: 0, crossRack: moved };
    let inRack = 0;
    if (task.blocks !== undefined) {
      for (const b of task.blocks) {
        if (b.replicas.includes(machine)) continue;
        if (b.replicas.some((r) => this.#rackOf.get(r) === rack)) inRack += b.bytes;
      }
    } else {
      let best = 0;
      for (const [m, bytes] of Object.entries(task.inputBytes))
        if (m !== machine && this.#rackOf.get(m) === rack) best = Math.max(best, bytes);
      inRack = Math.min(moved, Math.max(0, best - local));
    }
    return { local, inRack, crossRack: moved - inRack };
  }
}
