/**
 * Checking create's `options.address` and turning Node's socket errors into
 * the kernel's typed errors.
 * @module
 */
import { errors, type DiosError, type ErrnoCode } from '../../core/abi/errors.js';
import type { NetworkAddress } from '../../core/abi/syscall-options.js';
import { describe } from '../../core/abi/names.js';

/** Host a listener binds to when the address names none: loopback, so nothing is exposed by accident. */
export const DEFAULT_HOST = '127.0.0.1';

/** The address, checked (EINVAL naming `options.address...`). */
export function checkAddress(syscall: string, address: unknown, listening: boolean): Required<NetworkAddress> {
  if (address === null || typeof address !== 'object' || Array.isArray(address)) {
    throw errors.EINVAL(syscall, 'options.address', `expected { host?, port }, got ${describe(address)}`);
  }
  const { host, port, ...rest } = address as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw errors.EINVAL(syscall, `options.address.${extra}`, 'unknown field of an address');
  if (!Number.isInteger(port) || (port as number) < (listening ? 0 : 1) || (port as number) > 65535) {
    throw errors.EINVAL(
      syscall,
      'options.address.port',
      `expected a port in [${listening ? 0 : 1}, 65535], got ${describe(port)}`,
    );
  }
  if (host !== undefined && (typeof host !== 'string' || host.length === 0 || host.length > 255)) {
    throw errors.EINVAL(syscall, 'options.address.host', `expected a host name or IP address, got ${describe(host)}`);
  }
  return { host: host ?? DEFAULT_HOST, port: port as number };
}

const CODES: Record<string, ErrnoCode> = {
  EADDRINUSE: 'EADDRINUSE',
  EADDRNOTAVAIL: 'EADDRNOTAVAIL',
  ECONNREFUSED: 'ECONNREFUSED',
  ECONNRESET: 'ECONNRESET',
  EPIPE: 'EPIPE',
  EACCES: 'EACCES',
  ENOTFOUND: 'EHOSTUNREACH',
  EAI_AGAIN: 'EHOSTUNREACH',
  EHOSTUNREACH: 'EHOSTUNREACH',
  ENETUNREACH: 'EHOSTUNREACH',
  ETIMEDOUT: 'ETIMEDOUT',
};

/** A Node socket error as a DiosError (EIO for anything without a closer code). */
export function socketError(syscall: string, argument: string | undefined, error: unknown): DiosError {
  const code = (error as { code?: unknown } | undefined)?.code;
  const mapped = typeof code === 'string' ? CODES[code] : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return errors[mapped ?? 'EIO'](syscall, argument, message);
}
