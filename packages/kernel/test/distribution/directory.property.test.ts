/**
 * The name directory's consistency, property-tested: kernels on a loopback
 * network run random batches of concurrent creates, copies, deletes and
 * lookups of a few names (the same name may live on several kernels, and be
 * made again after a delete), while nodes are lost (partitioned), come
 * back with their objects, and new kernels join. For every lookup:
 * - each reference it returns is to an object that was live at some point
 *   during the call (never one destroyed, or on a node lost, before it
 *   started), and that the task's groups allow;
 * - each object live during the whole call, whose home stayed up, and which
 *   the task's groups allow, is returned.
 * Objects are told apart by their size: each is written with as many bytes
 * as its incarnation number right after it is made. A lookup finds an object
 * it is required to find only if its create and write completed before the
 * lookup began.
 *
 * Twice: on the loopback network as it is (a message takes a microtask),
 * and with every message and reply held until fast-check's scheduler lets
 * it go, so that they arrive in any order (and a failing order shrinks).
 *
 * After the run quiesces the kernels' invariants hold, and a lookup of any
 * of the names costs no broadcast (after one round of lookups where two
 * kernels that never met came to meet: name-directory.ts says why).
 *
 * Runs: DIOS_PROPERTY_RUNS / 30 (default 33) per property, runs of up to 8 batches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CreateFlags,
  DeleteFlags,
  errors,
  isDiosError,
  Kernel,
  LoopbackNetwork,
  Name,
  ObjectType,
  Rights,
  type LoopbackTransport,
  type PeerReply,
  type PeerRequest,
  type RequestHandler,
  type SystemCalls,
  type Transport,
  systemClock,
} from '@dios/kernel';
import { HashRing, NameDirectory, namePosition, type PeerLink } from '@dios/kernel/testing';
import { cluster, settle } from './cluster.js';

const RUNS = Math.max(10, Math.floor(Number(process.env.DIOS_PROPERTY_RUNS ?? 1000) / 30));
const TIMEOUT_MS = Math.max(60_000, RUNS * 200);
const SEEDS = 3;

/** One command of a batch; kernel and task numbers are taken modulo what is there when it starts. */
type Command =
  | { kind: 'create'; at: number; task: number; inG: boolean; seed: number }
  | { kind: 'copy'; pick: number; to: number; task: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'lookup'; at: number; task: number; inG: boolean; seed: number }
  | { kind: 'lose'; at: number }
  | { kind: 'restore'; at: number }
  | { kind: 'join' };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      at: fc.nat(9),
      task: fc.nat(1),
      inG: fc.boolean(),
      seed: fc.nat(SEEDS - 1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('copy' as const), pick: fc.nat(99), to: fc.nat(9), task: fc.nat(1) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat(99) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('lookup' as const),
      at: fc.nat(9),
      task: fc.nat(1),
      inG: fc.boolean(),
      seed: fc.nat(SEEDS - 1),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('lose' as const), at: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const), at: fc.nat(9) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('join' as const) }) },
);

const createArb = commandArb.filter((c) => c.kind === 'create');
// A first batch of creates, so that later batches find names to look up, copy and delete.
const batchesArb = fc
  .tuple(
    fc.array(createArb, { minLength: 1, maxLength: 8 }),
    fc.array(fc.array(commandArb, { minLength: 1, maxLength: 6 }), { maxLength: 8 }),
  )
  .map(([first, rest]) => [first, ...rest]);

/** An object the run made: its incarnation number is its size once written. */
interface Made {
  inc: number;
  home: string;
  key: string;
  inG: boolean;
  /** Whether its create and write completed (only then must a lookup find it). */
  written: boolean;
  /** The object at its home (its `destroyed` flag is the truth about deletion). */
  destroyed: () => boolean;
}

/** A reference a task holds with write rights (its creator's, or a copy of it). */
interface Held {
  kernel: string;
  task: number;
  handle: number;
  made: Made;
}

interface World {
  /** Kernels ready for commands (joined, their tasks attached). */
  ids: string[];
  /** Kernels booted, ready or not (names the next one). */
  booted: number;
  cluster: string;
  s: Delivery | undefined;
  net: LoopbackNetwork;
  gName: Name;
  k: Record<string, Kernel>;
  link: Record<string, PeerLink>;
  /** Per kernel: task 0 resolves in the root group only, task 1 also in group G. */
  tasks: Record<string, SystemCalls[]>;
  /** Task 1's reference to G, per kernel. */
  gRef: Record<string, number>;
  /** Names by scope (root, G) and seed. */
  names: { root: Name[]; g: Name[] };
  lost: Set<string>;
  /** Times each kernel was lost, and restored (a loss or restore during a lookup changes what it must find). */
  losses: Map<string, number>;
  restores: Map<string, number>;
  /** Lost kernels that missed a join; once one is back, two kernels that never met may meet. */
  missedJoin: Set<string>;
  strangersMet: boolean;
  made: Made[];
  byInc: Map<number, Made>;
  held: Held[];
  /** References to other tasks, by "from kernel/task -> to kernel/task". */
  taskRefs: Map<string, number>;
  failures: string[];
}

/** How the scheduled variant delivers messages: in the scheduler's order, failing those `drop` picks. */
interface Delivery {
  s: fc.Scheduler;
  drop: (request: PeerRequest) => boolean;
  /** Set once the kernels are up: drops start then. */
  running?: boolean;
}

/** A transport that hands everything to a loopback transport; subclasses change how requests go. */
abstract class WrappedTransport implements Transport {
  readonly localId: string;
  protected readonly inner: LoopbackTransport;

  constructor(inner: LoopbackTransport) {
    this.localId = inner.localId;
    this.inner = inner;
  }

  listen(handler: RequestHandler): void {
    this.inner.listen(handler);
  }

  abstract request(to: string, request: PeerRequest): Promise<PeerReply>;

  peers(): string[] {
    return this.inner.peers();
  }

  onPeerGone(listener: (peer: string) => void): () => void {
    return this.inner.onPeerGone(listener);
  }

  onPeerSeen(listener: (peer: string) => void): () => void {
    return this.inner.onPeerSeen(listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * A loopback transport whose requests and replies each wait for fast-check's scheduler: messages between kernels
 * arrive in any order the scheduler picks (and shrinks), not in the order they were sent. A dropped request fails,
 * when the scheduler says, as one that timed out would.
 */
class ScheduledTransport extends WrappedTransport {
  readonly #s: fc.Scheduler;
  readonly #drop: (request: PeerRequest) => boolean;

  constructor(inner: LoopbackTransport, { s, drop }: Delivery) {
    super(inner);
    this.#s = s;
    this.#drop = drop;
  }

  async request(to: string, request: PeerRequest): Promise<PeerReply> {
    const what = `${this.localId}->${to} ${request.kind}`;
    await this.#s.schedule(Promise.resolve(), what);
    if (this.#drop(request)) throw errors.EHOSTDOWN('request', 'to', `no reply to ${what} (dropped)`);
    const reply = await this.inner.request(to, request);
    return this.#s.schedule(Promise.resolve(reply), `reply to ${what}`);
  }
}

let clusters = 0;
/** What the runs exercised (a property that never required a lookup to find anything would prove little). */
const coverage = { required: 0, lost: 0 };

async function boot(n: number, s: Delivery | undefined): Promise<World> {
  const net = new LoopbackNetwork();
  const cluster = `directory-${process.pid}-${++clusters}`;
  const k0 = await Kernel.boot({ id: 'k0', cluster });
  const link0 = k0.join(connect(net, 'k0', s));
  // G is made by a task that takes no part, so that only task 1 on each kernel resolves in it.
  const maker = await k0.attachTask(['g-maker']);
  const g = await maker.create(ObjectType.GROUP, { lookupRights: Rights.ALL });
  const rootName = k0.init.groupNames[0]!;
  const seeds = Array.from({ length: SEEDS }, (_, i) => `seed-${i}`);
  const w: World = {
    ids: [],
    booted: 1,
    cluster,
    s,
    net,
    gName: g.name,
    k: { k0 },
    link: { k0: link0 },
    tasks: {},
    gRef: {},
    names: {
      root: await Promise.all(seeds.map((seed) => Name.seeded(rootName, seed))),
      g: await Promise.all(seeds.map((seed) => Name.seeded(g.name, seed))),
    },
    lost: new Set(),
    losses: new Map(),
    restores: new Map(),
    missedJoin: new Set(),
    strangersMet: false,
    made: [],
    byInc: new Map(),
    held: [],
    taskRefs: new Map(),
    failures: [],
  };
  await attachTasks(w, 'k0');
  for (let i = 1; i < n; i++) await join(w);
  return w;
}

function connect(net: LoopbackNetwork, id: string, s: Delivery | undefined): Transport {
  const transport = net.connect(id);
  return s === undefined ? transport : new ScheduledTransport(transport, s);
}

// Task 0 resolves in the root group; task 1 also holds G. The kernel is ready for commands once both are there.
async function attachTasks(w: World, id: string): Promise<void> {
  const kernel = w.k[id]!;
  const plain = await kernel.attachTask([`plain-${id}`], undefined, { lookupRights: Rights.ALL });
  const inG = await kernel.attachTask([`in-g-${id}`], undefined, { lookupRights: Rights.ALL });
  const [ref] = await inG.lookup(w.gName);
  w.gRef[id] = ref!;
  w.tasks[id] = [plain, inG];
  w.ids.push(id);
}

/** Boots a kernel and joins it to the others (at most 8 in all). */
async function join(w: World): Promise<void> {
  if (w.booted >= 8) return;
  const id = `k${w.booted++}`;
  w.k[id] = await Kernel.boot({ id, cluster: w.cluster });
  for (const lost of w.lost) w.missedJoin.add(lost);
  w.link[id] = w.k[id].join(connect(w.net, id, w.s));
  await attachTasks(w, id);
}

const describeError = (e: unknown) => (e instanceof Error ? (e.stack ?? e.message) : JSON.stringify(e));
const up = (w: World) => w.ids.filter((id) => !w.lost.has(id));
const live = (w: World, m: Made) => !w.lost.has(m.home) && !m.destroyed();

async function create(w: World, c: Extract<Command, { kind: 'create' }>): Promise<void> {
  const ids = up(w);
  const home = ids[c.at % ids.length]!;
  const inG = c.inG && c.task === 1;
  const sys = w.tasks[home]![c.task]!;
  const options = { lifecycle: 'single-delete' as const, nameSeed: `seed-${c.seed}` };
  const { name, ref } = await sys.create(
    ObjectType.SHARED_MEMORY_BLOB,
    inG ? { ...options, group: w.gRef[home]! } : options,
    CreateFlags.NAME_DETERMINISTIC,
  );
  const obj = w.k[home]!.objects.get(name.key)!;
  const made: Made = {
    inc: w.made.length + 1,
    home,
    key: name.key,
    inG,
    written: false,
    destroyed: () => obj.destroyed,
  };
  w.made.push(made);
  w.byInc.set(made.inc, made);
  w.held.push({ kernel: home, task: c.task, handle: ref, made });
  const buffer = await sys.beginWrite(ref, made.inc);
  await sys.endWrite(ref, buffer);
  made.written = true;
}

async function copy(w: World, c: Extract<Command, { kind: 'copy' }>): Promise<void> {
  const holders = w.held.filter((h) => !w.lost.has(h.kernel) && h.made.written);
  if (holders.length === 0) return;
  const from = holders[c.pick % holders.length]!;
  const others = up(w).filter((id) => id !== from.kernel);
  if (others.length === 0) return;
  const to = others[c.to % others.length]!;
  const sys = w.tasks[from.kernel]![from.task]!;
  const target = w.tasks[to]![c.task]!;
  const route = `${from.kernel}/${from.task}->${to}/${c.task}`;
  let targetRef = w.taskRefs.get(route);
  if (targetRef === undefined) {
    [targetRef] = await sys.lookup(target.taskName);
    w.taskRefs.set(route, targetRef!);
  }
  const [handle] = await sys.copy([from.handle], targetRef!, { rights: Rights.ALL });
  w.held.push({ kernel: to, task: c.task, handle: handle!, made: from.made });
}

async function remove(w: World, c: Extract<Command, { kind: 'delete' }>): Promise<void> {
  const holders = w.held.filter((h) => !w.lost.has(h.kernel) && h.made.written);
  if (holders.length === 0) return;
  const h = holders[c.pick % holders.length]!;
  w.held.splice(w.held.indexOf(h), 1);
  await w.tasks[h.kernel]![h.task]!.delete(h.handle);
}

function lose(w: World, c: Extract<Command, { kind: 'lose' }>): void {
  const ids = up(w);
  // Two kernels stay: a lookup then still has somewhere to go.
  if (ids.length <= 2) return;
  const id = ids[c.at % ids.length]!;
  w.lost.add(id);
  w.losses.set(id, (w.losses.get(id) ?? 0) + 1);
  w.net.partition(id);
}

/** Ends a lost kernel's partition: it comes back with its objects. */
function restore(w: World, c: Extract<Command, { kind: 'restore' }>): void {
  const lost = w.ids.filter((id) => w.lost.has(id));
  if (lost.length === 0) return;
  const id = lost[c.at % lost.length]!;
  w.lost.delete(id);
  w.restores.set(id, (w.restores.get(id) ?? 0) + 1);
  if (w.missedJoin.has(id)) w.strangersMet = true;
  w.net.restore(id);
}

/** Looks up a name from a task and checks the answer against the objects' lives during the call. */
async function lookup(w: World, at: string, task: number, inG: boolean, seed: number, what: string): Promise<void> {
  const name = (inG ? w.names.g : w.names.root)[seed]!;
  const sys = w.tasks[at]![task]!;
  const visible = (m: Made) => m.key === name.key && (!m.inG || task === 1);
  const losses = new Map(w.losses);
  const restores = new Map(w.restores);
  const destroyedAtStart = new Set(w.made.filter((m) => m.destroyed()));
  const lostAtStart = new Set(w.lost);
  const liveAtStart = w.made.filter((m) => m.written && live(w, m) && visible(m));
  let handles: number[] = [];
  let error: unknown;
  try {
    handles = await sys.lookup(name);
  } catch (e) {
    error = e;
  }
  // Sizes now, the objects' lives below, with nothing run in between. A reference revoked since the reply (its
  // object destroyed) counts as not returned: such an object is not required either, being dead by now.
  const sizes = handles.flatMap((h) => {
    try {
      const ref = sys.ref(h);
      return ref.open ? [ref.size] : [];
    } catch {
      return [];
    }
  });
  // Up throughout: not lost at the start, nor since.
  const stayedUp = (id: string) => !lostAtStart.has(id) && w.losses.get(id) === losses.get(id);
  // Dead at the start and throughout: destroyed, or lost and not restored since.
  const deadAtStart = (m: Made) =>
    destroyedAtStart.has(m) || (lostAtStart.has(m.home) && w.restores.get(m.home) === restores.get(m.home));
  const required = liveAtStart.filter((m) => live(w, m) && stayedUp(m.home) && stayedUp(at));
  const where = `${what}: lookup of seed-${seed}${inG ? ' in G' : ''} by task ${task} on ${at}`;
  if (error !== undefined) {
    if (!isDiosError(error) || (error.code !== 'ENOENT' && error.code !== 'EHOSTDOWN'))
      w.failures.push(`${where} failed: ${describeError(error)}`);
    else if (required.length > 0)
      w.failures.push(`${where} gave ${error.code}, missing #${required.map((m) => `${m.inc}@${m.home}`).join(', #')}`);
    return;
  }
  for (const size of sizes) {
    // 0: an object whose write had not committed when its home answered (made during the call).
    if (size === 0) continue;
    const m = w.byInc.get(size);
    if (m === undefined || m.key !== name.key) w.failures.push(`${where} returned an object of size ${size}`);
    else if (deadAtStart(m))
      w.failures.push(`${where} returned #${m.inc}@${m.home}, destroyed or lost before the lookup began`);
    else if (!visible(m)) w.failures.push(`${where} returned #${m.inc}@${m.home}, in a group the task cannot see`);
  }
  coverage.required += required.length;
  const missing = required.filter((m) => !sizes.includes(m.inc));
  if (missing.length > 0)
    w.failures.push(
      `${where} missed #${missing.map((m) => `${m.inc}@${m.home}`).join(', #')} (got sizes ${sizes.join(', ')})`,
    );
  // Dropped, not deleted: their WRITE would destroy the objects.
  await Promise.allSettled(handles.map((h) => sys.delete(h, DeleteFlags.DROP)));
}

async function run(w: World, c: Command, what: string): Promise<void> {
  if (c.kind === 'create') return create(w, c);
  if (c.kind === 'copy') return copy(w, c);
  if (c.kind === 'delete') return remove(w, c);
  if (c.kind === 'lose') return lose(w, c);
  if (c.kind === 'restore') return restore(w, c);
  if (c.kind === 'join') return join(w);
  const ids = up(w);
  return lookup(w, ids[c.at % ids.length]!, c.task, c.inG, c.seed, what);
}

/** Every name from every task of every kernel still up. */
async function lookupAll(w: World, what: string): Promise<void> {
  for (const at of up(w))
    for (const task of [0, 1])
      for (const inG of [false, true])
        for (let seed = 0; seed < SEEDS; seed++) await lookup(w, at, task, inG, seed, what);
}

const broadcasts = (w: World) => up(w).reduce((n, id) => n + w.link[id]!.lookupStats.broadcasts, 0);

/** Runs the batches (each batch's commands at once), then checks the quiet cluster. */
async function exercise(n: number, batches: Command[][], s?: Delivery): Promise<World> {
  const w = await boot(n, s);
  if (s !== undefined) s.running = true;
  for (const [b, batch] of batches.entries()) {
    await Promise.all(
      batch.map((c, i) =>
        run(w, c, `batch ${b} command ${i}`).catch((e: unknown) => {
          // Calls may fail as the system calls say they can (a name made twice, a deleted reference, a lost node).
          if (!isDiosError(e)) w.failures.push(`batch ${b} command ${i} (${JSON.stringify(c)}): ${describeError(e)}`);
        }),
      ),
    );
    if (w.failures.length > 0) return w;
  }
  await settle(5);
  coverage.lost += w.lost.size;
  for (const kernel of Object.values(w.k)) kernel.checkInvariants();
  // Two kernels that never met ask each other at their shards' first answers (name-directory.ts): one round first.
  if (w.strangersMet) await lookupAll(w, 'after the run, asking the strangers');
  const before = broadcasts(w);
  await lookupAll(w, 'after the run');
  if (broadcasts(w) !== before) w.failures.push(`quiet cluster: ${broadcasts(w) - before} lookups broadcast`);
  return w;
}

describe('the name directory under concurrent calls and node loss', () => {
  it(
    `no lookup returns a destroyed object or misses a live one its groups allow, over ${RUNS} runs`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 3, max: 6 }), batchesArb, async (n, batches) => {
          const w = await exercise(n, batches);
          expect(w.failures).toEqual([]);
        }),
        { numRuns: RUNS },
      );
      expect(coverage.required).toBeGreaterThan(RUNS);
      expect(coverage.lost).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    `the same, with every message and reply delivered in an order fast-check's scheduler picks and a few registrations lost, over ${RUNS} runs`,
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 3, max: 6 }),
          batchesArb,
          fc.scheduler(),
          // Which registrations and unregistrations are lost (counted as sent); fewer than a registration's tries.
          fc.uniqueArray(fc.nat(12), { maxLength: 3 }),
          async (n, batches, s, dropped) => {
            let sent = 0;
            const delivery: Delivery = {
              s,
              drop: (r) =>
                delivery.running === true &&
                (r.kind === 'directory-add' || r.kind === 'directory-remove') &&
                dropped.includes(sent++),
            };
            const w = await s.waitFor(exercise(n, batches, delivery));
            expect(w.failures).toEqual([]);
          },
        ),
        { numRuns: RUNS },
      );
      expect(coverage.required).toBeGreaterThan(RUNS);
      expect(coverage.lost).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it('a kernel back from a partition and its peers ask each other for their names at once: no lookup broadcasts after the heal', async () => {
    const c = await cluster('a', 'b', 'c');
    const made = await Promise.all(['a', 'b', 'c'].map((id) => c.sys[id]!.create(ObjectType.SHARED_MEMORY_BLOB)));
    c.net.partition('c');
    c.net.restore('c');
    await settle();
    const before = ['a', 'b', 'c'].map((id) => c.link[id]!.lookupStats.broadcasts);
    for (const id of ['a', 'b', 'c'])
      for (const { name } of made) expect(await c.sys[id]!.lookup(name)).toHaveLength(1);
    // Before the fix, each shard that had heard nothing from the other side since the heal broadcast once.
    expect(['a', 'b', 'c'].map((id) => c.link[id]!.lookupStats.broadcasts)).toEqual(before);
    c.check();
  });

  it('a registration lost on the way to its shard is sent again before create returns: a lookup then finds the object', async () => {
    const net = new LoopbackNetwork();
    const name = `directory-lost-add-${process.pid}-${++clusters}`;
    const k: Record<string, Kernel> = {};
    const link: Record<string, PeerLink> = {};
    let drops = 2;
    for (const id of ['a', 'b', 'c']) {
      k[id] = await Kernel.boot({ id, cluster: name });
      const transport = net.connect(id);
      // On a: the first two registrations to b fail as requests that timed out would, b still up.
      link[id] = k[id].join(
        id !== 'a'
          ? transport
          : new DroppingTransport(transport, (to, req) => req.kind === 'directory-add' && to === 'b' && drops-- > 0),
      );
    }
    await settle();
    const a = await k.a!.attachTask(['maker']);
    const c = await k.c!.attachTask(['finder']);
    // A name whose shard is b, made on a and looked up from c: c asks b, which answers for the name.
    let made;
    do {
      made = await a.create(ObjectType.SHARED_MEMORY_BLOB);
    } while (link.a!.directory!.ownerOf(made.name.key) !== 'b');
    expect(drops).toBeLessThan(1);
    expect(await c.lookup(made.name)).toHaveLength(1);
    expect(link.c!.lookupStats.broadcasts).toBe(0);
  });

  it('a sync picked for a circle the receiver no longer has does not complete its shard (names on arcs it took over since are missing)', () => {
    const ring = (...ids: string[]) => {
      const r = new HashRing();
      for (const id of ids) r.add(id);
      return r;
    };
    // A name that y's shard held while a, b and y were up, and b's once y is gone too.
    let key: string;
    do key = [...crypto.getRandomValues(new Uint8Array(32))].map((x) => x.toString(16).padStart(2, '0')).join('');
    while (ring('a', 'b', 'y').owner(namePosition(key)) !== 'y' || ring('a', 'b').owner(namePosition(key)) !== 'b');
    // b's syncs stay in flight, as its second one would when the stale request below arrives.
    const sent: string[] = [];
    const b = new NameDirectory('b', (to) => (sent.push(to), new Promise(() => {})), ['a', 'x', 'y'], [], systemClock);
    b.serve('x', { kind: 'directory-sync', arcs: [], names: [], yours: ring('a', 'b', 'x', 'y').arcsOf('b').flat() });
    b.serve('y', { kind: 'directory-sync', arcs: [], names: [], yours: ring('a', 'b', 'x', 'y').arcsOf('b').flat() });
    b.peerGone('x');
    b.peerGone('y');
    // a sent this after it heard x was gone and before it heard of y: a's name `key` was on y's arcs, so not in it.
    b.serve('a', {
      kind: 'directory-sync',
      arcs: ring('a', 'b', 'y').arcsOf('a').flat(),
      names: [],
      yours: ring('a', 'b', 'y').arcsOf('b').flat(),
    });
    expect(b.answer(key)).toEqual({ homes: [], complete: false });
    // And b asks a itself (once its sync in flight is answered, or now).
    expect(sent).toContain('a');
  });
});

/** A loopback transport that fails the requests `drop` picks (EHOSTDOWN after 20 ms, as a timed-out request), sending nothing. */
class DroppingTransport extends WrappedTransport {
  readonly #drop: (to: string, request: PeerRequest) => boolean;

  constructor(inner: LoopbackTransport, drop: (to: string, request: PeerRequest) => boolean) {
    super(inner);
    this.#drop = drop;
  }

  async request(to: string, request: PeerRequest): Promise<PeerReply> {
    if (this.#drop(to, request)) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw errors.EHOSTDOWN('request', 'to', `no reply from ${to} to ${request.kind}`);
    }
    return this.inner.request(to, request);
  }
}
