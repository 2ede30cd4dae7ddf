/**
 * The name directory, focused and adversarial: the consistent-hashing
 * circle's invariants, the number of requests a lookup costs, the failure
 * semantics issue 18 asks for (EHOSTDOWN, then ENOENT, without a broadcast;
 * a shard's loss loses no names), rights and groups decided by the home as
 * with the broadcast, peers that send malformed or lying directory
 * messages, and a kernel without a directory among kernels with one.
 */
import { describe, expect, it } from 'vitest';
import { Kernel, Name, ObjectType, Rights, type PeerRequest, type SystemCalls } from '@dios/kernel';
import { HashRing, NameDirectory, namePosition, simulate, type PeerLink, type SimCluster } from '@dios/kernel/testing';
import { expectErrno } from '../helpers.js';
import { cluster, clusterWith, proxyRightsTo, settle, until, type Cluster } from './cluster.js';

const CIRCLE = 2 ** 32;

/** Whether `p` lies on the arc (start, end] (the whole circle when start === end); written apart from hash-ring.ts. */
function onArc([start, end]: readonly [number, number], p: number): boolean {
  if (start === end) return true;
  return start < end ? p > start && p <= end : p > start || p <= end;
}

/** Positions to probe: the ends, each kernel's points and their neighbours, and a spread of others. */
function probes(ring: HashRing): number[] {
  const out = [0, 1, CIRCLE - 1];
  for (const id of ring.members()) for (const [s, e] of ring.arcsOf(id)) out.push(s, e, (e + 1) % CIRCLE, s + 1);
  for (let i = 0; i < 500; i++) out.push(Math.floor(((i * 2654435761) % CIRCLE) >>> 0));
  return out.map((p) => p % CIRCLE);
}

function ringOf(ids: readonly string[]): HashRing {
  const ring = new HashRing();
  for (const id of ids) ring.add(id);
  return ring;
}

const ids = (n: number, prefix = 'node-') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('HashRing', () => {
  it('gives every position exactly one owner, the kernel whose arcs hold it', () => {
    const ring = ringOf(ids(12));
    for (const p of probes(ring)) {
      const holders = ring.members().filter((id) => ring.arcsOf(id).some((arc) => onArc(arc, p)));
      expect(holders, `position ${p}`).toEqual([ring.owner(p)]);
    }
  });

  it("tiles the circle with the members' arcs: no gap, no overlap", () => {
    for (const n of [1, 2, 7, 50]) {
      const ring = ringOf(ids(n));
      const arcs = ring.members().flatMap((id) => ring.arcsOf(id));
      const length = ([s, e]: readonly [number, number]) => (s === e ? CIRCLE : (e - s + CIRCLE) % CIRCLE);
      expect(
        arcs.reduce((sum, a) => sum + length(a), 0),
        `${n} kernels`,
      ).toBe(CIRCLE);
      // Each arc starts where another ends: sorted by start, they chain round the circle.
      const sorted = [...arcs].sort((x, y) => x[0] - y[0]);
      sorted.forEach((arc, i) => expect(sorted[(i + 1) % sorted.length]![0]).toBe(arc[1]));
    }
  });

  it("moves only positions next to a joining kernel's points to it, and back when it leaves", () => {
    const base = ids(20);
    const ring = ringOf(base);
    const ps = probes(ringOf([...base, 'newcomer']));
    const before = ps.map((p) => ring.owner(p));
    ring.add('newcomer');
    const after = ps.map((p) => ring.owner(p));
    let moved = 0;
    ps.forEach((p, i) => {
      if (after[i] === before[i]) return;
      moved++;
      expect(after[i], `position ${p} moved to another kernel than the newcomer`).toBe('newcomer');
    });
    expect(moved).toBeGreaterThan(0);
    ring.remove('newcomer');
    expect(ps.map((p) => ring.owner(p))).toEqual(before);
    // A kernel leaving hands its positions to others and moves nobody else's.
    ring.remove('node-3');
    ps.forEach((p, i) => {
      if (before[i] !== 'node-3') expect(ring.owner(p), `position ${p}`).toBe(before[i]);
      else expect(ring.owner(p)).not.toBe('node-3');
    });
  });

  it('gives the same owners and arcs whatever order the kernels were added in', () => {
    const members = ids(30);
    const shuffled = [...members].reverse();
    for (let i = 0; i < shuffled.length; i++) {
      const j = (i * 7 + 3) % shuffled.length;
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const a = ringOf(members);
    const b = ringOf(shuffled);
    for (const p of probes(a)) expect(b.owner(p), `position ${p}`).toBe(a.owner(p));
    for (const id of members) expect(b.arcsOf(id)).toEqual(a.arcsOf(id));
  });

  it('shares the circle out at 100 kernels: every share between 1/10 and 4 times the fair one (4 points each)', () => {
    const ring = ringOf(ids(100, 'kernel-'));
    const shares = ring
      .members()
      .map((id) => ring.arcsOf(id).reduce((sum, [s, e]) => sum + (s === e ? CIRCLE : (e - s + CIRCLE) % CIRCLE), 0));
    const fair = CIRCLE / 100;
    for (const share of shares) {
      expect(share).toBeGreaterThan(fair / 10);
      expect(share).toBeLessThan(fair * 4);
    }
  });

  it('places a name by its first 32 bits', () => {
    expect(namePosition('ffffffff' + '0'.repeat(56))).toBe(CIRCLE - 1);
    expect(namePosition('00000001' + 'f'.repeat(56))).toBe(1);
  });
});

const dirOf = (c: Cluster, id: string) => c.link[id]!.directory!;

/** Waits until every kernel's shard has heard from every peer. */
async function synced(c: Cluster): Promise<void> {
  await until('every shard is synced', () =>
    Object.values(c.link).every((l) => l.directory === undefined || l.directory.stats.unsynced === 0),
  );
}

/** Creates blobs on `on` until one's name is held in the shard of a kernel that `pick` accepts. */
async function blobWithOwner(
  c: Cluster,
  on: string,
  pick: (owner: string, key: string) => boolean,
): Promise<{ name: Name; ref: number; owner: string }> {
  for (let i = 0; i < 200; i++) {
    const made = await c.sys[on]!.create(ObjectType.SHARED_MEMORY_BLOB);
    const owner = dirOf(c, on).ownerOf(made.name.key);
    if (pick(owner, made.name.key)) return { ...made, owner };
    await c.sys[on]!.delete(made.ref);
  }
  throw new Error('no name fell in a wanted shard in 200 tries');
}

const EIGHT = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

describe('requests per lookup', () => {
  it('on 8 kernels: owner plus home, never a broadcast; ENOENT costs one request, none in our own shard', async () => {
    const c = await cluster(...EIGHT);
    await synced(c);
    const far = await blobWithOwner(c, 'b', (o) => o !== 'a' && o !== 'b');
    const atHome = await blobWithOwner(c, 'b', (o) => o === 'b');
    const found: number[] = [];
    for (const [blob, cost] of [
      [far, 2],
      [atHome, 1],
    ] as const) {
      const before = c.link.a!.lookupStats;
      found.push(...(await c.sys.a!.lookup(blob.name)));
      expect(found).toHaveLength(cost === 2 ? 1 : 2);
      const after = c.link.a!.lookupStats;
      expect(after.requests - before.requests, `shard ${blob.owner}`).toBe(cost);
      expect(after.broadcasts).toBe(before.broadcasts);
    }
    let mine = 0;
    for (let i = 0; i < 24; i++) {
      const unknown = Name.random();
      const cost = dirOf(c, 'a').ownerOf(unknown.key) === 'a' ? 0 : 1;
      mine += 1 - cost;
      const before = c.link.a!.lookupStats;
      await expectErrno(c.sys.a!.lookup(unknown), 'ENOENT', 'name');
      const after = c.link.a!.lookupStats;
      expect(after.requests - before.requests).toBe(cost);
      expect(after.broadcasts).toBe(before.broadcasts);
    }
    expect(mine, 'some unknown names fall in our own shard').toBeLessThan(24);
    // Deleted at its home, the name leaves its shard: a later lookup is ENOENT from the shard alone.
    await c.sys.a!.delete(found[0]!);
    await c.sys.b!.delete(far.ref);
    await until(
      'the shard forgets the deleted name',
      () => dirOf(c, far.owner).answer(far.name.key).homes.length === 0,
    );
    const before = c.link.a!.lookupStats;
    await expectErrno(c.sys.a!.lookup(far.name), 'ENOENT', 'name');
    expect(c.link.a!.lookupStats.requests - before.requests).toBe(1);
    c.check();
  });
});

describe('failures', () => {
  it("a shard kernel's loss loses no names: its successor rebuilds from the homes, lookups need no broadcast", async () => {
    const c = await cluster('a', 'b', 'c', 'd', 'e');
    await synced(c);
    // Names on c and e whose shard is d; d is then cut off (on loopback, found gone at once).
    const held: { name: Name; home: string }[] = [];
    // (Names whose shard after d's loss is another kernel than their home: see the case below.)
    const after = ringOf(['a', 'b', 'c', 'e']);
    for (const home of ['c', 'e', 'a'])
      held.push({
        home,
        name: (await blobWithOwner(c, home, (o, key) => o === 'd' && after.owner(namePosition(key)) !== home)).name,
      });
    c.net.partition('d');
    await synced(c);
    for (const { name, home } of held) {
      // The kernel that took d's arc rebuilt its entry from the home.
      const successor = dirOf(c, 'b').ownerOf(name.key);
      expect(successor).not.toBe('d');
      expect(dirOf(c, successor).answer(name.key)).toEqual({ homes: [home], complete: true });
      const asker = ['a', 'b', 'c', 'e'].find((k) => k !== home && k !== successor)!;
      const before = c.link[asker]!.lookupStats;
      expect(await c.sys[asker]!.lookup(name), `${asker} looks up a name of ${home}'s`).toHaveLength(1);
      const after = c.link[asker]!.lookupStats;
      expect(after.broadcasts).toBe(before.broadcasts);
      expect(after.requests - before.requests).toBe(2);
    }
    c.check();
  });

  // A kernel whose arcs grow puts its own names there into its shard, as the constructor and registration do.
  it("a shard that takes a lost kernel's arc lists its own names there too", async () => {
    const c = await cluster('a', 'b', 'c', 'd', 'e');
    await synced(c);
    const after = ringOf(['a', 'b', 'c', 'e']);
    const blob = await blobWithOwner(c, 'a', (o, key) => o === 'd' && after.owner(namePosition(key)) === 'a');
    c.net.partition('d');
    await synced(c);
    expect(dirOf(c, 'a').answer(blob.name.key)).toEqual({ homes: ['a'], complete: true });
  });

  it('a kernel cut off and back (not restarted): its names are found at once, then without broadcast', async () => {
    const c = await cluster('a', 'b', 'c', 'd', 'e');
    await synced(c);
    const blob = await blobWithOwner(c, 'b', (o) => o !== 'b' && o !== 'a');
    c.net.partition('b');
    await synced(c);
    expect(dirOf(c, blob.owner).answer(blob.name.key).homes).toEqual([]);
    c.net.restore('b');
    // Found at once (by broadcast while the shard waits for b), then by the directory alone once the shard caught up.
    expect(await c.sys.a!.lookup(blob.name)).toHaveLength(1);
    await until('the shard caught up', () => dirOf(c, blob.owner).stats.unsynced === 0);
    expect(dirOf(c, blob.owner).answer(blob.name.key)).toEqual({ homes: ['b'], complete: true });
    const before = c.link.a!.lookupStats;
    expect(await c.sys.a!.lookup(blob.name)).toHaveLength(1);
    expect(c.link.a!.lookupStats.broadcasts).toBe(before.broadcasts);
    c.check();
  });

  // A peer seen again after a partition is asked for its names at once (before, neither side synced until a lookup
  // asked a shard, and each shard's first answer after the heal was a broadcast).
  it('after a partition heals, every shard is synced again without waiting for lookups', async () => {
    const c = await cluster('a', 'b', 'c', 'd');
    await synced(c);
    c.net.partition('b');
    await synced(c);
    c.net.restore('b');
    await synced(c);
  });

  // Over NATS a kernel joins before its transport has heard the others, so it syncs with no one; the peers it sees
  // later were never found gone. Each side waits a grace period for the other's sync, then asks itself.
  it('a directory that sees a peer it has not synced with asks it for its names after a grace period', async () => {
    const sent: { to: string; kind: string }[] = [];
    const timers: { ms: number; fire: () => void }[] = [];
    const clock = {
      now: () => 0,
      setTimer: (ms: number, fire: () => void) => {
        timers.push({ ms, fire });
        return () => {};
      },
    };
    const directory = new NameDirectory(
      'n',
      async (to, request) => {
        sent.push({ to, kind: request.kind });
        return { ok: true, entries: [] };
      },
      [],
      [],
      clock,
    );
    directory.peerSeen('a');
    await settle();
    // Not at once: a newcomer's own sync usually makes it needless.
    expect(sent).toEqual([]);
    expect(directory.stats.unsynced).toBe(1);
    expect(timers.map((t) => t.ms)).toEqual([250]);
    timers[0]!.fire();
    await settle();
    expect(directory.stats.unsynced).toBe(0);
    expect(sent).toContainEqual({ to: 'a', kind: 'directory-sync' });
  });

  it('a dead home: EHOSTDOWN while it is not yet found gone, then ENOENT, with no broadcast (simulated network)', async () => {
    const r = await simulate({
      nodes: ['a', 'b', 'c', 'd'],
      seed: 18,
      network: { goneAfterMs: 400 },
      run: async (sim: SimCluster) => {
        const link = (n: string) => sim.kernel(n).distribution as PeerLink;
        const b = sim.init('b');
        let name: Name | undefined;
        for (let i = 0; i < 100 && name === undefined; i++) {
          const made = await b.create(ObjectType.SHARED_MEMORY_BLOB);
          const owner = link('a').directory!.ownerOf(made.name.key);
          if (owner === 'c' || owner === 'd') name = made.name;
        }
        await sim.sleep(100);
        const a = sim.init('a');
        const code = (p: Promise<unknown>) =>
          p.then(
            () => 'found',
            (e: { code: string }) => e.code,
          );
        const first = await code(a.lookup(name!));
        const before = link('a').lookupStats;
        sim.network.isolate('b');
        const during = await code(a.lookup(name!));
        await sim.sleep(1000);
        const after = await code(a.lookup(name!));
        const stats = link('a').lookupStats;
        return { first, during, after, broadcasts: stats.broadcasts - before.broadcasts };
      },
    });
    expect(r.outcome, String(r.error)).toBe('ok');
    expect(r.value).toEqual({ first: 'found', during: 'EHOSTDOWN', after: 'ENOENT', broadcasts: 0 });
  });

  it('a dead shard: found by broadcast while it is not yet found gone, then by its successor alone (simulated network)', async () => {
    const r = await simulate({
      nodes: ['a', 'b', 'c', 'd'],
      seed: 19,
      network: { goneAfterMs: 400 },
      run: async (sim: SimCluster) => {
        const link = (n: string) => sim.kernel(n).distribution as PeerLink;
        const b = sim.init('b');
        let name: Name | undefined;
        let shard = '';
        for (let i = 0; i < 100 && name === undefined; i++) {
          const made = await b.create(ObjectType.SHARED_MEMORY_BLOB);
          shard = link('a').directory!.ownerOf(made.name.key);
          if (shard === 'c' || shard === 'd') name = made.name;
        }
        await sim.sleep(100);
        const a = sim.init('a');
        const broadcasts = () => link('a').lookupStats.broadcasts;
        const start = broadcasts();
        sim.network.isolate(shard);
        const during = (await a.lookup(name!)).length;
        const fellBack = broadcasts() - start;
        await sim.sleep(1000);
        const unsynced = ['a', 'b', 'c', 'd'].filter((n) => n !== shard).map((n) => link(n).directory!.stats.unsynced);
        const after = (await a.lookup(name!)).length;
        return { during, fellBack, unsynced, after, broadcastsAfter: broadcasts() - start - fellBack };
      },
    });
    expect(r.outcome, String(r.error)).toBe('ok');
    expect(r.value).toEqual({ during: 1, fellBack: 1, unsynced: [0, 0, 0], after: 1, broadcastsAfter: 0 });
  });
});

describe('rights and groups: the directory says where, the home decides', () => {
  it('a name in a group the asker is not in is ENOENT though the directory lists its home', async () => {
    const c = await cluster('a', 'b', 'c', 'd');
    await synced(c);
    const group = await c.sys.b!.create(ObjectType.GROUP);
    let hidden: { name: Name; ref: number } | undefined;
    for (let i = 0; i < 100 && hidden === undefined; i++) {
      const made = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
      if (!['a', 'b'].includes(dirOf(c, 'b').ownerOf(made.name.key))) hidden = made;
    }
    const owner = dirOf(c, 'a').ownerOf(hidden!.name.key);
    expect(dirOf(c, owner).answer(hidden!.name.key).homes).toEqual(['b']);
    const before = c.link.a!.lookupStats;
    await expectErrno(c.sys.a!.lookup(hidden!.name), 'ENOENT', 'name');
    expect(c.link.a!.lookupStats.requests - before.requests).toBe(2);
    expect(c.link.a!.lookupStats.broadcasts).toBe(before.broadcasts);
    c.check();
  });

  /** One scenario: a name found with all rights, one whose object confers only read, one found through a group reference. */
  async function conferred(c: Cluster): Promise<number[][]> {
    await synced(c);
    const plain = await c.sys.b!.create(ObjectType.SHARED_MEMORY_BLOB);
    const group = await c.sys.c!.create(ObjectType.GROUP);
    const scoped = await c.sys.c!.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
    const readOnly = await c.sys.d!.create(ObjectType.SHARED_MEMORY_BLOB, { lookupRights: Rights.READ });
    // Rights of the asker's reference, and of the reference the home holds for the asker's kernel.
    const mine = (sys: SystemCalls, handle: number) => c.k.a!.tasks.get(sys.taskName.key)!.table.get(handle)!.rights;
    const out: number[][] = [];
    const [wide] = await c.sys.a!.lookup(plain.name);
    const [slim] = await c.sys.a!.lookup(readOnly.name);
    out.push([mine(c.sys.a!, wide!), mine(c.sys.a!, slim!)], proxyRightsTo(c.k.b!, 'a', plain.name.key));
    out.push(proxyRightsTo(c.k.d!, 'a', readOnly.name.key));
    await expectErrno(c.sys.a!.lookup(scoped.name), 'ENOENT', 'name');
    const [g] = await c.sys.a!.lookup(group.name);
    expect(g).toBeDefined();
    const [found] = await c.sys.a!.lookup(scoped.name);
    out.push([mine(c.sys.a!, found!)], proxyRightsTo(c.k.c!, 'a', scoped.name.key));
    c.check();
    return out;
  }

  it("confers the same rights as nameResolution 'broadcast' on the same scenario", async () => {
    const withDirectory = await conferred(await cluster('a', 'b', 'c', 'd', 'e'));
    const withBroadcast = await conferred(await clusterWith({ nameResolution: 'broadcast' }, 'a', 'b', 'c', 'd', 'e'));
    expect(withDirectory).toEqual(withBroadcast);
    // The scenario tells rights apart: the read-only object conferred less.
    expect(withDirectory[0]![0]).not.toBe(withDirectory[0]![1]);
  });
});

/** A raw peer on the cluster's loopback network: it answers lookups with nothing and sends what a test wants. */
function intruder(c: Cluster, id = 'mallory', onRequest?: (from: string, req: PeerRequest) => void) {
  const t = c.net.connect(id);
  t.listen(async (from, req) => {
    onRequest?.(from, req);
    if (req.kind === 'lookup') return { ok: true, objects: [] };
    return { ok: true, entries: [] };
  });
  return t;
}

/** Makes every kernel count the intruder as synced (it sends each an empty sync). */
async function introduce(c: Cluster, t: ReturnType<typeof intruder>): Promise<void> {
  for (const id of Object.keys(c.k)) {
    const reply = await t.request(id, { kind: 'directory-sync', arcs: [], names: [] });
    expect(reply.ok).toBe(true);
  }
  await synced(c);
}

const HEX = (n: number) => n.toString(16).padStart(8, '0') + 'ab'.repeat(28);

describe('adversarial peers', () => {
  it('malformed directory messages get EINVAL naming the argument and change nothing', async () => {
    const c = await cluster('a', 'b', 'c');
    await synced(c);
    const blob = await blobWithOwner(c, 'b', (o) => o === 'a');
    const t = intruder(c);
    await introduce(c, t);
    const entries = () => ['a', 'b', 'c'].map((id) => dirOf(c, id).stats.entries);
    const before = entries();
    const good = [{ name: HEX(1), seq: 1 }];
    const cases: [PeerRequest, string][] = [
      [{ kind: 'directory-add', names: 'x' } as never, 'names'],
      [{ kind: 'directory-add', names: [{ name: 'zz', seq: 1 }] } as never, 'names'],
      [{ kind: 'directory-add', names: [{ name: HEX(2).toUpperCase(), seq: 1 }] } as never, 'names'],
      [{ kind: 'directory-add', names: [...good, { name: HEX(3), seq: -1 }] } as never, 'names'],
      [{ kind: 'directory-add', names: [{ name: HEX(3), seq: 1.5 }] } as never, 'names'],
      [{ kind: 'directory-add', names: [{ name: HEX(3), seq: '1' }] } as never, 'names'],
      [{ kind: 'directory-add', names: [null] } as never, 'names'],
      [{ kind: 'directory-add', names: new Array((1 << 20) + 1) } as never, 'names'],
      [{ kind: 'directory-remove', names: [{ name: blob.name.key, seq: Number.MAX_VALUE }] } as never, 'names'],
      [{ kind: 'directory-sync', arcs: [], names: {} } as never, 'names'],
      [{ kind: 'directory-sync', arcs: 'all', names: good } as never, 'arcs'],
      [{ kind: 'directory-sync', arcs: [1], names: good } as never, 'arcs'],
      [{ kind: 'directory-sync', arcs: [-1, 5], names: good } as never, 'arcs'],
      [{ kind: 'directory-sync', arcs: [0, CIRCLE], names: good } as never, 'arcs'],
      [{ kind: 'directory-sync', arcs: [0.5, 7], names: good } as never, 'arcs'],
      [{ kind: 'directory-sync', arcs: Array.from({ length: 34 }, (_, i) => i), names: good } as never, 'arcs'],
    ];
    for (const [req, argument] of cases) {
      const reply = await t.request('a', req);
      expect(reply, JSON.stringify(req).slice(0, 120)).toMatchObject({
        ok: false,
        error: { code: 'EINVAL', argument },
      });
    }
    expect(entries()).toEqual(before);
    expect(dirOf(c, 'a').answer(blob.name.key).homes).toEqual(['b']);
    expect(await c.sys.c!.lookup(blob.name)).toHaveLength(1);
    c.check();
  });

  it('a peer registering names it does not hold is asked, but adds nothing false', async () => {
    const c = await cluster('a', 'b', 'c');
    const asked: string[] = [];
    const t = intruder(c, 'mallory', (_from, req) => {
      if (req.kind === 'lookup') asked.push(req.name);
    });
    await introduce(c, t);
    const real = await blobWithOwner(c, 'b', (o) => o === 'c');
    const fake = Name.random();
    for (const key of [real.name.key, fake.key]) {
      const owner = dirOf(c, 'a').ownerOf(key);
      if (owner === 'mallory') continue;
      expect((await t.request(owner, { kind: 'directory-add', names: [{ name: key, seq: 1 }] })).ok).toBe(true);
    }
    const found = await c.sys.a!.lookup(real.name);
    expect(found).toHaveLength(1);
    expect(c.sys.a!.ref(found[0]!).proximity).not.toBe('local-memory');
    expect(asked).toContain(real.name.key);
    await expectErrno(c.sys.a!.lookup(fake), 'ENOENT', 'name');
    c.check();
  });

  it("a peer cannot remove another home's entry: entries are keyed by their sender", async () => {
    const c = await cluster('a', 'b', 'c');
    const t = intruder(c);
    await introduce(c, t);
    const blob = await blobWithOwner(c, 'b', (o) => o === 'c');
    const reply = await t.request('c', {
      kind: 'directory-remove',
      names: [{ name: blob.name.key, seq: Number.MAX_SAFE_INTEGER }],
    });
    expect(reply.ok).toBe(true);
    expect(dirOf(c, 'c').answer(blob.name.key)).toEqual({ homes: ['b'], complete: true });
    // Its own entry for the name it can add and remove (with a seq no older than the add's).
    await t.request('c', { kind: 'directory-add', names: [{ name: blob.name.key, seq: 5 }] });
    expect(dirOf(c, 'c').answer(blob.name.key).homes.sort()).toEqual(['b', 'mallory']);
    await t.request('c', { kind: 'directory-remove', names: [{ name: blob.name.key, seq: 4 }] });
    expect(dirOf(c, 'c').answer(blob.name.key).homes.sort()).toEqual(['b', 'mallory']);
    await t.request('c', { kind: 'directory-remove', names: [{ name: blob.name.key, seq: 5 }] });
    expect(dirOf(c, 'c').answer(blob.name.key).homes).toEqual(['b']);
    const before = c.link.a!.lookupStats;
    expect(await c.sys.a!.lookup(blob.name)).toHaveLength(1);
    expect(c.link.a!.lookupStats.broadcasts).toBe(before.broadcasts);
    c.check();
  });

  /** A cluster where 'mallory' answers every directory lookup with `reply`, and a name whose shard it is. */
  async function lyingShard(reply: Record<string, unknown>): Promise<{ c: Cluster; name: Name }> {
    const c = await cluster('a', 'b', 'c');
    const t = c.net.connect('mallory');
    t.listen(async (_from, req) => {
      if (req.kind === 'lookup' && req.directory === true) return { ok: true, objects: [], ...reply } as never;
      return { ok: true, objects: [], entries: [] };
    });
    await introduce(c, t);
    let name = Name.random();
    while (dirOf(c, 'a').ownerOf(name.key) !== 'mallory') name = Name.random();
    return { c, name };
  }

  // A remote shard's `homes` are checked: only kernels on the asker's circle are asked (a shard naming a kernel that does
  // not exist would otherwise turn the ENOENT a lookup owes into EHOSTDOWN), and a list longer than the circle is refused.
  it('a shard that names homes no kernel knows does not turn ENOENT into EHOSTDOWN', async () => {
    const { c, name } = await lyingShard({ homes: ['ghost-1', 'ghost-2'], complete: true });
    await expectErrno(c.sys.a!.lookup(name), 'ENOENT', 'name');
  });

  // A list of 500 homes is refused (the lookup broadcasts to the few kernels there are instead).
  it("a shard's reply cannot make one lookup send hundreds of requests", async () => {
    const { c, name } = await lyingShard({
      homes: Array.from({ length: 500 }, (_, i) => `ghost-${i}`),
      complete: true,
    });
    const before = c.link.a!.lookupStats;
    // Whatever the lookup answers (EHOSTDOWN today), only the requests it sent count here.
    await c.sys.a!.lookup(name).catch((e: unknown) => e);
    expect(c.link.a!.lookupStats.requests - before.requests).toBeLessThanOrEqual(4);
  });

  // Homes that are not an array of ids (a number, a string, an object) are refused, not taken apart.
  it("a shard's reply with homes of the wrong type fails the lookup with a DiosError, not a crash", async () => {
    for (const homes of [42, 'bc', { 0: 'b' }, [7, null]]) {
      const { c, name } = await lyingShard({ homes, complete: true });
      const outcome = await c.sys.a!.lookup(name).then(
        (found) => ({ found: found.length }),
        (e: { code?: string; name?: string }) => ({ code: e.code ?? e.name }),
      );
      expect(outcome, JSON.stringify(homes)).toEqual({ code: 'ENOENT' });
      c.check();
    }
  });

  it('a peer that never answers its directory-sync leaves shards incomplete: lookups broadcast and find everything', async () => {
    const c = await cluster('a', 'b', 'c');
    // Answers lookups (with nothing), never a sync, and never sends one.
    const t = c.net.connect('silent');
    t.listen((_from, req) =>
      req.kind === 'directory-sync' ? new Promise(() => {}) : Promise.resolve({ ok: true, objects: [] }),
    );
    const late = await Kernel.boot({ id: 'late', cluster: c.name });
    c.k.late = late;
    c.link.late = late.join(c.net.connect('late'));
    c.sys.late = await late.attachTask(['host-late'], undefined, { lookupRights: Rights.ALL });
    const names: Name[] = [];
    for (const id of ['a', 'b', 'c', 'late']) names.push((await c.sys[id]!.create(ObjectType.SHARED_MEMORY_BLOB)).name);
    for (const id of ['a', 'b', 'c', 'late']) {
      expect(dirOf(c, id).stats.unsynced).toBeGreaterThan(0);
      const before = c.link[id]!.lookupStats;
      for (const name of names) expect(await c.sys[id]!.lookup(name), `${id} looks up`).toHaveLength(1);
      expect(c.link[id]!.lookupStats.broadcasts).toBeGreaterThan(before.broadcasts);
    }
    for (const id of ['a', 'b', 'c', 'late']) c.k[id]!.checkInvariants();
  });
});

describe('mixed clusters', () => {
  it("a kernel joined with nameResolution 'broadcast' among directory kernels finds and is found", async () => {
    const c = await cluster('a', 'b', 'c', 'd');
    const z = await Kernel.boot({ id: 'z', cluster: c.name });
    const zLink = z.join(c.net.connect('z'), { nameResolution: 'broadcast' });
    const zSys = await z.attachTask(['host-z'], undefined, { lookupRights: Rights.ALL });
    expect(zLink.directory).toBeUndefined();
    const reply = await c.link.a!.transport.request('z', { kind: 'directory-sync', arcs: [], names: [] });
    expect(reply).toMatchObject({ ok: false, error: { code: 'ENOTSUP' } });
    const names: Name[] = [(await zSys.create(ObjectType.SHARED_MEMORY_BLOB)).name];
    for (const id of ['a', 'b', 'c', 'd']) names.push((await c.sys[id]!.create(ObjectType.SHARED_MEMORY_BLOB)).name);
    for (const sys of [zSys, c.sys.a!, c.sys.b!, c.sys.c!, c.sys.d!])
      for (const name of names) expect(await sys.lookup(name)).toHaveLength(1);
    // The directory kernels wait for z's names forever: every lookup of theirs goes to everyone.
    expect(dirOf(c, 'a').stats.unsynced).toBe(1);
    c.check();
    z.checkInvariants();
  });
});
