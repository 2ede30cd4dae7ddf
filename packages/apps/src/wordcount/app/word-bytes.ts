/**
 * What a word is: a maximal run of ASCII letters and digits, lower-cased.
 * @module
 */

/** Per byte value: the byte lower-cased when it is an ASCII letter or digit, 0 for every other byte. */
export const WORD_BYTES: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 0x30; b <= 0x39; b++) t[b] = b;
  for (let b = 0x61; b <= 0x7a; b++) t[b] = b;
  for (let b = 0x41; b <= 0x5a; b++) t[b] = b + 0x20;
  return t;
})();
