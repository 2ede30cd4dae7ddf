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
// Read exactly as Redis' stringmatchlen does, quirks included: `[a-]` is the range a to ']' (its ']' then
// closes nothing), and an unclosed class ends with the pattern.
function matchClass(p: string, pi: number, ch: number): { matched: boolean; next: number } {
  const pn = p.length;
  const not = p[pi] === '^';
  if (not) pi++;
  let found = false;
  for (;;) {
    if (p[pi] === '\\' && pn - pi >= 2) {
      pi++;
      if (p.charCodeAt(pi) === ch) found = true;
    } else if (p[pi] === ']') break;
    else if (pi >= pn) {
      pi--;
      break;
    } else if (pn - pi >= 3 && p[pi + 1] === '-') {
      let lo = p.charCodeAt(pi);
      let hi = p.charCodeAt(pi + 2);
      if (lo > hi) [lo, hi] = [hi, lo];
      if (ch >= lo && ch <= hi) found = true;
      pi += 2;
    } else if (p.charCodeAt(pi) === ch) found = true;
    pi++;
  }
  return { matched: not ? !found : found, next: pi + 1 };
}
