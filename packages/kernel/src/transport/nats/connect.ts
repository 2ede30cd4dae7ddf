/**
 * {@link connectNats}: checks the options, logs in to the NATS server (user
 * and password, token or NKey) and makes the node's {@link NatsTransport}.
 * @module
 */
import type { NatsConnection, nkeyAuthenticator } from '@nats-io/transport-node';
import { errors } from '../../core/abi/errors.js';
import { loadNatsClient, natsClient } from './nats-client.js';
import { NatsTransport } from './nats-transport.js';
import { SUBJECT_TOKEN } from './subjects.js';

/** Options of {@link connectNats}. */
export interface NatsTransportOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** This node's id (the kernel id): letters, digits, `-` and `_` (one subject token). */
  id: string;
  /** Cluster name, which scopes every subject (same characters as `id`). */
  cluster: string;
  /** User name, with {@link NatsTransportOptions.pass}, for a server that requires them. */
  user?: string;
  /** Password for {@link NatsTransportOptions.user}. */
  pass?: string;
  /** Token, for a server started with one. */
  token?: string;
  /** NKey user seed (the text `SU...`), for a server that lists the user's public key; instead of user/pass or token. */
  seed?: string;
  /**
   * How long a request that does not wait for anything at the peer may take
   * before it fails with EHOSTDOWN (default 5000 ms). A `watch` gets its own
   * limit plus this; a blocking `begin-read`/`begin-write` has no limit, since
   * it waits at the peer as long as a local one would, and fails only when
   * the peer stops (see {@link NatsTransportOptions.deadMs}).
   */
  requestTimeoutMs?: number;
  /** Period of this node's heartbeats (default 1000 ms); also how often it tries to reconnect when cut off. */
  heartbeatMs?: number;
  /** A node whose last heartbeat is older than this is gone (default 3000 ms; more than heartbeatMs). */
  deadMs?: number;
  /**
   * Most peers tracked as alive at once (default 1024): a heartbeat from a
   * node not tracked yet is ignored (and counted in `dropped.peers`) beyond
   * that, so forged heartbeats cannot make a node track (and ask, at every
   * lookup) thousands of peers.
   */
  maxPeers?: number;
  /** Most bytes held for one sender's frames being put back together from parts (default 128 MiB); also the largest frame taken in parts. */
  assemblyBytesPerSender?: number;
  /** Most bytes held for frames being put back together from parts, all senders together (default 512 MiB). */
  assemblyBytes?: number;
}

/**
 * Connects to a NATS server and returns the transport of node `options.id`.
 * Fails with EINVAL for bad options (naming the option; a seed is never
 * shown), EACCES if the server refuses the credentials, ECONNREFUSED if it
 * cannot be reached, EEXIST naming `id` if a live node of the cluster has
 * that id already (it is checked before the node is heard: see "Unique ids"
 * in docs/cluster.md), ENOTSUP naming the package to install when the NATS
 * client (`@nats-io/transport-node`, an optional peer dependency) is missing. Once connected, the node rides out losing the server:
 * it reconnects every heartbeatMs for as long as it takes (see
 * {@link NatsTransport}).
 */
export async function connectNats(options: NatsTransportOptions): Promise<NatsTransport> {
  const where = 'connectNats';
  if (typeof options !== 'object' || options === null)
    throw errors.EINVAL(where, 'options', 'options must be an object');
  if (typeof options.id !== 'string' || !SUBJECT_TOKEN.test(options.id))
    throw errors.EINVAL(where, 'id', 'a node id is a non-empty string of letters, digits, - and _');
  if (typeof options.cluster !== 'string' || !SUBJECT_TOKEN.test(options.cluster))
    throw errors.EINVAL(where, 'cluster', 'a cluster name is a non-empty string of letters, digits, - and _');
  const requestTimeoutMs = positive(options.requestTimeoutMs ?? 5000, 'requestTimeoutMs');
  const heartbeatMs = positive(options.heartbeatMs ?? 1000, 'heartbeatMs');
  const deadMs = positive(options.deadMs ?? 3000, 'deadMs');
  if (deadMs <= heartbeatMs)
    throw errors.EINVAL(where, 'deadMs', `deadMs (${deadMs}) must exceed heartbeatMs (${heartbeatMs})`);
  const maxPeers = count(options.maxPeers, 'maxPeers');
  const bytesPerSender = count(options.assemblyBytesPerSender, 'assemblyBytesPerSender');
  const bytes = count(options.assemblyBytes, 'assemblyBytes');
  const { connect } = await loadNatsClient(where);
  const credentials = credentialsOf(options);
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.servers,
      name: `dios-${options.cluster}-${options.id}`,
      ...credentials,
      // A node cut off keeps trying: when the network heals it is back (see NatsTransport).
      maxReconnectAttempts: -1,
      reconnectTimeWait: heartbeatMs,
      reconnectJitter: Math.min(100, heartbeatMs / 4),
      // A silently dead TCP path is noticed within about two deadlines, not the client's default minutes.
      pingInterval: Math.max(deadMs, 1000),
      maxPingOut: 2,
    });
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    if (/authori[sz]ation|auth/i.test(text))
      throw errors.EACCES(where, 'options', `the NATS server refused the credentials: ${text}`);
    throw errors.ECONNREFUSED(where, 'servers', `cannot connect to NATS: ${text}`);
  }
  const transport = new NatsTransport(nc, {
    id: options.id,
    cluster: options.cluster,
    requestTimeoutMs,
    heartbeatMs,
    deadMs,
    ...(maxPeers !== undefined && { maxPeers }),
    assembly: { ...(bytesPerSender !== undefined && { bytesPerSender }), ...(bytes !== undefined && { bytes }) },
    claim: true,
  });
  await refusedCheck();
  try {
    await transport.claimId();
  } catch (e) {
    await transport.close();
    throw e;
  }
  await refusedCheck();
  return transport;

  // The server answers a subscription it refuses before the flush's PONG: a user bound to another node's
  // subjects (natsPermissions) is found out here, not by requests that never arrive.
  async function refusedCheck(): Promise<void> {
    try {
      await nc.flush();
    } catch {
      // Lost already: the transport deals with that like any later loss.
    }
    if (transport.refused !== undefined) {
      const why = transport.refused.message;
      await transport.close();
      throw errors.EACCES(
        where,
        'id',
        `the NATS server does not let this user act as node "${options.id}" of cluster "${options.cluster}": ${why}`,
      );
    }
  }

  function count(n: number | undefined, name: string): number | undefined {
    if (n !== undefined && (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1))
      throw errors.EINVAL(where, name, `${name} must be a positive integer`);
    return n;
  }

  function positive(n: number, name: string): number {
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0)
      throw errors.EINVAL(where, name, `${name} must be a positive number of milliseconds`);
    return n;
  }
}

/** The client options for the credentials given; EINVAL for a malformed seed or one combined with other credentials. */
function credentialsOf(options: NatsTransportOptions): {
  user?: string;
  pass?: string;
  token?: string;
  authenticator?: ReturnType<typeof nkeyAuthenticator>;
} {
  const where = 'connectNats';
  if (options.seed === undefined) {
    return {
      ...(options.user !== undefined ? { user: options.user } : {}),
      ...(options.pass !== undefined ? { pass: options.pass } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
    };
  }
  if (options.user !== undefined || options.pass !== undefined || options.token !== undefined)
    throw errors.EINVAL(where, 'seed', 'give either an NKey seed or user/pass or a token, not several');
  // The seed itself never appears in an error: it is the node's secret.
  if (typeof options.seed !== 'string') throw errors.EINVAL(where, 'seed', 'an NKey seed is a string');
  const { nkeys, nkeyAuthenticator } = natsClient(where);
  const seed = new TextEncoder().encode(options.seed.trim());
  let publicKey: string;
  try {
    publicKey = nkeys.fromSeed(seed).getPublicKey();
  } catch {
    throw errors.EINVAL(where, 'seed', 'not a valid NKey seed');
  }
  if (!publicKey.startsWith('U'))
    throw errors.EINVAL(where, 'seed', 'not an NKey user seed (a user seed starts with "SU")');
  return { authenticator: nkeyAuthenticator(seed) };
}
