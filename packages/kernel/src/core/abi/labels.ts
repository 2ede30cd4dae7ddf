/**
 * The information-flow part of the interface (docs/ifc.md): how a task
 * names a label at create, how it asks to change its own label (a write to
 * its own task object), and what reading its own task object tells it.
 * Labels stay out of the eleven calls' signatures: they ride on create's
 * options and on the bytes of the task object.
 * @module
 */

/** A label as create's `options.label` takes it: handles of tag references (any rights). */
export interface LabelSpec {
  /** Secrecy tags: who may learn the object's contents. */
  secrecy?: readonly number[];
  /** Integrity tags: who vouches for the object's contents. */
  integrity?: readonly number[];
}

/**
 * A change of the task's own label: the JSON a task writes to its own task
 * object (begin_write on its self handle, then end_write). Each entry is
 * the handle of a tag reference carrying the capability the change needs:
 * {@link Rights.ADD} to add the tag, {@link Rights.REMOVE} to remove it.
 * The change is applied whole at end_write, or not at all.
 */
export interface LabelChange {
  /** Tags to add to the task's secrecy set (raise: it may then read more, write less). */
  addSecrecy?: readonly number[];
  /** Tags to remove from the secrecy set (declassify). */
  removeSecrecy?: readonly number[];
  /** Tags to add to the integrity set (endorse). */
  addIntegrity?: readonly number[];
  /** Tags to remove from the integrity set (it may then read less trusted data). */
  removeIntegrity?: readonly number[];
}

/** The keys a {@link LabelChange} may have. */
export const LABEL_CHANGE_KEYS: readonly (keyof LabelChange)[] = Object.freeze([
  'addSecrecy',
  'removeSecrecy',
  'addIntegrity',
  'removeIntegrity',
]);

/** A label as a task reads it from its own task object: tag names (hex keys), sorted. */
export interface LabelView {
  /** Secrecy tags. */
  readonly secrecy: readonly string[];
  /** Integrity tags. */
  readonly integrity: readonly string[];
}

/** Most tags one label may hold in each set (a bound on the cost of a check). */
export const MAX_LABEL_TAGS = 64;
