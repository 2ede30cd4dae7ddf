/**
 * The NATS client library, an optional peer dependency: `@dios/kernel/nats`
 * imports it dynamically, so importing the transport never fails, users who
 * never touch NATS do not install the client (nor meet its engine
 * requirements), and those who use it without installing it get an error
 * naming what to install instead of a module-resolution failure.
 * @module
 */
import type * as Nats from '@nats-io/transport-node';
import { errors } from '../../core/abi/errors.js';

/** The package the NATS transport needs. */
const NATS_CLIENT_PACKAGE = '@nats-io/transport-node';
/** The version it is tested with (a Node 20 install of it is clean: 3.4's tree asks for Node 22). */
const TESTED_VERSION = '3.3.1';

let loaded: typeof Nats | undefined;
let missing = false;
// Any other failure (a broken install): kept to be thrown where the client is asked for, not left unhandled.
let broken: Error | undefined;
// Started when this module is evaluated: whoever has a NATS connection to hand to a NatsTransport has imported the
// client and awaited its connect, by which time this import (of a module already loaded) has settled.
const loading: Promise<void> = import(NATS_CLIENT_PACKAGE).then(
  (m: typeof Nats) => {
    loaded = m;
  },
  (e: unknown) => {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') missing = true;
    else broken = e instanceof Error ? e : new Error(`cannot load ${NATS_CLIENT_PACKAGE}: ${String(e)}`);
  },
);

function notInstalled(where: string): Error {
  return errors.ENOTSUP(
    where,
    'transport',
    `the NATS transport needs the package ${NATS_CLIENT_PACKAGE}, which is not installed: ` +
      `npm install ${NATS_CLIENT_PACKAGE}@${TESTED_VERSION}`,
  );
}

/** The NATS client module, once loaded; ENOTSUP naming the package to install when it is missing. */
export async function loadNatsClient(where: string): Promise<typeof Nats> {
  await loading;
  if (broken !== undefined) throw broken;
  if (loaded === undefined) throw notInstalled(where);
  return loaded;
}

/**
 * The NATS client module, synchronously, for code that runs on a NATS
 * connection (so the client is loaded); ENOTSUP when it is missing, EAGAIN
 * in the unlikely case it is still loading.
 */
export function natsClient(where: string): typeof Nats {
  if (loaded !== undefined) return loaded;
  if (broken !== undefined) throw broken;
  if (missing) throw notInstalled(where);
  throw errors.EAGAIN(where, 'transport', `the NATS client ${NATS_CLIENT_PACKAGE} is still loading: try again`);
}
