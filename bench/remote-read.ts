/**
 * The 64 MiB remote blob read of bench:cluster alone, beside its NATS floor,
 * every sample printed (for profiling and tuning: run it with
 * `node --cpu-prof --import tsx bench/remote-read.ts` after `npm run build`).
 *
 *   flock /tmp/bench.lock npx tsx bench/remote-read.ts        (REMOTE_READ_SAMPLES=9)
 * @module
 */
import { connect } from '@nats-io/transport-node';
import { Kernel, ObjectType } from '@dios/kernel';
import { connectNats, type NatsTransport } from '@dios/kernel/nats';
import { median } from './harness.js';
import { startNatsServer } from '../packages/kernel/test/support/nats-server.js';

const SAMPLES = Number(process.env.REMOTE_READ_SAMPLES ?? 9);
const BLOB = 64 * 1024 * 1024;

const server = await startNatsServer({ config: 'max_payload: 1MB\n' });
const transports: NatsTransport[] = [];
try {
  const cluster = `rr${process.pid}`;
  const ka = await Kernel.boot({ id: 'ka', cluster });
  const kb = await Kernel.boot({ id: 'kb', cluster });
  for (const k of [ka, kb]) {
    const t = await connectNats({ servers: server.url, id: k.id, cluster });
    transports.push(t);
    k.join(t);
  }
  while (transports.some((t) => t.peers().length === 0)) await new Promise((r) => setTimeout(r, 20));
  const sa = await ka.attachTask(['rr-a']);
  const sb = await kb.attachTask(['rr-b']);
  const { name, ref } = await sb.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal', capacity: BLOB });
  const buf = await sb.beginWrite(ref, BLOB);
  for (let i = 0; i < BLOB; i += 4096) buf[i] = i & 0xff;
  await sb.endWrite(ref, buf);
  const [remote] = await sa.lookup(name);
  const read = async (): Promise<number> => {
    const t0 = performance.now();
    const view = await sa.beginRead(remote!);
    const valid = await sa.endRead(remote!, view);
    if (view.length !== BLOB || !valid) throw new Error('short or invalid read');
    return BLOB / 1e6 / ((performance.now() - t0) / 1000);
  };
  const pub = await connect({ servers: server.url });
  const sub = await connect({ servers: server.url });
  const chunk = new Uint8Array(1024 * 1024 - 4096);
  const floor = async (): Promise<number> => {
    const subject = `floor.${Math.random()}`;
    let got = 0;
    const done = new Promise<void>((resolve) => {
      sub.subscribe(subject, {
        callback: (_e, m) => {
          got += m.data.length;
          if (got >= BLOB) resolve();
        },
      });
    });
    await sub.flush();
    const t0 = performance.now();
    for (let sent = 0; sent < BLOB; sent += chunk.length) pub.publish(subject, chunk);
    await done;
    return BLOB / 1e6 / ((performance.now() - t0) / 1000);
  };
  await read();
  await floor();
  const reads: number[] = [];
  const floors: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    reads.push(await read());
    floors.push(await floor());
    console.log(`sample ${i}: read ${reads[i]!.toFixed(0)} MB/s, floor ${floors[i]!.toFixed(0)} MB/s`);
  }
  console.log(
    `64 MiB remote read ${median(reads).toFixed(0)} MB/s, NATS floor ${median(floors).toFixed(0)} MB/s, ratio ${(median(reads) / median(floors)).toFixed(2)} (medians of ${SAMPLES})`,
  );
  await pub.close();
  await sub.close();
} finally {
  for (const t of transports) await t.close();
  server.stop();
}
