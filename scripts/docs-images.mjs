// Renders the pictures of the guides: each source in docs/images/ becomes the SVG beside it.
//   node scripts/docs-images.mjs           writes every SVG
//   node scripts/docs-images.mjs --check   renders in memory; fails naming each SVG that is missing or out of date
// Sources: `.dot` (Graphviz, laid out by @hpcc-js/wasm-graphviz: no native `dot` needed) and `.seq`, a small
// sequence-diagram language drawn here (Graphviz has no sequence diagrams; the format is described at renderSequence).
// Both get one house style, so the pictures match: the fonts and sizes below, and the palette the sources use by
// hand (blue: tasks and worker threads; green: the kernel; yellow: objects and their bytes; grey: the host).
// Output depends only on the sources and the pinned Graphviz, so --check can compare bytes.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const IMAGES = join(ROOT, 'docs', 'images');
const FONT = 'Helvetica,Arial,sans-serif';
// Graphviz sizes boxes by its own estimate of the text; with Courier's metrics (0.6 em a character) there is room for
// the widest sans-serif a reader may get instead of Helvetica (DejaVu Sans), and the SVG then names FONT.
const LAYOUT_FONT = 'Courier';
const FONT_SIZE = 12;
const SMALL = 11;
const INK = '#222222';

// Put before a .dot source's own statements: what the source sets itself wins.
const DOT_STYLE = [
  `graph [fontname="${LAYOUT_FONT}", fontsize=${FONT_SIZE}, fontcolor="${INK}", bgcolor="white", pad=0.3];`,
  `node [fontname="${LAYOUT_FONT}", fontsize=${FONT_SIZE}, fontcolor="${INK}", shape=box, style="rounded,filled", fillcolor="#ffffff", color="#555555", margin="0.25,0.1"];`,
  `edge [fontname="${LAYOUT_FONT}", fontsize=${SMALL}, fontcolor="${INK}", color="#444444"];`,
].join('\n  ');

const banner = (source) =>
  `<!-- Drawn by scripts/docs-images.mjs from ${source}: edit that, then run npm run docs:images. -->\n`;

/** The SVG text of Graphviz source `dot` with the house style. */
async function renderDot(dot) {
  // Graphviz is a dependency of @dios/apps (its provenance graphs), resolved from there rather than listed twice.
  const entry = createRequire(join(ROOT, 'packages', 'apps', 'package.json')).resolve('@hpcc-js/wasm-graphviz');
  const { Graphviz } = await import(pathToFileURL(entry).href);
  const graphviz = await Graphviz.load();
  // The brace that opens the graph, not one in a comment above it.
  const head = /^\s*(?:strict\s+)?(?:di)?graph\b[^{]*\{/m.exec(dot);
  if (!head) throw new Error('no graph body');
  const open = head.index + head[0].length;
  const styled = `${dot.slice(0, open)}\n  ${DOT_STYLE}\n${dot.slice(open)}`;
  const svg = graphviz.dot(styled, 'svg');
  return svg.slice(svg.indexOf('<svg')).replace(/font-family="[^"]*"/g, `font-family="${FONT}"`);
}

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
// 0.6 em a character, as for Graphviz above.
const textWidth = (line, size) => Math.ceil(line.length * size * 0.6);
const lines = (label) => label.split('\\n');

function text(x, y, label, { size = FONT_SIZE, anchor = 'middle', weight, fill = INK, italic = false } = {}) {
  return lines(label)
    .map(
      (line, i) =>
        `<text x="${x}" y="${y + i * (size + 3)}" text-anchor="${anchor}" font-family="${FONT}" font-size="${size}"` +
        `${weight ? ` font-weight="${weight}"` : ''}${italic ? ' font-style="italic"' : ''} fill="${fill}">${escape(line)}</text>`,
    )
    .join('\n');
}

/**
 * The SVG text of a sequence diagram. Source lines (`#` starts a comment; `\n` in a label breaks the line):
 *   participant ID FILL STROKE Label        a lifeline, left to right in the order given
 *   A -> B: label                           a call (solid arrow); A -> A is a step inside A
 *   A --> B: label                          a reply (dashed arrow)
 *   note A: label   /   note A..B: label    a note over one lifeline or across several
 *   caption: label                          a line under the diagram
 */
function renderSequence(source) {
  const parts = [];
  const steps = [];
  const captions = [];
  for (const [i, raw] of source.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    let m;
    if ((m = /^participant\s+(\S+)\s+(#[0-9a-f]{6})\s+(#[0-9a-f]{6})\s+(.+)$/i.exec(line)))
      parts.push({ id: m[1], fill: m[2], stroke: m[3], label: m[4] });
    else if ((m = /^(\S+)\s+(-->|->)\s+(\S+)\s*:\s*(.+)$/.exec(line)))
      steps.push({ kind: 'message', from: m[1], dashed: m[2] === '-->', to: m[3], label: m[4] });
    else if ((m = /^note\s+(\S+?)(?:\.\.(\S+))?\s*:\s*(.+)$/.exec(line)))
      steps.push({ kind: 'note', from: m[1], to: m[2] ?? m[1], label: m[3] });
    else if ((m = /^caption\s*:\s*(.+)$/.exec(line))) captions.push(m[1]);
    else throw new Error(`line ${i + 1}: cannot read "${line}"`);
  }
  const column = new Map(parts.map((p, i) => [p.id, i]));
  for (const s of steps) for (const id of [s.from, s.to]) if (!column.has(id)) throw new Error(`no participant ${id}`);
  const widest = (label, size) => Math.max(...lines(label).map((l) => textWidth(l, size)));
  // Columns as wide as the widest box, message or single-lifeline note that sits between or on them.
  const gap = Math.max(
    150,
    ...parts.map((p) => widest(p.label, FONT_SIZE) + 40),
    ...steps.map((s) => {
      const span = Math.abs(column.get(s.to) - column.get(s.from)) || 1;
      return (widest(s.label, SMALL) + 30) / span;
    }),
  );
  // A note over an end lifeline may reach past its column: the margin makes room.
  const noteHalf = (s) => Math.max(60, widest(s.label, SMALL) / 2 + 10);
  const overhang = Math.max(
    0,
    ...steps.filter((s) => s.kind === 'note' && s.from === s.to).map((s) => noteHalf(s) - gap / 2),
  );
  const margin = 20 + Math.ceil(overhang);
  const x = (id) => margin + gap / 2 + column.get(id) * gap;
  const boxHeight = Math.max(...parts.map((p) => lines(p.label).length)) * (FONT_SIZE + 3) + 14;
  const out = [];
  let y = margin + boxHeight + 18;
  for (const s of steps) {
    const n = lines(s.label).length;
    const x1 = x(s.from);
    const x2 = x(s.to);
    if (s.kind === 'note') {
      const left = x1 === x2 ? x1 - noteHalf(s) : Math.min(x1, x2) - 50;
      const right = x1 === x2 ? x1 + noteHalf(s) : Math.max(x1, x2) + 50;
      const h = n * (SMALL + 3) + 10;
      out.push(
        `<rect x="${left}" y="${y}" width="${right - left}" height="${h}" rx="3" fill="#fff6d5" stroke="#b7950b"/>`,
      );
      out.push(text((left + right) / 2, y + SMALL + 4, s.label, { size: SMALL }));
      y += h + 20;
    } else if (x1 === x2) {
      const h = n * (SMALL + 3) + 12;
      out.push(
        `<path d="M${x1} ${y} h30 v${h - 6} h-30" fill="none" stroke="#444444" stroke-width="1.2"${s.dashed ? ' stroke-dasharray="5,3"' : ''} marker-end="url(#arrow)"/>`,
      );
      out.push(text(x1 + 36, y + SMALL, s.label, { size: SMALL, anchor: 'start' }));
      y += h + 12;
    } else {
      out.push(text((x1 + x2) / 2, y, s.label, { size: SMALL }));
      const ay = y + (n - 1) * (SMALL + 3) + 7;
      const tip = x2 > x1 ? x2 - 2 : x2 + 2;
      out.push(
        `<line x1="${x1}" y1="${ay}" x2="${tip}" y2="${ay}" stroke="#444444" stroke-width="1.2"${s.dashed ? ' stroke-dasharray="5,3"' : ''} marker-end="url(#arrow)"/>`,
      );
      y = ay + 22;
    }
  }
  const bottom = y;
  for (const c of captions) {
    y += 4;
    out.push(text(margin, y + FONT_SIZE, c, { anchor: 'start', italic: true }));
    y += lines(c).length * (FONT_SIZE + 3);
  }
  const width = Math.ceil(2 * margin + parts.length * gap);
  const height = Math.ceil(y + margin);
  const heads = parts.map((p) => {
    const cx = x(p.id);
    const w = gap - 30;
    return [
      `<line x1="${cx}" y1="${margin + boxHeight}" x2="${cx}" y2="${bottom}" stroke="${p.stroke}" stroke-width="1" stroke-dasharray="2,3"/>`,
      `<rect x="${cx - w / 2}" y="${margin}" width="${w}" height="${boxHeight}" rx="6" fill="${p.fill}" stroke="${p.stroke}"/>`,
      text(cx, margin + (boxHeight - lines(p.label).length * (FONT_SIZE + 3)) / 2 + FONT_SIZE, p.label, {
        weight: 'bold',
        fill: p.stroke,
      }),
    ].join('\n');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}pt" height="${height}pt" viewBox="0 0 ${width} ${height}">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#444444"/></marker></defs>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...heads,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}

const RENDERERS = { '.dot': renderDot, '.seq': async (s) => renderSequence(s) };

const check = process.argv.includes('--check');
const stale = [];
for (const file of readdirSync(IMAGES).sort()) {
  const ext = file.slice(file.lastIndexOf('.'));
  const render = RENDERERS[ext];
  if (!render) continue;
  const target = join(IMAGES, file.slice(0, -ext.length) + '.svg');
  let svg;
  try {
    svg = banner(file) + (await render(readFileSync(join(IMAGES, file), 'utf8')));
  } catch (e) {
    console.error(`docs/images/${file}: ${e.message}`);
    process.exitCode = 1;
    continue;
  }
  const name = `docs/images/${file.slice(0, -ext.length)}.svg`;
  if (check) {
    if (!existsSync(target) || readFileSync(target, 'utf8') !== svg) stale.push(name);
  } else {
    writeFileSync(target, svg);
    console.log(`wrote ${name}`);
  }
}
if (stale.length > 0) {
  console.error(`out of date (run npm run docs:images): ${stale.join(', ')}`);
  process.exitCode = 1;
}
