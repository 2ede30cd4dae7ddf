/**
 * Sorted set commands (ZADD, ZRANGE ...).
 * @module
 */
import type { CommandSpec } from './context.js';

/** The zsets commands, as entries of the command table. */
export const ZSET_COMMANDS: readonly CommandSpec[] = [];
