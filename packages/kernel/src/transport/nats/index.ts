/**
 * `@dios/kernel/nats`: the NATS transport, an entry point of its own so that
 * `@dios/kernel` does not depend on a NATS client.
 * @module
 */
export { connectNats, NatsTransport, type NatsTransportOptions } from './nats-transport.js';
export { decodeFrame, encodeFrame, MalformedFrameError } from './codec.js';
