/**
 * What the engine remembers of a container across restarts: its config, its
 * DIOS identity (the tag's name) and its last state, as JSON in a blob.
 * @module
 */
import { errors } from '@dios/kernel';
import type { ContainerStatus } from '../api.js';

/** One container's durable record. */
export interface ContainerRecord {
  /** A random UUID as 32 hex digits (also the kernel container's id). */
  readonly id: string;
  /** Unique name. */
  readonly name: string;
  /** Image digest. */
  readonly image: string;
  /** Image as asked for. */
  readonly imageRef: string;
  /** When created (ISO 8601). */
  readonly created: string;
  /** Entry program path. */
  readonly entry: string;
  /** argv after argv[0]. */
  readonly args: readonly string[];
  /** Environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Limits in force. */
  readonly limits: { readonly memoryMb?: number; readonly maxTasks?: number; readonly cpuShares?: number };
  /** Share specs in force (the image's, then the create options'). */
  readonly shares: readonly string[];
  /** Name key of the container's secrecy tag (restored after a restart). */
  readonly tag: string;
  /** Last state. */
  status: ContainerStatus;
  /** Exit code of the last run. */
  exitCode: number;
  /** Whether the last run passed the memory limit. */
  oomKilled: boolean;
  /** Why it stopped, in words. */
  error: string;
  /** Last start (ISO 8601, "" if never). */
  startedAt: string;
  /** Last stop (ISO 8601, "" if never). */
  finishedAt: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A record as stored. */
export function encodeRecord(record: ContainerRecord): Uint8Array {
  return enc.encode(JSON.stringify(record));
}

/** A stored record read back (EIO naming the container when it is not one: the store's bytes are checked). */
export function decodeRecord(bytes: Uint8Array, id: string): ContainerRecord {
  let value: unknown;
  try {
    value = JSON.parse(dec.decode(bytes));
  } catch {
    value = undefined;
  }
  const r = value as Partial<ContainerRecord> | undefined;
  if (
    typeof r !== 'object' ||
    r === null ||
    r.id !== id ||
    typeof r.name !== 'string' ||
    typeof r.image !== 'string' ||
    typeof r.entry !== 'string' ||
    typeof r.tag !== 'string' ||
    !Array.isArray(r.args) ||
    !Array.isArray(r.shares)
  )
    throw errors.EIO('ContainerEngine.open', 'store', `the record of container ${id} is damaged`);
  return r as ContainerRecord;
}
