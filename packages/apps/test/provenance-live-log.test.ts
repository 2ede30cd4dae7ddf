/**
 * The live provenance blob: after a burst of flows it holds the newest
 * records (at most `records`), in the kernel's order, none of the blob's
 * own; and once the flows stop, so do the saves (a save's own calls do not
 * call for another).
 */
import { describe, expect, it } from 'vitest';
import { Kernel, ObjectType, pathName, type ProvenanceRecord } from '@dios/kernel';
import { loadProvenance } from '@dios/apps';
import { publishProvenance } from '../src/provenance/live-log.js';

const key = (r: ProvenanceRecord) => `${r.at}/${r.task}/${r.object}/${r.operation}/${r.version}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('publishProvenance', () => {
  it('saves the newest records after a burst, without its own blob, then stays quiet', async () => {
    const kernel = await Kernel.boot();
    const sys = kernel.init;
    const log = kernel.provenance!;
    const live = await publishProvenance(kernel, { records: 5, delayMs: 5 });
    if (live === undefined) throw new Error('the kernel keeps a provenance log by default');
    const self = (await pathName(sys.groupNames[0]!, live.path)).key;
    const { ref } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    for (let i = 0; i < 20; i++) {
      const buf = await sys.beginWrite(ref, 1);
      buf[0] = i;
      await sys.endWrite(ref, buf);
    }
    const lastWrite = log.records().findLast((r) => r.operation === 'write' && r.object !== self)!;
    await sleep(100);
    // Idle: with a 5 ms delay, saves calling for saves would add records every few milliseconds.
    const settled = log.records().length;
    await sleep(200);
    expect(log.records().length).toBe(settled);
    await live.close();

    const saved = (await loadProvenance(sys, live.path)).records;
    expect(saved).toHaveLength(5);
    expect(saved.some((r) => r.object === self)).toBe(false);
    expect(saved.map(key)).toContain(key(lastWrite));
    // A run of the log's own records, in its order.
    const others = log
      .records()
      .filter((r) => r.object !== self)
      .map(key);
    const at = others.indexOf(key(saved[0]!));
    expect(others.slice(at, at + 5)).toEqual(saved.map(key));
  });
});
