/**
 * A min-cost flow solver for the scheduler's flow network: successive
 * shortest paths with node potentials (Dijkstra on reduced costs, stopped at
 * the first node that can take flow), kept between solves so a round after a
 * small change costs little (Firmament's point: incremental solving).
 *
 * Arcs live in typed arrays as pairs (forward 2k, residual reverse 2k+1) in
 * doubly linked adjacency lists, so removing a node or an arc is O(its
 * arcs) and ids are reused. Capacities and supplies are integers; costs are
 * integers too (sums stay exact in float64).
 * @module
 */
import { errors } from '../abi/errors.js';
import { describe } from '../abi/names.js';

const CALL = 'minCostFlow';
/** Capacity meaning "as much as needed" (larger than any supply the solver takes). */
export const UNLIMITED = 2 ** 40;
const MAX_COST = 2 ** 40;
// The probe before each search: how deep it goes and how many arcs it looks at.
const PROBE_DEPTH = 6;
const PROBE_ARCS = 48;

/** What one {@link MinCostFlow.solve} did. */
export interface SolveStats {
  /** Shortest-path searches run. */
  readonly searches: number;
  /** Nodes taken off the search heap, over all searches. */
  readonly scanned: number;
  /** Arcs saturated because a change left them with a negative reduced cost. */
  readonly saturated: number;
}

/** A flow network and its min-cost flow, changed and solved again in place. */
export class MinCostFlow {
  // Nodes.
  #nodes = 0;
  #nodeCap = 0;
  #supply = new Float64Array(0);
  #excess = new Float64Array(0);
  #pot = new Float64Array(0);
  #priority = new Float64Array(0);
  #rank = new Uint8Array(0);
  #head = new Int32Array(0);
  #tail = new Int32Array(0);
  // A second list per node holds only the arcs with residual capacity: searches scan nothing else.
  #rhead = new Int32Array(0);
  #rtail = new Int32Array(0);
  #alive = new Uint8Array(0);
  #fresh = new Uint8Array(0);
  #freeNodes: number[] = [];
  // Arcs (two per pair).
  #pairs = 0;
  #arcCap = 0;
  #to = new Int32Array(0);
  #next = new Int32Array(0);
  #prev = new Int32Array(0);
  #rnext = new Int32Array(0);
  #rprev = new Int32Array(0);
  #inResidual = new Uint8Array(0);
  #res = new Float64Array(0);
  #cap = new Float64Array(0);
  #cost = new Float64Array(0);
  #freePairs: number[] = [];
  #dirty: number[] = [];
  #freshNodes: number[] = [];
  // Search state, reused.
  #dist = new Float64Array(0);
  #parent = new Int32Array(0);
  #stamp = new Int32Array(0);
  #done = new Int32Array(0);
  #epoch = 0;
  #popped = new Int32Array(1024);
  #probePath = new Int32Array(PROBE_DEPTH);
  #probeAt = new Int32Array(PROBE_DEPTH);
  #probeLength = 0;
  #bestPath = new Int32Array(PROBE_DEPTH);
  #probeSoFar = new Float64Array(PROBE_DEPTH);
  #heapSize = 0;
  #heapKey = new Float64Array(1024);
  #heapNode = new Int32Array(1024);
  #heapSeq = new Float64Array(1024);
  #seq = 0;
  #live = 0;
  #livePairs = 0;

  /** Nodes in use. */
  get nodeCount(): number {
    return this.#live;
  }
  /** Arcs in use (forward arcs, not counting residual reverses). */
  get arcCount(): number {
    return this.#livePairs;
  }

  /** Adds a node with `supply` (positive: flow leaves it; negative: a demand); returns its id. */
  addNode(supply = 0): number {
    checkInt('supply', supply);
    let n = this.#freeNodes.pop();
    if (n === undefined) {
      if (this.#nodes === this.#nodeCap) this.#growNodes();
      n = this.#nodes++;
    }
    this.#alive[n] = 1;
    this.#head[n] = -1;
    this.#tail[n] = -1;
    this.#rhead[n] = -1;
    this.#rtail[n] = -1;
    this.#supply[n] = supply;
    this.#excess[n] = supply;
    this.#pot[n] = 0;
    this.#priority[n] = 0;
    this.#rank[n] = 0;
    this.#stamp[n] = 0;
    this.#done[n] = 0;
    this.#fresh[n] = 1;
    this.#freshNodes.push(n);
    this.#live++;
    return n;
  }

  /** Removes a node and its arcs; the flow through them is taken back (its neighbours' balances change). */
  removeNode(node: number): void {
    this.#node('node', node);
    while (this.#head[node]! >= 0) this.removeArc(this.#head[node]! >> 1);
    this.#excess[node] = 0;
    this.#alive[node] = 0;
    this.#live--;
    this.#freeNodes.push(node);
  }

  /**
   * Sets the order in which nodes with supply are served (higher first; ties
   * by id). Any order gives a min-cost flow; a good one gives shorter searches
   * (the scheduler serves tasks with the most data first, so later, smaller
   * tasks rarely gain by displacing them).
   */
  setPriority(node: number, priority: number): void {
    this.#node('node', node);
    if (typeof priority !== 'number' || !Number.isFinite(priority))
      throw errors.EINVAL(CALL, 'priority', `expected a finite number, got ${describe(priority)}`);
    this.#priority[node] = priority;
  }

  /**
   * Among nodes at the same distance, a search takes the lower rank first
   * (0-255, default 0). Ranking nodes by how near the sink they are makes a
   * search through an aggregation tree go straight down, not level by level.
   */
  setRank(node: number, rank: number): void {
    this.#node('node', node);
    if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 0 || rank > 255)
      throw errors.EINVAL(CALL, 'rank', `expected an integer in [0, 255], got ${describe(rank)}`);
    this.#rank[node] = rank;
  }

  /** The node's supply. */
  supplyOf(node: number): number {
    return this.#supply[this.#node('node', node)]!;
  }

  /** Sets a node's supply (the difference becomes excess or demand for the next solve). */
  setSupply(node: number, supply: number): void {
    this.#node('node', node);
    checkInt('supply', supply);
    this.#excess[node]! += supply - this.#supply[node]!;
    this.#supply[node] = supply;
  }

  /** Adds an arc from `from` to `to` with `capacity` and per-unit `cost`; returns its id. */
  addArc(from: number, to: number, capacity: number, cost: number): number {
    this.#node('from', from);
    this.#node('to', to);
    checkCapacity(capacity);
    checkCost(cost);
    let k = this.#freePairs.pop();
    if (k === undefined) {
      if (this.#pairs === this.#arcCap) this.#growArcs();
      k = this.#pairs++;
    }
    const a = 2 * k;
    this.#to[a] = to;
    this.#to[a + 1] = from;
    this.#cap[k] = capacity;
    this.#res[a] = 0;
    this.#res[a + 1] = 0;
    this.#inResidual[a] = 0;
    this.#inResidual[a + 1] = 0;
    this.#cost[a] = cost;
    this.#cost[a + 1] = -cost;
    this.#link(from, a);
    this.#link(to, a + 1);
    this.#setRes(a, capacity);
    this.#dirty.push(a);
    this.#livePairs++;
    return k;
  }

  /** Removes an arc; its flow is taken back (the tail gets it back as excess, the head as demand). */
  removeArc(arc: number): void {
    const a = 2 * this.#arc(arc);
    const f = this.#res[a + 1]!;
    const from = this.#to[a + 1]!;
    const to = this.#to[a]!;
    this.#excess[from]! += f;
    this.#excess[to]! -= f;
    this.#setRes(a, 0);
    this.#setRes(a + 1, 0);
    this.#unlink(from, a);
    this.#unlink(to, a + 1);
    this.#to[a] = -1;
    this.#to[a + 1] = -1;
    this.#freePairs.push(arc);
    this.#livePairs--;
  }

  /** Flow on an arc now. */
  flow(arc: number): number {
    return this.#res[2 * this.#arc(arc) + 1]!;
  }
  /** An arc's capacity. */
  capacityOf(arc: number): number {
    return this.#cap[this.#arc(arc)]!;
  }
  /** An arc's per-unit cost. */
  costOf(arc: number): number {
    return this.#cost[2 * this.#arc(arc)]!;
  }
  /** An arc's tail. */
  fromOf(arc: number): number {
    return this.#to[2 * this.#arc(arc) + 1]!;
  }
  /** An arc's head. */
  toOf(arc: number): number {
    return this.#to[2 * this.#arc(arc)]!;
  }

  /** Changes an arc's cost (the flow is made optimal again at the next solve). */
  setCost(arc: number, cost: number): void {
    const a = 2 * this.#arc(arc);
    checkCost(cost);
    this.#cost[a] = cost;
    this.#cost[a + 1] = -cost;
    this.#dirty.push(a);
  }

  /** Changes an arc's capacity; flow above the new capacity is taken back. */
  setCapacity(arc: number, capacity: number): void {
    const a = 2 * this.#arc(arc);
    checkCapacity(capacity);
    const f = this.#res[a + 1]!;
    if (f > capacity) {
      const back = f - capacity;
      this.#excess[this.#to[a + 1]!]! += back;
      this.#excess[this.#to[a]!]! -= back;
      this.#setRes(a + 1, capacity);
    }
    this.#cap[arc] = capacity;
    this.#setRes(a, capacity - this.#res[a + 1]!);
    this.#dirty.push(a);
  }

  /**
   * Moves `amount` units of flow off a path of arcs (each must carry that
   * much), as if they had never been sent: the path's first tail and last
   * head keep the balance. How a placed task leaves the network.
   */
  unsend(path: readonly number[], amount = 1): void {
    if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0)
      throw errors.EINVAL(CALL, 'amount', `expected a positive integer, got ${describe(amount)}`);
    if (!Array.isArray(path)) throw errors.EINVAL(CALL, 'path', `expected an array of arc ids, got ${describe(path)}`);
    const arcs = path as readonly number[];
    const seen = new Set<number>();
    let last = -1;
    for (const arc of arcs) {
      const a = 2 * this.#arc(arc);
      if (seen.has(arc)) throw errors.EINVAL(CALL, 'path', `arc ${arc} is listed twice`);
      seen.add(arc);
      if (this.#res[a + 1]! < amount) throw errors.EINVAL(CALL, 'path', `arc ${arc} carries less than ${amount}`);
      if (seen.size > 1 && this.#to[a + 1] !== last)
        throw errors.EINVAL(CALL, 'path', `arc ${arc} does not start where the arc before it ends`);
      last = this.#to[a]!;
    }
    for (const arc of path) {
      const a = 2 * arc;
      this.#setRes(a + 1, this.#res[a + 1]! - amount);
      this.#setRes(a, this.#res[a]! + amount);
      // A saturated arc with a negative reduced cost has room again: the next solve must look at it.
      this.#dirty.push(a);
    }
    if (path.length === 0) return;
    this.#excess[this.#to[2 * path[0]! + 1]!]! += amount;
    this.#excess[this.#to[2 * path[path.length - 1]!]!]! -= amount;
  }

  /**
   * Lowers `node`'s potential just enough that no arc into it has a negative
   * reduced cost, instead of saturating those arcs at the next solve (arcs
   * out of it that go negative are saturated then). After costs into a
   * machine fell, one cheap repair at the machine replaces one per arc.
   */
  settleIn(node: number): void {
    this.#node('node', node);
    let need = 0;
    for (let x = this.#head[node]!; x >= 0; x = this.#next[x]!) {
      const b = x ^ 1;
      if (this.#res[b]! > 0) need = Math.max(need, -this.#reduced(b));
    }
    if (need <= 0) return;
    this.#pot[node]! -= need;
    for (let x = this.#head[node]!; x >= 0; x = this.#next[x]!) this.#dirty.push(x & ~1);
  }

  /** The first arc out of `node` that carries flow, or -1. */
  flowArcOut(node: number): number {
    this.#node('node', node);
    for (let a = this.#head[node]!; a >= 0; a = this.#next[a]!) {
      if ((a & 1) === 0 && this.#res[a + 1]! > 0) return a >> 1;
    }
    return -1;
  }

  /** Calls `visit(arc, head, flow)` for each arc out of `node` that carries flow. */
  forEachFlowOut(node: number, visit: (arc: number, head: number, flow: number) => void): void {
    this.#node('node', node);
    for (let a = this.#head[node]!; a >= 0; a = this.#next[a]!) {
      if ((a & 1) === 0 && this.#res[a + 1]! > 0) visit(a >> 1, this.#to[a]!, this.#res[a + 1]!);
    }
  }

  /** Total cost of the flow now: the sum of flow times cost over the arcs. */
  totalCost(): number {
    let sum = 0;
    for (let k = 0; k < this.#pairs; k++) {
      if (this.#to[2 * k]! >= 0) sum += this.#res[2 * k + 1]! * this.#cost[2 * k]!;
    }
    return sum;
  }

  /**
   * Makes the flow a min-cost flow that meets every supply and demand.
   * ENOSPC when it cannot (some supply reaches no demand, or supplies and
   * demands do not add up to zero); the flow is then feasible for what
   * could be sent, and a later solve after a fix goes on from there.
   */
  solve(): SolveStats {
    let total = 0;
    for (let n = 0; n < this.#nodes; n++) if (this.#alive[n]) total += this.#supply[n]!;
    if (total !== 0)
      throw errors.ENOSPC(CALL, 'supply', `supplies and demands add up to ${total}, not 0: no flow can meet them all`);
    this.#settleFresh();
    const saturated = this.#saturateNegative();
    let searches = 0;
    let scanned = 0;
    const sources: number[] = [];
    for (let n = 0; n < this.#nodes; n++) if (this.#alive[n] && this.#excess[n]! > 0) sources.push(n);
    const priority = this.#priority;
    sources.sort((a, b) => priority[b]! - priority[a]! || a - b);
    for (const s of sources) {
      while (this.#excess[s]! > 0) {
        searches++;
        const found = this.#search(s);
        scanned += found.scanned;
        if (found.sink < 0)
          throw errors.ENOSPC(CALL, 'supply', `node ${s} has ${this.#excess[s]} units that reach no demand`);
        this.#augment(s, found.sink);
      }
    }
    return { searches, scanned, saturated };
  }

  // A node just added has no flow in or out: lift its potential so its arcs start with reduced costs ≥ 0.
  #settleFresh(): void {
    for (const n of this.#freshNodes) {
      this.#fresh[n] = 0;
      if (!this.#alive[n]) continue;
      let need = 0;
      let room = Infinity;
      for (let a = this.#head[n]!; a >= 0; a = this.#next[a]!) {
        if (this.#res[a]! > 0) need = Math.max(need, -this.#reduced(a));
        if (this.#res[a ^ 1]! > 0) room = Math.min(room, this.#reduced(a ^ 1));
      }
      if (need > 0) this.#pot[n]! += Math.min(need, Math.max(0, room));
    }
    this.#freshNodes.length = 0;
  }

  // Changed arcs with room and a negative reduced cost are saturated: optimality holds again, balances move.
  #saturateNegative(): number {
    let count = 0;
    for (const a0 of this.#dirty) {
      if (this.#to[a0]! < 0) continue;
      for (let a = a0; a <= a0 + 1; a++) {
        const r = this.#res[a]!;
        if (r > 0 && this.#reduced(a) < 0) {
          this.#setRes(a, 0);
          this.#setRes(a ^ 1, this.#res[a ^ 1]! + r);
          this.#excess[this.#to[a ^ 1]!]! -= r;
          this.#excess[this.#to[a]!]! += r;
          count++;
        }
      }
    }
    this.#dirty.length = 0;
    return count;
  }

  #reduced(a: number): number {
    return this.#cost[a]! + this.#pot[this.#to[a ^ 1]!]! - this.#pot[this.#to[a]!]!;
  }

  // A short path of forward arcs from s to a demand, found depth first (at most PROBE_DEPTH arcs, PROBE_ARCS
  // looked at): its reduced length bounds the search, which then pushes nothing at or past it. Most tasks have
  // such a path (data-local machine with a free slot), and the search then only checks nothing beats it.
  #probe(s: number): number {
    const to = this.#to;
    const rhead = this.#rhead;
    const rnext = this.#rnext;
    const excess = this.#excess;
    const cost = this.#cost;
    const pot = this.#pot;
    const path = this.#probePath;
    const at = this.#probeAt;
    const length = this.#probeSoFar;
    let best = Infinity;
    let depth = 0;
    let looked = 0;
    at[0] = rhead[s]!;
    for (;;) {
      let a = at[depth]!;
      while (a >= 0 && (a & 1) === 1) a = rnext[a]!;
      if (a < 0 || ++looked > PROBE_ARCS) {
        if (depth === 0 || a >= 0) return best;
        depth--;
        at[depth] = rnext[path[depth]!]!;
        continue;
      }
      path[depth] = a;
      const u = to[a ^ 1]!;
      const v = to[a]!;
      // A path that comes back to a node it passed would make a loop of parents: skip such arcs.
      let loops = v === s;
      for (let i = 0; i < depth && !loops; i++) loops = to[path[i]!] === v;
      if (loops) {
        at[depth] = rnext[a]!;
        continue;
      }
      const sofar = (depth === 0 ? 0 : length[depth - 1]!) + cost[a]! + pot[u]! - pot[v]!;
      length[depth] = sofar;
      if (sofar >= best) at[depth] = rnext[a]!;
      else if (excess[v]! < 0) {
        // The shortest found so far: kept, and the probe goes on among the siblings for a shorter one.
        best = sofar;
        this.#probeLength = depth + 1;
        this.#bestPath.set(path.subarray(0, depth + 1));
        at[depth] = rnext[a]!;
      } else if (depth + 1 < PROBE_DEPTH) {
        depth++;
        at[depth] = rhead[v]!;
      } else at[depth] = rnext[a]!;
    }
  }

  // Dijkstra on reduced costs from s until a node with demand is taken off the heap.
  #search(s: number): { sink: number; scanned: number } {
    const ub = this.#probe(s);
    const epoch = ++this.#epoch;
    const dist = this.#dist;
    const stamp = this.#stamp;
    const done = this.#done;
    const parent = this.#parent;
    const to = this.#to;
    const rhead = this.#rhead;
    const rnext = this.#rnext;
    const cost = this.#cost;
    const pot = this.#pot;
    const excess = this.#excess;
    let popped = this.#popped;
    let count = 0;
    this.#heapSize = 0;
    dist[s] = 0;
    stamp[s] = epoch;
    parent[s] = -1;
    this.#push(0, s);
    let sink = -1;
    let bound = 0;
    while (this.#heapSize > 0 && sink < 0) {
      const d = this.#heapKey[0]!;
      if (d >= ub) break;
      const u = this.#pop();
      if (done[u] === epoch || d > dist[u]!) continue;
      done[u] = epoch;
      if (count === popped.length) popped = this.#popped = grow(popped, 2 * count);
      popped[count++] = u;
      if (excess[u]! < 0) {
        sink = u;
        bound = d;
        break;
      }
      const pu = pot[u]!;
      for (let a = rhead[u]!; a >= 0; a = rnext[a]!) {
        const v = to[a]!;
        if (done[v] === epoch) continue;
        const nd = d + cost[a]! + pu - pot[v]!;
        if (nd >= ub) continue;
        if (stamp[v] !== epoch || nd < dist[v]!) {
          stamp[v] = epoch;
          dist[v] = nd;
          parent[v] = a;
          // A demand reached at the distance being settled cannot be beaten: stop without scanning the rest.
          if (nd === d && excess[v]! < 0) {
            done[v] = epoch;
            if (count === popped.length) popped = this.#popped = grow(popped, 2 * count);
            popped[count++] = v;
            sink = v;
            bound = d;
            break;
          }
          this.#push(nd, v);
        }
      }
    }
    if (sink < 0 && ub !== Infinity) {
      // Nothing shorter than the probe's path: it is a shortest path. Its nodes take it as their parents.
      bound = ub;
      const path = this.#bestPath;
      for (let i = 0; i < this.#probeLength; i++) parent[to[path[i]!]!] = path[i]!;
      sink = to[path[this.#probeLength - 1]!]!;
    }
    if (sink >= 0)
      for (let i = 0; i < count; i++) {
        const v = popped[i]!;
        pot[v]! += dist[v]! - bound;
      }
    return { sink, scanned: count };
  }

  // Sends as much as the path, the source's excess and the sink's demand allow along the parent arcs.
  #augment(s: number, t: number): void {
    const parent = this.#parent;
    let amount = Math.min(this.#excess[s]!, -this.#excess[t]!);
    for (let v = t; v !== s; v = this.#to[parent[v]! ^ 1]!) amount = Math.min(amount, this.#res[parent[v]!]!);
    for (let v = t; v !== s; v = this.#to[parent[v]! ^ 1]!) {
      const a = parent[v]!;
      this.#setRes(a, this.#res[a]! - amount);
      this.#setRes(a ^ 1, this.#res[a ^ 1]! + amount);
    }
    this.#excess[s]! -= amount;
    this.#excess[t]! += amount;
  }

  // Ties go to the lower rank, then to the node pushed first.
  #push(key: number, node: number): void {
    if (this.#heapSize === this.#heapKey.length) {
      this.#heapKey = grow(this.#heapKey, this.#heapKey.length * 2);
      this.#heapNode = grow(this.#heapNode, this.#heapNode.length * 2);
      this.#heapSeq = grow(this.#heapSeq, this.#heapSeq.length * 2);
    }
    const keys = this.#heapKey;
    const nodes = this.#heapNode;
    const seqs = this.#heapSeq;
    const seq = this.#rank[node]! * 2 ** 44 + ++this.#seq;
    let i = this.#heapSize++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! < key || (keys[p] === key && seqs[p]! < seq)) break;
      keys[i] = keys[p]!;
      nodes[i] = nodes[p]!;
      seqs[i] = seqs[p]!;
      i = p;
    }
    keys[i] = key;
    nodes[i] = node;
    seqs[i] = seq;
  }
  #pop(): number {
    const keys = this.#heapKey;
    const nodes = this.#heapNode;
    const seqs = this.#heapSeq;
    const top = nodes[0]!;
    const n = --this.#heapSize;
    const key = keys[n]!;
    const node = nodes[n]!;
    const seq = seqs[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (keys[c + 1]! < keys[c]! || (keys[c + 1] === keys[c] && seqs[c + 1]! < seqs[c]!))) c++;
      if (keys[c]! > key || (keys[c] === key && seqs[c]! > seq)) break;
      keys[i] = keys[c]!;
      nodes[i] = nodes[c]!;
      seqs[i] = seqs[c]!;
      i = c;
    }
    keys[i] = key;
    nodes[i] = node;
    seqs[i] = seq;
    return top;
  }

  // Every change of residual capacity goes through here, so the residual lists stay exact.
  #setRes(a: number, value: number): void {
    this.#res[a] = value;
    const node = this.#to[a ^ 1]!;
    if (value > 0 && !this.#inResidual[a]) {
      this.#inResidual[a] = 1;
      const t = this.#rtail[node]!;
      this.#rprev[a] = t;
      this.#rnext[a] = -1;
      if (t >= 0) this.#rnext[t] = a;
      else this.#rhead[node] = a;
      this.#rtail[node] = a;
    } else if (value <= 0 && this.#inResidual[a]) {
      this.#inResidual[a] = 0;
      const p = this.#rprev[a]!;
      const n = this.#rnext[a]!;
      if (p >= 0) this.#rnext[p] = n;
      else this.#rhead[node] = n;
      if (n >= 0) this.#rprev[n] = p;
      else this.#rtail[node] = p;
    }
  }

  // Arcs are appended: a node's first arcs (an aggregator's arcs onward) are scanned before the residual arcs added later.
  #link(node: number, a: number): void {
    const t = this.#tail[node]!;
    this.#prev[a] = t;
    this.#next[a] = -1;
    if (t >= 0) this.#next[t] = a;
    else this.#head[node] = a;
    this.#tail[node] = a;
  }
  #unlink(node: number, a: number): void {
    const p = this.#prev[a]!;
    const n = this.#next[a]!;
    if (p >= 0) this.#next[p] = n;
    else this.#head[node] = n;
    if (n >= 0) this.#prev[n] = p;
    else this.#tail[node] = p;
  }

  #node(argument: string, n: number): number {
    if (!Number.isInteger(n) || n < 0 || n >= this.#nodes || !this.#alive[n])
      throw errors.EINVAL(CALL, argument, `no node ${describe(n)}`);
    return n;
  }
  #arc(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k >= this.#pairs || this.#to[2 * k]! < 0)
      throw errors.EINVAL(CALL, 'arc', `no arc ${describe(k)}`);
    return k;
  }

  #growNodes(): void {
    const cap = Math.max(16, this.#nodeCap * 2);
    this.#supply = grow(this.#supply, cap);
    this.#excess = grow(this.#excess, cap);
    this.#pot = grow(this.#pot, cap);
    this.#priority = grow(this.#priority, cap);
    this.#rank = grow(this.#rank, cap);
    this.#head = grow(this.#head, cap);
    this.#tail = grow(this.#tail, cap);
    this.#rhead = grow(this.#rhead, cap);
    this.#rtail = grow(this.#rtail, cap);
    this.#alive = grow(this.#alive, cap);
    this.#fresh = grow(this.#fresh, cap);
    this.#dist = grow(this.#dist, cap);
    this.#parent = grow(this.#parent, cap);
    this.#stamp = grow(this.#stamp, cap);
    this.#done = grow(this.#done, cap);
    this.#nodeCap = cap;
  }
  #growArcs(): void {
    const cap = Math.max(16, this.#arcCap * 2);
    this.#to = grow(this.#to, 2 * cap);
    this.#next = grow(this.#next, 2 * cap);
    this.#prev = grow(this.#prev, 2 * cap);
    this.#rnext = grow(this.#rnext, 2 * cap);
    this.#rprev = grow(this.#rprev, 2 * cap);
    this.#inResidual = grow(this.#inResidual, 2 * cap);
    this.#res = grow(this.#res, 2 * cap);
    this.#cost = grow(this.#cost, 2 * cap);
    this.#cap = grow(this.#cap, cap);
    this.#arcCap = cap;
  }
}

type Typed = Float64Array | Int32Array | Uint8Array;
function grow<T extends Typed>(array: T, length: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}

function checkInt(argument: string, n: number): void {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || Math.abs(n) > UNLIMITED)
    throw errors.EINVAL(CALL, argument, `expected an integer of magnitude at most 2^40, got ${describe(n)}`);
}
function checkCapacity(c: number): void {
  if (typeof c !== 'number' || !Number.isSafeInteger(c) || c < 0 || c > UNLIMITED)
    throw errors.EINVAL(CALL, 'capacity', `expected an integer in [0, 2^40], got ${describe(c)}`);
}
function checkCost(c: number): void {
  if (typeof c !== 'number' || !Number.isSafeInteger(c) || Math.abs(c) > MAX_COST)
    throw errors.EINVAL(CALL, 'cost', `expected an integer of magnitude at most 2^40, got ${describe(c)}`);
}
