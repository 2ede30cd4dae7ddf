/**
 * The SQL of the crash test: batches of rows, each inserted in one
 * transaction that also moves a running total, so that after a crash every
 * batch is whole or absent and the total matches the rows.
 */

/** Rows in one batch (one transaction). */
export const BATCH_ROWS = 40;
/** Batches a run inserts when it is not killed first. */
export const BATCHES = 30;

/** Creates the tables if they are missing (run first by the writer and by the check). */
const SCHEMA = [
  'CREATE TABLE IF NOT EXISTS t (batch INTEGER NOT NULL, i INTEGER NOT NULL, pad TEXT NOT NULL, PRIMARY KEY (batch, i))',
  'CREATE TABLE IF NOT EXISTS total (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)',
  'INSERT OR IGNORE INTO total VALUES (1, 0)',
].map((s) => `${s};\n`);

/**
 * The script of run `run`: BATCHES transactions of BATCH_ROWS rows, batch
 * ids `run * 1000 + b`, each followed by a row "committed|BATCH" printed once
 * its COMMIT has returned.
 */
export function crashScript(run: number): string {
  const parts = [...SCHEMA];
  for (let b = 0; b < BATCHES; b++) {
    const batch = run * 1000 + b;
    const rows = Array.from({ length: BATCH_ROWS }, (_, i) => `(${batch}, ${i}, printf('%0200d', ${batch * 100 + i}))`);
    parts.push(
      'BEGIN;\n',
      `INSERT INTO t VALUES ${rows.join(', ')};\n`,
      // Rewrites pages written by earlier transactions, so a torn commit would show in the old rows too.
      `UPDATE t SET pad = substr(pad, 2) || substr(pad, 1, 1) WHERE i = ${b % BATCH_ROWS};\n`,
      `UPDATE total SET n = n + ${BATCH_ROWS};\n`,
      'COMMIT;\n',
      `SELECT 'committed', ${batch};\n`,
    );
  }
  return parts.join('');
}

/** The check after a crash: integrity, the row count, the total, and the batches that are not whole (none). */
export const CHECK_SCRIPT = [
  ...SCHEMA,
  'PRAGMA integrity_check;\n',
  'SELECT count(*) FROM t;\n',
  'SELECT n FROM total;\n',
  `SELECT 'torn', batch, count(*) FROM t GROUP BY batch HAVING count(*) <> ${BATCH_ROWS};\n`,
].join('');
