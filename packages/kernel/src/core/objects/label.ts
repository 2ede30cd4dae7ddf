/**
 * Labels: the secrecy and integrity tag sets every task and object carries,
 * and the one flow rule the system calls check (docs/ifc.md). A label is
 * immutable; a task changes label by getting a new one. The unlabelled
 * case is one shared object, so a check between unlabelled parties is a
 * single identity comparison.
 * @module
 */
import { errors } from '../abi/errors.js';
import { MAX_LABEL_TAGS, type LabelView } from '../abi/labels.js';

// Shared by every label with no tags in a set.
const NONE: ReadonlySet<string> = new Set();

// canFlow's memory, one entry per source label (set up inside the class, which alone reaches its private fields).
let flowedBefore: (from: Label, to: Label) => boolean;
let rememberFlow: (from: Label, to: Label) => void;
let serials = 0;

/** A pair of tag sets (tag name keys). */
export class Label {
  /** The label of everything nobody labelled: no secrecy, no integrity. */
  static readonly EMPTY = new Label(NONE, NONE);

  // Which label this one was last found to flow to, by serial number (a reference would keep dead labels alive).
  // Labels are immutable, so the answer stays true: the checks a task's calls on one object repeat (begin and end,
  // read and write) walk the sets once, then compare two numbers. Private fields: freezing the label leaves them
  // writable, and nothing outside this module sees them.
  readonly #serial = ++serials;
  #flowsTo = 0;
  static {
    flowedBefore = (from, to) => from.#flowsTo === to.#serial;
    rememberFlow = (from, to) => {
      from.#flowsTo = to.#serial;
    };
  }

  private constructor(
    /** Secrecy tags: who may learn the contents. */
    readonly secrecy: ReadonlySet<string>,
    /** Integrity tags: who vouches for the contents. */
    readonly integrity: ReadonlySet<string>,
  ) {
    Object.freeze(this);
  }

  /** The label with these tags ({@link Label.EMPTY} when both are empty). */
  static of(secrecy: Iterable<string>, integrity: Iterable<string>): Label {
    const s = new Set(secrecy);
    const i = new Set(integrity);
    if (s.size === 0 && i.size === 0) return Label.EMPTY;
    return new Label(s.size === 0 ? NONE : s, i.size === 0 ? NONE : i);
  }

  /** Whether both sets are empty. */
  get empty(): boolean {
    return this.secrecy.size === 0 && this.integrity.size === 0;
  }

  /** Whether the two labels hold the same tags. */
  equals(other: Label): boolean {
    return this === other || (sameSet(this.secrecy, other.secrecy) && sameSet(this.integrity, other.integrity));
  }

  /** The tags as sorted lists (what a task reads, and what crosses the wire). */
  view(): LabelView {
    return { secrecy: [...this.secrecy].sort(), integrity: [...this.integrity].sort() };
  }

  /** A short human form: `{s: ab12.., cd34..; i: ef56..}`, or `{}` unlabelled. */
  toString(): string {
    if (this.empty) return '{}';
    const short = (set: ReadonlySet<string>) => [...set].map((k) => k.slice(0, 8)).join(', ');
    const parts = [];
    if (this.secrecy.size > 0) parts.push(`s: ${short(this.secrecy)}`);
    if (this.integrity.size > 0) parts.push(`i: ${short(this.integrity)}`);
    return `{${parts.join('; ')}}`;
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const t of a) if (!b.has(t)) return false;
  return true;
}

/**
 * The flow rule: information may go from `from` to `to` if and only if
 * S(from) ⊆ S(to) and I(to) ⊆ I(from).
 */
export function canFlow(from: Label, to: Label): boolean {
  // Unlabelled parties (the common case) and a party with itself: no set is walked.
  if (from === to || (from.secrecy.size === 0 && to.integrity.size === 0) || flowedBefore(from, to)) return true;
  for (const t of from.secrecy) if (!to.secrecy.has(t)) return false;
  for (const t of to.integrity) if (!from.integrity.has(t)) return false;
  rememberFlow(from, to);
  return true;
}

const TAG_KEY = /^[0-9a-f]{64}$/;

/**
 * A label as it came from a peer (a descriptor or a request): lists of tag
 * name keys. Anything else is EINVAL naming `argument`: a peer's message is
 * checked like a task's argument.
 */
export function labelFromWire(value: unknown, syscall: string, argument: string): Label {
  if (value === undefined) return Label.EMPTY;
  if (typeof value !== 'object' || value === null) throw errors.EINVAL(syscall, argument, 'malformed label');
  const tags = (key: 'secrecy' | 'integrity'): string[] => {
    const list = (value as Record<string, unknown>)[key];
    if (list === undefined) return [];
    if (
      !Array.isArray(list) ||
      list.length > MAX_LABEL_TAGS ||
      !list.every((t) => typeof t === 'string' && TAG_KEY.test(t))
    )
      throw errors.EINVAL(syscall, `${argument}.${key}`, 'malformed label: expected tag name keys');
    return list as string[];
  };
  return Label.of(tags('secrecy'), tags('integrity'));
}

/** A label for the wire: undefined when it has no tags, so unlabelled traffic carries nothing extra. */
export function labelToWire(label: Label): LabelView | undefined {
  return label.empty ? undefined : label.view();
}
