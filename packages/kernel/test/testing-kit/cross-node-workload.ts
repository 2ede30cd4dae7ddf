/**
 * A random workload of cross-node calls for the fault properties: a client
 * on node `a` looks up blobs that live on other nodes, reads and writes
 * them, runs tasks there, copies references to those tasks and waits for
 * them, in two concurrent lanes. Every call's outcome is recorded; after
 * the network heals and settles the client drops everything it holds.
 * `check` asserts that every call ended with a result or a network error;
 * the report lists any proxy, peer-held reference or task left behind.
 */
import fc from 'fast-check';
import { DiosError, ObjectType, programBinary, type Kernel, type Name, type SystemCalls } from '@dios/kernel';
import type { PeerLink, SimCluster } from '@dios/kernel/testing';
import { proxyTaskOn } from '../distribution/cluster.js';

/** One step of the client's workload, aimed at node `node`. */
export type WorkloadAction =
  | { kind: 'lookup' | 'read' | 'select' | 'copy'; node: string }
  | { kind: 'write'; node: string; byte: number }
  | { kind: 'run'; node: string; withInput: boolean }
  | { kind: 'wait'; ms: number };

/** Actions aimed at `targets` (the nodes holding the blobs and running the tasks). */
export function workloadActionArb(targets: readonly string[]): fc.Arbitrary<WorkloadAction> {
  const node = fc.constantFrom(...targets);
  return fc.oneof(
    fc.record({ kind: fc.constantFrom('lookup' as const, 'read' as const, 'select' as const, 'copy' as const), node }),
    fc.record({ kind: fc.constant('write' as const), node, byte: fc.nat(255) }),
    fc.record({ kind: fc.constant('run' as const), node, withInput: fc.boolean() }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 30 }) }),
  );
}

/** Errors a cross-node call may end with when the network or a node fails. */
const NETWORK_CODES = new Set([
  'EHOSTDOWN', // the peer did not answer, or was found gone
  'ETIMEDOUT',
  'EBADF', // a reference that died with its peer (fate-sharing), or revoked
  'ENOENT', // a lookup that reached no holder of the name (its node lost)
]);

/** And for a run on a node: one unreachable but not yet found gone is not among the peers at all. */
const RUN_CODES = new Set([...NETWORK_CODES, 'EHOSTUNREACH']);

/** And for a copy to a task: the task may have exited by then. */
const COPY_CODES = new Set([...NETWORK_CODES, 'ESRCH']);

/** What the workload saw. */
export interface WorkloadReport {
  /** Each call and how it ended (`ok` or an errno). */
  readonly calls: string[];
  /** Calls that ended with an error no fault explains. */
  readonly unexpected: string[];
  /**
   * Whether a call whose reply carries handles the home exported (lookup,
   * run, copy) failed with a network error: its home may have acted and the
   * reply been lost, which leaves those handles held there (a known limit).
   */
  readonly exportLost: boolean;
  /** Leaks found after the final settle. */
  readonly leaks: string[];
}

/** How long after the last fault the workload waits before cleaning up (virtual ms). */
const SETTLE_MS = 3_000;

/** The workload's prepare, run and check, for `simulate`; faults end (a heal) by `horizonMs`. */
export function crossNodeWorkload(actions: readonly WorkloadAction[], horizonMs: number) {
  // The blob each target node made at its latest boot, and the client's binary of the worker program.
  const blobNames = new Map<string, Name>();
  let binary = 0;

  const prepare = async (kernel: Kernel, node: string): Promise<void> => {
    kernel.registerProgram('worker', async (sys: SystemCalls) => {
      for (const input of sys.inputs) {
        const view = await sys.beginRead(input);
        await sys.endRead(input, view);
      }
      await sys.lookup(sys.taskName);
      // Stays a while (a select on itself times out), so references can be copied to it.
      await sys.select([sys.self], { timeoutMs: 20 }).catch(() => undefined);
      return 0;
    });
    if (node === 'a') {
      const { ref } = await kernel.init.create(ObjectType.SHARED_MEMORY_BLOB);
      const bytes = programBinary('worker');
      const w = await kernel.init.beginWrite(ref, bytes.length);
      w.set(bytes);
      await kernel.init.endWrite(ref, w);
      binary = ref;
    } else {
      const { name, ref } = await kernel.init.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
      const w = await kernel.init.beginWrite(ref, 4);
      w.fill(1);
      await kernel.init.endWrite(ref, w);
      blobNames.set(node, name);
    }
  };

  const run = async (cluster: SimCluster): Promise<WorkloadReport> => {
    const a = cluster.init('a');
    const blobs = new Map<string, number[]>();
    const tasks = new Map<string, number[]>();
    const calls: string[] = [];
    const unexpected: string[] = [];
    let exportLost = false;
    const last = (m: Map<string, number[]>, node: string) => m.get(node)?.at(-1);
    const push = (m: Map<string, number[]>, node: string, h: number) => m.set(node, [...(m.get(node) ?? []), h]);

    const attempt = async (what: string, call: () => Promise<unknown>, allowed = NETWORK_CODES, exports = false) => {
      try {
        await call();
        calls.push(`${what}: ok`);
      } catch (e) {
        const code = e instanceof DiosError ? e.code : String(e);
        calls.push(`${what}: ${code}`);
        if (exports && (code === 'EHOSTDOWN' || code === 'ETIMEDOUT')) exportLost = true;
        if (!allowed.has(code)) unexpected.push(`${what}: ${e instanceof Error ? e.message : code}`);
      }
    };

    const act = async (action: WorkloadAction): Promise<void> => {
      if (action.kind === 'wait') return cluster.sleep(action.ms);
      const { node } = action;
      const blob = last(blobs, node);
      const task = last(tasks, node);
      switch (action.kind) {
        case 'lookup':
          return attempt(
            `lookup ${node}'s blob`,
            async () => {
              for (const h of await a.lookup(blobNames.get(node)!)) push(blobs, node, h);
            },
            NETWORK_CODES,
            true,
          );
        case 'read':
          if (blob === undefined) return;
          return attempt(`read ${node}'s blob ${blob}`, async () => {
            const view = await a.beginRead(blob);
            await a.endRead(blob, view);
          });
        case 'write':
          if (blob === undefined) return;
          return attempt(`write ${node}'s blob ${blob}`, async () => {
            const buf = await a.beginWrite(blob, 4);
            buf.fill(action.byte);
            await a.endWrite(blob, buf);
          });
        case 'run':
          return attempt(
            `run a worker on ${node}`,
            async () => {
              const inputs = action.withInput && blob !== undefined ? [blob] : [];
              push(tasks, node, await a.run(binary, { argv: ['worker'], inputs, kernel: node }));
            },
            RUN_CODES,
            true,
          );
        case 'copy':
          if (blob === undefined || task === undefined) return;
          return attempt(`copy ${blob} to task ${task} on ${node}`, () => a.copy([blob], task), COPY_CODES, true);
        case 'select':
          if (task === undefined) return;
          // No timeout: the wait must end by the task's exit, or by its node being found gone.
          return attempt(`select task ${task} on ${node}`, () => a.select([task]));
      }
    };

    const lanes = [0, 1].map(async (lane) => {
      for (const [i, action] of actions.entries()) if (i % 2 === lane) await act(action);
    });
    await Promise.all(lanes);

    // Past the heal, let every notice and release arrive; then drop everything and let the releases arrive too.
    await cluster.sleep(Math.max(0, horizonMs - cluster.now) + SETTLE_MS);
    for (const h of [...blobs.values(), ...tasks.values()].flat()) {
      // A reference that died with its peer is already gone (EBADF): nothing left to drop.
      await a.delete(h).catch(() => undefined);
    }
    // Long enough for a release lost again and again to be sent its nine times (each after the 500 ms request timeout).
    await cluster.sleep(2 * SETTLE_MS);
    return { calls, unexpected, exportLost, leaks: leaksIn(cluster) };
  };

  const check = (report: WorkloadReport): void => {
    if (report.unexpected.length > 0)
      throw new Error([...report.unexpected.map((u) => `unexpected error: ${u}`), describeCalls(report)].join('\n'));
  };

  return { prepare, run, check };
}

/** The calls of a report, for a failure message. */
export function describeCalls(report: WorkloadReport): string {
  return `calls: ${report.calls.join('; ')}`;
}

/** Proxies, peer-held references and worker tasks still around once the client dropped everything. */
function leaksIn(cluster: SimCluster): string[] {
  const leaks: string[] = [];
  const client = cluster.kernel('a');
  const remotes = (client.distribution as PeerLink | undefined)?.remoteCount ?? 0;
  if (remotes > 0) leaks.push(`a keeps ${remotes} proxies for remote objects`);
  for (const node of cluster.live()) {
    if (node === 'a') continue;
    const kernel = cluster.kernel(node);
    const held = (proxyTaskOn(kernel, 'a')?.table.size ?? 1) - 1;
    if (held > 0) leaks.push(`${node}'s proxy for a holds ${held} references besides its own`);
    const workers = [...kernel.tasks.values()].filter((t) => t.setup.argv[0] === 'worker');
    if (workers.length > 0) leaks.push(`${node} keeps ${workers.length} worker task(s)`);
  }
  return leaks;
}
