/**
 * What the kernel has learnt about programs from their past runs: the class
 * of each program ({@link classifyTask} of each finished run), so a task can
 * be placed by the class of its program before it has run at all.
 *
 * A class is the majority of a program's last few classified runs, and a
 * tie keeps the class it had: one odd run (a cold thread's module loading,
 * a small input) does not flip a program's class; a change that lasts does.
 * Runs too short to classify (`unknown`) are not counted. Memory is bounded:
 * past `capacity` programs, the least recently used is forgotten.
 * @module
 */
import { errors } from '../abi/errors.js';
import { describe } from '../abi/names.js';
import type { TaskStatsSnapshot } from '../objects/task-stats.js';
import { classifyTask } from './classify-task.js';
import type { TaskClass } from './task-class.js';

/** Options of {@link TaskProfiles}. */
export interface TaskProfilesOptions {
  /** Most programs remembered (least recently used dropped first); default 4096. */
  readonly capacity?: number;
  /** Classified runs per program the majority is taken over; default 5. */
  readonly window?: number;
}

const CALL = 'TaskProfiles';
/** Longest program key kept (a binary's name is 64 hex digits; a path a little more). */
const MAX_KEY = 1024;

interface Profile {
  /** The last classified runs, oldest first (at most `window`). */
  readonly runs: TaskClass[];
  current: TaskClass;
}

/** Task classes per program, learnt from monitoring figures (see the module comment). */
export class TaskProfiles {
  readonly #capacity: number;
  readonly #window: number;
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  readonly #profiles = new Map<string, Profile>();

  /** EINVAL (`options.capacity`, `options.window`) for a count that is not an integer in [1, 2^20]. */
  constructor(options: TaskProfilesOptions = {}) {
    if (options === null || typeof options !== 'object')
      throw errors.EINVAL(CALL, 'options', `expected an object, got ${describe(options)}`);
    this.#capacity = count(options.capacity ?? 4096, 'options.capacity');
    this.#window = count(options.window ?? 5, 'options.window');
  }

  /** Programs remembered now (at most the capacity). */
  get size(): number {
    return this.#profiles.size;
  }

  /**
   * Records a finished run of `program` (a non-empty key of at most 1024
   * characters, e.g. the run binary's name) with its figures, and returns
   * the program's class after it. EINVAL (`program`) for a bad key;
   * classifyTask's EINVAL (`stats.<field>`) for bad figures.
   */
  record(program: string, stats: TaskStatsSnapshot): TaskClass {
    checkKey(program);
    const run = classifyTask(stats);
    let profile = this.#profiles.get(program);
    if (profile === undefined) {
      if (run === 'unknown') return 'unknown'; // nothing learnt: no room taken
      profile = { runs: [], current: run };
      if (this.#profiles.size >= this.#capacity) this.#profiles.delete(this.#profiles.keys().next().value!);
    } else this.#profiles.delete(program);
    this.#profiles.set(program, profile);
    if (run !== 'unknown') {
      profile.runs.push(run);
      if (profile.runs.length > this.#window) profile.runs.shift();
      profile.current = majority(profile.runs, profile.current);
    }
    return profile.current;
  }

  /** The class of `program`: `unknown` for one never recorded (or forgotten). EINVAL (`program`) for a bad key. */
  classOf(program: string): TaskClass {
    checkKey(program);
    const profile = this.#profiles.get(program);
    if (profile === undefined) return 'unknown';
    this.#profiles.delete(program);
    this.#profiles.set(program, profile);
    return profile.current;
  }
}

// The class most of `runs` have; on a tie, `current` if it is among the tied, else the tied class seen last.
function majority(runs: readonly TaskClass[], current: TaskClass): TaskClass {
  const counts = new Map<TaskClass, number>();
  for (const r of runs) counts.set(r, (counts.get(r) ?? 0) + 1);
  const top = Math.max(...counts.values());
  if (counts.get(current) === top) return current;
  for (let i = runs.length - 1; ; i--) if (counts.get(runs[i]!) === top) return runs[i]!;
}

function checkKey(program: unknown): void {
  if (typeof program !== 'string' || program === '' || program.length > MAX_KEY)
    throw errors.EINVAL(
      CALL,
      'program',
      `expected a non-empty string of at most ${MAX_KEY} characters, got ${describe(program)}`,
    );
}

function count(n: unknown, argument: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > 1 << 20)
    throw errors.EINVAL(CALL, argument, `expected an integer in [1, ${1 << 20}], got ${describe(n)}`);
  return n;
}
