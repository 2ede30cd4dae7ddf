/**
 * The KV server's own share of a request, without the kernel or sockets:
 * chunks of 16 pipelined SETs (or GETs) of redis-benchmark's shape, each a
 * Node Buffer as the kernel lends them, parsed, dispatched, replied to and
 * (SET) logged for the AOF, as the server's round does. With a directory
 * of another version of packages/apps/src/kv as the first argument (e.g.
 * one written out with `git archive`), that version is measured beside
 * this one in the same run, samples alternating. Prints ns per request.
 * @module
 */
import { join, resolve } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PIPELINE = 16;
const CHUNKS = 20_000;
const SAMPLES = 7;

interface Bytes {
  length: number;
}
// What this bench uses of a version of the kv folder.
interface KvModules {
  RespParser: new () => { feed(b: Uint8Array): void; next(): Uint8Array[] | undefined; retain(): void };
  dispatch: (args: Uint8Array[], ctx: unknown) => void;
  RespWriter: new () => { reset(): void; command(a: readonly (Uint8Array | string)[]): void; length: number };
  Keyspace: new () => unknown;
  limits: unknown;
  noDisconnections: () => unknown;
}

async function load(dir: string): Promise<KvModules> {
  const m = async (f: string) => (await import(join(dir, f))) as Record<string, unknown>;
  const [parser, table, writer, keyspace, limits, context] = await Promise.all([
    m('resp-parser.ts'),
    m('commands/table.ts'),
    m('core/resp-writer.ts'),
    m('core/keyspace.ts'),
    m('core/limits.ts'),
    m('commands/context.ts'),
  ]);
  return {
    RespParser: parser.RespParser as KvModules['RespParser'],
    dispatch: table.dispatch as KvModules['dispatch'],
    RespWriter: writer.RespWriter as KvModules['RespWriter'],
    Keyspace: keyspace.Keyspace as KvModules['Keyspace'],
    limits: limits.DEFAULT_KV_LIMITS,
    noDisconnections: context.noDisconnections as KvModules['noDisconnections'],
  };
}

function request(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
}

// ns per request of `kv` over CHUNKS chunks of `chunk`.
function run(kv: KvModules, chunk: string): number {
  const out = new kv.RespWriter();
  const aof = new kv.RespWriter();
  const ctx = {
    keys: new kv.Keyspace(),
    out,
    log: (args: readonly (Uint8Array | string)[]) => aof.command(args),
    client: { id: 1, name: '', closeAfterReply: false },
    server: {
      startedAt: 0,
      port: undefined,
      connectedClients: () => 1,
      commandsProcessed: 0,
      requestRewrite: () => false,
      persistenceInfo: () => ({}),
      limits: kv.limits,
      disconnections: kv.noDisconnections(),
    },
  };
  const parser = new kv.RespParser();
  const lent = Buffer.from(chunk, 'latin1');
  let replies = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CHUNKS; i++) {
    parser.feed(lent);
    for (let args = parser.next(); args !== undefined; args = parser.next()) {
      ctx.server.commandsProcessed++;
      kv.dispatch(args, ctx);
    }
    parser.retain();
    replies += (out as Bytes).length;
    out.reset();
    aof.reset();
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (replies === 0) throw new Error('no replies');
  return ns / (CHUNKS * PIPELINE);
}

async function main(): Promise<void> {
  const versions: [string, KvModules][] = [
    ['this version', await load(join(HERE, '..', 'packages', 'apps', 'src', 'kv'))],
  ];
  if (process.argv[2] !== undefined) versions.push([`${process.argv[2]}`, await load(resolve(process.argv[2]))]);
  const key = 'key:__rand_int__';
  const chunks = {
    SET: request('SET', key, 'xxx').repeat(PIPELINE),
    GET: request('GET', key).repeat(PIPELINE),
  };
  console.log(`KV server code per request (no kernel): ${PIPELINE} pipelined requests a chunk, median of ${SAMPLES}`);
  for (const [test, chunk] of Object.entries(chunks)) {
    const samples = versions.map(() => [] as number[]);
    for (let s = 0; s < SAMPLES + 1; s++)
      versions.forEach(([, kv], i) => {
        const ns = run(kv, chunk);
        // The first sample of each warms up.
        if (s > 0) samples[i]!.push(ns);
      });
    const medians = samples.map((x) => median(x));
    const line = versions.map(([name], i) => `${name} ${medians[i]!.toFixed(0)} ns`).join(', ');
    const ratio = medians.length > 1 ? `; ratio ${(medians[1]! / medians[0]!).toFixed(2)}` : '';
    console.log(`${test}: ${line}${ratio}`);
  }
}

await main();
