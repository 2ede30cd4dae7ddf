/**
 * The reduce task program. argv: `mapreduce-reduce JOB APP INDEX
 * MAP_ATTEMPTS`, where MAP_ATTEMPTS lists, comma-separated, the attempt of
 * each map task whose output to read (one entry per map task). It reads
 * partition INDEX of those map outputs (wherever in the cluster they are),
 * sums the counts per key, and writes them, most frequent first, ties in
 * byte order of the key, to its first output (the master's blob at
 * outputPath(JOB, INDEX)) in one write, which replaces whatever an earlier
 * attempt left there.
 * @module
 */
import { errors, type SystemCalls } from '@dios/kernel';
import { defineProgram } from '@dios/libd';
import { replaceWhole, withViewAt } from './blob-io.js';
import { attemptOf, FAULT_RECORD, InjectedFault, injectedDelay, injectedFault } from './faults.js';
import { KeyTable } from './app-api/key-table.js';
import { checkJobId, mapOutputPath } from './paths.js';
import { decodeRecords, encodeRecords, recordsSize } from './records.js';
import { appById } from './registry.js';
import { sortedEntries } from './sort.js';
import { intArg, stringArg } from './task-args.js';
import { recordTaskFailure } from './task-failure.js';

const CALL = 'mapreduce-reduce';

function parseAttempts(text: string): number[] {
  const attempts = text.split(',').map((a) => (/^\d+$/.test(a) ? Number(a) : NaN));
  if (text === '' || attempts.some((a) => !Number.isSafeInteger(a) || a < 1)) {
    throw errors.EINVAL(
      CALL,
      'argv[4]',
      `expected the attempt of each map task, comma-separated (e.g. 1,1,2), got ${JSON.stringify(text)}`,
    );
  }
  return attempts;
}

async function main(argv: string[], { sys }: { sys: SystemCalls }): Promise<number> {
  const job = checkJobId(argv[1], CALL, 'argv[1]');
  const index = intArg(argv, 3, CALL, 0);
  try {
    appById(stringArg(argv, 2, CALL), CALL, 'argv[2]');
    const mapAttempts = parseAttempts(stringArg(argv, 4, CALL));
    const out = sys.outputs[0];
    if (out === undefined)
      throw errors.EINVAL(CALL, 'outputs', 'a reduce task writes to its first output, and it has none');
    const attempt = attemptOf(sys);
    // Keys arrive already translated by the map tasks' tables: store them as they are.
    const table = new KeyTable();
    for (const [m, a] of mapAttempts.entries())
      await withViewAt(sys, mapOutputPath(job, m, a, index), (view) => decodeRecords(view, table, CALL), CALL);
    await injectedDelay(sys);
    const order = sortedEntries(table);
    const size = recordsSize(table, order);
    if (injectedFault(sys.env, 'reduce', index, attempt)) {
      // Half the output and a bogus record, then the failure: a re-run must replace it.
      const half = order.subarray(0, order.length >> 1);
      const partial = recordsSize(table, half);
      await replaceWhole(sys, out, partial + FAULT_RECORD.length, (b) =>
        b.set(FAULT_RECORD, encodeRecords(table, half, b)),
      );
      throw new InjectedFault('reduce', index, attempt);
    }
    await replaceWhole(sys, out, size, (b) => encodeRecords(table, order, b));
    return 0;
  } catch (e) {
    await recordTaskFailure(sys, job, 'reduce', index, e);
    throw e;
  }
}

/** The reduce task program (see the module comment). */
export default defineProgram(main);
