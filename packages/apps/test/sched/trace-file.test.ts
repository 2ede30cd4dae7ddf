import { describe, expect, it } from 'vitest';
import { parseTrace } from '../../src/sched/index.js';

describe('parseTrace', () => {
  it('reads blocks, input with total, no input; sorts by submit keeping the file order on ties; skips blanks and #', () => {
    const text = [
      '# a comment',
      '{"job":"j1","submit":20,"duration":5,"class":"memory","blocks":[{"bytes":100,"on":["m1","m2"]},{"bytes":50,"on":["m2"]}]}',
      '',
      '{"job":"j1","submit":10,"duration":7,"input":{"m0":30,"m3":20},"total":40}',
      '{"job":"j2","submit":10,"duration":1,"id":"x"}',
    ].join('\n');
    const tasks = parseTrace(text, new Set(['m0', 'm1', 'm2', 'm3']));
    expect(tasks.map((t) => [t.id, t.job, t.submitMs, t.durationMs, t.taskClass, t.totalBytes])).toEqual([
      ['j1.t1', 'j1', 10, 7, 'unknown', 40],
      ['x', 'j2', 10, 1, 'unknown', 0],
      ['j1.t0', 'j1', 20, 5, 'memory', 150],
    ]);
    expect(tasks[0]!.inputBytes).toEqual({ m0: 30, m3: 20 });
    expect(tasks[0]!.blocks).toBeUndefined();
    expect(tasks[2]!.inputBytes).toEqual({ m1: 100, m2: 150 });
    expect(tasks[2]!.blocks).toEqual([
      { bytes: 100, replicas: ['m1', 'm2'] },
      { bytes: 50, replicas: ['m2'] },
    ]);
    // Without total, input bytes are counted once each.
    expect(parseTrace('{"job":"a","submit":0,"duration":0,"input":{"m0":3,"m1":4}}')[0]!.totalBytes).toBe(7);
  });

  it.each([
    ['{"job":"j","submit":0,"duration":1', 'line 1: json', /not JSON/],
    ['[1]', 'line 1: json', /expected an object/],
    ['{"job":"","submit":0,"duration":1}', 'line 1: job', /non-empty string/],
    ['{"job":"j","submit":-1,"duration":1}', 'line 1: submit', /ms ≥ 0/],
    ['{"job":"j","submit":0}', 'line 1: duration', /ms ≥ 0/],
    ['{"job":"j","submit":0,"duration":1,"class":"gpu"}', 'line 1: class', /cpu, memory, unknown/],
    ['{"job":"j","submit":0,"duration":1,"colour":"red"}', 'line 1: colour', /not a field/],
    ['{"job":"j","submit":0,"duration":1,"blocks":[{"bytes":1.5,"on":[]}]}', 'line 1: blocks[0].bytes', /byte count/],
    ['{"job":"j","submit":0,"duration":1,"blocks":[{"bytes":1,"on":["m0","m0"]}]}', 'line 1: blocks[0].on', /twice/],
    [
      '{"job":"j","submit":0,"duration":1,"blocks":[{"bytes":1,"on":["m7"]}]}',
      'line 1: blocks[0].on[0]',
      /no machine m7/,
    ],
    ['{"job":"j","submit":0,"duration":1,"blocks":[],"total":3}', 'line 1: blocks', /or input and total/],
    ['{"job":"j","submit":0,"duration":1,"input":{"m0":"many"}}', 'line 1: input.m0', /byte count/],
    ['{"job":"j","submit":0,"duration":1,"input":{"m9":1}}', 'line 1: input.m9', /no machine m9/],
    ['{"job":"j","submit":0,"duration":1,"input":{"m0":5},"total":4}', 'line 1: total', /at least 5/],
    ['{"job":"j","submit":0,"duration":1,"total":4}', 'line 1: total', /needs input/],
    ['\n# x\n{"job":"j","submit":0,"duration":1,"id":7}', 'line 3: id', /non-empty string/],
    [
      '{"job":"j","submit":0,"duration":1,"id":"a"}\n{"job":"k","submit":0,"duration":1,"id":"a"}',
      'line 2: id',
      /already/,
    ],
  ])('%s: EINVAL naming %s', (text, argument, detail) => {
    let error: unknown;
    try {
      parseTrace(text, new Set(['m0', 'm1']));
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'EINVAL', syscall: 'trace', argument });
    expect((error as Error).message).toMatch(detail);
  });
});
