/**
 * Adversarial load replies: a peer that answers `load` with a forged or
 * malformed load (another kernel's id, a negative count, a slot figure out of
 * range, classes that are not counts, a program class that is not a class, no
 * load at all) is not a candidate for run with kernel '*', and the run still
 * succeeds elsewhere, or fails with a clear error when no kernel is left. A
 * load request with a huge program key is answered without the key's class.
 * Replies are forged by a transport wrapped around the caller's loopback one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANY_KERNEL,
  flowPolicy,
  isDiosError,
  Kernel,
  LoopbackNetwork,
  ObjectType,
  programBinary,
  type LoopbackTransport,
  type PeerReply,
  type PeerRequest,
  type RequestHandler,
  type SystemCalls,
  type Transport,
} from '@dios/kernel';
import { checkLoad } from '../../src/core/peer/load-reply.js';
import { blobWith, expectErrno, writeAll } from '../helpers.js';

/** A loopback transport whose `load` replies from `victim` pass through `forge` first. */
class ForgingTransport implements Transport {
  readonly localId: string;
  forge: ((load: Record<string, unknown> | undefined) => unknown) | undefined;
  readonly asked: PeerRequest[] = [];

  constructor(
    private readonly inner: LoopbackTransport,
    private readonly victim: string,
  ) {
    this.localId = inner.localId;
  }
  listen(handler: RequestHandler): void {
    this.inner.listen(handler);
  }
  async request(to: string, request: PeerRequest): Promise<PeerReply> {
    const reply = await this.inner.request(to, request);
    if (request.kind !== 'load' || to !== this.victim || this.forge === undefined || !reply.ok) return reply;
    this.asked.push(request);
    const load = this.forge(reply.load as unknown as Record<string, unknown>);
    return (load === undefined ? { ok: true } : { ok: true, load }) as PeerReply;
  }
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

interface World {
  net: LoopbackNetwork;
  k: Record<string, Kernel>;
  sys: SystemCalls;
  t: ForgingTransport;
  bin: number;
}

let worlds = 0;

/** Kernels a (the caller, with the flow policy, forging b's replies), b and c; a program that writes its kernel id. */
async function world(ids = ['a', 'b', 'c'], callerSchedulable = true): Promise<World> {
  const net = new LoopbackNetwork();
  const cluster = `load-reply-${++worlds}-${Math.random().toString(36).slice(2)}`;
  const k: Record<string, Kernel> = {};
  let t!: ForgingTransport;
  for (const id of ids) {
    k[id] = await Kernel.boot({
      id,
      cluster,
      slots: 4,
      scheduler: flowPolicy(),
      ...(id === 'a' ? { schedulable: callerSchedulable } : {}),
    });
    k[id].registerProgram('where', async (s) => {
      const [out] = s.outputs;
      if (out !== undefined) await writeAll(s, out, new TextEncoder().encode(s.kernelId));
      return 0;
    });
    if (id === 'a') {
      t = new ForgingTransport(net.connect(id), 'b');
      k[id].join(t);
    } else k[id].join(net.connect(id));
  }
  const sys = await k.a!.attachTask(['host-a']);
  const bin = (await blobWith(sys, programBinary('where'))).ref;
  return { net, k, sys, t, bin };
}

/** Runs `where` on any kernel with an input of `bytes` living on b; resolves to the kernel it ran on. */
async function runAny(w: World, bytes = 200_000): Promise<string> {
  const { name } = await w.k.b!.init.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
  const [onB] = await w.k.b!.init.lookup(name);
  await writeAll(w.k.b!.init, onB!, new Uint8Array(bytes));
  const [input] = await w.sys.lookup(name);
  const out = (await w.sys.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
  const task = await w.sys.run(w.bin, { argv: ['where'], inputs: [input!], outputs: [out], kernel: ANY_KERNEL });
  await w.sys.select([task]);
  const view = await w.sys.beginRead(out);
  const text = new TextDecoder().decode(view.slice());
  await w.sys.endRead(out, view);
  return text;
}

const FORGERIES: [string, (l: Record<string, unknown> | undefined) => unknown][] = [
  ['another kernel id', (l) => ({ ...l, kernel: 'c' })],
  ['the caller id', (l) => ({ ...l, kernel: 'a' })],
  ['negative runningTasks', (l) => ({ ...l, runningTasks: -3 })],
  ['fractional runningTasks', (l) => ({ ...l, runningTasks: 0.5 })],
  ['runningTasks as a string', (l) => ({ ...l, runningTasks: '0' })],
  ['slots 1e9', (l) => ({ ...l, slots: 1e9 })],
  ['slots -1', (l) => ({ ...l, slots: -1 })],
  ['classes with a string', (l) => ({ ...l, classes: { cpu: 'many', memory: 0, unknown: 0 } })],
  ['classes negative', (l) => ({ ...l, classes: { cpu: 0, memory: -1, unknown: 0 } })],
  ['classes null', (l) => ({ ...l, classes: null })],
  ["programClass 'root'", (l) => ({ ...l, programClass: 'root' })],
  ["programClass '__proto__'", (l) => ({ ...l, programClass: '__proto__' })],
  ['schedulable as a string', (l) => ({ ...l, schedulable: 'yes' })],
  ['workerCpuMs negative', (l) => ({ ...l, workerCpuMs: -1 })],
  ['workerCpuMs infinite', (l) => ({ ...l, workerCpuMs: Infinity })],
  ['no load', () => undefined],
  ['load null', () => null],
  ['load a string', () => 'idle'],
];

describe('load replies: forged or malformed ones are not candidates', () => {
  it('checkLoad refuses each forgery with EIO naming spec.kernel and the field', async () => {
    const good = { kernel: 'b', runningTasks: 0, workerCpuMs: undefined, slots: 4, classes: { cpu: 0 } };
    expect(checkLoad(good, 'b')).toMatchObject({ kernel: 'b', runningTasks: 0, slots: 4 });
    for (const [what, forge] of FORGERIES) {
      const err = await expectErrno(() => checkLoad(forge(good), 'b'), 'EIO', 'spec.kernel', 'run');
      expect(err.message, what).toMatch(/kernel b sent a malformed load/);
    }
  });

  it('checkLoad on anything: EIO or a load that is well formed (fast-check)', () => {
    const field = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer({ min: -5, max: 5000 }),
      fc.double(),
      fc.string({ maxLength: 4 }),
      fc.boolean(),
      fc.constantFrom('cpu', 'memory', 'unknown', 'root', 'b', 'toString'),
      fc.dictionary(fc.constantFrom('cpu', 'memory', 'unknown', 'gpu', '__proto__'), fc.oneof(fc.nat(9), fc.string())),
    );
    const arbLoad = fc.oneof(
      fc.anything(),
      fc.record(
        {
          kernel: fc.oneof(fc.constant('b'), field),
          runningTasks: field,
          workerCpuMs: field,
          schedulable: field,
          slots: field,
          classes: field,
          programClass: field,
          extra: field,
        },
        { requiredKeys: [] },
      ),
    );
    const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
    fc.assert(
      fc.property(arbLoad, (raw) => {
        let load;
        try {
          load = checkLoad(raw, 'b');
        } catch (e) {
          expect(isDiosError(e) && e.code === 'EIO').toBe(true);
          return;
        }
        expect(load.kernel).toBe('b');
        expect(count(load.runningTasks)).toBe(true);
        if (load.slots !== undefined) expect(count(load.slots) && load.slots <= 4096).toBe(true);
        if (load.schedulable !== undefined) expect(typeof load.schedulable).toBe('boolean');
        if (load.programClass !== undefined) expect(['cpu', 'memory', 'unknown']).toContain(load.programClass);
        if (load.workerCpuMs !== undefined)
          expect(Number.isFinite(load.workerCpuMs) && load.workerCpuMs >= 0).toBe(true);
        if (load.classes !== undefined) {
          expect(Object.keys(load.classes).sort()).toEqual(['cpu', 'memory', 'unknown']);
          for (const v of Object.values(load.classes)) expect(count(v)).toBe(true);
        }
        expect(Object.keys(load).every((k) => k !== 'extra')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('extra fields are dropped, not passed to the policy', () => {
    const l = checkLoad(
      { kernel: 'b', runningTasks: 1, workerCpuMs: 2, evil: 1, classes: { cpu: 1, gpu: 'x' }, __proto__: { x: 1 } },
      'b',
    );
    expect(Object.keys(l).sort()).toEqual(['classes', 'kernel', 'runningTasks', 'workerCpuMs']);
    expect(l.classes).toEqual({ cpu: 1, memory: 0, unknown: 0 });
  });

  it('a run whose input lives on a forging peer runs elsewhere, for every forgery', async () => {
    const w = await world();
    // Honest: b holds the input.
    expect(await runAny(w)).toBe('b');
    for (const [what, forge] of FORGERIES) {
      w.t.forge = forge;
      const where = await runAny(w);
      expect(['a', 'c'], what).toContain(where);
    }
    // Extra fields alone do not disqualify b.
    w.t.forge = (l) => ({ ...l, extra: 'field', nested: { deep: true } });
    expect(await runAny(w)).toBe('b');
    expect(w.t.asked.every((r) => r.kind === 'load' && typeof r.program === 'string')).toBe(true);
  });

  it('with no other candidate left, the run fails with EAGAIN naming spec.kernel and starts nothing', async () => {
    const w = await world(['a', 'b'], false);
    w.t.forge = (l) => ({ ...l, runningTasks: -1 });
    const out = (await w.sys.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
    // The first attempt also makes b's proxy task for a; the second one is counted.
    await expectErrno(w.sys.run(w.bin, { argv: ['where'], outputs: [out], kernel: ANY_KERNEL }), 'EAGAIN');
    const tasks = w.k.a!.tasks.size + w.k.b!.tasks.size;
    await expectErrno(
      w.sys.run(w.bin, { argv: ['where'], outputs: [out], kernel: ANY_KERNEL }),
      'EAGAIN',
      'spec.kernel',
    );
    expect(w.k.a!.tasks.size + w.k.b!.tasks.size).toBe(tasks);
    w.t.forge = undefined;
    const task = await w.sys.run(w.bin, { argv: ['where'], outputs: [out], kernel: ANY_KERNEL });
    await w.sys.select([task]);
  });

  it('a load request with a huge program key is answered, without a program class; the server keeps working', async () => {
    const w = await world(['a', 'b']);
    const raw = w.t as unknown as { inner: LoopbackTransport };
    const reply = await raw.inner.request('b', { kind: 'load', program: 'p'.repeat(1_000_000) });
    expect(reply.ok).toBe(true);
    const load = checkLoad((reply as { load?: unknown }).load, 'b');
    expect(load.programClass).toBeUndefined();
    // Keys that are not strings: refused or answered without a class, never a crash.
    for (const program of [12 as unknown as string, { toString: () => 'x' } as unknown as string]) {
      const r = await raw.inner.request('b', { kind: 'load', program });
      if (r.ok) expect((r as { load?: { programClass?: string } }).load?.programClass).toBeUndefined();
      else expect(r.error).toBeDefined();
    }
    expect(await runAny(w)).toBe('b');
  });

  // BUG (small): serveLoad passes an empty key on to ProgramProfiles.classOf, whose TaskProfiles refuses it: the
  // reply is an error (EINVAL TaskProfiles(program)) instead of a load, so the asker drops the kernel as a candidate.
  // Fix: treat '' as no key in serveLoad (program.length > 0).
  it('a load request with an empty program key is answered with a load', async () => {
    const w = await world(['a', 'b']);
    const raw = w.t as unknown as { inner: LoopbackTransport };
    const r = await raw.inner.request('b', { kind: 'load', program: '' });
    expect(r.ok).toBe(true);
  });

  // BUG: checkLoad accepts any safe integer of running tasks, and the flow policy turns them into resident tasks
  // whose interference cost passes MinCostFlow's bound (2^40): the solver's EINVAL fails the policy, so one peer
  // that claims 2e10 running tasks makes every run '*' on a flow-policy kernel fail with EIO (no placement at all,
  // though the honest kernels a and c can take the task). Fix: a bound on runningTasks/classes in checkLoad (e.g.
  // 2^20, as slots), or costs that saturate in FlowScheduler.
  it('a peer claiming 2e10 running tasks is weighed (or refused), not a way to fail every run', async () => {
    const w = await world();
    w.t.forge = (l) => ({ ...l, runningTasks: 2e10 });
    expect(['a', 'c']).toContain(await runAny(w));
  });
});
