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
import { parseProvenanceArgs, type ProvenanceArgs } from './provenance-args.js';

const CALL = 'provenance';
const TARGET = 'NAME|PATH';
const HEX = /^[0-9a-fA-F]{4,64}$/;

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

/** Runs `dios provenance ARGS`; resolves to the exit status (0, or 1 when the log or the object is not there); a usage error is thrown (UsageError). */
export async function provenanceCommand(args: readonly string[]): Promise<number> {
  const options = parseProvenanceArgs(args);
  try {
    const text = await draw(options);
    if (options.output === undefined) process.stdout.write(text);
    else writeFileSync(options.output, text);
    return 0;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (isDiosError(e) || typeof code === 'string') {
      process.stderr.write(`dios provenance: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    throw e;
  }
}
