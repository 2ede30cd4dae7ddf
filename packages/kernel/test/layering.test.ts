/**
 * The kernel core and the transports must run outside Node (in a browser, a
 * worker): only src/host may touch Node. This test reads the sources.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const GUARDED = ['core', 'transport'];

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(c|m)?[jt]sx?$/.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

/** Removes comments (block and line), keeping string contents, so that prose about Node does not count. */
function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:\\'"`])\/\/.*$/gm, '$1');
}

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** The module specifiers a file imports or re-exports, statically or dynamically. */
function specifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?[\s\S]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?[\s\S]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const p of patterns) for (const m of code.matchAll(p)) found.push(m[1]!);
  return found;
}

/** Every way a file could depend on Node; empty when it is host-neutral. */
function nodeDependencies(source: string): string[] {
  const code = stripComments(source);
  const problems: string[] = [];
  for (const spec of specifiers(code)) {
    if (spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]!)) problems.push(`imports '${spec}'`);
  }
  if (/(^|[^.\w$])process\s*\./m.test(code)) problems.push('uses process.');
  if (/(^|[^.\w$])Buffer\b/m.test(code)) problems.push('uses Buffer');
  if (/(^|[^.\w$])require\s*\(/m.test(code)) problems.push('uses require(');
  if (/\bimport\.meta\.(resolve|dirname|filename)\b/.test(code)) problems.push('uses Node-only import.meta fields');
  return problems;
}

describe('layering', () => {
  it('finds the kernel core sources', () => {
    const core = sourceFiles(join(SRC, 'core'));
    expect(core.length).toBeGreaterThan(10);
    expect(core.some((f) => f.endsWith(join('core', 'kernel.ts')))).toBe(true);
  });

  for (const layer of GUARDED) {
    it(`no file under src/${layer} depends on Node`, () => {
      const offenders: string[] = [];
      for (const file of sourceFiles(join(SRC, layer))) {
        for (const problem of nodeDependencies(readFileSync(file, 'utf8'))) offenders.push(`${relative(SRC, file)}: ${problem}`);
      }
      expect(offenders).toEqual([]);
    });
  }

  it('the package entry point does not import src/host', () => {
    const index = stripComments(readFileSync(join(SRC, 'index.ts'), 'utf8'));
    for (const spec of specifiers(index)) expect(spec).not.toMatch(/(^|\/)host\//);
  });

  describe('the checker itself', () => {
    it.each([
      ["import { readFile } from 'node:fs/promises';", "imports 'node:fs/promises'"],
      ["import * as fs from 'fs';", "imports 'fs'"],
      ["import type { Socket } from 'node:net';", "imports 'node:net'"],
      ["export { x } from 'node:path';", "imports 'node:path'"],
      ["const m = await import('node:worker_threads');", "imports 'node:worker_threads'"],
      ["import 'node:process';", "imports 'node:process'"],
      ['const x = process.env.HOME;', 'uses process.'],
      ['if (typeof x === "string") process .exit(1);', 'uses process.'],
      ["const b = Buffer.from('x');", 'uses Buffer'],
      ['function f(b: Buffer) {}', 'uses Buffer'],
      ["const fs = require('fs');", 'uses require('],
    ])('flags %s', (code, problem) => {
      expect(nodeDependencies(code)).toContain(problem);
    });

    it.each([
      ['const a = new ArrayBuffer(8); const s = new SharedArrayBuffer(8);'],
      ['const size = ref.readBufferSize + ref.writeBufferSize;'],
      ['// process.exit() is not called here; neither is require("fs")'],
      ['/* Buffer and process.env live in src/host */ const x = 1;'],
      ["import { errors } from './errors.js';"],
      ["const url = 'ws://host:1234/path';"],
      ['task.process.run(); subprocess.kill(); this.requireRights(x);'],
    ])('accepts %s', (code) => {
      expect(nodeDependencies(code)).toEqual([]);
    });
  });
});
