/**
 * `@dios/kernel/nats`: the NATS transport, an entry point of its own so that
 * `@dios/kernel` does not depend on a NATS client. (Its frame codec, which
 * only tests need, is in `@dios/kernel/testing`.)
 * @module @dios/kernel/nats
 */
export { connectNats, type NatsTransportOptions } from './connect.js';
export { NatsTransport, type NatsDrops } from './nats-transport.js';
export { natsPermissions, type NatsPermissions } from './subjects.js';
