/**
 * libd's stdio reaches the kernel only through the system calls and the
 * kernel's public exports: its sources import '@dios/kernel' (the package
 * entry), each other, and the printf formatter, and nothing else. The one
 * exception is the Node entry (src/node, @dios/libd/node): its stream
 * adapters may import node:*, and reach the rest of libd only through the
 * package's public entry. Inside the package, the folders form a DAG (type
 * imports included) and no file imports itself through a chain of runtime
 * imports.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, edgesOf, folderGraph, runtimeGraph, type Edge } from '../../kernel/test/support/import-graph.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function imports(source: string): string[] {
  // Doc comments show example imports of the package itself: only code counts.
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

const isNodeEntry = (file: string): boolean => file.split(/[\\/]/)[0] === 'node';

describe('libd layering', () => {
  it('imports only @dios/kernel and its own modules', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    const bad: string[] = [];
    for (const file of files) {
      for (const spec of imports(readFileSync(join(SRC, file), 'utf8'))) {
        // The kernel's public entry, and libd's own modules (./x.js, ../dir/x.js, ./dir/x.js).
        let allowed = spec === '@dios/kernel' || /^\.\.?\/([\w-]+\/)?[\w-]+\.js$/.test(spec);
        // The Node entry: node:* and libd's public entry, but none of libd's modules by path (they would be bundled twice).
        if (isNodeEntry(file)) allowed = spec === '@dios/kernel' || spec === '@dios/libd' || spec.startsWith('node:');
        if (!allowed) bad.push(`${file}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('lets only the Node entry import node:*', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const nodeImports = files.filter((f) =>
      imports(readFileSync(join(SRC, f), 'utf8')).some((spec) => spec.startsWith('node:')),
    );
    expect(nodeImports.length).toBeGreaterThan(0);
    expect(nodeImports.filter((f) => !isNodeEntry(f))).toEqual([]);
  });

  const allEdges = (): Edge[] =>
    readdirSync(SRC, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => edgesOf(f, readFileSync(join(SRC, f), 'utf8')));

  it("the package's folders form a DAG, type imports included", () => {
    const edges = allEdges();
    expect(edges.filter((e) => dirname(e.from) !== dirname(e.to)).length).toBeGreaterThan(5);
    expect(cycles(folderGraph(edges)).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('no file reaches itself through runtime imports', () => {
    expect(cycles(runtimeGraph(allEdges())).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('the graph checker finds a folder cycle (type imports included) and a runtime file cycle', () => {
    const edges: Edge[] = [
      ...edgesOf('stdio/open.ts', "import type { P } from '../paths/resolve.js';"),
      ...edgesOf('paths/resolve.ts', "export { fopen } from '../stdio/open.js';\n/* import { x } from './x.js'; */"),
    ];
    expect(edges).toEqual([
      { from: 'stdio/open.ts', to: 'paths/resolve.ts', typeOnly: true },
      { from: 'paths/resolve.ts', to: 'stdio/open.ts', typeOnly: false },
    ]);
    expect(cycles(folderGraph(edges))).toEqual([['stdio', 'paths', 'stdio']]);
    expect(cycles(runtimeGraph(edges))).toEqual([]);
    expect(
      cycles(runtimeGraph([...edges, { from: 'stdio/open.ts', to: 'paths/resolve.ts', typeOnly: false }])),
    ).toEqual([['paths/resolve.ts', 'stdio/open.ts', 'paths/resolve.ts']]);
  });

  it('would notice a reach into the kernel', () => {
    expect(imports("import { x } from '@dios/kernel/src/core/kernel.js';")).toEqual([
      '@dios/kernel/src/core/kernel.js',
    ]);
    expect(imports("export { y } from '../../kernel/src/core/reference.js';")).toEqual([
      '../../kernel/src/core/reference.js',
    ]);
  });
});
