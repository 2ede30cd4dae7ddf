/**
 * The runner's one failure: the kernel did something the model did not
 * predict. It names the step (the call, as issued), what differed, and the
 * model's and the kernel's values.
 * @module
 */

/** Plain data as one line of text (bytes as a list, undefined and NaN spelled out). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v instanceof Uint8Array) return `Uint8Array[${[...v].join(',')}]`;
  if (v instanceof Map) return `Map(${v.size})`;
  try {
    return (
      JSON.stringify(v, (_k, x: unknown) =>
        x === undefined ? '<undefined>' : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x,
      ) ?? typeof v
    );
  } catch {
    // A cycle or a BigInt: the type is all a message can say.
    return `<${typeof v}>`;
  }
}

/** The kernel disagreed with the reference model at one step. */
export class ModelMismatchError extends Error {
  /** The step, as the runner labels it (`t1.create("group", …, 0)`). */
  readonly step: string;
  /** What differed (`handle`, `task 1 ref 4 rights`, `outcome`, …). */
  readonly what: string;
  /** What the model predicted. */
  readonly expected: unknown;
  /** What the kernel did. */
  readonly actual: unknown;
  /** How the run got there and how to replay it, when the runner knows (the shrunk call sequence, the seed). */
  readonly trail: string | undefined;

  constructor(
    step: string,
    what: string,
    expected: unknown,
    actual: unknown,
    options?: { cause?: unknown; trail?: string },
  ) {
    super(
      `${step}: ${what} differs from the model\n  expected (model):  ${describeValue(expected)}\n  actual (kernel):   ${describeValue(actual)}${options?.trail === undefined ? '' : `\n${options.trail}`}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.trail = options?.trail;
    this.name = 'ModelMismatchError';
    this.step = step;
    this.what = what;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Deep equality of plain data: primitives (NaN equals NaN), arrays, typed arrays, maps (keys by identity) and records. */
export function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    const x = a as ArrayLike<unknown>;
    const y = b as ArrayLike<unknown>;
    if (Array.isArray(a) !== Array.isArray(b) || !(ArrayBuffer.isView(b) || Array.isArray(b))) return false;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameData(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !sameData(v, b.get(k))) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Throws a {@link ModelMismatchError} for `step` unless `actual` is the same data as `expected`. */
export function expectSame(step: string, what: string, actual: unknown, expected: unknown): void {
  if (!sameData(actual, expected)) throw new ModelMismatchError(step, what, expected, actual);
}
