/**
 * Hash commands (HSET, HGET ...).
 * @module
 */
import type { CommandSpec } from './context.js';

/** The hashes commands, as entries of the command table. */
export const HASH_COMMANDS: readonly CommandSpec[] = [];
