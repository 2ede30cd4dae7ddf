/**
 * Running a command whose arguments were checked (by dispatch, or when
 * MULTI queued it): what must happen around its implementation.
 * @module
 */
import type { CommandContext, CommandSpec } from './context.js';

/** Runs `spec` on `args` (checked already). */
export function execute(spec: CommandSpec, args: Uint8Array[], ctx: CommandContext): void {
  // FLUSHALL/FLUSHDB touch the watched keys that are stored before they go (Redis' touchAllWatchedKeysInDb).
  if (ctx.hub.watched.size > 0 && (spec.name === 'flushall' || spec.name === 'flushdb'))
    ctx.hub.watched.touchAll(ctx.keys);
  spec.run(args, ctx);
}
