/**
 * The cluster compliance suite: what several kernels joined over a transport
 * must do for their tasks (lookup, remote I/O, streams, select, copy, remote
 * run, pause, errors, information-flow labels), written once and run against every transport. Tasks
 * act only through the system calls; the host side only boots kernels,
 * registers programs, takes a node down and checks invariants.
 */
import { afterEach, describe, expect } from 'vitest';
import { Rights, type SystemCalls } from '@dios/kernel';
import { blobIoCases } from './cluster-blob-io.js';
import type { ClusterCase, Nodes } from './cluster-context.js';
import { copyRunCases } from './cluster-copy-run.js';
import { errorCases } from './cluster-errors.js';
import { ifcCases } from './cluster-ifc.js';
import { lookupCases } from './cluster-lookup.js';
import type { ClusterNodes, ClusterTestSetup } from './cluster-setup.js';
import { streamCases } from './cluster-streams.js';

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
      for (const id of ids)
        sys[id] = await nodes.kernels[id]!.attachTask([`host-${id}`], undefined, { lookupRights: Rights.ALL });
      return {
        ...nodes,
        sys,
        check(...only: string[]) {
          for (const id of only.length > 0 ? only : ids) nodes.kernels[id]!.checkInvariants();
        },
      };
    }

    const cases: ClusterCase = { boot, timeout, downMs };
    lookupCases(cases);
    blobIoCases(cases);
    streamCases(cases);
    copyRunCases(cases);
    errorCases(cases);
    ifcCases(cases);
  });
}
