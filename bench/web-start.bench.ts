/**
 * How long `dios web serve` takes to have a directory ready: the old way
 * (importDirectory: every file a durable blob in a store with batched
 * fsync, as the command did before serving live) beside the new
 * (mirrorDirectory: shared-memory blobs, then watching), on the same
 * generated tree of 759 files (sizes 200 B to 64 KiB, in nested
 * directories), alternating rounds; medians and the ratio are printed.
 * BENCH_QUICK=1 for one round.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kernel } from '@dios/kernel';
import { FileBlobStore, importDirectory, mirrorDirectory } from '@dios/kernel/node';
import { median } from './harness.js';

const FILES = 759;
const ROUNDS = process.env.BENCH_QUICK === '1' ? 1 : 5;

function makeTree(root: string): number {
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `d${i % 13}`, `e${i % 7}`);
    mkdirSync(dir, { recursive: true });
    const size = 200 + ((i * 7919) % (64 * 1024));
    writeFileSync(join(dir, `file-${i}.html`), Buffer.alloc(size, 97 + (i % 26)));
    bytes += size;
  }
  return bytes;
}

async function importTime(site: string, scratch: string): Promise<number> {
  const store = new FileBlobStore(mkdtempSync(join(scratch, 'store-')), { fsync: 'batch' });
  const start = performance.now();
  const kernel = await Kernel.boot({ id: 'bench-import', store });
  await importDirectory(kernel.init, site, '/www');
  const ms = performance.now() - start;
  await store.close();
  return ms;
}

async function mirrorTime(site: string): Promise<number> {
  const start = performance.now();
  const kernel = await Kernel.boot({ id: 'bench-mirror' });
  const mirror = mirrorDirectory(kernel.init, site, '/www');
  await mirror.ready;
  const ms = performance.now() - start;
  await mirror.close();
  return ms;
}

const scratch = mkdtempSync(join(tmpdir(), 'dios-web-start-'));
try {
  const site = join(scratch, 'site');
  const bytes = makeTree(site);
  const old: number[] = [];
  const live: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    old.push(await importTime(site, scratch));
    live.push(await mirrorTime(site));
  }
  const a = median(old);
  const b = median(live);
  console.log(`${FILES} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB, ${ROUNDS} rounds (medians):`);
  console.log(`  importDirectory into durable blobs (fsync batch): ${a.toFixed(0)} ms`);
  console.log(`  mirrorDirectory into shared-memory blobs:         ${b.toFixed(0)} ms`);
  console.log(`  ratio: ${(a / b).toFixed(1)}x faster to serve`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
