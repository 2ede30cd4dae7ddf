/**
 * The NATS subjects of a cluster. Every subject a node publishes on carries
 * the sender's id as a token, so a server given {@link natsPermissions} for
 * each node's user refuses a node that publishes as another, and a receiver
 * can check the envelope's sender against the subject:
 *
 * | subject | published by | carries |
 * |---------|--------------|---------|
 * | `dios.<cluster>.node.<to>.<from>` | `from` | a request to `to` |
 * | `dios.<cluster>.reply.<to>.<from>.<token>` | `from` | the reply to `to`'s request `token` |
 * | `dios.<cluster>.alive.<from>` | `from` | a heartbeat or goodbye |
 *
 * A node subscribes to `node.<self>.*`, `reply.<self>.>` and `alive.*`.
 * @module
 */
import { errors } from '../../core/abi/errors.js';

/** Node ids and cluster names: one subject token, so no `.`, `*`, `>` or spaces. */
export const SUBJECT_TOKEN = /^[A-Za-z0-9_-]+$/;

/** The nats-server `permissions` block of one node's user (see {@link natsPermissions}). */
export interface NatsPermissions {
  /** Subjects the node may publish on. */
  publish: {
    /** Allowed subjects (with NATS wildcards). */
    allow: string[];
  };
  /** Subjects the node may subscribe to. */
  subscribe: {
    /** Allowed subjects (with NATS wildcards). */
    allow: string[];
  };
}

/** The subjects of one node of one cluster. */
export class Subjects {
  readonly #base: string;

  /** `cluster` and `id` must match {@link SUBJECT_TOKEN}. */
  constructor(
    readonly cluster: string,
    readonly id: string,
  ) {
    this.#base = `dios.${cluster}`;
  }

  /** Where this node sends a request to `to`. */
  request(to: string): string {
    return `${this.#base}.node.${to}.${this.id}`;
  }

  /** What this node subscribes to for its requests. */
  get requests(): string {
    return `${this.#base}.node.${this.id}.*`;
  }

  /** The reply subject of this node's request `token` to `to`: only `to` may publish there. */
  replyTo(to: string, token: string): string {
    return `${this.#base}.reply.${this.id}.${to}.${token}`;
  }

  /** What this node subscribes to for its replies. */
  get replies(): string {
    return `${this.#base}.reply.${this.id}.>`;
  }

  /** Where this node's heartbeats go. */
  get alive(): string {
    return `${this.#base}.alive.${this.id}`;
  }

  /** What this node subscribes to for everyone's heartbeats. */
  get allAlive(): string {
    return `${this.#base}.alive.*`;
  }

  /** The sender token of a request subject this node received (undefined: not one of its request subjects). */
  requestSender(subject: string): string | undefined {
    return lastToken(subject, `${this.#base}.node.${this.id}.`);
  }

  /** The sender token of a heartbeat subject. */
  heartbeatSender(subject: string): string | undefined {
    return lastToken(subject, `${this.#base}.alive.`);
  }

  /** The responder and token of a reply subject this node received. */
  replySender(subject: string): { from: string; token: string } | undefined {
    const prefix = `${this.#base}.reply.${this.id}.`;
    if (!subject.startsWith(prefix)) return undefined;
    const [from, token, ...rest] = subject.slice(prefix.length).split('.');
    if (
      from === undefined ||
      token === undefined ||
      rest.length > 0 ||
      !SUBJECT_TOKEN.test(from) ||
      !SUBJECT_TOKEN.test(token)
    )
      return undefined;
    return { from, token };
  }

  /** Whether `reply` is a reply subject `from` may give for a request to this node. */
  isReplyOf(reply: string, from: string): boolean {
    const prefix = `${this.#base}.reply.${from}.${this.id}.`;
    return reply.startsWith(prefix) && SUBJECT_TOKEN.test(reply.slice(prefix.length));
  }
}

function lastToken(subject: string, prefix: string): string | undefined {
  if (!subject.startsWith(prefix)) return undefined;
  const token = subject.slice(prefix.length);
  return SUBJECT_TOKEN.test(token) ? token : undefined;
}

/**
 * The `permissions` a nats-server should give the user of node `id` in
 * `cluster`: it may publish requests, replies and heartbeats only under its
 * own id, and subscribe only to its own requests and replies and to the
 * heartbeats. With one user per node so restricted, the server refuses a
 * node that tries to pass itself off as another.
 *
 * ```ts
 * const users = ids.map((id) => ({ nkey: publicKeyOf[id], permissions: natsPermissions('prod', id) }));
 * writeFileSync('nats.conf', `authorization: ${JSON.stringify({ users })}\n`);
 * ```
 */
export function natsPermissions(cluster: string, id: string): NatsPermissions {
  if (typeof cluster !== 'string' || !SUBJECT_TOKEN.test(cluster))
    throw errors.EINVAL(
      'natsPermissions',
      'cluster',
      'a cluster name is a non-empty string of letters, digits, - and _',
    );
  if (typeof id !== 'string' || !SUBJECT_TOKEN.test(id))
    throw errors.EINVAL('natsPermissions', 'id', 'a node id is a non-empty string of letters, digits, - and _');
  const s = new Subjects(cluster, id);
  return {
    publish: { allow: [`dios.${cluster}.node.*.${id}`, `dios.${cluster}.reply.*.${id}.*`, s.alive] },
    subscribe: { allow: [s.requests, s.replies, s.allAlive] },
  };
}
