/**
 * DUMP and RESTORE. The payload is this server's own (not Redis' RDB
 * format), laid out like Redis': the value (here the key's entry in the
 * snapshot format, snapshot.ts), then a 10-byte trailer as Redis' (a
 * 2-byte version, 10 as Redis 7.0's RDB, and 8 bytes of check: the body's
 * 32-bit FNV-1a and its length), so a damaged payload is refused as Redis
 * refuses one whose CRC is wrong.
 * @module
 */
import { isWord, latin1, parseInteger } from '../core/bytes.js';
import { Keyspace } from '../core/keyspace.js';
import { decodeKeys, encodeKeys } from '../core/snapshot.js';
import { NOT_AN_INTEGER, SYNTAX_ERROR, type CommandContext, type CommandSpec } from './context.js';

// Header of a DUMP payload's snapshot ("DMP1").
const DUMP_MAGIC = 0x31504d44;
// The trailer's version (Redis 7.0's RDB_VERSION) and size.
const VERSION = 10;
const TRAILER = 10;
// A key name for the value inside the payload (the payload does not depend on the key).
const SLOT = '';

function fnv1a(bytes: Uint8Array, end: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function dump(args: Uint8Array[], ctx: CommandContext): void {
  const e = ctx.keys.get(latin1(args[1]!));
  if (e === undefined) return ctx.out.bulk(null);
  const one = new Keyspace();
  one.set(SLOT, e.value);
  const body = encodeKeys(one, 0, DUMP_MAGIC);
  const payload = new Uint8Array(body.length + TRAILER);
  payload.set(body);
  const v = new DataView(payload.buffer);
  v.setUint16(body.length, VERSION, true);
  v.setUint32(body.length + 2, fnv1a(body, body.length), true);
  v.setUint32(body.length + 6, body.length, true);
  ctx.out.bulk(payload);
}

function restore(args: Uint8Array[], ctx: CommandContext): void {
  let replace = false;
  let absttl = false;
  let idle = false;
  let freq = false;
  for (let j = 4; j < args.length; j++) {
    const a = args[j]!;
    const more = j + 1 < args.length;
    if (isWord(a, 'REPLACE')) replace = true;
    else if (isWord(a, 'ABSTTL')) absttl = true;
    else if (isWord(a, 'IDLETIME') && more && !freq) {
      const n = parseInteger(args[++j]!);
      if (n === undefined) return ctx.out.error(NOT_AN_INTEGER);
      if (n < 0n) return ctx.out.error('ERR Invalid IDLETIME value, must be >= 0');
      idle = true;
    } else if (isWord(a, 'FREQ') && more && !idle) {
      const n = parseInteger(args[++j]!);
      if (n === undefined) return ctx.out.error(NOT_AN_INTEGER);
      if (n < 0n || n > 255n) return ctx.out.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = true;
    } else return ctx.out.error(SYNTAX_ERROR);
  }
  const key = latin1(args[1]!);
  if (!replace && ctx.keys.get(key) !== undefined) return ctx.out.error('BUSYKEY Target key name already exists.');
  const t = parseInteger(args[2]!);
  if (t === undefined) return ctx.out.error(NOT_AN_INTEGER);
  if (t < 0n) return ctx.out.error('ERR Invalid TTL value, must be >= 0');
  const payload = args[3]!;
  const n = payload.length - TRAILER;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (
    n < 0 ||
    view.getUint16(n, true) !== VERSION ||
    view.getUint32(n + 2, true) !== fnv1a(payload, n) ||
    view.getUint32(n + 6, true) !== n
  )
    return ctx.out.error('ERR DUMP payload version or checksum are wrong');
  const one = new Keyspace();
  try {
    decodeKeys(payload.subarray(0, n), one, DUMP_MAGIC, ctx.server.config);
  } catch {
    return ctx.out.error('ERR Bad data format');
  }
  const value = one.get(SLOT)?.value;
  if (value === undefined) return ctx.out.error('ERR Bad data format');
  const deleted = replace && ctx.keys.delete(key);
  let ttl = Number(t);
  if (ttl !== 0 && !absttl) ttl += ctx.keys.now();
  if (ttl !== 0 && ttl <= ctx.keys.now()) {
    if (deleted) {
      ctx.log(['DEL', args[1]!]);
      ctx.notify('g', 'del', key);
    }
    return ctx.out.simple('OK');
  }
  ctx.keys.set(key, value, ttl);
  // Replayed later, a relative TTL would mean another time: log the absolute one.
  ctx.log(ttl !== 0 && !absttl ? [...args.slice(0, 2), String(ttl), ...args.slice(3), 'ABSTTL'] : args);
  ctx.notify('g', 'restore', key);
  ctx.out.simple('OK');
}

/** DUMP and RESTORE. */
export const DUMP_COMMANDS: readonly CommandSpec[] = [
  { name: 'dump', arity: 2, keys: [1, 1, 1], run: dump },
  { name: 'restore', arity: -4, keys: [1, 1, 1], values: (i) => i === 3, run: restore },
];
