/**
 * SQLite compiled to WebAssembly and run as a legacy DIOS task (its
 * database a file at a DIOS path) prints the same rows as native SQLite
 * (better-sqlite3, the same amalgamation) for the same SQL: a schema with
 * indexes and foreign keys, a few thousand rows in transactions, joins,
 * aggregates, a rollback, failing statements.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '@dios/kernel/node';
import { asScript, fill, formatReal, nativeOutput, QUERIES, SCHEMA } from './sql-scripts.js';
import { bootLegacyKernel, runWasm, wasmMissing, type LegacyKernel } from './wasm-programs.js';

const skip = wasmMissing('sqlite-shell');
let k: LegacyKernel;
let host: string;
let store: string;

describe('formatReal prints as printf("%.17g")', () => {
  it.each([
    [0.1, '0.10000000000000001'],
    [1.5, '1.5'],
    [100, '100'],
    [1e16, '10000000000000000'],
    [1e17, '1e+17'],
    [1e300, '1.0000000000000001e+300'],
    [2e-5, '2.0000000000000002e-05'],
    [0.0001, '0.0001'],
    [-0, '-0'],
    [1 / 3, '0.33333333333333331'],
    [Infinity, 'inf'],
  ])('%s prints as %s', (x, text) => {
    expect(formatReal(x)).toBe(text);
  });
});

describe.skipIf(skip !== undefined)('SQLite on DIOS against native SQLite', () => {
  beforeAll(async () => {
    host = mkdtempSync(join(tmpdir(), 'dios-sqlite-native-'));
    store = mkdtempSync(join(tmpdir(), 'dios-sqlite-store-'));
    k = await bootLegacyKernel(store);
  });
  afterAll(async () => {
    await k?.close();
    expect(k?.failures ?? []).toEqual([]);
    for (const dir of [host, store]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('the same output for a schema, 1,500 orders in transactions and the queries', async () => {
    const statements = [...SCHEMA, ...fill(1500), ...QUERIES];
    const expected = nativeOutput(join(host, 'shop.db'), statements);
    const ours = await runWasm(k.sys, 'sqlite-shell', ['/shop.db'], asScript(statements));
    expect(ours.stderr).toBe('');
    expect(ours.status).toBe(0);
    const output = new TextDecoder().decode(ours.stdout);
    expect(output.split('\n').length).toBeGreaterThan(200);
    expect(output).toContain('error: UNIQUE constraint failed: customer.id');
    expect(output).toContain('error: FOREIGN KEY constraint failed');
    expect(output).toMatch(/^ok$/m);
    expect(output).toBe(expected);
  });

  it('a script in a file, run again on the same database, sees what the first run committed', async () => {
    const more = ["INSERT INTO customer VALUES (5000, 'late', 'Ely', 1)", 'SELECT count(*), max(id) FROM customer'];
    writeFileSync(join(host, 'more.sql'), asScript(more));
    await importFile(k.sys, join(host, 'more.sql'), '/more.sql');
    const r = await runWasm(k.sys, 'sqlite-shell', ['/shop.db', '/more.sql']);
    expect(r.status).toBe(0);
    expect(new TextDecoder().decode(r.stdout)).toBe(nativeOutput(join(host, 'shop.db'), more));
  });

  it('a statement SQLite cannot prepare stops the script with exit status 1', async () => {
    const r = await runWasm(k.sys, 'sqlite-shell', ['/other.db'], 'SELECT 1;\nSELEC 2;\nSELECT 3;\n');
    expect(new TextDecoder().decode(r.stdout)).toBe('1\n');
    expect(r.stderr).toMatch(/syntax error/);
    expect(r.status).toBe(1);
  });
});
