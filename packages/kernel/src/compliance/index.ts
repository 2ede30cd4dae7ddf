/**
 * `@dios/kernel/compliance`: the compliance suites a kernel-to-kernel
 * transport runs, published the way js-libp2p publishes its
 * interface-compliance tests. Each suite is a function that declares vitest
 * `describe`/`it` blocks; the transport's author calls it from a test file
 * with a setup object that makes fresh transports (or a fresh cluster of
 * kernels joined over them) for each case. Loopback and NATS run both.
 *
 * - {@link transportCompliance}: the `Transport` contract alone
 *   (delivery, copies of bytes, errors, peers, take-down and close).
 * - {@link clusterCompliance}: what kernels joined over the transport do for
 *   their tasks (lookup, remote I/O, streams, select, copy, remote run,
 *   pause, a node going down).
 *
 * vitest is an optional peer dependency of `@dios/kernel`: only this entry
 * needs it.
 *
 * @example
 * ```ts
 * // my-transport.test.ts, run by vitest
 * import { transportCompliance } from '@dios/kernel/compliance';
 * import { MyNetwork } from './my-transport.js';
 *
 * transportCompliance({
 *   name: 'my transport',
 *   async setup(count) {
 *     const net = await MyNetwork.start();
 *     const transports = Array.from({ length: count }, (_, i) => net.connect(`node-${i}`));
 *     return { transports, takeDown: (id) => net.cut(id), teardown: () => net.stop() };
 *   },
 * });
 * ```
 * @module @dios/kernel/compliance
 */
export { transportCompliance, type TransportNetwork, type TransportTestSetup } from './transport-suite.js';
export { clusterCompliance } from './cluster-suite.js';
export type { ClusterNodes, ClusterTestSetup } from './cluster-setup.js';
