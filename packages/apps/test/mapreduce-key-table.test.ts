/**
 * KeyTable's key access without views (keyLength, copyKey), which the
 * record encoding of map and reduce outputs uses for every key.
 */
import { describe, expect, it } from 'vitest';
import { KeyTable } from '@dios/apps';
import { HASH_SEED, hashStep, WORD_BYTES } from '@dios/apps/testing';

function add(table: KeyTable, word: string, count = 1): void {
  const bytes = new TextEncoder().encode(word);
  let h = HASH_SEED;
  for (const b of bytes) h = hashStep(h, WORD_BYTES[b]!);
  table.add(bytes, 0, bytes.length, h, count);
}

describe('KeyTable key access', () => {
  // Lengths on both sides of the 32 bytes where copyKey switches from a loop to set.
  const words = ['a', 'Word', 'x'.repeat(31), 'Y'.repeat(32), 'z'.repeat(33), 'Q9'.repeat(60)];

  it('keyLength and copyKey give the translated key bytes, as keyBytes does', () => {
    const table = new KeyTable(WORD_BYTES);
    for (const w of words) add(table, w, 2);
    expect(table.size).toBe(words.length);
    for (let i = 0; i < table.size; i++) {
      const key = table.keyBytes(i);
      expect(table.keyLength(i)).toBe(key.length);
      const out = new Uint8Array(key.length + 10).fill(0xee);
      expect(table.copyKey(i, out, 5)).toBe(5 + key.length);
      expect(Array.from(out.subarray(5, 5 + key.length))).toEqual(Array.from(key));
      expect(new TextDecoder().decode(out.subarray(5, 5 + key.length))).toBe(words[i]!.toLowerCase());
      // Nothing written outside the key's place.
      expect(out.subarray(0, 5).every((b) => b === 0xee)).toBe(true);
      expect(out.subarray(5 + key.length).every((b) => b === 0xee)).toBe(true);
    }
  });

  it('copyKey of every key one after another fills the buffer exactly', () => {
    const table = new KeyTable(WORD_BYTES);
    for (const w of words) add(table, w);
    let total = 0;
    for (let i = 0; i < table.size; i++) total += table.keyLength(i);
    const out = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < table.size; i++) at = table.copyKey(i, out, at);
    expect(at).toBe(total);
    expect(new TextDecoder().decode(out)).toBe(words.join('').toLowerCase());
  });
});
