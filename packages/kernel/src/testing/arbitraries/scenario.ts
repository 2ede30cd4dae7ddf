/**
 * The starting states of a model run: a group g1 made by init, one or two
 * host-attached tasks in various groups (with various rights), and
 * (sometimes) a shared blob and a stream that init hands to the tasks.
 * @module
 */
import fc from 'fast-check';
import type { MLifecycle } from '../model/model-types.js';
import { ALL } from '../model/rights-and-limits.js';

/** The groups a host-attached task is a member of, in order (`none`: no group). */
export type Groups = 'root' | 'g1' | 'g1+root' | 'root+g1' | 'none';
/** Rights of a membership (mostly all; READ alone, WRITE alone and others now and then). */
const membershipRightsArb = fc.constantFrom(0xf, 0xf, 0xf, 0xf, 0x9, 0x1, 0x2, 0x3, 0xb, 0xa);
/** A starting state of a model run. */
export interface Scenario {
  /** Lifecycle of g1, a group init creates before the other tasks attach. */
  g1: MLifecycle;
  /** Whether g1's name comes from a seed (then a later create can ask for the same name again). */
  g1Seeded: boolean;
  /**
   * Groups of each host-attached task, the rights of each membership (in order), and its lookup mask (undefined:
   * a task's default, r--d; the host may let whoever finds the task by name write to it).
   */
  tasks: { groups: Groups; rights: number[]; mask: number | undefined }[];
  /**
   * Whether init starts with a shared blob and a stream, and hands them to each task it can see with these
   * rights (so that sequences begin with cross-task I/O at hand rather than with empty tables).
   */
  preload: { blob: MLifecycle; capacity: number; rights: number[] } | undefined;
}
/**
 * Starting states: g1 of any lifecycle, seeded half the time; one or two tasks, mostly in the root group with all
 * rights, now and then in g1, both or none, with fewer rights or a wider lookup mask; a preloaded blob and stream
 * four runs in five.
 */
export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  g1: fc.constantFrom<MLifecycle>('immortal', 'single-delete', 'refcounted'),
  g1Seeded: fc.boolean(),
  tasks: fc.array(
    fc.record({
      groups: fc.constantFrom<Groups>('root', 'root', 'g1', 'g1+root', 'root+g1', 'none'),
      rights: fc.array(membershipRightsArb, { minLength: 2, maxLength: 2 }),
      mask: fc.constantFrom<number | undefined>(undefined, ALL, ALL, 0x3),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  preload: fc.option(
    fc.record({
      blob: fc.constantFrom<MLifecycle>('immortal', 'single-delete', 'refcounted'),
      capacity: fc.integer({ min: 1, max: 8 }),
      rights: fc.array(fc.constantFrom(0xf, 0xf, 0xb, 0x3, 0x1, 0x2, 0x9), { minLength: 2, maxLength: 2 }),
    }),
    { freq: 4, nil: undefined },
  ),
});
