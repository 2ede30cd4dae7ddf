/**
 * The NATS client library, loaded when a NATS transport is first made
 * rather than when `@dios/kernel/nats` is imported: it is an optional peer
 * dependency, so users who never touch NATS do not install it (nor its
 * engine requirements), and those who do get an error naming what to
 * install instead of a module-resolution failure at import time.
 * @module
 */
import { createRequire } from 'node:module';
import type * as Nats from '@nats-io/transport-node';
import { errors } from '../../core/abi/errors.js';

/** The package the NATS transport needs, and the version it is tested with. */
export const NATS_CLIENT_PACKAGE = '@nats-io/transport-node';
const TESTED_VERSION = '3.3.1';

let loaded: typeof Nats | undefined;

/**
 * The NATS client module; ENOTSUP naming the package to install when it is
 * missing. Synchronous (the client is CommonJS, so `require` gives the same
 * instance an `import` elsewhere in the program gets).
 */
export function natsClient(where: string): typeof Nats {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createRequire(import.meta.url)(NATS_CLIENT_PACKAGE) as typeof Nats;
    return loaded;
  } catch (e) {
    if ((e as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw e;
    throw errors.ENOTSUP(
      where,
      'transport',
      `the NATS transport needs the package ${NATS_CLIENT_PACKAGE}, which is not installed: ` +
        `npm install ${NATS_CLIENT_PACKAGE}@${TESTED_VERSION}`,
    );
  }
}
