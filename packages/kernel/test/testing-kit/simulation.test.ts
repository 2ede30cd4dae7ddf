/**
 * The deterministic simulation of @dios/kernel/testing: runs replay from
 * their seed or their choice list, virtual time decides timeouts, faults do
 * what they say, a stuck run is reported as such, and a seeded bug (a
 * reader that skips end_read's validity check) is found and shrunk.
 */
import { describe, expect, it } from 'vitest';
import { CreateFlags, EndWriteFlags, ObjectType, programBinary, type SystemCalls } from '@dios/kernel';
import { checkSimulations, formatTrace, simulate, SimulationFailure, type SimCluster } from '@dios/kernel/testing';

/** Writes `bytes` into a new blob of init's on `node`; returns init's handle. */
async function blobWith(sys: SystemCalls, bytes: Uint8Array): Promise<number> {
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const buf = await sys.beginWrite(ref, bytes.length);
  buf.set(bytes);
  await sys.endWrite(ref, buf);
  return ref;
}

/** Two tasks on different nodes bump a shared counter a few times each (racy on purpose: the order matters). */
async function racingCounters(cluster: SimCluster): Promise<number> {
  const init = cluster.init('a');
  const counter = await blobWith(init, new Uint8Array([0]));
  const binary = await blobWith(init, programBinary('bump'));
  // Both started at once: a run on b takes longer to return than a's task takes to finish.
  const tasks = await Promise.all(
    ['a', 'b'].map((node) => init.run(binary, { argv: [`bump-${node}`], outputs: [counter], kernel: node })),
  );
  for (const t of tasks) await init.select([t]);
  const view = await init.beginRead(counter);
  const value = view[0]!;
  await init.endRead(counter, view);
  return value;
}

function registerBump(kernel: { registerProgram(id: string, f: (sys: SystemCalls) => Promise<number>): unknown }) {
  kernel.registerProgram('bump', async (sys) => {
    const ref = sys.outputs[0]!;
    for (let i = 0; i < 3; i++) {
      const view = await sys.beginRead(ref);
      const value = view[0]!;
      await sys.endRead(ref, view);
      const buf = await sys.beginWrite(ref, 1);
      buf[0] = value + 1;
      await sys.endWrite(ref, buf);
    }
    return 0;
  });
}

describe('simulate: replay', () => {
  const options = { nodes: ['a', 'b'], prepare: registerBump, run: racingCounters };

  it('the same seed gives the same run, event for event; other seeds give other runs', async () => {
    const first = await simulate({ ...options, seed: 7 });
    expect(first.outcome).toBe('ok');
    const again = await simulate({ ...options, seed: 7 });
    expect(formatTrace(again.trace)).toBe(formatTrace(first.trace));
    expect(again.value).toBe(first.value);
    const traces = new Set<string>();
    const values = new Set<number | undefined>();
    for (let seed = 0; seed < 12; seed++) {
      const r = await simulate({ ...options, seed });
      traces.add(formatTrace(r.trace));
      values.add(r.value);
    }
    expect(traces.size).toBeGreaterThan(6);
    // The race shows: some schedules lose updates, some do not.
    expect(values.size).toBeGreaterThan(1);
    expect(Math.max(...[...values].map(Number))).toBe(6);
  });

  it("a run's choice list replays it", async () => {
    const seeded = await simulate({ ...options, seed: 99 });
    const replayed = await simulate({ ...options, choices: seeded.choices });
    expect(formatTrace(replayed.trace)).toBe(formatTrace(seeded.trace));
    expect(replayed.steps).toBe(seeded.steps);
  });

  it('names replay too: fresh ones come from a seeded source, seeded ones from the same cluster root', async () => {
    const named = {
      nodes: ['a', 'b'],
      run: async (cluster: SimCluster) => {
        const a = cluster.init('a');
        const fresh = await a.create(ObjectType.SHARED_MEMORY_BLOB);
        const seeded = await a.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'x' }, CreateFlags.NAME_DETERMINISTIC);
        await cluster.init('b').lookup(seeded.name);
        return [fresh.name.key, seeded.name.key];
      },
    };
    const one = await simulate({ ...named, seed: 5 });
    const two = await simulate({ ...named, seed: 5 });
    expect(one.outcome).toBe('ok');
    expect(two.value).toEqual(one.value);
    expect(formatTrace(two.trace)).toBe(formatTrace(one.trace));
  });

  it('calls, messages and their outcomes are in the trace', async () => {
    const r = await simulate({ ...options, seed: 1 });
    const text = formatTrace(r.trace);
    expect(text).toMatch(/a\/init: run\(binary \d+, "bump-b"\) -> task ref \d+/);
    expect(text).toMatch(/deliver run a -> b/);
    expect(text).toMatch(/b\/bump-b: endWrite\(\d+, 1 bytes\) -> version \d+/);
  });
});

describe('simulate: virtual time', () => {
  it("a select's ten-minute timeout takes ten virtual minutes and no real time", async () => {
    const started = Date.now();
    const r = await simulate({
      run: async (cluster) => {
        const init = cluster.init('a');
        const { ref } = await init.create(ObjectType.SHARED_MEMORY_STREAM);
        await init.select([ref], { timeoutMs: 600_000 });
      },
    });
    expect(r.outcome).toBe('failed');
    expect(r.error).toMatchObject({ code: 'ETIMEDOUT' });
    expect(r.timeMs).toBeGreaterThanOrEqual(600_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a run waiting on what can never happen ends stuck, not hung', async () => {
    const r = await simulate({
      run: async (cluster) => {
        const init = cluster.init('a');
        const { ref } = await init.create(ObjectType.SHARED_MEMORY_STREAM);
        await init.select([ref]);
      },
    });
    expect(r.outcome).toBe('stuck');
    expect(formatTrace(r.trace)).toMatch(/select\(\[\d+\]\)$/);
  });

  it('a run past maxTimeMs or maxSteps ends so', async () => {
    const spin = async (cluster: SimCluster) => {
      const init = cluster.init('a');
      for (;;) await init.lookup(init.taskName);
    };
    expect((await simulate({ run: spin, maxSteps: 500 })).outcome).toBe('step-limit');
    expect((await simulate({ run: spin, maxTimeMs: 20 })).outcome).toBe('time-limit');
  });
});

describe('simulate: faults', () => {
  async function remoteBlob(cluster: SimCluster): Promise<{ a: SystemCalls; ref: number }> {
    const b = cluster.init('b');
    const { ref, name } = await b.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const a = cluster.init('a');
    const [remote] = await a.lookup(name);
    expect(ref).toBeGreaterThan(0);
    return { a, ref: remote! };
  }

  it('an isolated node is unreachable (EHOSTDOWN); once it rejoins, its objects can be looked up again', async () => {
    const r = await simulate({
      nodes: ['a', 'b'],
      faults: [
        { at: 100, kind: 'isolate', node: 'b' },
        { at: 300, kind: 'rejoin', node: 'b' },
      ],
      run: async (cluster) => {
        const b = cluster.init('b');
        const { name } = await b.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
        const a = cluster.init('a');
        const [ref] = await a.lookup(name);
        await cluster.sleep(150 - cluster.now);
        const code = (p: Promise<unknown>) =>
          p.then(
            () => 'ok',
            (e: { code: string }) => e.code,
          );
        const during = await code(a.beginRead(ref!));
        await cluster.sleep(200);
        // The reference died with the peer (fate-sharing); a new lookup reaches the object again.
        const stale = await code(a.beginRead(ref!));
        const [fresh] = await a.lookup(name);
        const view = await a.beginRead(fresh!);
        await a.endRead(fresh!, view);
        return { during, stale };
      },
    });
    expect(r.outcome, String(r.error)).toBe('ok');
    expect(r.value).toEqual({ during: 'EHOSTDOWN', stale: 'EHOSTDOWN' });
    expect(formatTrace(r.trace)).toMatch(/fault\s+isolate b/);
    expect(formatTrace(r.trace)).toMatch(/a checks on b -> gone/);
  });

  it('a dropped request times out as EHOSTDOWN after the request timeout, in virtual time', async () => {
    const r = await simulate({
      nodes: ['a', 'b'],
      network: { requestTimeoutMs: 2_000 },
      faults: [{ at: 50, kind: 'drop', from: 'a', to: 'b', count: 1 }],
      run: async (cluster) => {
        const { a, ref } = await remoteBlob(cluster);
        await cluster.sleep(Math.max(0, 60 - cluster.now));
        const before = cluster.now;
        const code = await a.beginRead(ref).then(
          () => 'read',
          (e: { code: string }) => e.code,
        );
        return { code, waited: cluster.now - before };
      },
    });
    expect(r.outcome).toBe('ok');
    expect(r.value?.code).toBe('EHOSTDOWN');
    expect(r.value?.waited).toBeGreaterThanOrEqual(2_000);
    expect(formatTrace(r.trace)).toMatch(/request lost, timed out/);
  });

  it('a lost node runs nothing more; its peers are told it is gone', async () => {
    let ranOnB = 0;
    const r = await simulate({
      nodes: ['a', 'b'],
      faults: [{ at: 20, kind: 'lose', node: 'b' }],
      prepare: (kernel) => {
        kernel.registerProgram('ticker', async (sys) => {
          for (;;) {
            ranOnB++;
            await sys.lookup(sys.taskName);
          }
        });
      },
      run: async (cluster) => {
        const init = cluster.init('a');
        const binary = await blobWith(init, programBinary('ticker'));
        const task = await init.run(binary, { argv: ['ticker'], kernel: 'b' });
        // The task's node is lost: its reference reads as exited once a hears b is gone.
        await init.select([task], { timeoutMs: 5_000 }).catch(() => undefined);
        const at = ranOnB;
        await cluster.sleep(1_000);
        return { at, after: ranOnB, peers: cluster.kernel('a').distribution === undefined };
      },
    });
    expect(r.outcome).toBe('ok');
    expect(r.value!.at).toBeGreaterThan(0);
    expect(r.value!.after).toBe(r.value!.at);
    expect(formatTrace(r.trace)).toMatch(/a checks on b -> gone/);
  });

  it('a store that crashes at a commit keeps the commits before it, and the restarted node boots from them', async () => {
    const r = await simulate({
      nodes: ['a', 'b'],
      faults: [
        { at: 0, kind: 'crash-store', node: 'b', commit: 4 },
        { at: 500, kind: 'restart', node: 'b' },
      ],
      run: async (cluster) => {
        const b = cluster.init('b');
        const { ref, name } = await b.create(ObjectType.DURABLE_BLOB, { lifecycle: 'immortal' });
        const versions: number[] = [];
        // The store's first commit is the blob's creation; the writes of versions 1 and 2 follow, and the third write
        // crashes the store, and b with it: its endWrite never returns.
        for (let v = 1; v <= 3; v++) {
          void (async () => {
            const buf = await b.beginWrite(ref, 4);
            buf.fill(v);
            versions.push(await b.endWrite(ref, buf));
          })();
          await cluster.sleep(50);
        }
        await cluster.sleep(600);
        const stored = cluster.stores.get('b')!.contents().get(name.key);
        // The restarted kernel has the blob as the store kept it.
        const again = cluster.init('b');
        const [handle] = await again.lookup(name);
        const view = await again.beginRead(handle!);
        const bytes = [...view];
        await again.endRead(handle!, view);
        return {
          versions,
          stored: stored && { version: stored.version, bytes: [...stored.bytes] },
          bytes,
          lost: cluster.isLost('b'),
        };
      },
    });
    expect(r.outcome, String(r.error)).toBe('ok');
    expect(r.value!.versions).toEqual([1, 2]);
    expect(r.value!.stored).toEqual({ version: 2, bytes: [2, 2, 2, 2] });
    expect(r.value!.bytes).toEqual([2, 2, 2, 2]);
    expect(r.value!.lost).toBe(false);
    expect(formatTrace(r.trace)).toMatch(/fault\s+restart b/);
  });
});

describe('checkSimulations: a seeded bug is found and shrunk', () => {
  /**
   * A writer rewrites an 8-byte record (all bytes equal) a few times; a reader on another node copies it in two
   * halves with a call in between, and must keep only records whose read was valid (end_read said so).
   */
  function recordReader(checkValidity: boolean) {
    return {
      nodes: ['a', 'b'],
      prepare: (kernel: { registerProgram(id: string, f: (sys: SystemCalls) => Promise<number>): unknown }) => {
        kernel.registerProgram('writer', async (sys) => {
          const ref = sys.outputs[0]!;
          for (let v = 1; v <= 3; v++) {
            const buf = await sys.beginWrite(ref, 8);
            buf.fill(v);
            await sys.endWrite(ref, buf);
          }
          return 0;
        });
      },
      run: async (cluster: SimCluster) => {
        const a = cluster.init('a');
        const record = await blobWith(a, new Uint8Array(8));
        const log = await a.create(ObjectType.SHARED_MEMORY_STREAM);
        const binary = await blobWith(a, programBinary('writer'));
        const writer = await a.run(binary, { argv: ['writer'], outputs: [record], kernel: 'b' });
        const accepted: number[][] = [];
        for (let i = 0; i < 4; i++) {
          const view = await a.beginRead(record);
          const head = [...view.subarray(0, 4)];
          // Any call here is a point where the writer's commit can come in.
          const note = await a.beginWrite(log.ref, 1, undefined, 0);
          await a.endWrite(log.ref, note, undefined, EndWriteFlags.DISCARD);
          const copy = [...head, ...view.subarray(4, 8)];
          const valid = await a.endRead(record, view);
          if (valid || !checkValidity) accepted.push(copy);
        }
        await a.select([writer]);
        return accepted;
      },
      check: (accepted: number[][]) => {
        for (const r of accepted)
          if (new Set(r).size !== 1) throw new Error(`a torn record was accepted: ${r.join(',')}`);
      },
    };
  }

  it('with the validity check, every schedule passes', async () => {
    const report = await checkSimulations({ ...recordReader(true), runs: 40, seed: 1 });
    expect(report.runs).toBe(40);
    expect(report.steps).toBeGreaterThan(40 * 10);
  });

  it('without it, a torn record is found, shrunk, and printed as a trace', { timeout: 60_000 }, async () => {
    const failure = await checkSimulations({ ...recordReader(false), runs: 200, seed: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(SimulationFailure);
    const f = failure as SimulationFailure<number[][]>;
    expect(f.message).toMatch(/a torn record was accepted/);
    expect(f.message).toMatch(/a\/init: endRead\(\d+\) -> INVALID/);
    expect(f.result.outcome).toBe('failed');
    // Shrunk: a short random prefix (then zeros: shortest delays, first come first served), a short trace.
    expect(f.shrinks).toBeGreaterThan(0);
    expect(f.result.choices.length).toBeLessThan(200);
    expect(f.result.steps).toBeLessThan(200);
    // The printed run replays.
    const replay = await simulate({ ...recordReader(false), choices: f.result.choices, faults: f.result.faults });
    expect(replay.outcome).toBe('failed');
    expect(formatTrace(replay.trace)).toBe(formatTrace(f.result.trace));
  });
});
