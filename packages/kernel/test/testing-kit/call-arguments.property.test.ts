/**
 * The per-call argument arbitraries of @dios/kernel/testing, against a real
 * kernel: every malformed argument they make is refused with EINVAL or
 * EBADF naming exactly that argument, and nothing the calls do breaks the
 * kernel's invariants or throws anything but a DiosError.
 *
 * Runs: DIOS_PROPERTY_RUNS (default 1000) calls.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDiosError, Kernel, ObjectType, programBinary, type SystemCalls } from '@dios/kernel';
import { anyCallArgumentsArb, callArgumentsArb, SYSTEM_CALL_NAMES, type CallArguments } from '@dios/kernel/testing';

const RUNS = Number(process.env.DIOS_PROPERTY_RUNS ?? 1000);

interface Objects {
  kernel: Kernel;
  handles: number[];
  tasks: number[];
  binaries: number[];
  data: number[];
}

async function kernelWithObjects(): Promise<Objects> {
  const kernel = await Kernel.boot();
  kernel.registerProgram('idle', () => new Promise<never>(() => {}));
  const init = kernel.init;
  const binary = await init.create(ObjectType.SHARED_MEMORY_BLOB);
  const bytes = programBinary('idle');
  const buf = await init.beginWrite(binary.ref, bytes.length);
  buf.set(bytes);
  await init.endWrite(binary.ref, buf);
  const stream = await init.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 4 });
  await init.create(ObjectType.GROUP);
  const task = await init.run(binary.ref, { argv: ['idle'] });
  return {
    kernel,
    // Not init's own reference: a pause or delete of it would stop the task driving the test.
    handles: init.handles.filter((h) => h !== init.self),
    tasks: [task],
    binaries: [binary.ref],
    data: [binary.ref, stream.ref],
  };
}

type Outcome = { ok: true } | { ok: false; error: unknown } | { blocked: true };

/** Calls init with the arguments; a call still pending after a few turns counts as blocked (a read of an empty stream). */
async function call(sys: SystemCalls, a: CallArguments): Promise<Outcome> {
  const invoke = (sys as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[a.call]!.bind(sys);
  const pending = invoke(...a.args).then(
    (): Outcome => ({ ok: true }),
    (error: unknown): Outcome => ({ ok: false, error }),
  );
  const blocked = new Promise<Outcome>((resolve) => setTimeout(() => resolve({ blocked: true }), 20));
  return Promise.race([pending, blocked]);
}

describe('callArgumentsArb', () => {
  it('makes well-formed and malformed arguments of every call', () => {
    const ctx = { handles: [1, 2, 3] };
    for (const name of SYSTEM_CALL_NAMES) {
      const sample = fc.sample(callArgumentsArb(name, ctx), { numRuns: 200, seed: 3 });
      expect(sample.every((a) => a.call === name)).toBe(true);
      expect(sample.some((a) => a.malformed === undefined)).toBe(true);
      expect(sample.some((a) => a.malformed !== undefined)).toBe(true);
    }
  });

  it(`a real kernel refuses each malformed argument by name, over ${RUNS} calls`, async () => {
    // Each call on a fresh kernel, so the other arguments name live objects (a deleted reference is refused first).
    const { kernel: first, ...handles } = await kernelWithObjects();
    const refused = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(anyCallArgumentsArb({ ...handles, names: [first.rootGroup.name] }), async (a) => {
        const { kernel } = await kernelWithObjects();
        const outcome = await call(kernel.init, a);
        if ('error' in outcome && !isDiosError(outcome.error)) throw outcome.error;
        if (a.malformed !== undefined) {
          expect(outcome, `${a.call} with malformed ${a.malformed}`).toMatchObject({ ok: false });
          const e = (outcome as { error: { code: string; argument: string; message: string } }).error;
          expect(['EINVAL', 'EBADF']).toContain(e.code);
          expect(e.argument, `${a.call}: ${e.message}`).toBe(a.malformed);
          refused.set(a.call, (refused.get(a.call) ?? 0) + 1);
        }
        kernel.checkInvariants();
      }),
      { numRuns: RUNS, seed: 17 },
    );
    // Every call had some malformed arguments refused (at this many runs).
    if (RUNS >= 500) expect(refused.size).toBe(SYSTEM_CALL_NAMES.length);
  }, 120_000);
});
