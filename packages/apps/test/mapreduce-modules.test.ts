/**
 * The task programs are self-contained modules: registered by module URL
 * (as a kernel that runs tasks in worker threads will load them) rather
 * than as the functions installMapReducePrograms imports, a job still runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Kernel } from '@dios/kernel';
import { installMapReducePrograms, PROGRAM_IDS, wordCount, wordCountSync } from '@dios/apps';
import { putBlob } from './helpers.js';

describe('task programs as modules', () => {
  it('a job runs with master, map and reduce loaded from their module URLs', async () => {
    const kernel = await Kernel.boot();
    await installMapReducePrograms(kernel);
    for (const [kind, file] of [
      ['master', 'master-task'],
      ['map', 'map-task'],
      ['reduce', 'reduce-task'],
    ] as const) {
      kernel.registerProgram(PROGRAM_IDS[kind], {
        module: new URL(`../src/mapreduce/${file}.ts`, import.meta.url).href,
        export: 'default',
      });
    }
    const bytes = readFileSync('/usr/share/common-licenses/Apache-2.0');
    const counts = await wordCount(kernel.init, [await putBlob(kernel.init, bytes)], { maps: 3, reduces: 2 });
    expect(counts).toEqual(wordCountSync(bytes));
  });
});
