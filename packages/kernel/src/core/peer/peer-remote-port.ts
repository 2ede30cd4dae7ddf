/**
 * A remote object's I/O at its home, as peer requests: where the wire
 * requests are built, large reads and commits cut into chunks (a few in
 * flight at once), and a lease given back when the reply that granted it
 * was lost.
 * @module
 */
import type { LabelView } from '../abi/labels.js';
import { DiosError, errors } from '../abi/errors.js';
import { ObjectType } from '../abi/flags.js';
import type { RemoteCaller, RemoteEnd, RemotePort, RemoteRead, RemoteWrite } from '../objects/remote-port.js';
import { chunksOf, inWindow } from '../wire/remote-chunks.js';
import type { PeerReply, PeerRequest } from '../wire/transport.js';

type Ok = Extract<PeerReply, { ok: true }>;

/** Sends a request to a peer; rejects with the peer's error rebuilt as a DiosError. */
export type PeerSend = (to: string, request: PeerRequest) => Promise<Ok>;

/** How many more times a failed release is sent (each after the transport gave up on the last: its timeout paces them). */
const RELEASE_RETRIES = 8;

const END_READ: RemoteCaller = { syscall: 'endRead', argument: 'ref' };

/** The {@link RemotePort} of a kernel's peer link. */
export class PeerRemotePort implements RemotePort {
  readonly #send: PeerSend;
  readonly #nextLease: () => number;
  readonly #chunkBytes: number;
  readonly #goneEpoch: (peer: string) => number | undefined;

  /**
   * `nextLease` gives lease ids unique among this kernel's leases at any
   * home: a begin request names its lease up front, so it can be given back
   * if the reply is lost. `chunkBytes`: the most data one request or reply carries.
   * `goneEpoch`: how many times a peer was found gone so far, or undefined
   * while the transport cannot reach it.
   */
  constructor(
    send: PeerSend,
    nextLease: () => number,
    chunkBytes: number,
    goneEpoch: (peer: string) => number | undefined,
  ) {
    this.#send = send;
    this.#nextLease = nextLease;
    this.#chunkBytes = chunkBytes;
    this.#goneEpoch = goneEpoch;
  }

  async read(
    end: RemoteEnd,
    caller: RemoteCaller,
    offset: number,
    length: number,
    nonblock: boolean,
  ): Promise<RemoteRead> {
    const chunk = this.#chunkBytes;
    const blob = end.type === ObjectType.SHARED_MEMORY_BLOB || end.type === ObjectType.DURABLE_BLOB;
    // A stream lends what it has, up to the length asked: a chunk's worth is a read like any other.
    if (!blob) {
      const first = await this.#readChunk(end, caller, offset, Math.min(length, chunk), nonblock);
      return { bytes: own(first.bytes), leases: [first.lease] };
    }
    // A blob read larger than a chunk: every chunk the size last described covers goes out at once, a few in flight,
    // rather than the first alone and the rest after its reply. The first chunk's reply says how large the blob is;
    // chunks past that end come back empty or are refused (EINVAL, offset past the end), and are not used.
    const leases: number[] = [];
    const got = new Map<number, Uint8Array>();
    let size: number | undefined;
    const fetch = async ([at, n]: [number, number]) => {
      let part: { lease: number; bytes: Uint8Array; size: number | undefined };
      try {
        part = await this.#readChunk(end, caller, offset + at, n, nonblock);
      } catch (e) {
        if (at > 0 && e instanceof DiosError && e.code === 'EINVAL' && e.argument === 'options.offset') return;
        throw e;
      }
      leases.push(part.lease);
      got.set(at, part.bytes);
      if (at === 0) size = part.size;
    };
    const guess = Math.max(Math.min(length, chunk), Math.min(length, end.size - offset));
    const released = (e: unknown) => {
      // The read fails with `e`; giving back the chunks already lent is best effort (a home that is gone dropped them).
      if (leases.length > 0) this.endRead(end, END_READ, leases, true).catch(() => {});
      throw e;
    };
    await inWindow(guess === 0 ? [[0, 0] as [number, number]] : chunksOf(0, guess, chunk), fetch).catch(released);
    const first = got.get(0)!;
    const total = Math.min(length, Math.max(0, (size ?? end.size) - offset));
    if (total <= first.length || first.length < chunk) return { bytes: own(first), leases };
    // The blob was larger than last described: the rest, as before.
    if (total > guess) await inWindow(chunksOf(guess, total, chunk), fetch).catch(released);
    const buffer = new Uint8Array(total);
    let filled = total;
    for (const [at, n] of chunksOf(0, total, chunk)) {
      // Missing (refused as past the end) or shorter than asked: the blob shrank meanwhile (a commit, so the read
      // will not be valid); keep what came before the gap.
      const part = got.get(at) ?? new Uint8Array(0);
      buffer.set(part, at);
      if (part.length < n) filled = Math.min(filled, at + part.length);
    }
    return { bytes: buffer.subarray(0, filled), leases };
  }

  async endRead(end: RemoteEnd, caller: RemoteCaller, leases: readonly number[], release: boolean): Promise<boolean> {
    const replies = await Promise.all(
      leases.map((lease) => this.#request(end, caller, { kind: 'end-read', handle: end.handle, lease, release })),
    );
    for (const reply of replies) end.update(reply.object);
    return replies.every((reply) => reply.valid === true);
  }

  // One begin-read request; its lease is named up front (rid), so it is given back if the reply is lost.
  async #readChunk(
    end: RemoteEnd,
    caller: RemoteCaller,
    offset: number,
    length: number,
    nonblock: boolean,
  ): Promise<{ lease: number; bytes: Uint8Array; size: number | undefined }> {
    const rid = this.#nextLease();
    const reply = await this.#request(
      end,
      caller,
      { kind: 'begin-read', handle: end.handle, offset, length, nonblock, rid, ...labelField(caller.label) },
      () => ({
        kind: 'end-read',
        handle: end.handle,
        lease: rid,
        release: true,
      }),
    );
    end.update(reply.object);
    return { lease: reply.lease!, bytes: reply.bytes ?? new Uint8Array(0), size: reply.object?.size };
  }

  async beginWrite(end: RemoteEnd, caller: RemoteCaller, write: RemoteWrite): Promise<number> {
    const rid = this.#nextLease();
    const { offset, length, truncate, append, nonblock } = write;
    const reply = await this.#request(
      end,
      caller,
      {
        kind: 'begin-write',
        handle: end.handle,
        offset,
        length,
        truncate,
        append,
        nonblock,
        rid,
        ...labelField(caller.label),
      },
      () => ({
        kind: 'end-write',
        handle: end.handle,
        lease: rid,
        bytes: new Uint8Array(0),
        discard: true,
        endOfStream: false,
      }),
    );
    return reply.lease!;
  }

  async commit(
    end: RemoteEnd,
    caller: RemoteCaller,
    lease: number,
    buffer: Uint8Array,
    length: number,
    flags: { discard: boolean; endOfStream: boolean },
  ): Promise<void> {
    const { discard, endOfStream } = flags;
    // A commit larger than a chunk: all but its last chunk go ahead into the lent buffer at home, a few in flight.
    const chunk = this.#chunkBytes;
    const last = discard ? 0 : Math.max(0, length - 1 - ((length - 1) % chunk));
    if (last > 0) {
      await inWindow(chunksOf(0, last, chunk), ([at, n]) =>
        this.#request(end, caller, {
          kind: 'write-part',
          handle: end.handle,
          lease,
          at,
          bytes: buffer.slice(at, at + n),
        }),
      );
    }
    const reply = await this.#request(end, caller, {
      kind: 'end-write',
      handle: end.handle,
      lease,
      bytes: discard ? new Uint8Array(0) : buffer.slice(last, length),
      ...(last > 0 && { at: last }),
      discard,
      endOfStream,
    });
    end.update(reply.object);
  }

  async waitReady(end: RemoteEnd, caller: RemoteCaller, mode: 'read' | 'write', timeoutMs: number): Promise<void> {
    const reply = await this.#request(end, caller, {
      kind: 'watch',
      handle: end.handle,
      mode,
      timeoutMs,
      ...labelField(caller.label),
    });
    end.update(reply.object);
  }

  release(end: RemoteEnd, destroy: boolean): void {
    // A release lost on the way (or its reply) would leave the handle held at home for as long as both kernels stay up,
    // so it is tried again. Again is harmless: a proxy's handles are never reused, and an unknown one is ignored. Not
    // while the home is unreachable, nor once it was found gone: it drops this kernel's handles itself then, and a
    // restarted home numbers them afresh.
    const epoch = this.#goneEpoch(end.home);
    const attempt = (left: number): void => {
      this.#send(end.home, { kind: 'release', handle: end.handle, destroy }).catch(() => {
        if (left > 0 && epoch !== undefined && this.#goneEpoch(end.home) === epoch) attempt(left - 1);
      });
    };
    attempt(RELEASE_RETRIES);
  }

  /**
   * Sends `request` home on behalf of `caller`. Fails with EHOSTDOWN naming
   * the caller's argument when the home is gone, is found gone meanwhile,
   * or the transport cannot reach it (its own errors name the transport).
   * In the last case the home may have acted without its reply arriving:
   * `undo`, if given, is sent then (best effort) to take the effect back.
   */
  #request(end: RemoteEnd, caller: RemoteCaller, request: PeerRequest, undo?: () => PeerRequest): Promise<Ok> {
    const { syscall, argument } = caller;
    end.checkHostUp(syscall, argument);
    return new Promise<Ok>((resolve, reject) => {
      const waiting = end.whileUp(() =>
        reject(errors.EHOSTDOWN(syscall, argument, `the object's home kernel ${end.home} is gone`)),
      );
      this.#send(end.home, request).then(
        (reply) => {
          if (waiting()) resolve(reply);
        },
        (e: unknown) => {
          if (!waiting()) return;
          const unreachable =
            e instanceof DiosError && e.syscall === 'request' && (e.code === 'EHOSTDOWN' || e.code === 'EHOSTUNREACH');
          // The undo is best effort too: if it is lost as well, the home drops the lease when it finds this kernel gone.
          if (unreachable && undo !== undefined) this.#send(end.home, undo()).catch(() => {});
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- any other failure goes on as the peer link raised it
          reject(
            unreachable ? errors.EHOSTDOWN(syscall, argument, `kernel ${end.home} cannot be reached: ${e.detail}`) : e,
          );
        },
      );
    });
  }
}

// Bytes with a buffer of their own, for the task they are lent to: a transport's reply may hand a view of its receive
// buffer, which holds the rest of the message (the object's description, say). `new Uint8Array` copies (a Node
// Buffer's slice would not).
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/** A label as a request field: nothing at all for an unlabelled caller, so unlabelled requests carry no key. */
export function labelField(label: LabelView | undefined): { label?: LabelView } {
  return label === undefined ? {} : { label };
}
