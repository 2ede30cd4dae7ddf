/**
 * Set commands (SADD, SMEMBERS ...).
 * @module
 */
import type { CommandSpec } from './context.js';

/** The sets commands, as entries of the command table. */
export const SET_COMMANDS: readonly CommandSpec[] = [];
