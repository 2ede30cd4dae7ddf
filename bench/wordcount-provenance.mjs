/**
 * The provenance part of bench:ifc: WordCount run as `dios wordcount FILE
 * --all` runs it (one kernel, worker threads, one map per core, the file
 * loaded into a shared-memory blob), with the kernel booted with provenance
 * recording on (the default) or off. The CLI boots with the defaults only,
 * so this script repeats its few steps with the one option that differs.
 * Prints the counts, then one line `PROVENANCE <records>` on stderr.
 *
 *   node bench/wordcount-provenance.mjs FILE on|off
 * Plain JavaScript, so it starts as fast as the dios command (no TypeScript loader).
 * @module
 */
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { installMapReducePrograms, wordCountRecords } from '@dios/apps';
import { Kernel, ObjectType } from '@dios/kernel';
import { useWorkers } from '@dios/kernel/node';

const [file, mode] = process.argv.slice(2);
if (file === undefined || (mode !== 'on' && mode !== 'off')) {
  console.error('usage: node bench/wordcount-provenance.mjs FILE on|off');
  process.exit(2);
}
// As the CLI: at most 512 MiB per map, one map per core up to that; a chunk of 8 MiB per begin_write.
const SPLIT_BYTES = 512 * 1024 * 1024;
const CHUNK = 8 * 1024 * 1024;

const kernel = await Kernel.boot({ id: 'dios-wordcount', ...(mode === 'off' ? { provenance: false } : {}) });
const pool = useWorkers(kernel, { size: 0 });
try {
  await installMapReducePrograms(kernel);
  const sys = kernel.init;
  const handle = await open(file, 'r');
  const size = (await handle.stat()).size;
  const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { capacity: size });
  for (let at = 0; at < size;) {
    const buffer = await sys.beginWrite(ref, Math.min(CHUNK, size - at), { offset: at });
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, at + filled);
      if (bytesRead === 0) throw new Error(`${file} shrank while being read`);
      filled += bytesRead;
    }
    await sys.endWrite(ref, buffer);
    at += buffer.length;
  }
  await handle.close();
  const cpus = availableParallelism();
  const records = await wordCountRecords(sys, [ref], {
    maps: Math.max(cpus, Math.ceil(size / SPLIT_BYTES)),
    reduces: cpus,
    parallel: cpus,
    releaseInputs: true,
    top: Infinity,
  });
  await new Promise((resolve, reject) => process.stdout.write(records, (e) => (e ? reject(e) : resolve())));
  console.error(`PROVENANCE ${kernel.provenance?.total ?? 0}`);
} finally {
  await pool.close();
}
