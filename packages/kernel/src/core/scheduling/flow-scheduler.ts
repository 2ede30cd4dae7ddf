/**
 * Quincy/Firmament-style placement: each round is a min-cost flow over
 *
 *     task ─┬─> U(job) ─────────────────────────────────────────┐
 *           ├─> X(class) ─> rack/group(class) ─> entry(class, m) ─> M(m) ─> sink
 *           ├─> rack(class) ─────────────────^                   │
 *           └─> entry(class, m) for the machines holding its data ┘
 *
 * One unit of supply per waiting task; the sink takes them all. Arc costs
 * come from {@link FlowCostModel}: data moved on a task's arcs, interference
 * on the entry arcs (what the machine's tasks do to one more task of the
 * class), a wait that costs more each round on U. The network and the flow
 * stay between rounds: a round changes what changed and solves again.
 * @module
 */
import { errors } from '../abi/errors.js';
import type { Assignment, ClusterScheduler, MachineSpec, PendingTask } from './cluster-scheduler.js';
import { costModel, interference, MAX_TERM, PENALTY, units, type FlowCostModel } from './cost-model.js';
import { MinCostFlow, UNLIMITED } from './min-cost-flow.js';
import { SlotBook, type BookMachine } from './slot-book.js';
import type { TaskClass } from './task-class.js';

const CALL = 'flowScheduler';
// Machines per aggregation group when no racks are configured: the cluster aggregator then fans out to
// groups, not to every machine, so a search through it scans a few hundred arcs.
const GROUP_SIZE = 64;
const FAN_OUT = 24;
// Search ranks by nearness to the sink: among equal distances a search goes down the aggregation tree first.
const RANK = { machine: 1, entry: 2, group: 3, superGroup: 4, cluster: 5, task: 6 } as const;

/** Options of a {@link FlowScheduler}: cost weights, and whether every task must be placed. */
export interface FlowSchedulerOptions extends Partial<FlowCostModel> {
  /**
   * Place every task in the round it arrives (no waiting): machines take
   * tasks over their slots at `overcommitCost` each. What `run` needs: a
   * call cannot wait for a slot.
   */
  readonly mustPlace?: boolean;
}

interface Entry {
  readonly node: number;
  readonly first: number;
  readonly more: number;
}
interface MachineNodes {
  readonly node: number;
  readonly sinkArc: number;
  readonly overflowArc: number | undefined;
  readonly group: string;
  readonly entries: Map<TaskClass, Entry>;
}
interface Layer {
  readonly x: number;
  readonly groups: Map<string, number>;
  // X fans out to these, each to at most FAN_OUT groups: a search through X pushes tens of nodes, not hundreds.
  readonly supers: number[];
  lastSuperGroups: number;
}
interface TaskNodes {
  readonly node: number;
  readonly spec: PendingTask;
  readonly uArc: number | undefined;
  uCost: number;
  /** Preferred-machine arcs it has. */
  prefs: number;
}
interface Job {
  readonly node: number;
  tasks: number;
}

/** A {@link ClusterScheduler} that solves a min-cost flow each round (docs/scheduling.md). */
export class FlowScheduler implements ClusterScheduler {
  readonly #model: FlowCostModel;
  readonly #mustPlace: boolean;
  readonly #g = new MinCostFlow();
  readonly #sink = this.#g.addNode(0);
  readonly #book = new SlotBook();
  readonly #machines = new Map<string, MachineNodes>();
  readonly #machineOf = new Map<number, string>();
  readonly #layers = new Map<TaskClass, Layer>();
  readonly #jobs = new Map<string, Job>();
  readonly #tasks = new Map<string, TaskNodes>();
  #added = 0;
  /** Figures of the last round's solve. */
  lastRound = { searches: 0, scanned: 0, placed: 0 };

  /** `options`: cost weights (see {@link FlowCostModel}) and `mustPlace`. */
  constructor(options: FlowSchedulerOptions = {}) {
    this.#model = costModel(CALL, options);
    const known = new Set([...Object.keys(this.#model), 'mustPlace']);
    for (const k of Object.keys(options))
      if (!known.has(k)) throw errors.EINVAL(CALL, `options.${k}`, 'unknown option');
    if (options.mustPlace !== undefined && typeof options.mustPlace !== 'boolean')
      throw errors.EINVAL(CALL, 'options.mustPlace', 'expected a boolean');
    this.#mustPlace = options.mustPlace ?? false;
  }

  /** See {@link ClusterScheduler.waitingTasks}. */
  get waitingTasks(): number {
    return this.#book.waiting.size;
  }
  /** See {@link ClusterScheduler.runningTasks}. */
  get runningTasks(): number {
    return this.#book.running.size;
  }
  /** Nodes and arcs of the flow network now. */
  get networkSize(): { nodes: number; arcs: number } {
    return { nodes: this.#g.nodeCount, arcs: this.#g.arcCount };
  }

  /** See {@link ClusterScheduler.addMachine}. */
  addMachine(machine: MachineSpec): void {
    const m = this.#book.addMachine(CALL, machine);
    const g = this.#g;
    const node = g.addNode();
    g.setRank(node, RANK.machine);
    const nodes: MachineNodes = {
      node,
      sinkArc: g.addArc(node, this.#sink, Math.max(0, m.free), 0),
      overflowArc: this.#mustPlace ? g.addArc(node, this.#sink, UNLIMITED, this.#model.overcommitCost) : undefined,
      group: m.spec.rack !== undefined ? `rack:${m.spec.rack}` : `group:${Math.floor(this.#added++ / GROUP_SIZE)}`,
      entries: new Map(),
    };
    this.#machines.set(m.spec.id, nodes);
    this.#machineOf.set(node, m.spec.id);
    for (const [c, layer] of this.#layers) this.#addEntry(m, nodes, c, layer);
    // Waiting tasks with data here prefer it as they would have, had it been known when they came.
    const id = m.spec.id;
    for (const t of this.#tasks.values()) {
      const bytes = Object.hasOwn(t.spec.inputBytes, id) ? t.spec.inputBytes[id]! : 0;
      if (bytes <= 0 || t.prefs >= this.#model.preferredMachines) continue;
      const entry = nodes.entries.get(t.spec.taskClass ?? 'unknown')!;
      this.#g.addArc(t.node, entry.node, 1, this.#preferredCost(t.spec, nodes.group, bytes));
      t.prefs++;
    }
  }

  // What placing t on a machine of `group` holding `bytes` of its input costs: the rest moves, at the in-rack rate
  // for what its rack holds.
  #preferredCost(t: PendingTask, group: string, bytes: number): number {
    const model = this.#model;
    const total = t.totalBytes!;
    let local = bytes;
    if (group.startsWith('rack:')) {
      local = 0;
      for (const [id, b] of Object.entries(t.inputBytes)) if (this.#machines.get(id)?.group === group) local += b;
      local = Math.min(total, local);
    }
    return units(model, total - local) + units(model, Math.floor(((local - bytes) * model.inRackPercent) / 100));
  }

  /** See {@link ClusterScheduler.removeMachine}. */
  removeMachine(id: string): string[] {
    const dropped = this.#book.removeMachine(CALL, id);
    const nodes = this.#machines.get(id)!;
    for (const e of nodes.entries.values()) this.#g.removeNode(e.node);
    this.#g.removeNode(nodes.node);
    this.#machines.delete(id);
    this.#machineOf.delete(nodes.node);
    return dropped;
  }

  /** See {@link ClusterScheduler.submit}. */
  submit(task: PendingTask): void {
    const t = this.#book.submit(CALL, task);
    const g = this.#g;
    const model = this.#model;
    const c = t.taskClass ?? 'unknown';
    const layer = this.#layer(c);
    const node = g.addNode(1);
    g.setRank(node, RANK.task);
    g.setSupply(this.#sink, g.supplyOf(this.#sink) - 1);
    const total = t.totalBytes!;
    const xCost = units(model, total);
    g.setPriority(node, xCost);
    // Preferred machines: the ones holding most of the input; preferred racks: theirs, by bytes in the rack.
    const held = Object.entries(t.inputBytes)
      .filter(([id]) => this.#machines.has(id))
      .sort((a, b) => b[1] - a[1]);
    const rackBytes = new Map<string, number>();
    // Only configured racks count: machines without one share no rack, only an aggregation group.
    for (const [id, bytes] of held) {
      const group = this.#machines.get(id)!.group;
      if (group.startsWith('rack:')) rackBytes.set(group, Math.min(total, (rackBytes.get(group) ?? 0) + bytes));
    }
    const inRack = (bytes: number) => units(model, Math.floor((bytes * model.inRackPercent) / 100));
    for (const [id, bytes] of held.slice(0, model.preferredMachines)) {
      const m = this.#machines.get(id)!;
      const local = rackBytes.get(m.group) ?? bytes;
      const cost = units(model, total - local) + inRack(local - bytes);
      g.addArc(node, m.entries.get(c)!.node, 1, cost);
    }
    const racks = [...rackBytes].sort((a, b) => b[1] - a[1]).slice(0, model.preferredRacks);
    for (const [group, bytes] of racks) {
      g.addArc(node, layer.groups.get(group)!, 1, units(model, total - bytes) + inRack(bytes));
    }
    // The cheap arcs first: the solver's probe tries a task's arcs in order.
    g.addArc(node, layer.x, 1, xCost);
    let uArc: number | undefined;
    let uCost = 0;
    if (!this.#mustPlace) {
      let job = this.#jobs.get(t.job);
      if (job === undefined) {
        const u = g.addNode();
        g.setRank(u, RANK.machine);
        g.addArc(u, this.#sink, UNLIMITED, 0);
        job = { node: u, tasks: 0 };
        this.#jobs.set(t.job, job);
      }
      job.tasks++;
      uCost = xCost + model.unscheduledCost;
      uArc = g.addArc(node, job.node, 1, uCost);
    }
    this.#tasks.set(t.id, { node, spec: t, uArc, uCost, prefs: Math.min(held.length, model.preferredMachines) });
  }

  /** See {@link ClusterScheduler.finished}. */
  finished(task: string): void {
    const m = this.#book.finished(CALL, task);
    this.#refresh(m);
  }

  /** See {@link ClusterScheduler.schedule}. */
  schedule(now: number): Assignment[] {
    if (typeof now !== 'number' || !Number.isFinite(now))
      throw errors.EINVAL(CALL, 'now', `expected a finite number of ms, got ${String(now)}`);
    const g = this.#g;
    // Waiting costs more the longer it lasts: the longest waiting get the free slots first.
    for (const t of this.#tasks.values()) {
      if (t.uArc === undefined) continue;
      const waited = Math.max(0, now - t.spec.submittedAt);
      const cost =
        units(this.#model, t.spec.totalBytes!) +
        this.#model.unscheduledCost +
        Math.min(MAX_TERM, Math.floor((waited * this.#model.waitCostPerSecond) / 1000));
      if (cost !== t.uCost) {
        g.setCost(t.uArc, cost);
        t.uCost = cost;
      }
    }
    const stats = g.solve();
    const out: Assignment[] = [];
    const touched = new Set<BookMachine>();
    for (const [id, t] of this.#tasks) {
      const machine = this.#extract(t);
      if (machine === undefined) continue;
      this.#book.assign(id, machine);
      this.#tasks.delete(id);
      if (t.uArc !== undefined) {
        const job = this.#jobs.get(t.spec.job)!;
        if (--job.tasks === 0) {
          g.removeNode(job.node);
          this.#jobs.delete(t.spec.job);
        }
      }
      touched.add(this.#book.machines.get(machine)!);
      out.push({ task: id, machine });
    }
    for (const m of touched) this.#refresh(m);
    this.lastRound = { searches: stats.searches, scanned: stats.scanned, placed: out.length };
    return out;
  }

  // Follows the task's unit of flow; if it reaches a machine, takes it off the network and returns the machine.
  #extract(t: TaskNodes): string | undefined {
    const g = this.#g;
    const path: number[] = [];
    let v = t.node;
    let machine: string | undefined;
    for (;;) {
      const arc = g.flowArcOut(v);
      if (arc < 0) throw errors.EIO(CALL, 'flow', `task ${t.spec.id}'s flow stops at node ${v}`);
      if (path.length === 0 && arc === t.uArc) return undefined;
      path.push(arc);
      v = g.toOf(arc);
      if (v === this.#sink) break;
      machine ??= this.#machineOf.get(v);
    }
    g.unsend(path);
    g.removeNode(t.node);
    g.setSupply(this.#sink, g.supplyOf(this.#sink) + 1);
    return machine;
  }

  // A machine's tasks changed: its free slots and what one more task of each class would pay there.
  #refresh(m: BookMachine): void {
    const nodes = this.#machines.get(m.spec.id)!;
    const g = this.#g;
    const free = Math.max(0, m.free);
    if (g.capacityOf(nodes.sinkArc) !== free) g.setCapacity(nodes.sinkArc, free);
    for (const [c, e] of nodes.entries) {
      const [first, more] = this.#entryCosts(m, c);
      if (g.costOf(e.first) !== first) g.setCost(e.first, first);
      if (g.costOf(e.more) !== more) g.setCost(e.more, more);
    }
    // Cheaper entries would each be saturated and repaired by a search; one repair at the machine does for all.
    g.settleIn(nodes.node);
  }

  // The first task of class c placed in a round pays for the machine's tasks; later ones also for that one.
  #entryCosts(m: BookMachine, c: TaskClass): [number, number] {
    const first = interference(this.#model, c, m.classes);
    return [first, first + PENALTY[c][c] * this.#model.interferenceCost];
  }

  #layer(c: TaskClass): Layer {
    let layer = this.#layers.get(c);
    if (layer !== undefined) return layer;
    layer = { x: this.#g.addNode(), groups: new Map(), supers: [], lastSuperGroups: FAN_OUT };
    this.#g.setRank(layer.x, RANK.cluster);
    this.#layers.set(c, layer);
    for (const [id, nodes] of this.#machines) this.#addEntry(this.#book.machines.get(id)!, nodes, c, layer);
    return layer;
  }

  #addEntry(m: BookMachine, nodes: MachineNodes, c: TaskClass, layer: Layer): void {
    const g = this.#g;
    let group = layer.groups.get(nodes.group);
    if (group === undefined) {
      if (layer.lastSuperGroups === FAN_OUT) {
        const top = g.addNode();
        g.setRank(top, RANK.superGroup);
        g.addArc(layer.x, top, UNLIMITED, 0);
        layer.supers.push(top);
        layer.lastSuperGroups = 0;
      }
      group = g.addNode();
      g.setRank(group, RANK.group);
      g.addArc(layer.supers[layer.supers.length - 1]!, group, UNLIMITED, 0);
      layer.lastSuperGroups++;
      layer.groups.set(nodes.group, group);
    }
    const node = g.addNode();
    g.setRank(node, RANK.entry);
    const [firstCost, moreCost] = this.#entryCosts(m, c);
    const entry: Entry = {
      node,
      first: g.addArc(node, nodes.node, 1, firstCost),
      more: g.addArc(node, nodes.node, UNLIMITED, moreCost),
    };
    g.addArc(group, node, UNLIMITED, 0);
    nodes.entries.set(c, entry);
  }
}
