/**
 * Transaction commands (MULTI, EXEC, DISCARD, WATCH).
 * @module
 */
import type { CommandSpec } from './context.js';

/** The transactions commands, as entries of the command table. */
export const TRANSACTION_COMMANDS: readonly CommandSpec[] = [];
