/**
 * Real texts for the C programs' tests, from files already on the machine:
 * the licences in /usr/share/common-licenses and this repository's docs
 * (UTF-8 included), and a larger text made of their lines drawn in a fixed pseudo-random order.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LICENSES = '/usr/share/common-licenses/';
const DOCS = fileURLToPath(new URL('../../../../docs/', import.meta.url));

/** A text: a file name (a plain word, usable as a path) and its bytes. */
export interface Text {
  /** The name, the same on the host and in DIOS. */
  readonly name: string;
  /** The content. */
  readonly bytes: Uint8Array;
}

const isFile = (dir: string, f: string): boolean => statSync(dir + f).isFile();

/** The licences and the docs, each a text (sorted by name, so the same on every run). */
export function realTexts(): Text[] {
  const licences = readdirSync(LICENSES)
    .filter((f) => isFile(LICENSES, f))
    .sort()
    .map((f) => ({ name: f, bytes: readFileSync(LICENSES + f) }));
  const docs = readdirSync(DOCS)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => ({ name: `doc-${f}`, bytes: readFileSync(DOCS + f) }));
  return [...licences, ...docs];
}

/** About `size` bytes of lines of `texts`, drawn by a seeded generator (xorshift32): the same bytes every run. */
export function shuffledLines(texts: readonly Text[], size: number, seed = 0x9e3779b9): Uint8Array {
  const lines: Uint8Array[] = [];
  for (const t of texts) {
    let start = 0;
    for (let i = 0; i < t.bytes.length; i++) {
      if (t.bytes[i] !== 0x0a) continue;
      lines.push(t.bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  const out = new Uint8Array(size + 4096);
  let length = 0;
  let x = seed >>> 0 || 1;
  while (length < size) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const line = lines[x % lines.length]!;
    if (length + line.length > out.length) break;
    out.set(line, length);
    length += line.length;
  }
  return out.subarray(0, length);
}
