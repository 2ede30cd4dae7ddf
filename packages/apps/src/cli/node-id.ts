/**
 * A node's id when `dios node start` is given no `--id`: the one kept in its
 * data directory, so a node restarted on the same data is the same node
 * (its durable blobs are where the cluster expects them), or else a new
 * `node-` and a time-ordered (v7) UUID, unique without any coordination,
 * written there for next time.
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { InputError } from './wordcount-command.js';

/** The file in a node's data directory that keeps its id. */
export const NODE_ID_FILE = 'node-id';

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** The id `dios node start` runs as: `given`, else the one kept in `data`, else a new one (kept in `data` if given). */
export function nodeId(given: string | undefined, data: string | undefined): string {
  if (given !== undefined) return given;
  if (data === undefined) return `node-${uuidv7()}`;
  const file = join(data, NODE_ID_FILE);
  let kept: string | undefined;
  try {
    kept = readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'ENOENT') throw e;
  }
  if (kept !== undefined) {
    if (!TOKEN.test(kept)) throw new InputError(`'${file}' does not hold a node id (letters, digits, - and _)`);
    return kept;
  }
  const id = `node-${uuidv7()}`;
  mkdirSync(data, { recursive: true });
  writeFileSync(file, id + '\n');
  return id;
}
