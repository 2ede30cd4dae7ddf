/**
 * A kernel's provenance log published live in the blob `/.provenance/KERNEL-ID`,
 * where tasks read it through the system calls (the web status page draws
 * it): the host subscribes to the log and, a moment after flows arrive,
 * saves the newest records (the blob is replaced whole). The blob's own
 * writes and reads are left out, or every save would call for another.
 * @module
 */
import { pathName, type Kernel, type SystemCalls } from '@dios/kernel';
import { provenancePath, saveProvenance } from './log-blob.js';

/** Options of {@link publishProvenance}. */
export interface PublishOptions {
  /** Most records saved (the newest; default 2000). */
  readonly records?: number;
  /** How long after a flow the log is saved, gathering the flows meanwhile (ms, default 250). */
  readonly delayMs?: number;
  /** Object name key -> path, for the drawing. */
  readonly paths?: ReadonlyMap<string, string>;
}

/** A running publication; `close` stops it after the save under way. */
export interface LiveProvenance {
  /** The blob's DIOS path. */
  readonly path: string;
  /** Stops publishing. */
  close(): Promise<void>;
}

/** Default {@link PublishOptions.records}. */
const RECORDS = 2000;

/**
 * Publishes `kernel`'s provenance log at `/.provenance/KERNEL-ID` in the
 * first group of task `sys` (default `kernel.init`), now and after every
 * burst of flows. Undefined when the kernel keeps no log.
 */
export async function publishProvenance(
  kernel: Pick<Kernel, 'id' | 'init' | 'provenance'>,
  options: PublishOptions = {},
  sys: SystemCalls = kernel.init,
): Promise<LiveProvenance | undefined> {
  const log = kernel.provenance;
  const group = sys.groupNames[0];
  if (log === undefined || group === undefined) return undefined;
  const path = provenancePath(kernel.id);
  const self = (await pathName(group, path)).key;
  const limit = options.records ?? RECORDS;
  const paths = Object.fromEntries(options.paths ?? []);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> | undefined;
  let dirty = false;
  let closed = false;

  // The newest records, kept as they arrive: a save then copies `limit` of them, not the kernel's whole log.
  let tail = log.records().filter((r) => r.object !== self);
  const save = async (): Promise<void> => {
    dirty = false;
    if (tail.length > limit) tail = tail.slice(-limit);
    try {
      await saveProvenance(sys, { kernel: kernel.id, paths, records: tail.slice() }, path);
    } catch {
      // The kernel is going away, or the store failed: the next burst tries again.
    }
  };
  const run = (): void => {
    timer = undefined;
    saving = save().then(() => {
      saving = undefined;
      if (dirty) schedule();
    });
  };
  const schedule = (): void => {
    if (closed) return;
    if (timer !== undefined || saving !== undefined) {
      dirty = true;
      return;
    }
    timer = setTimeout(run, options.delayMs ?? 250);
    // A publication never keeps the process alive.
    (timer as { unref?: () => void }).unref?.();
  };
  const me = sys.taskName.key;
  const stop = log.subscribe((r) => {
    if (r.object === self) return;
    tail.push(r);
    // Bounded between saves too (a burst longer than the delay).
    if (tail.length >= 2 * limit) tail = tail.slice(-limit);
    // The save's own calls (reading this task's label to open the blob) would call for another save, for ever.
    if (saving !== undefined && r.task === me) return;
    schedule();
  });
  saving = save();
  await saving;
  saving = undefined;
  return {
    path,
    async close() {
      closed = true;
      stop();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await saving;
    },
  };
}
