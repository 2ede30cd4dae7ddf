/**
 * The nodes of a simulation: one kernel per node, booted with the
 * simulation's clock, seeded names, a crashable store and the simulated
 * network, every task's calls gated by the scheduler. What a workload
 * drives (through gated init tasks) and what faults act on.
 * @module
 */
import { errors } from '../../core/abi/errors.js';
import { loadProgram } from '../../core/abi/program.js';
import type { SystemCalls } from '../../core/abi/system-calls.js';
import type { Kernel, KernelOptions } from '../../core/kernel.js';
import type { Fault } from './faults.js';
import { seededChoices } from './choices.js';
import { GatedCalls } from './gated-calls.js';
import type { DelayRange, SimScheduler } from './scheduler.js';
import { simulatedClock } from './sim-clock.js';
import { SimNetwork, type SimNetworkOptions } from './sim-network.js';
import { SimStore } from './sim-store.js';

/** How a simulation boots a node's kernel: given the options the simulation needs, returns a booted kernel (default `Kernel.boot`). */
export type BootKernel = (options: KernelOptions) => Promise<Kernel>;

/** What a {@link SimCluster} is made from. */
export interface SimClusterOptions {
  /** Node ids (each is a kernel id). */
  readonly nodes: readonly string[];
  /** Cluster name the kernels share (one root group). */
  readonly cluster: string;
  /** Boots a kernel; a user's executor, scheduler or other options go in here. */
  readonly boot: BootKernel;
  /** Runs after each boot of a node (the first and every restart): register programs, write binaries. Its calls are not gated. */
  readonly prepare: ((kernel: Kernel, node: string) => Promise<void> | void) | undefined;
  /** Whether each node gets a durable store (a {@link SimStore}). */
  readonly durable: boolean;
  /** How long each system call waits for its turn. */
  readonly callDelay: DelayRange;
  /** The network's behaviour. */
  readonly network: SimNetworkOptions | undefined;
}

/** The nodes of one simulation run. */
export class SimCluster {
  /** The node ids. */
  readonly nodes: readonly string[];
  /** The simulated network (faults can also be applied to it directly). */
  readonly network: SimNetwork;
  /** Each node's durable store (when durable). */
  readonly stores = new Map<string, SimStore>();
  /** @internal A restart that failed (reported as the run's failure). */
  restartFailure: unknown = undefined;
  readonly #scheduler: SimScheduler;
  readonly #options: SimClusterOptions;
  readonly #kernels = new Map<string, Kernel>();
  readonly #inits = new Map<string, SystemCalls>();
  readonly #lost = new Set<string>();
  #boots = 0;

  /** @internal Made by `simulate`. */
  constructor(scheduler: SimScheduler, options: SimClusterOptions) {
    this.#scheduler = scheduler;
    this.#options = options;
    this.nodes = options.nodes;
    this.network = new SimNetwork(scheduler, options.network);
  }

  /** Virtual milliseconds since the run began. */
  get now(): number {
    return this.#scheduler.now;
  }

  /** The kernel node `node` runs now (after a restart, the new one). */
  kernel(node: string): Kernel {
    const kernel = this.#kernels.get(node);
    if (kernel === undefined) throw errors.ENOENT('SimCluster.kernel', 'node', `no node "${node}" in the simulation`);
    return kernel;
  }

  /** Node `node`'s init task, its calls gated like every task's. */
  init(node: string): SystemCalls {
    this.kernel(node);
    return this.#inits.get(node)!;
  }

  /** Whether `node` is lost (and not restarted). */
  isLost(node: string): boolean {
    return this.#lost.has(node);
  }

  /** Nodes not lost. */
  live(): string[] {
    return this.nodes.filter((n) => !this.#lost.has(n));
  }

  /** Attaches a host task to `node`'s kernel (see Kernel.attachTask), its calls gated. */
  async attach(
    node: string,
    argv: readonly string[],
    groups?: Parameters<Kernel['attachTask']>[1],
    options?: Parameters<Kernel['attachTask']>[2],
  ): Promise<SystemCalls> {
    const sys = await this.kernel(node).attachTask(argv, groups, options);
    return this.#gate(node, sys);
  }

  /** Resolves after `ms` virtual milliseconds (a timer of the harness, in order with everything else). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#scheduler.at(ms, undefined, 'timer', `harness sleeps ${ms} ms`, resolve));
  }

  /** Checks every live kernel's invariants (Kernel.checkInvariants). */
  checkInvariants(): void {
    for (const node of this.live()) this.#kernels.get(node)?.checkInvariants();
  }

  /** @internal Boots every node. */
  async start(): Promise<void> {
    for (const node of this.nodes) await this.#boot(node);
  }

  /** @internal Applies a fault now. */
  apply(fault: Fault): void {
    const net = this.network;
    switch (fault.kind) {
      case 'isolate':
        return net.isolate(fault.node);
      case 'rejoin':
        return net.rejoin(fault.node);
      case 'cut':
        return net.cut(fault.a, fault.b);
      case 'heal':
        return net.healAll();
      case 'drop':
        return net.drop(fault.from, fault.to, fault.count);
      case 'slow':
        return net.slow(fault.from, fault.to, fault.ms);
      case 'lose':
        return this.#lose(fault.node);
      case 'crash-store':
        return this.stores.get(fault.node)?.crashAtCommit(fault.commit);
      case 'restart':
        if (this.#lost.has(fault.node)) {
          this.#boot(fault.node).catch((e: unknown) => {
            this.restartFailure = e;
          });
        }
        return;
    }
  }

  #lose(node: string): void {
    if (this.#lost.has(node) || !this.#kernels.has(node)) return;
    this.#lost.add(node);
    this.network.lose(node);
  }

  async #boot(node: string): Promise<void> {
    const s = this.#scheduler;
    let store = this.stores.get(node);
    if (this.#options.durable && store === undefined) {
      store = new SimStore(s, node);
      this.stores.set(node, store);
    }
    store?.recover();
    if (store !== undefined) store.onCrash = () => this.#lose(node);
    // Fresh names come from a generator of their own (not the run's choices: a replay list of zeros would make every
    // name the same), seeded per node and boot, so they repeat whenever the run does.
    const names = seededChoices(hashText(node) + 0x10000 * ++this.#boots);
    const kernel = await this.#options.boot({
      id: node,
      cluster: this.#options.cluster,
      clock: simulatedClock(s, node),
      randomBytes: (bytes) => {
        for (let i = 0; i < bytes.length; i++) bytes[i] = names.next(256);
      },
      store,
      programCalls: (sys) => this.#gate(node, sys),
    });
    if (kernel.id !== node)
      throw errors.EINVAL('simulate', 'boot', `the boot function gave kernel "${kernel.id}" for node "${node}"`);
    s.revive(node);
    this.#lost.delete(node);
    kernel.join(this.network.connect(node));
    this.#kernels.set(node, kernel);
    await this.#options.prepare?.(kernel, node);
    // Module programs are imported now, so that no import finishes in the middle of the run (out of the scheduler's order).
    for (const program of kernel.programs.values())
      if (typeof program !== 'function') await this.#scheduler.hold(loadProgram(program));
    this.#inits.set(node, this.#gate(node, kernel.init));
  }

  #gate(node: string, sys: SystemCalls): SystemCalls {
    const who = sys.argv.join(' ').slice(0, 32) || 'task';
    return new GatedCalls(sys, this.#scheduler, node, `${node}/${who}`, this.#options.callDelay);
  }
}

/** A 16-bit hash of a string (FNV-1a, folded): a node's seed for its names. */
function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return (h ^ (h >>> 16)) & 0xffff;
}
