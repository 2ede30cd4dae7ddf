/**
 * The lineage of an object: the tasks and objects whose data flowed into it,
 * read backwards from it through the provenance log. Only flows that came
 * before the flow they fed count: the task that reads an output once the job
 * is done is not among the output's sources, though it wrote the job's
 * inputs before; nor is the task that deletes it (a delete puts no data in
 * it). A refused flow is kept (and drawn as refused), but its
 * source is not followed further: nothing flowed through it.
 * @module
 */
import { errors, type ProvenanceRecord } from '@dios/kernel';
import { GraphBuilder, recordFlows, type Flow, type GraphOptions, type ProvenanceGraph } from './graph.js';

/** Options of {@link lineage}. */
export interface LineageOptions extends GraphOptions {
  /** Most edges followed back from the object (default: no limit). */
  readonly depth?: number;
}

const CALL = 'lineage';

// How far back a node is followed: flows into it before `before` (a record index), `depth` edges from the target.
interface Reach {
  before: number;
  depth: number;
}

/**
 * The lineage of the object or task node `target` (a node id: `object:KEY`
 * or `task:KEY`; or several, for instance the outputs of one job) in
 * `records` (oldest first): a graph of the nodes whose flows reached it, up
 * to `options.depth` edges away. ENOENT (`target`) when the records never
 * name one; EINVAL (`options.depth`) for a depth that is not an integer >= 0.
 */
export function lineage(
  records: readonly ProvenanceRecord[],
  target: string | readonly string[],
  options: LineageOptions = {},
): ProvenanceGraph {
  const targets = typeof target === 'string' ? [target] : target;
  const maxDepth = options.depth ?? Infinity;
  if (maxDepth !== Infinity && (!Number.isSafeInteger(maxDepth) || maxDepth < 0))
    throw errors.EINVAL(CALL, 'options.depth', `expected an integer >= 0, got ${String(maxDepth)}`);
  const flows = recordFlows(records);
  const into = new Map<string, Flow[]>();
  const named = new Set<string>();
  for (const flow of flows) {
    named.add(flow.from).add(flow.to);
    let list = into.get(flow.to);
    if (list === undefined) into.set(flow.to, (list = []));
    list.push(flow);
  }
  const unknown = targets.find((t) => !named.has(t));
  if (unknown !== undefined) throw errors.ENOENT(CALL, 'target', `the provenance log never names ${unknown}`);
  const reach = new Map<string, Reach>(targets.map((t) => [t, { before: Infinity, depth: 0 }]));
  const kept = new Set<Flow>();
  const work = [...targets];
  while (work.length > 0) {
    const node = work.pop()!;
    const { before, depth } = reach.get(node)!;
    if (depth >= maxDepth) continue;
    for (const flow of into.get(node) ?? []) {
      if (flow.seq >= before) continue;
      // Destroying an object (or pausing a task) puts no data in it: not part of where its data came from.
      if (flow.operation === 'modify' && flow.record.allowed) continue;
      kept.add(flow);
      if (!flow.record.allowed) continue;
      // A source is followed back from its latest flow here, at its smallest depth (merged: a slight over-reach
      // when both come from different paths under a depth limit).
      const seen = reach.get(flow.from);
      const next = {
        before: Math.max(seen?.before ?? -1, flow.seq),
        depth: Math.min(seen?.depth ?? Infinity, depth + 1),
      };
      if (seen !== undefined && seen.before === next.before && seen.depth === next.depth) continue;
      reach.set(flow.from, next);
      work.push(flow.from);
    }
  }
  const builder = new GraphBuilder(records, options);
  for (const t of targets) builder.node(t);
  // In log order, so the graph does not depend on the walk's order.
  for (const flow of flows) if (kept.has(flow)) builder.flow(flow);
  for (const node of reach.keys()) builder.node(node);
  return builder.graph(targets);
}
