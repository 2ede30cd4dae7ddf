/**
 * Information-flow control in libd style (docs/ifc.md): make tags, read and
 * change the task's own label, hand a tag's capabilities on attenuated, and
 * create labelled objects. Everything goes through the system calls.
 * @module
 */
export { createTag, type Tag } from './tag.js';
export { changeLabel, declassify, dropIntegrity, endorse, raiseSecrecy, readLabel } from './own-label.js';
export { giveTag, type TagCapability } from './give-tag.js';
export { createLabelled } from './labelled.js';
