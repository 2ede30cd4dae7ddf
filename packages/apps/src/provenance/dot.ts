/**
 * A provenance graph as Graphviz DOT: tasks as boxes, objects as ellipses,
 * edges labelled with the operation and the bytes; refused flows in red
 * (dashed); the objects a lineage was drawn for in bold.
 * @module
 */
import type { ProvenanceEdge, ProvenanceGraph } from './graph.js';

/** Bytes as a person reads them: `512 B`, `1.5 KiB`, `3.0 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}

// A DOT string literal.
const quote = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

function edgeLabel(e: ProvenanceEdge): string {
  const what = e.allowed ? e.operation : `refused ${e.operation}`;
  const times = e.count > 1 ? ` ×${e.count}` : '';
  // Bytes wherever any moved; a refused flow moved none, so none are shown.
  return e.bytes > 0 ? `${what}${times}\n${formatBytes(e.bytes)}` : `${what}${times}`;
}

/** The DOT text of `graph` (a `digraph`, left to right). */
export function toDot(graph: ProvenanceGraph): string {
  const lines = [
    'digraph provenance {',
    '  rankdir=LR;',
    '  node [fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  for (const n of graph.nodes) {
    const attrs =
      n.kind === 'task'
        ? ['shape=box', 'style="rounded,filled"', 'fillcolor="#dde8ff"']
        : ['shape=ellipse', 'style=filled', 'fillcolor="#fff3d6"'];
    if (graph.targets?.includes(n.id)) attrs.push('penwidth=2.5');
    lines.push(`  ${quote(n.id)} [label=${quote(n.label)}, tooltip=${quote(n.name)}, ${attrs.join(', ')}];`);
  }
  for (const e of graph.edges) {
    const attrs = [`label=${quote(edgeLabel(e))}`];
    if (!e.allowed) attrs.push('color=red', 'fontcolor=red', 'style=dashed');
    lines.push(`  ${quote(e.from)} -> ${quote(e.to)} [${attrs.join(', ')}];`);
  }
  lines.push('}', '');
  return lines.join('\n');
}
