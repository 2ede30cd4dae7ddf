/**
 * What a transport under test gives the cluster compliance suite: a way to
 * boot kernels joined over it, take one down, and tear everything down.
 */
import type { Kernel } from '@dios/kernel';

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
