/**
 * The WordCount benchmark's inputs. The generated one ({@link writeCorpus}): a deterministic text of a given size,
 * words drawn Zipf-like (probability about 1/rank) from a vocabulary of VOCABULARY words: the words of the licence
 * texts in /usr/share/common-licenses, most frequent first (so `the`, `of`, `or` lead), then generated words made
 * of syllables, some with digits. Words are separated by spaces, commas and full stops, a sentence's first word is
 * capitalised, and lines wrap at about 72 columns. The real one ({@link writeRealCorpus}): the documentation and
 * source text found on the machine, whose many rare words (identifiers, names, numbers) the generated text lacks.
 * @module
 */
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

/** Distinct words the text draws from. */
export const VOCABULARY = 1_000_000;
const LICENCES = '/usr/share/common-licenses';
// Consonant-vowel syllables: 85 of them, so 1 to 4 make plenty of distinct words.
const SYLLABLES = [...'bcdfghklmnprstvwz'].flatMap((c) => [...'aeiou'].map((v) => c + v));
const CHUNK = 4 * 1024 * 1024;

/** A small deterministic generator (mulberry32): uniform floats in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function licenceWords(): string[] {
  const counts = new Map<string, number>();
  let files: string[] = [];
  try {
    files = readdirSync(LICENCES).sort();
  } catch {
    // No licence texts on this host: the vocabulary is all generated.
  }
  for (const f of files) {
    const path = join(LICENCES, f);
    if (!statSync(path).isFile()) continue;
    for (const w of readFileSync(path, 'latin1')
      .toLowerCase()
      .split(/[^a-z0-9]+/))
      if (w !== '') counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
}

/** The vocabulary in rank order, and how many of its words come from the licences. */
export function vocabulary(): { words: string[]; fromLicences: number } {
  const words = licenceWords();
  const fromLicences = words.length;
  const seen = new Set(words);
  const rnd = random(42);
  while (words.length < VOCABULARY) {
    let w = '';
    const n = 1 + Math.floor(rnd() * 4);
    for (let k = 0; k < n; k++) w += SYLLABLES[Math.floor(rnd() * SYLLABLES.length)];
    if (rnd() < 0.05) w += String(Math.floor(rnd() * 1000));
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return { words, fromLicences };
}

/** Writes `bytes` bytes of text (see the module comment) to `path`. */
export function writeCorpus(path: string, bytes: number): { fromLicences: number } {
  const { words, fromLicences } = vocabulary();
  const encoded = words.map((w) => Buffer.from(w, 'latin1'));
  const rnd = random(7);
  const fd = openSync(path, 'w');
  const buf = Buffer.alloc(CHUNK + 64);
  let written = 0;
  let at = 0;
  let column = 0;
  let capital = true;
  try {
    while (written + at < bytes) {
      // Inverse of the continuous 1/rank distribution: rank = V^u - 1.
      const word = encoded[Math.min(VOCABULARY - 1, Math.floor(VOCABULARY ** rnd()) - 1)]!;
      word.copy(buf, at);
      if (capital && buf[at]! >= 0x61) buf[at] = buf[at]! - 0x20;
      at += word.length;
      column += word.length + 1;
      const r = rnd();
      capital = r < 0.08;
      if (capital)
        buf[at++] = 0x2e; // .
      else if (r < 0.14) buf[at++] = 0x2c; // ,
      if (column > 72) {
        buf[at++] = 0x0a;
        column = 0;
      } else buf[at++] = 0x20;
      if (at >= CHUNK) {
        const n = Math.min(at, bytes - written);
        writeSync(fd, buf, 0, n);
        written += n;
        at = 0;
      }
    }
    // The last word may be cut short by the size: end on the newline instead.
    const n = bytes - written;
    if (n > 0) {
      buf[n - 1] = 0x0a;
      writeSync(fd, buf, 0, n);
    }
  } finally {
    closeSync(fd);
  }
  return { fromLicences };
}

// Where the real text comes from: documentation and sources that a stock Debian or Ubuntu machine has (the
// licences and /usr/share/doc always; headers, Perl and Python modules and manual pages when installed).
const REAL_ROOTS = [
  '/usr/share/common-licenses',
  '/usr/share/doc',
  '/usr/share/man',
  '/usr/share/perl',
  '/usr/share/perl5',
  '/usr/include',
  '/usr/lib/python3',
];
// A file whose first bytes hold a NUL is not text (images, compiled files): left out.
const SNIFF = 4096;
// No single file may dominate the text: larger ones are cut (at a line end) to this.
const FILE_CAP = 2 * 1024 * 1024;

function walk(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return; // Not on this machine, or not readable.
  }
  for (const name of names) {
    const path = join(dir, name);
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(path, out);
    else if (st.isFile() && st.size > 0) out.push(path);
  }
}

// The text of one file (gzip-compressed ones uncompressed), or undefined when it is not text.
function textOf(path: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
    if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
  } catch {
    return undefined;
  }
  if (bytes.subarray(0, SNIFF).includes(0)) return undefined;
  if (bytes.length > FILE_CAP) bytes = bytes.subarray(0, bytes.lastIndexOf(0x0a, FILE_CAP) + 1);
  return bytes;
}

/** What {@link writeRealCorpus} used. */
export interface RealCorpus {
  /** Text files read, in all. */
  readonly files: number;
  /** Bytes of distinct text (the files once), before repeating it to the size asked for. */
  readonly textBytes: number;
}

/**
 * Writes `bytes` bytes of real text to `path`: the text files under REAL_ROOTS (the ones that exist), in sorted
 * order, each followed by a newline, repeated from the start until the size is reached. Deterministic on one
 * machine. Throws when no text is found.
 */
export function writeRealCorpus(path: string, bytes: number): RealCorpus {
  const files: string[] = [];
  for (const root of REAL_ROOTS) walk(root, files);
  const texts: Buffer[] = [];
  let textBytes = 0;
  for (const f of files) {
    if (textBytes >= bytes) break;
    const t = textOf(f);
    if (t === undefined) continue;
    texts.push(t);
    textBytes += t.length + 1;
  }
  if (texts.length === 0) throw new Error(`no text files under ${REAL_ROOTS.join(', ')}`);
  const fd = openSync(path, 'w');
  const newline = Buffer.from('\n');
  let written = 0;
  try {
    for (let k = 0; written < bytes; k = (k + 1) % texts.length) {
      for (const part of [texts[k]!, newline]) {
        const n = Math.min(part.length, bytes - written);
        writeSync(fd, part, 0, n);
        written += n;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { files: texts.length, textBytes };
}
