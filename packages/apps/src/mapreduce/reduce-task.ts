/**
 * The reduce task program. argv: `mapreduce-reduce JOB APP INDEX MAPS`. It
 * reads partition INDEX of every map task's output, sums the counts per key,
 * and writes them, most frequent first, ties in byte order of the key, to
 * the blob at outputPath(JOB, INDEX), in one write.
 * @module
 */
import type { SystemCalls } from '@dios/kernel';
import { defineProgram, getenv } from '@dios/libd';
import { replaceAt, withViewAt } from './blob-io.js';
import { ATTEMPT_ENV, FAULT_RECORD, InjectedFault, injectedFault } from './faults.js';
import { KeyTable } from './key-table.js';
import { checkJobId, mapOutputPath, outputPath } from './paths.js';
import { decodeRecords, encodeRecords, recordsSize } from './records.js';
import { appById } from './registry.js';
import { sortedEntries } from './sort.js';
import { intArg, stringArg } from './task-args.js';
import { recordTaskFailure } from './task-failure.js';

const CALL = 'mapreduce-reduce';

async function main(argv: string[], { sys }: { sys: SystemCalls }): Promise<number> {
  const job = checkJobId(argv[1], CALL, 'argv[1]');
  const index = intArg(argv, 3, CALL, 0);
  try {
    appById(stringArg(argv, 2, CALL), CALL, 'argv[2]');
    const maps = intArg(argv, 4, CALL, 1);
    const attempt = Number(getenv(sys, ATTEMPT_ENV) ?? '1');
    // Keys arrive already translated by the map tasks' tables: store them as they are.
    const table = new KeyTable();
    for (let m = 0; m < maps; m++) await withViewAt(sys, mapOutputPath(job, m, index), (view) => decodeRecords(view, table, CALL), CALL);
    const order = sortedEntries(table);
    const size = recordsSize(table, order);
    if (injectedFault(sys.env, 'reduce', index, attempt)) {
      // Half the output and a bogus record, then the failure: a re-run must replace it.
      const half = order.subarray(0, order.length >> 1);
      const partial = recordsSize(table, half);
      await replaceAt(sys, outputPath(job, index), partial + FAULT_RECORD.length, (b) => b.set(FAULT_RECORD, encodeRecords(table, half, b)), CALL);
      throw new InjectedFault('reduce', index, attempt);
    }
    await replaceAt(sys, outputPath(job, index), size, (b) => encodeRecords(table, order, b), CALL);
    return 0;
  } catch (e) {
    await recordTaskFailure(sys, job, 'reduce', index, e);
    throw e;
  }
}

/** The reduce task program (see the module comment). */
export default defineProgram(main);
