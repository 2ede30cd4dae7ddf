/**
 * The 64 MiB remote blob read of bench:cluster alone, beside its NATS floor,
 * every sample printed (for profiling and tuning: run it with
 * `node --cpu-prof --import tsx bench/remote-read.ts` after `npm run build`).
 *
 *   flock /tmp/bench.lock npx tsx bench/remote-read.ts        (REMOTE_READ_SAMPLES=9)
 *   REMOTE_READ_CHUNKS=8388608,1032192                        (kernel pairs booted with these remoteChunkBytes, read in turn)
 * @module
 */
import { connect } from '@nats-io/transport-node';
import { Kernel, ObjectType } from '@dios/kernel';
import { connectNats, type NatsTransport } from '@dios/kernel/nats';
import { natsFloorMBps } from './nats-floor.js';
import { median } from './harness.js';
import { startNatsServer } from '../packages/kernel/test/support/nats-server.js';

const SAMPLES = Number(process.env.REMOTE_READ_SAMPLES ?? 9);
const BLOB = 64 * 1024 * 1024;
const CHUNKS = (process.env.REMOTE_READ_CHUNKS ?? '').split(',').filter(Boolean).map(Number);

const server = await startNatsServer({ config: 'max_payload: 1MB\n' });
const transports: NatsTransport[] = [];
try {
  // One pair of kernels per chunk size (the default's when none is given), each reading a blob on its peer.
  const readers: { chunk: number | undefined; read: () => Promise<number> }[] = [];
  for (const chunk of CHUNKS.length > 0 ? CHUNKS : [undefined]) {
    const cluster = `rr${process.pid}-${chunk ?? 'default'}`;
    const ka = await Kernel.boot({ id: 'ka', cluster, ...(chunk !== undefined && { remoteChunkBytes: chunk }) });
    const kb = await Kernel.boot({ id: 'kb', cluster, ...(chunk !== undefined && { remoteChunkBytes: chunk }) });
    const pair: NatsTransport[] = [];
    for (const k of [ka, kb]) {
      const t = await connectNats({ servers: server.url, id: k.id, cluster });
      pair.push(t);
      transports.push(t);
      k.join(t);
    }
    while (pair.some((t) => t.peers().length === 0)) await new Promise((r) => setTimeout(r, 20));
    const sa = await ka.attachTask(['rr-a']);
    const sb = await kb.attachTask(['rr-b']);
    const { name, ref } = await sb.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal', capacity: BLOB });
    const buf = await sb.beginWrite(ref, BLOB);
    for (let i = 0; i < BLOB; i += 4096) buf[i] = i & 0xff;
    await sb.endWrite(ref, buf);
    const [remote] = await sa.lookup(name);
    readers.push({
      chunk,
      read: async () => {
        const t0 = performance.now();
        const view = await sa.beginRead(remote!);
        const valid = await sa.endRead(remote!, view);
        if (view.length !== BLOB || !valid) throw new Error('short or invalid read');
        return BLOB / 1e6 / ((performance.now() - t0) / 1000);
      },
    });
  }
  const pub = await connect({ servers: server.url });
  const sub = await connect({ servers: server.url });
  const floor = (): Promise<number> => natsFloorMBps(pub, sub, BLOB);
  for (const r of readers) await r.read();
  await floor();
  const reads = readers.map(() => [] as number[]);
  const floors: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    for (const [k, r] of readers.entries()) reads[k]!.push(await r.read());
    floors.push(await floor());
    console.log(
      `sample ${i}: ${readers.map((r, k) => `read (chunk ${r.chunk ?? 'default'}) ${reads[k]![i]!.toFixed(0)} MB/s`).join(', ')}, floor ${floors[i]!.toFixed(0)} MB/s`,
    );
  }
  for (const [k, r] of readers.entries()) {
    console.log(
      `64 MiB remote read (chunk ${r.chunk ?? 'default'}) ${median(reads[k]!).toFixed(0)} MB/s, NATS floor ${median(floors).toFixed(0)} MB/s, ratio ${(median(reads[k]!) / median(floors)).toFixed(2)} (medians of ${SAMPLES})`,
    );
  }
  await pub.close();
  await sub.close();
} finally {
  for (const t of transports) await t.close();
  server.stop();
}
