/**
 * Administration commands (CONFIG, DEBUG, OBJECT, FUNCTION, HELLO ...).
 * @module
 */
import type { CommandSpec } from './context.js';

/** The admin commands, as entries of the command table. */
export const ADMIN_COMMANDS: readonly CommandSpec[] = [];
