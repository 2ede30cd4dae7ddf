/**
 * CPU shares as the host's scheduler understands them: Linux's CFS gives a
 * thread a weight by its nice level (1024 at nice 0, about 1.25 times less
 * for each level up), which is what a cgroup's cpu.shares sets for a group.
 * A container's threads get the nice level whose weight is nearest its
 * shares, so under contention they get CPU in proportion.
 * @module
 */
import { setPriority } from 'node:os';

/** The nice level whose CFS weight is nearest `shares` (1024: nice 0), clamped to [-20, 19]. */
export function niceForShares(shares: number): number {
  const nice = Math.round(Math.log(1024 / shares) / Math.log(1.25));
  return Math.max(-20, Math.min(19, nice));
}

/**
 * Gives thread `tid` the nice level of `shares`. A level below 0 needs
 * privilege (CAP_SYS_NICE): without it the thread stays at 0 and this
 * returns 0. Returns the level set, or undefined when the host refused.
 */
export function applyShares(tid: number, shares: number): number | undefined {
  const nice = niceForShares(shares);
  try {
    setPriority(tid, nice);
    return nice;
  } catch {
    if (nice >= 0) return undefined;
    try {
      setPriority(tid, 0);
      return 0;
    } catch {
      return undefined;
    }
  }
}
