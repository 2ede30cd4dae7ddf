/**
 * DOT rendered to SVG in this process, by Graphviz compiled to WebAssembly
 * (@hpcc-js/wasm-graphviz: no native code, no `dot` program needed). The
 * module is loaded on first use and kept.
 * @module
 */
import type { Graphviz } from '@hpcc-js/wasm-graphviz';

let graphviz: Promise<Graphviz> | undefined;

/**
 * The SVG drawing of DOT text `dot`, starting at `<svg` (the XML prolog
 * and doctype are cut, so it can be put inside an HTML page as it is).
 * Graphviz's error for DOT it cannot parse.
 */
export async function renderSvg(dot: string): Promise<string> {
  // A dynamic import: the package is ESM only, and only drawings need it.
  graphviz ??= import('@hpcc-js/wasm-graphviz').then((m) => m.Graphviz.load());
  const svg = (await graphviz).dot(dot, 'svg');
  const start = svg.indexOf('<svg');
  return start < 0 ? svg : svg.slice(start);
}
