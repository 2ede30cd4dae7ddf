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
import { humanBytes } from './human-bytes.js';
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

// Why a task has no CPU figure (the legend says it at length).
const NO_CPU = "runs in the kernel's thread: its CPU time is not measured apart from the other tasks there";

function cpu(value: number | undefined): string {
  return value === undefined ? `<span class="na" title="${escapeHtml(NO_CPU)}">n/a</span>` : ms(value);
}

// Arguments are kept whole: a line may break between two, never inside one (`--port=8080` stays together).
function argvHtml(argv: readonly string[]): string {
  return argv.map((a) => `<span class="arg">${escapeHtml(a)}</span>`).join(' ');
}

function stateHtml(t: TaskReport): string {
  const failed = t.exitStatus !== undefined && t.exitStatus !== 0;
  const exit = t.exitStatus === undefined ? '' : failed ? ` (failed: status ${t.exitStatus})` : ` (${t.exitStatus})`;
  return `<span class="state ${escapeHtml(t.state)}${failed ? ' failed' : ''}">${escapeHtml(t.state)}${exit}</span>`;
}

function taskRow(t: TaskReport): string {
  const s = t.stats;
  const calls = Object.entries(s.calls)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const cells = [
    `<code>${short(t.name)}</code>`,
    argvHtml(t.argv),
    escapeHtml(t.process),
    stateHtml(t),
    ms(s.wallMs),
    cpu(s.cpuMs),
    `<span title="${escapeHtml(calls)}">${s.totalCalls}</span>`,
    failedHtml(s.failedCalls, s.failures),
    humanBytes(s.bytesRead),
    humanBytes(s.bytesWritten),
    String(s.objectsCreated),
  ];
  return `<tr>${cells.map((c, i) => `<td${i === 1 ? ' class="argv"' : ''}>${c}</td>`).join('')}</tr>`;
}

// The count, then why: each error code with how many calls failed with it, most first.
function failedHtml(count: number, failures: Readonly<Record<string, number>> | undefined): string {
  const why = Object.entries(failures ?? {})
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([code, n]) => `${escapeHtml(code)} ${n}`)
    .join(', ');
  return why === '' ? String(count) : `${count} <small class="why">(${why})</small>`;
}

const LEGEND = `<h2>What the columns mean</h2>
<dl id="legend">
<dt>task</dt><dd>The task's name, shortened (names are 256-bit: the first 12 hex digits).</dd>
<dt>argv</dt><dd>Its arguments (a connection task's second one is the client's address).</dd>
<dt>kind</dt><dd>pure: a DIOS program; legacy or hybrid: a WebAssembly program on the POSIX layer.</dd>
<dt>state</dt><dd>created, running, paused or exited, with the exit status; a non-zero status is a task that failed.</dd>
<dt>wall ms</dt><dd>Time since it started, until it exited.</dd>
<dt>cpu ms</dt><dd>CPU time, measured for tasks in worker threads of their own. <b>n/a</b>: the task runs in the kernel's
thread (the web server and its connection tasks do), where every task shares one event loop, so CPU time cannot be told
apart per task.</dd>
<dt>calls</dt><dd>System calls made (hover for the count of each).</dd>
<dt>failed</dt><dd>System calls that returned an error. Most are not faults: a select that waited its whole timeout
(ETIMEDOUT, an idle keep-alive connection), a lookup of a path that does not exist (ENOENT, a 404), a non-blocking write
with no room (EAGAIN). The codes after the count say which, with how many of each (other: an error without a code).
A task that failed itself shows a non-zero status under state.</dd>
<dt>read, written</dt><dd>Bytes read and committed through begin/end_read and begin/end_write.</dd>
<dt>objects made</dt><dd>Objects it created, tasks it started included.</dd>
<dt>path (objects)</dt><dd>The path an object was served or installed at, when the server knows it (its name is derived
from the path); the hash is then only its shortened name.</dd>
<dt>version, refs, lifecycle</dt><dd>Writes committed, references held, and when the object goes (refcounted:
with its last reference; single-delete: when deleted once; immortal: never).</dd>
</dl>`;

/**
 * The HTML status page for a snapshot, with `graph`, the SVG drawing of
 * the flows, when given, and `paths`, the DIOS path of objects by the
 * first 12 hex digits of their names (all the status shows), where known.
 */
export function statusHtml(status: KernelStatus, graph?: string, paths?: ReadonlyMap<string, string>): string {
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
        `<tr><td class="path">${escapeHtml(paths?.get(o.name.slice(0, 12)) ?? '')}</td><td><code>${short(o.name)}</code></td><td>${escapeHtml(o.type)}</td><td>${humanBytes(o.size)}</td><td>${o.version}</td><td>${o.refs}</td><td>${escapeHtml(o.lifecycle)}</td><td>${escapeHtml(o.address ?? '')}</td></tr>`,
    )
    .join('\n');
  const head =
    '<tr><th>task</th><th>argv</th><th>kind</th><th>state</th><th>wall ms</th><th>cpu ms</th><th>calls</th><th>failed</th><th>read</th><th>written</th><th>objects made</th></tr>';
  const at = new Date(status.at).toISOString();
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>DIOS kernel ${escapeHtml(status.kernel)}</title>
<noscript><meta http-equiv="refresh" content="2"></noscript>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
th { background: #eef; }
.state.running { color: #070; font-weight: bold; }
.state.exited { color: #777; }
.state.paused { color: #a60; }
.state.failed { color: #b00; font-weight: bold; }
.arg { white-space: nowrap; }
td.argv, td.path { overflow-wrap: anywhere; }
.na { color: #999; cursor: help; }
#legend dt { font-weight: bold; margin-top: 0.4em; }
#legend dd { margin-left: 1.5em; max-width: 60em; }
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
<table id="objects"><tr><th>path</th><th>name</th><th>type</th><th>size</th><th>version</th><th>refs</th><th>lifecycle</th><th>address</th></tr>
${objects}
</table>
${LEGEND}
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
