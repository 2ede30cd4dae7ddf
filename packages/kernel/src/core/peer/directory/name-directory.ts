/**
 * The name directory: where a lookup finds which kernels hold a name in one
 * step instead of asking every peer. Each kernel keeps the shard of the
 * names whose positions fall on its arcs of a consistent-hashing circle
 * (hash-ring.ts) over the kernels it knows; every kernel registers the names
 * of its own named objects with their shard's kernel.
 *
 * The entries are soft state, rebuilt from the homes rather than replicated:
 * - a kernel that joins asks every peer, in one request each, for the names
 *   it holds on the newcomer's arcs, and hands over its own names in theirs;
 * - a kernel whose arcs grow (a neighbour on the circle is gone) asks every
 *   peer again for the names on its arcs;
 * - the entries of a kernel that is gone are dropped at once (its objects
 *   went with it).
 * A shard answers for a name as complete only while it owns the name's
 * position and has heard from every peer it knows since its arcs last
 * grew (a peer's names count only if it picked them for the arcs the shard
 * holds now); otherwise the asker falls back to asking every peer (the
 * broadcast). A peer seen again after it was found gone is asked at once;
 * a registration that fails on the way to a shard still on the circle is
 * sent again before the call that made the object returns.
 * docs/cluster.md says why.
 * @module
 */
import type { PeerReply, PeerRequest } from '../../wire/transport.js';
import type { NameEntry } from './directory-shard.js';
import { DirectoryShard } from './directory-shard.js';
import type { Arc } from './hash-ring.js';
import { HashRing, namePosition } from './hash-ring.js';
import { checkArcs, checkEntries } from './directory-messages.js';
import { LocalNames } from './local-names.js';
import type { Clock } from '../../objects/clock.js';

type Ok = Extract<PeerReply, { ok: true }>;

/** Sends a request to a peer; resolves with an ok reply, rejects with a DiosError. */
export type DirectorySend = (to: string, request: PeerRequest) => Promise<Ok>;

/** The directory kinds of peer request. */
export type DirectoryRequest = Extract<
  PeerRequest,
  { kind: 'directory-sync' } | { kind: 'directory-add' } | { kind: 'directory-remove' }
>;

/** What a shard answers about a name. */
export interface ShardAnswer {
  /** Kernels recorded as holding the name. */
  homes: string[];
  /** Whether that list is every kernel that holds it (else the asker must ask everyone). */
  complete: boolean;
}

/** Counters of the directory's work (for tests and benchmarks). */
export interface DirectoryStats {
  /** Registrations and unregistrations sent to other kernels' shards. */
  registrations: number;
  /** Sync requests sent (joining, or after the arcs grew). */
  syncs: number;
  /** Entries in this kernel's shard. */
  entries: number;
  /** Peers this kernel still waits to hear from before its shard is complete. */
  unsynced: number;
}

// How long a kernel waits for a peer it has just seen to sync before it asks that peer itself (a newcomer syncs
// with everyone it finds, so usually the wait ends with its request; over NATS a newcomer finds peers one by one),
// and how long it waits before asking again a peer whose sync failed.
const SYNC_GRACE_MS = 250;
const SYNC_RETRY_MS = 1000;
// Failed syncs in a row after which a peer is asked again only when a lookup needs this shard.
const SYNC_RETRIES = 5;
// Tries of a registration that failed on the way to a shard still on the circle (each waits for the transport's deadline).
const RETRIES = 5;

/** One kernel's part of the name directory. */
export class NameDirectory {
  readonly #self: string;
  readonly #send: DirectorySend;
  readonly #clock: Clock;
  // Peers to ask once the timer fires (one timer for all: a kernel sees every newcomer of a large cluster).
  readonly #due = new Set<string>();
  #timer: (() => void) | undefined = undefined;
  // Failed syncs in a row, by peer.
  readonly #failures = new Map<string, number>();
  readonly #ring = new HashRing();
  readonly #shard = new DirectoryShard();
  readonly #local = new LocalNames();
  // Peers whose names on this kernel's arcs may be missing from the shard.
  readonly #unsynced = new Set<string>();
  readonly #syncing = new Set<string>();
  // Peers found gone since they were on the circle: one seen again (a healed partition) is asked at once.
  readonly #departed = new Set<string>();
  // This kernel's arcs on the circle as it is now (computed when first needed after a change: every sync needs them).
  #ownArcs: Arc[] | undefined = undefined;
  // Bumped whenever this kernel's arcs grow: a sync reply computed for older arcs does not complete the shard.
  #arcsEpoch = 0;
  // Registrations waiting for the end of the tick, by shard kernel (one message per kernel per tick).
  readonly #outbox = new Map<string, { entries: NameEntry[]; done: Promise<void>; release: () => void }>();
  readonly #pending = new Map<string, Promise<void>>();
  #closed = false;
  readonly #stats = { registrations: 0, syncs: 0 };

  /** A directory for kernel `self`, joining peers `peers`, holding the names `names` already. */
  constructor(self: string, send: DirectorySend, peers: readonly string[], names: Iterable<string>, clock: Clock) {
    this.#self = self;
    this.#send = send;
    this.#clock = clock;
    this.#ring.add(self);
    for (const p of peers) this.#ring.add(p);
    for (const key of names) this.#local.add(key);
    // Our own names go to their shards, and every peer tells us its names on our arcs.
    for (const p of peers) {
      this.#unsynced.add(p);
      this.#sync(p);
    }
    for (const entry of this.#local.all())
      if (this.#ring.owner(namePosition(entry.name)) === self) this.#shard.add(self, entry);
  }

  /** Counters of the work done so far. */
  get stats(): DirectoryStats {
    return { ...this.#stats, entries: this.#shard.size, unsynced: this.#unsynced.size };
  }

  /** The kernel whose shard holds `key` (may be this one). */
  ownerOf(key: string): string {
    return this.#ring.owner(namePosition(key)) ?? this.#self;
  }

  /** What this kernel's shard says about `key`. */
  answer(key: string): ShardAnswer {
    const owns = this.#ring.owner(namePosition(key)) === this.#self;
    if (this.#unsynced.size > 0) this.#catchUp();
    return { homes: this.#shard.homes(key), complete: owns && this.#unsynced.size === 0 };
  }

  /** Whether `peer` is on this kernel's circle. */
  knows(peer: string): boolean {
    return this.#ring.has(peer);
  }

  /** Number of kernels on this kernel's circle (itself included). */
  get circleSize(): number {
    return this.#ring.size;
  }

  /** An object named `key` entered a group here: its name is registered with its shard (if new here). */
  named(key: string): void {
    const entry = this.#local.add(key);
    if (entry !== undefined) this.#register(entry);
  }

  /** An object named `key` left this kernel: its name is unregistered when it was the last of that name. */
  unnamed(key: string): void {
    const entry = this.#local.remove(key);
    if (entry === undefined) return;
    const owner = this.ownerOf(key);
    if (owner === this.#self) {
      this.#shard.remove(this.#self, entry);
      return;
    }
    // Best effort: an entry left behind only sends a lookup to a kernel that answers "none here".
    this.#stats.registrations++;
    this.#send(owner, { kind: 'directory-remove', names: [entry] }).catch(() => {
      // Left behind: the shard sends lookups of this name here, and this kernel answers that it has none.
    });
  }

  /**
   * Resolves once `key`'s registration has reached its shard, or its shard is gone (its successor asks for the
   * names), or every try failed; undefined when none is under way.
   */
  published(key: string): Promise<void> | undefined {
    return this.#pending.get(key);
  }

  /** A peer became reachable: it goes on the circle; the shard waits to hear its names on our arcs. */
  peerSeen(peer: string): void {
    if (this.#closed || peer === this.#self || this.#ring.has(peer)) return;
    this.#ring.add(peer);
    this.#ownArcs = undefined;
    // Our arcs only shrank, but until we hear the peer's names on them the shard is not complete. A newcomer sends
    // them itself (it syncs with everyone it finds). A peer back from a partition has an old directory that syncs
    // with no one: we ask it now (it asks us too), else every lookup of a name on our arcs would broadcast until one
    // came and asked it. (Two kernels that never met, one having joined while the other was cut off, take each other
    // for newcomers: the first answer of each shard asks the other, that lookup broadcasting.)
    this.#unsynced.add(peer);
    if (this.#departed.delete(peer)) this.#sync(peer);
    else this.#later(peer, SYNC_GRACE_MS);
  }

  /** A peer is gone: its entries go; if our arcs grew, every peer is asked for its names on them. */
  peerGone(peer: string): void {
    if (this.#closed || !this.#ring.has(peer)) return;
    const before = this.#myArcs();
    this.#ring.remove(peer);
    this.#ownArcs = undefined;
    this.#departed.add(peer);
    this.#failures.delete(peer);
    this.#shard.dropHome(peer);
    this.#unsynced.delete(peer);
    if (!sameArcs(before, this.#myArcs())) {
      this.#arcsEpoch++;
      // Our own names on the arcs we took: the shard holds them too (the gone kernel held them).
      for (const e of this.#local.onArcs(this.#myArcs())) this.#shard.add(this.#self, e);
      for (const p of this.#members()) this.#unsynced.add(p);
      this.#catchUp();
    }
    // Names whose shard was the gone kernel: the kernel that took its arcs asks for them (above, on that kernel).
  }

  /** Serves a directory request from `from`. */
  serve(from: string, req: DirectoryRequest): Ok {
    const names = checkEntries(req.names, req.kind);
    if (req.kind === 'directory-add') {
      for (const e of names) this.#shard.add(from, e);
      return { ok: true };
    }
    if (req.kind === 'directory-remove') {
      for (const e of names) this.#shard.remove(from, e);
      return { ok: true };
    }
    const arcs = checkArcs(req.arcs, 'arcs');
    const yours = req.yours === undefined ? undefined : checkArcs(req.yours, 'yours');
    // A sync comes from a kernel that knows us: it is a member even if our transport has not heard it yet.
    if (!this.#ring.has(from)) {
      this.#ring.add(from);
      this.#ownArcs = undefined;
    }
    for (const e of names) this.#shard.add(from, e);
    // Its names cover our arcs only if it picked them for the arcs we hold now: a sender whose circle differs from
    // ours (a loss one of us has not heard of yet when it sent) leaves out names on arcs we took over since.
    // Else we ask it ourselves, for our arcs (even if we took it for heard from: it may be new to our circle).
    if (yours !== undefined && sameArcs(yours, this.#myArcs())) this.#unsynced.delete(from);
    else {
      this.#unsynced.add(from);
      if (!this.#syncing.has(from)) this.#sync(from);
    }
    return { ok: true, entries: this.#local.onArcs(arcs) };
  }

  /** Stops sending (the kernel left the network). */
  close(): void {
    this.#closed = true;
    this.#timer?.();
    this.#timer = undefined;
    this.#due.clear();
  }

  // Asks `peer` for its names after about `ms` (with the others due then), unless it has synced meanwhile or is gone.
  #later(peer: string, ms: number): void {
    if (this.#closed) return;
    this.#due.add(peer);
    this.#timer ??= this.#clock.setTimer(
      ms,
      () => {
        this.#timer = undefined;
        const due = [...this.#due];
        this.#due.clear();
        for (const p of due) if (this.#ring.has(p) && this.#unsynced.has(p) && !this.#syncing.has(p)) this.#sync(p);
      },
      true,
    );
  }

  #myArcs(): Arc[] {
    return (this.#ownArcs ??= this.#ring.arcsOf(this.#self));
  }

  #members(): string[] {
    return this.#ring.members().filter((id) => id !== this.#self);
  }

  // Asks the peers not heard from since our arcs last grew (one request each in flight).
  #catchUp(): void {
    for (const p of this.#unsynced) if (!this.#syncing.has(p)) this.#sync(p);
  }

  // One exchange with `peer`: our names on its arcs go to it, its names on ours come back.
  #sync(peer: string): void {
    if (this.#closed) return;
    const epoch = this.#arcsEpoch;
    const mine = this.#myArcs();
    const yours = this.#ring.arcsOf(peer);
    const theirs: NameEntry[] = [];
    for (const e of this.#local.all()) if (this.#ring.owner(namePosition(e.name)) === peer) theirs.push(e);
    this.#syncing.add(peer);
    this.#stats.syncs++;
    this.#send(peer, { kind: 'directory-sync', arcs: mine.flat(), names: theirs, yours: yours.flat() }).then(
      (reply) => {
        this.#syncing.delete(peer);
        this.#failures.delete(peer);
        if (!this.#ring.has(peer)) return;
        for (const e of checkEntries(reply.entries ?? [], 'directory-sync')) this.#shard.add(peer, e);
        if (epoch === this.#arcsEpoch) this.#unsynced.delete(peer);
        else this.#sync(peer);
      },
      () => {
        // Still unsynced: asked again later (or by the next answer), unless the peer is found gone meanwhile.
        this.#syncing.delete(peer);
        const failures = (this.#failures.get(peer) ?? 0) + 1;
        this.#failures.set(peer, failures);
        if (this.#ring.has(peer) && failures < SYNC_RETRIES) this.#later(peer, SYNC_RETRY_MS);
      },
    );
  }

  // Sends a new name to its shard; the calls that made the object wait for it (see published()).
  #register(entry: NameEntry): void {
    const owner = this.ownerOf(entry.name);
    if (owner === this.#self) {
      this.#shard.add(this.#self, entry);
      return;
    }
    let batch = this.#outbox.get(owner);
    if (batch === undefined) {
      let release!: () => void;
      const done = new Promise<void>((resolve) => (release = resolve));
      batch = { entries: [], done, release };
      this.#outbox.set(owner, batch);
      queueMicrotask(() => this.#flush(owner));
    }
    batch.entries.push(entry);
    this.#pending.set(entry.name, batch.done);
  }

  #flush(owner: string): void {
    const batch = this.#outbox.get(owner)!;
    this.#outbox.delete(owner);
    const finish = () => {
      for (const e of batch.entries) if (this.#pending.get(e.name) === batch.done) this.#pending.delete(e.name);
      batch.release();
    };
    if (this.#closed) return finish();
    this.#stats.registrations++;
    this.#send(owner, { kind: 'directory-add', names: batch.entries }).then(finish, () => {
      // Lost on the way (a request that timed out, its shard still up): the calls that made the objects wait for the
      // tries again, since the shard meanwhile answers for their names as complete without them, and a lookup asking
      // it would miss them.
      void Promise.all(batch.entries.map((e) => this.#retry(e, RETRIES))).then(finish);
    });
  }

  // Sends the entry to the name's shard as it is now, up to `left` times. A shard that is found gone meanwhile needs
  // none: the kernel taking its arcs asks every peer for its names (so the call stops waiting), as does a newcomer.
  async #retry(entry: NameEntry, left: number): Promise<void> {
    for (; left > 0; left--) {
      const owner = this.ownerOf(entry.name);
      if (this.#closed || !this.#local.has(entry.name)) return;
      if (owner === this.#self) return this.#shard.add(this.#self, entry);
      this.#stats.registrations++;
      try {
        await this.#send(owner, { kind: 'directory-add', names: [entry] });
        return;
      } catch {
        // Again, unless the shard is gone (its successor asks us) or this was the last try.
        if (!this.#ring.has(owner)) return;
      }
    }
  }
}

function sameArcs(a: readonly Arc[], b: readonly Arc[]): boolean {
  return a.length === b.length && a.every(([s, e], i) => s === b[i]![0] && e === b[i]![1]);
}
