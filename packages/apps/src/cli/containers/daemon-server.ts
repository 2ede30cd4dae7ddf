/**
 * The container daemon's HTTP/1.1 API over a Unix socket, modelled on
 * Docker's Engine API: each route calls one Engine method and answers
 * JSON; a DiosError becomes `{code, syscall, argument, message}` with
 * status 400 (EINVAL), 404 (ENOENT), 409 (EEXIST, EBUSY) or 500. A
 * malformed request (bad JSON, unknown route, body over 1 MiB) gets 400,
 * 404 or 413, and the daemon goes on.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errors } from '@dios/kernel';
import type { Engine } from '../../containers/api.js';
import { BodyTooLarge, MAX_BODY_BYTES, readJsonObject } from './read-body.js';
import { checkSpecShape } from './spec-shape.js';
import { wireErrorOf } from './wire-error.js';

/** What the server asks of whoever runs it. */
export interface DaemonServerHooks {
  /** Called once a `POST /shutdown` has been answered. */
  onShutdown(): void;
}

type Handler = (
  engine: Engine,
  params: { id: string; query: URLSearchParams },
  req: IncomingMessage,
  res: ServerResponse,
) => Promise<unknown>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly call: string;
  readonly handler: Handler;
}

/** A handler's result when it has answered itself (a stream). */
const ANSWERED = Symbol('answered');

function route(method: string, path: string, call: string, handler: Handler): Route {
  // `{id}` is one path segment.
  const pattern = new RegExp(`^${path.replace('{id}', '([^/]+)')}$`);
  return { method, pattern, call, handler };
}

function stringField(
  body: Record<string, unknown>,
  field: string,
  call: string,
  required: boolean,
): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') throw errors.EINVAL(call, field, 'expected a non-empty string');
  return value;
}

function argvField(body: Record<string, unknown>, call: string): string[] {
  const argv = body.argv;
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string'))
    throw errors.EINVAL(call, 'argv', 'expected a non-empty array of strings');
  return argv as string[];
}

function graceMsOf(query: URLSearchParams, call: string): number | undefined {
  const t = query.get('t');
  if (t === null) return undefined;
  if (!/^\d+$/.test(t)) throw errors.EINVAL(call, 't', `expected whole seconds, got '${t}'`);
  return Number(t) * 1000;
}

const flag = (query: URLSearchParams, name: string): boolean => ['1', 'true'].includes(query.get(name) ?? '');

/** Streams the console: what it holds, then (with follow=1) more until the container stops or the client goes. */
async function streamLogs(engine: Engine, id: string, query: URLSearchParams, res: ServerResponse) {
  engine.inspect(id); // ENOENT before any header is sent
  if (!flag(query, 'follow')) {
    const bytes = await engine.logs(id);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
    return ANSWERED;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  let gone!: () => void;
  const until = new Promise<void>((resolve) => (gone = resolve));
  res.on('close', gone);
  // What the follow hands over before the backlog is written waits behind it.
  let queued: Uint8Array[] | undefined = [];
  const onData = (bytes: Uint8Array): void => {
    if (queued !== undefined) queued.push(bytes);
    else if (!res.writableEnded) res.write(bytes);
  };
  // Both calls take the console's contents before their first await, in this same turn: the
  // first gives the backlog at once, the second resolves only when following ends.
  const backlog = engine.logs(id);
  const following = engine.logs(id, { onData, until });
  res.write(await backlog);
  for (const bytes of queued) res.write(bytes);
  queued = undefined;
  await following;
  gone();
  res.end();
  return ANSWERED;
}

const ROUTES: readonly Route[] = [
  route('GET', '/_ping', 'ping', async (_e, _p, _req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    return ANSWERED;
  }),
  route('POST', '/images/build', 'image.build', async (engine, _p, req) => {
    const body = await readJsonObject(req, 'image.build');
    const dir = stringField(body, 'dir', 'image.build', true)!;
    return engine.buildImage(dir, stringField(body, 'tag', 'image.build', false));
  }),
  route('GET', '/images/json', 'image.list', async (engine) => engine.listImages()),
  route('DELETE', '/images/{id}', 'image.remove', async (engine, { id }) => {
    await engine.removeImage(id);
    return undefined;
  }),
  route('POST', '/files/load', 'load', async (engine, _p, req) => {
    const body = await readJsonObject(req, 'load');
    const path = stringField(body, 'path', 'load', true)!;
    return { paths: await engine.load(path, stringField(body, 'hostPath', 'load', true)!) };
  }),
  route('POST', '/containers/create', 'container.create', async (engine, _p, req) => {
    return engine.create(checkSpecShape(await readJsonObject(req, 'container.create')));
  }),
  route('GET', '/containers/json', 'container.list', async (engine, { query }) => engine.list(flag(query, 'all'))),
  route('POST', '/containers/{id}/start', 'container.start', async (engine, { id }) => engine.start(id)),
  route('POST', '/containers/{id}/stop', 'container.stop', async (engine, { id, query }) =>
    engine.stop(id, graceMsOf(query, 'container.stop')),
  ),
  route('POST', '/containers/{id}/kill', 'container.kill', async (engine, { id }) => engine.kill(id)),
  route('POST', '/containers/{id}/wait', 'container.wait', async (engine, { id }) => ({
    StatusCode: await engine.wait(id),
  })),
  route('DELETE', '/containers/{id}', 'container.remove', async (engine, { id, query }) => {
    await engine.remove(id, flag(query, 'force'));
    return undefined;
  }),
  route('POST', '/containers/{id}/exec', 'container.exec', async (engine, { id }, req) => {
    const argv = argvField(await readJsonObject(req, 'container.exec'), 'container.exec');
    return { ExitCode: await engine.exec(id, argv) };
  }),
  route('GET', '/containers/{id}/logs', 'container.logs', async (engine, { id, query }, _req, res) =>
    streamLogs(engine, id, query, res),
  ),
  route('GET', '/containers/{id}/stats', 'container.stats', async (engine, { id }) => engine.stats(id)),
  route('GET', '/containers/{id}/json', 'container.inspect', async (engine, { id }) => engine.inspect(id)),
];

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (value === undefined) {
    res.writeHead(204).end();
    return;
  }
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** Answers a failure: JSON if nothing was sent yet, else the stream is cut. */
function sendError(res: ServerResponse, e: unknown, call: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e instanceof BodyTooLarge) {
    // The rest of the body is not read: the connection cannot carry another request.
    res.setHeader('connection', 'close');
    sendJson(res, 413, wireErrorOf(errors.EINVAL(call, 'body', `larger than ${MAX_BODY_BYTES} bytes`), call).body);
    return;
  }
  const { status, body } = wireErrorOf(e, call);
  sendJson(res, status, body);
}

async function handle(ready: Promise<Engine>, hooks: DaemonServerHooks, req: IncomingMessage, res: ServerResponse) {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://dios');
  } catch {
    sendError(res, errors.EINVAL('daemon', 'url', 'not a request target'), 'daemon');
    return;
  }
  if (req.method === 'POST' && url.pathname === '/shutdown') {
    // Not while the kernel boots, as stopping needs the engine; a failed boot stops the daemon by itself.
    await ready.catch(() => undefined);
    res.setHeader('connection', 'close');
    sendJson(res, 200, { message: 'shutting down' });
    res.on('finish', () => hooks.onShutdown());
    return;
  }
  const found = ROUTES.map((r) => ({ r, m: req.method === r.method ? r.pattern.exec(url.pathname) : null })).find(
    ({ m }) => m !== null,
  );
  if (found === undefined) {
    // The body is not read: the connection cannot carry another request.
    res.setHeader('connection', 'close');
    const known = ROUTES.some((r) => r.pattern.test(url.pathname));
    const error = known
      ? errors.EINVAL('daemon', 'method', `${req.method} is not served at ${url.pathname}`)
      : errors.ENOENT('daemon', 'path', `no route ${req.method} ${url.pathname}`);
    sendJson(res, known ? 405 : 404, wireErrorOf(error, 'daemon').body);
    return;
  }
  const { r, m } = found;
  try {
    const engine = await ready;
    let id = '';
    try {
      id = m![1] === undefined ? '' : decodeURIComponent(m![1]);
    } catch {
      throw errors.EINVAL(r.call, 'id', 'malformed percent-encoding');
    }
    const result = await r.handler(engine, { id, query: url.searchParams }, req, res);
    if (result !== ANSWERED) sendJson(res, r.method === 'POST' && r.call === 'container.create' ? 201 : 200, result);
  } catch (e) {
    sendError(res, e, r.call);
  }
}

/**
 * An HTTP server answering the container API for `engine` (not yet
 * listening). Given a promise, requests wait for it: the daemon claims its
 * socket before it boots the kernel, so two daemons never open one store.
 */
export function createDaemonServer(engine: Engine | Promise<Engine>, hooks: DaemonServerHooks): Server {
  const ready = Promise.resolve(engine);
  // A failed boot is reported by whoever started the daemon; requests get it as their error.
  ready.catch(() => undefined);
  const server = createServer((req, res) => {
    handle(ready, hooks, req, res).catch((e: unknown) => sendError(res, e, 'daemon'));
  });
  // A `wait` or a followed log may stay open as long as the container runs.
  server.requestTimeout = 0;
  return server;
}
