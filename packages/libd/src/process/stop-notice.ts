/**
 * A container's stop notice, libd's SIGTERM: a stream in the container's
 * group (named from STOP_NOTICE_SEED) that ends when the host asks the
 * container to stop. A task that wants to finish its work cleanly waits for
 * it; one that does not is killed when the grace period is over
 * (docs/containers.md).
 * @module
 */
import { errors, isDiosError, Name, STOP_NOTICE_SEED, type SystemCalls } from '@dios/kernel';

/** A handle on the task's stop notice, or undefined when the task is in no container (nothing will ask it to stop). */
export async function stopNotice(sys: SystemCalls): Promise<number | undefined> {
  const group = sys.groupNames[0];
  if (group === undefined) return undefined;
  try {
    const [notice, ...copies] = await sys.lookup((await Name.seeded(group, STOP_NOTICE_SEED)).key);
    for (const extra of copies) await sys.delete(extra);
    return notice;
  } catch (e) {
    if (isDiosError(e, 'ENOENT')) return undefined;
    throw e;
  }
}

/**
 * Waits until the host asks the task's container to stop, or `timeoutMs`
 * passes: true when the stop was asked for, false on the timeout. ENOENT
 * (naming `sys`) for a task in no container.
 */
export async function waitForStop(sys: SystemCalls, options: { timeoutMs?: number } = {}): Promise<boolean> {
  const notice = await stopNotice(sys);
  if (notice === undefined)
    throw errors.ENOENT('waitForStop', 'sys', 'the task is in no container: it has no stop notice');
  try {
    await sys.select([notice], options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
    return true;
  } catch (e) {
    if (isDiosError(e, 'ETIMEDOUT')) return false;
    throw e;
  } finally {
    await sys.delete(notice).catch(() => {
      // The notice went with its container: nothing to drop.
    });
  }
}
