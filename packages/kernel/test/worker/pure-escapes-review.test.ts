/**
 * Pure tasks against escape attempts found in review, beside pure-escapes.test.ts (same harness: each program in
 * test/fixtures/pure/review.{mjs,cjs} tries one way out and reports what happened as JSON; each test asserts the
 * refusal concretely).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Kernel } from '@dios/kernel';
import { PureHarness, type Attempt, type Attempts } from './pure-harness.js';

// Each attempt starts a thread; on a loaded machine that takes seconds.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const ESM = new URL('../fixtures/pure/review.mjs', import.meta.url).href;
const CJS = new URL('../fixtures/pure/review.cjs', import.meta.url).href;
const SECRET = 's3cr3t-of-the-host-in-review';
// esbuild as tsx (loaded in the worker before the lock-down) resolves it.
const ESBUILD = createRequire(createRequire(import.meta.url).resolve('tsx/package.json')).resolve('esbuild');

const h = new PureHarness();
let kernel: Kernel;
let dir: string;
const { consoleOut } = h;

beforeAll(async () => {
  await h.start('dios-pure-review-', { 'secret.env': `DIOS_SECRET=${SECRET}\n` });
  ({ kernel, dir } = h);
});

afterAll(() => h.close());

const pure = <R = Attempt>(module: string, name: string, ...args: string[]) => h.run<R>(module, name, args);
const esm = <R = Attempt>(name: string, ...args: string[]) => pure<R>(ESM, name, ...args);
const cjs = <R = Attempt>(name: string, ...args: string[]) => pure<R>(CJS, name, ...args);

function refused(a: Attempt, code = 'EACCES'): void {
  expect(a.ok, `expected a refusal, got ${JSON.stringify(a)}`).toBe(false);
  expect(a.code, a.message).toBe(code);
  expect(a.message ?? '').not.toContain(SECRET);
}

describe('pure tasks: modules the worker loaded before the lock-down', () => {
  it('esbuild (loaded with tsx) imported by its file URL is a fresh instance: its fs is EACCES, no host file read or written', async () => {
    refused((await esm('preloadedEsbuildRead', pathToFileURL(ESBUILD).href)).report);
    refused((await esm('preloadedEsbuildWrite', pathToFileURL(ESBUILD).href)).report);
    expect(existsSync(join(dir, 'pwned-esbuild.js'))).toBe(false);
  });

  it("esbuild through require() is a fresh instance too, and require.cache holds nothing of the worker's", async () => {
    refused((await cjs('preloadedRequire', ESBUILD)).report);
    expect((await cjs('requireCache')).report).toEqual({ ok: true, value: [] });
  });

  it("the worker's own kernel module (pure.ts, holding node:module) imported by its URL is a fresh instance: EACCES", async () => {
    refused((await esm('preloadedKernelModule')).report);
    expect((await esm('ownUrl')).report).toEqual({ ok: true, value: '?dios-pure' });
  });
});

describe('pure tasks: what exists on the host', () => {
  it('a package specifier climbing out of its package (ms/../../x, also %2e-encoded) is EACCES before any lookup, whether the host file exists or not', async () => {
    const { report } =
      await esm<Attempts<'exists' | 'missing' | 'encoded' | 'metaExists' | 'metaMissing'>>('bareClimb');
    for (const key of ['exists', 'missing', 'encoded', 'metaExists', 'metaMissing'] as const) refused(report[key]);
    expect(report.missing.message!.replace('nothing.env', 'secret.env')).toBe(report.exists.message);
  });

  it('the same through require, require.resolve and Module._findPath', async () => {
    const { report } =
      await cjs<Attempts<'exists' | 'missing' | 'requireMissing' | 'findPathExists' | 'findPathMissing'>>('bareClimb');
    for (const key of ['exists', 'missing', 'requireMissing', 'findPathExists', 'findPathMissing'] as const)
      refused(report[key]);
    expect(report.missing.message!.replace('nothing.env', 'secret.env')).toBe(report.exists.message);
  });
});

describe('pure tasks: lookups a package controls', () => {
  it('a package.json "imports" map sending #fs and #child to host built-ins (fs, child_process, node:fs), or #up/* out of the package, is refused (ESM and require)', async () => {
    const { report } = await esm<Attempts<'fs' | 'nodeFs' | 'child' | 'up' | 'requireFs'>>('importsMap');
    refused(report.fs);
    refused(report.child);
    // Node itself rejects a node: URL as an imports target.
    expect(report.nodeFs).toMatchObject({ ok: false });
    expect(report.up).toMatchObject({ ok: false });
    expect(report.up.code).not.toBe(undefined);
    expect(JSON.stringify(report.up)).not.toContain(SECRET);
    // require() of #fs: Node's CommonJS resolver turns the node: URL the map gives into a path, and refuses.
    expect(report.requireFs).toMatchObject({ ok: false, code: 'ERR_INVALID_URL_SCHEME' });
  });

  it('Module._nodeModulePaths and _resolveLookupPaths pointed at a host directory: nothing there is found, existing or not', async () => {
    const { report } = await cjs<Attempts<'patch' | 'exists' | 'missing'>>('lookupPathsPoisoned');
    expect(report.patch).toEqual({ ok: true, value: 'patched' });
    expect(report.exists).toMatchObject({ ok: false, code: 'MODULE_NOT_FOUND' });
    expect(report.missing).toMatchObject({ ok: false, code: 'MODULE_NOT_FOUND' });
    expect(report.missing.message!.replace('nothing.js', 'secret.js')).toBe(report.exists.message);
  });

  it("assert() in eval'd code naming a host file with //# sourceURL does not quote that file", async () => {
    const { report } = await esm<Attempts<'path' | 'url' | 'fn'>>('assertSourceUrl');
    for (const key of ['path', 'url', 'fn'] as const) {
      expect(report[key]).toMatchObject({ ok: false, name: 'AssertionError' });
      expect(report[key].message).not.toContain(SECRET);
      expect(report[key].message).not.toContain('DIOS_SECRET');
    }
  });
});

describe('pure tasks: stack frames', () => {
  it('globalThis.Error cannot be replaced by a stand-in whose prepareStackTrace Node would call: stacks stay strings, no frames', async () => {
    const { report } = await esm<{ swap: Attempt; stackType: string; frames: string[]; calls: number; same: boolean }>(
      'globalErrorStandIn',
    );
    expect(report.swap).toMatchObject({ ok: false, name: 'TypeError' });
    expect(report.stackType).toBe('string');
    expect(report.frames).toEqual([]);
    expect(report.calls).toBe(0);
    expect(report.same).toBe(true);
  });
});

describe('pure tasks: global bindings', () => {
  it("globalThis.Atomics, Uint8Array and TextEncoder cannot be rebound: the worker's system-call layer hands no stand-in the channel's buffer", async () => {
    const { report } = await esm<Attempts<'atomics' | 'u8' | 'encoder'> & { shared: number; same: boolean }>(
      'globalAtomicsStandIn',
    );
    for (const key of ['atomics', 'u8', 'encoder'] as const)
      expect(report[key], key).toMatchObject({ ok: false, name: 'TypeError' });
    expect(report.shared).toBe(0);
    expect(report.same).toBe(true);
  });

  it("the prototypes of Node's global classes are hardened: a patched TextDecoder.decode or TextEncoder.encodeInto catches no channel view", async () => {
    const { report } = await esm<Attempts<'decode' | 'encodeInto' | 'defineDecode' | 'accessor'> & { shared: number }>(
      'textCodecPrototypes',
    );
    for (const key of ['decode', 'encodeInto', 'defineDecode', 'accessor'] as const)
      expect(report[key], key).toMatchObject({ ok: false, name: 'TypeError' });
    expect(report.shared).toBe(0);
  });
});

describe('pure tasks: uninitialized memory', () => {
  it("Buffer.allocUnsafe, allocUnsafeSlow, SlowBuffer, the rest of a zlib output's buffer and of the pool hold no freed memory of the process", async () => {
    const { report } = await esm<Record<string, number>>('uninitializedBuffers');
    expect(report).toEqual({
      allocUnsafe: 0,
      allocUnsafeSlow: 0,
      slowBuffer: 0,
      zlibRest: 0,
      poolRest: 0,
      poolSize: 0,
    });
  });
});

describe('pure tasks: the kernel goes on (review)', () => {
  it('after every attempt the kernel is consistent and no secret reached the DIOS console', () => {
    kernel.checkInvariants();
    expect(consoleOut.join('')).not.toContain(SECRET);
  });
});
