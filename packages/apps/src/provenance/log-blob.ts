/**
 * A kernel's provenance log kept beyond the process: written as JSON lines
 * to the blob at `/.provenance/KERNEL-ID` (through libd's fopen, so a
 * durable blob when the kernel has a store, else one in memory) and read
 * back from it. The first line is a header (the kernel's id and the paths
 * of the objects that have one), then one ProvenanceRecord per line, oldest
 * first. The blob holds one snapshot of the log, replaced whole each time.
 * @module
 */
import { errors, normalizePath, type ProvenanceRecord, type SystemCalls } from '@dios/kernel';
import { fclose, fopen, fread, fwrite } from '@dios/libd';

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

/** The JSON lines of `snapshot`. */
export function encodeProvenance(snapshot: ProvenanceSnapshot): string {
  const lines = [JSON.stringify({ format: FORMAT, kernel: snapshot.kernel, paths: snapshot.paths })];
  for (const r of snapshot.records) lines.push(JSON.stringify(r));
  return lines.join('\n') + '\n';
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

/** Writes `snapshot` to the blob at `path` (default: its kernel's {@link provenancePath}) as task `sys`. */
export async function saveProvenance(
  sys: SystemCalls,
  snapshot: ProvenanceSnapshot,
  path = provenancePath(snapshot.kernel),
): Promise<void> {
  const file = await fopen(sys, path, 'w');
  try {
    await fwrite(file, encoder.encode(encodeProvenance(snapshot)));
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
