/**
 * What a MapReduce application supplies. The framework is a counting one:
 * a map task turns its split into counts per key, reduce tasks sum the
 * counts of each key over all map tasks. Each app is registered under an
 * id (../registry.ts), which is all the tasks are told, so the tasks need no
 * state from the thread that started the job. This folder holds what an
 * app is written against, below the tasks: the registry imports the apps,
 * so an app must not import the tasks' folder.
 * @module
 */
import type { KeyTable } from './key-table.js';

/** A counting MapReduce application. */
export interface MapReduceApp {
  /**
   * Per byte value: non-zero when the byte can be inside a record, 0 when it
   * separates records. A split is never cut inside a run of record bytes.
   */
  readonly recordBytes: Uint8Array;
  /** The byte map the app's {@link KeyTable} translates keys with. */
  readonly keyBytes: Uint8Array;
  /** Counts the keys of the records in `bytes[start, end)` (which starts and ends on record boundaries) into `table`. */
  map(bytes: Uint8Array, start: number, end: number, table: KeyTable): void;
}
