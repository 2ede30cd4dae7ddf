/**
 * Merging the job's outputs, each already in output order, into one run of
 * records in that order, as bytes: no key strings or objects are made, so
 * printing every word costs a copy, not a parse.
 * @module
 */
import { errors } from '@dios/kernel';

const TAB = 0x09;
const NL = 0x0a;

/** Cursor over the records of one output: the current record's bounds and count. */
class Records {
  start = 0;
  tab = 0;
  end = 0;
  count = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly call: string,
  ) {
    this.#read();
  }

  get done(): boolean {
    return this.start >= this.bytes.length;
  }

  next(): void {
    this.start = this.end;
    this.#read();
  }

  #read(): void {
    const b = this.bytes;
    if (this.start >= b.length) return;
    let i = this.start;
    while (i < b.length && b[i] !== TAB) i++;
    this.tab = i;
    let count = 0;
    let digits = 0;
    for (i++; i < b.length && b[i] !== NL; i++, digits++) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) break;
      count = count * 10 + d;
    }
    if (this.tab === this.start || digits === 0 || i >= b.length || b[i] !== NL) {
      throw errors.EIO(this.call, 'records', `malformed record at byte ${this.start}: expected key<TAB>count<NEWLINE>`);
    }
    this.count = count;
    this.end = i + 1;
  }
}

// Whether a's record goes before b's: larger count first, ties in byte order of the key.
function before(a: Records, b: Records): boolean {
  if (a.count !== b.count) return a.count > b.count;
  const x = a.bytes;
  const y = b.bytes;
  const n = Math.min(a.tab - a.start, b.tab - b.start);
  for (let k = 0; k < n; k++) {
    const d = x[a.start + k]! - y[b.start + k]!;
    if (d !== 0) return d < 0;
  }
  return a.tab - a.start <= b.tab - b.start;
}

// Bytes of the first `limit` records of `bytes` (or all of them).
function prefixBytes(bytes: Uint8Array, limit: number): number {
  if (limit >= bytes.length) return bytes.length;
  let end = 0;
  for (let n = 0; n < limit && end < bytes.length; n++) end = bytes.indexOf(NL, end) + 1 || bytes.length;
  return end;
}

/**
 * The first `limit` records (default: all) of the union of `outputs`, each
 * a run of `key<TAB>count` lines in output order, in that order. EIO for a
 * malformed record.
 */
export function mergeRecords(outputs: readonly Uint8Array[], limit = Infinity, call = 'mergeRecords'): Uint8Array {
  const heads = outputs.map((o) => new Records(o, call)).filter((r) => !r.done);
  const out = new Uint8Array(outputs.reduce((n, o) => n + prefixBytes(o, limit), 0));
  let at = 0;
  // A linear scan for the next record: there are as many outputs as reduce tasks, a handful.
  for (let taken = 0; taken < limit && heads.length > 0; taken++) {
    let best = 0;
    for (let h = 1; h < heads.length; h++) if (before(heads[h]!, heads[best]!)) best = h;
    const r = heads[best]!;
    const b = r.bytes;
    for (let k = r.start; k < r.end; k++) out[at++] = b[k]!;
    r.next();
    if (r.done) heads.splice(best, 1);
  }
  return out.subarray(0, at);
}
