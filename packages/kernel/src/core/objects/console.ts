/**
 * The console: writes go to a sink the host provides (stdout on Node), reads
 * come from input the host pushes. The core knows no terminal.
 * @module
 */
import { errors } from '../abi/errors.js';
import { ObjectType } from '../abi/flags.js';
import type { Name } from '../abi/names.js';
import type { Lease } from './reference.js';
import { KernelObject, type IoRequest } from './kernel-object.js';

/** Receives bytes written to the console; the bytes are only valid during the call. */
export type ConsoleSink = (bytes: Uint8Array) => void;

/** The machine's console device. */
export class ConsoleObject extends KernelObject {
  /** Always a console. */
  readonly type = ObjectType.CONSOLE;
  #sink: ConsoleSink;
  readonly #input: Uint8Array[] = [];
  #inputEnded = false;
  #reading = false;

  /** Creates the console with an output sink. */
  constructor(name: Name, sink: ConsoleSink) {
    super(name, 'immortal', undefined);
    this.#sink = sink;
  }

  override get size(): number {
    let n = 0;
    for (const chunk of this.#input) n += chunk.length;
    return n;
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

  override isReady(mode: 'read' | 'write'): boolean {
    return mode === 'write' || (!this.#reading && (this.#input.length > 0 || this.#inputEnded));
  }

  override async beginRead(req: IoRequest): Promise<Lease> {
    if (req.offset !== 0) throw errors.ESPIPE(req.syscall, 'options.offset', 'the console has no offsets');
    // An empty lease means the end of input, so a read must ask for at least one byte.
    if (req.length === 0) throw errors.EINVAL(req.syscall, 'options.length', 'a console read asks for at least one byte');
    if (!this.isReady('read')) await this.waitUntil(req, () => this.isReady('read'));
    this.#reading = true;
    const chunk = this.#input[0] ?? new Uint8Array(0);
    return {
      ref: req.ref,
      kind: 'read',
      buffer: chunk.subarray(0, Math.min(req.length, chunk.length)),
      offset: 0,
      version: this.version,
      exclusive: false,
      truncate: false,
    };
  }

  override endRead(lease: Lease, release: boolean): boolean {
    this.#reading = false;
    if (!release && lease.buffer.length > 0) {
      const chunk = this.#input[0]!;
      if (lease.buffer.length === chunk.length) this.#input.shift();
      else this.#input[0] = chunk.subarray(lease.buffer.length);
    }
    this.changed.notify();
    return true;
  }

  override beginWrite(req: IoRequest): Lease {
    return { ref: req.ref, kind: 'write', buffer: new Uint8Array(req.length), offset: 0, version: this.version, exclusive: false, truncate: false };
  }

  override endWrite(lease: Lease, length: number, discard: boolean): void {
    if (!discard && length > 0) {
      this.#sink(lease.buffer.subarray(0, length));
      this.version++;
    }
  }
}
