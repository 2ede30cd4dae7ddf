/**
 * Cluster benchmark, over a real nats-server on loopback (started here,
 * default max_payload, so large frames travel in parts). Measures, in the
 * same run: with two kernels in this process, remote lookup latency beside
 * a local lookup, and remote read throughput of a 64 MiB blob beside the
 * NATS floor (the same bytes published in 1 MiB messages to a subscriber,
 * no kernel), target >= 0.85 of the floor; fgets over a 16 MiB remote text
 * (libd, a FILE over the remote blob) beside fgets over the same blob on its
 * own kernel, target >= 100 MB/s; then WordCount on 256 MB across three
 * node processes (`dios wordcount --cluster`) beside the same job on one
 * kernel (see cluster-wordcount.ts).
 *
 *   npm run bench:cluster
 *   BENCH_QUICK=1 npm run bench:cluster          (fewer samples, 16 MB WordCount, one run)
 *   BENCH_CLUSTER_MB=64 BENCH_CLUSTER_RUNS=5     (WordCount size and runs)
 *   BENCH_WORDCOUNT_KEEP=1                       (keep the generated text for the next run)
 *   BENCH_CLUSTER_MB=0                           (no WordCount: remote I/O only)
 * @module
 */
import { connect } from '@nats-io/transport-node';
import { Kernel, LookupFlags, ObjectType, type SystemCalls } from '@dios/kernel';
import { connectNats, type NatsTransport } from '@dios/kernel/nats';
import { fclose, fgets, fopen } from '@dios/libd';
import { clusterWordCount } from './cluster-wordcount.js';
import { natsFloorMBps } from './nats-floor.js';
import { median, printTable } from './harness.js';
import { startNatsServer } from '../packages/kernel/test/support/nats-server.js';

const QUICK = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
const SAMPLES = QUICK ? 3 : 9;
const LOOKUPS = QUICK ? 200 : 1000;
const BLOB = 64 * 1024 * 1024;
const WC_MB = Number(process.env.BENCH_CLUSTER_MB ?? (QUICK ? 16 : 256));
const WC_RUNS = Number(process.env.BENCH_CLUSTER_RUNS ?? (QUICK ? 1 : 3));
const KEEP = process.env.BENCH_WORDCOUNT_KEEP === '1';
const USER = 'bench';
const PASS = 'bench-pass';

async function lookupMicros(sys: SystemCalls, name: Parameters<SystemCalls['lookup']>[0], flags = 0): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < LOOKUPS; i++) {
    const [h] = await sys.lookup(name, flags);
    await sys.delete(h!);
  }
  return ((performance.now() - t0) * 1000) / LOOKUPS;
}

async function readMBps(sys: SystemCalls, ref: number): Promise<number> {
  const t0 = performance.now();
  const view = await sys.beginRead(ref);
  let sum = 0;
  for (let i = 0; i < view.length; i += 4096) sum += view[i]!;
  await sys.endRead(ref, view);
  const s = (performance.now() - t0) / 1000;
  if (view.length !== BLOB || sum < 0) throw new Error('short read');
  return BLOB / 1e6 / s;
}

const TEXT = 16 * 1024 * 1024;

// 16 MiB of text lines of 20 to 100 characters (words of a small vocabulary), as a log or source file has.
function makeText(): Uint8Array {
  const words = ['remote', 'kernel', 'object', 'blob', 'read', 'line', 'text', 'name', 'version', 'lease', 'nats'];
  const out = new Uint8Array(TEXT);
  let at = 0;
  let seed = 7;
  let line = 0;
  while (at < TEXT) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const word = words[seed % words.length]!;
    for (let i = 0; i < word.length && at < TEXT; i++) out[at++] = word.charCodeAt(i);
    line += word.length + 1;
    if (at < TEXT) out[at++] = line > 20 + (seed % 80) ? 0x0a : 0x20;
    if (out[at - 1] === 0x0a) line = 0;
  }
  return out;
}

// fgets over the whole blob through a FILE on `ref`, in MB/s; checks that every byte came (lines and length).
async function fgetsMBps(sys: SystemCalls, ref: number, lines: number): Promise<number> {
  const t0 = performance.now();
  const file = await fopen(sys, { ref }, 'r');
  let n = 0;
  let chars = 0;
  for (let line = await fgets(file, Infinity); line !== null; line = await fgets(file, Infinity)) {
    n++;
    chars += line.length;
  }
  await fclose(file);
  const s = (performance.now() - t0) / 1000;
  if (n !== lines || chars !== TEXT) throw new Error(`fgets read ${n} lines, ${chars} chars`);
  return TEXT / 1e6 / s;
}

async function main(): Promise<void> {
  const server = await startNatsServer({ config: 'max_payload: 1MB\n', args: ['--user', USER, '--pass', PASS] });
  const transports: NatsTransport[] = [];
  try {
    const servers = server.url;
    const cluster = `bench${process.pid}`;
    const ka = await Kernel.boot({ id: 'ka', cluster });
    const kb = await Kernel.boot({ id: 'kb', cluster });
    for (const k of [ka, kb]) {
      const t = await connectNats({ servers, id: k.id, cluster, user: USER, pass: PASS });
      transports.push(t);
      k.join(t);
    }
    while (transports.some((t) => t.peers().length === 0)) await new Promise((r) => setTimeout(r, 20));
    const sa = await ka.attachTask(['bench-a']);
    const sb = await kb.attachTask(['bench-b']);
    const { name, ref } = await sb.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal', capacity: BLOB });
    const buf = await sb.beginWrite(ref, BLOB);
    for (let i = 0; i < BLOB; i += 4096) buf[i] = i & 0xff;
    await sb.endWrite(ref, buf);
    const [remote] = await sa.lookup(name);
    const text = makeText();
    const lines = text.filter((b) => b === 0x0a).length + (text[TEXT - 1] === 0x0a ? 0 : 1);
    const made = await sb.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal', capacity: TEXT });
    const tbuf = await sb.beginWrite(made.ref, TEXT);
    tbuf.set(text);
    await sb.endWrite(made.ref, tbuf);
    const [remoteText] = await sa.lookup(made.name);

    // The NATS floor: the same bytes in 1 MiB messages to a subscriber, no kernel in between.
    const pub = await connect({ servers, user: USER, pass: PASS });
    const sub = await connect({ servers, user: USER, pass: PASS });
    const floorMBps = (): Promise<number> => natsFloorMBps(pub, sub, BLOB);

    const remoteLookup: number[] = [];
    const localLookup: number[] = [];
    const remoteRead: number[] = [];
    const floor: number[] = [];
    const remoteFgets: number[] = [];
    const localFgets: number[] = [];
    await lookupMicros(sa, name);
    await readMBps(sa, remote!);
    await fgetsMBps(sa, remoteText!, lines);
    await fgetsMBps(sb, made.ref, lines);
    for (let i = 0; i < SAMPLES; i++) {
      remoteLookup.push(await lookupMicros(sa, name));
      localLookup.push(await lookupMicros(sb, name, LookupFlags.LOCAL_ONLY));
      remoteRead.push(await readMBps(sa, remote!));
      floor.push(await floorMBps());
      remoteFgets.push(await fgetsMBps(sa, remoteText!, lines));
      localFgets.push(await fgetsMBps(sb, made.ref, lines));
    }
    await pub.close();
    await sub.close();
    for (const t of transports.splice(0)) await t.close();
    const read = median(remoteRead);
    const fgetsRate = median(remoteFgets);
    const ioRows = [
      [
        '64 MiB remote blob read (vs NATS floor)',
        `${read.toFixed(0)} MB/s`,
        `${median(floor).toFixed(0)} MB/s`,
        (read / median(floor)).toFixed(2),
        '>= 0.85',
        read / median(floor) >= 0.85 ? 'PASS' : 'FAIL',
      ],
      [
        'fgets over a 16 MiB remote text (vs the same blob local)',
        `${fgetsRate.toFixed(0)} MB/s`,
        `${median(localFgets).toFixed(0)} MB/s`,
        (fgetsRate / median(localFgets)).toFixed(2),
        '>= 100 MB/s',
        fgetsRate >= 100 ? 'PASS' : 'FAIL',
      ],
    ];
    const lookupRow = [
      'lookup latency (remote object / local)',
      `${median(remoteLookup).toFixed(1)} µs`,
      `${median(localLookup).toFixed(1)} µs`,
      (median(remoteLookup) / median(localLookup)).toFixed(1),
      '-',
      'info',
    ];
    const ioNotes = () => {
      console.log(
        'remote lookup: lookup + delete of an object on the other kernel (two requests over NATS: the lookup, then the release); local: the same with LOCAL_ONLY on its own kernel (no request)',
      );
      console.log(
        'remote read: begin_read of the whole 64 MiB blob on the other kernel (one begin-read per chunk of remoteChunkBytes, a window of them in flight) + end_read',
      );
      console.log(
        'NATS floor: 64 MiB published in 1 MiB messages from one connection to a subscriber on another, no kernel',
      );
      console.log(
        `fgets: fopen({ ref }, 'r') on a 16 MiB blob of ${lines} text lines, fgets(file, Infinity) to the end, fclose; remote: the reference is a proxy on the other kernel; local: the home task's own reference`,
      );
    };
    if (WC_MB <= 0) {
      console.log('');
      console.log(
        `DIOS remote I/O over nats-server ${servers} (max_payload 1 MiB); two kernels in one process, ${SAMPLES} samples; medians`,
      );
      console.log('');
      printTable([['measure', 'DIOS', 'baseline', 'ratio', 'target', 'result'], lookupRow, ...ioRows]);
      console.log('');
      ioNotes();
      return;
    }
    console.log(`WordCount: ${WC_MB} MB, ${WC_RUNS} run(s) per contender, interleaved`);
    const wc = await clusterWordCount({ servers, user: USER, pass: PASS }, WC_MB, WC_RUNS, KEEP);
    const mbps = (ms: number) => `${(wc.bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`;
    console.log('');
    console.log(
      `DIOS cluster benchmark over nats-server ${servers} (max_payload 1 MiB); lookups and reads: two kernels in one process, ${SAMPLES} samples; WordCount: ${WC_RUNS} run(s); medians`,
    );
    console.log('');
    printTable([
      ['measure', 'DIOS', 'baseline', 'ratio', 'target', 'result'],
      lookupRow,
      ...ioRows,
      [
        `WordCount ${WC_MB} MB: 3 node processes, input from the client (vs one kernel)`,
        `${(wc.clusterMs / 1000).toFixed(2)} s = ${mbps(wc.clusterMs)}`,
        `${(wc.singleMs / 1000).toFixed(2)} s = ${mbps(wc.singleMs)}`,
        `${(wc.singleMs / wc.clusterMs).toFixed(2)}`,
        '-',
        'info',
      ],
      [
        `WordCount ${WC_MB} MB: 3 node processes, input already on them (vs one kernel)`,
        `${(wc.placedMs / 1000).toFixed(2)} s = ${mbps(wc.placedMs)}`,
        `${(wc.singleMs / 1000).toFixed(2)} s = ${mbps(wc.singleMs)}`,
        `${(wc.singleMs / wc.placedMs).toFixed(2)}`,
        '-',
        'info',
      ],
    ]);
    console.log('');
    ioNotes();
    console.log(
      'WordCount: wall time of the dios command, start to exit, loading the file included; the cluster run joins as a client kernel (input and master there), ' +
        'the three nodes (already running) read their splits remotely and run the map and reduce tasks; "input already on them": a third of the text was loaded into a blob on each node before timing, ' +
        'and each map runs on the node holding its part (locality); ratio = one kernel / cluster (above 1: the cluster is faster). ' +
        `All processes share this machine's CPUs. Outputs equal byte for byte in every run. Peak RSS: client ${(wc.clusterClientRss / 2 ** 20).toFixed(0)} MiB, one kernel ${(wc.singleRss / 2 ** 20).toFixed(0)} MiB.`,
    );
  } finally {
    for (const t of transports) await t.close();
    server.stop();
  }
}

await main();
