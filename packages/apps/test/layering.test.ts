/**
 * The apps reach the kernel only through its public exports and libd:
 * their sources import '@dios/kernel', '@dios/libd' and each other (and
 * the WebAssembly Graphviz), and nothing else; only the command (src/cli) may import node:*, the
 * kernel's Node host layer ('@dios/kernel/node'), its NATS transport
 * ('@dios/kernel/nats') and libd's WASI interpreter ('@dios/libd/wasi'). Inside the package, the folders form a DAG (type
 * imports included) and no file imports itself through a chain of runtime
 * imports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, edgesOf, folderGraph, runtimeGraph, type Edge } from '../../kernel/test/support/import-graph.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function imports(source: string): string[] {
  // Doc comments show example imports: only code counts.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const pattern of [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
  ]) {
    for (const m of code.matchAll(pattern)) found.push(m[1]!);
  }
  return found;
}

const isCli = (file: string): boolean => file.split(/[\\/]/)[0] === 'cli';

/** Whether `spec`, imported by `file` (relative to SRC), is a module of this package's sources. */
function isOwnModule(file: string, spec: string): boolean {
  if (!/^\.\.?\/([\w-]+\/|\.\.\/)*[\w-]+\.js$/.test(spec)) return false;
  const target = relative(SRC, resolve(SRC, dirname(file), spec));
  return !target.startsWith('..');
}

// Graphviz compiled to WebAssembly (pure, no host access): provenance drawings are made wherever the kernel runs.
const GRAPHVIZ = '@hpcc-js/wasm-graphviz';
// UUIDs for identifiers that are UUIDs by nature (job, client kernel and container ids): pure, runs anywhere.
const UUID = 'uuid';

function allowed(file: string, spec: string): boolean {
  if (spec === '@dios/kernel' || spec === '@dios/libd' || spec === GRAPHVIZ || spec === UUID || isOwnModule(file, spec))
    return true;
  // The command boots kernels: it may use the host layer, the NATS transport and libd's WASI interpreter
  // (which `dios exec` registers), as a host does.
  return (
    isCli(file) &&
    (spec === '@dios/kernel/node' ||
      spec === '@dios/kernel/nats' ||
      spec === '@dios/libd/wasi' ||
      spec.startsWith('node:'))
  );
}

describe('apps layering', () => {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));

  it('imports only the public kernel and libd entries and its own modules', () => {
    expect(files.length).toBeGreaterThan(10);
    const bad = files.flatMap((f) =>
      imports(readFileSync(join(SRC, f), 'utf8'))
        .filter((s) => !allowed(f, s))
        .map((s) => `${f}: ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('keeps node:* in the command only, so tasks run wherever the kernel does', () => {
    const withNode = files.filter((f) =>
      imports(readFileSync(join(SRC, f), 'utf8')).some((s) => s.startsWith('node:')),
    );
    expect(withNode.length).toBeGreaterThan(0);
    expect(withNode.filter((f) => !isCli(f))).toEqual([]);
  });

  const allEdges = (): Edge[] => files.flatMap((f) => edgesOf(f, readFileSync(join(SRC, f), 'utf8')));

  it("the package's folders form a DAG, type imports included", () => {
    const edges = allEdges();
    expect(edges.length).toBeGreaterThan(100);
    expect(cycles(folderGraph(edges)).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('no file reaches itself through runtime imports', () => {
    expect(cycles(runtimeGraph(allEdges())).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('the graph checker finds a folder cycle (type imports included) and a runtime file cycle', () => {
    const edges: Edge[] = [
      ...edgesOf('wordcount/x.ts', "import type { A } from '../mapreduce/a.js';"),
      ...edgesOf('mapreduce/a.ts', "import { x } from '../wordcount/x.js';\n// import { y } from './y.js';"),
    ];
    expect(edges).toEqual([
      { from: 'wordcount/x.ts', to: 'mapreduce/a.ts', typeOnly: true },
      { from: 'mapreduce/a.ts', to: 'wordcount/x.ts', typeOnly: false },
    ]);
    expect(cycles(folderGraph(edges))).toEqual([['wordcount', 'mapreduce', 'wordcount']]);
    expect(cycles(runtimeGraph(edges))).toEqual([]);
    expect(cycles(runtimeGraph([...edges, { from: 'wordcount/x.ts', to: 'mapreduce/a.ts', typeOnly: false }]))).toEqual(
      [['mapreduce/a.ts', 'wordcount/x.ts', 'mapreduce/a.ts']],
    );
  });

  it('would notice a reach into the kernel', () => {
    expect(allowed('mapreduce/map-task.ts', imports("import { x } from '@dios/kernel/src/core/kernel.js';")[0]!)).toBe(
      false,
    );
    expect(
      allowed('mapreduce/map-task.ts', imports("export { y } from '../../kernel/src/core/reference.js';")[0]!),
    ).toBe(false);
    expect(allowed('mapreduce/map-task.ts', imports("import { z } from 'node:fs';")[0]!)).toBe(false);
    expect(allowed('cli/main.ts', imports("import '@dios/libd/src/stdio/file.js';")[0]!)).toBe(false);
    expect(
      allowed('wordcount/app/tokenize.ts', imports("import { x } from '../../../kernel/src/core/kernel.js';")[0]!),
    ).toBe(false);
    expect(
      allowed('wordcount/app/tokenize.ts', imports("import { x } from '../../mapreduce/app-api/key-table.js';")[0]!),
    ).toBe(true);
  });
});
