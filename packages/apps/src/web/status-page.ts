/**
 * The status page: the kernel's tasks (with their monitoring figures) and
 * objects, read from the kernel status object through lookup and
 * begin/end_read like any other object, as JSON (`/_dios/status.json`)
 * or as an HTML page (`/_dios/status`) that refreshes itself in place,
 * with the graph of the flows between them (`/_dios/status/graph.svg`,
 * drawn from the provenance log the host publishes; see status-graph.ts).
 * @module
 */
import { DeleteFlags, kernelStatusName, type KernelStatus, type SystemCalls, type TaskReport } from '@dios/kernel';
import { deleteQuietly } from '@dios/libd';
import { escapeHtml } from './html.js';
import { STATUS_GRAPH_PATH, StatusGraphReader } from './status-graph.js';

/** URL path of the HTML status page. */
export const STATUS_PATH = '/_dios/status';
/** URL path of the JSON status. */
export const STATUS_JSON_PATH = '/_dios/status.json';

/** Most exited tasks and objects the page shows (the JSON has them all). */
export const PAGE_ROWS = 200;

/** Reads the kernel status object, and the graph of flows, for one task (the handles are looked up once and kept). */
export class StatusReader {
  readonly #sys: SystemCalls;
  readonly #graph: StatusGraphReader;
  #ref: number | undefined;

  /** A reader for task `sys`. */
  constructor(sys: SystemCalls) {
    this.#sys = sys;
    this.#graph = new StatusGraphReader(sys);
  }

  /** The graph of the flows between tasks and objects, as SVG. */
  graph(): Promise<string> {
    return this.#graph.svg();
  }

  /** The JSON snapshot's bytes, taken now. */
  async read(): Promise<Uint8Array> {
    if (this.#ref === undefined) {
      const [ref, ...extra] = await this.#sys.lookup(await kernelStatusName(this.#sys.kernelId));
      for (const r of extra) await this.#sys.delete(r, DeleteFlags.DROP);
      this.#ref = ref!;
    }
    const view = await this.#sys.beginRead(this.#ref);
    const bytes = view.slice();
    await this.#sys.endRead(this.#ref, view);
    return bytes;
  }

  /** Drops the handles. */
  async close(): Promise<void> {
    if (this.#ref !== undefined) await deleteQuietly(this.#sys, this.#ref, DeleteFlags.DROP);
    this.#ref = undefined;
    await this.#graph.close();
  }
}

function short(name: string): string {
  return name.slice(0, 12);
}

function ms(value: number | undefined): string {
  return value === undefined ? '' : value < 10 ? value.toFixed(2) : Math.round(value).toString();
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function taskRow(t: TaskReport): string {
  const s = t.stats;
  const calls = Object.entries(s.calls)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const cells = [
    `<code>${short(t.name)}</code>`,
    escapeHtml(t.argv.join(' ')),
    escapeHtml(t.process),
    `<span class="state ${escapeHtml(t.state)}">${escapeHtml(t.state)}${t.exitStatus !== undefined ? ` (${t.exitStatus})` : ''}</span>`,
    ms(s.wallMs),
    ms(s.cpuMs),
    `<span title="${escapeHtml(calls)}">${s.totalCalls}</span>`,
    String(s.failedCalls),
    bytes(s.bytesRead),
    bytes(s.bytesWritten),
    String(s.objectsCreated),
  ];
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

/** The HTML status page for a snapshot, with `graph`, the SVG drawing of the flows, when given. */
export function statusHtml(status: KernelStatus, graph?: string): string {
  const live = status.tasks.filter((t) => t.state !== 'exited');
  const exited = status.tasks.filter((t) => t.state === 'exited');
  const recent = exited.slice(-PAGE_ROWS).reverse();
  const byType = new Map<string, number>();
  for (const o of status.objects) byType.set(o.type, (byType.get(o.type) ?? 0) + 1);
  const summary = [...byType]
    .sort()
    .map(([type, n]) => `<li>${escapeHtml(type)}: ${n}</li>`)
    .join('');
  const objects = status.objects
    .slice(0, PAGE_ROWS)
    .map(
      (o) =>
        `<tr><td><code>${short(o.name)}</code></td><td>${escapeHtml(o.type)}</td><td>${bytes(o.size)}</td><td>${o.version}</td><td>${o.refs}</td><td>${escapeHtml(o.lifecycle)}</td><td>${escapeHtml(o.address ?? '')}</td></tr>`,
    )
    .join('\n');
  const head =
    '<tr><th>task</th><th>argv</th><th>kind</th><th>state</th><th>wall ms</th><th>cpu ms</th><th>calls</th><th>failed</th><th>read</th><th>written</th><th>objects made</th></tr>';
  const at = new Date(status.at).toISOString();
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>DIOS kernel ${escapeHtml(status.kernel)}</title>
<noscript><meta http-equiv="refresh" content="2"></noscript>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
th { background: #eef; }
.state.running { color: #070; font-weight: bold; }
.state.exited { color: #777; }
.state.paused { color: #a60; }
#flow-graph svg { max-width: 100%; height: auto; }
</style></head>
<body><main id="status">
<h1>DIOS kernel <code>${escapeHtml(status.kernel)}</code></h1>
<p>Snapshot at <time>${at}</time>: ${live.length} live tasks, ${exited.length} exited, ${status.objects.length} objects. <a href="${STATUS_JSON_PATH}">JSON</a></p>
${
  graph === undefined
    ? ''
    : `<h2>Flows between tasks and objects</h2>
<p>Who reads, writes, creates and runs what (the newest flows of the provenance log; bytes on the edges, refused flows in red). <a href="${STATUS_GRAPH_PATH}">SVG</a></p>
<div id="flow-graph">${graph}</div>`
}
<h2>Live tasks</h2>
<table id="live-tasks">${head}
${live.map(taskRow).join('\n')}
</table>
<h2>Recently exited tasks${exited.length > PAGE_ROWS ? ` (last ${PAGE_ROWS} of ${exited.length})` : ''}</h2>
<table id="exited-tasks">${head}
${recent.map(taskRow).join('\n')}
</table>
<h2>Objects${status.objects.length > PAGE_ROWS ? ` (first ${PAGE_ROWS} of ${status.objects.length})` : ''}</h2>
<ul>${summary}</ul>
<table id="objects"><tr><th>name</th><th>type</th><th>size</th><th>version</th><th>refs</th><th>lifecycle</th><th>address</th></tr>
${objects}
</table>
</main>
<script>
// Refresh in place: fetch this page again and swap the snapshot in.
setInterval(async () => {
  try {
    const res = await fetch(location.pathname, { cache: 'no-store' });
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const next = doc.getElementById('status');
    if (next) document.getElementById('status').replaceWith(next);
  } catch {}
}, 1000);
</script>
</body></html>
`;
}
