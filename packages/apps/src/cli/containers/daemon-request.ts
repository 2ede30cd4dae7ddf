/**
 * One HTTP request to the container daemon over its Unix socket: JSON in,
 * JSON (or a byte stream) out, a DiosError rebuilt from an error answer.
 * @module
 */
import { request, type IncomingMessage } from 'node:http';
import { errors } from '@dios/kernel';
import { diosErrorFrom } from './wire-error.js';

/** A request to the daemon. */
export interface DaemonRequest {
  /** HTTP method. */
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path and query (`/containers/json?all=1`). */
  readonly path: string;
  /** JSON body, if any. */
  readonly body?: unknown;
  /** The call a failure is named after (`container.start`). */
  readonly call: string;
}

/** Sends `req` on the socket at `socketPath`; resolves to the response once its head is in (error statuses already turned into DiosErrors). */
export function sendRequest(socketPath: string, req: DaemonRequest): Promise<IncomingMessage> {
  const body = req.body === undefined ? undefined : JSON.stringify(req.body);
  return new Promise((resolve, reject) => {
    const r = request(
      {
        socketPath,
        method: req.method,
        path: req.path,
        // A fresh connection each time: nothing idle keeps a command's process alive.
        agent: false,
        headers:
          body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status < 400) {
          resolve(res);
          return;
        }
        readAll(res).then((bytes) => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(bytes.toString('utf8'));
          } catch {
            parsed = undefined;
          }
          reject(diosErrorFrom(parsed, status, req.call));
        }, reject);
      },
    );
    r.on('error', (e: NodeJS.ErrnoException) => {
      const known = e.code === 'ENOENT' || e.code === 'ECONNREFUSED';
      reject(
        known
          ? errors.ECONNREFUSED(req.call, socketPath, 'no daemon answers on this socket')
          : errors.ECONNRESET(req.call, socketPath, `the daemon connection failed: ${e.message}`),
      );
    });
    r.end(body);
  });
}

/** Every byte of a response body. */
export async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Sends `req` and parses the answer as JSON (undefined for 204 No Content). */
export async function requestJson<T>(socketPath: string, req: DaemonRequest): Promise<T> {
  const res = await sendRequest(socketPath, req);
  const bytes = await readAll(res);
  if (res.statusCode === 204 || bytes.length === 0) return undefined as T;
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw errors.EIO(req.call, undefined, 'the daemon answered something that is not JSON');
  }
}
