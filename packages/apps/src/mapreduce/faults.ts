/**
 * Failure injection, for testing re-runs: the environment variable
 * DIOS_MAPREDUCE_FAULTS lists the task attempts that fail part-way, as
 * `kind:index:attempt` entries separated by commas (`map:2:1` fails the
 * first attempt of map task 2; `reduce:0:*` fails every attempt of reduce
 * task 0). Tasks inherit it from the master, which inherits it from
 * whoever started the job.
 * @module
 */
import { errors, type SystemCalls } from '@dios/kernel';
import { sleep } from '@dios/libd';

/** The environment variable naming the attempts that fail. */
export const FAULTS_ENV = 'DIOS_MAPREDUCE_FAULTS';
/** The environment variable that makes every map and reduce task wait this many milliseconds before it writes its output (for tests that stop a node mid-job). */
export const DELAY_ENV = 'DIOS_MAPREDUCE_DELAY_MS';
/** The environment variable that tells a task which attempt it is (1 for the first). */
export const ATTEMPT_ENV = 'DIOS_MAPREDUCE_ATTEMPT';

/** The attempt a task is (from {@link ATTEMPT_ENV}; 1 when unset); EINVAL naming the variable when it is not an integer >= 1. */
export function attemptOf(sys: { readonly env: Readonly<Record<string, string>> }): number {
  const text = Object.hasOwn(sys.env, ATTEMPT_ENV) ? sys.env[ATTEMPT_ENV]! : '1';
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw errors.EINVAL('mapreduce', `env.${ATTEMPT_ENV}`, `expected an integer >= 1, got ${JSON.stringify(text)}`);
  return n;
}

/** Waits as long as {@link DELAY_ENV} says (not at all when unset or not a number), on the kernel's clock. */
export async function injectedDelay(sys: SystemCalls): Promise<void> {
  const ms = Object.hasOwn(sys.env, DELAY_ENV) ? Number(sys.env[DELAY_ENV]) : 0;
  if (Number.isFinite(ms) && ms > 0) await sleep(sys, Math.min(Math.round(ms), 60_000));
}

/** Whether attempt `attempt` of task `kind` `index` is to fail, according to `env`. */
export function injectedFault(
  env: Readonly<Record<string, string>>,
  kind: 'map' | 'reduce',
  index: number,
  attempt: number,
): boolean {
  const spec = Object.hasOwn(env, FAULTS_ENV) ? env[FAULTS_ENV]! : '';
  return spec.split(',').some((entry) => {
    const [k, i, a] = entry.trim().split(':');
    return k === kind && Number(i) === index && (a === '*' || Number(a) === attempt);
  });
}

/** The error an injected fault throws. */
export class InjectedFault extends Error {
  /** Made by a task that was told to fail. */
  constructor(kind: string, index: number, attempt: number) {
    super(`injected fault: ${kind} task ${index}, attempt ${attempt}`);
    this.name = 'InjectedFault';
  }
}

/** A record a failing attempt adds to what it writes, so that output a re-run failed to replace shows up. */
export const FAULT_RECORD: Uint8Array = new TextEncoder().encode('injected-fault\t1\n');
