/**
 * MinCostFlow by example: small networks whose optimum is known by hand,
 * changes solved again in place, and the errors a caller can cause. Every
 * bad argument is EINVAL naming it and changes nothing (the network still
 * solves to the same optimum); supplies that do not balance or cannot reach
 * a demand are ENOSPC, and a fix afterwards solves to the optimum. The
 * property test (min-cost-flow.property.test.ts) checks random networks
 * against the `min-cost-flow` package.
 */
import { describe, expect, it } from 'vitest';
import { MinCostFlow, UNLIMITED } from '../../src/core/scheduling/min-cost-flow.js';
import { expectErrno } from '../support/errno.js';

/**
 * s (supply 3) -> a, b -> t (demand 3): s->a cap 2 cost 1, s->b cap 2 cost 4,
 * a->t cap 2 cost 1, b->t cap 2 cost 1, a->b cap 1 cost 1. Optimum: 2 units
 * via a (2 each), 1 via b (5): 9.
 */
function diamond() {
  const m = new MinCostFlow();
  const s = m.addNode(3);
  const a = m.addNode();
  const b = m.addNode();
  const t = m.addNode(-3);
  const sa = m.addArc(s, a, 2, 1);
  const sb = m.addArc(s, b, 2, 4);
  const at = m.addArc(a, t, 2, 1);
  const bt = m.addArc(b, t, 2, 1);
  const ab = m.addArc(a, b, 1, 1);
  m.solve();
  return { m, s, a, b, t, sa, sb, at, bt, ab };
}

/** Asserts the network still solves to `cost` with a flow within capacities that meets every supply. */
function expectOptimal(m: MinCostFlow, nodes: number[], arcs: number[], cost: number): void {
  m.solve();
  expect(m.totalCost()).toBe(cost);
  const balance = new Map(nodes.map((n) => [n, 0]));
  for (const k of arcs) {
    const f = m.flow(k);
    expect(f).toBeGreaterThanOrEqual(0);
    expect(f).toBeLessThanOrEqual(m.capacityOf(k));
    balance.set(m.fromOf(k), balance.get(m.fromOf(k))! + f);
    balance.set(m.toOf(k), balance.get(m.toOf(k))! - f);
  }
  for (const n of nodes) expect(balance.get(n), `node ${n}`).toBe(m.supplyOf(n));
}

describe('MinCostFlow', () => {
  it('solves a small network to its optimum', () => {
    const { m, s, a, b, t, sa, sb, at, bt, ab } = diamond();
    expect(m.totalCost()).toBe(9);
    expect([m.flow(sa), m.flow(sb), m.flow(at), m.flow(bt), m.flow(ab)]).toEqual([2, 1, 2, 1, 0]);
    expectOptimal(m, [s, a, b, t], [sa, sb, at, bt, ab], 9);
  });

  it('re-solves in place after costs, capacities and supplies change', () => {
    const { m, s, a, b, t, sa, sb, at, bt, ab } = diamond();
    const all = [sa, sb, at, bt, ab];
    m.setCost(sb, 0); // b is now the cheap way: 2 via b (1 each), 1 via a (2).
    expectOptimal(m, [s, a, b, t], all, 4);
    m.setCapacity(bt, 1); // b passes on one unit now (1), the other two go via a (2 each).
    expectOptimal(m, [s, a, b, t], all, 5);
    expect(m.flow(sb)).toBe(1);
    m.setCapacity(bt, 2);
    m.setCost(sb, 4);
    expectOptimal(m, [s, a, b, t], all, 9);
    m.setSupply(s, 1);
    m.setSupply(t, -1);
    expectOptimal(m, [s, a, b, t], all, 2);
  });

  it('a node or arc added later joins the next solve; removing them takes their flow back', () => {
    const { m, s, a, b, t, sa, sb, at, bt, ab } = diamond();
    const c = m.addNode();
    const sc = m.addArc(s, c, 5, 0);
    const ct = m.addArc(c, t, 5, 0);
    expectOptimal(m, [s, a, b, t, c], [sa, sb, at, bt, ab, sc, ct], 0);
    expect(m.flow(ct)).toBe(3);
    m.removeNode(c);
    expect(m.nodeCount).toBe(4);
    expect(m.arcCount).toBe(5);
    expectOptimal(m, [s, a, b, t], [sa, sb, at, bt, ab], 9);
    m.removeArc(sa); // only via b now: 2 units, and 1 cannot go.
    expect(() => m.solve()).toThrow(/ENOSPC/);
    const again = m.addArc(s, a, 1, 1);
    expectOptimal(m, [s, a, b, t], [again, sb, at, bt, ab], 12);
  });

  it('unsend takes a placed unit off its path; with its supply and demand gone, the rest stays optimal', () => {
    const { m, s, a, b, t, sa, sb, at, bt, ab } = diamond();
    m.unsend([sb, bt]);
    m.setSupply(s, 2);
    m.setSupply(t, -2);
    expectOptimal(m, [s, a, b, t], [sa, sb, at, bt, ab], 4);
    expect(m.flow(sb)).toBe(0);
  });

  // Found by the property test: a saturated arc may have a negative reduced cost (the cheap one here); unsend gives
  // it room again, and the next solve must not take the dear arc for it (it did: 10 instead of 7).
  it('unsend then solve, supplies unchanged: the same optimum as before', () => {
    const m = new MinCostFlow();
    const s = m.addNode(2);
    const t = m.addNode(-2);
    const cheap = m.addArc(s, t, 1, 2);
    const dear = m.addArc(s, t, 6, 5);
    m.solve();
    expect(m.totalCost()).toBe(7);
    m.unsend([cheap]);
    m.solve();
    expect([m.flow(cheap), m.flow(dear)]).toEqual([1, 1]);
    expect(m.totalCost()).toBe(7);
  });

  it('a search that pushes and settles thousands of nodes (past the first heap and search arrays) stays exact', () => {
    // s -> m_i at cost i for 3,000 middle nodes, only the last two lead on to t: every search settles them all.
    const m = new MinCostFlow();
    const s = m.addNode(2);
    const t = m.addNode(-2);
    const WIDTH = 3000;
    const ends: number[] = [];
    for (let i = 0; i < WIDTH; i++) {
      const mid = m.addNode();
      m.addArc(s, mid, 1, i);
      if (i >= WIDTH - 2) ends.push(m.addArc(mid, t, 1, 0));
    }
    const stats = m.solve();
    expect(m.totalCost()).toBe(2 * WIDTH - 3);
    expect(ends.map((k) => m.flow(k))).toEqual([1, 1]);
    expect(stats.scanned).toBeGreaterThan(WIDTH);
  });

  it('a cycle of zero-cost arcs ahead of the way out does not trap the probe in a loop of parents', () => {
    // The probe tries arcs in list order: a and b point at each other first, and only b has a way to t.
    const g = new MinCostFlow();
    const s = g.addNode(1);
    const a = g.addNode();
    const b = g.addNode();
    const t = g.addNode(-1);
    g.addArc(s, a, 1, 0);
    g.addArc(a, b, 5, 0);
    g.addArc(b, a, 5, 0);
    g.addArc(b, t, 1, 3);
    g.solve();
    expect(g.totalCost()).toBe(3);
    expect(g.flow(3)).toBe(1);
  });

  it('an arc up to the largest capacity and cost is taken', () => {
    const m = new MinCostFlow();
    const s = m.addNode(5);
    const t = m.addNode(-5);
    const k = m.addArc(s, t, UNLIMITED, 2 ** 20);
    m.solve();
    expect(m.flow(k)).toBe(5);
    expect(m.totalCost()).toBe(5 * 2 ** 20);
  });
});

describe('MinCostFlow errors', () => {
  const BAD_INTS = [Number.NaN, 1.5, Infinity, -Infinity, 2 ** 41, '3' as unknown as number];

  it('bad supplies are EINVAL naming supply, and nothing changes', async () => {
    const d = diamond();
    const nodes = [d.s, d.a, d.b, d.t];
    const arcs = [d.sa, d.sb, d.at, d.bt, d.ab];
    for (const bad of BAD_INTS) {
      await expectErrno(() => d.m.addNode(bad), 'EINVAL', 'supply', 'minCostFlow');
      await expectErrno(() => d.m.setSupply(d.s, bad), 'EINVAL', 'supply', 'minCostFlow');
    }
    expect(d.m.nodeCount).toBe(4);
    expectOptimal(d.m, nodes, arcs, 9);
  });

  it('unknown or removed node ids are EINVAL naming the node argument', async () => {
    const d = diamond();
    const gone = d.m.addNode();
    d.m.removeNode(gone);
    for (const bad of [gone, 99, -1, 0.5, Number.NaN]) {
      await expectErrno(() => d.m.removeNode(bad), 'EINVAL', 'node');
      await expectErrno(() => d.m.setSupply(bad, 0), 'EINVAL', 'node');
      await expectErrno(() => d.m.supplyOf(bad), 'EINVAL', 'node');
      await expectErrno(() => d.m.forEachFlowOut(bad, () => {}), 'EINVAL', 'node');
      await expectErrno(() => d.m.addArc(bad, d.t, 1, 1), 'EINVAL', 'from');
      await expectErrno(() => d.m.addArc(d.s, bad, 1, 1), 'EINVAL', 'to');
    }
    expect(d.m.arcCount).toBe(5);
    expectOptimal(d.m, [d.s, d.a, d.b, d.t], [d.sa, d.sb, d.at, d.bt, d.ab], 9);
  });

  it('negative, fractional, NaN or too large capacities and costs are EINVAL naming them', async () => {
    const d = diamond();
    for (const bad of [...BAD_INTS, -1]) {
      await expectErrno(() => d.m.addArc(d.s, d.t, bad, 0), 'EINVAL', 'capacity');
      await expectErrno(() => d.m.setCapacity(d.sa, bad), 'EINVAL', 'capacity');
    }
    for (const bad of BAD_INTS) {
      await expectErrno(() => d.m.addArc(d.s, d.t, 1, bad), 'EINVAL', 'cost');
      await expectErrno(() => d.m.setCost(d.sa, bad), 'EINVAL', 'cost');
    }
    await expectErrno(() => d.m.addArc(d.s, d.t, UNLIMITED + 1, 0), 'EINVAL', 'capacity');
    expect(d.m.arcCount).toBe(5);
    expect([d.m.capacityOf(d.sa), d.m.costOf(d.sa)]).toEqual([2, 1]);
    expectOptimal(d.m, [d.s, d.a, d.b, d.t], [d.sa, d.sb, d.at, d.bt, d.ab], 9);
  });

  it('unknown or removed arc ids are EINVAL naming arc', async () => {
    const d = diamond();
    const gone = d.m.addArc(d.s, d.t, 1, 0);
    d.m.removeArc(gone);
    for (const bad of [gone, 99, -1, 0.5, Number.NaN]) {
      await expectErrno(() => d.m.removeArc(bad), 'EINVAL', 'arc');
      await expectErrno(() => d.m.flow(bad), 'EINVAL', 'arc');
      await expectErrno(() => d.m.setCost(bad, 1), 'EINVAL', 'arc');
      await expectErrno(() => d.m.setCapacity(bad, 1), 'EINVAL', 'arc');
      await expectErrno(() => d.m.unsend([d.sa, bad]), 'EINVAL', 'arc');
    }
    expect([d.m.flow(d.sa), d.m.flow(d.at)]).toEqual([2, 2]);
    expectOptimal(d.m, [d.s, d.a, d.b, d.t], [d.sa, d.sb, d.at, d.bt, d.ab], 9);
  });

  it('unsend of arcs that carry less than the amount is EINVAL naming path, and moves no flow', async () => {
    const d = diamond();
    await expectErrno(() => d.m.unsend([d.sa, d.ab]), 'EINVAL', 'path');
    await expectErrno(() => d.m.unsend([d.sb, d.bt], 2), 'EINVAL', 'path');
    expect([d.m.flow(d.sa), d.m.flow(d.sb), d.m.flow(d.bt)]).toEqual([2, 1, 1]);
    expectOptimal(d.m, [d.s, d.a, d.b, d.t], [d.sa, d.sb, d.at, d.bt, d.ab], 9);
  });

  it('a bad unsend amount is EINVAL naming amount, an arc listed twice EINVAL naming path; no flow moves', async () => {
    const d = diamond();
    for (const bad of [Number.NaN, -1, 0, 0.5, Infinity, '1' as unknown as number])
      await expectErrno(() => d.m.unsend([d.sb, d.bt], bad), 'EINVAL', 'amount');
    await expectErrno(() => d.m.unsend([d.sb, d.sb]), 'EINVAL', 'path');
    await expectErrno(() => d.m.unsend(7 as unknown as number[]), 'EINVAL', 'path');
    expect([d.m.flow(d.sb), d.m.flow(d.bt)]).toEqual([1, 1]);
    expectOptimal(d.m, [d.s, d.a, d.b, d.t], [d.sa, d.sb, d.at, d.bt, d.ab], 9);
  });

  // unsend checks that each arc carries the amount, not that the arcs form a path: s->a then b->t is taken, and
  // only the first tail and the last head get the balance back, so a and b are left with flow that no longer
  // balances and the solver's excesses no longer match the flow.
  it('unsend of arcs that are no path is EINVAL naming path', async () => {
    const d = diamond();
    await expectErrno(() => d.m.unsend([d.sa, d.bt]), 'EINVAL', 'path');
    expect([d.m.flow(d.sa), d.m.flow(d.bt)]).toEqual([2, 1]);
    expectOptimal(d.m, [d.s, d.a, d.b, d.t], [d.sa, d.sb, d.at, d.bt, d.ab], 9);
  });

  it('supplies that do not add up to zero are ENOSPC naming supply; balanced again, the optimum', async () => {
    const d = diamond();
    d.m.setSupply(d.s, 4);
    await expectErrno(() => d.m.solve(), 'ENOSPC', 'supply', 'minCostFlow');
    d.m.setSupply(d.t, -4);
    expectOptimal(d.m, [d.s, d.a, d.b, d.t], [d.sa, d.sb, d.at, d.bt, d.ab], 14);
  });

  it('a demand no supply can reach is ENOSPC; once an arc reaches it, the optimum', async () => {
    const d = diamond();
    const far = d.m.addNode(-1);
    d.m.setSupply(d.s, 4);
    await expectErrno(() => d.m.solve(), 'ENOSPC', 'supply');
    const reach = d.m.addArc(d.b, far, 1, 3);
    expectOptimal(d.m, [d.s, d.a, d.b, d.t, far], [d.sa, d.sb, d.at, d.bt, d.ab, reach], 9 + 4 + 3);
  });
});
