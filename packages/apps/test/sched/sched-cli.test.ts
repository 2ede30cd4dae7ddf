import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schedCommand } from '../../src/cli/sched-command.js';
import { inProcess } from '../cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'dios-sched-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]): Promise<string> {
  let text = '';
  expect(await schedCommand(['simulate', ...args], { write: (s: string) => (text += s) })).toBe(0);
  return text;
}

describe('dios sched simulate', () => {
  it('prints a row per scheduler with ratios against the first', async () => {
    const text = await run('--machines', '12', '--tasks', '200', '--racks', '3');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `12 machines x 8 slots in 3 racks; 200 tasks in ${lines[0]!.match(/in (\d+) jobs/)![1]} jobs, ` +
        `${lines[0]!.match(/([\d.]+) GiB/)![1]} GiB of input (job mix seed 1, skew 1); rounds every 100 ms`,
    );
    expect(lines[1]).toMatch(/^scheduler +placed +latency .* moved GiB \(in-rack\/cross\) +moved vs flow/);
    expect(lines[2]).toMatch(/^flow +200\/200 .* 1\.00x .* 1\.00x$/);
    expect(lines[3]).toMatch(/^greedy +200\/200 /);
    expect(lines[4]).toMatch(/^random +200\/200 /);
    expect(lines).toHaveLength(5);
  });

  it('--json gives the figures; --schedulers picks and orders them; the same seed gives the same figures', async () => {
    const args = ['--machines', '12', '--tasks', '200', '--schedulers', 'random,greedy', '--seed', '4', '--json'];
    const a = JSON.parse(await run(...args)) as {
      workload: Record<string, unknown>;
      baseline: string;
      results: {
        scheduler: string;
        placed: number;
        movedBytes: number;
        makespanMs: number;
        ratios: { moved: number };
      }[];
    };
    expect(a.workload).toMatchObject({ machines: 12, slots: 8, racks: 0, tasks: 200, seed: 4, skew: 1, roundMs: 100 });
    expect(a.baseline).toBe('random');
    expect(a.results.map((r) => [r.scheduler, r.placed])).toEqual([
      ['random', 200],
      ['greedy', 200],
    ]);
    expect(a.results[0]!.ratios.moved).toBe(1);
    expect(a.results[1]!.ratios.moved).toBeCloseTo(a.results[1]!.movedBytes / a.results[0]!.movedBytes, 12);
    const b = JSON.parse(await run(...args)) as typeof a;
    const strip = (x: typeof a) => x.results.map((r) => [r.movedBytes, r.makespanMs]);
    expect(strip(b)).toEqual(strip(a));
  });

  it('--trace runs a small file on the cluster given', async () => {
    const file = join(dir, 'ok.jsonl');
    writeFileSync(
      file,
      [
        '{"job":"a","submit":0,"duration":100,"blocks":[{"bytes":1000,"on":["m1"]}]}',
        '{"job":"a","submit":0,"duration":100,"input":{"m0":10}}',
        '{"job":"b","submit":50,"duration":10,"class":"cpu"}',
      ].join('\n'),
    );
    const out = JSON.parse(
      await run('--machines', '2', '--slots', '1', '--trace', file, '--json', '--schedulers', 'greedy'),
    ) as {
      workload: Record<string, unknown>;
      results: { placed: number; movedBytes: number }[];
    };
    expect(out.workload).toMatchObject({ machines: 2, tasks: 3, jobs: 2, inputBytes: 1010, trace: file });
    // Greedy puts each input task on the machine holding its input.
    expect(out.results.map((r) => [r.placed, r.movedBytes])).toEqual([[3, 0]]);
  });

  it('usage errors exit 2 and name the argument, trace mistakes included', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"job":"a","submit":0,"duration":1}\n{"job":"a","submit":0,"duration":"long"}\n');
    const far = join(dir, 'far.jsonl');
    writeFileSync(far, '{"job":"a","submit":0,"duration":1,"input":{"m5":1}}\n');
    const cases: [string[], RegExp][] = [
      [[], /missing subcommand of sched \(one of: simulate\)/],
      [['run'], /unknown subcommand 'run' of sched/],
      [['simulate'], /missing option --machines M/],
      [['simulate', '--machines', '4'], /missing option --tasks T \(or --trace FILE\)/],
      [
        ['simulate', '--machines', 'x', '--tasks', '1'],
        /option --machines: expected a whole number from 1 to 1000000, got 'x'/,
      ],
      [['simulate', '--machines', '4', '--tasks', '-1'], /--tasks/],
      [['simulate', '--machines', '4', '--tasks', '1', '--racks', '5'], /option --racks: .* from 1 to 4, got '5'/],
      [['simulate', '--machines', '4', '--tasks', '1', '--slots', '0'], /--slots/],
      [
        ['simulate', '--machines', '4', '--tasks', '1', '--skew', 'lots'],
        /option --skew: expected a number from 0 to 10/,
      ],
      [
        ['simulate', '--machines', '4', '--tasks', '1', '--schedulers', 'greedy,best'],
        /--schedulers: expected flow, greedy or random, got 'best'/,
      ],
      [['simulate', '--machines', '4', '--tasks', '1', '--schedulers', 'greedy,greedy'], /each scheduler once/],
      [['simulate', '--machines', '4', '--tasks', '1', '--trace', bad], /exclude each other/],
      [
        ['simulate', '--machines', '4', '--trace', join(dir, 'none.jsonl')],
        /option --trace: cannot read .*none\.jsonl' \(ENOENT\)/,
      ],
      [
        ['simulate', '--machines', '4', '--trace', bad],
        /option --trace: .*bad\.jsonl, line 2: duration: expected a number of ms/,
      ],
      [['simulate', '--machines', '4', '--trace', far], /far\.jsonl, line 1: input\.m5: no machine m5 in the cluster/],
      [['simulate', '--machines', '4', '--tasks', '1', '--bogus'], /unknown option '--bogus'/],
      [['simulate', '--machines', '4', '--tasks', '1', 'extra'], /extra argument 'extra'/],
    ];
    for (const [args, message] of cases) {
      const r = await inProcess(['sched', ...args]);
      expect([r.status, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).toMatch(/Try 'dios help sched( simulate)?'/);
    }
  });

  it('--help prints the usage', async () => {
    const r = await inProcess(['sched', 'simulate', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: dios sched simulate --machines M (--tasks T | --trace FILE) [options]');
    expect(r.stdout).toContain('--round-ms MS');
  });
});
