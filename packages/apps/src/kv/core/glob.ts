/**
 * Glob patterns as KEYS and SCAN MATCH read them (Redis' stringmatchlen):
 * `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, and `\x` for a literal x.
 * @module
 */

/** Whether `text` matches `pattern` (both latin1 strings, compared by char code). */
export function globMatch(pattern: string, text: string): boolean {
  const p = pattern;
  const s = text;
  const pn = p.length;
  const sn = s.length;
  let pi = 0;
  let si = 0;
  // The last '*' seen and the text position it was tried at: on a mismatch, let it take one more char.
  // Backtracking to the last star only is enough for globs, and keeps the match O(len(p) * len(s)).
  let starP = -1;
  let starS = 0;
  while (si < sn) {
    if (pi < pn) {
      const c = p[pi]!;
      if (c === '*') {
        while (pi + 1 < pn && p[pi + 1] === '*') pi++;
        starP = pi++;
        starS = si;
        continue;
      }
      if (c === '?') {
        pi++;
        si++;
        continue;
      }
      if (c === '[') {
        const r = matchClass(p, pi + 1, s.charCodeAt(si));
        if (r.matched) {
          pi = r.next;
          si++;
          continue;
        }
      } else {
        const escaped = c === '\\' && pi + 1 < pn;
        if ((escaped ? p[pi + 1] : c) === s[si]) {
          pi += escaped ? 2 : 1;
          si++;
          continue;
        }
      }
    }
    if (starP < 0) return false;
    pi = starP + 1;
    si = ++starS;
  }
  while (pi < pn && p[pi] === '*') pi++;
  return pi === pn;
}

// A [...] class starting after the '['; returns whether ch is in it and where the pattern goes on.
function matchClass(p: string, pi: number, ch: number): { matched: boolean; next: number } {
  const pn = p.length;
  const not = p[pi] === '^';
  if (not) pi++;
  let found = false;
  while (pi < pn && p[pi] !== ']') {
    if (p[pi] === '\\' && pi + 1 < pn) {
      pi++;
      if (p.charCodeAt(pi) === ch) found = true;
    } else if (pi + 2 < pn && p[pi + 1] === '-' && p[pi + 2] !== ']') {
      let lo = p.charCodeAt(pi);
      let hi = p.charCodeAt(pi + 2);
      if (lo > hi) [lo, hi] = [hi, lo];
      if (ch >= lo && ch <= hi) found = true;
      pi += 2;
    } else if (p.charCodeAt(pi) === ch) found = true;
    pi++;
  }
  // An unclosed class ends at the pattern's end, as in Redis.
  return { matched: not ? !found : found, next: pi < pn ? pi + 1 : pi };
}
