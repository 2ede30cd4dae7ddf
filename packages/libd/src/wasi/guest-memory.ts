/**
 * The program's linear memory as the imports see it: every access is checked
 * against the memory's current size first, so a bad pointer or length is an
 * EFAULT returned to the program, never a RangeError out of an import. The
 * views are made again whenever the memory has grown (memory.grow detaches
 * the old buffer).
 * @module
 */
import { fail, WasiErrno } from './errno.js';
import type { WasmMemory } from './webassembly.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Bounds-checked access to a WebAssembly memory. */
export class GuestMemory {
  #memory: WasmMemory | undefined;
  #buffer: ArrayBuffer | undefined;
  #view = new DataView(new ArrayBuffer(0));
  #bytes = new Uint8Array(0);

  /** Attaches the program's exported memory (there is none until the module is instantiated). */
  attach(memory: WasmMemory): void {
    this.#memory = memory;
  }

  #refresh(): void {
    const memory = this.#memory;
    if (memory === undefined) fail(WasiErrno.FAULT, 'the program exports no memory');
    if (memory.buffer !== this.#buffer) {
      this.#buffer = memory.buffer;
      this.#view = new DataView(memory.buffer);
      this.#bytes = new Uint8Array(memory.buffer);
    }
  }

  /** Checks that [ptr, ptr + length) lies in memory; EFAULT otherwise. */
  check(ptr: number, length: number): void {
    this.#refresh();
    // Pointers arrive as signed i32: make them unsigned before comparing.
    const start = ptr >>> 0;
    if (length < 0 || start + length > this.#bytes.length)
      fail(WasiErrno.FAULT, `[${start}, ${start + length}) is outside the ${this.#bytes.length}-byte memory`);
  }

  /** A live view of [ptr, ptr + length) (valid until the memory grows). */
  bytes(ptr: number, length: number): Uint8Array {
    this.check(ptr, length);
    const start = ptr >>> 0;
    return this.#bytes.subarray(start, start + length);
  }

  /** The u8 at ptr. */
  getU8(ptr: number): number {
    this.check(ptr, 1);
    return this.#view.getUint8(ptr >>> 0);
  }

  /** The little-endian u16 at ptr. */
  getU16(ptr: number): number {
    this.check(ptr, 2);
    return this.#view.getUint16(ptr >>> 0, true);
  }

  /** The little-endian u32 at ptr. */
  getU32(ptr: number): number {
    this.check(ptr, 4);
    return this.#view.getUint32(ptr >>> 0, true);
  }

  /** The little-endian i32 at ptr. */
  getI32(ptr: number): number {
    this.check(ptr, 4);
    return this.#view.getInt32(ptr >>> 0, true);
  }

  /** The little-endian u64 at ptr. */
  getU64(ptr: number): bigint {
    this.check(ptr, 8);
    return this.#view.getBigUint64(ptr >>> 0, true);
  }

  /** Stores a u8 at ptr. */
  setU8(ptr: number, value: number): void {
    this.check(ptr, 1);
    this.#view.setUint8(ptr >>> 0, value);
  }

  /** Stores a little-endian u16 at ptr. */
  setU16(ptr: number, value: number): void {
    this.check(ptr, 2);
    this.#view.setUint16(ptr >>> 0, value, true);
  }

  /** Stores a little-endian u32 at ptr. */
  setU32(ptr: number, value: number): void {
    this.check(ptr, 4);
    this.#view.setUint32(ptr >>> 0, value >>> 0, true);
  }

  /** Stores a little-endian i32 at ptr. */
  setI32(ptr: number, value: number): void {
    this.check(ptr, 4);
    this.#view.setInt32(ptr >>> 0, value, true);
  }

  /** Stores a little-endian u64 at ptr. */
  setU64(ptr: number, value: bigint | number): void {
    this.check(ptr, 8);
    this.#view.setBigUint64(ptr >>> 0, BigInt.asUintN(64, BigInt(value)), true);
  }

  /** Copies `data` into memory at ptr. */
  write(ptr: number, data: Uint8Array): void {
    this.bytes(ptr, data.length).set(data);
  }

  /** A copy of [ptr, ptr + length). */
  copy(ptr: number, length: number): Uint8Array {
    return this.bytes(ptr, length).slice();
  }

  /** The UTF-8 string at [ptr, ptr + length); EILSEQ when it is not valid UTF-8. */
  string(ptr: number, length: number): string {
    const bytes = this.bytes(ptr, length);
    try {
      return decoder.decode(bytes);
    } catch {
      return fail(WasiErrno.ILSEQ, 'a string argument is not valid UTF-8');
    }
  }

  /**
   * The buffers of an iovec array (`count` pairs of u32 pointer and length
   * at ptr), each checked; their total length is the sum.
   */
  iovecs(ptr: number, count: number): Uint8Array[] {
    this.check(ptr, count * 8);
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const at = ptr + i * 8;
      out.push(this.bytes(this.getU32(at), this.getU32(at + 4)));
    }
    return out;
  }
}

/** The UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
