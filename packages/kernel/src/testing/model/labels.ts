/**
 * Task labels as far as the model goes: it has no tags, so a task reads an
 * empty label from its own task object and may only write an empty change.
 * @module
 */

/** What a task reads from its own task object when it has no tags. */
export const OWN_LABEL_BYTES = [...new TextEncoder().encode(JSON.stringify({ secrecy: [], integrity: [] }))];

/** Whether `bytes` are a label change that changes nothing: a JSON object whose keys are known and lists empty. */
export function isEmptyLabelChange(bytes: number[]): boolean {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes)));
  } catch {
    return false;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const known = ['addSecrecy', 'removeSecrecy', 'addIntegrity', 'removeIntegrity'];
  return Object.entries(v).every(([k, list]) => known.includes(k) && Array.isArray(list) && list.length === 0);
}
