/**
 * The console: writes go to a sink the host provides (stdout on Node), reads
 * come from input the host pushes. The core knows no terminal.
 * @module
 */
import { ObjectType } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import type { GroupObject } from './group.js';
import type { Lease } from './reference.js';
import { ChunkQueue } from './chunk-queue.js';
import type { IoRequest } from './kernel-object.js';
import { SequentialObject, type SequentialTerms } from './sequential-object.js';

/** Receives bytes written to the console; the bytes are only valid during the call. */
export type ConsoleSink = (bytes: Uint8Array) => void;

const CONSOLE_TERMS: SequentialTerms = {
  noOffsets: 'the console has no offsets',
  minRead: 1,
  shortRead: 'a console read asks for at least one byte',
};

/** The machine's console device. */
export class ConsoleObject extends SequentialObject {
  /** Always a console. */
  readonly type = ObjectType.CONSOLE;
  #sink: ConsoleSink;
  readonly #input = new ChunkQueue();
  #inputEnded = false;

  /** Creates the console with an output sink; a container's console is named in the container's group. */
  constructor(name: Name, sink: ConsoleSink, group?: GroupObject) {
    super(name, 'immortal', group, CONSOLE_TERMS);
    this.#sink = sink;
  }

  override get size(): number {
    return this.#input.size;
  }

  /** Replaces the output sink. */
  setSink(sink: ConsoleSink): void {
    this.#sink = sink;
  }
  /** Queues input for readers (copied). */
  pushInput(bytes: Uint8Array): void {
    if (bytes.length > 0) this.#input.push(bytes.slice());
    this.changed.notify();
  }
  /** Marks the end of console input: readers then get an empty buffer. */
  endInput(): void {
    this.#inputEnded = true;
    this.changed.notify();
  }

  protected override hasInput(): boolean {
    return this.#input.size > 0 || this.#inputEnded;
  }
  protected override takesWrite(): boolean {
    return true;
  }

  // The first chunk of input, or as much of it as was asked for.
  protected override lend(req: IoRequest): Uint8Array {
    return this.#input.front(req.length);
  }
  protected override consume(length: number): void {
    this.#input.drop(length);
  }

  override beginWrite(req: IoRequest): Lease {
    return this.writeLease(req, new Uint8Array(req.length));
  }

  override endWrite(lease: Lease, length: number, discard: boolean): void {
    if (!discard && length > 0) {
      this.#sink(lease.buffer.subarray(0, length));
      this.version++;
    }
  }
}
