/**
 * The web server's settings, and how they travel to its tasks: as
 * `--key=value` arguments in argv, which the status page then shows.
 * @module
 */
import { isStatusAccess } from './status-access.js';

/** Settings of a web server. */
export interface WebServerOptions {
  /** DIOS path of the served root (in the server task's first group). */
  readonly root: string;
  /** Address to listen on. */
  readonly host: string;
  /** Port to listen on (0: any free port). */
  readonly port: number;
  /** How long a connection may sit idle between requests before it is closed (ms). */
  readonly idleTimeoutMs: number;
  /** How long a client may take to send one request head once it has started (ms). */
  readonly requestTimeoutMs: number;
  /** Largest request head accepted (bytes); beyond it, 413. */
  readonly maxHeaderBytes: number;
  /**
   * Who may read the status page (`/_dios/status`, `/_dios/status.json`),
   * which shows every task's argv, client addresses among them: `'off'`
   * nobody, `'local'` clients whose address is loopback (127.0.0.0/8, ::1,
   * ::ffff:127.x.y.z), `'on'` anyone. To the others both paths are ordinary
   * paths (404 unless the root holds such a file), so they do not learn the
   * page exists.
   */
  readonly status: 'off' | 'local' | 'on';
}

/** The defaults: root `/www`, 127.0.0.1:8080, 5 s idle, 10 s per request head, 8 KiB heads, status page for loopback clients. */
export const DEFAULT_WEB_OPTIONS: WebServerOptions = {
  root: '/www',
  host: '127.0.0.1',
  port: 8080,
  idleTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  maxHeaderBytes: 8192,
  status: 'local',
};

const KEYS = {
  root: 'root',
  host: 'host',
  port: 'port',
  idleTimeoutMs: 'idle-ms',
  requestTimeoutMs: 'request-ms',
  maxHeaderBytes: 'max-header-bytes',
  status: 'status',
} as const;

/** `options` as `--key=value` arguments. */
export function optionsToArgv(options: WebServerOptions): string[] {
  return (Object.keys(KEYS) as (keyof typeof KEYS)[]).map((k) => `--${KEYS[k]}=${options[k]}`);
}

/**
 * Reads arguments made by {@link optionsToArgv} (missing ones take the
 * defaults; unknown ones are ignored; a `--status` value that is not one
 * of the three hides the status page from everyone).
 */
export function optionsFromArgv(args: readonly string[]): WebServerOptions {
  const out: Record<string, string | number> = { ...DEFAULT_WEB_OPTIONS };
  for (const arg of args) {
    const m = /^--([a-z-]+)=(.*)$/s.exec(arg);
    if (m === null) continue;
    const key = (Object.keys(KEYS) as (keyof typeof KEYS)[]).find((k) => KEYS[k] === m[1]);
    if (key === undefined) continue;
    out[key] = typeof DEFAULT_WEB_OPTIONS[key] === 'number' ? Number(m[2]) : m[2]!;
  }
  if (!isStatusAccess(out.status)) out.status = 'off';
  return out as unknown as WebServerOptions;
}
