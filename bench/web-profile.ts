/**
 * Where `dios web serve` spends its time under load: the built server runs
 * with `node --cpu-prof` while wrk (-t2 -c50) fetches a 4 KiB file, then
 * the profile's self time is summed per function and the heaviest are
 * printed (with the share of all samples). Not a speed figure (see
 * web.bench.ts for those): a map for deciding what to make cheaper.
 * Run under the bench lock after `npm run build`:
 * `flock /tmp/bench.lock npx tsx bench/web-profile.ts [seconds] [--quiet]`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.argv[2] ?? 5);
const QUIET = process.argv.includes('--quiet');
const TOP = 40;
// For the heaviest few, where they are called from.
const CALLERS = 6;

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: number[];
}
interface Profile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
}

function frameKey(f: ProfileNode['callFrame']): string {
  const file = f.url.replace(/^.*\/(packages|node_modules)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
}

// Self samples per function, heaviest first, each with its heaviest callers.
function summarize(profile: Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const counts = new Map<string, number>();
  const callers = new Map<string, Map<string, number>>();
  for (const id of profile.samples) {
    const node = byId.get(id)!;
    const key = frameKey(node.callFrame);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    // The caller two frames up as well: a native call's direct caller is often a small wrapper.
    const up = parent.get(id);
    const upper = up === undefined ? undefined : parent.get(up.id);
    const via = `${up === undefined ? '-' : frameKey(up.callFrame)} <- ${upper === undefined ? '-' : frameKey(upper.callFrame)}`;
    const m = callers.get(key) ?? new Map<string, number>();
    m.set(via, (m.get(via) ?? 0) + 1);
    callers.set(key, m);
  }
  const total = profile.samples.length;
  console.log(`${total} samples`);
  const sorted = [...counts].sort((a, b) => b[1] - a[1]);
  sorted.slice(0, TOP).forEach(([key, n], i) => {
    console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${key}`);
    if (i >= CALLERS) return;
    for (const [via, k] of [...callers.get(key)!].sort((a, b) => b[1] - a[1]).slice(0, 4))
      console.log(`          ${((100 * k) / total).toFixed(1).padStart(5)}%  from ${via}`);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'dios-web-profile-'));
try {
  const site = join(dir, 'site');
  spawnSync('mkdir', ['-p', site]);
  writeFileSync(join(site, 'file4k.txt'), Buffer.alloc(4096, 'x'));
  const profiles = join(dir, 'prof');
  const args = ['--cpu-prof', `--cpu-prof-dir=${profiles}`, join(ROOT, 'packages/apps/dist/cli/main.js')];
  args.push('web', 'serve', site, '--port', '0', '--data', join(dir, 'store'), ...(QUIET ? ['--quiet'] : []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    let head = '';
    const onData = (c: Buffer): void => {
      head += c.toString();
      const m = /127\.0\.0\.1:(\d+)/.exec(head);
      if (m === null) return;
      // From here on the access log is only drained.
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve(m[1]!);
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${head}`)));
  });
  const r = spawnSync(
    '/usr/bin/wrk',
    ['-t2', '-c50', `-d${SECONDS}s`, '--latency', `http://127.0.0.1:${port}/file4k.txt`],
    {
      encoding: 'utf8',
    },
  );
  console.log(r.stdout);
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
  const file = readdirSync(profiles).find((f) => f.endsWith('.cpuprofile'))!;
  summarize(JSON.parse(readFileSync(join(profiles, file), 'utf8')) as Profile);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
