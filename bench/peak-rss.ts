/**
 * Running a command in a child process and measuring its wall time, CPU
 * time and peak resident set size: with GNU time (`/usr/bin/time -f %M`) when installed,
 * which reports the largest peak of the command's processes; otherwise by
 * sampling VmHWM in /proc for the child and its descendants, taking the
 * largest one as well (a sample may miss the last moments of a process).
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const SAMPLE_MS = 20;

/** How peak RSS is measured on this host. */
export const RSS_METHOD = existsSync(GNU_TIME)
  ? 'GNU time %M (largest process)'
  : `/proc VmHWM sampled every ${SAMPLE_MS} ms (largest process)`;

/** What one run of a command cost. */
export interface RunCost {
  /** Wall time, spawn to exit, in milliseconds. */
  ms: number;
  /** Peak resident set size of the largest of its processes, in bytes. */
  rss: number;
  /** CPU time (user + system) of all its processes, in milliseconds; NaN without GNU time. */
  cpuMs: number;
}

function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // Field 4 of stat is the parent pid; the command name (field 2) may hold spaces, so split after its ')'.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process is gone.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

function hwm(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}

/** Runs `argv` with stdout into file `stdoutPath` (stderr inherited); rejects when it exits non-zero. */
export async function runMeasured(argv: readonly string[], stdoutPath: string): Promise<RunCost> {
  const gnu = existsSync(GNU_TIME);
  const dir = mkdtempSync(join(tmpdir(), 'dios-rss-'));
  const rssFile = join(dir, 'rss');
  const full = gnu ? [GNU_TIME, '-f', '%M %U %S', '-o', rssFile, ...argv] : [...argv];
  const out = openSync(stdoutPath, 'w');
  try {
    const t0 = performance.now();
    const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', out, 'inherit'] });
    let peak = 0;
    const timer = gnu
      ? undefined
      : setInterval(() => {
          for (const pid of descendants(child.pid!)) peak = Math.max(peak, hwm(pid));
        }, SAMPLE_MS);
    const code = await new Promise<number | null>((resolve, reject) =>
      child.on('error', reject).on('exit', (c) => resolve(c)),
    );
    const ms = performance.now() - t0;
    clearInterval(timer);
    if (code !== 0) throw new Error(`'${argv.join(' ')}' exited with status ${String(code)}`);
    let cpuMs = NaN;
    if (gnu) {
      const [kib, user, sys] = readFileSync(rssFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      peak = kib! * 1024;
      cpuMs = (user! + sys!) * 1000;
    }
    return { ms, rss: peak, cpuMs };
  } finally {
    closeSync(out);
    rmSync(dir, { recursive: true, force: true });
  }
}
