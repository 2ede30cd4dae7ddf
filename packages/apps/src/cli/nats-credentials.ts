/**
 * The NATS credential flags that `dios node start` and `dios wordcount
 * --cluster` both take (`--user U --pass P`, `--token T`, `--nkey FILE`):
 * checking them together, and turning them into connectNats options.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { NatsTransportOptions } from '@dios/kernel/nats';
import { UsageError } from './usage-error.js';

/** The flags that carry NATS credentials, accepted alike by every command that connects (parsed by {@link parseCredentials}). */
export const CREDENTIAL_FLAGS = ['--user', '--pass', '--token', '--nkey'] as const;

/** Credentials as given on the command line. */
export interface NatsCredentials {
  /** NATS user name. */
  readonly user: string | undefined;
  /** NATS password. */
  readonly pass: string | undefined;
  /** NATS token. */
  readonly token: string | undefined;
  /** File holding the NATS NKey user seed. */
  readonly nkey: string | undefined;
}

/** Checks that at most one kind of credential is given, a user with a password; UsageError naming the flag otherwise. */
export function parseCredentials(
  get: (flag: (typeof CREDENTIAL_FLAGS)[number]) => string | undefined,
): NatsCredentials {
  const user = get('--user');
  const pass = get('--pass');
  const token = get('--token');
  const nkey = get('--nkey');
  if ((user === undefined) !== (pass === undefined))
    throw new UsageError(user === undefined ? '--pass needs --user' : '--user needs --pass');
  if (token !== undefined && user !== undefined)
    throw new UsageError('--token: give either --user and --pass or --token');
  if (nkey !== undefined && (user !== undefined || token !== undefined))
    throw new UsageError('--nkey: give one of --user and --pass, --token or --nkey');
  return { user, pass, token, nkey };
}

/** A credentials file that cannot be read (the message names the flag and the file, never its contents). */
export class CredentialsError extends Error {
  /** `message` says which file and why. */
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** The connectNats options for `c`; reads the --nkey file (CredentialsError when it cannot). */
export function credentialOptions(c: NatsCredentials): Pick<NatsTransportOptions, 'user' | 'pass' | 'token' | 'seed'> {
  if (c.user !== undefined) return { user: c.user, pass: c.pass! };
  if (c.token !== undefined) return { token: c.token };
  if (c.nkey === undefined) return {};
  try {
    return { seed: readFileSync(c.nkey, 'utf8').trim() };
  } catch (e) {
    throw new CredentialsError(`--nkey: cannot read '${c.nkey}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
