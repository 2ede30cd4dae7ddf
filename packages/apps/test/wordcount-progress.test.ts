/**
 * Progress of `dios wordcount`: the line's words (binary units, whole
 * percents), a terminal's line redrawn in place, plain lines that never go
 * back and stay few, the job's bytes counted by the kernel while map tasks
 * run in worker threads, and `--progress` from the command run as a process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Kernel } from '@dios/kernel';
import { useWorkers } from '@dios/kernel/node';
import { installMapReducePrograms, wordCount } from '@dios/apps';
import { ProgressBar } from '../src/cli/progress-bar.js';
import { JobWatch } from '../src/cli/wordcount/job-watch.js';
import {
  formatBytes,
  formatProgress,
  wholePercent,
  type JobPhase,
  type JobSnapshot,
} from '../src/cli/wordcount/progress-line.js';
import { MAIN, ROOT } from './cluster-helpers.js';
import { putBlob } from './helpers.js';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'dios-wc-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A stream that keeps what is written to it.
function sink(isTTY: boolean, columns?: number): { stream: NodeJS.WriteStream; text: () => string } {
  const written: string[] = [];
  const stream = {
    isTTY,
    columns,
    write: (s: string) => written.push(s) > 0,
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => written.join('') };
}

const snap = (phase: JobPhase, map: number, reduce: number, bytesDone = 0, bytesTotal?: number): JobSnapshot => ({
  phase,
  bytesDone,
  bytesTotal,
  map,
  reduce,
});

// The map and reduce percents of each plain line.
function percents(lines: readonly string[]): [number, number][] {
  return lines.map((line) => {
    const m = /^map (\d+)% reduce (\d+)%/.exec(line);
    expect(m, line).not.toBeNull();
    return [Number(m![1]), Number(m![2])];
  });
}

function expectMonotone(seen: readonly [number, number][]): void {
  for (let i = 1; i < seen.length; i++) {
    expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
    expect(seen[i]![1]).toBeGreaterThanOrEqual(seen[i - 1]![1]);
  }
}

// At most: ten steps of loading, every whole percent of map and of reduce, and the end.
const MAX_LINES = 11 + 101 + 101 + 1;

describe('the progress line', () => {
  it('bytes in binary units, rounded down', () => {
    expect([0, 1023, 1024, 1536, 1023 * 1024, 45.37 * MiB, 200 * MiB, 5 * 1024 * MiB].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1.0 KiB',
      '1.5 KiB',
      '1023 KiB',
      '45.3 MiB',
      '200 MiB',
      '5.0 GiB',
    ]);
  });

  it('whole percents: 100 only when all is done, kept in [0, 100]', () => {
    expect([0, 0.29, 0.999, 1, 1.5, -0.2, NaN].map(wholePercent)).toEqual([0, 29, 99, 100, 100, 0, 0]);
  });

  it("Hadoop's words, with the phase's bytes", () => {
    expect(formatProgress(snap('map', 0.45, 0, 90 * MiB, 200 * MiB))).toBe(
      'map 45% reduce 0% (map: 90.0 MiB of 200 MiB)',
    );
    expect(formatProgress(snap('load', 0, 0, 3 * MiB))).toBe('map 0% reduce 0% (load: 3.0 MiB)');
    expect(formatProgress(snap('reduce', 1, 0.5))).toBe('map 100% reduce 50% (reduce)');
    expect(formatProgress(snap('done', 1, 1))).toBe('map 100% reduce 100%');
  });
});

describe('the progress bar', () => {
  it('on a terminal: one line redrawn with \\r, cut to the width, erased at the end', () => {
    let now = 0;
    const { stream, text } = sink(true, 40);
    const bar = new ProgressBar(stream, { now: () => now });
    bar.update(snap('map', 0.1, 0, MiB, 10 * MiB));
    expect(text()).toBe(''); // not in the first second
    now = 1000;
    bar.update(snap('map', 0.1, 0, MiB, 10 * MiB));
    bar.update(snap('map', 0.05, 0, MiB / 2, 10 * MiB)); // behind: the line stays as it was
    bar.update(snap('map', 0.5, 0, 5 * MiB, 10 * MiB));
    const drawn = text();
    // 39 columns of 40: the cursor never wraps.
    expect(drawn).toBe(
      '\rmap 10% reduce 0% (map: 1.0 MiB of 10.0\x1b[K\rmap 50% reduce 0% (map: 5.0 MiB of 10.0\x1b[K',
    );
    expect(drawn).not.toContain('\n');
    bar.finish();
    expect(text().slice(drawn.length)).toBe('\r\x1b[K');
  });

  it('not on a terminal and not asked for: nothing at all', () => {
    const { stream, text } = sink(false);
    const bar = new ProgressBar(stream, { delayMs: 0 });
    bar.update(snap('map', 0.5, 0, 1, 2));
    bar.finish();
    expect(text()).toBe('');
  });

  it('--progress lines: monotone, at most one a second, a new phase at once, ending at 100%', () => {
    let now = 0;
    const { stream, text } = sink(false);
    const bar = new ProgressBar(stream, { lines: true, now: () => now });
    bar.update(snap('map', 0, 0, 0, 100));
    now = 400;
    bar.update(snap('map', 0.3, 0, 30, 100)); // too soon
    now = 1000;
    bar.update(snap('map', 0.2, 0, 20, 100)); // behind: shown as 30%
    now = 1100;
    bar.update(snap('reduce', 1, 0, 0, 10)); // a new phase: at once
    now = 1200;
    bar.update(snap('map', 0.9, 0, 90, 100)); // a map run again: the line does not go back
    bar.finish();
    expect(text().split('\n')).toEqual([
      'map 0% reduce 0% (map: 0 B of 100 B)',
      'map 30% reduce 0% (map: 30 B of 100 B)',
      'map 100% reduce 0% (reduce: 0 B of 10 B)',
      'map 100% reduce 100%',
      '',
    ]);
  });

  it('--progress lines stay few for any job, however long and however its figures move', () => {
    let now = 0;
    const { stream, text } = sink(false);
    const bar = new ProgressBar(stream, { lines: true, now: () => now });
    let x = 12345;
    const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const phases: JobPhase[] = ['load', 'map', 'reduce'];
    for (const [p, phase] of phases.entries()) {
      for (let i = 0; i <= 20_000; i++) {
        now += 2000; // every update more than a second after the last
        const share = Math.min(1, (i / 20_000) * (0.9 + 0.2 * rand())); // wobbling, sometimes behind
        bar.update(snap(phase, p === 1 ? share : p > 1 ? 1 : 0, p === 2 ? share : 0, share * 1e9, 1e9));
      }
    }
    bar.finish();
    const lines = text().split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(150);
    expect(lines.length).toBeLessThanOrEqual(MAX_LINES);
    const seen = percents(lines);
    expectMonotone(seen);
    expect(seen.at(-1)).toEqual([100, 100]);
  });
});

describe('the job in bytes, from the kernel', () => {
  it('map tasks in worker threads: their bytes read move during the map phase, and both phases end at 100%', async () => {
    const kernel = await Kernel.boot();
    const pool = useWorkers(kernel, { size: 2 });
    try {
      await installMapReducePrograms(kernel);
      const text = readFileSync('/usr/share/common-licenses/GPL-3');
      // About 6 MiB: two ranges (of 4 MiB at most) for one map task.
      const bytes = Buffer.concat(Array.from({ length: Math.ceil((6 * MiB) / text.length) }, () => text));
      const input = await putBlob(kernel.init, bytes);
      const watch = new JobWatch(kernel, [bytes.length], 1, 2);
      const seen: JobSnapshot[] = [];
      const counts = await wordCount(kernel.init, [input], {
        maps: 1,
        reduces: 2,
        progressMs: 5,
        onProgress: (done) => seen.push(watch.snapshot(done)),
      });
      expect(counts.length).toBeGreaterThan(100);
      const during = seen.filter((s) => s.phase === 'map' && s.bytesDone > 0 && s.bytesDone < bytes.length);
      expect(during.length, JSON.stringify(seen.map((s) => [s.phase, s.bytesDone]))).toBeGreaterThan(0);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.map).toBeGreaterThanOrEqual(seen[i - 1]!.map);
      const end = watch.snapshot(3);
      expect(end).toMatchObject({ phase: 'reduce', map: 1, reduce: 1 });
      expect(end.bytesTotal).toBeGreaterThan(0);
      expect(end.bytesDone).toBe(end.bytesTotal);
    } finally {
      await pool.close();
    }
  });
});

describe('dios wordcount --progress', () => {
  it('plain lines on stderr (never stdout), monotone, bounded, ending at map 100% reduce 100%', () => {
    const text = readFileSync('/usr/share/common-licenses/Apache-2.0');
    const file = join(dir, 'input.txt');
    writeFileSync(file, Buffer.concat(Array.from({ length: 30 }, () => text)));
    const r = spawnSync(
      process.execPath,
      ['--conditions=@dios/source', '--import', 'tsx', MAIN, 'wordcount', '--progress', '--top', '3', file],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^the\t\d+$/),
      expect.stringMatching(/^\w+\t\d+$/),
      expect.stringMatching(/^\w+\t\d+$/),
    ]);
    const lines = r.stderr.split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(MAX_LINES);
    expect(r.stderr).not.toContain('\r');
    const seen = percents(lines);
    expectMonotone(seen);
    expect(lines.at(-1)).toMatch(/^map 100% reduce 100%/);
    expect(lines.filter((l) => l.startsWith('map 100% reduce 100%'))).toHaveLength(1);
  });
});
