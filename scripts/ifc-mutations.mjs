#!/usr/bin/env node
/**
 * The IFC mutation check (issue 13): removes one information-flow
 * enforcement point of the kernel at a time, runs the IFC tests, and says
 * whether at least one test failed (the point is covered) or none did
 * (SURVIVED: a test is missing, or the point is redundant).
 *
 *   npm run test:ifc-mutations [-- --list] [-- --only SUBSTRING] [-- EXTRA_TEST_FILES...]
 *
 * --list prints the points and whether each is found, changing nothing;
 * --only runs the points whose name contains SUBSTRING (or any of a
 * comma-separated list); --skip-dirty leaves
 * out (reported SKIPPED) the points in files with uncommitted changes
 * instead of refusing to start; --tests-only runs only the test files given
 * (not the default ones).
 *
 * Points: every call of checkFlow in packages/kernel/src (found, not listed),
 * every other call of canFlow (found: made to answer true),
 * plus the listed ones below (checkFlow's two halves, the read direction,
 * create's canFlow and default label, RefView's masking, the child's label,
 * MAKE_LOCAL's label, the peer handlers' and the wire's labels, the label
 * change's capability check). Each mutation keeps the code valid JavaScript.
 *
 * The property runs DIOS_IFC_RUNS programs (default here 1000, not its
 * usual 200): some points are found only after a few hundred.
 *
 * It edits files of the working tree, so it refuses to start unless every
 * file it mutates has no uncommitted change (`git diff --quiet -- FILE`),
 * keeps a backup of each file (restored in `finally`, and on SIGINT/SIGTERM),
 * and never restores over a file someone changed while a mutant ran.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = 'packages/kernel/src';
const DEFAULT_TESTS = ['packages/kernel/test/ifc', 'packages/kernel/test/cluster-compliance/loopback.test.ts'];

const c = (path) => `${SRC}/core/${path}`;
/**
 * Listed points: `find` must occur exactly once in `file`; it becomes `replace`.
 * (checkFlow's call sites are found by discoverCheckFlowCalls.)
 */
const LISTED = [
  // The rule itself, as checkFlow applies it.
  {
    file: c('syscalls/flow.ts'),
    name: 'checkFlow: object-to-task half',
    find: "const inOk = direction === 'out' || canFlow(o, t);",
    replace: 'const inOk = true;',
  },
  {
    file: c('syscalls/flow.ts'),
    name: 'checkFlow: task-to-object half',
    find: "const outOk = direction === 'in' || canFlow(t, o);",
    replace: 'const outOk = true;',
  },
  // A consuming or locking read is a flow both ways.
  {
    file: c('syscalls/read.ts'),
    name: 'read direction: consuming reads are both ways',
    find: 'return ref.object.readsConsume || ref.consistency',
    replace: 'return ref.consistency',
  },
  {
    file: c('syscalls/read.ts'),
    name: 'read direction: exclusive reads are both ways',
    find: " || ref.consistency === 'exclusive' ?",
    replace: ' ?',
  },
  // create.
  {
    file: c('syscalls/create.ts'),
    name: 'create: canFlow(task, new label)',
    find: 'if (type !== ObjectType.TAG && !canFlow(task.label, label)) {',
    replace: 'if (false) {',
  },
  {
    file: c('syscalls/create.ts'),
    name: "create: default label is the task's",
    find: 'label = unlabelled ? Label.EMPTY : task.label;',
    replace: 'label = Label.EMPTY;',
  },
  // RefView (#visible and each attribute it masks).
  {
    file: c('objects/reference.ts'),
    name: 'RefView #visible (canFlow)',
    find: 'return from === to || canFlow(from, to);',
    replace: 'return true;',
  },
  {
    file: c('objects/reference.ts'),
    name: 'RefView size masked',
    find: 'return this.#visible() ? this.#ref.object.size : 0;',
    replace: 'return this.#ref.object.size;',
  },
  {
    file: c('objects/reference.ts'),
    name: 'RefView version masked',
    find: 'return this.#visible() ? this.#ref.object.version : 0;',
    replace: 'return this.#ref.object.version;',
  },
  {
    file: c('objects/reference.ts'),
    name: 'RefView ioReady masked',
    find: 'return this.#ref.open && this.#visible() && ',
    replace: 'return this.#ref.open && ',
  },
  {
    file: c('objects/reference.ts'),
    name: 'RefView exitStatus masked',
    find: 'if (status === undefined || this.#visible()) return status;',
    replace: 'return status;',
  },
  // Labels of new tasks and copies.
  {
    file: c('syscalls/spawn.ts'),
    name: "spawn: child gets the parent's label",
    find: 'child.label = container !== undefined ? container.labelFor(req.label) : req.label;',
    replace: '/* mutant */',
  },
  {
    file: c('syscalls/make-local.ts'),
    name: "make-local: copy keeps the remote's label",
    find: 'copy.label = remote.label;',
    replace: '/* mutant */',
  },
  {
    file: c('syscalls/make-local.ts'),
    name: "make-local: remote read as the caller's label",
    find: 'MAKE_LOCAL_CHUNK_BYTES, guard, task.label)',
    replace: 'MAKE_LOCAL_CHUNK_BYTES, guard, remote.label)',
  },
  // Label change: the capability.
  {
    file: c('objects/task.ts'),
    name: 'label change: ADD/REMOVE capability needed',
    find: 'if (!(ref.rights & needed)) {',
    replace: 'if (false) {',
  },
  // Peer side: the requester's label as the home sees it.
  {
    file: c('peer/handlers/read.ts'),
    name: 'peer begin-read: requester label',
    find: "labelFromWire(req.label, 'beginRead', 'label')",
    replace: "labelFromWire(undefined, 'beginRead', 'label')",
  },
  {
    file: c('peer/handlers/read.ts'),
    name: 'peer end-read: lease label',
    find: 'call.proxy.labelOf(req.lease)',
    replace: "labelFromWire(undefined, 'endRead', 'label')",
  },
  {
    file: c('peer/handlers/write.ts'),
    name: 'peer begin-write: requester label',
    find: "labelFromWire(req.label, 'beginWrite', 'label')",
    replace: "labelFromWire(undefined, 'beginWrite', 'label')",
  },
  {
    file: c('peer/handlers/write.ts'),
    name: 'peer end-write: lease label',
    find: 'call.proxy.labelOf(req.lease)',
    replace: "labelFromWire(undefined, 'endWrite', 'label')",
  },
  {
    file: c('peer/handlers/watch.ts'),
    name: 'peer watch: requester label',
    find: "labelFromWire(req.label, 'select', 'label')",
    replace: "labelFromWire(undefined, 'select', 'label')",
  },
  {
    file: c('peer/handlers/pause.ts'),
    name: 'peer pause: requester label',
    find: "labelFromWire(req.label, 'pause', 'label')",
    replace: "labelFromWire(undefined, 'pause', 'label')",
  },
  {
    file: c('peer/handlers/delegate.ts'),
    name: 'peer delegate: requester label',
    find: "labelFromWire(req.label, 'copy', 'label')",
    replace: "labelFromWire(undefined, 'copy', 'label')",
  },
  {
    file: c('peer/handlers/run.ts'),
    name: "peer run: remote child gets the parent's label",
    find: "labelFromWire(req.label, 'run', 'label')",
    replace: "labelFromWire(undefined, 'run', 'label')",
  },
  {
    file: c('peer/handlers/peer-proxy.ts'),
    name: "peer proxy as(): calls made as the requester's label",
    find: 'this.task.label = label;',
    replace: '/* mutant */',
  },
  // The wire: labels sent with descriptors and requests.
  {
    file: c('peer/describe.ts'),
    name: "descriptor carries the object's label",
    find: 'if (!obj.label.empty) desc.label = obj.label.view();',
    replace: '/* mutant */',
  },
  {
    file: c('objects/remote.ts'),
    name: "remote object's label from its descriptor",
    find: "    this.label = labelFromWire(desc.label, 'peer', 'object.label');\n  }",
    replace: '  }',
  },
  {
    file: c('objects/remote.ts'),
    name: "remote task's label follows its descriptor",
    find: 'if (desc.type === ObjectType.TASK) this.label =',
    replace: 'if (false) this.label =',
  },
  {
    file: c('objects/remote.ts'),
    name: 'remote I/O request carries the label',
    find: 'label: labelToWire(req.label) };',
    replace: 'label: undefined };',
  },
  {
    file: c('objects/remote.ts'),
    name: 'remote watch carries the label',
    find: 'label: labelToWire(label) };',
    replace: 'label: undefined };',
  },
  {
    // One helper makes the field for the peer port's requests and the peer link's (copy, run, pause).
    file: c('peer/peer-remote-port.ts'),
    name: 'peer requests (port and link) carry the label',
    find: 'return label === undefined ? {} : { label };',
    replace: 'return {};',
  },
];

function sh(cmd, args) {
  return spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
}

function* walk(dir) {
  for (const entry of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${entry}`;
    if (statSync(join(ROOT, path)).isDirectory()) yield* walk(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

/** Every line of the kernel's sources that calls checkFlow: commented out whole (each is one statement). */
function discoverCheckFlowCalls() {
  const points = [];
  for (const file of walk(SRC)) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!/\bcheckFlow\(/.test(line) || /^\s*(import|export|\*|\/\/)/.test(line)) return;
      const trimmed = line.trim();
      points.push({
        file,
        name: `checkFlow call ${relative(`${SRC}/core`, file)}:${i + 1}`,
        line: i,
        find: line,
        replace: line.replace(trimmed, `/* mutant */ // ${trimmed}`),
        detail: trimmed,
      });
    });
  }
  return points;
}

/**
 * Every other line of the kernel's sources that calls canFlow (not its
 * definition, not a line a listed point mutates): each canFlow there answers
 * true (the flow is always allowed).
 */
function discoverCanFlowCalls() {
  const points = [];
  for (const file of walk(SRC)) {
    if (file.endsWith('/label.ts')) continue;
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!/\bcanFlow\(/.test(line) || /^\s*(import|export|\*|\/\/)/.test(line)) return;
      if (LISTED.some((p) => p.file === file && line.includes(p.find))) return;
      points.push({
        file,
        name: `canFlow call ${relative(`${SRC}/core`, file)}:${i + 1}`,
        line: i,
        find: line,
        replace: line.replaceAll(/\bcanFlow\(/g, '(() => true)('),
      });
    });
  }
  return points;
}

/** `text` with line `line` (found points) or the only appearance of `find` (listed points) replaced; undefined when not there. */
function mutate(text, point) {
  if (point.line !== undefined) {
    // A found call: that line, still as it was read (identical lines, e.g. begin and end calls, are told apart so).
    const lines = text.split('\n');
    if (lines[point.line] !== point.find) return undefined;
    lines[point.line] = point.replace;
    return lines.join('\n');
  }
  const parts = text.split(point.find);
  const count = parts.length - 1;
  if (count !== 1) return undefined;
  return parts[0] + point.replace + parts[1];
}

function parseArgs(argv) {
  const options = { only: undefined, list: false, skipDirty: false, testsOnly: false, tests: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') options.only = argv[++i];
    else if (argv[i] === '--list') options.list = true;
    else if (argv[i] === '--skip-dirty') options.skipDirty = true;
    else if (argv[i] === '--tests-only') options.testsOnly = true;
    else options.tests.push(argv[i]);
  }
  return options;
}

/** The vitest run in progress (its own process group, so a signal can stop all of it). */
let running;

/** Runs vitest on `tests`; resolves to { failed, passed, error } from its JSON report. */
function runTests(tests, report) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['vitest', 'run', ...tests, '--reporter=json', `--outputFile=${report}`], {
      cwd: ROOT,
      stdio: 'ignore',
      detached: true,
      // The noninterference property finds some removed points only after a few hundred programs.
      env: { ...process.env, DIOS_IFC_RUNS: process.env.DIOS_IFC_RUNS ?? '1000' },
    });
    running = child;
    child.on('exit', (code, signal) => {
      running = undefined;
      if (!existsSync(report))
        return resolve({ failed: 0, passed: 0, error: `vitest exited ${signal ?? code}, no report` });
      const json = JSON.parse(readFileSync(report, 'utf8'));
      rmSync(report);
      const suiteErrors = json.testResults.filter(
        (r) => r.status === 'failed' && r.assertionResults.length === 0,
      ).length;
      resolve({
        failed: json.numFailedTests,
        passed: json.numPassedTests,
        error: suiteErrors > 0 ? `${suiteErrors} test files failed to run` : undefined,
      });
    });
  });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const tests = options.testsOnly ? options.tests : [...DEFAULT_TESTS, ...options.tests];
  let points = [...discoverCheckFlowCalls(), ...discoverCanFlowCalls(), ...LISTED];
  if (options.only !== undefined) {
    const wanted = options.only.split(',');
    points = points.filter((p) => wanted.some((w) => p.name.includes(w)));
  }
  const files = [...new Set(points.map((p) => p.file))];
  if (options.list) {
    for (const p of points) {
      const found = mutate(readFileSync(join(ROOT, p.file), 'utf8'), p) !== undefined;
      console.log(`${found ? 'found    ' : 'NOT FOUND'} ${p.name}`);
    }
    return;
  }

  const dirty = files.filter((f) => sh('git', ['diff', '--quiet', '--', f]).status !== 0);
  if (dirty.length > 0 && !options.skipDirty) {
    console.error(`ifc-mutations: refusing to start: uncommitted changes in\n  ${dirty.join('\n  ')}`);
    console.error('(commit them, or pass --skip-dirty to leave the points in those files out)');
    process.exit(2);
  }

  const backups = mkdtempSync(join(tmpdir(), 'ifc-mutations-'));
  /** The file currently mutated: { file, original, mutated, backup }. */
  let current;
  let keepBackups = false;
  const restore = () => {
    if (current === undefined) return;
    const path = join(ROOT, current.file);
    const now = readFileSync(path, 'utf8');
    if (now === current.mutated) writeFileSync(path, current.original);
    else if (now !== current.original) {
      keepBackups = true;
      console.error(
        `ifc-mutations: ${current.file} changed while a mutant ran; NOT restored (backup: ${current.backup})`,
      );
    }
    current = undefined;
  };
  const onSignal = (signal) => {
    try {
      if (running !== undefined) process.kill(-running.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    restore();
    console.error(`ifc-mutations: ${signal}: restored, stopping`);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  console.log(`ifc-mutations: ${points.length} points; tests: ${tests.join(' ')}`);
  const baseline = await runTests(tests, join(backups, 'report.json'));
  if (baseline.failed > 0 || baseline.error !== undefined) {
    console.error(
      `ifc-mutations: the tests fail without any mutant (${baseline.failed} failed${baseline.error ? `, ${baseline.error}` : ''}): fix them first`,
    );
    process.exit(2);
  }
  console.log(`baseline: ${baseline.passed} tests pass\n`);

  const rows = [];
  try {
    for (const [i, point] of points.entries()) {
      const path = join(ROOT, point.file);
      if (sh('git', ['diff', '--quiet', '--', point.file]).status !== 0) {
        rows.push({ point, result: 'SKIPPED (uncommitted changes in the file)' });
        continue;
      }
      const original = readFileSync(path, 'utf8');
      const mutated = mutate(original, point);
      if (mutated === undefined) {
        rows.push({ point, result: 'NOT FOUND (update the script)' });
        continue;
      }
      const backup = join(backups, `${i}-${point.file.replaceAll('/', '_')}`);
      copyFileSync(path, backup);
      current = { file: point.file, original, mutated, backup };
      writeFileSync(path, mutated);
      let outcome;
      try {
        outcome = await runTests(tests, join(backups, 'report.json'));
      } finally {
        restore();
      }
      const result =
        outcome.failed > 0
          ? `${outcome.failed} failed`
          : outcome.error !== undefined
            ? `ERROR (${outcome.error})`
            : 'SURVIVED';
      rows.push({ point, result });
      console.log(`${result.padEnd(12)} ${point.name}`);
    }
  } finally {
    restore();
  }

  const width = Math.max(...rows.map((r) => r.point.name.length));
  console.log(`\n${'point'.padEnd(width)}  tests failed`);
  console.log(`${'-'.repeat(width)}  ------------`);
  for (const { point, result } of rows) console.log(`${point.name.padEnd(width)}  ${result}`);
  const survived = rows.filter((r) => r.result === 'SURVIVED');
  const killed = rows.filter((r) => /failed$/.test(r.result));
  console.log(`\n${killed.length} of ${rows.length} points killed; ${survived.length} SURVIVED`);
  if (!keepBackups) rmSync(backups, { recursive: true, force: true });
  process.exit(killed.length === rows.length ? 0 : 1);
}

await main();
