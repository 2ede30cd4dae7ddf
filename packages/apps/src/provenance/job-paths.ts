/**
 * The paths of a MapReduce job's objects by name key, so that a drawing of
 * its provenance says `/mapreduce/JOB/out/part-0` rather than a name: every
 * object of a job (and the programs' binaries) is at a path, and a path
 * gives the name in the group (the kernel's pathName rule).
 * @module
 */
import { pathName, type Name } from '@dios/kernel';
import { BINARY_PATHS } from '../mapreduce/programs.js';
import { mapOutputPath, outputPath, progressPath, reportPath, taskErrorPath } from '../mapreduce/paths.js';

/** What {@link jobPaths} needs to know of the job. */
export interface JobShape {
  /** The job id. */
  readonly job: string;
  /** Map tasks. */
  readonly maps: number;
  /** Reduce tasks. */
  readonly reduces: number;
  /** Attempts a task may take. */
  readonly attempts: number;
}

/** Name key -> path of every object job `shape` may make in `group`, and of the MapReduce binaries. */
export async function jobPaths(group: Name, shape: JobShape): Promise<Map<string, string>> {
  const { job, maps, reduces, attempts } = shape;
  const paths: string[] = [...Object.values(BINARY_PATHS), reportPath(job), progressPath(job)];
  for (let r = 0; r < reduces; r++) paths.push(outputPath(job, r), taskErrorPath(job, 'reduce', r));
  for (let m = 0; m < maps; m++) {
    paths.push(taskErrorPath(job, 'map', m));
    for (let a = 1; a <= attempts; a++) for (let r = 0; r < reduces; r++) paths.push(mapOutputPath(job, m, a, r));
  }
  const byName = new Map<string, string>();
  for (const path of paths) byName.set((await pathName(group, path)).key, path);
  return byName;
}
