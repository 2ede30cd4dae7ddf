#!/usr/bin/env node
// Compiles the C programs to WebAssembly (wasm32-wasi) in packages/apps/wasm/: every packages/apps/c/*.c, every
// examples/c/*.c (against libd's dios.h), and SQLite (the amalgamation shipped by better-sqlite3, with the driver
// packages/apps/c/sqlite-shell.c). A target newer than all its inputs (this script included) is skipped, so a second
// build is instant. Without clang or the WASI sysroot it says why and exits 0, unless DIOS_REQUIRE_SERVICES=1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'packages/apps/wasm');
const PROGRAMS = join(ROOT, 'packages/apps/c');
const EXAMPLES = join(ROOT, 'examples/c');
const LIBD_INCLUDE = join(ROOT, 'packages/libd/include');
const AMALGAMATION = join(ROOT, 'node_modules/better-sqlite3/deps/sqlite3');
const SYSROOT = '/usr';
const REQUIRED = process.env.DIOS_REQUIRE_SERVICES === '1';
// The compiler: clang 14 or newer with the wasm32 target (CLANG=clang-15, say, picks another).
const CLANG = process.env.CLANG ?? 'clang';

const TARGET = ['--target=wasm32-wasi', `--sysroot=${SYSROOT}`, '-O2'];
// Warnings for the C written here; SQLite's own source is compiled as its authors ship it.
const BASE = [...TARGET, '-Wall', '-Wextra'];
// What wasi-libc lacks (mmap, getpid, signals, process clocks) comes from its emulation libraries.
const EMULATED = ['mman', 'getpid', 'signal', 'process-clocks'];
const SQLITE_DEFINES = [
  // WASI has no threads, no dlopen and no shared memory for a WAL index.
  'SQLITE_THREADSAFE=0',
  'SQLITE_OMIT_LOAD_EXTENSION',
  'SQLITE_OMIT_WAL',
  // Temporary tables and indexes in memory: no temporary directory to find.
  'SQLITE_TEMP_STORE=3',
  // As better-sqlite3 builds it (deps/defines.gypi), so that the same SQL gives the same results natively.
  'SQLITE_DEFAULT_FOREIGN_KEYS=1',
  'SQLITE_DQS=0',
  'SQLITE_DEFAULT_CACHE_SIZE=-16000',
  'SQLITE_DEFAULT_MEMSTATUS=0',
  'SQLITE_ENABLE_MATH_FUNCTIONS',
  'SQLITE_ENABLE_STAT4',
  'SQLITE_ENABLE_UPDATE_DELETE_LIMIT',
  'SQLITE_LIKE_DOESNT_MATCH_BLOBS',
  'SQLITE_OMIT_DEPRECATED',
  'SQLITE_OMIT_SHARED_CACHE',
  'SQLITE_SOUNDEX',
  'SQLITE_USE_URI=0',
  ...EMULATED.map((lib) => `_WASI_EMULATED_${lib.toUpperCase().replace('-', '_')}`),
].map((d) => `-D${d}`);
// SQLite recurses deeper than wasm-ld's default 64 KiB stack allows.
const SQLITE_LINK = ['-Wl,-z,stack-size=1048576', ...EMULATED.map((lib) => `-lwasi-emulated-${lib}`)];

/** Why the toolchain cannot build here, or undefined. */
function toolchainMissing() {
  if (spawnSync(CLANG, ['--version'], { stdio: 'ignore' }).status !== 0) return `${CLANG} not found`;
  for (const file of ['lib/wasm32-wasi/libc.a', 'include/wasm32-wasi/stdio.h']) {
    if (!existsSync(join(SYSROOT, file))) return `the WASI sysroot has no ${join(SYSROOT, file)} (Debian: wasi-libc)`;
  }
  return undefined;
}

const cFiles = (dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.c'))
        .sort()
        .map((f) => join(dir, f))
    : [];
const headers = (dir) =>
  (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.h')) : []).map((f) => join(dir, f));
const THIS_SCRIPT = fileURLToPath(import.meta.url);

/** The build's steps: each an output, its inputs, the clang arguments, and the steps it waits for. */
function targets() {
  const list = [];
  for (const source of cFiles(PROGRAMS).filter((f) => basename(f) !== 'sqlite-shell.c')) {
    const output = join(OUT, `${basename(source, '.c')}.wasm`);
    list.push({ output, inputs: [source], args: [...BASE, source] });
  }
  for (const source of cFiles(EXAMPLES)) {
    const output = join(OUT, `${basename(source, '.c')}.wasm`);
    list.push({
      output,
      inputs: [source, ...headers(LIBD_INCLUDE)],
      args: [...BASE, `-I${LIBD_INCLUDE}`, source],
    });
  }
  const amalgamation = join(AMALGAMATION, 'sqlite3.c');
  const header = join(AMALGAMATION, 'sqlite3.h');
  const driver = join(PROGRAMS, 'sqlite-shell.c');
  if (existsSync(amalgamation) && existsSync(driver)) {
    // SQLite's own object apart, so that a change to the driver does not recompile the amalgamation (~40 s).
    const object = join(OUT, 'obj', 'sqlite3.o');
    const sqlite = {
      output: object,
      inputs: [amalgamation, header],
      args: [...TARGET, ...SQLITE_DEFINES, '-c', amalgamation],
    };
    list.unshift(sqlite);
    list.push({
      output: join(OUT, 'sqlite-shell.wasm'),
      inputs: [driver, header, object],
      args: [...BASE, `-I${AMALGAMATION}`, ...SQLITE_DEFINES, driver, object, ...SQLITE_LINK],
      after: [sqlite],
    });
  } else if (!existsSync(amalgamation)) {
    console.warn(`build:wasm: no SQLite: ${relative(ROOT, amalgamation)} is missing (npm install better-sqlite3)`);
  }
  return list;
}

const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : -1);
const fresh = (t) => mtime(t.output) > Math.max(...[...t.inputs, THIS_SCRIPT].map(mtime));

/** Runs clang for one target into a temporary file, renamed into place only on success. */
function compile(t) {
  const partial = `${t.output}.partial`;
  mkdirSync(dirname(t.output), { recursive: true });
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(CLANG, [...t.args, '-o', partial], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0) {
        rmSync(partial, { force: true });
        reject(new Error(`clang failed (${signal ?? `exit ${code}`}) for ${relative(ROOT, t.output)}`));
        return;
      }
      renameSync(partial, t.output);
      console.log(`build:wasm: ${relative(ROOT, t.output)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      resolve();
    });
  });
}

async function main() {
  const missing = toolchainMissing();
  if (missing !== undefined) {
    if (REQUIRED) {
      console.error(`build:wasm: ${missing}, and DIOS_REQUIRE_SERVICES=1 requires the C programs`);
      process.exit(1);
    }
    console.warn(`build:wasm: skipped: ${missing} (install clang lld wasi-libc libclang-rt-dev-wasm32)`);
    return;
  }
  const all = targets();
  const done = new Map();
  let compiled = 0;
  const build = (t) => {
    if (!done.has(t)) {
      // A target waits for the steps it links (their outputs are its inputs, so their mtimes decide).
      done.set(
        t,
        Promise.all((t.after ?? []).map(build)).then(async () => {
          if (fresh(t)) return;
          await slot(() => compile(t));
          compiled++;
        }),
      );
    }
    return done.get(t);
  };
  let running = 0;
  const waiting = [];
  const slots = Math.max(1, availableParallelism());
  const slot = async (job) => {
    if (running >= slots) await new Promise((resolve) => waiting.push(resolve));
    running++;
    try {
      return await job();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
  const results = await Promise.allSettled(all.map(build));
  const failures = results.filter((r) => r.status === 'rejected');
  for (const f of failures) console.error(`build:wasm: ${f.reason.message}`);
  if (failures.length > 0) process.exit(1);
  console.log(`build:wasm: ${compiled} built, ${all.length - compiled} up to date in ${relative(ROOT, OUT)}`);
}

await main();
