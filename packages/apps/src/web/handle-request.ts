/**
 * Answering one parsed request: GET and HEAD of blobs under the served
 * root (with ETag and If-None-Match, single byte ranges and If-Range),
 * directory indexes and listings, the status page, and the error
 * statuses.
 * @module
 */
import { isDiosError, type KernelStatus, type SystemCalls } from '@dios/kernel';
import { listDirectory, listingHtml } from './directory-listing.js';
import { etagOf, noneMatchHits } from './etag.js';
import { INDEX_FILE, type FileTable, type OpenFile } from './files.js';
import { contentType } from './mime.js';
import { parseRange } from './range.js';
import type { HttpRequest } from './request-parser.js';
import { CACHE_MAX_BODY, ResponseCache } from './response-cache.js';
import { formatHead, REASONS, writeBlob, writeBytes, writeRaw, type HeaderFields } from './response.js';
import { STATUS_JSON_PATH, STATUS_PATH, statusHtml, type StatusReader } from './status-page.js';
import { STATUS_GRAPH_PATH } from './status-graph.js';
import { CONNECTION_BINARY_PATH, SERVER_BINARY_PATH } from './server.js';
import { decodeTargetPath, encodeSegments } from './url-path.js';

/** Methods the server answers. */
export const ALLOWED_METHODS = 'GET, HEAD';

const encoder = new TextEncoder();
// A blob rewritten while it is being sent is answered afresh this many times before giving up (503).
const ATTEMPTS = 4;

/** What a response was, for the access log. */
export interface SentResponse {
  /** Its status. */
  readonly status: number;
  /** Its body's bytes (0 when it had none, as HEAD and 304). */
  readonly bytes: number;
}

/** Answers the requests of one connection (see the module comment). */
export class RequestHandler {
  readonly #sys: SystemCalls;
  readonly #conn: number;
  readonly #files: FileTable;
  readonly #status: StatusReader | undefined;
  readonly #cache = new ResponseCache();
  #lastRequest: HttpRequest | undefined;
  #lastPath: string | undefined;
  #sent: SentResponse = { status: 0, bytes: 0 };

  /**
   * A handler writing to connection `conn` of task `sys`. Without `status`
   * the status page's paths are ordinary paths (this client may not see it).
   */
  constructor(sys: SystemCalls, conn: number, files: FileTable, status?: StatusReader) {
    this.#sys = sys;
    this.#conn = conn;
    this.#files = files;
    this.#status = status;
  }

  /**
   * The cached response to `req`, when it is a plain GET of a small file
   * this connection has served at the blob's current version this second:
   * found without a single system call, for the connection loop to write.
   */
  cached(req: HttpRequest): Uint8Array | undefined {
    let path: string | undefined;
    if (req === this.#lastRequest) path = this.#lastPath;
    else {
      if (req.method !== 'GET' || req.headers.has('range') || req.headers.has('if-none-match')) return undefined;
      const target = decodeTargetPath(req.path);
      if (target.ok && !target.directory && target.segments.length > 0) path = this.#files.pathOf(target.segments);
      // The parser hands out the same object for the same head: its path need not be worked out again.
      this.#lastRequest = req;
      this.#lastPath = path;
    }
    if (path === undefined) return undefined;
    const file = this.#files.held(path);
    if (file === undefined) return undefined;
    const { version, size } = this.#sys.ref(file.ref);
    const bytes = this.#cache.get(file, version, req.keepAlive, Math.floor(Date.now() / 1000));
    if (bytes !== undefined) this.#sent = { status: 200, bytes: size };
    return bytes;
  }

  /** Status and body bytes of the last response this handler made (or found in its cache), for the access log. */
  get sent(): SentResponse {
    return this.#sent;
  }

  /** Answers `req`; resolves to whether the connection may carry another request. */
  async handle(req: HttpRequest): Promise<boolean> {
    try {
      return await this.#answer(req);
    } catch (e) {
      // A file whose label the server may not read (docs/ifc.md): refused before anything was sent.
      if (isDiosError(e, 'EPERM')) return this.simple(403, req.keepAlive, req.method === 'HEAD');
      throw e;
    }
  }

  async #answer(req: HttpRequest): Promise<boolean> {
    const keep = req.keepAlive;
    const headOnly = req.method === 'HEAD';
    if (req.method !== 'GET' && !headOnly) {
      return this.simple(405, keep, false, [['Allow', ALLOWED_METHODS]]);
    }
    const target = decodeTargetPath(req.path);
    // A malformed target (400) ends the connection, as a malformed head does; a refused one (403) need not.
    if (!target.ok) return this.simple(target.status, keep && target.status !== 400, headOnly);
    const { segments, directory } = target;
    if (segments[0] === '_dios' && this.#status !== undefined) {
      const path = encodeSegments(segments, false);
      if (path === STATUS_JSON_PATH) return this.#statusJson(this.#status, keep, headOnly);
      if (path === STATUS_PATH) return this.#statusPage(this.#status, keep, headOnly);
      if (path === STATUS_GRAPH_PATH) return this.#statusGraph(this.#status, keep, headOnly);
    }
    if (segments[segments.length - 1] === INDEX_FILE) return this.simple(404, keep, headOnly);
    if (!directory && segments.length > 0) {
      const path = this.#files.pathOf(segments);
      const file = this.#files.held(path) ?? (await this.#files.openPath(path));
      if (file !== undefined) return this.#serveBlob(req, file, path, keep, headOnly);
    }
    // A directory: its index.html, else a listing from the root's index; without the final slash, a redirect.
    const indexSegments = [...segments, 'index.html'];
    const index = await this.#files.open(indexSegments);
    const listing = index === undefined ? listDirectory(await this.#files.indexEntries(), segments) : undefined;
    if (index === undefined && listing === undefined) return this.simple(404, keep, headOnly);
    if (!directory && segments.length > 0) {
      const q = req.target.indexOf('?');
      const location = encodeSegments(segments, true) + (q < 0 ? '' : req.target.slice(q));
      return this.simple(301, keep, headOnly, [['Location', location]]);
    }
    if (index !== undefined) return this.#serveBlob(req, index, this.#files.pathOf(indexSegments), keep, headOnly);
    const html = encoder.encode(listingHtml(segments, listing!));
    return this.#bytes(200, [['Content-Type', 'text/html; charset=utf-8']], html, keep, headOnly);
  }

  /** A short text answer with `status` (and `fields`); the body is the status line's text. */
  async simple(status: number, keep: boolean, headOnly: boolean, fields: HeaderFields = []): Promise<boolean> {
    const body = encoder.encode(`${status} ${REASONS[status] ?? ''}\n`);
    return this.#bytes(status, [['Content-Type', 'text/plain; charset=utf-8'], ...fields], body, keep, headOnly);
  }

  async #bytes(
    status: number,
    fields: HeaderFields,
    body: Uint8Array,
    keep: boolean,
    headOnly: boolean,
  ): Promise<boolean> {
    const head = formatHead(status, [...fields, ['Content-Length', body.length]], keep);
    this.#sent = { status, bytes: headOnly ? 0 : body.length };
    await writeBytes(this.#sys, this.#conn, head, headOnly ? undefined : body);
    return keep;
  }

  async #statusJson(status: StatusReader, keep: boolean, headOnly: boolean): Promise<boolean> {
    const json = await status.read();
    return this.#bytes(
      200,
      [
        ['Content-Type', 'application/json'],
        ['Cache-Control', 'no-store'],
      ],
      json,
      keep,
      headOnly,
    );
  }

  async #statusPage(reader: StatusReader, keep: boolean, headOnly: boolean): Promise<boolean> {
    const status = JSON.parse(new TextDecoder().decode(await reader.read())) as KernelStatus;
    const paths = await this.#files.pathsByName([SERVER_BINARY_PATH, CONNECTION_BINARY_PATH]);
    const html = encoder.encode(statusHtml(status, await reader.graph(), paths));
    return this.#bytes(
      200,
      [
        ['Content-Type', 'text/html; charset=utf-8'],
        ['Cache-Control', 'no-store'],
      ],
      html,
      keep,
      headOnly,
    );
  }

  async #statusGraph(reader: StatusReader, keep: boolean, headOnly: boolean): Promise<boolean> {
    const svg = encoder.encode(await reader.graph());
    const fields: HeaderFields = [
      ['Content-Type', 'image/svg+xml'],
      ['Cache-Control', 'no-store'],
    ];
    return this.#bytes(200, fields, svg, keep, headOnly);
  }

  async #serveBlob(req: HttpRequest, file: OpenFile, path: string, keep: boolean, headOnly: boolean): Promise<boolean> {
    const sys = this.#sys;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const { version, size } = sys.ref(file.ref);
      const noneMatch = req.headers.get('if-none-match');
      const rangeHeader = req.headers.get('range');
      const second = Math.floor(Date.now() / 1000);
      // The common case, a plain GET of a small file asked for again: the cached response, if still valid.
      const plain = !headOnly && noneMatch === undefined && rangeHeader === undefined && size <= CACHE_MAX_BODY;
      if (plain) {
        const cached = this.#cache.get(file, version, keep, second);
        if (cached !== undefined) {
          this.#sent = { status: 200, bytes: size };
          await writeRaw(sys, this.#conn, cached);
          return keep;
        }
      }
      const etag = etagOf(file.name, version);
      const fields: [string, string | number][] = [
        ['Content-Type', contentType(path)],
        ['ETag', etag],
        ['Accept-Ranges', 'bytes'],
      ];
      if (noneMatch !== undefined && noneMatchHits(noneMatch, etag)) {
        this.#sent = { status: 304, bytes: 0 };
        await writeBytes(sys, this.#conn, formatHead(304, [['ETag', etag]], keep));
        return keep;
      }
      // If-Range with another validator: the range is dropped and the whole body sent.
      const ifRange = req.headers.get('if-range');
      const range =
        ifRange !== undefined && ifRange.trim() !== etag ? { kind: 'full' as const } : parseRange(rangeHeader, size);
      if (range.kind === 'unsatisfiable')
        return this.simple(416, keep, headOnly, [['Content-Range', `bytes */${size}`]]);
      let status = 200;
      let offset = 0;
      let length = size;
      if (range.kind === 'partial') {
        status = 206;
        offset = range.start;
        length = range.end - range.start + 1;
        fields.push(['Content-Range', `bytes ${range.start}-${range.end}/${size}`]);
      }
      fields.push(['Content-Length', length]);
      const head = formatHead(status, fields, keep);
      this.#sent = { status, bytes: headOnly ? 0 : length };
      if (headOnly) {
        await writeBytes(sys, this.#conn, head);
        return keep;
      }
      if (plain && range.kind === 'full') {
        const bytes = await this.#response(file, head, version);
        if (bytes === undefined) continue; // changed while read: again
        this.#cache.set(file, version, keep, second, bytes);
        await writeRaw(sys, this.#conn, bytes);
        return keep;
      }
      const result = await writeBlob(sys, this.#conn, head, { ref: file.ref, version, offset, length });
      if (result.ok) return keep;
      // Changed under us: answer again if nothing went out yet, else the response is torn and the connection must go.
      if (result.sent > 0) return false;
    }
    return this.simple(503, false, headOnly);
  }

  // Head and the whole body of a small blob in one array; undefined when the blob changed from `version`.
  async #response(file: OpenFile, head: string, version: number): Promise<Uint8Array | undefined> {
    const view = await this.#sys.beginRead(file.ref);
    const bytes = new Uint8Array(head.length + view.length);
    encoder.encodeInto(head, bytes);
    bytes.set(view, head.length);
    const valid = await this.#sys.endRead(file.ref, view);
    return valid &&
      this.#sys.ref(file.ref).version === version &&
      bytes.length - head.length === this.#sys.ref(file.ref).size
      ? bytes
      : undefined;
  }
}
