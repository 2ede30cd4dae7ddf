/**
 * Single-bit string commands: SETBIT and GETBIT, as Redis 7.0's bitops.c
 * (bit 0 is the most significant bit of the first byte).
 * @module
 */
import { latin1, parseInteger } from '../core/bytes.js';
import { markRawString } from './admin-object.js';
import { WRONGTYPE, type CommandContext, type CommandSpec } from './context.js';

// The bit offset argument (below proto-max-bulk-len bytes), or undefined after Redis' error.
function bitOffset(arg: Uint8Array, ctx: CommandContext): number | undefined {
  const n = parseInteger(arg);
  if (n === undefined || n < 0n || n >> 3n >= BigInt(ctx.server.limits.maxBulkBytes)) {
    ctx.out.error('ERR bit offset is not an integer or out of range');
    return undefined;
  }
  return Number(n);
}

function setbit(args: Uint8Array[], ctx: CommandContext): void {
  const offset = bitOffset(args[2]!, ctx);
  if (offset === undefined) return;
  const on = parseInteger(args[3]!);
  if (on !== 0n && on !== 1n) return ctx.out.error('ERR bit is not an integer or out of range');
  const key = latin1(args[1]!);
  const e = ctx.keys.get(key);
  if (e !== undefined && !(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  const old = e?.value as Uint8Array | undefined;
  const byte = offset >> 3;
  const mask = 1 << (7 - (offset & 7));
  const was = old !== undefined && byte < old.length && (old[byte]! & mask) !== 0 ? 1 : 0;
  const grows = old === undefined || byte >= old.length;
  if (grows || was !== Number(on)) {
    // A new array: the stored one may still be read elsewhere (a reply or snapshot in progress).
    const next = new Uint8Array(Math.max(old?.length ?? 0, byte + 1));
    if (old !== undefined) next.set(old);
    next[byte] = on === 1n ? next[byte]! | mask : next[byte]! & ~mask;
    markRawString(next);
    ctx.keys.set(key, next, e?.expiresAt ?? 0);
    ctx.log(['SETBIT', args[1]!, args[2]!, args[3]!]);
    ctx.notify('$', 'setbit', key);
  } else markRawString(old);
  ctx.out.integer(was);
}

function getbit(args: Uint8Array[], ctx: CommandContext): void {
  const offset = bitOffset(args[2]!, ctx);
  if (offset === undefined) return;
  const e = ctx.keys.get(latin1(args[1]!));
  if (e === undefined) return ctx.out.integer(0);
  if (!(e.value instanceof Uint8Array)) return ctx.out.error(WRONGTYPE);
  const byte = offset >> 3;
  const v = e.value;
  ctx.out.integer(byte < v.length && (v[byte]! & (1 << (7 - (offset & 7)))) !== 0 ? 1 : 0);
}

/** SETBIT and GETBIT. */
export const BIT_COMMANDS: readonly CommandSpec[] = [
  { name: 'setbit', arity: 4, keys: [1, 1, 1], run: setbit },
  { name: 'getbit', arity: 3, keys: [1, 1, 1], run: getbit },
];
