/**
 * A CPU profile of `dios kv serve` under redis-benchmark (-t set,get, 50
 * clients, -P 16 unless KV_PIPELINE says otherwise): the built server runs
 * with `node --cpu-prof` into the directory given as the first argument
 * (default ./kv-profile), is stopped with SIGTERM (so the profile is
 * written), and the heaviest functions by self time are printed. It measures
 * where the time goes, not how fast: run it under the bench lock, after
 * `npm run build`.
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PIPELINE = process.env.KV_PIPELINE ?? '16';
const REQUESTS = process.env.KV_REQUESTS ?? '400000';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

// Self samples per function (name and place), heaviest first.
function selfTimes(profile: Profile): [string, number][] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  for (const id of profile.samples) {
    const f = byId.get(id)!.callFrame;
    const where = f.url === '' ? '' : ` ${f.url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    const key = `${f.functionName || '(anonymous)'}${where}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? 'kv-profile');
  mkdirSync(out, { recursive: true });
  const cli = join(ROOT, 'packages', 'apps', 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const data = mkdtempSync(join(tmpdir(), 'dios-kv-profile-'));
  const child = spawn(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', out, cli, 'kv', 'serve', '--port', '0', '--data', data, '--fsync', 'everysec'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolvePort, reject) => {
    let text = '';
    child.stdout.on('data', (c: Buffer) => {
      text += c.toString();
      const m = /listening on [\d.]+:(\d+)/.exec(text);
      if (m !== null) resolvePort(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
  });
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-t', 'set,get', '-n', REQUESTS, '-q', '-P', PIPELINE], {
    encoding: 'utf8',
  });
  console.log(
    r.stdout
      .replace(/\r/g, '\n')
      .split('\n')
      .filter((l) => l.includes('requests per second'))
      .join('\n'),
  );
  child.kill('SIGTERM');
  await new Promise((done) => child.once('exit', done));
  const file = readdirSync(out)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(out, f))
    .sort()
    .pop();
  if (file === undefined) throw new Error(`no profile in ${out}`);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const total = profile.samples.length;
  console.log(`${file}: ${total} samples; heaviest by self time:`);
  for (const [name, n] of selfTimes(profile).slice(0, Number(process.env.KV_TOP ?? 40)))
    console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${name}`);
}

await main();
