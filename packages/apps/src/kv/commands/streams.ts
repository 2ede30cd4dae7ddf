/**
 * Stream commands (XADD, XRANGE, XREAD, XGROUP ...).
 * @module
 */
import type { CommandSpec } from './context.js';

/** The stream commands, as entries of the command table. */
export const STREAM_COMMANDS: readonly CommandSpec[] = [];
