/**
 * fast-check arbitraries of what a simulation run is made of: its choice
 * list (the schedule) and its fault list. Both shrink toward the plain run:
 * fewer and smaller choices (shortest delays, first come first served) and
 * fewer faults, applied later.
 * @module
 */
import fc from 'fast-check';
import { seededChoices } from './choices.js';
import type { Fault } from './faults.js';

/**
 * Choice lists: a random prefix of at most `maxLength` decisions (default
 * 5000) drawn from a seed, then zeros. It shrinks by its length (a binary
 * search, a few dozen runs even for thousands of decisions, where shrinking
 * a list element by element would take thousands): the failing run with the
 * fewest random decisions before the plain schedule takes over.
 */
export function scheduleArb(maxLength = 5000): fc.Arbitrary<number[]> {
  return fc
    .record({ seed: fc.noShrink(fc.integer({ min: 0, max: 0x7fffffff })), length: fc.nat({ max: maxLength }) })
    .map(({ seed, length }) => {
      const source = seededChoices(seed);
      return Array.from({ length }, () => source.next(0x10000));
    });
}

/** Which faults {@link faultsArb} draws from. */
export type FaultKind = Fault['kind'];

/** What {@link faultsArb} generates. */
export interface FaultsArbOptions {
  /** The nodes faults may hit. */
  readonly nodes: readonly string[];
  /** Faults happen within [0, horizonMs) of virtual time (default 100). */
  readonly horizonMs?: number;
  /** Most faults in a list (default 3). */
  readonly maxFaults?: number;
  /** The kinds to draw (default: isolate, rejoin, cut, heal, lose, drop, slow). */
  readonly kinds?: readonly FaultKind[];
  /** Nodes never lost, isolated or crashed (the one the workload's client runs on, say). */
  readonly spare?: readonly string[];
}

const DEFAULT_KINDS: readonly FaultKind[] = ['isolate', 'rejoin', 'cut', 'heal', 'lose', 'drop', 'slow'];

/** Fault lists over `options.nodes`. */
export function faultsArb(options: FaultsArbOptions): fc.Arbitrary<Fault[]> {
  const { nodes } = options;
  if (nodes.length === 0) throw new RangeError('faultsArb: options.nodes is empty');
  const hittable = nodes.filter((n) => !(options.spare ?? []).includes(n));
  const at = fc.integer({ min: 0, max: Math.max(0, (options.horizonMs ?? 100) - 1) });
  const node = fc.constantFrom(...nodes);
  const target = hittable.length > 0 ? fc.constantFrom(...hittable) : undefined;
  const kinds = (options.kinds ?? DEFAULT_KINDS).filter(
    (k) => target !== undefined || !['isolate', 'lose', 'crash-store'].includes(k),
  );
  const one: Record<FaultKind, () => fc.Arbitrary<Fault>> = {
    isolate: () => fc.record({ at, kind: fc.constant('isolate' as const), node: target! }),
    rejoin: () => fc.record({ at, kind: fc.constant('rejoin' as const), node }),
    cut: () => fc.record({ at, kind: fc.constant('cut' as const), a: node, b: node }),
    heal: () => fc.record({ at, kind: fc.constant('heal' as const) }),
    lose: () => fc.record({ at, kind: fc.constant('lose' as const), node: target! }),
    restart: () => fc.record({ at, kind: fc.constant('restart' as const), node }),
    drop: () =>
      fc.record({
        at,
        kind: fc.constant('drop' as const),
        from: node,
        to: node,
        count: fc.integer({ min: 1, max: 3 }),
      }),
    slow: () =>
      fc.record({ at, kind: fc.constant('slow' as const), from: node, to: node, ms: fc.integer({ min: 0, max: 50 }) }),
    'crash-store': () =>
      fc.record({
        at,
        kind: fc.constant('crash-store' as const),
        node: target!,
        commit: fc.integer({ min: 1, max: 5 }),
      }),
  };
  if (kinds.length === 0) return fc.constant([]);
  return fc.array(fc.oneof(...kinds.map((k) => one[k]())), { maxLength: options.maxFaults ?? 3 });
}

/** At most one node loss, of a node not in `spare`, within the first `horizonMs` (default 100). */
export function nodeLossArb(
  nodes: readonly string[],
  spare: readonly string[] = [],
  horizonMs = 100,
): fc.Arbitrary<Fault[]> {
  return faultsArb({ nodes, spare, horizonMs, maxFaults: 1, kinds: ['lose'] });
}
