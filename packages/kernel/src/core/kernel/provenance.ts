/**
 * The provenance log: every flow a system call checked, allowed or refused,
 * as one record in a bounded ring per kernel (docs/ifc.md). The bound is a
 * number of records; the oldest go first. The ring is kept column by
 * column (numbers in typed arrays, the strings and labels the kernel already
 * holds in plain arrays), not as one object per record: a log of 65536
 * records objects kept every record alive past the young generation, and the
 * copying that cost was most of a small read or write's time. Records are
 * made as objects only for `records()` and subscribers.
 * @module
 */
import { errors } from '../abi/errors.js';
import { describe } from '../abi/names.js';
import type { ObjectType } from '../abi/flags.js';
import type { Label } from '../objects/label.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What a recorded flow did, and so its direction. */
export type FlowOperation =
  /** object to task: begin_read, end_read, select for reading. */
  | 'read'
  /** task to object: begin_write, end_write. */
  | 'write'
  /** task to new object: create. */
  | 'create'
  /** task to task: copy (the object is the target task). */
  | 'copy'
  /** binary to new task: run (the object is the binary; `child` names the task). */
  | 'run'
  /** task to object: delete destroying a single-delete object, pause of a task. */
  | 'modify'
  /** the task changed its own label (the object is the task itself). */
  | 'label';

/** One flow. */
export interface ProvenanceRecord {
  /** When (milliseconds since the epoch). */
  readonly at: number;
  /** Name key of the task that made the call. */
  readonly task: string;
  /** The task's program (argv[0]). */
  readonly program: string;
  /** Name key of the object the flow went to or came from. */
  readonly object: string;
  /** The object's type. */
  readonly objectType: ObjectType;
  /** What happened. */
  readonly operation: FlowOperation;
  /** The system call. */
  readonly syscall: string;
  /** Bytes that moved (0 where none did, or the call was refused). */
  readonly bytes: number;
  /** The object's version after the call. */
  readonly version: number;
  /** False when the labels refused the flow (the call failed with EPERM). */
  readonly allowed: boolean;
  /** run: the new task's name key. */
  readonly child?: string;
  /** Kernel id of the object's home when it lives on a peer. */
  readonly home?: string;
  /**
   * The task's label at the time (a shared, immutable object: no copy). The
   * record is itself information about the task and the object: whoever
   * publishes records must publish only those both labels allow (see
   * `canFlow`). Absent in records read back from a saved log.
   */
  readonly taskLabel?: Label;
  /** The object's label (the new object's, for create). Absent in records read back from a saved log. */
  readonly objectLabel?: Label;
}

/** Default bound of the ring (records). */
export const DEFAULT_PROVENANCE_RECORDS = 65536;
/** Largest bound accepted: about 560 MiB of heap at ~140 bytes a record (bench:ifc measures it). */
export const MAX_PROVENANCE_RECORDS = 1 << 22;

/** A bounded ring of {@link ProvenanceRecord}s, oldest first. */
export class ProvenanceLog {
  /** The most records kept. */
  readonly capacity: number;
  // Columns, grown as records come (doubling), up to the bound: a kernel that records little holds little.
  #at = new Float64Array(0);
  #bytes = new Float64Array(0);
  #version = new Float64Array(0);
  #allowed = new Uint8Array(0);
  readonly #task: string[] = [];
  readonly #program: string[] = [];
  readonly #object: string[] = [];
  readonly #objectType: ObjectType[] = [];
  readonly #operation: FlowOperation[] = [];
  readonly #syscall: string[] = [];
  readonly #child: (string | undefined)[] = [];
  readonly #home: (string | undefined)[] = [];
  readonly #taskLabel: (Label | undefined)[] = [];
  readonly #objectLabel: (Label | undefined)[] = [];
  #size = 0;
  #next = 0;
  #total = 0;
  readonly #listeners = new Set<(record: ProvenanceRecord) => void>();

  /** A log keeping the last `capacity` records. */
  constructor(capacity = DEFAULT_PROVENANCE_RECORDS) {
    if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > MAX_PROVENANCE_RECORDS) {
      throw errors.EINVAL(
        'Kernel.boot',
        'options.provenance.records',
        `expected an integer in [1, ${MAX_PROVENANCE_RECORDS}], got ${describe(capacity)}`,
      );
    }
    this.capacity = capacity;
  }

  /** Adds a record, dropping the oldest when full. Its fields are copied: the object itself is not kept. */
  add(record: ProvenanceRecord): void {
    const i = this.#next;
    if (i >= this.#at.length) this.#grow();
    this.#at[i] = record.at;
    this.#bytes[i] = record.bytes;
    this.#version[i] = record.version;
    this.#allowed[i] = record.allowed ? 1 : 0;
    this.#task[i] = record.task;
    this.#program[i] = record.program;
    this.#object[i] = record.object;
    this.#objectType[i] = record.objectType;
    this.#operation[i] = record.operation;
    this.#syscall[i] = record.syscall;
    this.#child[i] = record.child;
    this.#home[i] = record.home;
    this.#taskLabel[i] = record.taskLabel;
    this.#objectLabel[i] = record.objectLabel;
    if (this.#size < this.capacity) this.#size++;
    this.#next = (i + 1) % this.capacity;
    this.#total++;
    for (const listener of this.#listeners) listener(this.#record(i));
  }

  /** Records ever added (more than {@link ProvenanceLog.size} once the ring wrapped). */
  get total(): number {
    return this.#total;
  }
  /** Records held now. */
  get size(): number {
    return this.#size;
  }
  /** Records dropped because the ring was full. */
  get dropped(): number {
    return this.#total - this.#size;
  }

  /** The records held, oldest first (each call makes new objects). */
  records(): ProvenanceRecord[] {
    const out: ProvenanceRecord[] = new Array<ProvenanceRecord>(this.#size);
    // Until the ring is full, the oldest is at 0; after, at the next slot to be written.
    const start = this.#size < this.capacity ? 0 : this.#next;
    for (let k = 0; k < this.#size; k++) out[k] = this.#record((start + k) % this.capacity);
    return out;
  }

  // The record in slot i, with the same fields (and order) as the one added.
  #record(i: number): ProvenanceRecord {
    const record: Mutable<ProvenanceRecord> = {
      at: this.#at[i]!,
      task: this.#task[i]!,
      program: this.#program[i]!,
      object: this.#object[i]!,
      objectType: this.#objectType[i]!,
      operation: this.#operation[i]!,
      syscall: this.#syscall[i]!,
      bytes: this.#bytes[i]!,
      version: this.#version[i]!,
      allowed: this.#allowed[i] === 1,
    };
    const taskLabel = this.#taskLabel[i];
    if (taskLabel !== undefined) record.taskLabel = taskLabel;
    const objectLabel = this.#objectLabel[i];
    if (objectLabel !== undefined) record.objectLabel = objectLabel;
    const child = this.#child[i];
    if (child !== undefined) record.child = child;
    const home = this.#home[i];
    if (home !== undefined) record.home = home;
    return record;
  }

  // Doubles the typed columns (the plain ones grow by themselves), up to the capacity.
  #grow(): void {
    const length = Math.min(this.capacity, Math.max(1024, this.#at.length * 2));
    const wider = <T extends Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(length);
      next.set(old);
      return next;
    };
    this.#at = wider(this.#at, (n) => new Float64Array(n));
    this.#bytes = wider(this.#bytes, (n) => new Float64Array(n));
    this.#version = wider(this.#version, (n) => new Float64Array(n));
    this.#allowed = wider(this.#allowed, (n) => new Uint8Array(n));
  }

  /** Calls `listener` with every record added from now on; returns the function that stops it. */
  subscribe(listener: (record: ProvenanceRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
