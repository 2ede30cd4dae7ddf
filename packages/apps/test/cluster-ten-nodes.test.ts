/**
 * Ten `dios node start` processes over a real nats-server, resolving names
 * through the name directory: every node sees the nine others, a blob put on
 * each node is read from every other one with at most 3 lookup requests and
 * no broadcast once the directory is in step, and after one node is killed
 * with SIGKILL its blobs stop resolving (EHOSTDOWN, then ENOENT) while the
 * blobs whose directory shard it was are still found once its arcs are
 * rebuilt by the nodes that took them.
 */
import { Kernel, pathName } from '@dios/kernel';
import { HashRing, namePosition } from '@dios/kernel/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  natsMissing,
  peersUntil,
  sleep,
  startNatsServer,
  startNode,
  type NatsServer,
  type Node,
} from './cluster-helpers.js';

const USER = 'dios';
const PASS = 'ten-nodes-pw';
// Ten processes share two cores here: a deadline of a few heartbeats that a busy node may miss would drop live nodes.
const DEAD_MS = 3000;
const IDS = Array.from({ length: 10 }, (_, i) => `n${i}`);
const VICTIM = 'n9';
const LIVE = IDS.filter((id) => id !== VICTIM);
const CLUSTER = `ten${process.pid}`;
const missing = natsMissing();

let server: NatsServer | undefined;
const nodes = new Map<string, Node>();
const node = (id: string): Node => nodes.get(id)!;

/** The counters a node's `lookups` line reports. */
interface Counts {
  lookups: number;
  broadcasts: number;
  requests: number;
  entries: number;
  unsynced: number;
}

async function counts(id: string): Promise<Counts> {
  const reply = await node(id).ask('lookups');
  const m = /^lookups (\d+) broadcasts (\d+) requests (\d+) entries (\d+) unsynced (\d+)$/.exec(reply);
  if (m === null) throw new Error(`${id}: unexpected lookups line '${reply}'`);
  const [lookups = 0, broadcasts = 0, requests = 0, entries = 0, unsynced = 0] = m.slice(1).map(Number);
  return { lookups, broadcasts, requests, entries, unsynced };
}

async function allCounts(ids: readonly string[]): Promise<Map<string, Counts>> {
  return new Map(await Promise.all(ids.map(async (id) => [id, await counts(id)] as const)));
}

// What the lookups of every node in `ids` sent between two snapshots, summed.
function sent(before: Map<string, Counts>, after: Map<string, Counts>, ids: readonly string[]) {
  let lookups = 0;
  let broadcasts = 0;
  let requests = 0;
  for (const id of ids) {
    lookups += after.get(id)!.lookups - before.get(id)!.lookups;
    broadcasts += after.get(id)!.broadcasts - before.get(id)!.broadcasts;
    requests += after.get(id)!.requests - before.get(id)!.requests;
  }
  return { lookups, broadcasts, requests };
}

/**
 * Polls until no node of `ids` waits to hear from a peer before its shard
 * counts complete, and returns the gets it made. A node that joined before
 * it heard its peers (over NATS, every node) syncs with them only once its
 * shard is asked: gets of names nobody holds, spread over the circle, ask
 * every shard.
 */
async function untilSynced(ids: readonly string[], ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let probes = 0;
  for (let round = 0; ; round++) {
    const all = await allCounts(ids);
    if ([...all.values()].every((c) => c.unsynced === 0)) return probes;
    if (Date.now() > deadline) throw new Error(`still unsynced after ${ms} ms: ${JSON.stringify([...all])}`);
    await Promise.all(
      ids.map(async (id) => {
        for (let i = 0; i < 8; i++) {
          probes++;
          expect(await node(id).ask(`get /probe/${round}/${id}/${i}`)).toMatch(/^error ENOENT /);
        }
      }),
    );
    await sleep(100);
  }
}

// The kernel whose shard holds the object at `path` on a circle of `members` (as every node computes it).
async function shardOf(probe: Kernel, path: string, members: readonly string[]): Promise<string> {
  // The cluster's root group, the first group of every node's init task (where the control lines' paths live).
  const name = await pathName(probe.init.groupNames[0]!, path);
  const ring = new HashRing();
  for (const id of members) ring.add(id);
  return ring.owner(namePosition(name.key))!;
}

// A path, put on node `holder`, whose shard is the victim: what must survive the victim's death.
const orphans = new Map<string, string>();

beforeAll(async () => {
  if (missing !== undefined) return;
  const started = Date.now();
  server = await startNatsServer({ config: 'max_payload: 8MB\n', args: ['--user', USER, '--pass', PASS] });
  const o = { url: server.url, cluster: CLUSTER, user: USER, pass: PASS, deadMs: DEAD_MS };
  const up = await Promise.all(IDS.map((id) => startNode(id, o, 90_000)));
  IDS.forEach((id, i) => nodes.set(id, up[i]!));
  const probe = await Kernel.boot({ id: 'shard-probe', cluster: CLUSTER });
  for (const holder of LIVE)
    for (let i = 0; ; i++) {
      const path = `/orphan/${holder}/${i}`;
      if ((await shardOf(probe, path, IDS)) === VICTIM) {
        orphans.set(holder, path);
        break;
      }
    }
  console.log(`ten nodes up in ${Date.now() - started} ms`);
}, 150_000);

afterAll(() => {
  for (const n of nodes.values()) n.child.kill('SIGKILL');
  server?.stop();
});

describe.skipIf(missing !== undefined)('ten dios node processes over NATS, names through the directory', () => {
  it('every node lists the nine others', async () => {
    await Promise.all(
      IDS.map(async (id) => {
        const others = IDS.filter((o) => o !== id);
        expect(await peersUntil(node(id), (p) => others.every((o) => p.includes(o)), 20_000)).toEqual(others);
      }),
    );
  }, 30_000);

  it('a blob put on each node is read back on every other, by asking the shard and the home: no broadcast', async () => {
    const probes = await untilSynced(IDS, 20_000);
    console.log(`directory in step after ${probes} probe gets`);
    const before = await allCounts(IDS);
    await Promise.all(IDS.map(async (id) => expect(await node(id).ask(`put /ten/${id} bytes of ${id}`)).toBe('ok')));
    await Promise.all(
      LIVE.map(async (id) => expect(await node(id).ask(`put ${orphans.get(id)!} orphan of ${id}`)).toBe('ok')),
    );
    await Promise.all(
      IDS.map(async (reader) => {
        for (const holder of IDS)
          if (holder !== reader) expect(await node(reader).ask(`get /ten/${holder}`)).toBe(`bytes of ${holder}`);
      }),
    );
    const after = await allCounts(IDS);
    const s = sent(before, after, IDS);
    console.log(`puts and gets: ${JSON.stringify(s)}`);
    // Every put looked its path up first (a miss), every get once: the directory vouched for each answer.
    expect(s.lookups).toBeGreaterThanOrEqual(IDS.length * (IDS.length - 1));
    expect(s.broadcasts).toBe(0);
    expect(s.requests).toBeLessThanOrEqual(3 * s.lookups);
  }, 60_000);

  it(`after ${VICTIM} is killed, its blobs give EHOSTDOWN then ENOENT; blobs whose shard it was are still found`, async () => {
    // The victim's shard holds at least the orphans' entries: its loss is what the rest of this test is about.
    expect((await counts(VICTIM)).entries).toBeGreaterThanOrEqual(orphans.size);
    const victim = node(VICTIM).child;
    const exited = new Promise((r) => victim.once('exit', r));
    victim.kill('SIGKILL');
    await exited;
    expect(await node('n0').ask(`get /ten/${VICTIM}`, 20_000)).toMatch(/^error (EHOSTDOWN|ENOENT) /);
    await Promise.all(LIVE.map((id) => peersUntil(node(id), (p) => !p.includes(VICTIM), DEAD_MS + 10_000)));
    const probes = await untilSynced(LIVE, 20_000);
    console.log(`arcs of ${VICTIM} rebuilt after ${probes} probe gets`);
    const before = await allCounts(LIVE);
    await Promise.all(
      LIVE.map(async (reader) => {
        expect(await node(reader).ask(`get /ten/${VICTIM}`)).toMatch(/^error ENOENT /);
        for (const [holder, path] of orphans) expect(await node(reader).ask(`get ${path}`)).toBe(`orphan of ${holder}`);
      }),
    );
    const s = sent(before, await allCounts(LIVE), LIVE);
    console.log(`after the loss: ${JSON.stringify(s)}`);
    expect(s.broadcasts).toBe(0);
    expect(s.requests).toBeLessThanOrEqual(3 * s.lookups);
    for (const id of LIVE) expect(node(id).stderr()).toBe('');
  }, 60_000);
});
