/**
 * The MinCostFlow solver against the `min-cost-flow` npm package (a plain
 * successive-shortest-paths solver with Bellman-Ford, used here only as an
 * oracle) on random small networks:
 *
 * - from scratch: several supply and several demand nodes, random integer
 *   capacities and non-negative costs, parallel and opposite arcs allowed.
 *   Ours meets every supply exactly when the reference's max flow from a
 *   super source to a super sink does (ENOSPC otherwise), at the same cost,
 *   and its flow is feasible (capacities, conservation from `flow(arc)`);
 * - incrementally: a random sequence of changes (costs up and down,
 *   capacities, arcs and nodes added and removed, supplies moved, flow paths
 *   unsent as a placed task leaves), solved after every step: the same
 *   outcome and cost as a solver built from scratch on the network as it now
 *   is, and as the reference.
 *
 * The reference takes one edge per pair of nodes (no parallel or opposite
 * edges), so an arc whose pair is taken goes through a node of its own
 * (u -> mid -> v, the cost on the first half): same flows, same costs.
 *
 * Negative costs too: the reference gets such an arc saturated and turned
 * around.
 *
 * Runs: DIOS_PROPERTY_RUNS / 2 (default 500) per property on networks of up
 * to 8 nodes; a tenth to a fifth of that on networks of up to 40 nodes (the
 * reference is slow).
 */
import fc from 'fast-check';
import { minCostFlow, type Edge } from 'min-cost-flow';
import { describe, expect, it } from 'vitest';
import { isDiosError } from '@dios/kernel';
import { MinCostFlow } from '../../src/core/scheduling/min-cost-flow.js';

const NUM_RUNS = Math.max(20, Math.round(Number(process.env.DIOS_PROPERTY_RUNS ?? 1000) / 2));

/** A network as plain data: removed nodes and arcs stay as `undefined` so indices are stable. */
interface Net {
  nodes: ({ supply: number } | undefined)[];
  arcs: ({ from: number; to: number; cap: number; cost: number } | undefined)[];
}

/** What solving gives: the min cost, or that the supplies cannot all be met. */
type Outcome = { feasible: true; cost: number } | { feasible: false };

function referenceOutcome(net: Net): Outcome {
  // The package takes no negative costs: such an arc is taken as saturated (its tail sends its capacity ahead)
  // plus an opposite arc of cost -c that can send it back. Same optimum, offset by capacity x cost.
  const supply = net.nodes.map((n) => n?.supply ?? 0);
  let offset = 0;
  const arcs = net.arcs.map((a) => {
    if (a === undefined || a.cost >= 0) return a;
    supply[a.from]! -= a.cap;
    supply[a.to]! += a.cap;
    offset += a.cap * a.cost;
    return { from: a.to, to: a.from, cap: a.cap, cost: -a.cost };
  });
  const edges: Edge<string>[] = [];
  const pairs = new Set<string>();
  let total = 0;
  net.nodes.forEach((n, i) => {
    if (n === undefined) return;
    const s = supply[i]!;
    if (s > 0) {
      edges.push({ from: 'SOURCE', to: `n${i}`, capacity: s, cost: 0 });
      total += s;
    } else if (s < 0) edges.push({ from: `n${i}`, to: 'SINK', capacity: -s, cost: 0 });
  });
  if (total === 0) return { feasible: true, cost: offset };
  arcs.forEach((a, k) => {
    if (a === undefined) return;
    const [u, v] = [`n${a.from}`, `n${a.to}`];
    const pair = u < v ? `${u} ${v}` : `${v} ${u}`;
    if (pairs.has(pair)) {
      edges.push({ from: u, to: `a${k}`, capacity: a.cap, cost: a.cost });
      edges.push({ from: `a${k}`, to: v, capacity: a.cap, cost: 0 });
    } else {
      pairs.add(pair);
      edges.push({ from: u, to: v, capacity: a.cap, cost: a.cost });
    }
  });
  const solved = minCostFlow(edges, { desiredFlow: total });
  const sent = solved.filter((e) => e.to === 'SINK').reduce((sum, e) => sum + e.flow, 0);
  if (sent < total) return { feasible: false };
  return { feasible: true, cost: offset + solved.reduce((sum, e) => sum + e.flow * e.cost, 0) };
}

/** A solver holding `net`, with the model's node and arc indices mapped to the solver's ids. */
interface Built {
  solver: MinCostFlow;
  nodeId: (number | undefined)[];
  arcId: (number | undefined)[];
}

function build(net: Net): Built {
  const solver = new MinCostFlow();
  const nodeId = net.nodes.map((n) => (n === undefined ? undefined : solver.addNode(n.supply)));
  const arcId = net.arcs.map((a) =>
    a === undefined ? undefined : solver.addArc(nodeId[a.from]!, nodeId[a.to]!, a.cap, a.cost),
  );
  return { solver, nodeId, arcId };
}

/** Solves; ENOSPC becomes "infeasible", any other error is thrown on. */
function solveOutcome(solver: MinCostFlow): Outcome {
  try {
    solver.solve();
  } catch (e) {
    if (isDiosError(e, 'ENOSPC')) return { feasible: false };
    throw e;
  }
  return { feasible: true, cost: solver.totalCost() };
}

/** Asserts the solver's flow respects capacities and meets every supply, and that its cost is the flows' sum. */
function expectFeasibleFlow(net: Net, b: Built): void {
  const balance = net.nodes.map(() => 0);
  let cost = 0;
  net.arcs.forEach((a, k) => {
    if (a === undefined) return;
    const f = b.solver.flow(b.arcId[k]!);
    expect(Number.isInteger(f) && f >= 0 && f <= a.cap, `arc ${k}: flow ${f}, capacity ${a.cap}`).toBe(true);
    balance[a.from]! += f;
    balance[a.to]! -= f;
    cost += f * a.cost;
  });
  net.nodes.forEach((n, i) => {
    if (n !== undefined) expect(balance[i], `node ${i}: out - in`).toBe(n.supply);
  });
  expect(b.solver.totalCost()).toBe(cost);
}

// Supplies as units sent from one node to another: balanced by construction, several sources and sinks.
const units = (nodes: number) =>
  fc.array(fc.tuple(fc.nat(nodes - 1), fc.nat(nodes - 1)), { maxLength: Math.max(10, nodes) });
const arcSpec = (nodes: number, costs: fc.Arbitrary<number>) =>
  fc
    .record({ from: fc.nat(nodes - 1), to: fc.nat(nodes - 1), cap: fc.nat(6), cost: costs })
    .filter((a) => a.from !== a.to);

const COSTS = fc.nat(20);
const SIGNED_COSTS = fc.integer({ min: -10, max: 20 });

const networkOf = (costs: fc.Arbitrary<number>, maxNodes = 8) =>
  fc.integer({ min: 2, max: maxNodes }).chain((n) =>
    fc
      .record({ n: fc.constant(n), units: units(n), arcs: fc.array(arcSpec(n, costs), { maxLength: 3 * n }) })
      .map((g) => {
        const supply = new Array<number>(g.n).fill(0);
        for (const [from, to] of g.units) {
          supply[from]!++;
          supply[to]!--;
        }
        return { nodes: supply.map((s) => ({ supply: s })), arcs: g.arcs } satisfies Net;
      }),
  );

/** One change to the network (indices are taken modulo what exists when it applies). */
type Step =
  | { op: 'setCost'; arc: number; cost: number }
  | { op: 'setCapacity'; arc: number; cap: number }
  | { op: 'addArc'; from: number; to: number; cap: number; cost: number }
  | { op: 'removeArc'; arc: number }
  | { op: 'addNode'; supply: number }
  | { op: 'removeNode'; node: number }
  | { op: 'moveSupply'; from: number; to: number; amount: number }
  | { op: 'unsend'; start: number; leave: boolean };

const changesOf = (costs: fc.Arbitrary<number>): fc.Arbitrary<Step>[] => [
  fc.record({ op: fc.constant('setCost' as const), arc: fc.nat(), cost: costs }),
  fc.record({ op: fc.constant('setCapacity' as const), arc: fc.nat(), cap: fc.nat(6) }),
  fc.record({ op: fc.constant('addArc' as const), from: fc.nat(), to: fc.nat(), cap: fc.nat(6), cost: costs }),
  fc.record({ op: fc.constant('removeArc' as const), arc: fc.nat() }),
  fc.record({ op: fc.constant('addNode' as const), supply: fc.constant(0) }),
  fc.record({ op: fc.constant('removeNode' as const), node: fc.nat() }),
  fc.record({
    op: fc.constant('moveSupply' as const),
    from: fc.nat(),
    to: fc.nat(),
    amount: fc.integer({ min: 1, max: 3 }),
  }),
];
const unsendStep = fc.record({ op: fc.constant('unsend' as const), start: fc.nat(), leave: fc.boolean() });

const liveIndices = <T>(list: (T | undefined)[]) => list.flatMap((x, i) => (x === undefined ? [] : [i]));

/** A path of model arcs carrying flow, from a node with supply, followed until it reaches a demand or loops. */
function flowPath(net: Net, b: Built, start: number): number[] {
  const sources = liveIndices(net.nodes).filter((i) => net.nodes[i]!.supply > 0);
  if (sources.length === 0) return [];
  let at = sources[start % sources.length]!;
  const seen = new Set([at]);
  const path: number[] = [];
  for (;;) {
    const next = net.arcs.findIndex((a, k) => a !== undefined && a.from === at && b.solver.flow(b.arcId[k]!) > 0);
    if (next < 0) return path;
    path.push(next);
    at = net.arcs[next]!.to;
    if (net.nodes[at]!.supply < 0 || seen.has(at)) return path;
    seen.add(at);
  }
}

/** Applies `s` to both the model and the solver, the way the flow scheduler would. */
function apply(net: Net, b: Built, s: Step): void {
  const arcs = liveIndices(net.arcs);
  const nodes = liveIndices(net.nodes);
  switch (s.op) {
    case 'setCost':
    case 'setCapacity':
    case 'removeArc': {
      if (arcs.length === 0) return;
      const k = arcs[s.arc % arcs.length]!;
      if (s.op === 'setCost') {
        net.arcs[k]!.cost = s.cost;
        b.solver.setCost(b.arcId[k]!, s.cost);
      } else if (s.op === 'setCapacity') {
        net.arcs[k]!.cap = s.cap;
        b.solver.setCapacity(b.arcId[k]!, s.cap);
      } else {
        net.arcs[k] = undefined;
        b.solver.removeArc(b.arcId[k]!);
      }
      return;
    }
    case 'addArc': {
      const from = nodes[s.from % nodes.length]!;
      const to = nodes[s.to % nodes.length]!;
      if (from === to) return;
      net.arcs.push({ from, to, cap: s.cap, cost: s.cost });
      b.arcId.push(b.solver.addArc(b.nodeId[from]!, b.nodeId[to]!, s.cap, s.cost));
      return;
    }
    case 'addNode':
      net.nodes.push({ supply: s.supply });
      b.nodeId.push(b.solver.addNode(s.supply));
      return;
    case 'removeNode': {
      // Only a node without supply goes, so that the supplies stay balanced.
      const idle = nodes.filter((i) => net.nodes[i]!.supply === 0);
      if (idle.length === 0 || nodes.length <= 2) return;
      const i = idle[s.node % idle.length]!;
      net.nodes[i] = undefined;
      net.arcs.forEach((a, k) => {
        if (a !== undefined && (a.from === i || a.to === i)) net.arcs[k] = undefined;
      });
      b.solver.removeNode(b.nodeId[i]!);
      return;
    }
    case 'moveSupply': {
      const from = nodes[s.from % nodes.length]!;
      const to = nodes[s.to % nodes.length]!;
      net.nodes[from]!.supply += s.amount;
      net.nodes[to]!.supply -= s.amount;
      b.solver.setSupply(b.nodeId[from]!, net.nodes[from]!.supply);
      b.solver.setSupply(b.nodeId[to]!, net.nodes[to]!.supply);
      return;
    }
    case 'unsend': {
      const path = flowPath(net, b, s.start);
      if (path.length === 0) return;
      b.solver.unsend(path.map((k) => b.arcId[k]!));
      if (!s.leave) return;
      // A placed task leaves: its unit is no longer supplied at the path's start nor taken at its end.
      const first = net.arcs[path[0]!]!.from;
      const last = net.arcs[path[path.length - 1]!]!.to;
      net.nodes[first]!.supply -= 1;
      net.nodes[last]!.supply += 1;
      b.solver.setSupply(b.nodeId[first]!, net.nodes[first]!.supply);
      b.solver.setSupply(b.nodeId[last]!, net.nodes[last]!.supply);
      return;
    }
  }
}

/** Solves after each step and compares with a solver built from scratch and with the reference. */
function incremental(net: Net, steps: Step[]): void {
  const b = build(net);
  solveOutcome(b.solver);
  for (const s of steps) {
    apply(net, b, s);
    const got = solveOutcome(b.solver);
    expect(got, `after ${JSON.stringify(s)}`).toEqual(solveOutcome(build(net).solver));
    expect(got, `after ${JSON.stringify(s)} (reference)`).toEqual(referenceOutcome(net));
    if (got.feasible) expectFeasibleFlow(net, b);
  }
}

/** Builds and solves once: the reference's outcome, and a feasible flow when there is one. */
function fromScratch(net: Net): void {
  const b = build(net);
  const got = solveOutcome(b.solver);
  expect(got).toEqual(referenceOutcome(net));
  if (got.feasible) expectFeasibleFlow(net, b);
}

const stepsOf = (changes: fc.Arbitrary<Step>[]) => fc.array(fc.oneof(...changes), { minLength: 1, maxLength: 12 });

describe('MinCostFlow against the min-cost-flow package', () => {
  it('random networks: the same optimal cost, or ENOSPC exactly when the supplies cannot all be met', () => {
    fc.assert(fc.property(networkOf(COSTS), fromScratch), { numRuns: NUM_RUNS });
  });

  it('larger networks (up to 40 nodes, 120 arcs)', () => {
    fc.assert(fc.property(networkOf(COSTS, 40), fromScratch), { numRuns: Math.ceil(NUM_RUNS / 5) });
    fc.assert(fc.property(networkOf(COSTS, 40), stepsOf(changesOf(COSTS)), incremental), {
      numRuns: Math.ceil(NUM_RUNS / 10),
    });
  });

  it('incremental changes, solved after each: the same as from scratch and as the reference', () => {
    fc.assert(fc.property(networkOf(COSTS), stepsOf(changesOf(COSTS)), incremental), { numRuns: NUM_RUNS });
  });

  // The solver takes negative costs (an arc whose reduced cost is negative is saturated first); the reference
  // is given such an arc saturated and turned around.
  it('with negative costs too: from scratch and incrementally', () => {
    fc.assert(fc.property(networkOf(SIGNED_COSTS), fromScratch), { numRuns: NUM_RUNS });
    fc.assert(fc.property(networkOf(SIGNED_COSTS), stepsOf(changesOf(SIGNED_COSTS)), incremental), {
      numRuns: NUM_RUNS,
    });
  });

  // Flow paths unsent the way the flow scheduler takes a placed task out (with its unit of supply, or without).
  it('incremental changes with flow paths unsent: the same as from scratch and as the reference', () => {
    const steps = stepsOf([...changesOf(COSTS), unsendStep, unsendStep]);
    fc.assert(fc.property(networkOf(COSTS), steps, incremental), { numRuns: NUM_RUNS });
  });
});
