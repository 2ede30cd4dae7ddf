/**
 * Faults a simulation applies at chosen virtual times: partitions and their
 * healing, node loss and restart, lost and slowed messages, a durable store
 * that crashes at a chosen commit. A fault list is plain data, so
 * fast-check generates and shrinks it, and a trace prints it.
 * @module
 */

/** One fault, applied `at` virtual milliseconds after the workload starts (once every node has booted). */
export type Fault =
  | {
      /** When (virtual ms). */
      readonly at: number;
      /** Cut `node` off from every other node. */
      readonly kind: 'isolate';
      /** The node. */
      readonly node: string;
    }
  | {
      /** When (virtual ms). */
      readonly at: number;
      /** End `node`'s isolation. */
      readonly kind: 'rejoin';
      /** The node. */
      readonly node: string;
    }
  | {
      /** When (virtual ms). */
      readonly at: number;
      /** Cut the link between `a` and `b` (both ways). */
      readonly kind: 'cut';
      /** One end. */
      readonly a: string;
      /** The other end. */
      readonly b: string;
    }
  | {
      /** When (virtual ms). */
      readonly at: number;
      /** End every cut and isolation. */
      readonly kind: 'heal';
    }
  | {
      /** When (virtual ms). */
      readonly at: number;
      /** `node` is lost: its kernel stops (its tasks never run again) and it leaves the network. */
      readonly kind: 'lose';
      /** The node. */
      readonly node: string;
    }
  | {
      /** When (virtual ms). */
      readonly at: number;
      /** A lost `node` boots again from its durable store (nothing happens if it is not lost). */
      readonly kind: 'restart';
      /** The node. */
      readonly node: string;
    }
  | {
      /** When (virtual ms). */
      readonly at: number;
      /** The next `count` messages from `from` to `to` are lost. */
      readonly kind: 'drop';
      /** Sender. */
      readonly from: string;
      /** Receiver. */
      readonly to: string;
      /** How many messages. */
      readonly count: number;
    }
  | {
      /** When (virtual ms). */
      readonly at: number;
      /** Messages from `from` to `to` take `ms` longer (0 ends it). */
      readonly kind: 'slow';
      /** Sender. */
      readonly from: string;
      /** Receiver. */
      readonly to: string;
      /** Extra delay in ms. */
      readonly ms: number;
    }
  | {
      /** When (virtual ms). */
      readonly at: number;
      /** `node`'s durable store crashes at its `commit`-th commit from then on (1: the next); the node is lost then. */
      readonly kind: 'crash-store';
      /** The node. */
      readonly node: string;
      /** Which commit. */
      readonly commit: number;
    };

/** A fault as a trace line shows it. */
export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'isolate':
    case 'rejoin':
    case 'lose':
    case 'restart':
      return `${f.kind} ${f.node}`;
    case 'cut':
      return `cut ${f.a} <-> ${f.b}`;
    case 'heal':
      return 'heal all links';
    case 'drop':
      return `drop the next ${f.count} message(s) ${f.from} -> ${f.to}`;
    case 'slow':
      return `slow ${f.from} -> ${f.to} by ${f.ms} ms`;
    case 'crash-store':
      return `crash ${f.node}'s store at its commit +${f.commit}`;
  }
}
