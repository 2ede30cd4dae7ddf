/**
 * A kernel's provenance log kept beyond the process: written as JSON lines
 * to the blob at `/.provenance/KERNEL-ID` (through libd's fopen, so a
 * durable blob when the kernel has a store, else one in memory) and read
 * back from it. The first line is a header (the kernel's id and the paths
 * of the objects that have one), then one ProvenanceRecord per line, oldest
 * first. The blob holds one snapshot of the log, replaced whole each time.
 * @module
 */
import { canFlow, errors, Label, normalizePath, type ProvenanceRecord, type SystemCalls } from '@dios/kernel';
import { fclose, fopen, fread, fwrite, readLabel } from '@dios/libd';

/** Where the provenance of kernels is kept: one blob per kernel id under it. */
export const PROVENANCE_DIR = '/.provenance';

/** A provenance log with what it takes to draw it. */
export interface ProvenanceSnapshot {
  /** The id of the kernel whose log it is. */
  readonly kernel: string;
  /** Object name key -> path, for the objects whose path is known. */
  readonly paths: Readonly<Record<string, string>>;
  /** The records, oldest first. */
  readonly records: readonly ProvenanceRecord[];
}

const FORMAT = 'dios-provenance';
const encoder = new TextEncoder();

/** The path of kernel `kernelId`'s provenance blob. */
export const provenancePath = (kernelId: string): string =>
  normalizePath(`${PROVENANCE_DIR}/${kernelId}`, 'provenancePath', 'kernelId');

/**
 * The JSON lines of `snapshot`, keeping only the records whose task and
 * object labels may flow to `reader` (the label of whatever will hold the
 * text; default unlabelled): a record tells who touched what, so it is as
 * secret as either party. Labels themselves are not written.
 */
export function encodeProvenance(snapshot: ProvenanceSnapshot, reader: Label = Label.EMPTY): string {
  const lines = [JSON.stringify({ format: FORMAT, kernel: snapshot.kernel, paths: snapshot.paths })];
  for (const r of snapshot.records) {
    if (!visibleTo(r, reader)) continue;
    const { taskLabel, objectLabel, ...rest } = r;
    void taskLabel;
    void objectLabel;
    lines.push(JSON.stringify(rest));
  }
  return lines.join('\n') + '\n';
}

/** Whether record `r` may be shown to a reader labelled `reader` (records read back carry no labels: they were shown). */
function visibleTo(r: ProvenanceRecord, reader: Label): boolean {
  return (
    (r.taskLabel === undefined || canFlow(r.taskLabel, reader)) &&
    (r.objectLabel === undefined || canFlow(r.objectLabel, reader))
  );
}

/** The snapshot in JSON lines `text`; EINVAL (`call`, `argument`) when it is not one. */
export function decodeProvenance(text: string, call: string, argument: string): ProvenanceSnapshot {
  const lines = text.split('\n').filter((l) => l !== '');
  let header: { format?: unknown; kernel?: unknown; paths?: unknown };
  const records: ProvenanceRecord[] = [];
  try {
    header = JSON.parse(lines[0] ?? '{}') as typeof header;
    for (const line of lines.slice(1)) records.push(JSON.parse(line) as ProvenanceRecord);
  } catch (e) {
    throw errors.EINVAL(call, argument, `not a provenance log (${e instanceof Error ? e.message : String(e)})`);
  }
  if (header.format !== FORMAT || typeof header.kernel !== 'string' || typeof header.paths !== 'object')
    throw errors.EINVAL(call, argument, 'not a provenance log (no header line)');
  return { kernel: header.kernel, paths: header.paths as Record<string, string>, records };
}

/** Writes `snapshot` to the blob at `path` (default: its kernel's {@link provenancePath}) as task `sys`: only the records `sys`'s label may see. */
export async function saveProvenance(
  sys: SystemCalls,
  snapshot: ProvenanceSnapshot,
  path = provenancePath(snapshot.kernel),
): Promise<void> {
  // The blob gets the writer's label: only what may flow there is written.
  const own = await readLabel(sys);
  const text = encodeProvenance(snapshot, Label.of(own.secrecy, own.integrity));
  const file = await fopen(sys, path, 'w');
  try {
    await fwrite(file, encoder.encode(text));
  } finally {
    await fclose(file);
  }
}

/** Reads the snapshot at `path` as task `sys`: fopen's errors (ENOENT when there is none); EINVAL when it is not one. */
export async function loadProvenance(sys: SystemCalls, path: string): Promise<ProvenanceSnapshot> {
  const file = await fopen(sys, path, 'r');
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const chunk = new Uint8Array(1 << 16);
      const n = await fread(file, chunk);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
    }
  } finally {
    await fclose(file);
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return decodeProvenance(new TextDecoder().decode(bytes), 'loadProvenance', 'path');
}
