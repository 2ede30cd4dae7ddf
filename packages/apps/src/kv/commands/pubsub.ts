/**
 * Publish/subscribe commands (SUBSCRIBE, PUBLISH ...).
 * @module
 */
import type { CommandSpec } from './context.js';

/** The pubsub commands, as entries of the command table. */
export const PUBSUB_COMMANDS: readonly CommandSpec[] = [];
