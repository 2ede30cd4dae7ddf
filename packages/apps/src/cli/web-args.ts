/**
 * Parsing `dios web serve`'s arguments.
 * @module
 */
import { isStatusAccess } from '../web/status-access.js';
import type { WebServerOptions } from '../web/options.js';
import { UsageError } from './usage-error.js';

/** The parsed `dios web serve` command line. */
export interface WebArgs {
  /** Host directory to serve. */
  readonly dir: string;
  /** Port to listen on (0: any free port). */
  readonly port: number;
  /** Address to listen on. */
  readonly host: string;
  /** Host directory of the durable store, when given (default: a fresh temporary directory). */
  readonly data: string | undefined;
  /** Who may read the status page: nobody, loopback clients (the default), anyone. */
  readonly status: WebServerOptions['status'];
}

/** The TCP port `dios web` listens on when `--port` is not given. */
export const DEFAULT_WEB_PORT = 8080;

/** Parses the arguments after `web`; UsageError naming the argument when they are wrong. */
export function parseWebArgs(args: readonly string[]): WebArgs {
  const [sub, ...rest] = args;
  if (sub === undefined) throw new UsageError("web needs a subcommand: 'web serve DIR'");
  if (sub !== 'serve') throw new UsageError(`unknown web subcommand '${sub}'`);
  const dirs: string[] = [];
  let port = DEFAULT_WEB_PORT;
  let host = '127.0.0.1';
  let data: string | undefined;
  let status: WebServerOptions['status'] = 'local';
  let options = true;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!options || !arg.startsWith('-') || arg === '-') {
      dirs.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const [name, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new UsageError(`option ${name} needs a value`);
      return v;
    };
    if (arg === '--') options = false;
    else if (name === '--port') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) > 65535)
        throw new UsageError(`option --port: expected a port number 0-65535, got '${v}'`);
      port = Number(v);
    } else if (name === '--host') host = value();
    else if (name === '--data') data = value();
    else if (name === '--status') {
      const v = value();
      if (!isStatusAccess(v)) throw new UsageError(`option --status: expected off, local or on, got '${v}'`);
      status = v;
    } else throw new UsageError(`unknown option '${arg}'`);
  }
  if (dirs.length === 0) throw new UsageError('web serve needs a DIR');
  if (dirs.length > 1) throw new UsageError(`web serve takes one DIR, got extra argument '${dirs[1]}'`);
  return { dir: dirs[0]!, port, host, data, status };
}
