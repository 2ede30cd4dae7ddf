/**
 * The SQL workload of bench:wasi: a table with an index, rows inserted in
 * transactions, then point queries through the index. Each phase is
 * bracketed by a row the program prints with SQLite's own clock, so a run
 * times its phases from inside (no process start, module compile or kernel
 * boot in the figures).
 * @module
 */

/** Sizes of one run. */
export interface SqlWorkload {
  /** Rows inserted. */
  rows: number;
  /** Rows per transaction. */
  batch: number;
  /** Point queries. */
  selects: number;
  /**
   * Whether the connection keeps its lock between statements (`PRAGMA
   * locking_mode=EXCLUSIVE`): SQLite then skips the per-statement checks a
   * shared database needs (is there a hot journal? did another connection
   * change the file?), each a file-system call.
   */
  exclusive: boolean;
}

/** A statement that prints `mark|<unix time in ms>` (SQLite's clock: clock_time_get under WASI). */
const MARK = "SELECT 'mark', (julianday('now') - 2440587.5) * 86400000.0;\n";

// Keys spread over the index rather than appended in order (a multiplicative hash of the row number).
const key = (i: number): string => `key-${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}-${i}`;

/** The three phases' SQL: set-up, inserts, selects (each ends with a mark; the set-up begins with one too). */
export function sqlPhases(w: SqlWorkload): { setup: string; inserts: string; selects: string } {
  const setup =
    (w.exclusive ? 'PRAGMA locking_mode=EXCLUSIVE;\n' : '') +
    'PRAGMA journal_mode=DELETE;\nCREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT NOT NULL, v INTEGER NOT NULL, pad TEXT);\n' +
    'CREATE INDEX t_k ON t(k);\n' +
    MARK;
  let inserts = '';
  for (let i = 0; i < w.rows; i += w.batch) {
    inserts += 'BEGIN;\n';
    for (let j = i; j < Math.min(w.rows, i + w.batch); j++)
      inserts += `INSERT INTO t(k, v, pad) VALUES ('${key(j)}', ${j}, '${'x'.repeat(32 + (j % 32))}');\n`;
    inserts += 'COMMIT;\n';
  }
  inserts += MARK;
  let selects = '';
  for (let q = 0; q < w.selects; q++) {
    const j = (q * 7919) % w.rows;
    selects += `SELECT v FROM t WHERE k = '${key(j)}';\n`;
  }
  selects += MARK;
  return { setup, inserts, selects };
}

/** The sum of v the selects print (each query finds one row), to check every contender ran them all. */
export function expectedSelectSum(w: SqlWorkload): number {
  let sum = 0;
  for (let q = 0; q < w.selects; q++) sum += (q * 7919) % w.rows;
  return sum;
}

/** What a run printed: the marks' times (ms) and the sum of the other numeric rows. */
export function parseRun(output: string): { marks: number[]; sum: number } {
  const marks: number[] = [];
  let sum = 0;
  for (const line of output.split('\n')) {
    const mark = /^mark\W+([\d.]+)\s*$/.exec(line.trim());
    if (mark !== null) marks.push(Number(mark[1]));
    else if (/^\d+$/.test(line.trim())) sum += Number(line.trim());
  }
  return { marks, sum };
}
