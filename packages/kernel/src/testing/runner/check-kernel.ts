/**
 * The one-call entry: random scenarios and call sequences, each run against
 * a fresh kernel and the reference model, step by step.
 * @module
 */
import fc from 'fast-check';
import { scenarioArb } from '../arbitraries/scenario.js';
import { callSequenceArb } from './commands.js';
import { ModelMismatchError } from './mismatch.js';
import { setupScenario, type ModelRunOptions } from './setup.js';

/** Options of {@link checkKernelAgainstModel}. */
export interface CheckKernelOptions extends ModelRunOptions {
  /** How many call sequences to run (default 100). */
  runs?: number;
  /** The seed (default: random); a failure names the seed and path that replay it. */
  seed?: number;
  /** With `seed`: replay just the failing case at this path, as reported (not shrunk further). */
  path?: string;
  /** With `seed` and `path`: which commands of the failing sequence ran (fast-check's replay path of commands). */
  replayPath?: string;
  /** The longest call sequence (default 60). */
  maxCommands?: number;
}

/**
 * Checks a kernel against the reference model: `runs` random scenarios, each with a random call sequence by several
 * tasks; after every call, the result or errno must be the model's, a failing call must change nothing, the whole
 * observed state must be the model's, and `kernel.checkInvariants()` must pass. Resolves when every run agreed;
 * rejects with a {@link ModelMismatchError} for the shrunk failing sequence, whose message names the step, what
 * differed, both values, the sequence and the seed that replays it.
 */
export async function checkKernelAgainstModel(options: CheckKernelOptions = {}): Promise<void> {
  const details = await fc.check(
    fc.asyncProperty(
      scenarioArb,
      callSequenceArb({ maxCommands: options.maxCommands, replayPath: options.replayPath }),
      async (scenario, commands) => {
        await fc.asyncModelRun(() => setupScenario(scenario, options), commands);
      },
    ),
    {
      numRuns: options.runs ?? 100,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      // A replay runs the failing case as it was reported, without shrinking it further.
      ...(options.path === undefined ? {} : { path: options.path, endOnFailure: true }),
    },
  );
  if (!details.failed) return;
  const [scenario, commands] = details.counterexample ?? [];
  // fast-check prints the commands that ran, then a comment with the replay path of the commands.
  const printed = commands === undefined ? '' : fc.stringify(commands);
  const replayPath = /\/\*replayPath="([^"]*)"\*\/$/.exec(printed)?.[1];
  const calls = printed.replace(/\s*\/\*replayPath=.*\*\/$/, '');
  const replay = [
    `seed: ${details.seed}`,
    `path: ${JSON.stringify(details.counterexamplePath)}`,
    ...(replayPath === undefined ? [] : [`replayPath: ${JSON.stringify(replayPath)}`]),
  ].join(', ');
  const trail = [
    `  scenario: ${JSON.stringify(scenario)}`,
    `  calls (shrunk ${details.numShrinks} times): ${calls || '(none: the setup failed)'}`,
    `  replay: checkKernelAgainstModel({ ${replay} })`,
  ].join('\n');
  const e = details.errorInstance;
  if (e instanceof ModelMismatchError)
    throw new ModelMismatchError(e.step, e.what, e.expected, e.actual, { cause: e, trail });
  throw new Error(`the model run failed: ${String(e)}\n${trail}`, { cause: e });
}
