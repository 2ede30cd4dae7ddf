/**
 * Names at data-centre scale (issue 18): what a remote lookup costs as the
 * cluster grows, with the name directory against the broadcast it replaced,
 * measured in the same run.
 *
 * - Loopback, 10, 100 and 1,000 kernels in this process (scale-cluster.ts):
 *   transport requests per remote lookup plus release (every request the
 *   transports sent, counted by wrapping their `request()`), lookup latency,
 *   boot time, and heap per kernel after a GC. Targets: at most 3 requests
 *   per lookup at every N; directory latency at 1,000 within 2x of that at 10.
 * - NATS, 3 and 10 `dios node start` processes (the built CLI) with this
 *   process joining as a client kernel: remote lookup latency of names the
 *   nodes hold (target: 10 nodes within 1.5x of 3), and the rate of task
 *   starts placed on the nodes from the client. Skipped when nats-server is
 *   missing, unless DIOS_REQUIRE_SERVICES=1.
 *
 *   npm run bench:scale
 *   SCALE_FULL=1 npm run bench:scale     (more samples)
 *   SCALE_NATS=0 npm run bench:scale     (loopback only)
 *   SCALE_SIZES=10,100 npm run bench:scale   (other loopback sizes; the last is the heap and latency target's)
 * @module
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { ObjectType, type NameResolution, type SystemCalls } from '@dios/kernel';
import { median, printTable } from './harness.js';
import { scaleCluster, tick, type ScaleCluster } from './scale-cluster.js';
import { natsPart, type NatsFigures } from './scale-nats.js';

const FULL = process.env.SCALE_FULL === '1';
const SIZES = (process.env.SCALE_SIZES ?? '10,100,1000').split(',').map(Number);
const MODES: readonly NameResolution[] = ['directory', 'broadcast'];
// Names looked up per cluster, each held by one kernel and looked up from another (both picked at random).
const PAIRS = 16;
const ROUNDS = FULL ? 20 : 5;

// A GC on demand without a node flag (the npm script stays a plain tsx run).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** What one loopback cluster measured. */
interface LoopbackFigures {
  n: number;
  mode: NameResolution;
  bootMs: number;
  syncMs: number;
  heapPerKernel: number;
  /** Requests per lookup + release: median and largest. */
  requests: number;
  maxRequests: number;
  /** Lookup + release latency, median, µs. */
  latencyUs: number;
  broadcasts: number;
  lookups: number;
}

// A deterministic generator, so both modes look up the same pairs.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function measureLoopback(n: number, mode: NameResolution): Promise<LoopbackFigures> {
  const before = heapAfterGc();
  // Never closed: at 1,000 kernels the departures cost more than the rest of the bench; it is dropped for the GC.
  const c: ScaleCluster = await scaleCluster(n, mode);
  // One macrotask first: what the boot's last promise chains still hold is garbage only once they have run.
  await tick();
  const heapPerKernel = (heapAfterGc() - before) / n;
  const rand = random(n);
  const pairs: { name: Parameters<SystemCalls['lookup']>[0]; asker: number }[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const home = Math.floor(rand() * n);
    const asker = (home + 1 + Math.floor(rand() * (n - 1))) % n;
    const { name } = await c.sys[home]!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal', capacity: 64 });
    pairs.push({ name, asker });
  }
  const once = async (p: (typeof pairs)[number]): Promise<{ us: number; requests: number }> => {
    const sent = c.requests.total;
    const t0 = performance.now();
    const [h] = await c.sys[p.asker]!.lookup(p.name);
    if (h === undefined) throw new Error(`lookup from k${p.asker} found nothing`);
    await c.sys[p.asker]!.delete(h);
    const us = (performance.now() - t0) * 1000;
    // The release may still be on its way: let it go out before counting.
    await tick();
    return { us, requests: c.requests.total - sent };
  };
  // First contact between two kernels sets up their proxy tasks: not what is measured.
  for (const p of pairs) await once(p);
  const stats = () => c.links.reduce((s, l) => s + l.lookupStats.broadcasts, 0);
  const lookupsBefore = c.links.reduce((s, l) => s + l.lookupStats.lookups, 0);
  const broadcastsBefore = stats();
  const us: number[] = [];
  const requests: number[] = [];
  for (let r = 0; r < ROUNDS; r++)
    for (const p of pairs) {
      const m = await once(p);
      us.push(m.us);
      requests.push(m.requests);
    }
  const figures: LoopbackFigures = {
    n,
    mode,
    bootMs: c.bootMs,
    syncMs: c.syncMs,
    heapPerKernel,
    requests: median(requests),
    maxRequests: Math.max(...requests),
    latencyUs: median(us),
    broadcasts: stats() - broadcastsBefore,
    lookups: c.links.reduce((s, l) => s + l.lookupStats.lookups, 0) - lookupsBefore,
  };
  console.log(
    `  ${n} kernels, ${mode}: boot ${(c.bootMs / 1000).toFixed(2)} s (+ ${c.syncMs.toFixed(0)} ms until every shard synced), ` +
      `${figures.requests} requests/lookup (max ${figures.maxRequests}), ${figures.latencyUs.toFixed(0)} µs, ` +
      `heap ${(heapPerKernel / 1024).toFixed(0)} KiB/kernel`,
  );
  return figures;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} µs`);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

async function main(): Promise<void> {
  console.log(`Loopback: ${PAIRS} names x ${ROUNDS} rounds of lookup + release per cluster`);
  const loop: LoopbackFigures[] = [];
  for (const n of SIZES) for (const mode of MODES) loop.push(await measureLoopback(n, mode));
  let nats: NatsFigures | string;
  if (process.env.SCALE_NATS === '0') nats = 'skipped: SCALE_NATS=0';
  else nats = await natsPart({ full: FULL });

  const at = (n: number, mode: NameResolution) => loop.find((f) => f.n === n && f.mode === mode);
  const checks: boolean[] = [];
  console.log('');
  console.log(
    `DIOS name resolution at scale: loopback kernels in one process (directory vs broadcast, same run), medians of ${PAIRS * ROUNDS} lookups`,
  );
  console.log('');
  const rows: string[][] = [['measure', 'directory', 'broadcast', 'ratio', 'target', 'result']];
  for (const n of SIZES) {
    const d = at(n, 'directory')!;
    const b = at(n, 'broadcast')!;
    const ok = d.maxRequests <= 3;
    checks.push(ok);
    rows.push([
      `requests per lookup + release, ${n} kernels (max)`,
      `${d.requests} (${d.maxRequests})`,
      `${b.requests} (${b.maxRequests})`,
      (d.requests / b.requests).toFixed(3),
      '<= 3',
      verdict(ok),
    ]);
  }
  const first = SIZES[0]!;
  for (const n of SIZES) {
    const d = at(n, 'directory')!;
    const b = at(n, 'broadcast')!;
    const small = at(first, 'directory')!;
    const target = n === SIZES.at(-1) && n !== first;
    const ok = d.latencyUs <= 2 * small.latencyUs;
    if (target) checks.push(ok);
    rows.push([
      `lookup + release latency, ${n} kernels`,
      ms(d.latencyUs),
      ms(b.latencyUs),
      (d.latencyUs / b.latencyUs).toFixed(2),
      target ? `<= 2x ${first} kernels (${ms(2 * small.latencyUs)})` : '-',
      target ? verdict(ok) : 'info',
    ]);
  }
  for (const n of SIZES) {
    const d = at(n, 'directory')!;
    const b = at(n, 'broadcast')!;
    rows.push([
      `boot, ${n} kernels (directory: + until synced)`,
      `${(d.bootMs / 1000).toFixed(2)} s + ${(d.syncMs / 1000).toFixed(2)} s`,
      `${(b.bootMs / 1000).toFixed(2)} s`,
      (d.bootMs / b.bootMs).toFixed(1),
      '-',
      'info',
    ]);
  }
  const big = SIZES.at(-1)!;
  rows.push([
    `heap per kernel after GC, ${big} kernels`,
    kib(at(big, 'directory')!.heapPerKernel),
    kib(at(big, 'broadcast')!.heapPerKernel),
    (at(big, 'directory')!.heapPerKernel / at(big, 'broadcast')!.heapPerKernel).toFixed(2),
    '-',
    'info',
  ]);
  if (typeof nats !== 'string') {
    for (const row of nats.rows) rows.push(row);
    checks.push(...nats.checks);
  }
  printTable(rows);
  console.log('');
  console.log(
    "requests: every transport request any kernel sent from the lookup to the release (lookup requests, the release, anything else under way), counted by wrapping each loopback transport's request(); " +
      'the broadcast asks every other kernel, so N-1 lookups + 1 release = N.',
  );
  console.log(
    `latency: lookup by name from a host task on another kernel, then delete of the reference it got (the release goes to the home); ${PAIRS} names, each held by a random kernel and looked up from another random kernel, after one warm-up lookup per pair. ` +
      `Directory lookups that fell back to the broadcast: ${SIZES.map((n) => `${at(n, 'directory')!.broadcasts}/${at(n, 'directory')!.lookups} at ${n}`).join(', ')}.`,
  );
  console.log(
    'heap: heapUsed after three forced GCs with the cluster booted (and one macrotask later, once the boot promise chains are done; kernels, links, one host task each, the 16 blobs not yet made), minus the same before booting, divided by N.',
  );
  if (typeof nats === 'string') console.log(`NATS: ${nats}`);
  else for (const line of nats.notes) console.log(line);
  console.log('');
  console.log(`targets met: ${checks.filter(Boolean).length}/${checks.length}`);
}

await main();
process.exit(0);
