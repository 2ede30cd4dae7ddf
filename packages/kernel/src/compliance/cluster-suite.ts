/**
 * The cluster compliance suite: what several kernels joined over a transport
 * must do for their tasks (lookup, remote I/O, streams, select, copy, remote
 * run, pause, errors), written once and run against every transport. Tasks
 * act only through the system calls; the host side only boots kernels,
 * registers programs, takes a node down and checks invariants.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  ANY_KERNEL,
  BeginReadFlags,
  BeginWriteFlags,
  CreateFlags,
  DeleteFlags,
  DiosError,
  EndWriteFlags,
  EXIT_PEER_GONE,
  LookupFlags,
  Name,
  ObjectType,
  PauseFlags,
  pathName,
  pathSeed,
  programBinary,
  PROXIMITY_SCALE,
  Rights,
  RunFlags,
  SelectFlags,
  type ErrnoCode,
  type Kernel,
  type Program,
  type SystemCalls,
} from '@dios/kernel';
import { REMOTE_CHUNK_BYTES } from '@dios/kernel/testing';
import { concatBytes, dec, enc, pattern, sameBytes, sleep } from './bytes.js';
import { blobWith, expectErrno, readAll, writeAll } from './calls.js';

/** Kernels booted for one case: same cluster name, joined over the transport under test, all hearing each other. */
export interface ClusterNodes {
  /** The kernels by id, in the order asked for. */
  readonly kernels: Readonly<Record<string, Kernel>>;
  /** Crashes node `id` as far as the others can tell (no goodbye): its objects become unreachable. */
  takeDown(id: string): Promise<void>;
  /** Releases everything (called after each case, also after a failure). */
  teardown(): Promise<void>;
}

/** What a transport under test provides: its name and how to boot a cluster of kernels joined over it. */
export interface ClusterTestSetup {
  /** Names the transport in the suite's title. */
  readonly name: string;
  /**
   * Boots one kernel per id in a fresh cluster (a cluster name of its own) and
   * joins them over the transport; resolves once every kernel lists every
   * other as a peer. The nodes' teardown releases them.
   */
  setup(ids: readonly string[]): Promise<ClusterNodes>;
  /** How soon after takeDown calls on the downed node's objects must fail with EHOSTDOWN. */
  downWithinMs: number;
  /** Per-case timeout (default 10 s). */
  caseTimeoutMs?: number;
}

/** A booted cluster as the cases see it: a host task (member of the shared root group) per kernel. */
interface Nodes extends ClusterNodes {
  readonly sys: Readonly<Record<string, SystemCalls>>;
  check(...ids: string[]): void;
}

let programs = 0;

/** Settles `p` or fails once `ms` have passed (so a hang is a failure, not a test timeout). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Asserts `p` rejects with `code` within `ms`; returns how long it took. */
async function failsWithin(p: Promise<unknown>, code: ErrnoCode, ms: number, what: string): Promise<number> {
  const start = Date.now();
  const outcome = await within(
    p.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    ms,
    what,
  );
  expect(outcome.ok, `${what}: expected ${code}, got ${JSON.stringify(outcome.ok ? outcome.value : undefined)}`).toBe(false);
  const error = (outcome as { error: unknown }).error;
  expect(error, `${what}: ${String(error)}`).toBeInstanceOf(DiosError);
  expect((error as DiosError).code, `${what}: ${(error as DiosError).message}`).toBe(code);
  return Date.now() - start;
}

/** Polls `check` until true; fails after `ms`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await sleep(5);
  }
}

/** Registers `program` on every kernel under one fresh id; returns the binary's bytes. */
function installEverywhere(n: Nodes, program: Program): Uint8Array {
  const id = `cc-${++programs}`;
  for (const k of Object.values(n.kernels)) k.registerProgram(id, program);
  return programBinary(id);
}

/** Reads a stream through `ref` until end-of-stream; returns everything read. */
async function drain(sys: SystemCalls, ref: number, length = 2 ** 31 - 1): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (;;) {
    const buf = await sys.beginRead(ref, { length });
    const part = buf.slice();
    await sys.endRead(ref, buf);
    if (part.length === 0) break;
    parts.push(part);
  }
  return concatBytes(parts);
}

/** Writes `bytes` to a stream in chunks of `chunk` bytes, ending it with the last one. */
async function feed(sys: SystemCalls, ref: number, bytes: Uint8Array, chunk: number): Promise<void> {
  for (let off = 0; off < bytes.length; off += chunk) {
    const part = bytes.subarray(off, Math.min(off + chunk, bytes.length));
    const buf = await sys.beginWrite(ref, part.length);
    buf.set(part);
    await sys.endWrite(ref, buf, {}, off + chunk >= bytes.length ? EndWriteFlags.END_OF_STREAM : 0);
  }
}

/**
 * Declares the kernel-level cluster contract's tests (vitest `describe`/`it`
 * blocks) against the clusters `common.setup` boots: call it at the top
 * level of a test file.
 *
 * @example
 * ```ts
 * import { Kernel, LoopbackNetwork, type LoopbackTransport } from '@dios/kernel';
 * import { clusterCompliance } from '@dios/kernel/compliance';
 *
 * let clusters = 0;
 * clusterCompliance({
 *   name: 'loopback',
 *   downWithinMs: 500,
 *   async setup(ids) {
 *     const net = new LoopbackNetwork();
 *     const cluster = `cc-${++clusters}`;
 *     const kernels: Record<string, Kernel> = {};
 *     const transports: LoopbackTransport[] = [];
 *     for (const id of ids) {
 *       kernels[id] = await Kernel.boot({ id, cluster });
 *       transports.push(net.connect(id));
 *       kernels[id].join(transports.at(-1)!);
 *     }
 *     return {
 *       kernels,
 *       takeDown: async (id) => net.partition(id),
 *       teardown: async () => { await Promise.all(transports.map((t) => t.close())); },
 *     };
 *   },
 * });
 * ```
 */
export function clusterCompliance(common: ClusterTestSetup): void {
  const timeout = common.caseTimeoutMs ?? 10_000;
  const downMs = common.downWithinMs;

  describe(`Cluster compliance: ${common.name}`, () => {
    let current: ClusterNodes | undefined;

    afterEach(async () => {
      const c = current;
      current = undefined;
      await c?.teardown();
    });

    async function boot(...ids: string[]): Promise<Nodes> {
      const nodes = await common.setup(ids);
      current = nodes;
      expect(Object.keys(nodes.kernels)).toEqual(ids);
      const sys: Record<string, SystemCalls> = {};
      // With lookup mask rwxd: the suite hands references to host tasks it finds by name (a task's default mask is r--d).
      for (const id of ids) sys[id] = await nodes.kernels[id]!.attachTask([`host-${id}`], undefined, { lookupRights: Rights.ALL });
      return {
        ...nodes,
        sys,
        check(...only: string[]) {
          for (const id of only.length > 0 ? only : ids) nodes.kernels[id]!.checkInvariants();
        },
      };
    }

    describe('lookup', () => {
      it('finds objects and tasks of other kernels by name, and objects by path in the shared root group', async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        // Kernels of one cluster share the root group by name: that is what makes names resolve across.
        expect(a.groupNames[0]!.key).toBe(b.groupNames[0]!.key);
        const onB = await blobWith(b, enc('made on b'));
        const found = await a.lookup(onB.name);
        expect(found).toHaveLength(1);
        expect(dec((await readAll(a, found[0]!)).bytes)).toBe('made on b');

        // By path: c creates under a path seed; a computes the name from the path alone.
        const path = '/data/../data/./input.txt';
        const created = await c.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: pathSeed(path) }, CreateFlags.NAME_DETERMINISTIC);
        await writeAll(c, created.ref, enc('by path'));
        const byPath = await pathName(a.groupNames[0]!, '/data/input.txt');
        expect(byPath.key).toBe(created.name.key);
        const [p] = await a.lookup(byPath.key);
        expect(dec((await readAll(a, p!)).bytes)).toBe('by path');

        // A task is found by its name too.
        const [task] = await a.lookup(c.taskName);
        expect(a.ref(task!).type).toBe(ObjectType.TASK);
        expect(a.ref(task!).task?.state).toBe('running');
        n.check();
      }, timeout);

      it('a group found on another kernel scopes names on both: what either side creates in it, the other finds', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        // Made to be written by whoever finds it (a group's default lookup mask, r--d, confers no WRITE).
        const group = await b.create(ObjectType.GROUP, { lookupRights: Rights.ALL });
        const onB = await b.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
        const [g] = await a.lookup(group.name);
        expect(a.ref(g!).type).toBe(ObjectType.GROUP);
        const onA = await a.create(ObjectType.SHARED_MEMORY_BLOB, { group: g! });
        await writeAll(a, onA.ref, enc('made on a in b’s group'));
        await writeAll(b, onB.ref, enc('made on b'));
        const [fromB] = await b.lookup(onA.name);
        expect(b.ref(fromB!).proximity).toBe('remote-memory-1hop');
        expect(dec((await readAll(b, fromB!)).bytes)).toBe('made on a in b’s group');
        const [fromA] = await a.lookup(onB.name);
        expect(dec((await readAll(a, fromA!)).bytes)).toBe('made on b');
        // A third task with neither group reference finds neither.
        const outsider = await n.kernels.a!.attachTask(['outsider']);
        await expectErrno(outsider.lookup(onA.name), 'ENOENT', 'name');
        await expectErrno(outsider.lookup(onB.name), 'ENOENT', 'name');
        n.check();
      }, timeout);

      it('returns one reference per kernel holding the name, local first', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const onA = await a.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'twin' }, CreateFlags.NAME_DETERMINISTIC);
        const onB = await b.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'twin' }, CreateFlags.NAME_DETERMINISTIC);
        expect(onA.name.key).toBe(onB.name.key);
        await writeAll(a, onA.ref, enc('copy on a'));
        await writeAll(b, onB.ref, enc('copy on b'));
        const handles = await a.lookup(onA.name);
        expect(handles.map((h) => a.ref(h).proximity)).toEqual(['local-memory', 'remote-memory-1hop']);
        expect(await Promise.all(handles.map(async (h) => dec((await readAll(a, h)).bytes)))).toEqual(['copy on a', 'copy on b']);
        n.check();
      }, timeout);

      it('ENOENT for a name held nowhere; LOCAL_ONLY does not ask peers', async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        await expectErrno(a.lookup(Name.random()), 'ENOENT', 'name');
        const onB = await blobWith(b, enc('x'));
        await expectErrno(a.lookup(onB.name, LookupFlags.LOCAL_ONLY), 'ENOENT', 'name');
        expect(await b.lookup(onB.name, LookupFlags.LOCAL_ONLY)).toHaveLength(1);
        // Private memory never leaves its kernel.
        const priv = await b.create(ObjectType.PRIVATE_MEMORY_BLOB);
        await expectErrno(a.lookup(priv.name), 'ENOENT', 'name');
        // A group the looking task holds no reference to is no scope.
        const group = await b.create(ObjectType.GROUP);
        const hidden = await b.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
        await expectErrno(a.lookup(hidden.name), 'ENOENT', 'name');
        const [g] = await a.lookup(group.name);
        expect(await a.lookup(hidden.name)).toHaveLength(1);
        await a.delete(g!);
        await expectErrno(a.lookup(hidden.name), 'ENOENT', 'name');
        n.check();
      }, timeout);
    });

    describe('remote references', () => {
      it('show the object as remote, with the size and version its home reports', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const onB = await blobWith(b, enc('twelve bytes'));
        await writeAll(b, onB.ref, enc('!'), { offset: 12 });
        const [h] = await a.lookup(onB.name);
        const view = a.ref(h!);
        expect(view.type).toBe(ObjectType.SHARED_MEMORY_BLOB);
        expect(view.proximity).toBe('remote-memory-1hop');
        expect(PROXIMITY_SCALE.indexOf(view.proximity)).toBeGreaterThan(PROXIMITY_SCALE.indexOf('local-disk'));
        expect(view.persistent).toBe(false);
        expect(view.fateShared).toBe(false);
        expect(view.open).toBe(true);
        expect(view.size).toBe(13);
        expect(view.version).toBe(b.ref(onB.ref).version);
        // The same object seen from its home is local.
        expect(b.ref(onB.ref).proximity).toBe('local-memory');
        // A remote stream and a remote task say so too.
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM);
        const [s] = await a.lookup(stream.name);
        expect([a.ref(s!).type, a.ref(s!).proximity]).toEqual([ObjectType.SHARED_MEMORY_STREAM, 'remote-memory-1hop']);
        const [t] = await a.lookup(b.taskName);
        expect([a.ref(t!).type, a.ref(t!).proximity]).toEqual([ObjectType.TASK, 'remote-memory-1hop']);
        n.check();
      }, timeout);
    });

    describe('remote blob I/O', () => {
      it('reads and writes a small remote blob; optimistic reads see commits from the other kernel', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const onB = await blobWith(b, enc('0123456789'));
        const [h] = await a.lookup(onB.name);
        expect(dec((await readAll(a, h!, { offset: 3, length: 4 })).bytes)).toBe('3456');
        await expectErrno(a.beginRead(h!, { offset: 11 }), 'EINVAL', 'options.offset');
        const before = b.ref(onB.ref).version;
        expect(await writeAll(a, h!, enc('AB'), { offset: 8 })).toBe(before + 1);
        expect(dec((await readAll(b, onB.ref)).bytes)).toBe('01234567AB');
        expect(a.ref(h!).version).toBe(before + 1);
        // A read in progress on a is invalidated by a commit on b.
        const buf = await a.beginRead(h!);
        await writeAll(b, onB.ref, enc('x'));
        expect(await a.endRead(h!, buf)).toBe(false);
        const again = await readAll(a, h!);
        expect([dec(again.bytes), again.valid]).toEqual(['x1234567AB', true]);
        // A discarded write changes nothing at home.
        const v = b.ref(onB.ref).version;
        const w = await a.beginWrite(h!, 2);
        w.set(enc('zz'));
        await a.endWrite(h!, w, {}, EndWriteFlags.DISCARD);
        expect(b.ref(onB.ref).version).toBe(v);
        n.check();
      }, timeout);

      it('moves multi-MiB blobs both ways byte for byte (past a 1 MiB message limit)', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        // Odd sizes, so no part boundary falls on a round number.
        const big = pattern(3 * 2 ** 20 + 12_345, 1);
        const onB = await blobWith(b, big);
        const [h] = await a.lookup(onB.name);
        expect(a.ref(h!).size).toBe(big.length);
        const read = await readAll(a, h!);
        expect(read.valid).toBe(true);
        expect(read.bytes.length).toBe(big.length);
        expect(sameBytes(read.bytes, big)).toBe(true);
        // Now a writes a different multi-MiB content into b's blob, truncating it.
        const other = pattern(2 * 2 ** 20 + 777, 2);
        await writeAll(a, h!, other, { offset: 0, truncate: true });
        const atHome = await readAll(b, onB.ref);
        expect(sameBytes(atHome.bytes, other)).toBe(true);
        // And a range from the middle.
        const mid = await readAll(a, h!, { offset: 2 ** 20 - 3, length: 2 ** 20 + 5 });
        expect(sameBytes(mid.bytes, other.subarray(2 ** 20 - 3, 2 * 2 ** 20 + 2))).toBe(true);
        n.check();
      }, Math.max(timeout, 20_000));

      it('moves blobs larger than a chunk (REMOTE_CHUNK_BYTES) both ways: several requests each way, the bytes whole', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const big = pattern(2 * REMOTE_CHUNK_BYTES + 4321, 5);
        const onB = await blobWith(b, big);
        const [h] = await a.lookup(onB.name);
        const read = await readAll(a, h!);
        expect(read.valid).toBe(true);
        expect(sameBytes(read.bytes, big)).toBe(true);
        const other = pattern(3 * REMOTE_CHUNK_BYTES - 1, 6);
        await writeAll(a, h!, other, { offset: 0, truncate: true });
        expect(sameBytes((await readAll(b, onB.ref)).bytes, other)).toBe(true);
        n.check();
      }, Math.max(timeout, 30_000));

      it('several multi-MiB transfers in flight at once between three kernels do not mix', async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const onB = pattern(2 * 2 ** 20 + 1, 5);
        const onC = pattern(2 * 2 ** 20 + 3, 6);
        const blobB = await blobWith(b, onB);
        const blobC = await blobWith(c, onC);
        const target = await b.create(ObjectType.SHARED_MEMORY_BLOB);
        const [bFromA] = await a.lookup(blobB.name);
        const [cFromA] = await a.lookup(blobC.name);
        const [bFromC] = await c.lookup(blobB.name);
        const [targetFromC] = await c.lookup(target.name);
        const written = pattern(3 * 2 ** 20 + 5, 7);
        // Two reads into a from different homes, one read and one write from c to b, all at once.
        const [r1, r2, r3] = await Promise.all([readAll(a, bFromA!), readAll(a, cFromA!), readAll(c, bFromC!), writeAll(c, targetFromC!, written)]);
        expect(sameBytes(r1.bytes, onB)).toBe(true);
        expect(sameBytes(r2.bytes, onC)).toBe(true);
        expect(sameBytes(r3.bytes, onB)).toBe(true);
        expect(sameBytes((await readAll(b, target.ref)).bytes, written)).toBe(true);
        n.check();
      }, Math.max(timeout, 20_000));

      it('concurrent writers on two kernels and readers everywhere: commits are atomic and all land', async () => {
        const n = await boot('a', 'b', 'c');
        const { b } = n.sys;
        const slot = 128 * 1024;
        const slots = 6;
        const onB = await blobWith(b!, new Uint8Array(slot * slots));
        // Two writer tasks on a, two on c, one on b itself; three readers.
        const writers = await Promise.all(['a', 'a', 'c', 'c', 'b', 'c'].map((k) => n.kernels[k]!.attachTask(['writer'])));
        const readers = await Promise.all(['a', 'c', 'b'].map((k) => n.kernels[k]!.attachTask(['reader'])));
        const wh = await Promise.all(writers.map(async (s) => (await s.lookup(onB.name))[0]!));
        const rh = await Promise.all(readers.map(async (s) => (await s.lookup(onB.name))[0]!));
        const expected = Array.from({ length: slots }, (_, i) => pattern(slot, 100 + i));
        let writing = true;
        let checked = 0;
        const reads = readers.map(async (s, i) => {
          while (writing) {
            // A local read settles in microtasks: yield, or the loop starves the writers' I/O.
            await sleep(0);
            const { bytes, valid } = await readAll(s, rh[i]!);
            if (!valid) continue;
            // A valid read is one snapshot: every slot wholly old (zeros) or wholly new.
            for (let j = 0; j < slots; j++) {
              const part = bytes.subarray(j * slot, (j + 1) * slot);
              const zero = part.every((x) => x === 0);
              expect(zero || sameBytes(part, expected[j]!), `reader ${i}, slot ${j}: torn`).toBe(true);
            }
            checked++;
          }
        });
        await Promise.all(writers.map((s, i) => writeAll(s, wh[i]!, expected[i]!, { offset: i * slot })));
        writing = false;
        await Promise.all(reads);
        expect(checked).toBeGreaterThan(0);
        const final = await readAll(b!, onB.ref);
        for (let j = 0; j < slots; j++) expect(sameBytes(final.bytes.subarray(j * slot, (j + 1) * slot), expected[j]!), `slot ${j}`).toBe(true);
        // Every writer's commit counted: 1 (fill) + one per writer.
        expect(b!.ref(onB.ref).version).toBe(1 + slots);
        n.check();
      }, Math.max(timeout, 20_000));
    });

    describe('remote streams', () => {
      it('a producer on one kernel and a consumer on another, both remote from the stream, reach end-of-stream', async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        // A small ring, so the producer must wait for the consumer many times.
        const stream = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4096 });
        const [onB] = await b.lookup(stream.name);
        const [onC] = await c.lookup(stream.name);
        const payload = pattern(100_000, 3);
        const producing = feed(b, onB!, payload, 3000);
        const got = await drain(c, onC!, 1000);
        await producing;
        expect(got.length).toBe(payload.length);
        expect(sameBytes(got, payload)).toBe(true);
        // The end is final: reads say so at once, writes are refused.
        const more = await c.beginRead(onC!, {}, BeginReadFlags.NONBLOCK);
        expect(more.length).toBe(0);
        await c.endRead(onC!, more);
        await expectErrno(b.beginWrite(onB!, 1), 'EPIPE');
        n.check();
      }, Math.max(timeout, 20_000));

      it('two consumers on two kernels share one stream: every record is read exactly once, in order', async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        // 8-byte records and a ring of a multiple of 8: no read can split a record.
        const stream = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 512 });
        const records = 3000;
        const consume = async (sys: SystemCalls): Promise<number[]> => {
          const [h] = await sys.lookup(stream.name);
          const seen: number[] = [];
          for (;;) {
            const buf = await sys.beginRead(h!, { length: 64 });
            const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
            const ids = Array.from({ length: buf.length / 8 }, (_, i) => view.getUint32(i * 8));
            await sys.endRead(h!, buf);
            if (buf.length === 0) return seen;
            expect(buf.length % 8).toBe(0);
            seen.push(...ids);
          }
        };
        const consumers = Promise.all([consume(b), consume(c)]);
        for (let i = 0; i < records; i += 16) {
          const count = Math.min(16, records - i);
          const buf = await a.beginWrite(stream.ref, count * 8);
          const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
          for (let j = 0; j < count; j++) {
            view.setUint32(j * 8, i + j);
            view.setUint32(j * 8 + 4, ~(i + j));
          }
          await a.endWrite(stream.ref, buf, {}, i + count >= records ? EndWriteFlags.END_OF_STREAM : 0);
        }
        const [fromB, fromC] = await within(consumers, 10_000, 'both consumers');
        for (const seen of [fromB, fromC]) expect(seen.every((x, i) => i === 0 || x > seen[i - 1]!), 'each consumer reads in order').toBe(true);
        const all = [...fromB, ...fromC].sort((x, y) => x - y);
        expect(all.length).toBe(records);
        expect(all.every((x, i) => x === i)).toBe(true);
        n.check();
      }, Math.max(timeout, 20_000));

      it('carries stream writes and reads larger than 1 MiB each', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4 * 2 ** 20 });
        const [h] = await a.lookup(stream.name);
        const payload = pattern(5 * 2 ** 20 + 11, 8);
        const producing = feed(a, h!, payload, 1.5 * 2 ** 20);
        const got = await drain(b, stream.ref);
        await producing;
        expect(got.length).toBe(payload.length);
        expect(sameBytes(got, payload)).toBe(true);
        n.check();
      }, Math.max(timeout, 20_000));

      it('a task run on another kernel pipes one stream into another; the caller feeds and drains both', async () => {
        const n = await boot('a', 'b');
        const { a } = n.sys as Record<'a', SystemCalls>;
        const binary = installEverywhere(n, async (sys) => {
          const [input] = sys.inputs;
          const [output] = sys.outputs;
          const bytes = await drain(sys, input!);
          await feed(sys, output!, bytes.map((x) => x ^ 0xff), 700);
          return bytes.length % 256;
        });
        const bin = (await blobWith(a, binary)).ref;
        const input = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 1024 });
        const output = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 1024 });
        const t = await a.run(bin, { argv: ['pipe'], inputs: [input.ref], outputs: [output.ref], kernel: 'b' });
        // Far more than either ring holds: the remote task reads as it comes.
        const payload = pattern(20_000, 4);
        await feed(a, input.ref, payload, 900);
        const out = await drain(a, output.ref);
        expect(sameBytes(out, payload.map((x) => x ^ 0xff))).toBe(true);
        expect(await a.select([t], { timeoutMs: 3000 })).toBe(t);
        expect(a.ref(t).task).toEqual({ state: 'exited', exitStatus: payload.length % 256 });
        n.check();
      }, timeout);
    });

    describe('select on remote objects', () => {
      it('wakes when a remote stream gets data, a remote task exits; ETIMEDOUT when nothing comes', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const [h] = await a.lookup(stream.name);
        const started = Date.now();
        await failsWithin(a.select([h!], { timeoutMs: 200 }), 'ETIMEDOUT', 3000, 'select with nothing ready');
        expect(Date.now() - started).toBeGreaterThanOrEqual(190);
        await failsWithin(a.select([h!], { timeoutMs: 0 }), 'ETIMEDOUT', 3000, 'polling select');
        let woke = false;
        const waiting = a.select([h!], { timeoutMs: 5000 }).then((r) => {
          woke = true;
          return r;
        });
        await sleep(100);
        expect(woke).toBe(false);
        await writeAll(b, stream.ref, enc('ping'));
        expect(await within(waiting, 3000, 'select after a write at home')).toBe(h);
        expect(dec((await readAll(a, h!)).bytes)).toBe('ping');
        // Writable: a remote stream with free room is ready for writing at once.
        expect(await a.select([h!], { timeoutMs: 1000 }, SelectFlags.WRITE)).toBe(h);

        // Among several references, the one that becomes ready is returned.
        const other = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const [o] = await a.lookup(other.name);
        const both = a.select([h!, o!], { timeoutMs: 5000 });
        await sleep(50);
        await writeAll(b, other.ref, enc('pong'));
        expect(await within(both, 3000, 'select on two')).toBe(o);

        // A remote task: ready when it exits.
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        const bin = (await blobWith(a, installEverywhere(n, async () => {
          await gate;
          return 9;
        }))).ref;
        const t = await a.run(bin, { argv: ['gate'], kernel: 'b' });
        await failsWithin(a.select([t], { timeoutMs: 100 }), 'ETIMEDOUT', 3000, 'select on a running remote task');
        const exiting = a.select([t], { timeoutMs: 5000 });
        release();
        expect(await within(exiting, 3000, 'select on an exiting remote task')).toBe(t);
        expect(a.ref(t).task).toEqual({ state: 'exited', exitStatus: 9 });
        n.check();
      }, timeout);
    });

    describe('select on remote objects, longer waits', () => {
      it('a wait longer than the home’s watch limit still wakes; WRITE waits for room; local and remote mixed', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
        const [h] = await a.lookup(stream.name);
        // Past the 2 s a home watches for (docs/syscalls.md, select): the watch must be renewed.
        const waiting = a.select([h!]);
        let woke = false;
        void waiting.then(() => (woke = true), () => (woke = true));
        await sleep(2300);
        expect(woke).toBe(false);
        await writeAll(b, stream.ref, enc('late'));
        expect(await within(waiting, 3000, 'a select past the watch limit')).toBe(h);
        // A full remote stream is not writable until its reader makes room.
        await writeAll(a, h!, enc('full'));
        await failsWithin(a.select([h!], { timeoutMs: 100 }, SelectFlags.WRITE), 'ETIMEDOUT', 3000, 'select WRITE on a full stream');
        const room = a.select([h!], { timeoutMs: 5000 }, SelectFlags.WRITE);
        await sleep(20);
        const r = await b.beginRead(stream.ref);
        expect(dec(r)).toBe('latefull');
        await b.endRead(stream.ref, r);
        expect(await within(room, 3000, 'select WRITE once there is room')).toBe(h);
        // A local reference ready first wins; the remote one still works afterwards.
        const local = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
        const mixed = a.select([h!, local.ref], { timeoutMs: 5000 });
        await sleep(20);
        await writeAll(a, local.ref, enc('here'));
        expect(await within(mixed, 3000, 'a mixed select')).toBe(local.ref);
        const again = a.select([h!], { timeoutMs: 5000 });
        await sleep(20);
        await writeAll(b, stream.ref, enc('there'));
        expect(await within(again, 3000, 'the remote select after a mixed one')).toBe(h);
        n.check();
      }, Math.max(timeout, 15_000));
    });

    describe('copy across kernels', () => {
      it('delegates with reduced rights, and the receiving side enforces them', async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const onA = await blobWith(a, enc('from a'));
        const onC = await blobWith(c, enc('from c'));
        const [fromC] = await a.lookup(onC.name);
        const [target] = await a.lookup(b.taskName);
        // One homed on the caller's kernel, one on a third kernel; read only, read-write without DELEGATE.
        const [ro, rw] = await a.copy([onA.ref, fromC!], target!, { rights: [Rights.READ, Rights.READ | Rights.WRITE] });
        expect(b.handles).toEqual(expect.arrayContaining([ro, rw]));
        expect(b.ref(ro!).proximity).toBe('remote-memory-1hop');
        expect(dec((await readAll(b, ro!)).bytes)).toBe('from a');
        await expectErrno(b.beginWrite(ro!, 1), 'EACCES', 'ref');
        await expectErrno(b.select([ro!], { timeoutMs: 0 }, SelectFlags.WRITE), 'EACCES');
        await writeAll(b, rw!, enc('FROM'));
        expect(dec((await readAll(c, onC.ref)).bytes)).toBe('FROM c');
        // Without DELEGATE b cannot pass either on, not even to itself.
        const [self] = await b.lookup(b.taskName);
        await expectErrno(b.copy([ro!], self!), 'EACCES', 'refs[0]');
        await expectErrno(b.copy([rw!], self!), 'EACCES', 'refs[0]');
        // Rights are never raised.
        const [limited] = await a.copy([onA.ref], a.self, { rights: Rights.READ | Rights.DELEGATE });
        await expectErrno(a.copy([limited!], target!, { rights: Rights.READ | Rights.WRITE }), 'EPERM', 'refs[0]');
        // A task on another kernel that has exited takes nothing: its kernel says ESRCH.
        const gone = await n.kernels.b!.attachTask(['gone'], undefined, { lookupRights: Rights.ALL });
        const [goneRef] = await a.lookup(gone.taskName);
        await gone.delete(gone.self);
        await expectErrno(a.copy([onA.ref], goneRef!), 'ESRCH', 'target');
        // What a writes is visible through b's read-only reference.
        await writeAll(a, onA.ref, enc('updated'));
        expect(dec((await readAll(b, ro!)).bytes)).toBe('updated');
        n.check();
      }, timeout);

      it('along a chain of delegations across three kernels rights only shrink, and each holder is held to its own', async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const blob = await blobWith(a, enc('chain'));
        const worker = await n.kernels.a!.attachTask(['worker'], undefined, { lookupRights: Rights.ALL });
        const [toB] = await a.copy([blob.ref], (await a.lookup(b.taskName))[0]!, { rights: Rights.READ | Rights.WRITE | Rights.DELEGATE });
        const [toC] = await b.copy([toB!], (await b.lookup(c.taskName))[0]!, { rights: Rights.READ | Rights.DELEGATE });
        // c cannot hand on more than it has, even back to the object's home kernel.
        const [workerFromC] = await c.lookup(worker.taskName);
        await expectErrno(c.copy([toC!], workerFromC!, { rights: Rights.READ | Rights.WRITE }), 'EPERM', 'refs[0]');
        const [toWorker] = await c.copy([toC!], workerFromC!, { rights: Rights.READ });
        // Back home the reference is local, with only READ.
        expect(worker.ref(toWorker!).proximity).toBe('local-memory');
        await writeAll(b, toB!, enc('CHAIN'));
        for (const [sys, h] of [[c, toC!], [worker, toWorker!]] as const) {
          expect(dec((await readAll(sys, h)).bytes)).toBe('CHAIN');
          await expectErrno(sys.beginWrite(h, 1), 'EACCES', 'ref');
        }
        await expectErrno(worker.copy([toWorker!], worker.self), 'EACCES', 'refs[0]');
        expect(dec((await readAll(a, blob.ref)).bytes)).toBe('CHAIN');
        n.check();
      }, timeout);

      it('a task on another kernel given a read-only reference gets EACCES when it writes', async () => {
        const n = await boot('a', 'b');
        const { a } = n.sys as Record<'a', SystemCalls>;
        const stream = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const blob = await blobWith(a, enc('guarded'));
        const outcome: string[] = [];
        const bin = (await blobWith(a, installEverywhere(n, async (sys) => {
          // Wait for the delegated reference: a sends the handle over the input stream.
          const buf = await sys.beginRead(sys.inputs[0]!);
          const h = Number(dec(buf));
          await sys.endRead(sys.inputs[0]!, buf);
          outcome.push(dec((await readAll(sys, h)).bytes));
          await sys.beginWrite(h, 1).catch((e: DiosError) => outcome.push(e.code));
          const [self] = await sys.lookup(sys.taskName);
          await sys.copy([h], self!).catch((e: DiosError) => outcome.push(e.code));
          return 0;
        }))).ref;
        const t = await a.run(bin, { argv: ['guarded'], inputs: [stream.ref], kernel: 'b' }, RunFlags.START_PAUSED);
        const [h] = await a.copy([blob.ref], t, { rights: Rights.READ });
        await a.pause(t, PauseFlags.RESUME);
        await writeAll(a, stream.ref, enc(String(h)));
        expect(await within(a.select([t]), 3000, 'the remote task')).toBe(t);
        expect(outcome).toEqual(['guarded', 'EACCES', 'EACCES']);
        expect(dec((await readAll(a, blob.ref)).bytes)).toBe('guarded');
        n.check();
      }, timeout);
    });

    describe('remote run', () => {
      it('runs on the kernel spec.kernel names, with inputs homed on a third kernel and outputs on the caller', async () => {
        const n = await boot('a', 'b', 'c');
        const { a, c } = n.sys as Record<'a' | 'c', SystemCalls>;
        const bin = (await blobWith(a, installEverywhere(n, async (sys) => {
          const text = dec((await readAll(sys, sys.inputs[0]!)).bytes);
          await writeAll(sys, sys.outputs[0]!, enc(`${sys.kernelId}:${text.toUpperCase()}:${sys.argv.join(',')}:${sys.env.MODE}`));
          return 7;
        }))).ref;
        const input = await blobWith(c, enc('input on c'));
        const [inputOnA] = await a.lookup(input.name);
        const output = await a.create(ObjectType.SHARED_MEMORY_BLOB);
        const t = await a.run(bin, { argv: ['up', 'x'], env: { MODE: 'm' }, inputs: [inputOnA!], outputs: [output.ref], kernel: 'b' });
        expect(a.ref(t).proximity).toBe('remote-memory-1hop');
        expect(await within(a.select([t]), 3000, 'the remote task')).toBe(t);
        expect(a.ref(t).task).toEqual({ state: 'exited', exitStatus: 7 });
        expect(dec((await readAll(a, output.ref)).bytes)).toBe('b:INPUT ON C:up,x:m');
        // A throwing program exits with 1, seen from the caller.
        const failing = (await blobWith(a, installEverywhere(n, async () => {
          throw new Error('boom');
        }))).ref;
        const f = await a.run(failing, { argv: ['fail'], kernel: 'c' });
        await within(a.select([f]), 3000, 'the failing task');
        expect(a.ref(f).task).toEqual({ state: 'exited', exitStatus: 1 });
        n.check();
      }, timeout);

      it("'*' (ANY_KERNEL) places the task where its input bytes live", async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const bin = (await blobWith(a, installEverywhere(n, async (sys) => {
          await writeAll(sys, sys.outputs[0]!, enc(sys.kernelId));
          return 0;
        }))).ref;
        // Twice, with the big input on a different kernel each time: the answer follows the data.
        for (const [home, sys] of [['c', c], ['b', b]] as const) {
          const big = await blobWith(sys, new Uint8Array(200_000));
          const [bigOnA] = await a.lookup(big.name);
          const small = await blobWith(a, new Uint8Array(10));
          const out = await a.create(ObjectType.SHARED_MEMORY_BLOB);
          const t = await a.run(bin, { argv: ['where'], inputs: [small.ref, bigOnA!], outputs: [out.ref], kernel: ANY_KERNEL });
          await within(a.select([t]), 3000, 'the placed task');
          expect(a.ref(t).task?.exitStatus).toBe(0);
          expect(dec((await readAll(a, out.ref)).bytes)).toBe(home);
        }
        n.check();
      }, timeout);

      it('pauses and resumes a task on another kernel (START_PAUSED, pause, RESUME)', async () => {
        const n = await boot('a', 'b');
        const { a } = n.sys as Record<'a', SystemCalls>;
        let steps = 0;
        let stop = false;
        const bin = (await blobWith(a, installEverywhere(n, async (sys) => {
          while (!stop) {
            // A cheap call each step: a paused task's calls do not return.
            await sys.select([sys.self], { timeoutMs: 0 }, SelectFlags.WRITE);
            steps++;
            await sleep(1);
          }
          return 3;
        }))).ref;
        const t = await a.run(bin, { argv: ['spin'], kernel: 'b' }, RunFlags.START_PAUSED);
        expect(a.ref(t).task?.state).toBe('created');
        await sleep(50);
        expect(steps).toBe(0);
        await a.pause(t, PauseFlags.RESUME);
        expect(a.ref(t).task?.state).toBe('running');
        await eventually('the task made progress', () => steps > 3, 2000);
        await a.pause(t);
        expect(a.ref(t).task?.state).toBe('paused');
        await sleep(20);
        const frozen = steps;
        await sleep(80);
        expect(steps).toBe(frozen);
        await a.pause(t, PauseFlags.RESUME);
        await eventually('the task progressed again', () => steps > frozen + 3, 2000);
        // Pause needs WRITE on the task reference.
        const [readOnly] = await a.copy([t], a.self, { rights: Rights.READ });
        await expectErrno(a.pause(readOnly!), 'EACCES', 'task');
        stop = true;
        await within(a.select([t]), 3000, 'the spinning task');
        expect(a.ref(t).task).toEqual({ state: 'exited', exitStatus: 3 });
        await expectErrno(a.pause(t), 'ESRCH');
        n.check();
      }, timeout);

      it('a remote task paused in a blocked read gets its result only after RESUME; exiting with EXIT_FAILURE shows status 1', async () => {
        const n = await boot('a', 'b');
        const { a } = n.sys as Record<'a', SystemCalls>;
        const got: string[] = [];
        const bin = (await blobWith(a, installEverywhere(n, async (sys) => {
          const buf = await sys.beginRead(sys.inputs[0]!);
          got.push(dec(buf));
          await sys.endRead(sys.inputs[0]!, buf);
          await sys.delete(sys.self, DeleteFlags.EXIT_FAILURE);
          return 0;
        }))).ref;
        const input = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const t = await a.run(bin, { argv: ['reader'], inputs: [input.ref], kernel: 'b' });
        await sleep(30);
        await a.pause(t);
        await writeAll(a, input.ref, enc('data'));
        await sleep(100);
        // The read may have taken the data at home, but the paused task does not see it yet.
        expect(got).toEqual([]);
        expect(a.ref(t).task?.state).toBe('paused');
        await a.pause(t, PauseFlags.RESUME);
        await within(a.select([t]), 3000, 'the resumed task');
        expect(got).toEqual(['data']);
        expect(a.ref(t).task).toEqual({ state: 'exited', exitStatus: 1 });
        n.check();
      }, timeout);
    });

    describe('errors', () => {
      it('EHOSTUNREACH for a kernel that is not in the cluster', async () => {
        const n = await boot('a', 'b');
        const { a } = n.sys as Record<'a', SystemCalls>;
        const bin = (await blobWith(a, installEverywhere(n, () => 0))).ref;
        await expectErrno(a.run(bin, { argv: ['x'], kernel: 'no-such-kernel' }), 'EHOSTUNREACH', 'spec.kernel');
        // A program the target does not have is refused there.
        n.kernels.a!.registerProgram('only-on-a', () => 0);
        const onlyA = (await blobWith(a, programBinary('only-on-a'))).ref;
        await expectErrno(a.run(onlyA, { argv: ['x'], kernel: 'b' }), 'ENOENT', 'binary');
        n.check();
      }, timeout);

      it('EBADF through remote references once the object is deleted at home', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const obj = await b.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
        await writeAll(b, obj.ref, enc('doomed'));
        const [h] = await a.lookup(obj.name);
        expect(dec((await readAll(a, h!)).bytes)).toBe('doomed');
        await b.delete(obj.ref);
        await failsWithin(a.beginRead(h!), 'EBADF', 3000, 'read after delete at home');
        await failsWithin(a.beginWrite(h!, 1), 'EBADF', 3000, 'write after delete at home');
        await eventually('the revocation reached a', () => !a.handles.includes(h!), 3000);
        await expectErrno(a.lookup(obj.name), 'ENOENT', 'name');
        // A select waiting on a remote stream ends when the stream is deleted at home.
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8, lifecycle: 'single-delete' });
        const [s] = await a.lookup(stream.name);
        const waiting = a.select([s!], { timeoutMs: 5000 });
        await sleep(50);
        await b.delete(stream.ref);
        await failsWithin(waiting, 'EBADF', 3000, 'select across a delete at home');
        n.check();
      }, timeout);

      it('EHOSTDOWN promptly for calls on objects of a node taken down, also for calls blocked there', async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const blob = await blobWith(b, enc('on b'));
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 8 });
        const [hb] = await a.lookup(blob.name);
        const [hs] = await a.lookup(stream.name);
        const [taskB] = await a.lookup(b.taskName);
        const onA = await blobWith(a, enc('on a'));
        const [aFromB] = await b.lookup(onA.name);
        const onC = await blobWith(c, enc('on c'));
        const [hc] = await a.lookup(onC.name);
        const [taskC] = await a.lookup(c.taskName);
        const bin = (await blobWith(a, installEverywhere(n, () => new Promise<number>(() => {})))).ref;
        const remoteTask = await a.run(bin, { argv: ['forever'], kernel: 'b' });
        // In progress at b when it goes: a read waiting for data, a select, a select on a task there, a write lease.
        const blockedRead = a.beginRead(hs!);
        blockedRead.catch(() => {});
        const selector = await n.kernels.a!.attachTask(['selector']);
        const [hs2] = await selector.lookup(stream.name);
        const blockedSelect = selector.select([hs2!], { timeoutMs: 20_000 });
        blockedSelect.catch(() => {});
        const taskSelect = a.select([remoteTask], { timeoutMs: 20_000 });
        taskSelect.catch(() => {});
        const lease = await a.beginWrite(hb!, 2);
        lease.set(enc('xx'));
        await sleep(50);

        const downAt = Date.now();
        await n.takeDown('b');
        // A lookup asks every peer, b included: it must not wait on b for longer than the bound.
        const foundOnC = await within(a.lookup(onC.name), downMs, 'a lookup while b is going down');
        expect(foundOnC).toHaveLength(1);
        await failsWithin(blockedRead, 'EHOSTDOWN', downMs, 'a read blocked at b');
        // A select wakes: with the failure, or with the reference ready so that the next call reports it.
        const cases: [Promise<number>, number, () => Promise<unknown>][] = [
          [blockedSelect, hs2!, () => selector.beginRead(hs2!, {}, BeginReadFlags.NONBLOCK)],
          [taskSelect, remoteTask, () => a.pause(remoteTask)],
        ];
        for (const [waiting, h, next] of cases) {
          const woke = await within(
            waiting.then(
              (r) => ({ ready: r }),
              (e: DiosError) => ({ code: e.code }),
            ),
            downMs,
            'a select waiting on an object of b',
          );
          if ('code' in woke) expect(woke.code).toBe('EHOSTDOWN');
          else {
            expect(woke.ready).toBe(h);
            await failsWithin(next(), 'EHOSTDOWN', downMs, 'the call after the select woke');
          }
        }
        await failsWithin(a.endWrite(hb!, lease), 'EHOSTDOWN', downMs, 'commit of a write lease taken at b');
        await failsWithin(a.beginRead(hb!), 'EHOSTDOWN', downMs, 'read of a blob on b');
        await failsWithin(a.beginWrite(hb!, 2), 'EHOSTDOWN', downMs, 'write of a blob on b');
        await failsWithin(a.select([hb!], { timeoutMs: 5000 }).then((r) => a.beginRead(r)), 'EHOSTDOWN', downMs, 'select then read of a blob on b');
        await failsWithin(a.pause(taskB!), 'EHOSTDOWN', downMs, 'pause of a task on b');
        await failsWithin(a.copy([hc!], taskB!), 'EHOSTDOWN', downMs, 'copy to a task on b');
        await failsWithin(a.copy([hb!], taskC!), 'EHOSTDOWN', downMs, 'copy to c of a reference homed on b');
        // A kernel that was a peer and is gone: EHOSTDOWN, whether or not its loss was noticed yet.
        const ran = await within(a.run(bin, { argv: ['x'], kernel: 'b' }).then(() => 'started', (e: DiosError) => e.code), downMs, 'run on b');
        expect(ran).toBe('EHOSTDOWN');
        // Every one of them within the bound, counted from the moment b went down.
        expect(Date.now() - downAt).toBeLessThan(downMs);
        // The downed node cannot reach the others either.
        await failsWithin(b.beginRead(aFromB!), 'EHOSTDOWN', downMs, 'read from b of an object on a');
        // Dropping a reference to an object of b is local: it works and does not wait for b.
        await within(a.delete(hb!), downMs, 'delete of a reference to an object on b');
        expect(a.handles).not.toContain(hb);
        n.check();
      }, Math.max(timeout, 15_000));

      it('references held on behalf of a node that went down are let go (fate sharing)', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        // A stream whose only writer is on b: once b is gone, a's reader must see end-of-stream, not wait for ever.
        const stream = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const [reader] = await a.copy([stream.ref], a.self, { rights: Rights.READ });
        const [taskB] = await a.lookup(b.taskName);
        const [writerOnB] = await a.copy([stream.ref], taskB!, { rights: Rights.WRITE });
        await a.delete(stream.ref);
        await writeAll(b, writerOnB!, enc('last words'));
        // A refcounted blob only b still holds.
        const blob = await blobWith(a, enc('only b holds this'));
        const [blobOnB] = await a.copy([blob.ref], taskB!, { rights: Rights.READ });
        await a.delete(blob.ref);
        expect(dec((await readAll(b, blobOnB!)).bytes)).toBe('only b holds this');
        // Whether a still has the blob (the references a lookup opens are dropped again).
        const held = async () =>
          a.lookup(blob.name, LookupFlags.LOCAL_ONLY).then(
            async (hs) => {
              for (const h of hs) await a.delete(h);
              return 'found';
            },
            (e: DiosError) => e.code,
          );
        expect(await held()).toBe('found');
        // A task b started on a: it goes with b.
        const bin = (await blobWith(b, installEverywhere(n, async (sys) => {
          // Tells a its name, then runs until something ends it.
          await writeAll(sys, sys.outputs[0]!, enc(sys.taskName.key));
          return new Promise<number>(() => {});
        }))).ref;
        const nameBox = await a.create(ObjectType.SHARED_MEMORY_BLOB);
        const [boxOnB] = await b.lookup(nameBox.name);
        await b.run(bin, { argv: ['orphan'], outputs: [boxOnB!], kernel: 'a' });
        await eventually('the task on a told its name', () => a.ref(nameBox.ref).size > 0, 3000);
        const [orphan] = await a.lookup(dec((await readAll(a, nameBox.ref)).bytes), LookupFlags.LOCAL_ONLY);
        expect(a.ref(orphan!).task?.state).toBe('running');

        await n.takeDown('b');
        const got = await within(drain(a, reader!), downMs + 1000, 'reading a stream whose writer’s kernel went down');
        expect(dec(got)).toBe('last words');
        await eventually('a let go of the blob it held only for b', async () => (await held()) === 'ENOENT', downMs + 1000);
        await within(a.select([orphan!]), downMs + 1000, 'the task b started on a');
        expect(a.ref(orphan!).task).toEqual({ state: 'exited', exitStatus: EXIT_PEER_GONE });
        n.check('a');
      }, Math.max(timeout, 15_000));

      it('leases a node held at a home are given back when it goes down', async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const input = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        const output = await a.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 64 });
        await writeAll(a, input.ref, enc('unconsumed'));
        const [inOnB] = await b.lookup(input.name);
        const [outOnB] = await b.lookup(output.name);
        // b takes the read lease on one stream and the write lease on the other, and never ends them.
        expect(dec(await b.beginRead(inOnB!))).toBe('unconsumed');
        const w = await b.beginWrite(outOnB!, 4);
        w.set(enc('lost'));
        await expectErrno(a.beginRead(input.ref, {}, BeginReadFlags.NONBLOCK), 'EAGAIN');
        await expectErrno(a.beginWrite(output.ref, 1, {}, BeginWriteFlags.NONBLOCK), 'EAGAIN');

        await n.takeDown('b');
        // The read consumed nothing, the write committed nothing.
        const r = await within(a.beginRead(input.ref), downMs + 1000, 'a read after b’s read lease');
        expect(dec(r)).toBe('unconsumed');
        await a.endRead(input.ref, r);
        await within(writeAll(a, output.ref, enc('mine')), downMs + 1000, 'a write after b’s write lease');
        const out = await a.beginRead(output.ref);
        expect(dec(out)).toBe('mine');
        await a.endRead(output.ref, out);
        n.check('a');
      }, Math.max(timeout, 15_000));

      it('after a node goes down, the surviving kernels keep working together', async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        const onB = await blobWith(b, enc('on b'));
        const onC = await blobWith(c, enc('on c'));
        const [hc] = await a.lookup(onC.name);
        const bin = (await blobWith(a, installEverywhere(n, async (sys) => {
          await writeAll(sys, sys.outputs[0]!, enc(`ran on ${sys.kernelId}`));
          return 0;
        }))).ref;
        await n.takeDown('b');
        // Once b is known gone, its names stop resolving: ENOENT, not a hang, not an error about b.
        await eventually('lookup of b’s object is ENOENT', async () => (await a.lookup(onB.name).catch((e: DiosError) => e.code)) === 'ENOENT', downMs);
        expect(dec((await readAll(a, hc!)).bytes)).toBe('on c');
        await writeAll(a, hc!, enc('ON C'));
        expect(dec((await readAll(c, onC.ref)).bytes)).toBe('ON C');
        const fresh = await blobWith(c, enc('after'));
        const [hf] = await a.lookup(fresh.name);
        expect(dec((await readAll(a, hf!)).bytes)).toBe('after');
        const [taskC] = await a.lookup(c.taskName);
        const [given] = await a.copy([hf!], taskC!, { rights: Rights.READ });
        expect(dec((await readAll(c, given!)).bytes)).toBe('after');
        const out = await a.create(ObjectType.SHARED_MEMORY_BLOB);
        const t = await a.run(bin, { argv: ['x'], outputs: [out.ref], kernel: 'c' });
        expect(await within(a.select([t]), 3000, 'a task on c')).toBe(t);
        expect(dec((await readAll(a, out.ref)).bytes)).toBe('ran on c');
        // The scheduler leaves the downed kernel out and still follows the data.
        const big = await blobWith(c, new Uint8Array(100_000));
        const [bigOnA] = await a.lookup(big.name);
        const t2 = await a.run(bin, { argv: ['x'], inputs: [bigOnA!], outputs: [out.ref], kernel: ANY_KERNEL });
        await within(a.select([t2]), 3000, 'a placed task');
        expect(dec((await readAll(a, out.ref)).bytes)).toBe('ran on c');
        n.check('a', 'c');
      }, Math.max(timeout, 15_000));
    });
  });
}
