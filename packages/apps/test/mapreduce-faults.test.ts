/**
 * Failed tasks are run again: an attempt that fails part-way (after writing
 * some of its output) is replaced by a new attempt whose output replaces
 * what the failed one left; a task that fails every attempt fails the job
 * with an error naming it.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { version } from 'uuid';
import type { SystemCalls } from '@dios/kernel';
import { runMapReduce, wordCount, wordCountSync } from '@dios/apps';
import { FAULTS_ENV } from '@dios/apps/testing';
import { bootKernel, putBlob } from './helpers.js';

const bytes = readFileSync('/usr/share/common-licenses/GPL-3');
let sys: SystemCalls;
let failures: unknown[];
beforeAll(async () => ({ sys, failures } = await bootKernel()));

const faults = (spec: string) => ({ [FAULTS_ENV]: spec });

describe('failure injection', () => {
  it('a map and a reduce that fail once: the job still gives the right counts', async () => {
    failures.length = 0;
    const input = await putBlob(sys, bytes);
    const counts = await wordCount(sys, [input], { maps: 4, reduces: 4, env: faults('map:2:1,reduce:1:1') });
    expect(counts).toEqual(wordCountSync(bytes));
    expect(failures.map((e) => (e as Error).message).sort()).toEqual([
      'injected fault: map task 2, attempt 1',
      'injected fault: reduce task 1, attempt 1',
    ]);
  });

  it('tasks that fail twice succeed at the third attempt, within the default three', async () => {
    failures.length = 0;
    const input = await putBlob(sys, bytes);
    const counts = await wordCount(sys, [input], {
      maps: 3,
      reduces: 2,
      env: faults('map:0:1,map:0:2,reduce:0:1,reduce:0:2'),
    });
    expect(counts).toEqual(wordCountSync(bytes));
    expect(failures).toHaveLength(4);
  });

  it('a map task that always fails: EIO naming map[1] and the cause', async () => {
    const input = await putBlob(sys, bytes);
    const job = wordCount(sys, [input], {
      maps: 3,
      reduces: 2,
      attempts: 2,
      job: 'doomed-map',
      env: faults('map:1:*'),
    });
    await expect(job).rejects.toMatchObject({ code: 'EIO', argument: 'map[1]' });
    await expect(job).rejects.toThrow(
      /map task 1 of job doomed-map failed 2 time\(s\).*injected fault: map task 1, attempt 2/,
    );
  });

  it('a reduce task that always fails: EIO naming reduce[0]', async () => {
    const input = await putBlob(sys, bytes);
    const job = runMapReduce(sys, {
      app: 'wordcount',
      inputs: [input],
      maps: 2,
      reduces: 3,
      job: 'doomed-reduce',
      env: faults('reduce:0:*'),
    });
    await expect(job).rejects.toMatchObject({ code: 'EIO', argument: 'reduce[0]' });
    await expect(job).rejects.toThrow(/reduce task 0 of job doomed-reduce failed 3 time\(s\)/);
  });

  it('a job id can be used again after a failed job: its objects are replaced', async () => {
    const input = await putBlob(sys, bytes);
    await expect(
      wordCount(sys, [input], { maps: 2, reduces: 2, attempts: 1, job: 'again', env: faults('reduce:1:*') }),
    ).rejects.toMatchObject({ code: 'EIO' });
    expect(await wordCount(sys, [input], { maps: 3, reduces: 2, job: 'again' })).toEqual(wordCountSync(bytes));
  });

  it('a progress read that a commit of the master invalidates is not an error: the job goes on', async () => {
    const input = await putBlob(sys, bytes);
    // The caller's task as it is, except that its first end_read of a progress object says a commit came in between
    // (what a master in another thread can do at any time).
    let invalidated = 0;
    const racing = new Proxy(sys, {
      get(target, key) {
        if (key === 'endRead') {
          return async (ref: number, view: Uint8Array, flags?: number) => {
            const valid = await target.endRead(ref, view, flags);
            if (invalidated === 0 && new TextDecoder().decode(view).match(/^\d+ \d+$/)) {
              invalidated++;
              return false;
            }
            return valid;
          };
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const seen: number[] = [];
    const counts = await wordCount(racing, [input], {
      maps: 3,
      reduces: 2,
      progressMs: 1,
      onProgress: (done) => seen.push(done),
    });
    expect(invalidated).toBe(1);
    expect(counts).toEqual(wordCountSync(bytes));
    expect(seen.at(-1)).toBe(5);
  });

  it('a job without an id gets job- and a time-ordered (v7) UUID', async () => {
    const input = await putBlob(sys, new TextEncoder().encode('a b a'));
    const first = await runMapReduce(sys, { app: 'wordcount', inputs: [input], maps: 1, reduces: 1 });
    const second = await runMapReduce(sys, { app: 'wordcount', inputs: [input], maps: 1, reduces: 1 });
    for (const { job } of [first, second]) {
      expect(job).toMatch(/^job-/);
      expect(version(job.slice(4))).toBe(7);
    }
    expect(first.job < second.job).toBe(true);
  });

  it('an unknown app is EINVAL naming job.app', async () => {
    await expect(runMapReduce(sys, { app: 'grep', inputs: [], maps: 1, reduces: 1 })).rejects.toMatchObject({
      code: 'EINVAL',
      argument: 'job.app',
    });
  });
});
