/**
 * The map task program. argv: `mapreduce-map JOB APP INDEX REDUCES PIECES`,
 * where PIECES is JSON `[[start, end], ...]`, one nominal byte range per
 * input (the task's inputs, in order). It counts the keys of its pieces
 * into one table and writes partition r of the counts to the blob at
 * mapOutputPath(JOB, INDEX, ATTEMPT, r), each in one write, on its own
 * kernel; ATTEMPT comes from the environment (DIOS_MAPREDUCE_ATTEMPT,
 * default 1).
 * @module
 */
import { errors, type SystemCalls } from '@dios/kernel';
import { defineProgram } from '@dios/libd';
import type { MapReduceApp } from './app-api/app.js';
import { replaceAt, withView } from './blob-io.js';
import { attemptOf, FAULT_RECORD, InjectedFault, injectedDelay, injectedFault } from './faults.js';
import { KeyTable } from './app-api/key-table.js';
import { partitionOf } from './partition.js';
import { checkJobId, mapOutputPath } from './paths.js';
import { encodeRecords, recordsSize } from './records.js';
import { appById } from './registry.js';
import { recordAlign } from './splits.js';
import { intArg, stringArg } from './task-args.js';
import { recordTaskFailure } from './task-failure.js';

const CALL = 'mapreduce-map';
// Bytes read past a piece's end to find the end of its last record (records are words: short).
const RECORD_SLACK = 64 * 1024;

function parsePieces(text: string, inputs: number): [number, number][] {
  let pieces: unknown;
  try {
    pieces = JSON.parse(text);
  } catch {
    pieces = undefined;
  }
  const ok =
    Array.isArray(pieces) &&
    pieces.length === inputs &&
    pieces.every(
      (p) => Array.isArray(p) && p.length === 2 && p.every((n) => Number.isSafeInteger(n) && n >= 0) && p[0] <= p[1],
    );
  if (!ok)
    throw errors.EINVAL(
      CALL,
      'argv[5]',
      `expected JSON [[start, end], ...] with one range per input (${inputs}), got ${text}`,
    );
  return pieces as [number, number][];
}

// A piece of an input on another kernel is read in ranges this large: each read is a copy that crosses the
// network, and smaller ones bound the memory it takes on both kernels (a record cut at a range's edge goes to
// the range it starts in, as between pieces).
const REMOTE_RANGE = 8 * 1024 * 1024;
// A local input is read in zero-copy views of this many bytes: the kernel counts a task's bytes read as each read
// ends, so its monitoring (and the job's progress) moves while a large piece is counted. One begin_read and
// end_read per range costs next to nothing beside counting 4 MiB.
const LOCAL_RANGE = 4 * 1024 * 1024;

// The nominal ranges a piece is read in: LOCAL_RANGE or REMOTE_RANGE bytes each.
function ranges(sys: SystemCalls, input: number, start: number, end: number): [number, number][] {
  const step = sys.ref(input).proximity.startsWith('remote') ? REMOTE_RANGE : LOCAL_RANGE;
  const out: [number, number][] = [];
  for (let at = start; at < end; at += step) out.push([at, Math.min(end, at + step)]);
  return out.length === 0 ? [[start, end]] : out;
}

async function countPieces(sys: SystemCalls, app: MapReduceApp, pieces: [number, number][]): Promise<KeyTable> {
  const table = new KeyTable(app.keyBytes);
  for (const [k, piece] of pieces.entries()) {
    const input = sys.inputs[k]!;
    for (const [start, end] of ranges(sys, input, piece[0], piece[1]))
      await countRange(sys, app, table, input, start, end);
  }
  return table;
}

async function countRange(
  sys: SystemCalls,
  app: MapReduceApp,
  table: KeyTable,
  input: number,
  start: number,
  end: number,
): Promise<void> {
  const size = sys.ref(input).size;
  const base = Math.max(0, start - 1);
  // One view from just before the range to a little past it, for the last record, which may run past `end`.
  // Views are zero-copy only for local objects: a remote read copies, so the view is not the rest of the input.
  let length = Math.min(size - base, end - base + RECORD_SLACK);
  for (;;) {
    const done = await withView(
      sys,
      input,
      base,
      (view) => {
        const [s, e] = recordAlign(view, base, start, end, app.recordBytes);
        // A record that reaches the end of a view short of the input's end may go on: look again, to the end.
        if (e === view.length && base + view.length < size) return false;
        app.map(view, s, e, table);
        return true;
      },
      CALL,
      length,
    );
    if (done) break;
    length = size - base;
  }
}

// Entry indices grouped by partition: one pass to count, one to place.
function byPartition(table: KeyTable, reduces: number): Int32Array[] {
  const part = new Int32Array(table.size);
  const sizes = new Int32Array(reduces);
  for (let i = 0; i < table.size; i++) sizes[(part[i] = partitionOf(table.hash(i), reduces))]!++;
  const groups = Array.from(sizes, (n) => new Int32Array(n));
  const fill = new Int32Array(reduces);
  for (let i = 0; i < table.size; i++) groups[part[i]!]![fill[part[i]!]!++] = i;
  return groups;
}

async function main(argv: string[], { sys }: { sys: SystemCalls }): Promise<number> {
  const job = checkJobId(argv[1], CALL, 'argv[1]');
  const index = intArg(argv, 3, CALL, 0);
  try {
    const app = appById(stringArg(argv, 2, CALL), CALL, 'argv[2]');
    const reduces = intArg(argv, 4, CALL, 1);
    const pieces = parsePieces(stringArg(argv, 5, CALL), sys.inputs.length);
    const attempt = attemptOf(sys);
    const fail = injectedFault(sys.env, 'map', index, attempt);
    const table = await countPieces(sys, app, pieces);
    const groups = byPartition(table, reduces);
    await injectedDelay(sys);
    // An injected fault strikes half-way through the partitions, leaving some written (with a bogus record).
    const extra = fail ? FAULT_RECORD : new Uint8Array(0);
    for (const [r, entries] of groups.entries()) {
      if (fail && r === Math.floor(reduces / 2)) throw new InjectedFault('map', index, attempt);
      const size = recordsSize(table, entries);
      await replaceAt(
        sys,
        mapOutputPath(job, index, attempt, r),
        size + extra.length,
        (b) => b.set(extra, encodeRecords(table, entries, b)),
        CALL,
      );
    }
    return 0;
  } catch (e) {
    await recordTaskFailure(sys, job, 'map', index, e);
    throw e;
  }
}

/** The map task program (see the module comment). */
export default defineProgram(main);
