/**
 * The WordCount benchmark's input: a deterministic text of a given size,
 * words drawn Zipf-like (probability about 1/rank) from a vocabulary of
 * VOCABULARY words: the words of the licence texts in
 * /usr/share/common-licenses, most frequent first (so `the`, `of`, `or`
 * lead), then generated words made of syllables, some with digits. Words
 * are separated by spaces, commas and full stops, a sentence's first word
 * is capitalised, and lines wrap at about 72 columns.
 * @module
 */
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
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
