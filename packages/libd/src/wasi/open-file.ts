/**
 * One regular file open in a WASI task: a blob reference plus a write-behind
 * buffer of dirty ranges, shared by every descriptor of that file in the
 * task. Writes land in the buffer (no channel round trip per small write);
 * reads see the blob's committed bytes with the buffer laid over them. The
 * buffer is committed to the blob, range by range in offset order, at
 * fd_sync/fd_datasync, at the last close, at exit, on truncation and when it
 * passes {@link WRITE_BEHIND_LIMIT}: so every write made before an fsync is
 * committed (durably, for a durable blob) before fd_sync returns, which is
 * what SQLite's journal relies on. Other tasks see the writes only once they
 * are committed.
 * @module
 */
import { EndWriteFlags, isDiosError, type BlockingSystemCalls, type SystemCalls } from '@dios/kernel';

/** Dirty bytes a file may hold before they are committed without being asked (1 MiB). */
export const WRITE_BEHIND_LIMIT = 1 << 20;

/**
 * Dirty ranges at most this far apart (256 KiB) are committed as one span,
 * the committed bytes between them written back as read. So a write another
 * task commits into such a gap between that read and this commit is undone:
 * tasks writing one file at the same time must coordinate (SQLite has one
 * writer; POSIX would keep both writes).
 */
export const SPAN_GAP_LIMIT = 256 << 10;

// A dirty range: bytes [offset, offset + length) are data[0, length); data may have spare capacity.
interface Extent {
  offset: number;
  length: number;
  data: Uint8Array;
}

/** Bytes a blob read lends at most in one begin_read here (big reads are split). */
const READ_PIECE = 16 << 20;

/** A file's blob reference and its write-behind buffer. */
export class OpenFile {
  /** Descriptors of the task sharing this file. */
  users = 0;
  #extents: Extent[] = [];
  #dirty = 0;

  /** `handle` is a reference to the blob at `path` that this file owns (dropped by {@link OpenFile.close}). */
  constructor(
    private readonly sys: SystemCalls,
    private readonly calls: BlockingSystemCalls,
    /** The reference to the blob. */
    readonly handle: number,
    /** The normalized path the file was opened at. */
    public path: string,
  ) {}

  #committedSize(): number {
    return this.sys.ref(this.handle).size;
  }

  /** The file's size as the program sees it: the committed size or the end of the last dirty range, whichever is larger. */
  size(): number {
    const last = this.#extents[this.#extents.length - 1];
    const committed = this.#committedSize();
    return last === undefined ? committed : Math.max(committed, last.offset + last.length);
  }

  /**
   * Reads up to dest.length bytes at `offset` into dest; returns how many (0
   * at or past the end). The blob's size is learnt from the read itself (a
   * short read ends at the committed end), which saves a round trip for it.
   */
  read(offset: number, dest: Uint8Array): number {
    if (dest.length === 0) return 0;
    const last = this.#extents[this.#extents.length - 1];
    const dirtyEnd = last === undefined ? 0 : last.offset + last.length;
    // Bytes the write-behind buffer covers entirely need nothing from the blob.
    const covered = this.#covering(offset, dest.length);
    let got = covered ? dest.length : 0;
    if (!covered) {
      while (got < dest.length) {
        const n = this.#readCommitted(offset + got, dest.subarray(got, Math.min(dest.length, got + READ_PIECE)));
        if (n === 0) break;
        got += n;
      }
    }
    // Past the committed end: what the buffer holds, and zeros in the holes up to its end.
    const n = Math.max(got, Math.min(dest.length, dirtyEnd - offset));
    if (n <= 0) return 0;
    dest.fill(0, got, n);
    for (const e of this.#extents) {
      const from = Math.max(offset, e.offset);
      const to = Math.min(offset + n, e.offset + e.length);
      if (from < to) dest.set(e.data.subarray(from - e.offset, to - e.offset), from - offset);
    }
    return n;
  }

  // Whether one dirty range holds all of [offset, offset + length).
  #covering(offset: number, length: number): boolean {
    for (const e of this.#extents) {
      if (e.offset > offset) return false;
      if (e.offset + e.length >= offset + length) return true;
    }
    return false;
  }

  // One consistent read of committed bytes (made again if a commit overlapped it).
  #readCommitted(offset: number, dest: Uint8Array): number {
    for (;;) {
      let lent: Uint8Array;
      try {
        lent = this.calls.beginRead(this.handle, { offset, length: dest.length });
      } catch (e) {
        if (isDiosError(e, 'EINVAL') && e.argument === 'options.offset') return 0;
        throw e;
      }
      dest.set(lent);
      if (this.calls.endRead(this.handle, lent)) return lent.length;
    }
  }

  /** Writes src at `offset` into the write-behind buffer (committing it when it has grown past the limit). */
  write(offset: number, src: Uint8Array): void {
    if (src.length === 0) return;
    const end = offset + src.length;
    const list = this.#extents;
    // The ranges the write touches or adjoins: [i, j).
    let i = 0;
    while (i < list.length && list[i]!.offset + list[i]!.length < offset) i++;
    let j = i;
    while (j < list.length && list[j]!.offset <= end) j++;
    if (i === j) {
      list.splice(i, 0, { offset, length: src.length, data: src.slice() });
      this.#dirty += src.length;
    } else {
      const first = list[i]!;
      const last = list[j - 1]!;
      const start = Math.min(first.offset, offset);
      const stop = Math.max(last.offset + last.length, end);
      let before = 0;
      for (let k = i; k < j; k++) before += list[k]!.length;
      if (j === i + 1 && first.offset === start && first.data.length >= stop - start) {
        // Inside (or appending within the capacity of) one range: in place.
        first.data.set(src, offset - start);
        first.length = stop - start;
      } else {
        // Sequential appends double the capacity, so a growing range is copied O(log n) times.
        const data = new Uint8Array(j === i + 1 && end > last.offset + last.length ? 2 * (stop - start) : stop - start);
        for (let k = i; k < j; k++) data.set(list[k]!.data.subarray(0, list[k]!.length), list[k]!.offset - start);
        data.set(src, offset - start);
        list.splice(i, j - i, { offset: start, length: stop - start, data });
      }
      this.#dirty += stop - start - before;
    }
    if (this.#dirty > WRITE_BEHIND_LIMIT) this.flush();
  }

  /** Whether writes are waiting in the buffer. */
  get dirty(): boolean {
    return this.#extents.length > 0;
  }

  /**
   * Commits the buffered ranges to the blob in offset order. Ranges less than
   * {@link SPAN_GAP_LIMIT} apart are committed together, as one write of the
   * span from the first to the last with the blob's committed bytes in the
   * gaps (read just before): one commit, so one durable write in the store,
   * instead of one per page SQLite changed. A gap past the blob's end is
   * committed as zeros.
   */
  flush(): void {
    if (this.#extents.length === 0) return;
    let size = this.#committedSize();
    const list = this.#extents;
    while (list.length > 0) {
      let j = 1;
      while (j < list.length && list[j]!.offset - (list[j - 1]!.offset + list[j - 1]!.length) <= SPAN_GAP_LIMIT) j++;
      const first = list[0]!;
      const last = list[j - 1]!;
      const end = last.offset + last.length;
      // Past the committed end the span starts there (blobs have no holes): those bytes are zeros unless dirty.
      const from = Math.min(first.offset, size);
      let data: Uint8Array;
      if (j === 1 && from === first.offset) {
        data = first.data.subarray(0, first.length);
      } else {
        data = new Uint8Array(end - from);
        const committedEnd = Math.min(end, size);
        for (let at = first.offset; at < committedEnd;) {
          const n = this.#readCommitted(at, data.subarray(at - from, committedEnd - from));
          if (n === 0) break;
          at += n;
        }
        for (let k = 0; k < j; k++) data.set(list[k]!.data.subarray(0, list[k]!.length), list[k]!.offset - from);
      }
      const buffer = this.calls.beginWrite(this.handle, data.length, { offset: from });
      buffer.set(data);
      try {
        this.calls.endWrite(this.handle, buffer);
      } catch (e) {
        try {
          this.calls.endWrite(this.handle, buffer, undefined, EndWriteFlags.DISCARD);
        } catch {
          // The commit's error is the one thrown.
        }
        throw e;
      }
      size = Math.max(size, end);
      for (const e of list.splice(0, j)) this.#dirty -= e.length;
    }
    this.#dirty = 0;
  }

  /** Forgets the buffered writes (the file was unlinked). */
  discard(): void {
    this.#extents = [];
    this.#dirty = 0;
  }

  /** Sets the size: commits the buffer, then cuts the blob or extends it with zeros. */
  truncate(size: number): void {
    this.flush();
    const current = this.#committedSize();
    if (size < current) {
      this.calls.endWrite(this.handle, this.calls.beginWrite(this.handle, 0, { offset: size, truncate: true }));
    } else if (size > current) {
      const zeros = this.calls.beginWrite(this.handle, size - current, { offset: current });
      zeros.fill(0);
      this.calls.endWrite(this.handle, zeros);
    }
  }
}
