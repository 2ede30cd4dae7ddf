/**
 * `dios provenance` end to end: a small WordCount, run as a child process
 * from the sources, keeps its provenance log in a durable store
 * (`--store`); `dios provenance` draws it once the same way, and is then
 * called in this process (each child costs seconds here). The lineage of its output, drawn from that store, shows
 * the input files, the map tasks, the map outputs, the reduce tasks and the
 * outputs, with bytes on the edges; as SVG, DOT and PROV-JSON. Bad
 * arguments are usage errors (2), missing logs and objects ENOENT (1).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProvJsonDocument } from '@dios/apps';
import { runDios } from '../src/cli/run-dios.js';
import { parseWordCountArgs } from '../src/cli/wordcount-args.js';
import { DIOS_ARGV } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'dios-provenance-cli-'));
const store = join(dir, 'store');
const OUT = '/mapreduce/wordcount/out';

function dios(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...DIOS_ARGV, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Runs `dios provenance ARGS` in this process, catching what it prints.
async function provenance(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { status: await runDios(['provenance', ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(() => {
  writeFileSync(join(dir, 'a.txt'), 'the cat and the hat\nthe dog\n');
  writeFileSync(join(dir, 'b.txt'), 'a dog and a cat\n');
  const r = dios(
    'wordcount',
    join(dir, 'a.txt'),
    join(dir, 'b.txt'),
    '--maps',
    '2',
    '--reduces',
    '2',
    '--store',
    store,
  );
  expect(r.status).toBe(0);
  expect(r.stdout.split('\n')[0]).toBe('the\t3');
  expect(r.stderr).toContain(`provenance log kept at /.provenance/dios-wordcount in ${store}`);
}, 90_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dios provenance', () => {
  it('draws the lineage of the WordCount output as DOT: inputs, maps, map outputs, reduces, outputs, bytes', async () => {
    const r = await provenance(OUT, '--store', store, '--format', 'dot');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const dot = r.stdout;
    expect(dot).toMatch(/^digraph provenance/);
    const labels = [...dot.matchAll(/\[label="([^"]*)", tooltip/g)].map((m) => m[1]!);
    expect(labels).toEqual(expect.arrayContaining([`file:${join(dir, 'a.txt')}`, `file:${join(dir, 'b.txt')}`]));
    expect(labels).toEqual(expect.arrayContaining([`${OUT}/part-0`, `${OUT}/part-1`, '/bin/mapreduce/map']));
    expect(labels.filter((l) => l.startsWith('mapreduce-map '))).toHaveLength(2);
    expect(labels.filter((l) => l.startsWith('mapreduce-reduce '))).toHaveLength(2);
    expect(labels.filter((l) => /^\/mapreduce\/wordcount\/map-\d\/attempt-1\/part-\d$/.test(l))).toHaveLength(4);
    // Bytes on the edges: each input is read in full (the two maps share a.txt's 28 bytes: 28 = split + rest).
    expect(dot).toMatch(/label="read\\n16 B"/);
    expect(dot).toMatch(/label="write\\n\d+ B"/);
    // After the job, init read the outputs and deleted them: not part of where their data came from.
    expect(dot).not.toContain('modify');
    expect(dot).not.toContain('/mapreduce/wordcount/progress"');
  });

  it('writes SVG to a file with -o (through the dios command), and PROV-JSON', async () => {
    const svgFile = join(dir, 'lineage.svg');
    const r = dios('provenance', `${OUT}/part-0`, '--store', store, '-o', svgFile);
    expect(r).toMatchObject({ status: 0, stdout: '', stderr: '' });
    const svg = readFileSync(svgFile, 'utf8').replace(/&#45;/g, '-');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('/mapreduce/wordcount/out/part-0');
    expect(svg).toContain('mapreduce-reduce');
    const json = await provenance(`${OUT}/part-0`, '--store', store, '--format=json');
    expect(json.status).toBe(0);
    const doc = JSON.parse(json.stdout) as ProvJsonDocument;
    expect(Object.values(doc.activity).filter((a) => a['dios:program'] === 'mapreduce-reduce')).toHaveLength(1);
    expect(Object.values(doc.wasGeneratedBy).some((g) => (g['dios:bytes'] as number) > 0)).toBe(true);
  });

  it('--depth 1 keeps the outputs and the tasks that wrote them', async () => {
    const r = await provenance(OUT, '--store', store, '--format', 'dot', '--depth', '1');
    const labels = [...r.stdout.matchAll(/\[label="([^"]*)", tooltip/g)].map((m) => m[1]!.split(' ')[0]);
    expect(new Set(labels)).toEqual(
      new Set([`${OUT}/part-0`, `${OUT}/part-1`, 'mapreduce-master', 'mapreduce-reduce']),
    );
  });

  it('finds an object by the first digits of its name', async () => {
    const dot = (await provenance(OUT, '--store', store, '--format', 'dot')).stdout;
    const name = /"object:([0-9a-f]{64})" \[label="\/mapreduce\/wordcount\/out\/part-1"/.exec(dot)![1]!;
    const r = await provenance(name.slice(0, 10), '--store', store, '--format', 'dot');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`"object:${name}" [label="${OUT}/part-1"`);
  });

  it.each([
    [[OUT], /missing option --store DIR/],
    [['--store', store], /missing NAME\|PATH/],
    [[OUT, '--store', store, '--format', 'png'], /option --format: expected svg, dot or json, got 'png'/],
    [[OUT, '--store', store, '--depth', '-1'], /option --depth: expected a whole number from 0 to 999999, got '-1'/],
    [[OUT, '--store', store, '--frobnicate'], /unknown option '--frobnicate'/],
    [[OUT, '--store'], /option --store needs a value/],
  ])('usage error: %j', async (args, message) => {
    const r = await provenance(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain("Try 'dios help provenance'.");
  });

  it.each([
    [['/nothing/here'], /ENOENT.*NAME\|PATH.*nothing at or under '\/nothing\/here'/],
    [['abcdef0123'], /ENOENT.*NAME\|PATH.*no task or object named abcdef0123/],
    [['not-a-name'], /EINVAL.*NAME\|PATH.*expected a DIOS path/],
    [[OUT, '--kernel', 'other'], /ENOENT.*--kernel.*no provenance log of kernel other/],
  ])('not found: %j', async (args, message) => {
    const r = await provenance(...args, '--store', store);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('a store directory that is not there', async () => {
    const r = await provenance(OUT, '--store', join(dir, 'missing'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ENOENT.*--store.*no store directory/);
  });

  it('wordcount refuses --store with --cluster', () => {
    expect(() => parseWordCountArgs(['a.txt', '--store', store, '--cluster', 'nats://127.0.0.1:1'])).toThrow(
      /options --store and --cluster exclude each other/,
    );
  });
});
