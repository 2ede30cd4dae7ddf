/**
 * The example programs (examples/*.ts) run from the command line with tsx,
 * as a user would: wc's output must match coreutils' wc (C locale), cat,
 * cp and tee must copy bytes exactly, ifc-plugin's plugin must be refused
 * every leak, and hello, pipe and the npm start demo print what they say.
 * The simulation examples (examples/testing) pass, and the counter
 * service's seeded bug is found and shrunk.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const LICENSES = '/usr/share/common-licenses';
const WC = '/usr/bin/wc';

interface Result {
  code: number;
  stdout: Buffer;
  stderr: string;
}

function run(command: string, args: string[], input?: string, env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { cwd: ROOT, encoding: 'buffer', env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          // An ExecFileException is an Error with `code` retyped (Omit<ExecException, 'code'>): typed as one again.
          const failure: Error = error;
          reject(failure);
        } else resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr: stderr.toString() });
      },
    );
    child.stdin!.end(input);
  });
}

const example = (name: string, args: string[], input?: string) =>
  run(TSX, ['--conditions=@dios/source', join('examples', `${name}.ts`), ...args], input);

// Some licence texts if the system has them (regular files, not links), else generated text files.
function inputFiles(): string[] {
  if (existsSync(LICENSES)) {
    const files = readdirSync(LICENSES)
      .map((f) => join(LICENSES, f))
      .filter((f) => statSync(f).isFile())
      .slice(0, 4);
    if (files.length > 0) return files;
  }
  const dir = mkdtempSync(join(tmpdir(), 'dios-examples-'));
  const words = ['alpha', 'beta\t', 'gamma  ', 'délta', '\n', ' ', 'x\r\n', '\x01'];
  return [1, 2, 3].map((n) => {
    const path = join(dir, `input-${n}.txt`);
    writeFileSync(path, Array.from({ length: 3000 * n }, (_, i) => words[(i * 7 + n) % words.length]).join(''));
    return path;
  });
}

const files = inputFiles();
const scratch = mkdtempSync(join(tmpdir(), 'dios-examples-out-'));

describe('examples', { timeout: 60_000 }, () => {
  it.runIf(existsSync(WC))('wc prints what coreutils wc prints, for one file, several, and -l', async () => {
    for (const args of [[files[0]!], files, ['-l', ...files], ['-w', files[0]!]]) {
      const ours = await example('wc', args);
      const theirs = await run(WC, args, undefined, { LC_ALL: 'C' });
      expect(ours.stderr).toBe('');
      expect(ours.code).toBe(0);
      expect(ours.stdout.toString()).toBe(theirs.stdout.toString());
    }
  });

  it.runIf(existsSync(WC))('wc reports a missing file like coreutils, and counts stdin', async () => {
    const ours = await example('wc', [files[0]!, join(scratch, 'missing')]);
    const theirs = await run(WC, [files[0]!, join(scratch, 'missing')], undefined, { LC_ALL: 'C' });
    expect(ours.code).toBe(1);
    // A kernel has one console, so stdio's stderr goes where stdout goes: the message comes in between, as on a terminal.
    const [first, total] = theirs.stdout.toString().split(/(?<=\n)/);
    expect(ours.stdout.toString()).toBe(`${first}wc: ${join(scratch, 'missing')}: No such file or directory\n${total}`);
    expect(theirs.stderr).toBe(`${WC}: ${join(scratch, 'missing')}: No such file or directory\n`);
    const text = readFileSync(files[0]!, 'utf8');
    const stdin = await example('wc', [], text);
    const piped = await run(WC, [], text, { LC_ALL: 'C' });
    expect(stdin.stdout.toString()).toBe(piped.stdout.toString());
  });

  it('cat copies files, and stdin for -, byte for byte', async () => {
    const ours = await example('cat', files);
    expect(ours.code).toBe(0);
    expect(ours.stdout).toEqual(Buffer.concat(files.map((f) => readFileSync(f))));
    const mixed = await example('cat', [files[0]!, '-'], 'from stdin\n');
    expect(mixed.stdout).toEqual(Buffer.concat([readFileSync(files[0]!), Buffer.from('from stdin\n')]));
  });

  it('cp copies a file to the host, and tee copies stdin to stdout and files', async () => {
    const copy = join(scratch, 'copy');
    expect((await example('cp', [files[0]!, copy])).code).toBe(0);
    expect(readFileSync(copy)).toEqual(readFileSync(files[0]!));
    const a = join(scratch, 'a');
    const text = 'one\ntwo\n';
    const teed = await example('tee', [a], text);
    expect([teed.code, teed.stdout.toString(), readFileSync(a, 'utf8')]).toEqual([0, text, text]);
    await example('tee', ['-a', a], 'three\n');
    expect(readFileSync(a, 'utf8')).toBe(`${text}three\n`);
  });

  it('hello, pipe and the demo run and print what their comments promise', async () => {
    // Three processes at once: each mostly waits for tsx to start.
    const [hello, ada, pipe, demo] = await Promise.all([
      example('hello', []),
      example('hello', ['Ada']),
      example('pipe', []),
      example('demo', []),
    ]);
    expect([hello.code, hello.stderr, hello.stdout.toString()]).toEqual([
      0,
      '',
      'hello: writing a greeting for world to /greetings/world.txt\nhello, world\nhello exited with status 0\n',
    ]);
    expect(ada.stdout.toString()).toContain('\nhello, Ada\n');
    const piped = pipe.stdout.toString();
    expect([pipe.code, pipe.stderr], piped).toEqual([0, '']);
    expect(piped).toContain('[console] consumer got 87 bytes');
    expect(piped).toContain('  | delta: the last line\n');
    expect(piped).toMatch(/select: producer \(ref \d+\) is exited \(status 0\)/);
    const shown = demo.stdout.toString();
    expect([demo.code, demo.stderr], shown).toEqual([0, '']);
    // The licences text's most frequent word, and its count.
    expect(shown).toMatch(/top words:\n {2}the +445\n/);
    const tasks = shown.split('\n').filter((line) => / mapreduce-(master|map|reduce) /.test(line));
    expect(tasks).toHaveLength(7);
    for (const task of tasks) expect(task).toContain('exit 0');
  });

  it('ifc-plugin: every way out of the plugin is EPERM, and only the declassifier publishes', async () => {
    const { code, stdout, stderr } = await example('ifc-plugin', []);
    const out = stdout.toString();
    expect(stderr).toBe('');
    expect(code, out).toBe(0);
    for (const attempt of ['public blob', 'public stream', 'console', 'TCP connection', 'drop the secret tag'])
      expect(out).toMatch(new RegExp(`plugin: [^\\n]*${attempt}[^\\n]*: EPERM`));
    expect(out).toMatch(/courier: [^\n]*: EPERM/);
    expect(out).not.toContain('a leak');
    expect(out).toContain('[console] published: 4 salaries, mean about 85k');
    // The rows never reach the console.
    expect(out).not.toMatch(/ada=91000/);
  });

  it('testing/: the counter service passes its schedules, and with --bug the torn read is found and shrunk', async () => {
    // Few runs: what is tested is that the example works as a user runs it (its default is 100).
    const [passing, buggy] = await Promise.all([
      example('testing/counter-service', ['--runs', '15']),
      example('testing/counter-service', ['--bug']),
    ]);
    const passed = passing.stdout.toString();
    expect([passing.code, passing.stderr], passed).toEqual([0, '']);
    expect(passed).toMatch(/^counter-service: 15 schedules passed \(\d+ steps simulated, seed 17\)\n$/);
    const found = buggy.stdout.toString();
    expect([buggy.code, buggy.stderr], found).toEqual([0, '']);
    expect(found).toMatch(/^A simulated run failed after \d+ shrinks \(seed 17\): a client accepted a torn record/);
    // The trace ends where the torn record was read: a client's end_read on the record's node said INVALID.
    expect(found).toMatch(/a\/client-a bug: endRead\(\d+\) -> INVALID\n\nthe seeded bug .* was found and shrunk/);
    const events = Number(/trace \((\d+) events/.exec(found)?.[1]);
    expect(events).toBeLessThan(100);
  });

  it('testing/: WordCount passes random schedules with node loss', async () => {
    const { code, stdout, stderr } = await example('testing/wordcount-simulation', ['--runs', '10']);
    const out = stdout.toString();
    expect([code, stderr], out).toEqual([0, '']);
    expect(out).toMatch(/^wordcount-simulation: 10 runs passed \(seed 42\)\n {2}\d+ steps simulated/);
    // About a third of the runs lose a worker; the count of those is printed with what the node was doing.
    const lost = /(\d+) runs lost a node: (\d+) while it ran tasks of the job/.exec(out);
    expect(Number(lost?.[1]), out).toBeGreaterThan(0);
  });
});
