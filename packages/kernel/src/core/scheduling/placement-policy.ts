/**
 * Placing one task: when run is asked for any kernel (`spec.kernel: '*'`), a
 * scheduling policy picks one from what the kernel knows: where the task's
 * input bytes live, how loaded each reachable kernel is, and what the task's
 * program was seen to do before.
 * @module
 */
import type { NodeLoad } from '../wire/transport.js';
import type { TaskClass } from './task-class.js';

/** `spec.kernel` value that lets the kernel's scheduling policy choose. */
export const ANY_KERNEL = '*';

/** What a policy is told about one run. */
export interface PlacementRequest {
  /** The kernel the run was made on. */
  readonly caller: string;
  /** The task's arguments. */
  readonly argv: readonly string[];
  /** Bytes of the task's inputs by the kernel that holds them. */
  readonly inputBytes: Readonly<Record<string, number>>;
  /** Every kernel that can take the task (the caller first when it is schedulable), with its load. */
  readonly candidates: readonly NodeLoad[];
  /** What the task's program was seen to do in earlier runs ('unknown' when never seen or not told). */
  readonly taskClass?: TaskClass;
}

/** Chooses the kernel a task runs on. */
export interface SchedulingPolicy {
  /** Returns (or resolves to) the id of one of `request.candidates`. */
  place(request: PlacementRequest): string | Promise<string>;
}
