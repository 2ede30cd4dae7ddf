/**
 * The kernel's layers, read from the sources. The kernel core, the
 * transports and the compliance suites must run outside Node (in a browser,
 * a worker): only src/host may touch Node. Inside the core, each folder imports only folders below
 * it, type imports included (CORE_LAYERS); in the whole package the folders
 * form a DAG and no file imports itself through a chain of runtime imports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, edgesOf, folderGraph, runtimeGraph, stripComments, type Edge } from './support/import-graph.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const GUARDED = ['core', 'transport', 'compliance', 'testing'];

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
    if (spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]!))
      problems.push(`imports '${spec}'`);
  }
  if (/(^|[^.\w$])process\s*\./m.test(code)) problems.push('uses process.');
  if (/(^|[^.\w$])Buffer\b/m.test(code)) problems.push('uses Buffer');
  if (/(^|[^.\w$])require\s*\(/m.test(code)) problems.push('uses require(');
  if (/\bimport\.meta\.(resolve|dirname|filename)\b/.test(code)) problems.push('uses Node-only import.meta fields');
  return problems;
}

/** The core's folders, lowest first; '.' is the core's own folder (the facade, kernel.ts). */
const CORE_LAYERS = ['abi', 'wire', 'objects', 'scheduling', 'kernel', 'syscalls', 'peer', '.'];

/** Edges that go up CORE_LAYERS (or to a folder not in it): each as 'from -> to'. */
function upwardCoreEdges(edges: readonly Edge[]): string[] {
  const layer = (file: string): number => {
    const parts = relative('core', file).split('/');
    return CORE_LAYERS.indexOf(parts.length === 1 ? '.' : parts[0]!);
  };
  return edges
    .filter((e) => e.from.startsWith('core/') && e.to.startsWith('core/'))
    .filter((e) => layer(e.from) < 0 || layer(e.to) < 0 || layer(e.to) > layer(e.from))
    .map((e) => `${e.from} -> ${e.to}${e.typeOnly ? ' (type)' : ''}`);
}

const allEdges = (): Edge[] => sourceFiles(SRC).flatMap((f) => edgesOf(relative(SRC, f), readFileSync(f, 'utf8')));

describe('layering', () => {
  it('inside the core, every import (type imports included) goes to the same folder or one below it', () => {
    const edges = allEdges();
    expect(edges.filter((e) => e.from.startsWith('core/')).length).toBeGreaterThan(200);
    expect(upwardCoreEdges(edges)).toEqual([]);
  });

  it("the core's folders are exactly the layers named (a new folder must take a place in CORE_LAYERS)", () => {
    const folders = readdirSync(join(SRC, 'core')).filter((e) => statSync(join(SRC, 'core', e)).isDirectory());
    expect(folders.sort()).toEqual(CORE_LAYERS.filter((l) => l !== '.').sort());
  });

  it("the package's folders form a DAG, type imports included", () => {
    expect(cycles(folderGraph(allEdges())).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('no file reaches itself through runtime imports', () => {
    expect(cycles(runtimeGraph(allEdges())).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('finds the kernel core sources', () => {
    const core = sourceFiles(join(SRC, 'core'));
    expect(core.length).toBeGreaterThan(10);
    expect(core.some((f) => f.endsWith(join('core', 'kernel.ts')))).toBe(true);
  });

  for (const layer of GUARDED) {
    it(`no file under src/${layer} depends on Node`, () => {
      const offenders: string[] = [];
      for (const file of sourceFiles(join(SRC, layer))) {
        for (const problem of nodeDependencies(readFileSync(file, 'utf8')))
          offenders.push(`${relative(SRC, file)}: ${problem}`);
      }
      expect(offenders).toEqual([]);
    });
  }

  it('the package entry point does not import src/host', () => {
    const index = stripComments(readFileSync(join(SRC, 'index.ts'), 'utf8'));
    for (const spec of specifiers(index)) expect(spec).not.toMatch(/(^|\/)host\//);
  });

  describe('the checker itself', () => {
    it('resolves import, import type and export-from edges, and ignores packages and comments', () => {
      const code = [
        "import { a } from './x.js';",
        "import type { B } from '../abi/y.js';",
        "export { c } from './z.js';",
        "export type { D } from '../objects/w.js';",
        "import { e } from '@dios/kernel';",
        "// import { f } from './commented.js';",
      ].join('\n');
      expect(edgesOf('core/kernel/s.ts', code)).toEqual([
        { from: 'core/kernel/s.ts', to: 'core/kernel/x.ts', typeOnly: false },
        { from: 'core/kernel/s.ts', to: 'core/abi/y.ts', typeOnly: true },
        { from: 'core/kernel/s.ts', to: 'core/kernel/z.ts', typeOnly: false },
        { from: 'core/kernel/s.ts', to: 'core/objects/w.ts', typeOnly: true },
      ]);
    });

    it('flags an import up the layers, type-only or not, and one into an unknown folder', () => {
      expect(
        upwardCoreEdges([
          { from: 'core/objects/task.ts', to: 'core/syscalls/task-context.ts', typeOnly: true },
          { from: 'core/syscalls/run.ts', to: 'core/kernel.ts', typeOnly: false },
          { from: 'core/abi/x.ts', to: 'core/misc/y.ts', typeOnly: false },
          { from: 'core/syscalls/run.ts', to: 'core/abi/program.ts', typeOnly: false },
          { from: 'core/kernel.ts', to: 'core/peer/peer-link.ts', typeOnly: false },
        ]),
      ).toEqual([
        'core/objects/task.ts -> core/syscalls/task-context.ts (type)',
        'core/syscalls/run.ts -> core/kernel.ts',
        'core/abi/x.ts -> core/misc/y.ts',
      ]);
    });

    it('finds folder cycles and runtime file cycles, not type-only ones', () => {
      const edges: Edge[] = [
        { from: 'a/x.ts', to: 'b/y.ts', typeOnly: true },
        { from: 'b/y.ts', to: 'a/z.ts', typeOnly: false },
        { from: 'a/z.ts', to: 'a/x.ts', typeOnly: false },
      ];
      expect(cycles(folderGraph(edges))).toEqual([['a', 'b', 'a']]);
      expect(cycles(runtimeGraph(edges))).toEqual([]);
      expect(cycles(runtimeGraph([...edges, { from: 'a/x.ts', to: 'b/y.ts', typeOnly: false }]))).toEqual([
        ['b/y.ts', 'a/z.ts', 'a/x.ts', 'b/y.ts'],
      ]);
    });

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
