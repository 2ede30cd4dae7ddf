/**
 * What a remote object needs from the peer layer: its I/O at the object's
 * home, in terms of what each step means (read, end a read, write, commit,
 * wait until ready, give the handle back). The peer layer implements it
 * (peer/peer-remote-port.ts) with requests over the transport, cut into
 * chunks where the data is large.
 * @module
 */
import type { ObjectType } from '../abi/flags.js';
import type { ObjectDescriptor } from '../wire/transport.js';
import type { LabelView } from '../abi/labels.js';

/** The call on whose behalf a port works: its failures name this call and argument. */
export interface RemoteCaller {
  /** The system call. */
  readonly syscall: string;
  /** Its argument that names the object. */
  readonly argument: string;
  /** The calling task's label, for the home's flow check (undefined: unlabelled). */
  readonly label?: LabelView;
}

/** The proxy a port works for: where its object lives, and how the proxy hears back. */
export interface RemoteEnd {
  /** Id of the object's home kernel. */
  readonly home: string;
  /** Handle in the home kernel's table for this kernel. */
  readonly handle: number;
  /** The object's type at home. */
  readonly type: ObjectType;
  /** The object's size, as last described. */
  readonly size: number;
  /** Throws EHOSTDOWN naming `argument` of `syscall` once the home kernel is found gone. */
  checkHostUp(syscall: string, argument: string): void;
  /**
   * Calls `fail` (once) if the home is found gone while a request waits.
   * Returns the function that stops that: it answers false when `fail` was
   * already called (the request has failed and its reply does not count).
   */
  whileUp(fail: () => void): () => boolean;
  /** Takes in a fresher descriptor from the home kernel. */
  update(desc: ObjectDescriptor | undefined): void;
}

/** The bytes a read at home lent, and the leases they are held under there. */
export interface RemoteRead {
  /** A copy of the lent bytes. */
  readonly bytes: Uint8Array;
  /** Lease ids at home, one per request the read took; end_read ends them all. */
  readonly leases: number[];
}

/** Where a write at home goes. */
export interface RemoteWrite {
  /** Byte offset (blobs). */
  readonly offset: number;
  /** Bytes to lend. */
  readonly length: number;
  /** Blobs: the commit sets the size to offset + committed length. */
  readonly truncate: boolean;
  /** Blobs: append at the end as it is at commit. */
  readonly append: boolean;
  /** Fail with EAGAIN instead of waiting. */
  readonly nonblock: boolean;
}

/** A remote object's I/O at its home kernel. Failures name the caller's call and argument; EHOSTDOWN when the home is gone. */
export interface RemotePort {
  /** begin_read of `length` bytes at `offset` at home: a blob read larger than a request can carry takes several. */
  read(end: RemoteEnd, caller: RemoteCaller, offset: number, length: number, nonblock: boolean): Promise<RemoteRead>;
  /** end_read of every lease of a read; true when the read is still valid. `release` gives the buffers back without effect. */
  endRead(end: RemoteEnd, caller: RemoteCaller, leases: readonly number[], release: boolean): Promise<boolean>;
  /** begin_write at home; returns the lease id. */
  beginWrite(end: RemoteEnd, caller: RemoteCaller, write: RemoteWrite): Promise<number>;
  /** end_write of lease `lease` with the first `length` bytes of `buffer`, or its discard; the bytes may travel in several requests. */
  commit(
    end: RemoteEnd,
    caller: RemoteCaller,
    lease: number,
    buffer: Uint8Array,
    length: number,
    flags: { discard: boolean; endOfStream: boolean },
  ): Promise<void>;
  /** Resolves once the object is ready for `mode` at home; fails with ETIMEDOUT after `timeoutMs`. */
  waitReady(end: RemoteEnd, caller: RemoteCaller, mode: 'read' | 'write', timeoutMs: number): Promise<void>;
  /** Gives the handle back to the home (best effort): closes it, or deletes through it when `destroy`. */
  release(end: RemoteEnd, destroy: boolean): void;
}
