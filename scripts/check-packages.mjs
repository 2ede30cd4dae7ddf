#!/usr/bin/env node
// The packages as a user gets them: packs the three (scripts/pack-packages.mjs), checks each with publint and
// @arethetypeswrong/cli, installs the tarballs offline with --engine-strict into a scratch project outside the
// repository, and runs there an ES module program, a CommonJS program, strict TypeScript programs compiled with
// module node16 and nodenext, and the `dios` command. Needs `npm run build` first. Offline means offline: the
// packages' own dependencies (and typescript, @types/node) are packed from the repository's node_modules too, so the
// install asks no registry for anything. Exits non-zero naming the first check that failed.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPackages } from './pack-packages.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const PROGRAMS = join(ROOT, 'scripts', 'package-check');

/** Tarballs of `names` and everything they depend on, packed from the repository's node_modules. */
function packInstalled(names, out) {
  mkdirSync(out, { recursive: true });
  const tarballs = new Map();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.shift();
    if (tarballs.has(name)) continue;
    const dir = join(ROOT, 'node_modules', name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const [result] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out, dir], { encoding: 'utf8' }),
    );
    tarballs.set(name, join(out, result.filename));
    queue.push(...Object.keys(manifest.dependencies ?? {}));
  }
  return [...tarballs.values()];
}

function run(label, command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) {
    console.error(`check-packages: ${label} failed (${result.error?.message ?? `exit ${result.status}`})\n${output}`);
    process.exit(1);
  }
  return output;
}

/** The third-party packages the packed packages depend on (not each other). */
function dependenciesOf(packed) {
  const ours = new Set(packed.map((p) => p.name));
  const names = new Set();
  for (const p of packed) {
    const manifest = JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8'));
    for (const name of Object.keys(manifest.dependencies ?? {})) if (!ours.has(name)) names.add(name);
  }
  return [...names];
}

const work = mkdtempSync(join(tmpdir(), 'dios-package-check-'));
try {
  const packed = packPackages(join(work, 'tarballs'));
  for (const p of packed) console.log(`${p.name}: ${(p.size / 1024).toFixed(0)} kB packed, ${p.files} files`);

  for (const p of packed) {
    run(`publint ${p.name}`, join(BIN, 'publint'), ['--strict', p.dir]);
    // esm-only: the packages are ES modules only, on purpose (Node 20.19+ require() loads them; see README), so a
    // CommonJS consumer resolving to ESM is the design, not a fault; every other check of the strict profile applies.
    run(`attw ${p.name}`, join(BIN, 'attw'), ['--profile', 'esm-only', '--format', 'table-flipped', p.tarball]);
    console.log(`${p.name}: publint and attw clean`);
  }

  const project = join(work, 'consumer');
  cpSync(PROGRAMS, project, { recursive: true });
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2) + '\n',
  );
  const install = run(
    'npm install (offline, --engine-strict)',
    'npm',
    [
      'install',
      '--offline',
      '--engine-strict',
      // The dependencies repacked from node_modules keep their development scripts (uuid's prepare), which npm would
      // list as unapproved; from the registry it does not.
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      ...packed.map((p) => p.tarball),
      // fast-check: the optional peer of @dios/kernel/testing, which testing.mjs uses.
      ...packInstalled(
        dependenciesOf(packed).concat('typescript', '@types/node', 'fast-check'),
        join(work, 'third-party'),
      ),
    ],
    { cwd: project },
  );
  if (/EBADENGINE|npm warn/i.test(install)) {
    console.error(`check-packages: the install warned:\n${install}`);
    process.exit(1);
  }
  console.log('install: clean (offline, --engine-strict, no warnings)');

  const node = (label, file) =>
    console.log(`${label}: ${run(label, process.execPath, [file], { cwd: project }).trim()}`);
  // The README's first program, as written there.
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const hello = /```js\n(\/\/ hello\.mjs\n[\s\S]*?)```/.exec(readme)?.[1];
  if (hello === undefined) throw new Error('check-packages: README.md has no ```js block starting // hello.mjs');
  writeFileSync(join(project, 'hello.mjs'), hello);
  const printed = run('README hello.mjs', process.execPath, ['hello.mjs'], { cwd: project });
  if (printed !== 'read back: hello, world\nexit status 0\n') {
    console.error(`check-packages: README's hello.mjs printed ${JSON.stringify(printed)}`);
    process.exit(1);
  }
  console.log('README hello.mjs: ok');
  node('ESM program', 'esm.mjs');
  node('CommonJS program', 'cjs.cjs');
  node('testing kit (model runner, simulation)', 'testing.mjs');
  const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const module of ['node16', 'nodenext']) {
    run(`tsc (module ${module})`, process.execPath, [tsc, '-p', `tsconfig.${module}.json`], { cwd: project });
    const emitted = readdirSync(join(project, `out-${module}`)).filter((f) => /\.(c?js|mjs)$/.test(f));
    for (const file of emitted) node(`TypeScript ${module} ${file}`, join(`out-${module}`, file));
  }
  const version = run('dios --version', join(project, 'node_modules', '.bin', 'dios'), ['--version'], { cwd: project });
  console.log(`dios --version: ${version.trim()}`);
  console.log('check-packages: all checks passed');
} finally {
  rmSync(work, { recursive: true, force: true });
}
