/**
 * The greedy placement DIOS started with: the kernel holding most of the
 * task's input bytes (move the work to the data), else the one running the
 * fewest tasks, else the caller.
 * @module
 */
import type { NodeLoad } from '../wire/transport.js';
import type { SchedulingPolicy } from './placement-policy.js';

/** The default policy: most input bytes first, then fewest running tasks, then the caller. */
export const localityPolicy: SchedulingPolicy = {
  place({ caller, inputBytes, candidates }) {
    let best = candidates[0]!;
    const score = (c: NodeLoad) => (Object.hasOwn(inputBytes, c.kernel) ? inputBytes[c.kernel]! : 0);
    for (const c of candidates) {
      const better =
        score(c) > score(best) ||
        (score(c) === score(best) &&
          (c.runningTasks < best.runningTasks || (c.runningTasks === best.runningTasks && c.kernel === caller)));
      if (better) best = c;
    }
    return best.kernel;
  },
};
