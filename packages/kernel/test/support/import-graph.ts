/**
 * The import graph of a package's sources, for the layering tests of all
 * three packages: edges between files (type-only or not), the folder graph,
 * the runtime graph, and their cycles.
 * @module
 */
import { posix } from 'node:path';

/** An import edge between two source files (paths relative to the package's src, with `/`). */
export interface Edge {
  /** The importing file. */
  readonly from: string;
  /** The imported file (`.js` specifiers resolved to their `.ts` source). */
  readonly to: string;
  /** `import type` / `export type`: erased at run time, but still a dependency of the design. */
  readonly typeOnly: boolean;
}

/** Removes comments (block and line), keeping string contents, so that prose about imports does not count. */
export function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:\\'"`])\/\/.*$/gm, '$1');
}

/** The relative imports and re-exports in `code`, a file at `file` (relative to src), resolved to source paths. */
export function edgesOf(file: string, code: string): Edge[] {
  const edges: Edge[] = [];
  const pattern = /\b(?:import|export)\s+(type\s+)?(?:[^'";]*?\bfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of stripComments(code).matchAll(pattern)) {
    const to = posix.normalize(posix.join(posix.dirname(file), m[2]!.replace(/\.js$/, '.ts')));
    edges.push({ from: file, to, typeOnly: m[1] !== undefined });
  }
  return edges;
}

/** The cycles of a directed graph, each as its nodes in order with the first repeated at the end. */
export function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

function addEdge(graph: Map<string, Set<string>>, a: string, b: string): void {
  let next = graph.get(a);
  if (next === undefined) graph.set(a, (next = new Set()));
  next.add(b);
}

/** The folder graph of `edges` (an edge between two files of one folder is no edge). */
export function folderGraph(edges: readonly Edge[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    const [a, b] = [posix.dirname(e.from), posix.dirname(e.to)];
    if (a !== b) addEdge(graph, a, b);
  }
  return graph;
}

/** The file graph of the runtime edges of `edges`. */
export function runtimeGraph(edges: readonly Edge[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) if (!e.typeOnly) addEdge(graph, e.from, e.to);
  return graph;
}
