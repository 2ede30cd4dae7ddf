/**
 * A peer's proxy on this kernel: the task whose table holds the references
 * the peer has here, and the buffers lent to it through them.
 * @module
 */
import { errors } from '../../abi/errors.js';
import type { TaskObject } from '../../objects/task.js';
import { Label } from '../../objects/label.js';

/** A buffer lent to a peer, by the handle it was taken through, and the label of the task it was lent for. */
interface LentBuffer {
  handle: number;
  buffer: Uint8Array;
  label: Label;
}

/** What this kernel keeps for one peer. */
export class PeerProxy {
  /** The proxy task: its table holds the peer's references here, its system calls run the peer's I/O. */
  readonly task: TaskObject;
  /** Buffers lent to the peer, by lease id. */
  readonly leases = new Map<number, LentBuffer>();
  /** Handles the peer is releasing itself: no revocation notice for them. */
  readonly releasing = new Set<number>();
  /** Tasks started by the peer's run requests: fate-shared with their parent there. */
  readonly runs = new Set<TaskObject>();
  /** Set once the peer is gone: its handles close without notices. */
  gone = false;
  // Lease ids the peer picked for begin requests still waiting here, and those it gave up on meanwhile (reply lost).
  readonly #pending = new Set<number>();
  readonly #abandoned = new Set<number>();
  readonly #nextLease: () => number;

  /** `nextLease` numbers the leases whose id the peer did not pick. */
  constructor(task: TaskObject, nextLease: () => number) {
    this.task = task;
    this.#nextLease = nextLease;
  }

  /**
   * Runs a begin call for a request whose lease id `rid` the peer picked.
   * If the peer gave the lease up while the call waited (its reply was
   * lost), `giveBack` returns the buffer at once and the request fails.
   */
  async begin(
    rid: number | undefined,
    begin: () => Promise<Uint8Array>,
    giveBack: (b: Uint8Array) => Promise<unknown>,
  ): Promise<Uint8Array> {
    if (rid === undefined) return begin();
    if (!Number.isSafeInteger(rid) || rid <= 0 || this.leases.has(rid) || this.#pending.has(rid)) {
      throw errors.EINVAL('peer', 'rid', `lease id ${String(rid)} is malformed or already in use`);
    }
    this.#pending.add(rid);
    let buffer: Uint8Array;
    try {
      buffer = await begin();
    } catch (e) {
      this.#abandoned.delete(rid);
      throw e;
    } finally {
      this.#pending.delete(rid);
    }
    if (this.#abandoned.delete(rid)) {
      await giveBack(buffer);
      throw errors.ECANCELED('peer', 'rid', `the requester gave lease ${rid} up before it was granted`);
    }
    return buffer;
  }

  /** A release of a lease whose begin request still waits here: remembered, so the lease is given back when granted. */
  abandon(lease: number): boolean {
    if (!this.#pending.has(lease)) return false;
    this.#abandoned.add(lease);
    return true;
  }

  /** Records `buffer` as lent through `handle` to a task labelled `label`; returns the lease id (`rid` when the peer picked one). */
  lend(handle: number, buffer: Uint8Array, rid: number | undefined, label: Label): number {
    let lease = rid;
    if (lease === undefined) while (this.leases.has((lease = this.#nextLease())));
    this.leases.set(lease, { handle, buffer, label });
    return lease;
  }

  /** The label of the task lease `lease` was lent for (unlabelled when there is no such lease: the end call then fails on it). */
  labelOf(lease: number): Label {
    return this.leases.get(lease)?.label ?? Label.EMPTY;
  }

  /**
   * Makes `call`, a system call of the proxy task, as a task labelled
   * `label` (the requester's): the call's flow checks come before its first
   * wait, so they see that label, and the proxy's own is back when it returns.
   */
  as<T>(label: Label, call: () => T): T {
    const own = this.task.label;
    this.task.label = label;
    try {
      return call();
    } finally {
      this.task.label = own;
    }
  }

  /** The buffer of lease `lease` on `handle`, if outstanding (EINVAL otherwise); `take` ends the lease. */
  lent(lease: number, handle: number, syscall: 'endRead' | 'endWrite', take: boolean): Uint8Array {
    const lent = this.leases.get(lease);
    if (lent === undefined || lent.handle !== handle) {
      throw errors.EINVAL(syscall, 'buffer', `lease ${lease} is not outstanding on handle ${handle}`);
    }
    if (take) this.leases.delete(lease);
    return lent.buffer;
  }

  /** Forgets the leases taken through a handle that closed. */
  dropLeases(handle: number): void {
    for (const [id, lent] of this.leases) if (lent.handle === handle) this.leases.delete(id);
  }
}
