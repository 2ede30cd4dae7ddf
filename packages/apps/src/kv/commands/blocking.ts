/**
 * What blocking commands (BLPOP, BRPOP, BLMOVE, BZPOPMIN ...) share: their
 * timeout argument, and the request they park a client with (see
 * `CommandContext.block`).
 * @module
 */
import { latin1 } from '../core/bytes.js';
import type { CommandContext } from './context.js';

/** A client parked by a blocking command (see `CommandContext.block`). */
export interface BlockRequest {
  /** Keys whose change wakes it (a write command that logs touches its keys). */
  readonly keys: readonly string[];
  /** When it gives up, in ms since the epoch; 0: never. */
  readonly deadline: number;
  /**
   * Tries the command again: true when it has written its reply (and logged its effect), false to keep waiting.
   * `key` is the written key that woke it, when known: Redis serves a client from that key first.
   */
  retry(ctx: CommandContext, key?: string): boolean;
  /** Writes the reply for a timeout (null array or null bulk, as the command's). */
  timedOut(ctx: CommandContext): void;
}

/**
 * The deadline (ms since the epoch, 0 for none) of a timeout argument in
 * seconds (a double, as Redis 6+ takes it); undefined after writing Redis'
 * error for a bad one.
 */
export function parseTimeout(arg: Uint8Array, ctx: CommandContext): number | undefined {
  const s = latin1(arg);
  const seconds = /^\s*$/.test(s) ? NaN : Number(s);
  if (!Number.isFinite(seconds)) {
    ctx.out.error('ERR timeout is not a float or out of range');
    return undefined;
  }
  if (seconds < 0) {
    ctx.out.error('ERR timeout is negative');
    return undefined;
  }
  const ms = Math.ceil(seconds * 1000);
  if (ms === 0) return 0;
  return ctx.keys.now() + ms;
}
