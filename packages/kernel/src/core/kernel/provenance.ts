/**
 * The provenance log: every flow a system call checked, allowed or refused,
 * as one record in a bounded ring per kernel (docs/ifc.md). The bound is a
 * number of records; the oldest go first. A record holds strings the kernel
 * already holds (name keys, argv[0]), so its own cost is one small object.
 * @module
 */
import { errors } from '../abi/errors.js';
import { describe } from '../abi/names.js';
import type { ObjectType } from '../abi/flags.js';
import type { Label } from '../objects/label.js';

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
  readonly #ring: (ProvenanceRecord | undefined)[];
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
    // Grown as records come, up to the bound: a kernel that records little holds little.
    this.#ring = [];
  }

  /** Adds a record, dropping the oldest when full. */
  add(record: ProvenanceRecord): void {
    if (this.#ring.length < this.capacity) this.#ring.push(record);
    else this.#ring[this.#next] = record;
    this.#next = (this.#next + 1) % this.capacity;
    this.#total++;
    for (const listener of this.#listeners) listener(record);
  }

  /** Records ever added (more than {@link ProvenanceLog.size} once the ring wrapped). */
  get total(): number {
    return this.#total;
  }
  /** Records held now. */
  get size(): number {
    return this.#ring.length;
  }
  /** Records dropped because the ring was full. */
  get dropped(): number {
    return this.#total - this.#ring.length;
  }

  /** The records held, oldest first. */
  records(): ProvenanceRecord[] {
    const ring = this.#ring as ProvenanceRecord[];
    if (ring.length < this.capacity) return ring.slice();
    return [...ring.slice(this.#next), ...ring.slice(0, this.#next)];
  }

  /** Calls `listener` with every record added from now on; returns the function that stops it. */
  subscribe(listener: (record: ProvenanceRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
