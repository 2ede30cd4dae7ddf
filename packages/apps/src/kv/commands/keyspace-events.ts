/**
 * Keyspace events (Redis' notify.c): the notify-keyspace-events flags, and
 * publishing an event on `__keyspace@0__:<key>` and `__keyevent@0__:<event>`.
 * @module
 */
import type { Channels, WriterFor } from './channels.js';

const KEYSPACE = 1 << 0;
const KEYEVENT = 1 << 1;
// Class letters to bits (notify.c keyspaceEventsStringToFlags); 'A' is every class but 'm' and 'n'.
const CLASSES: Record<string, number> = {
  g: 1 << 2,
  $: 1 << 3,
  l: 1 << 4,
  s: 1 << 5,
  h: 1 << 6,
  z: 1 << 7,
  x: 1 << 8,
  e: 1 << 9,
  t: 1 << 10,
  m: 1 << 11,
  d: 1 << 13,
  n: 1 << 14,
};
const ALL = 'g$lshzxetd'.split('').reduce((a, c) => a | CLASSES[c]!, 0);

/** The bits of a notify-keyspace-events string; undefined when it holds an unknown letter. */
export function parseEventFlags(classes: string): number | undefined {
  let flags = 0;
  for (const c of classes) {
    if (c === 'A') flags |= ALL;
    else if (c === 'K') flags |= KEYSPACE;
    else if (c === 'E') flags |= KEYEVENT;
    else {
      const bit = CLASSES[c];
      if (bit === undefined) return undefined;
      flags |= bit;
    }
  }
  return flags;
}

/** Publishes keyspace events by the configured flags (parsed once per change of the string). */
export class KeyspaceEvents {
  #raw = '';
  #flags = 0;

  /** Publishes event `event` of class `type` on `key` if the flags `raw` ask for it. */
  notify(raw: string, type: string, event: string, key: string, channels: Channels, writerFor: WriterFor): void {
    if (raw === '') return;
    if (raw !== this.#raw) {
      this.#raw = raw;
      this.#flags = parseEventFlags(raw) ?? 0;
    }
    const flags = this.#flags;
    const bit = CLASSES[type];
    if (bit === undefined || (flags & bit) === 0) return;
    if ((flags & KEYSPACE) !== 0) channels.publish(`__keyspace@0__:${key}`, event, writerFor);
    if ((flags & KEYEVENT) !== 0) channels.publish(`__keyevent@0__:${event}`, key, writerFor);
  }
}
