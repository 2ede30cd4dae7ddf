/**
 * The testing kit's runner can fail: a kernel whose init subtly misbehaves
 * (a copy that ignores the rights asked for, an end_write that drops the
 * commit) is rejected with a ModelMismatchError naming the step. And the
 * arbitraries produce both arguments a call accepts and arguments it refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EndWriteFlags, Kernel, type KernelOptions } from '@dios/kernel';
import {
  checkKernelAgainstModel,
  createArgumentsArb,
  FLAG_MASK,
  flagsArb,
  flagsValid,
  invalidFlagsArb,
  invalidRightsArb,
  isFail,
  KernelModel,
  ModelMismatchError,
  rightsArb,
  rightsValid,
} from '@dios/kernel/testing';

/** Boots a kernel, then lets `patch` break its init task's context. */
const brokenBoot =
  (patch: (init: Kernel['init']) => void) =>
  async (options: KernelOptions): Promise<Kernel> => {
    const kernel = await Kernel.boot(options);
    patch(kernel.init);
    return kernel;
  };

async function mismatchOf(run: Promise<void>): Promise<ModelMismatchError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelMismatchError);
  return error as ModelMismatchError;
}

describe('checkKernelAgainstModel', () => {
  it('passes a correct kernel', async () => {
    await expect(checkKernelAgainstModel({ runs: 5, seed: 17, maxCommands: 20 })).resolves.toBeUndefined();
  });

  it('rejects a kernel whose copy ignores the rights asked for (the target gets more), naming the copy', async () => {
    const boot = brokenBoot((init) => {
      const copy = init.copy.bind(init);
      init.copy = (refs, target, _options, flags) => copy(refs, target, undefined, flags);
    });
    const error = await mismatchOf(checkKernelAgainstModel({ runs: 20, seed: 17, maxCommands: 20, boot }));
    expect(error.step).toMatch(/^t0\.copy\(/);
    expect(error.what).toMatch(/rights/);
    expect(error.message).toContain('expected (model)');
    expect(error.message).toMatch(/replay: checkKernelAgainstModel\(\{ seed: 17, path: "[\d:]+"/);
  });

  it('rejects a kernel that drops a commit, naming the end_write', async () => {
    const boot = brokenBoot((init) => {
      const endWrite = init.endWrite.bind(init);
      init.endWrite = (ref, buffer, options, flags = 0) =>
        endWrite(ref, buffer, options, flags === 0 ? EndWriteFlags.DISCARD : flags);
    });
    const error = await mismatchOf(checkKernelAgainstModel({ runs: 20, seed: 17, maxCommands: 20, boot }));
    expect(error.step).toMatch(/^t0\.endWrite\(/);
    expect(error.what).toMatch(/version/);
  });
});

describe('a mismatch in a generated call', () => {
  // Host-attached tasks whose copy ignores the rights asked for: only generated calls (not the setup) go wrong.
  const boot = async (options: KernelOptions): Promise<Kernel> => {
    const kernel = await Kernel.boot(options);
    const attach = kernel.attachTask.bind(kernel);
    kernel.attachTask = async (...args) => {
      const sys = await attach(...args);
      const copy = sys.copy.bind(sys);
      sys.copy = (refs, target, _options, flags) => copy(refs, target, undefined, flags);
      return sys;
    };
    return kernel;
  };

  it('shrinks to one copy, and replays from the seed and path it prints', async () => {
    const error = await mismatchOf(checkKernelAgainstModel({ runs: 100, seed: 17, maxCommands: 30, boot }));
    expect(error.step).toMatch(/^t[12]\.copy\(/);
    expect(error.trail).toMatch(/calls \(shrunk \d+ times\): copy\(\{[^\n]*\}\)\n/);
    const [, seed, path, replayPath] =
      /seed: (\d+), path: "([\d:]+)", replayPath: "([^"]*)"/.exec(error.trail ?? '') ?? [];
    const again = await mismatchOf(
      checkKernelAgainstModel({ seed: Number(seed), path, replayPath, maxCommands: 30, boot }),
    );
    expect([again.step, again.what, again.actual]).toEqual([error.step, error.what, error.actual]);
  });
});

describe('the arbitraries', () => {
  it('generate create arguments the model accepts and ones it refuses', () => {
    const model = KernelModel.boot(
      { root: 'a'.repeat(64), console: 'b'.repeat(64), init: 'c'.repeat(64) },
      4096,
      'k',
      [],
    );
    let accepted = 0;
    let refused = 0;
    for (const { type, options, flags } of fc.sample(createArgumentsArb, { numRuns: 300, seed: 17 })) {
      if (isFail(model.create(0, type, options, flags))) refused++;
      else accepted++;
    }
    expect(accepted).toBeGreaterThan(150);
    expect(refused).toBeGreaterThan(20);
  });

  it('generate flags each call accepts, and ones it refuses', () => {
    for (const call of ['create', 'delete', 'beginWrite', 'copy'] as const) {
      expect(fc.sample(flagsArb(call), { numRuns: 50, seed: 17 }).every((f) => flagsValid(f, FLAG_MASK[call]))).toBe(
        true,
      );
      expect(
        fc.sample(invalidFlagsArb(call), { numRuns: 50, seed: 17 }).some((f) => flagsValid(f, FLAG_MASK[call])),
      ).toBe(false);
    }
  });

  it('generate rights masks that are valid, and invalid ones that are not', () => {
    expect(fc.sample(rightsArb, { numRuns: 100, seed: 17 }).every(rightsValid)).toBe(true);
    expect(fc.sample(invalidRightsArb, { numRuns: 100, seed: 17 }).some(rightsValid)).toBe(false);
  });
});
