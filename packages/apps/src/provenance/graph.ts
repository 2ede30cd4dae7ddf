/**
 * A provenance graph: the tasks and objects of a kernel's provenance log as
 * nodes, its flows as edges (one per source, destination, operation and
 * outcome, with the bytes summed). Built from the records alone: what the
 * records do not name (who holds a reference without using it) is not in it.
 * @module
 */
import type { FlowOperation, ProvenanceRecord } from '@dios/kernel';

/** A task or an object of the graph. */
export interface ProvenanceNode {
  /** `task:KEY` or `object:KEY` (KEY: the name key). */
  readonly id: string;
  /** Tasks are activities, everything else (binaries, blobs, streams, ...) entities. */
  readonly kind: 'task' | 'object';
  /** The name key. */
  readonly name: string;
  /** What a person reads: the program and a short name for a task; the path, or the type and a short name, for an object. */
  readonly label: string;
  /** An object's type. */
  readonly type?: string;
  /** A task's program (argv[0]), when the log names it. */
  readonly program?: string;
  /** An object's path, when known. */
  readonly path?: string;
}

/** Flows of one kind from one node to another, summed. */
export interface ProvenanceEdge {
  /** Source node id. */
  readonly from: string;
  /** Destination node id. */
  readonly to: string;
  /** The operation of the flows. */
  readonly operation: FlowOperation;
  /** False for flows the labels refused (kept apart from the allowed ones). */
  readonly allowed: boolean;
  /** Bytes moved, summed over the flows. */
  bytes: number;
  /** How many flows. */
  count: number;
  /** The object's version after the last flow. */
  version: number;
  /** Time of the first flow (ms since the epoch). */
  first: number;
  /** Time of the last flow (ms since the epoch). */
  last: number;
}

/** Nodes and edges; `targets` are the nodes a lineage was asked for. */
export interface ProvenanceGraph {
  /** The nodes, in order of first appearance. */
  readonly nodes: readonly ProvenanceNode[];
  /** The edges, in order of first appearance. */
  readonly edges: readonly ProvenanceEdge[];
  /** Ids of the nodes a lineage was drawn for. */
  readonly targets?: readonly string[];
}

/** What builds a graph: the paths of objects by name key, where known. */
export interface GraphOptions {
  /** Object name key -> path (a DIOS path, or `file:...` for a loaded host file). */
  readonly paths?: ReadonlyMap<string, string>;
}

/** One flow of a record, as an edge between node ids; `seq` is the record's place in the log. */
export interface Flow {
  /** Source node id. */
  readonly from: string;
  /** Destination node id. */
  readonly to: string;
  /** The record's operation. */
  readonly operation: FlowOperation;
  /** Bytes (0 for the parent-to-child flow of a run). */
  readonly bytes: number;
  /** The record. */
  readonly record: ProvenanceRecord;
  /** Index of the record in the log (the order of the flows). */
  readonly seq: number;
}

/** Short form of a name key, as the status page shows it. */
export const shortName = (key: string): string => key.slice(0, 8);

/** Node id of the task named `key`. */
export const taskId = (key: string): string => `task:${key}`;

// A flow's object is a task when its type says so (copy's target, pause, a label change).
const objectId = (r: ProvenanceRecord): string => (r.objectType === 'task' ? taskId(r.object) : `object:${r.object}`);

/**
 * The flows of `records` (oldest first): read object->task; write, create,
 * modify and copy task->object; run binary->child and parent->child (a
 * refused run: binary->parent). Label changes move no data between nodes
 * and make none.
 */
export function recordFlows(records: readonly ProvenanceRecord[]): Flow[] {
  const flows: Flow[] = [];
  records.forEach((record, seq) => {
    const task = taskId(record.task);
    const object = objectId(record);
    const add = (from: string, to: string, bytes = record.bytes): void => {
      flows.push({ from, to, operation: record.operation, bytes, record, seq });
    };
    switch (record.operation) {
      case 'read':
        add(object, task);
        break;
      case 'run':
        if (record.child === undefined) add(object, task);
        else {
          add(object, taskId(record.child));
          add(task, taskId(record.child), 0);
        }
        break;
      case 'label':
        break;
      default:
        add(task, object);
    }
  });
  return flows;
}

/** Collects nodes and summed edges from flows. */
export class GraphBuilder {
  readonly #nodes = new Map<string, ProvenanceNode>();
  readonly #edges = new Map<string, ProvenanceEdge>();
  readonly #programs = new Map<string, string>();
  readonly #types = new Map<string, string>();
  readonly #paths: ReadonlyMap<string, string>;

  /** A builder knowing the programs and types that `records` name, and `options.paths`. */
  constructor(records: readonly ProvenanceRecord[], options: GraphOptions = {}) {
    this.#paths = options.paths ?? new Map();
    for (const r of records) {
      this.#programs.set(r.task, r.program);
      this.#types.set(r.object, r.objectType);
    }
  }

  /** Adds node `id` (once). */
  node(id: string): void {
    if (this.#nodes.has(id)) return;
    const colon = id.indexOf(':');
    const kind = id.slice(0, colon) as 'task' | 'object';
    const name = id.slice(colon + 1);
    if (kind === 'task') {
      const program = this.#programs.get(name);
      const label = `${program ?? 'task'} ${shortName(name)}`;
      this.#nodes.set(id, { id, kind, name, label, ...(program !== undefined && { program }) });
      return;
    }
    const type = this.#types.get(name) ?? 'object';
    const path = this.#paths.get(name);
    this.#nodes.set(id, { id, kind, name, type, label: path ?? `${type} ${shortName(name)}`, ...(path && { path }) });
  }

  /** Adds `flow` (and its two nodes), summed into the edge of its kind. */
  flow(flow: Flow): void {
    this.node(flow.from);
    this.node(flow.to);
    const { record } = flow;
    const key = `${flow.from}\n${flow.to}\n${flow.operation}\n${record.allowed}`;
    const edge = this.#edges.get(key);
    if (edge === undefined) {
      this.#edges.set(key, {
        from: flow.from,
        to: flow.to,
        operation: flow.operation,
        allowed: record.allowed,
        bytes: flow.bytes,
        count: 1,
        version: record.version,
        first: record.at,
        last: record.at,
      });
      return;
    }
    edge.bytes += flow.bytes;
    edge.count++;
    edge.version = record.version;
    edge.last = record.at;
  }

  /** The graph so far. */
  graph(targets?: readonly string[]): ProvenanceGraph {
    return { nodes: [...this.#nodes.values()], edges: [...this.#edges.values()], ...(targets && { targets }) };
  }
}

/** The whole graph of `records`: every task and object they name, every flow. */
export function flowGraph(records: readonly ProvenanceRecord[], options: GraphOptions = {}): ProvenanceGraph {
  const builder = new GraphBuilder(records, options);
  for (const flow of recordFlows(records)) builder.flow(flow);
  return builder.graph();
}
