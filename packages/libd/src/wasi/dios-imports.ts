/**
 * The `dios` import module: the eleven system calls for C (hybrid
 * processes), declared in include/dios.h. The C ABI: handles are int32,
 * names are 32-byte structs, every call returns 0 or a WASI errno and passes
 * results out through pointers. WebAssembly memory cannot be lent to the
 * kernel, so the buffer calls copy: dios_begin_read copies the lent bytes into
 * the caller's buffer and returns a token that dios_end_read takes;
 * dios_begin_write returns a token, and dios_end_write copies the caller's
 * bytes into the lent buffer and commits it.
 * @module
 */
import { DeleteFlags, Name, ObjectType, pathNameSync, SelectFlags, type Lifecycle } from '@dios/kernel';
import type { WasiContext } from './context.js';
import { errnoOf, fail, WasiErrno } from './errno.js';
import { guarded, unwinds, type ImportFunction } from './preview1.js';

/** Object types by their C number (DIOS_TYPE_* in dios.h). */
const OBJECT_TYPES: readonly ObjectType[] = [
  ObjectType.PRIVATE_MEMORY_BLOB,
  ObjectType.SHARED_MEMORY_BLOB,
  ObjectType.DURABLE_BLOB,
  ObjectType.SHARED_MEMORY_STREAM,
  ObjectType.TASK,
  ObjectType.GROUP,
  ObjectType.CONSOLE,
  ObjectType.TCP_LISTENER,
  ObjectType.TCP_CONNECTION,
  ObjectType.KERNEL_STATUS,
  ObjectType.TAG,
];
/** Lifecycles by their C number (0: the type's default). */
const LIFECYCLES: readonly (Lifecycle | undefined)[] = [undefined, 'immortal', 'single-delete', 'refcounted'];
const NAME_BYTES = 32;

/** The `dios` module's functions for one task. */
export function diosImports(ctx: WasiContext): Record<string, ImportFunction> {
  const { sys, calls, memory: mem } = ctx;
  const leases = new Map<number, { ref: number; buffer: Uint8Array }>();
  let nextToken = 1;
  const lease = (ref: number, buffer: Uint8Array): number => {
    const token = nextToken++;
    leases.set(token, { ref, buffer });
    return token;
  };
  const takeLease = (ref: number, token: number): Uint8Array => {
    const held = leases.get(token);
    if (held === undefined || held.ref !== ref) return fail(WasiErrno.INVAL, `token ${token} is not a lease of ${ref}`);
    leases.delete(token);
    return held.buffer;
  };
  const handles = (ptr: number, count: number): number[] => {
    mem.check(ptr, count * 4);
    return Array.from({ length: count }, (_, i) => mem.getI32(ptr + i * 4));
  };
  const putHandles = (list: readonly number[], ptr: number, max: number, countPtr: number): void => {
    mem.check(ptr, max * 4);
    mem.check(countPtr, 4);
    const n = Math.min(max, list.length);
    for (let i = 0; i < n; i++) mem.setI32(ptr + i * 4, list[i]!);
    mem.setU32(countPtr, n);
  };
  const nameAt = (ptr: number): Name => Name.fromBytes(mem.copy(ptr, NAME_BYTES));
  const strings = (ptr: number, count: number): string[] => {
    mem.check(ptr, count * 4);
    return Array.from({ length: count }, (_, i) => {
      const at = mem.getU32(ptr + i * 4);
      let end = at;
      while (mem.getU8(end) !== 0) end++;
      return mem.string(at, end - at);
    });
  };

  const functions = {
    dios_create(
      type: number,
      seedPtr: number,
      seedLength: number,
      lifecycle: number,
      flags: number,
      namePtr: number,
      refPtr: number,
    ): number {
      mem.check(refPtr, 4);
      if (namePtr !== 0) mem.check(namePtr, NAME_BYTES);
      const objectType = OBJECT_TYPES[type];
      if (objectType === undefined || lifecycle >= LIFECYCLES.length) return WasiErrno.INVAL;
      const nameSeed = seedLength > 0 ? mem.string(seedPtr, seedLength) : undefined;
      const options = {
        ...(nameSeed !== undefined && { nameSeed }),
        ...(LIFECYCLES[lifecycle] && { lifecycle: LIFECYCLES[lifecycle] }),
      };
      const { name, ref } = calls.create(objectType, options, flags);
      if (namePtr !== 0) mem.write(namePtr, name.bytes);
      mem.setI32(refPtr, ref);
      return WasiErrno.SUCCESS;
    },
    dios_lookup(namePtr: number, flags: number, outPtr: number, max: number, countPtr: number): number {
      const found = calls.lookup(nameAt(namePtr), flags);
      putHandles(found, outPtr, max, countPtr);
      // References that did not fit are not kept.
      for (const extra of found.slice(max)) calls.delete(extra, DeleteFlags.DROP);
      return WasiErrno.SUCCESS;
    },
    dios_copy(refsPtr: number, count: number, target: number, rights: number, flags: number, outPtr: number): number {
      const refs = handles(refsPtr, count);
      mem.check(outPtr, count * 4);
      const copied = calls.copy(refs, target, rights === -1 ? {} : { rights: rights >>> 0 }, flags);
      copied.forEach((h, i) => mem.setI32(outPtr + i * 4, h));
      return WasiErrno.SUCCESS;
    },
    dios_delete(ref: number, flags: number): number {
      calls.delete(ref, flags);
      return WasiErrno.SUCCESS;
    },
    dios_run(
      binary: number,
      argvPtr: number,
      argc: number,
      inputsPtr: number,
      inputCount: number,
      outputsPtr: number,
      outputCount: number,
      flags: number,
      taskPtr: number,
    ): number {
      mem.check(taskPtr, 4);
      const spec = {
        argv: strings(argvPtr, argc),
        inputs: handles(inputsPtr, inputCount),
        outputs: handles(outputsPtr, outputCount),
      };
      mem.setI32(taskPtr, calls.run(binary, spec, flags));
      return WasiErrno.SUCCESS;
    },
    dios_pause(task: number, flags: number): number {
      calls.pause(task, flags);
      return WasiErrno.SUCCESS;
    },
    dios_select(refsPtr: number, count: number, timeoutMs: bigint, flags: number, readyPtr: number): number {
      const refs = handles(refsPtr, count);
      mem.check(readyPtr, 4);
      const options = timeoutMs < 0n ? {} : { timeoutMs: Number(timeoutMs) };
      // The C ABI has room for one handle: every ready one (SelectFlags.ALL) is for DIOS programs in JavaScript.
      if (flags & SelectFlags.ALL)
        fail(WasiErrno.INVAL, 'select: flags: SelectFlags.ALL is not available to WebAssembly programs');
      mem.setI32(readyPtr, calls.select(refs, options, flags) as number);
      return WasiErrno.SUCCESS;
    },
    dios_begin_read(
      ref: number,
      offset: bigint,
      length: number,
      flags: number,
      bufPtr: number,
      nreadPtr: number,
      tokenPtr: number,
    ): number {
      const dest = mem.bytes(bufPtr, length >>> 0);
      mem.check(nreadPtr, 4);
      mem.check(tokenPtr, 4);
      const lent = calls.beginRead(ref, { offset: Number(offset), length: length >>> 0 }, flags);
      dest.set(lent.subarray(0, dest.length));
      mem.setU32(nreadPtr, Math.min(lent.length, dest.length));
      mem.setU32(tokenPtr, lease(ref, lent));
      return WasiErrno.SUCCESS;
    },
    dios_end_read(ref: number, token: number, flags: number, validPtr: number): number {
      if (validPtr !== 0) mem.check(validPtr, 4);
      const valid = calls.endRead(ref, takeLease(ref, token), flags);
      if (validPtr !== 0) mem.setI32(validPtr, valid ? 1 : 0);
      return WasiErrno.SUCCESS;
    },
    dios_begin_write(
      ref: number,
      length: number,
      offset: bigint,
      truncate: number,
      flags: number,
      tokenPtr: number,
    ): number {
      mem.check(tokenPtr, 4);
      const options = { ...(offset >= 0n && { offset: Number(offset) }), ...(truncate !== 0 && { truncate: true }) };
      mem.setU32(tokenPtr, lease(ref, calls.beginWrite(ref, length >>> 0, options, flags)));
      return WasiErrno.SUCCESS;
    },
    dios_end_write(
      ref: number,
      token: number,
      bytesPtr: number,
      length: number,
      flags: number,
      versionPtr: number,
    ): number {
      const bytes = mem.bytes(bytesPtr, length >>> 0);
      if (versionPtr !== 0) mem.check(versionPtr, 8);
      const held = leases.get(token);
      if (held !== undefined && bytes.length > held.buffer.length) return WasiErrno.INVAL;
      const buffer = takeLease(ref, token);
      buffer.set(bytes);
      const version = calls.endWrite(ref, buffer, { length: bytes.length }, flags);
      if (versionPtr !== 0) mem.setU64(versionPtr, version);
      return WasiErrno.SUCCESS;
    },
    dios_inputs(outPtr: number, max: number, countPtr: number): number {
      putHandles(sys.inputs, outPtr, max, countPtr);
      return WasiErrno.SUCCESS;
    },
    dios_outputs(outPtr: number, max: number, countPtr: number): number {
      putHandles(sys.outputs, outPtr, max, countPtr);
      return WasiErrno.SUCCESS;
    },
    dios_self(outPtr: number): number {
      mem.setI32(outPtr, sys.self);
      return WasiErrno.SUCCESS;
    },
    dios_ref_size(ref: number, sizePtr: number): number {
      mem.check(sizePtr, 8);
      mem.setU64(sizePtr, sys.ref(ref).size);
      return WasiErrno.SUCCESS;
    },
    dios_path_name(pathPtr: number, pathLength: number, namePtr: number): number {
      mem.check(namePtr, NAME_BYTES);
      const group = sys.groupNames[0];
      if (group === undefined) return WasiErrno.NOENT;
      mem.write(namePtr, pathNameSync(group, mem.string(pathPtr, pathLength)).bytes);
      return WasiErrno.SUCCESS;
    },
  };
  const out: Record<string, ImportFunction> = {};
  for (const [name, call] of Object.entries(functions)) {
    const g = guarded(call);
    // A DIOS call may wait, or read what the program wrote to a stream: stream output goes out first.
    out[name] = (...args: never[]): number => {
      try {
        ctx.output.flush();
      } catch (e) {
        if (unwinds(e)) throw e;
        return errnoOf(e);
      }
      return g(...args);
    };
  }
  return out;
}
