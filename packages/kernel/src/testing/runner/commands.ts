/**
 * The commands of a model run, one per system call (plus composites and a
 * host action), and the call sequences made of them.
 * @module
 */
import fc from 'fast-check';
import { consoleArb, gapArb, trafficArb } from './composite-commands.js';
import { beginReadArb, beginWriteArb, endReadArb, endWriteArb } from './io-call-commands.js';
import { copyArb, createArb, deleteArb, lookupArb, runArb, selectArb } from './object-call-commands.js';
import type { ModelCommand } from './command-support.js';

/**
 * One arbitrary per system call: each generates a call by any of the scenario's tasks (an exited one now and then)
 * with mostly valid arguments and, about one argument in 30, an invalid one (a handle never allocated or deleted, a
 * value that is not a handle, bad flags, unknown option keys, a buffer the kernel never lent, …). Handles and
 * buffers are chosen when the command runs, from the model's state, so every command applies in every state.
 */
export const systemCallCommands = {
  create: createArb,
  lookup: lookupArb,
  copy: copyArb,
  delete: deleteArb,
  run: runArb,
  select: selectArb,
  beginRead: beginReadArb,
  endRead: endReadArb,
  beginWrite: beginWriteArb,
  endWrite: endWriteArb,
} as const satisfies Record<string, fc.Arbitrary<ModelCommand>>;

/**
 * Every command, weighted toward the calls that change state, with traffic through one object (a write with a
 * read around it), a blob write landing past a truncation, and console input from the host.
 */
export const modelCommandArbs: readonly fc.Arbitrary<ModelCommand>[] = [
  ...Array<fc.Arbitrary<ModelCommand>>(6).fill(createArb),
  ...Array<fc.Arbitrary<ModelCommand>>(4).fill(lookupArb),
  ...Array<fc.Arbitrary<ModelCommand>>(4).fill(copyArb),
  ...Array<fc.Arbitrary<ModelCommand>>(3).fill(deleteArb),
  ...Array<fc.Arbitrary<ModelCommand>>(2).fill(runArb),
  ...Array<fc.Arbitrary<ModelCommand>>(2).fill(selectArb),
  ...Array<fc.Arbitrary<ModelCommand>>(4).fill(beginReadArb),
  endReadArb,
  ...Array<fc.Arbitrary<ModelCommand>>(6).fill(beginWriteArb),
  ...Array<fc.Arbitrary<ModelCommand>>(2).fill(endWriteArb),
  ...Array<fc.Arbitrary<ModelCommand>>(3).fill(trafficArb),
  gapArb,
  consoleArb,
];

/**
 * Call sequences for several tasks: up to `maxCommands` (default 60) of {@link modelCommandArbs}, shrinking to
 * shorter ones. `replayPath` replays a failure fast-check reported (with its seed and path).
 */
export function callSequenceArb(
  options: { maxCommands?: number; replayPath?: string | undefined } = {},
): fc.Arbitrary<Iterable<ModelCommand>> {
  return fc.commands([...modelCommandArbs], {
    maxCommands: options.maxCommands ?? 60,
    size: 'max',
    ...(options.replayPath === undefined ? {} : { replayPath: options.replayPath }),
  });
}
