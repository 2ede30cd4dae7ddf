/**
 * A sorted set value: members (latin1 strings, see bytes.ts) with scores,
 * ordered by (score, member), and the encoding Redis 7.0 would report.
 * The order is kept in a skip list whose links carry spans (as Redis'
 * zskiplist), so insert, delete, rank and access by rank are O(log n).
 * @module
 */

const MAX_LEVEL = 32;
// Scratch for insert and unlink (each runs to completion, so one pair serves every set): no arrays per write.
const UPDATE = new Array<ZNode | undefined>(MAX_LEVEL);
const RANK = new Array<number>(MAX_LEVEL).fill(0);

/** One member in the skip list. */
export interface ZNode {
  /** The member. */
  readonly member: string;
  /** Its score. */
  readonly score: number;
  /** The next node at each level. */
  readonly next: (ZNode | null)[];
  /** How many level-0 steps each `next` link skips. */
  readonly span: number[];
  /** The previous node at level 0 (null for the first). */
  prev: ZNode | null;
}

/** A score interval: min and max, each possibly exclusive. */
export interface ScoreRange {
  /** Lower bound. */
  min: number;
  /** Upper bound. */
  max: number;
  /** Whether min itself is out. */
  minex: boolean;
  /** Whether max itself is out. */
  maxex: boolean;
}

/** A lexicographic bound: a member string, or -Infinity / Infinity for '-' and '+'. */
export type LexBound = string | number;

/** A lexicographic interval (ZRANGEBYLEX's `[a`, `(a`, `-`, `+`). */
export interface LexRange {
  /** Lower bound. */
  min: LexBound;
  /** Upper bound. */
  max: LexBound;
  /** Whether min itself is out. */
  minex: boolean;
  /** Whether max itself is out. */
  maxex: boolean;
}

function newNode(level: number, member: string, score: number): ZNode {
  return {
    member,
    score,
    next: new Array<ZNode | null>(level).fill(null),
    span: new Array<number>(level).fill(0),
    prev: null,
  };
}

// Whether (score, member) sorts before node n.
function before(score: number, member: string, n: ZNode): boolean {
  return score < n.score || (score === n.score && member < n.member);
}

// Whether node n sorts before (score, member).
function after(n: ZNode, score: number, member: string): boolean {
  return n.score < score || (n.score === score && n.member < member);
}

function lexCmp(a: string, b: LexBound): number {
  if (typeof b === 'number') return -b;
  return a < b ? -1 : a > b ? 1 : 0;
}

// Two bounds compared, -Infinity and Infinity standing for '-' and '+'.
function lexBoundCmp(a: LexBound, b: LexBound): number {
  if (a === b) return 0;
  if (typeof a === 'number') return a < 0 ? -1 : 1;
  return lexCmp(a, b);
}

/** Whether `value` is at or past the range's lower bound. */
export function lexGteMin(value: string, r: LexRange): boolean {
  const c = lexCmp(value, r.min);
  return r.minex ? c > 0 : c >= 0;
}

/** Whether `value` is at or before the range's upper bound. */
export function lexLteMax(value: string, r: LexRange): boolean {
  const c = lexCmp(value, r.max);
  return r.maxex ? c < 0 : c <= 0;
}

/** Whether `score` is at or past the range's lower bound. */
export function scoreGteMin(score: number, r: ScoreRange): boolean {
  return r.minex ? score > r.min : score >= r.min;
}

/** Whether `score` is at or before the range's upper bound. */
export function scoreLteMax(score: number, r: ScoreRange): boolean {
  return r.maxex ? score < r.max : score <= r.max;
}

/** A sorted set. */
export class SortedSetValue {
  /** Member to score. */
  readonly scores = new Map<string, number>();
  /** What OBJECT ENCODING reports: listpack while small, then skiplist for good. */
  encoding: 'listpack' | 'skiplist' = 'listpack';
  readonly #head: ZNode = newNode(MAX_LEVEL, '', -Infinity);
  #tail: ZNode | null = null;
  #level = 1;

  /** Number of members. */
  get size(): number {
    return this.scores.size;
  }

  /** The score of `member`, or undefined. */
  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /** Adds `member` with `score` as given (see `put` for what a write command stores), or changes its score. */
  add(member: string, score: number): void {
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (old === score) return;
      this.#unlink(member, old);
    }
    this.scores.set(member, score);
    this.#insert(member, score);
  }

  /**
   * Adds or rescores as a write command does: a listpack keeps a score as
   * text that reads back -0 as 0 (Redis 7.0 then replies 0), a skiplist keeps -0.
   */
  put(member: string, score: number): void {
    this.add(member, score === 0 && this.encoding === 'listpack' ? 0 : score);
  }

  /** Removes `member`; whether it was there. */
  delete(member: string): boolean {
    const old = this.scores.get(member);
    if (old === undefined) return false;
    this.scores.delete(member);
    this.#unlink(member, old);
    return true;
  }

  /** Every member with its score, in rank order (score, then member bytes). */
  entries(): [string, number][] {
    const out: [string, number][] = [];
    for (let n = this.#head.next[0]!; n !== null; n = n.next[0]!) out.push([n.member, n.score]);
    return out;
  }

  /** The first node (lowest rank), or null. */
  first(): ZNode | null {
    return this.#head.next[0]!;
  }

  /** The last node (highest rank), or null. */
  last(): ZNode | null {
    return this.#tail;
  }

  /** The node at 0-based `rank`, or null. */
  at(rank: number): ZNode | null {
    if (rank < 0 || rank >= this.size) return null;
    let x = this.#head;
    let traversed = 0;
    const want = rank + 1;
    for (let i = this.#level - 1; i >= 0; i--) {
      while (x.next[i] !== null && traversed + x.span[i]! <= want) {
        traversed += x.span[i]!;
        x = x.next[i]!;
      }
      if (traversed === want) return x;
    }
    return null;
  }

  /** The 0-based rank of `member` (from the lowest score), or undefined. */
  rank(member: string): number | undefined {
    const score = this.scores.get(member);
    if (score === undefined) return undefined;
    let x = this.#head;
    let rank = 0;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let n = x.next[i]!; n !== null && !before(score, member, n); n = x.next[i]!) {
        rank += x.span[i]!;
        x = n;
      }
      if (x !== this.#head && x.member === member) return rank - 1;
    }
    return undefined;
  }

  /** The first node whose score is in `r`, or null. */
  firstInScore(r: ScoreRange): ZNode | null {
    let x = this.#head;
    for (let i = this.#level - 1; i >= 0; i--)
      for (let n = x.next[i]!; n !== null && !scoreGteMin(n.score, r); n = x.next[i]!) x = n;
    const n = x.next[0]!;
    return n !== null && scoreLteMax(n.score, r) ? n : null;
  }

  /** The last node whose score is in `r`, or null. */
  lastInScore(r: ScoreRange): ZNode | null {
    let x = this.#head;
    for (let i = this.#level - 1; i >= 0; i--)
      for (let n = x.next[i]!; n !== null && scoreLteMax(n.score, r); n = x.next[i]!) x = n;
    return x !== this.#head && scoreGteMin(x.score, r) ? x : null;
  }

  // Redis' zslIsInLexRange: the range is not empty and overlaps the first and last members.
  #mayHoldLex(r: LexRange): boolean {
    const c = lexBoundCmp(r.min, r.max);
    if (c > 0 || (c === 0 && (r.minex || r.maxex))) return false;
    const first = this.first();
    return first !== null && lexGteMin(this.#tail!.member, r) && lexLteMax(first.member, r);
  }

  /**
   * The first node whose member is in `r`, or null. Meant for sets whose
   * scores are all equal; otherwise the answer follows Redis' walk (linear
   * in a listpack, down the levels in a skiplist).
   */
  firstInLex(r: LexRange): ZNode | null {
    if (!this.#mayHoldLex(r)) return null;
    let n: ZNode | null;
    if (this.encoding === 'listpack') {
      for (n = this.first(); n !== null && !lexGteMin(n.member, r); n = n.next[0]!);
    } else {
      let x = this.#head;
      for (let i = this.#level - 1; i >= 0; i--)
        for (let m = x.next[i]!; m !== null && !lexGteMin(m.member, r); m = x.next[i]!) x = m;
      n = x.next[0]!;
    }
    return n !== null && lexLteMax(n.member, r) ? n : null;
  }

  /** The last node whose member is in `r`, or null (see firstInLex). */
  lastInLex(r: LexRange): ZNode | null {
    if (!this.#mayHoldLex(r)) return null;
    let n: ZNode | null;
    if (this.encoding === 'listpack') {
      for (n = this.#tail; n !== null && !lexLteMax(n.member, r); n = n.prev);
    } else {
      let x = this.#head;
      for (let i = this.#level - 1; i >= 0; i--)
        for (let m = x.next[i]!; m !== null && lexLteMax(m.member, r); m = x.next[i]!) x = m;
      n = x === this.#head ? null : x;
    }
    return n !== null && lexGteMin(n.member, r) ? n : null;
  }

  /**
   * Makes the encoding skiplist when the set passed the thresholds
   * (entries, or a member longer than `maxValue`), counting `extra` members
   * about to be added; never back.
   */
  grow(maxEntries: number, maxValue: number, longestAdded: number, extra = 0): void {
    if (this.encoding === 'listpack' && (this.size + extra > maxEntries || longestAdded > maxValue))
      this.encoding = 'skiplist';
  }

  #insert(member: string, score: number): void {
    const update = UPDATE;
    const rank = RANK;
    let x = this.#head;
    for (let i = this.#level - 1; i >= 0; i--) {
      rank[i] = i === this.#level - 1 ? 0 : rank[i + 1]!;
      for (let n = x.next[i]!; n !== null && after(n, score, member); n = x.next[i]!) {
        rank[i]! += x.span[i]!;
        x = n;
      }
      update[i] = x;
    }
    let level = 1;
    while (level < MAX_LEVEL && Math.random() < 0.25) level++;
    if (level > this.#level) {
      for (let i = this.#level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.#head;
        this.#head.span[i] = this.size - 1;
      }
      this.#level = level;
    }
    const node = newNode(level, member, score);
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      node.next[i] = u.next[i]!;
      u.next[i] = node;
      node.span[i] = u.span[i]! - (rank[0]! - rank[i]!);
      u.span[i] = rank[0]! - rank[i]! + 1;
    }
    for (let i = level; i < this.#level; i++) update[i]!.span[i]!++;
    node.prev = update[0] === this.#head ? null : update[0]!;
    if (node.next[0] !== null) node.next[0]!.prev = node;
    else this.#tail = node;
  }

  // Takes the node of (member, score) out of the list (the map is the caller's).
  #unlink(member: string, score: number): void {
    const update = UPDATE;
    let x = this.#head;
    for (let i = this.#level - 1; i >= 0; i--) {
      for (let n = x.next[i]!; n !== null && after(n, score, member); n = x.next[i]!) x = n;
      update[i] = x;
    }
    const node = x.next[0]!;
    for (let i = 0; i < this.#level; i++) {
      const u = update[i]!;
      if (u.next[i] === node) {
        u.span[i]! += node.span[i]! - 1;
        u.next[i] = node.next[i]!;
      } else u.span[i]!--;
    }
    if (node.next[0] !== null) node.next[0]!.prev = node.prev;
    else this.#tail = node.prev;
    while (this.#level > 1 && this.#head.next[this.#level - 1] === null) this.#level--;
  }
}
