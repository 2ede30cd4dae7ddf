/**
 * Pub/sub subscriptions: which clients listen on which channels and
 * patterns, and the delivery of a published message (Redis' pubsub.c).
 * @module
 */
import type { ClientState } from './context.js';
import { globMatch } from '../core/glob.js';
import type { RespWriter } from '../core/resp-writer.js';

/** Where a message for `client` is written (its reply buffer or its pending pushes). */
export type WriterFor = (client: ClientState) => RespWriter;

/** The server's subscriptions (see the module comment). */
export class Channels {
  readonly #channels = new Map<string, Set<ClientState>>();
  readonly #patterns = new Map<string, Set<ClientState>>();

  /** Channels with at least one subscriber. */
  channelNames(): IterableIterator<string> {
    return this.#channels.keys();
  }

  /** Subscribers of `channel` (not counting patterns). */
  subscribers(channel: string): number {
    return this.#channels.get(channel)?.size ?? 0;
  }

  /** Channels with at least one subscriber (INFO's pubsub_channels). */
  get channelCount(): number {
    return this.#channels.size;
  }

  /** Patterns with at least one subscriber. */
  get patternCount(): number {
    return this.#patterns.size;
  }

  /** Subscribes `client` to `channel`; false if it was already. */
  subscribe(client: ClientState, channel: string): boolean {
    const mine = (client.channels ??= new Set());
    if (mine.has(channel)) return false;
    mine.add(channel);
    add(this.#channels, channel, client);
    return true;
  }

  /** Unsubscribes `client` from `channel`; false if it was not subscribed. */
  unsubscribe(client: ClientState, channel: string): boolean {
    if (client.channels?.delete(channel) !== true) return false;
    remove(this.#channels, channel, client);
    return true;
  }

  /** Subscribes `client` to `pattern`; false if it was already. */
  psubscribe(client: ClientState, pattern: string): boolean {
    const mine = (client.patterns ??= new Set());
    if (mine.has(pattern)) return false;
    mine.add(pattern);
    add(this.#patterns, pattern, client);
    return true;
  }

  /** Unsubscribes `client` from `pattern`; false if it was not subscribed. */
  punsubscribe(client: ClientState, pattern: string): boolean {
    if (client.patterns?.delete(pattern) !== true) return false;
    remove(this.#patterns, pattern, client);
    return true;
  }

  /** Drops every subscription of `client` (it left, or RESET). */
  forget(client: ClientState): void {
    if (client.channels !== undefined) for (const c of [...client.channels]) this.unsubscribe(client, c);
    if (client.patterns !== undefined) for (const p of [...client.patterns]) this.punsubscribe(client, p);
  }

  /** Sends `message` on `channel` to its subscribers and to matching patterns'; how many received it. */
  publish(channel: string, message: Uint8Array | string, writerFor: WriterFor): number {
    let receivers = 0;
    const direct = this.#channels.get(channel);
    if (direct !== undefined)
      for (const client of direct) {
        const w = writerFor(client);
        w.pushHeader(3);
        w.bulkText('message');
        w.bulkText(channel);
        text(w, message);
        receivers++;
      }
    if (this.#patterns.size === 0) return receivers;
    for (const [pattern, clients] of this.#patterns) {
      if (!globMatch(pattern, channel)) continue;
      for (const client of clients) {
        const w = writerFor(client);
        w.pushHeader(4);
        w.bulkText('pmessage');
        w.bulkText(pattern);
        w.bulkText(channel);
        text(w, message);
        receivers++;
      }
    }
    return receivers;
  }
}

function text(w: RespWriter, message: Uint8Array | string): void {
  if (typeof message === 'string') w.bulkText(message);
  else w.bulk(message);
}

function add(map: Map<string, Set<ClientState>>, name: string, client: ClientState): void {
  let set = map.get(name);
  if (set === undefined) map.set(name, (set = new Set()));
  set.add(client);
}

function remove(map: Map<string, Set<ClientState>>, name: string, client: ClientState): void {
  const set = map.get(name);
  if (set === undefined) return;
  set.delete(client);
  if (set.size === 0) map.delete(name);
}
