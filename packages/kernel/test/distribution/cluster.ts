/**
 * Helpers of the cross-kernel tests: several kernels in one process, joined
 * over a loopback network, sharing a cluster root group.
 */
import { expect } from 'vitest';
import { Kernel, LoopbackNetwork, Rights, type JoinOptions, type SystemCalls } from '@dios/kernel';
import type { PeerLink } from '@dios/kernel/testing';
import type { TaskObject } from '../../src/core/objects/task.js';

export interface Cluster {
  /** The cluster name every kernel was booted with. */
  name: string;
  net: LoopbackNetwork;
  /** Kernels by id. */
  k: Record<string, Kernel>;
  /** Peer links by kernel id. */
  link: Record<string, PeerLink>;
  /** A host-driven task on each kernel, member of the (shared) root group. */
  sys: Record<string, SystemCalls>;
  /** Checks every kernel's invariants. */
  check(): void;
}

let clusterCounter = 0;

/** Boots one kernel per id, all in one fresh cluster, joined over one loopback network. */
export async function cluster(...ids: string[]): Promise<Cluster> {
  return clusterWith({}, ...ids);
}

/** {@link cluster}, each kernel joining with `options`. */
export async function clusterWith(options: JoinOptions, ...ids: string[]): Promise<Cluster> {
  const net = new LoopbackNetwork();
  const name = `test-cluster-${++clusterCounter}-${Math.random().toString(36).slice(2)}`;
  const k: Record<string, Kernel> = {};
  const link: Record<string, PeerLink> = {};
  const sys: Record<string, SystemCalls> = {};
  for (const id of ids) {
    k[id] = await Kernel.boot({ id, cluster: name });
    link[id] = k[id].join(net.connect(id), options);
    // With lookup mask rwxd: the tests hand references to each other's host tasks, found by name (a task's default mask, r--d, would not let them).
    sys[id] = await k[id].attachTask([`host-${id}`], undefined, { lookupRights: Rights.ALL });
  }
  return {
    name,
    net,
    k,
    link,
    sys,
    check() {
      for (const id of ids) k[id]!.checkInvariants();
    },
  };
}

/** Polls `check` until it is true; fails after `ms` (at most 2 s). */
export async function until(what: string, check: () => boolean, ms = 1000): Promise<void> {
  const deadline = Date.now() + Math.min(ms, 2000);
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Lets in-flight messages (releases, revocation notices) arrive. */
export function settle(ms = 10): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The task running the proxy for `peer` on `home` (it holds the references `peer` has there). */
export function proxyTaskOn(home: Kernel, peer: string): TaskObject | undefined {
  for (const task of home.tasks.values()) if (task.setup.argv[0] === `peer:${peer}`) return task;
  return undefined;
}

/** Handles held by the proxy task for `peer` on `home` that refer to the object named `key`. */
export function proxyHandlesTo(home: Kernel, peer: string, key: string): number[] {
  const task = proxyTaskOn(home, peer);
  if (task === undefined) return [];
  return [...task.table.values()].filter((r) => r.object.name.key === key).map((r) => r.id);
}

/** Rights of the proxy's references for `peer` on `home` to the object named `key`. */
export function proxyRightsTo(home: Kernel, peer: string, key: string): number[] {
  const task = proxyTaskOn(home, peer);
  if (task === undefined) return [];
  return [...task.table.values()].filter((r) => r.object.name.key === key).map((r) => r.rights);
}

/** Asserts two byte arrays are equal (printing them as text on failure). */
export function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(new TextDecoder().decode(actual)).toBe(new TextDecoder().decode(expected));
  expect([...actual]).toEqual([...expected]);
}
