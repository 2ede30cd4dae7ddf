/**
 * The control lines of `dios node start` (`put PATH TEXT`, `get PATH`,
 * `load PATH FILE`, `peers`, `tasks`, `ran PROGRAM`, `lookups`): each
 * answered with one line, through the kernel's init task (`lookups` from
 * the kernel's peer link).
 * @module
 */
import {
  DeleteFlags,
  isDiosError,
  kernelStatusName,
  LookupFlags,
  type KernelStatus,
  type SystemCalls,
} from '@dios/kernel';
import { fclose, fopen, fputs, fread, type FILE } from '@dios/libd';
import { loadFileAt } from './load-file.js';
import { errorText } from './error-text.js';

/** What the control lines act on. */
export interface NodeControl {
  /** The task whose calls the commands make (the kernel's init task). */
  readonly sys: SystemCalls;
  /** Ids of the peers alive. */
  peers(): string[];
  /**
   * What lookups sent so far (the peer link's lookupStats) and the state of
   * this node's directory shard (`entries`, `unsynced`: absent without a
   * directory).
   */
  lookups(): { lookups: number; broadcasts: number; requests: number; entries?: number; unsynced?: number };
}

/** Answers one control line with one reply line (no newline): `ok`, get's text, the peer ids, or `error CODE message`. */
export async function controlLine(node: NodeControl, line: string): Promise<string> {
  const text = line.trim();
  const space = text.indexOf(' ');
  const command = space < 0 ? text : text.slice(0, space);
  const rest = space < 0 ? '' : text.slice(space + 1).trimStart();
  try {
    if (command === 'peers') return [...node.peers()].sort().join(' ');
    if (command === 'tasks') return await runningTasks(node.sys);
    if (command === 'lookups') return lookupsLine(node.lookups());
    if (command === 'ran') {
      if (rest === '' || /\s/.test(rest)) return 'error EINVAL usage: ran PROGRAM';
      return String(await tasksRun(node.sys, rest));
    }
    if (command === 'load') {
      const cut = rest.search(/\s/);
      if (cut <= 0) return 'error EINVAL usage: load PATH FILE';
      const ref = await loadFileAt(node.sys, rest.slice(cut + 1).trim(), rest.slice(0, cut));
      const size = node.sys.ref(ref).size;
      await node.sys.delete(ref, DeleteFlags.DROP);
      return `ok ${size}`;
    }
    if (command === 'get') {
      if (rest === '' || /\s/.test(rest)) return 'error EINVAL usage: get PATH';
      return escapeLine(await readPath(node.sys, rest));
    }
    if (command === 'put') {
      const cut = rest.search(/\s/);
      const path = cut < 0 ? rest : rest.slice(0, cut);
      if (path === '') return 'error EINVAL usage: put PATH TEXT';
      await writePath(node.sys, path, unescapeLine(cut < 0 ? '' : rest.slice(cut + 1)));
      return 'ok';
    }
    return `error EINVAL unknown command '${command}' (put PATH TEXT, get PATH, load PATH FILE, peers, tasks, ran PROGRAM, lookups)`;
  } catch (e) {
    // `error CODE text`: the code once, as its own word for scripts, then what errorText says after it.
    const code = isDiosError(e) ? e.code : /^E[A-Z0-9]+$/.exec(String((e as { code?: unknown }).code))?.[0];
    const text = isDiosError(e) ? e.message : errorText(e);
    return `error ${code ?? 'EIO'} ${text.replace(/^E[A-Z0-9]+: /, '')}`;
  }
}

// `lookups L broadcasts B requests R entries E unsynced U`, with "-" for the shard's counts when there is no directory.
function lookupsLine(c: ReturnType<NodeControl['lookups']>): string {
  return `lookups ${c.lookups} broadcasts ${c.broadcasts} requests ${c.requests} entries ${c.entries ?? '-'} unsynced ${c.unsynced ?? '-'}`;
}

// The kernel's status (its tasks, running and recently exited), read from its status object.
async function kernelStatus(sys: SystemCalls): Promise<KernelStatus> {
  const [ref] = await sys.lookup(await kernelStatusName(sys.kernelId), LookupFlags.LOCAL_ONLY);
  try {
    const view = await sys.beginRead(ref!);
    const status = JSON.parse(new TextDecoder().decode(view)) as KernelStatus;
    await sys.endRead(ref!, view);
    return status;
  } finally {
    await sys.delete(ref!, DeleteFlags.DROP);
  }
}

// How many tasks of `program` this kernel has run: those running and the exited ones its monitoring still lists.
async function tasksRun(sys: SystemCalls, program: string): Promise<number> {
  return (await kernelStatus(sys)).tasks.filter((t) => t.argv[0] === program).length;
}

// The programs of the tasks running here, as `program=count` pairs in program order.
async function runningTasks(sys: SystemCalls): Promise<string> {
  const status = await kernelStatus(sys);
  const counts = new Map<string, number>();
  for (const t of status.tasks) {
    const program = t.argv[0];
    // Not the kernel's own: this init task, and the tasks that hold references for peers.
    if (t.state === 'exited' || program === undefined || program.startsWith('peer:') || t.name === sys.taskName.key)
      continue;
    counts.set(program, (counts.get(program) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([p, n]) => `${p}=${n}`)
    .join(' ');
}

async function writePath(sys: SystemCalls, path: string, text: string): Promise<void> {
  const file = await fopen(sys, path, 'w');
  try {
    await fputs(file, text);
  } finally {
    await fclose(file);
  }
}

async function readPath(sys: SystemCalls, path: string): Promise<string> {
  const file: FILE = await fopen(sys, path, 'r');
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const buffer = new Uint8Array(64 * 1024);
      const n = await fread(file, buffer);
      if (n === 0) break;
      chunks.push(buffer.subarray(0, n));
    }
  } finally {
    await fclose(file);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `\` and newlines escaped, so any text is one line. */
export function escapeLine(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** The inverse of {@link escapeLine}; a `\` before anything else is kept. */
export function unescapeLine(text: string): string {
  return text.replace(/\\([\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}
