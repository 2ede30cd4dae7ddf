/**
 * The NATS credential flags that `dios node start` and `dios wordcount
 * --cluster` both take (`--user U --pass P`, `--token T`, `--nkey FILE`):
 * checking them together, and turning them into connectNats options.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { NatsTransportOptions } from '@dios/kernel/nats';
import type { OptionSpec } from './args/command-spec.js';
import type { ParsedCommand } from './args/parse-command.js';
import { UsageError } from './args/usage-error.js';

/** The options that carry NATS credentials, taken alike by every command that connects (checked by {@link parseCredentials}). */
export const CREDENTIAL_OPTIONS: Readonly<Record<'user' | 'pass' | 'token' | 'nkey', OptionSpec>> = {
  user: { type: 'string', value: 'U', help: 'NATS user name (with --pass)' },
  pass: { type: 'string', value: 'P', help: 'NATS password (with --user)' },
  token: { type: 'string', value: 'T', help: 'NATS token' },
  nkey: { type: 'string', value: 'FILE', help: 'log in with the NKey user seed (SU...) held in FILE' },
};

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
export function parseCredentials(parsed: ParsedCommand): NatsCredentials {
  const user = parsed.string('user');
  const pass = parsed.string('pass');
  const token = parsed.string('token');
  const nkey = parsed.string('nkey');
  if ((user === undefined) !== (pass === undefined))
    throw new UsageError(user === undefined ? 'option --pass needs --user' : 'option --user needs --pass');
  if (token !== undefined && user !== undefined)
    throw new UsageError('option --token: give either --user and --pass or --token');
  if (nkey !== undefined && (user !== undefined || token !== undefined))
    throw new UsageError('option --nkey: give one of --user and --pass, --token or --nkey');
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
