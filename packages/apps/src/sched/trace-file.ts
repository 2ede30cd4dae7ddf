/**
 * The trace format `dios sched simulate --trace FILE` reads: JSON lines, one
 * task per line (blank lines and lines starting with # are skipped):
 *
 * ```
 * {"job":"j1","submit":0,"duration":1200,"class":"memory","blocks":[{"bytes":134217728,"on":["m1","m4","m9"]}]}
 * {"job":"j1","submit":0,"duration":900,"input":{"m2":1000,"m3":500},"total":1500}
 * ```
 *
 * - `job` (string, required): the task's job.
 * - `submit` (ms ≥ 0, required): when it arrives.
 * - `duration` (ms ≥ 0, required): how long it runs with its input local.
 * - `blocks` (array of `{bytes, on: [machine, ...]}`): its input blocks and the
 *   machines with a replica of each; or `input` (`{machine: bytes}`) with
 *   `total` (bytes in all, default the sum; less when replicas overlap), or
 *   neither (no input). Machines are named m0..m{M-1}.
 * - `class` (cpu, memory or unknown; default unknown).
 * - `id` (string; default JOB.tN, N counting the job's lines from 0).
 *
 * Lines need not be in order of `submit`; tasks with equal times keep the
 * file's order. Every mistake is EINVAL naming the line and the field.
 * @module
 */
import { errors, TASK_CLASSES, type TaskClass } from '@dios/kernel';
import { bytesByMachine, type InputBlock, type SimTask } from './workload.js';

const CALL = 'trace';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * The tasks of the trace `text`, in order of submission. `machines`: the
 * cluster's machine ids, when input on any other machine is a mistake.
 */
export function parseTrace(text: string, machines?: ReadonlySet<string>): SimTask[] {
  const tasks: SimTask[] = [];
  const ids = new Set<string>();
  const perJob = new Map<string, number>();
  const lines = text.split('\n');
  lines.forEach((raw, n) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const bad = (field: string, detail: string) => errors.EINVAL(CALL, `line ${n + 1}: ${field}`, detail);
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw bad('json', `not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!isObject(v)) throw bad('json', 'expected an object');
    for (const key of Object.keys(v))
      if (!['id', 'job', 'submit', 'duration', 'blocks', 'input', 'total', 'class'].includes(key))
        throw bad(key, 'not a field of a trace line');
    if (typeof v.job !== 'string' || v.job === '') throw bad('job', 'expected a non-empty string');
    const number = (field: 'submit' | 'duration') => {
      const x = v[field];
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw bad(field, 'expected a number of ms ≥ 0');
      return x;
    };
    const submitMs = number('submit');
    const durationMs = number('duration');
    const taskClass = v.class ?? 'unknown';
    if (!TASK_CLASSES.includes(taskClass as TaskClass))
      throw bad('class', `expected one of ${TASK_CLASSES.join(', ')}`);
    const machine = (field: string, m: unknown): string => {
      if (typeof m !== 'string' || m === '') throw bad(field, 'expected a machine id');
      if (machines !== undefined && !machines.has(m)) throw bad(field, `no machine ${m} in the cluster`);
      return m;
    };
    let inputBytes: Record<string, number> = {};
    let totalBytes = 0;
    let blocks: InputBlock[] | undefined;
    if (v.blocks !== undefined) {
      if (v.input !== undefined || v.total !== undefined) throw bad('blocks', 'give blocks, or input and total');
      if (!Array.isArray(v.blocks)) throw bad('blocks', 'expected an array');
      blocks = v.blocks.map((b: unknown, k) => {
        if (!isObject(b)) throw bad(`blocks[${k}]`, 'expected an object {bytes, on}');
        if (!isCount(b.bytes)) throw bad(`blocks[${k}].bytes`, 'expected a byte count');
        if (!Array.isArray(b.on)) throw bad(`blocks[${k}].on`, 'expected an array of machine ids');
        const replicas = b.on.map((m: unknown, r) => machine(`blocks[${k}].on[${r}]`, m));
        if (new Set(replicas).size !== replicas.length) throw bad(`blocks[${k}].on`, 'a machine is listed twice');
        return { bytes: b.bytes, replicas };
      });
      inputBytes = bytesByMachine(blocks);
      totalBytes = blocks.reduce((s, b) => s + b.bytes, 0);
    } else if (v.input !== undefined) {
      if (!isObject(v.input)) throw bad('input', 'expected an object {machine: bytes}');
      let most = 0;
      for (const [m, bytes] of Object.entries(v.input)) {
        machine(`input.${m}`, m);
        if (!isCount(bytes)) throw bad(`input.${m}`, 'expected a byte count');
        inputBytes[m] = bytes;
        totalBytes += bytes;
        most = Math.max(most, bytes);
      }
      if (v.total !== undefined) {
        if (!isCount(v.total) || v.total < most)
          throw bad('total', `expected a byte count of at least ${most} (the largest input entry)`);
        totalBytes = v.total;
      }
    } else if (v.total !== undefined) throw bad('total', 'needs input');
    const count = perJob.get(v.job) ?? 0;
    perJob.set(v.job, count + 1);
    const id = v.id ?? `${v.job}.t${count}`;
    if (typeof id !== 'string' || id === '') throw bad('id', 'expected a non-empty string');
    if (ids.has(id)) throw bad('id', `task ${id} is already in the trace`);
    ids.add(id);
    tasks.push({
      id,
      job: v.job,
      submitMs,
      durationMs,
      inputBytes,
      totalBytes,
      ...(blocks !== undefined && { blocks }),
      taskClass: taskClass as TaskClass,
    });
  });
  // Stable: equal times keep the file's order.
  return tasks.sort((a, b) => a.submitMs - b.submitMs);
}
