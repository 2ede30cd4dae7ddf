/**
 * The C programs written here (wc, sort, cat, grep -F), compiled to
 * WebAssembly and run as legacy DIOS tasks, print byte for byte what
 * coreutils and GNU grep print (LC_ALL=C) on real texts: the licences on
 * this machine, the repository's docs and 2 MB of their lines, read from
 * stdin (a DIOS stream) or from files (durable blobs at paths), with the
 * same exit status.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFile } from '@dios/kernel/node';
import { realTexts, shuffledLines, type Text } from './real-texts.js';
import { bootLegacyKernel, runWasm, wasmMissing, type LegacyKernel } from './wasm-programs.js';

const skip = wasmMissing('wc', 'sort', 'cat', 'grep');
const texts = realTexts();
const corpus = shuffledLines(texts, 2 << 20);
// A text whose last line has no newline.
const gpl = texts.find((t) => t.name === 'GPL-3')!;
const unterminated: Text = { name: 'unterminated', bytes: gpl.bytes.subarray(0, gpl.bytes.length - 1) };
const FILES = [...texts, unterminated, { name: 'corpus', bytes: corpus }];

let host: string;
let store: string;
let k: LegacyKernel;

/** What the real program prints for `args` in the host directory holding FILES, with `stdin` on a pipe. */
function native(program: string, args: readonly string[], stdin: Uint8Array) {
  const r = spawnSync(program, args, {
    cwd: host,
    input: stdin,
    env: { ...process.env, LC_ALL: 'C' },
    maxBuffer: 1 << 28,
  });
  return { status: r.status, stdout: r.stdout.toString('latin1') };
}

/** Runs `name args` on DIOS and natively; expects the same stdout and exit status. */
async function same(program: string, args: readonly string[], stdin: Uint8Array = new Uint8Array(0)) {
  const ours = await runWasm(k.sys, program, args, stdin);
  const theirs = native(program, args, stdin);
  expect({ status: ours.status, stdout: Buffer.from(ours.stdout).toString('latin1') }).toEqual(theirs);
  return theirs;
}

describe.skipIf(skip !== undefined)('C programs on DIOS against coreutils', () => {
  beforeAll(async () => {
    host = mkdtempSync(join(tmpdir(), 'dios-legacy-texts-'));
    store = mkdtempSync(join(tmpdir(), 'dios-legacy-store-'));
    k = await bootLegacyKernel(store);
    for (const f of FILES) {
      writeFileSync(join(host, f.name), f.bytes);
      await importFile(k.sys, join(host, f.name), f.name);
    }
  });
  afterAll(async () => {
    await k?.close();
    expect(k?.failures ?? []).toEqual([]);
    for (const dir of [host, store]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('the texts are real: a few MB, with UTF-8 and a line without a newline', () => {
    expect(corpus.length).toBeGreaterThan(2_000_000);
    expect(corpus.some((b) => b >= 0x80)).toBe(true);
    expect(unterminated.bytes.at(-1)).not.toBe(0x0a);
  });

  it.each([[[]], [['-l']], [['-w']], [['-c']], [['-lw']]])('wc %j on stdin', async (args) => {
    const { stdout } = await same('wc', args, corpus);
    expect(stdout).toMatch(/\d/);
  });

  it.each([
    [['GPL-3']],
    [['-l', 'GPL-3']],
    [['Apache-2.0', 'unterminated', 'corpus']],
    [['-w', 'doc-architecture.md', 'BSD']],
  ])('wc %j on files', async (args) => {
    await same('wc', args);
  });

  it('wc of a missing file: a message, the other counts, exit 1', async () => {
    const { status } = await same('wc', ['no-such-file', 'BSD']);
    expect(status).toBe(1);
  });

  it.each([[[]], [['-r']], [['-u']], [['-ru']]])('sort %j on stdin', async (args) => {
    await same('sort', args, corpus);
  });

  it('sort of several files, one without a final newline', async () => {
    await same('sort', ['unterminated', 'MPL-2.0', 'doc-architecture.md']);
  });

  it.each([[[]], [['-n']]])('cat %j on stdin', async (args) => {
    await same('cat', args, corpus);
  });

  it('cat -n across files and stdin numbers on through an unterminated line', async () => {
    await same('cat', ['-n', 'unterminated', '-', 'LGPL-2.1'], gpl.bytes);
  });

  it.each([
    [['the']],
    [['-i', 'license']],
    [['-v', 'e']],
    [['-c', 'Software']],
    [['-n', '-i', 'warranty']],
    [['-x', '']],
    [['-e', 'free', '-e', 'copy']],
    [['-ci', 'gnu']],
    [['-F', 'DIOS']],
  ])('grep %j on stdin', async (args) => {
    await same('grep', args, corpus);
  });

  it('grep over several files names each line; no match exits 1', async () => {
    await same('grep', ['-n', 'Licensor', 'Apache-2.0', 'MPL-2.0', 'unterminated']);
    const { status } = await same('grep', ['zqxzqx', 'GPL-3'], corpus);
    expect(status).toBe(1);
  });
});
