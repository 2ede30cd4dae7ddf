/**
 * `dios provenance NAME|PATH --store DIR [--kernel ID] [--format svg|dot|json]
 * [--depth N] [-o FILE]`: the lineage of an object, drawn from the
 * provenance log a kernel kept in a durable store (`dios wordcount --store
 * DIR` keeps its job's). The log is read through the system calls of a
 * kernel booted on that store.
 * @module
 */
import { statSync, writeFileSync } from 'node:fs';
import { errors, isDiosError, Kernel, normalizePath } from '@dios/kernel';
import { FileBlobStore } from '@dios/kernel/node';
import { toDot } from '../provenance/dot.js';
import { lineage } from '../provenance/lineage.js';
import { loadProvenance, provenancePath, type ProvenanceSnapshot } from '../provenance/log-blob.js';
import { toProvJson } from '../provenance/prov-json.js';
import { renderSvg } from '../provenance/svg.js';
import { USAGE } from './usage.js';
import { UsageError } from './usage-error.js';

const FORMATS = ['svg', 'dot', 'json'] as const;
const CALL = 'provenance';
const TARGET = 'NAME|PATH';
const HEX = /^[0-9a-fA-F]{4,64}$/;

/** The kernel whose log `dios provenance` reads unless `--kernel` says otherwise: the one `dios wordcount` boots. */
const DEFAULT_KERNEL = 'dios-wordcount';

interface ProvenanceArgs {
  readonly target: string;
  readonly store: string;
  readonly kernel: string;
  readonly format: (typeof FORMATS)[number];
  readonly depth: number | undefined;
  readonly output: string | undefined;
}

function parseArgs(args: readonly string[]): ProvenanceArgs {
  const targets: string[] = [];
  const got = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      targets.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const [name, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (!['--store', '--kernel', '--format', '--depth', '-o', '--output'].includes(name))
      throw new UsageError(`unknown option '${arg}'`);
    const value = inline ?? args[++i];
    if (value === undefined || value === '') throw new UsageError(`option ${name} needs a value`);
    got.set(name === '--output' ? '-o' : name, value);
  }
  if (targets.length !== 1)
    throw new UsageError(
      `provenance needs exactly one ${TARGET}, got ${targets.length === 0 ? 'none' : targets.length}`,
    );
  const store = got.get('--store');
  if (store === undefined)
    throw new UsageError(
      `provenance needs --store DIR (the store a kernel kept its log in: 'dios wordcount --store DIR')`,
    );
  const format = got.get('--format') ?? 'svg';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`option --format: expected svg, dot or json, got '${format}'`);
  const depthText = got.get('--depth');
  if (depthText !== undefined && !/^\d{1,6}$/.test(depthText))
    throw new UsageError(`option --depth: expected an integer >= 0, got '${depthText}'`);
  const kernel = got.get('--kernel') ?? DEFAULT_KERNEL;
  if (!/^[A-Za-z0-9_.-]+$/.test(kernel))
    throw new UsageError(`option --kernel: letters, digits, '.', - and _ only, got '${kernel}'`);
  return {
    target: targets[0]!,
    store,
    kernel,
    format: format as ProvenanceArgs['format'],
    depth: depthText === undefined ? undefined : Number(depthText),
    output: got.get('-o'),
  };
}

// The node ids `target` names in the log: the objects at a path or under it (a directory), or the one task or
// object whose name starts with the hex digits given. ENOENT or EINVAL naming the argument.
function targetNodes(snapshot: ProvenanceSnapshot, target: string): string[] {
  const tasks = new Set<string>();
  const objects = new Set<string>();
  for (const r of snapshot.records) {
    tasks.add(r.task);
    if (r.child !== undefined) tasks.add(r.child);
    (r.objectType === 'task' ? tasks : objects).add(r.object);
  }
  const id = (key: string): string => (tasks.has(key) ? `task:${key}` : `object:${key}`);
  const where = `the provenance log of kernel ${snapshot.kernel}`;
  if (target.startsWith('/')) {
    const path = normalizePath(target, CALL, TARGET);
    const paths = Object.entries(snapshot.paths).filter(([key]) => objects.has(key));
    let found = paths.filter(([, p]) => p === path);
    if (found.length === 0) found = paths.filter(([, p]) => p.startsWith(path === '/' ? '/' : `${path}/`));
    if (found.length === 0) throw errors.ENOENT(CALL, TARGET, `nothing at or under '${path}' in ${where}`);
    return found.map(([key]) => id(key));
  }
  if (!HEX.test(target))
    throw errors.EINVAL(CALL, TARGET, `expected a DIOS path (/...) or 4 to 64 hex digits of a name, got '${target}'`);
  const prefix = target.toLowerCase();
  const found = [...new Set([...tasks, ...objects])].filter((key) => key.startsWith(prefix));
  if (found.length === 0) throw errors.ENOENT(CALL, TARGET, `no task or object named ${prefix}... in ${where}`);
  if (found.length > 1)
    throw errors.EINVAL(CALL, TARGET, `${prefix} names ${found.length} tasks and objects; give more digits`);
  return [id(found[0]!)];
}

async function draw(options: ProvenanceArgs): Promise<string> {
  let isDir = false;
  try {
    isDir = statSync(options.store).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDir) throw errors.ENOENT(CALL, '--store', `no store directory at '${options.store}'`);
  const store = new FileBlobStore(options.store, { fsync: 'none' });
  try {
    // The log's path is named in its kernel's root group, which a kernel of that cluster name shares.
    const kernel = await Kernel.boot({ id: 'dios-provenance', cluster: options.kernel, store, provenance: false });
    const snapshot = await loadProvenance(kernel.init, provenancePath(options.kernel)).catch((e: unknown) => {
      throw isDiosError(e, 'ENOENT')
        ? errors.ENOENT(CALL, '--kernel', `no provenance log of kernel ${options.kernel} in '${options.store}'`)
        : e;
    });
    const graph = lineage(snapshot.records, targetNodes(snapshot, options.target), {
      paths: new Map(Object.entries(snapshot.paths)),
      ...(options.depth !== undefined && { depth: options.depth }),
    });
    if (options.format === 'json') return `${JSON.stringify(toProvJson(graph), null, 2)}\n`;
    const dot = toDot(graph);
    return options.format === 'dot' ? dot : `${await renderSvg(dot)}\n`;
  } finally {
    await store.close();
  }
}

/** Runs `dios provenance ARGS`; resolves to the exit status (0, 1 when the log or the object is not there, 2 for a usage error). */
export async function provenanceCommand(args: readonly string[]): Promise<number> {
  if (args.some((a) => a === '-h' || a === '--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const options = parseArgs(args);
    const text = await draw(options);
    if (options.output === undefined) process.stdout.write(text);
    else writeFileSync(options.output, text);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`dios provenance: ${e.message} (try 'dios --help')\n`);
      return 2;
    }
    const code = (e as { code?: unknown }).code;
    if (isDiosError(e) || typeof code === 'string') {
      process.stderr.write(`dios provenance: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    throw e;
  }
}
