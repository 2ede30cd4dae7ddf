/**
 * Keeping the provenance of a job run from the host (`dios wordcount
 * --store`): the names of the inputs as they are loaded, the paths of the
 * job's objects, and at the end the kernel's log, saved in the blob at
 * `/.provenance/KERNEL-ID` (durable: the kernel has a store).
 * @module
 */
import { pathName, type Kernel } from '@dios/kernel';
import { jobPaths, type JobShape } from './job-paths.js';
import { provenancePath, saveProvenance } from './log-blob.js';

/** The provenance of one job on `kernel`, kept as the job runs. */
export class JobProvenance {
  readonly #kernel: Kernel;
  readonly #paths = new Map<string, string>();

  /** Keeps the provenance of a job on `kernel` (booted with `provenance: false`, it saves an empty log). */
  constructor(kernel: Kernel) {
    this.#kernel = kernel;
  }

  /** Runs `load`, which creates one object (an input), and labels that object `label` in drawings. */
  async loaded<T>(label: string, load: () => Promise<T>): Promise<T> {
    let created: string | undefined;
    const stop = this.#kernel.provenance?.subscribe((r) => {
      if (r.operation === 'create' && r.allowed) created ??= r.object;
    });
    try {
      return await load();
    } finally {
      stop?.();
      if (created !== undefined) this.#paths.set(created, label);
    }
  }

  /** Labels the object at DIOS path `path` (in init's first group) with its path. */
  async at(path: string): Promise<void> {
    const group = this.#kernel.init.groupNames[0];
    if (group !== undefined) this.#paths.set((await pathName(group, path)).key, path);
  }

  /** Saves the log, with the paths of job `shape`'s objects; returns the DIOS path of the blob it is in. */
  async save(shape: JobShape): Promise<string> {
    const sys = this.#kernel.init;
    const group = sys.groupNames[0];
    const paths = group === undefined ? new Map<string, string>() : await jobPaths(group, shape);
    for (const [name, path] of this.#paths) paths.set(name, path);
    // Taken before the save, whose own writes would otherwise be in it.
    const records = this.#kernel.provenance?.records() ?? [];
    const where = provenancePath(this.#kernel.id);
    await saveProvenance(sys, { kernel: this.#kernel.id, paths: Object.fromEntries(paths), records }, where);
    return where;
  }
}
