/**
 * The daemon's API under random requests (fast-check): random methods on
 * its routes and on junk paths, ids with odd characters, query strings,
 * and JSON bodies of random shape (a container spec's fields with values
 * of any type among them). Every answer is one of the statuses the API
 * documents for a client's mistake (400, 404, 405, 409, 413) or success,
 * never 500, and an error body is a DiosError's JSON; the daemon answers a
 * ping after every case. One image exists, so random specs naming it
 * create containers (and a random id may then start one: the image's
 * program prints a line and exits). DIOS_FUZZ_RUNS=N runs N cases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDaemon, type DaemonClient } from '../../src/cli/containers/client.js';
import { startDaemon, type Daemon } from '../../src/cli/containers/daemon.js';
import { nodeEngineHost } from '../../src/cli/containers/host-files.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/daemon-hello', import.meta.url));

const RUNS = Number(process.env.DIOS_FUZZ_RUNS ?? '') || 300;
const ALLOWED = [200, 201, 204, 400, 404, 405, 409, 413];
const tally = new Map<number, number>();

function send(socketPath: string, method: string, path: string, body: string | undefined) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    // The length said: Node's client sends a DELETE's body without one, which no server could frame.
    const headers = body === undefined ? {} : { 'content-length': Buffer.byteLength(body) };
    const r = request({ socketPath, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

const ids = fc.oneof(
  fc.constantFrom('x', 'hello', 'sha256:' + '0'.repeat(64), '%2F..%2F', '%zz', 'a%00b', '..', '0'.repeat(64)),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
const paths = fc.oneof(
  fc.constantFrom('/_ping', '/images/json', '/containers/json', '/containers/create', '/images/build', '/'),
  ids.map((id) => `/images/${id}`),
  fc
    .tuple(ids, fc.constantFrom('start', 'stop', 'kill', 'exec', 'logs', 'stats', 'json', 'wait', 'nope', ''))
    .map(([id, op]) => `/containers/${id}${op === '' ? '' : `/${op}`}`),
  // A request target is a path (Node's parser answers anything else itself, with an empty 400).
  fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
);
const queries = fc.constantFrom(
  '',
  '?all=1',
  '?t=abc',
  '?t=0',
  '?force=1',
  '?follow=0',
  '?t=-1',
  '?t=99999999999999999999',
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const specs = fc.record(
  {
    image: fc.oneof(fc.constantFrom('hello', 'hello', 'nope', '', 'sha256:zz'), anyJson),
    name: fc.oneof(fc.string({ maxLength: 10 }), anyJson),
    entry: anyJson,
    args: fc.oneof(fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), anyJson),
    env: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })), anyJson),
    limits: fc.oneof(fc.record({ memory: anyJson, tasks: anyJson, cpuShares: anyJson }, { requiredKeys: [] }), anyJson),
    shares: fc.oneof(fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 }), anyJson),
    argv: anyJson,
    dir: fc.oneof(fc.constantFrom('/nonexistent', '', '/proc/self/nope'), anyJson),
    tag: anyJson,
  },
  { requiredKeys: [] },
);
// Specs that mostly make containers: the image there, fields of the right types with random values.
const plausibleSpecs = fc.record(
  {
    image: fc.constant('hello'),
    name: fc.stringMatching(/^[a-z][a-z0-9_.-]{0,8}$/),
    args: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    env: fc.dictionary(fc.stringMatching(/^[A-Z_]{1,4}$/), fc.string({ maxLength: 5 })),
    limits: fc.record(
      { memory: fc.constantFrom(4, 64, '64m', '1g', '3m', '1.5m'), tasks: fc.integer({ min: -1, max: 70000 }) },
      { requiredKeys: [] },
    ),
    shares: fc.array(fc.constantFrom('/data/x', '/data/y:ro', `${'ab'.repeat(32)}:rw`, '/'), { maxLength: 2 }),
  },
  { requiredKeys: ['image'] },
);
const bodies = fc.oneof(
  fc.constant(undefined),
  specs.map((s) => JSON.stringify(s)),
  anyJson.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
);

describe('the daemon under random requests', () => {
  let dir: string;
  let daemon: Daemon;
  let client: DaemonClient;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dios-daemon-fuzz-'));
    daemon = await startDaemon({ dataDir: dir, host: nodeEngineHost(join(dir, 'modules')) });
    client = await connectDaemon({ dataDir: dir, autostart: false });
    await client.buildImage(FIXTURE, 'hello');
  });
  afterAll(async () => {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `daemon fuzz: ${RUNS} cases per property (DIOS_FUZZ_RUNS=N for more); statuses: ${[...tally]
        .sort()
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}`,
    );
  });

  it('answers every request with a documented status and goes on', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Mostly the methods the API serves, so most requests reach a route's handler.
        fc.oneof(
          { weight: 9, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE') },
          { weight: 1, arbitrary: fc.constantFrom('PUT', 'PATCH', 'HEAD', 'OPTIONS') },
        ),
        paths,
        queries,
        bodies,
        async (method, path, query, body) => {
          if (path === '/shutdown') return;
          const { status, text } = await send(daemon.paths.socket, method, `${path}${query}`, body);
          tally.set(status, (tally.get(status) ?? 0) + 1);
          expect(ALLOWED, `${method} ${path}${query} ${body ?? ''} -> ${status} ${text}`).toContain(status);
          // A HEAD answer has no body, by definition.
          if (status >= 400 && method !== 'HEAD')
            expect((JSON.parse(text) as { code?: unknown }).code).toMatch(/^E[A-Z]+$/);
          expect(await client.ping()).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('creates a container from a random spec or refuses it as a client mistake', async () => {
    // The first property may have removed it (DELETE /images/hello is one of its requests).
    await client.buildImage(FIXTURE, 'hello');
    await fc.assert(
      fc.asyncProperty(fc.oneof(plausibleSpecs, specs), async (spec) => {
        const { status, text } = await send(daemon.paths.socket, 'POST', '/containers/create', JSON.stringify(spec));
        tally.set(status, (tally.get(status) ?? 0) + 1);
        expect([201, 400, 404, 409], `${JSON.stringify(spec)} -> ${status} ${text}`).toContain(status);
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
