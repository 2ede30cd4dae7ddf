/**
 * `dios web serve`'s command line: its option table and its parser.
 * @module
 */
import { isStatusAccess } from '../web/status-access.js';
import type { WebServerOptions } from '../web/options.js';
import type { CommandSpec } from './args/command-spec.js';
import { parseCommand } from './args/parse-command.js';
import { badSubcommand, invalidValue, noMoreThan, portValue, required } from './args/value-checks.js';

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
  /** -q/--quiet: no access log. */
  readonly quiet: boolean;
  /** --dotfiles: serve names starting with `.` too (left out by default). */
  readonly dotfiles: boolean;
}

/** The TCP port `dios web` listens on when `--port` is not given. */
export const DEFAULT_WEB_PORT = 8080;

/** `dios web serve`'s options, synopsis and help. */
export const WEB_SERVE_COMMAND: CommandSpec = {
  name: 'web serve',
  synopsis: 'DIR [options]',
  summary:
    'Serves the files under DIR over HTTP/1.1 from a DIOS server task (GET and HEAD, keep-alive, ETags, ranges, ' +
    'directory listings) until SIGINT or SIGTERM.',
  details: `  DIR is served live: files added, changed or removed are served as they
  are now. Names starting with a dot (.git/, .env) are not served unless
  --dotfiles; .well-known/ is. Each response is logged on stdout in the
  Common Log Format. The kernel's tasks and objects are shown at
  /_dios/status (JSON: /_dios/status.json).`,
  options: {
    port: {
      type: 'string',
      short: 'p',
      value: 'PORT',
      help: `port to listen on (default ${DEFAULT_WEB_PORT}; 0 picks a free one)`,
    },
    host: { type: 'string', value: 'HOST', help: 'address to listen on (default 127.0.0.1)' },
    data: {
      type: 'string',
      value: 'DIR',
      help: 'directory of the durable store (default: a fresh temporary directory, removed on exit)',
    },
    status: {
      type: 'string',
      value: 'WHO',
      help:
        "who may see the status page, which shows every task's argv, client addresses included: off (nobody), " +
        'local (loopback clients only, the default) or on (anyone); others get 404 there',
    },
    quiet: { type: 'boolean', short: 'q', help: 'no access log' },
    dotfiles: { type: 'boolean', help: 'serve files and directories whose names start with a dot too' },
  },
  example: 'web serve -p 8000 ./site',
};

/** Parses the arguments after `web` (`serve DIR ...`); UsageError naming the argument when they are wrong. */
export function parseWebArgs(args: readonly string[]): WebArgs {
  const [sub, ...rest] = args;
  if (sub !== 'serve') throw badSubcommand('web', sub, ['serve']);
  const p = parseCommand(WEB_SERVE_COMMAND, rest);
  const port = p.string('port');
  const status = p.string('status') ?? 'local';
  if (!isStatusAccess(status)) throw invalidValue('--status', 'off, local or on', status);
  const dir = required(p.positionals, 0, 'DIR');
  noMoreThan(p.positionals, 1);
  return {
    dir,
    port: port === undefined ? DEFAULT_WEB_PORT : portValue('--port', port),
    host: p.string('host') ?? '127.0.0.1',
    data: p.string('data'),
    status,
    quiet: p.flag('quiet'),
    dotfiles: p.flag('dotfiles'),
  };
}
