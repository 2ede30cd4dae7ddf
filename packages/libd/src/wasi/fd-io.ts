/**
 * The byte-moving descriptor calls: fd_read, fd_write, fd_pread, fd_pwrite,
 * fd_seek, fd_tell. Files go through their write-behind buffer; streams and
 * the console are read and written sequentially, one lent kernel buffer per
 * call (copied: WebAssembly memory cannot be the kernel's buffer); output
 * to streams is gathered first (stream-output.ts).
 * @module
 */
import { BeginReadFlags } from '@dios/kernel';
import type { WasiContext } from './context.js';
import { fail, WasiErrno } from './errno.js';
import { FdFlags, Rights, type FdEntry, type FileFd, type StreamFd } from './fd-table.js';

/** Largest offset a file may reach (what a double holds exactly). */
const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

function need(entry: FdEntry, right: bigint, fd: number): void {
  if ((entry.rightsBase & right) === 0n) fail(WasiErrno.BADF, `fd ${fd} was not opened for that`);
}

function total(buffers: readonly Uint8Array[]): number {
  let n = 0;
  for (const b of buffers) n += b.length;
  return n;
}

// Copies `data` over the buffers in order.
function scatter(data: Uint8Array, buffers: readonly Uint8Array[]): void {
  let at = 0;
  for (const b of buffers) {
    if (at >= data.length) break;
    const n = Math.min(b.length, data.length - at);
    b.set(data.subarray(at, at + n));
    at += n;
  }
}

function gather(buffers: readonly Uint8Array[]): Uint8Array {
  if (buffers.length === 1) return buffers[0]!;
  const out = new Uint8Array(total(buffers));
  let at = 0;
  for (const b of buffers) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function fileRead(entry: FileFd, offset: number, buffers: readonly Uint8Array[]): number {
  if (buffers.length === 1) return entry.file.read(offset, buffers[0]!);
  const data = new Uint8Array(total(buffers));
  const n = entry.file.read(offset, data);
  scatter(data.subarray(0, n), buffers);
  return n;
}

function fileWrite(entry: FileFd, offset: number, buffers: readonly Uint8Array[]): number {
  const data = gather(buffers);
  if (offset + data.length > MAX_OFFSET) fail(WasiErrno.INVAL, 'the write would pass the largest offset');
  entry.file.write(offset, data);
  // O_SYNC and O_DSYNC: committed before the write returns.
  if (entry.flags & (FdFlags.SYNC | FdFlags.DSYNC)) entry.file.flush();
  return data.length;
}

function streamRead(ctx: WasiContext, entry: StreamFd, buffers: readonly Uint8Array[]): number {
  const length = total(buffers);
  if (length === 0) return 0;
  const flags = entry.flags & FdFlags.NONBLOCK ? BeginReadFlags.NONBLOCK : 0;
  // The read may wait: what the program wrote before it (a prompt) goes out first.
  ctx.output.flush();
  const lent = ctx.calls.beginRead(entry.handle, { length }, flags);
  try {
    scatter(lent, buffers);
    return lent.length;
  } finally {
    ctx.calls.endRead(entry.handle, lent);
  }
}

/** The fd_* calls that read, write and move the position. */
export function fdIoCalls(ctx: WasiContext) {
  const mem = ctx.memory;
  return {
    fd_read(fd: number, iovs: number, count: number, nreadPtr: number): number {
      const buffers = mem.iovecs(iovs, count);
      mem.check(nreadPtr, 4);
      const entry = ctx.fds.get(fd);
      need(entry, Rights.FD_READ, fd);
      let n: number;
      if (entry.kind === 'file') {
        n = fileRead(entry, entry.position, buffers);
        entry.position += n;
      } else if (entry.kind === 'stream') n = streamRead(ctx, entry, buffers);
      else return WasiErrno.ISDIR;
      mem.setU32(nreadPtr, n);
      return WasiErrno.SUCCESS;
    },
    fd_write(fd: number, iovs: number, count: number, nwrittenPtr: number): number {
      const buffers = mem.iovecs(iovs, count);
      mem.check(nwrittenPtr, 4);
      const entry = ctx.fds.get(fd);
      need(entry, Rights.FD_WRITE, fd);
      let n: number;
      if (entry.kind === 'file') {
        if (entry.flags & FdFlags.APPEND) entry.position = entry.file.size();
        n = fileWrite(entry, entry.position, buffers);
        entry.position += n;
      } else if (entry.kind === 'stream') n = ctx.output.write(entry, gather(buffers));
      else return WasiErrno.ISDIR;
      mem.setU32(nwrittenPtr, n);
      return WasiErrno.SUCCESS;
    },
    fd_pread(fd: number, iovs: number, count: number, offset: bigint, nreadPtr: number): number {
      const buffers = mem.iovecs(iovs, count);
      mem.check(nreadPtr, 4);
      const entry = ctx.file(fd);
      need(entry, Rights.FD_READ, fd);
      mem.setU32(nreadPtr, fileRead(entry, checkedOffset(offset), buffers));
      return WasiErrno.SUCCESS;
    },
    fd_pwrite(fd: number, iovs: number, count: number, offset: bigint, nwrittenPtr: number): number {
      const buffers = mem.iovecs(iovs, count);
      mem.check(nwrittenPtr, 4);
      const entry = ctx.file(fd);
      need(entry, Rights.FD_WRITE, fd);
      mem.setU32(nwrittenPtr, fileWrite(entry, checkedOffset(offset), buffers));
      return WasiErrno.SUCCESS;
    },
    fd_seek(fd: number, offset: bigint, whence: number, newOffsetPtr: number): number {
      mem.check(newOffsetPtr, 8);
      const entry = ctx.file(fd);
      const delta = BigInt.asIntN(64, offset);
      let base: bigint;
      if (whence === 0) base = 0n;
      else if (whence === 1) base = BigInt(entry.position);
      else if (whence === 2) base = BigInt(entry.file.size());
      else return WasiErrno.INVAL;
      const target = base + delta;
      if (target < 0n || target > BigInt(MAX_OFFSET)) return WasiErrno.INVAL;
      entry.position = Number(target);
      mem.setU64(newOffsetPtr, target);
      return WasiErrno.SUCCESS;
    },
    fd_tell(fd: number, offsetPtr: number): number {
      mem.check(offsetPtr, 8);
      mem.setU64(offsetPtr, ctx.file(fd).position);
      return WasiErrno.SUCCESS;
    },
  };
}

function checkedOffset(offset: bigint): number {
  if (offset > BigInt(MAX_OFFSET)) fail(WasiErrno.INVAL, 'offset past the largest file offset');
  return Number(offset);
}
