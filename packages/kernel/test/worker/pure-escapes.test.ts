/**
 * Pure tasks (RunFlags.PURE) against escape attempts: each program in
 * test/fixtures/pure/ tries one way out of the task (a host built-in through
 * ESM or CommonJS, a host file read as a module, a member of process, the real
 * process reached another way, traces of an earlier task, the system-call
 * channel, WebAssembly) and reports what happened; each test asserts the
 * refusal concretely (the error code, the file not written, the value not
 * there). docs/worker-tasks.md, "Pure tasks", describes the mechanism.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Kernel } from '@dios/kernel';
import type { WorkerPool } from '@dios/kernel/node';
import { PURE_PROCESS_MEMBERS } from '../../src/host/worker/pure-process.js';
import { PureHarness, type Attempt, type Attempts } from './pure-harness.js';

// Each attempt starts a thread; on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const ESM = new URL('../fixtures/pure/escapes.mjs', import.meta.url).href;
const CJS = new URL('../fixtures/pure/escapes.cjs', import.meta.url).href;
const SECRET = 's3cr3t-of-the-host';

const h = new PureHarness();
let kernel: Kernel;
let pool: WorkerPool;
let dir: string;
const { consoleOut } = h;

beforeAll(async () => {
  process.env.DIOS_HOST_SECRET = SECRET;
  await h.start('dios-pure-', {
    'secret.json': JSON.stringify({ secret: SECRET }),
    'secret.mjs': `export default ${JSON.stringify(SECRET)};`,
    'secret.js': `let x = 1;\nmodule.exports = ${JSON.stringify(SECRET)};\n`,
    'secret.env': `DIOS_SECRET=${SECRET}\n`,
    'addon.node': 'not an ELF file',
    'engine.so': 'not an ELF file',
  });
  ({ kernel, pool, dir } = h);
});

afterAll(async () => {
  await h.close();
  delete process.env.DIOS_HOST_SECRET;
});

const pure = <R = Attempt>(module: string, name: string, ...args: string[]) => h.run<R>(module, name, args);
const esm = <R = Attempt>(name: string, ...args: string[]) => pure<R>(ESM, name, ...args);
const cjs = <R = Attempt>(name: string, ...args: string[]) => pure<R>(CJS, name, ...args);

/** What a program that patches a prototype to catch the real process reports: the patch, and what it caught. */
interface Capture {
  patch: Attempt;
  captured: string;
}

function refused(a: Attempt, code = 'EACCES'): void {
  expect(a.ok, `expected a refusal, got ${JSON.stringify(a)}`).toBe(false);
  expect(a.code, a.message).toBe(code);
  expect(a.message ?? '').not.toContain(SECRET);
}

/** An attempt that found nothing to call: the member is not there (TypeError on the call). */
function absent(a: Attempt): void {
  expect(a.ok, `expected the member to be absent, got ${JSON.stringify(a)}`).toBe(false);
  expect(a.name).toBe('TypeError');
}

describe('pure tasks: host built-ins through ES modules', () => {
  it.each([
    'node:fs',
    'fs',
    'node:child_process',
    'node:net',
    'node:worker_threads',
    'node:vm',
    'node:module',
    'node:process',
    'node:os',
    'node:v8',
    'node:inspector',
    'node:dgram',
    'node:http',
    'node:tls',
    'node:diagnostics_channel',
    'node:trace_events',
  ])('import(%s) is EACCES', async (name) => {
    refused((await esm('importBuiltin', name)).report);
  });

  it('computation-only built-ins stay importable (the refusals above are not a broken loader)', async () => {
    const { report } = await esm('importBuiltin', 'node:crypto');
    expect(report.ok).toBe(true);
  });

  it('import.meta.resolve of a host built-in is EACCES', async () => {
    refused((await esm('importMetaResolveFs')).report);
  });

  it('a data: URL module that imports node:fs is EACCES; plain data: code runs', async () => {
    refused((await esm('dataUrlImportsFs')).report);
    expect((await esm('dataUrlPlainCode')).report).toEqual({ ok: true, value: 42 });
  });
});

describe('pure tasks: host built-ins through CommonJS', () => {
  it('a .cjs program: require("node:fs").writeFileSync is EACCES and the host file is not written', async () => {
    refused((await cjs('requireFsWrite')).report);
    expect(existsSync(join(dir, 'pwned-require-fs'))).toBe(false);
  });

  it('a .cjs program: require("child_process").execSync("id") is EACCES', async () => {
    refused((await cjs('requireChildProcess')).report);
  });

  it.each(['net', 'worker_threads', 'node:vm', 'module', 'os', 'http', 'inspector', 'v8'])(
    'a .cjs program: require(%s) is EACCES',
    async (name) => {
      refused((await cjs('requireBuiltin', name)).report);
    },
  );

  it('a CommonJS module imported by an ES program cannot require node:fs either (the host file is not written)', async () => {
    refused((await esm('importCjsHelperThatRequiresFs')).report);
    expect(existsSync(join(dir, 'pwned-cjs-helper'))).toBe(false);
  });

  it('module.constructor._load("fs") is EACCES', async () => {
    refused((await cjs('moduleLoad')).report);
  });

  it('a request that is not a string (an object whose toString says "fs") is EACCES, in _load and _resolveFilename', async () => {
    refused((await cjs('coercedRequest')).report);
    refused((await cjs('coercedResolve')).report);
  });

  it('Module.createRequire(...)("fs") is EACCES, and a require made for a host directory reads nothing there', async () => {
    refused((await cjs('createRequireFs')).report);
    refused((await cjs('createRequireHost')).report);
  });

  it("Module.register (a loader hook of the task's own, which would run before ours) is EACCES; node:fs stays refused", async () => {
    const { report } = await cjs<Attempts<'register' | 'fs'>>('registerHook');
    refused(report.register);
    refused(report.fs);
  });

  it('the guarded Module statics cannot be replaced: assignment and defineProperty fail, require("fs") stays EACCES', async () => {
    const { report } = await cjs<Attempts<'assign' | 'define' | 'fs'>>('overwriteLoad');
    expect(report.assign).toMatchObject({ ok: false, name: 'TypeError' });
    expect(report.define).toMatchObject({ ok: false, name: 'TypeError' });
    refused(report.fs);
  });

  it('require("process") and require("vm") are EACCES; process in a CommonJS module is the pure one', async () => {
    refused((await cjs('requireProcessBuiltin')).report);
    refused((await cjs('requireVm')).report);
    expect((await cjs('cjsProcess')).report).toEqual({ ok: true, value: ['undefined', 'undefined', 'undefined'] });
  });
});

describe('pure tasks: host files read as modules', () => {
  it('import of a host JSON file by file: URL with type json is EACCES', async () => {
    refused((await esm('importJsonFileUrl')).report);
  });

  it('import of a host module by absolute path is EACCES', async () => {
    refused((await esm('importAbsolutePath')).report);
  });

  it('import of a host module by a relative path climbing out of the package is EACCES', async () => {
    refused((await esm('importRelativePath')).report);
  });

  it('import.meta.resolve of a host file is EACCES (no probing of what exists)', async () => {
    refused((await esm('metaResolveHostFile')).report);
  });

  it('a data: URL module re-exporting a host file is EACCES', async () => {
    refused((await esm('dataUrlImportsHostFile')).report);
  });

  it('require() of a host file by absolute or relative path is EACCES', async () => {
    refused((await cjs('requireAbsoluteHostFile')).report);
    refused((await cjs('requireRelativeHostFile')).report);
  });

  it('require.resolve of a host file, directly or through options.paths, is EACCES', async () => {
    refused((await cjs('requireResolveProbe')).report);
    refused((await cjs('requireResolvePaths')).report);
  });

  it('require.extensions[".json"] and Module.prototype.load on a forged module are EACCES', async () => {
    refused((await cjs('extensionHandlerRead')).report);
    refused((await cjs('moduleLoadMethod')).report);
  });

  it('code compiled under a host file name cannot make assert() quote that file', async () => {
    const { report } = await cjs('forgedFilenameAssert');
    refused(report);
  });

  it('Module._readPackage, Module._findPath and Module.runMain on host paths are EACCES; Module._stat says nothing', async () => {
    refused((await cjs('readPackage')).report);
    refused((await cjs('findPathProbe')).report);
    refused((await cjs('runMain')).report);
    // _stat of an existing host file answers as for a missing one.
    expect((await cjs('statProbe')).report).toEqual({ ok: true, value: [-2, -2] });
  });

  it('native addons are refused before dlopen: require("./x.node"), require.extensions[".node"], import("./x.node")', async () => {
    refused((await cjs('nativeAddon')).report);
    refused((await cjs('extensionsNode')).report);
    refused((await esm('importAddon')).report);
  });

  it('require.extensions is frozen: no new extension handler', async () => {
    expect((await cjs('addExtension')).report).toMatchObject({ ok: false, name: 'TypeError' });
  });
});

describe('pure tasks: process is an allow-list', () => {
  it('process.loadEnvFile is not there; nothing from the host file reaches process.env', async () => {
    absent((await esm('processLoadEnvFile')).report);
  });

  it('process.report is not there: no getReport (the host environment), no writeReport (a host file)', async () => {
    absent((await esm('processReport')).report);
    absent((await esm('processWriteReport')).report);
    expect(existsSync(join(dir, 'pwned-report.json'))).toBe(false);
  });

  it('process._rawDebug (the host stderr) is not there', async () => {
    absent((await esm('processRawDebug')).report);
  });

  it('cwd is /, and pid, ppid, execPath and title are not there', async () => {
    const { report } = await esm('processIdentity');
    expect(report).toEqual({
      ok: true,
      value: { cwd: '/', pid: 'undefined', ppid: 'undefined', execPath: 'undefined', title: 'undefined' },
    });
  });

  it('process.binding, process.getBuiltinModule and process.dlopen are not there', async () => {
    absent((await esm('processBinding')).report);
    absent((await esm('processGetBuiltinModule')).report);
    absent((await esm('processDlopen')).report);
  });

  it("process.env holds no host variable (the test set DIOS_HOST_SECRET in the kernel's process)", async () => {
    const { report } = await esm('processEnv');
    expect(report).toEqual({ ok: true, value: { keys: [], path: 'undefined', host: 'undefined' } });
  });

  it('every member of the host process not on the allow-list reads undefined', async () => {
    const keys = [
      ...new Set([
        ...Object.getOwnPropertyNames(process),
        ...Object.getOwnPropertyNames(Object.getPrototypeOf(process)),
        'getBuiltinModule',
        'loadEnvFile',
        'report',
        'mainModule',
        'permission',
      ]),
    ];
    const { report } = await esm<{ visible: string[]; own: string[]; proto: boolean }>(
      'processMembers',
      JSON.stringify(keys),
    );
    for (const key of report.visible) expect(PURE_PROCESS_MEMBERS, `process.${key} is visible`).toContain(key);
    expect(report.visible.length).toBeGreaterThan(3);
    expect(keys.filter((k) => !PURE_PROCESS_MEMBERS.includes(k)).length).toBeGreaterThan(60);
    expect(report.proto).toBe(true);
  });

  it('process.exit(7) ends the task with status 7 (and only the task)', async () => {
    const { status, report } = await esm<undefined>('processExit');
    expect(status).toBe(7);
    expect(report).toBeUndefined();
    expect((await esm('dataUrlPlainCode')).report.value).toBe(42);
  });
});

describe('pure tasks: the real process reached another way', () => {
  it('eval, Function and indirect eval see the same pure process', async () => {
    expect((await esm('evalProcess')).report).toEqual({ ok: true, value: ['undefined', 'undefined', 'undefined'] });
  });

  it('the global object has no require/module (the eval entry of a source run defines them) and no fetch, BroadcastChannel, WebSocket', async () => {
    expect((await esm('functionThisGlobals')).report).toEqual({ ok: true, value: [] });
    expect((await esm('sourceRequireGlobal')).report).toEqual({
      ok: true,
      value: ['undefined', 'undefined', 'undefined'],
    });
    expect((await esm('hostGlobals')).report).toEqual({
      ok: true,
      value: ['undefined', 'undefined', 'undefined', 'undefined'],
    });
  });

  it('EventEmitter.prototype is frozen: a patched emit cannot capture the process Node emits warnings on', async () => {
    const { report } = await esm<Capture>('emitterPrototypeCapture');
    expect(report.patch).toMatchObject({ ok: false, name: 'TypeError' });
    expect(report.captured).toBe('<none>');
  });

  it('Object.prototype is frozen: a getter there cannot capture the process Node reads flags from', async () => {
    const { report } = await esm<Capture>('objectPrototypeGetter');
    expect(report.patch).toMatchObject({ ok: false, name: 'TypeError' });
    expect(report.captured).toBe('<none>');
  });

  it("the stream prototypes are hardened: a patched Writable.prototype.write cannot catch Node's own stderr of the thread", async () => {
    const { report } = await esm<{ patch: Attempt; found: string[] }>('streamPrototypeCapture');
    expect(report.patch).toMatchObject({ ok: false, name: 'TypeError' });
    expect(report.found).toEqual([]);
  });

  it("stack frames (Error.prepareStackTrace) give no this or function of Node's internals", async () => {
    const { report } = await esm<{ patch: Attempt; found: string[] }>('stackFrameThis');
    expect(report.found).toEqual([]);
  });

  it('console writes to the DIOS console, and has no host stream behind it', async () => {
    const { report } = await esm('consolePrototype');
    expect(report).toEqual({ ok: true, value: { stdout: 'undefined', protoLog: '<plain>' } });
  });
});

describe('pure tasks: allowed built-ins trimmed where they reach the host', () => {
  it('crypto.setEngine (dlopen of a library) and crypto.setFips (process-wide OpenSSL state) are EACCES', async () => {
    refused((await esm('cryptoSetEngine')).report);
    refused((await esm('cryptoSetFips')).report);
  });

  it("path.resolve and url.pathToFileURL resolve against /, not the host's working directory", async () => {
    expect((await esm('pathResolveCwd')).report).toEqual({ ok: true, value: ['/x', 'file:///x'] });
  });

  it('the process-wide Blob URL registry is closed: URL.createObjectURL and buffer.resolveObjectURL are EACCES', async () => {
    refused((await esm('blobUrlRegistry')).report);
    refused((await esm('bufferResolveObjectUrl')).report);
  });
});

describe('pure tasks: one task per thread', () => {
  it("a global, an environment variable and a built-in's state left by one pure task are not seen by the next", async () => {
    await esm('leaveTraces');
    const { report } = await esm<{ global: string; env: string; poolSize: number }>('readTraces');
    expect(report).toEqual({ global: 'undefined', env: 'undefined', poolSize: 0 });
  });

  it('the intrinsics are frozen: Array.prototype, Object.prototype and Promise.prototype cannot be patched', async () => {
    const { report } = await esm<Attempt[]>('patchIntrinsics');
    for (const a of report) expect(a).toMatchObject({ ok: false, name: 'TypeError' });
  });

  it('a pure thread is never handed a second task', async () => {
    const before = pool.threadsStarted;
    await esm('dataUrlPlainCode');
    await esm('dataUrlPlainCode');
    expect(pool.threadsStarted - before).toBeGreaterThanOrEqual(2);
  });
});

describe('pure tasks: the system-call channel', () => {
  it("patching Atomics or typed arrays to capture the channel's SharedArrayBuffer fails", async () => {
    const { report } = await esm<{ patches: boolean[]; protoPatch: boolean; found: number }>('captureChannel');
    expect(report).toEqual({ patches: [false, false, false, false, false], protoPatch: false, found: 0 });
  });

  it('nothing reachable from the sys object is a SharedArrayBuffer', async () => {
    expect((await esm<{ shared: number }>('sysObjectShared')).report).toEqual({ shared: 0 });
  });

  it("MessagePort.prototype is frozen: the task cannot capture its channel's port to post garbage; its calls still work", async () => {
    const { report } = await esm<{ patch: boolean; captured: boolean; after: Attempt }>('garbageOnPort');
    expect(report.patch).toBe(false);
    expect(report.captured).toBe(false);
    expect(report.after).toEqual({ ok: true, value: 1 });
    kernel.checkInvariants();
  });

  it('Atomics.wait on its own memory blocks only its own thread', async () => {
    expect((await esm('atomicsWaitOwn')).report).toEqual({ ok: true, value: 'timed-out' });
  });
});

describe('pure tasks: WebAssembly', () => {
  it('a module importing a host function gets only what JavaScript hands it: nothing host-bound is there to hand', async () => {
    expect((await esm('wasmHostImport')).report).toMatchObject({ ok: false, name: 'LinkError' });
    expect((await esm('wasmNoImports')).report).toMatchObject({ ok: false, name: 'TypeError' });
  });

  it('import("node:wasi") is EACCES', async () => {
    refused((await esm('wasiImport')).report);
  });
});

describe('pure tasks: what stays possible', () => {
  it("computation built-ins, the packages the program can name (a workspace link, a CommonJS package), argv and the task's environment", async () => {
    const { report } = await h.run<Record<string, unknown>>(ESM, 'legitComputation', ['one', 'two'], {
      DIOS_TASK_VAR: 'from the spec',
    });
    expect(report).toEqual({
      sha: 'ba7816bf8f01cfea',
      zlib: 'round trip',
      seen: 2,
      piped: 'streamed',
      name: 'function',
      ms: 7_200_000,
      override: 'overridden',
      argv: [dir, 'one', 'two'],
      env: 'from the spec',
    });
  });

  it('a CommonJS program requires allowed built-ins, files of its own package and packages it can name', async () => {
    const { report } = await cjs('legitRequire');
    expect(report).toEqual({
      ok: true,
      value: { ms: 60_000, path: 'a/b', sha: 'ba7816bf8f01cfea', own: 'function', json: '@dios/kernel' },
    });
  });

  it('a program that is a data: module runs pure; having no package, it loads no file (a file inside this package is EACCES)', async () => {
    const source = `export default async (sys) => {
      let code = 'loaded';
      try { await import(${JSON.stringify(ESM)}); } catch (e) { code = e.code; }
      const bytes = new TextEncoder().encode(code);
      const b = await sys.beginWrite(sys.outputs[0], bytes.length, { truncate: true });
      b.set(bytes);
      await sys.endWrite(sys.outputs[0], b);
      return 0;
    };`;
    const { status, report } = await h.runRaw(`data:text/javascript,${encodeURIComponent(source)}`, 'default');
    expect(status).toBe(0);
    expect(report).toBe('EACCES');
  });

  it('console.log and process.stdout.write reach the DIOS console', async () => {
    const before = consoleOut.length;
    expect((await esm<{ wrote: boolean }>('consoleWrites')).report).toEqual({ wrote: true });
    const text = consoleOut.slice(before).join('');
    expect(text).toContain('hello from a pure task 42\n');
    expect(text).toContain('and through process.stdout\n');
  });
});

describe('pure tasks: the kernel goes on', () => {
  it('after every attempt the kernel is consistent and a pure console write reached the DIOS console only', async () => {
    kernel.checkInvariants();
    expect(consoleOut.join('')).not.toContain(SECRET);
  });
});
