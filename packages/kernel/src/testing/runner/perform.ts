/**
 * One checked step: a call made against the kernel and held to the model's
 * prediction, then the whole state compared.
 * @module
 */
import { isDiosError } from '../../core/abi/errors.js';
import type { KernelModel } from '../model/kernel-model.js';
import { isFail, type Fail } from '../model/model-types.js';
import { compare } from './compare.js';
import { describeValue, ModelMismatchError, sameData } from './mismatch.js';
import type { SystemUnderTest } from './system-under-test.js';

/** How long a call may stay pending before the runner calls it blocked (the model said it must not block). */
export const CALL_TIMEOUT_MS = 2000;

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function settle<T>(label: string, promise: Promise<T>): Promise<Settled<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const blocked = new ModelMismatchError(
    label,
    'completion',
    'settles at once',
    `still pending after ${CALL_TIMEOUT_MS} ms (the call blocked)`,
  );
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(blocked), CALL_TIMEOUT_MS);
  });
  try {
    return { ok: true, value: await Promise.race([promise, timeout]) };
  } catch (error) {
    if (error === blocked) throw error;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs one call against the kernel and holds it to the model's prediction:
 * the same errno, or success (then `onSuccess` checks the value and commits
 * the model). A failing call must leave both the model and the kernel as
 * they were. Afterwards the whole state is compared and the invariants run.
 */
export async function perform<T, P>(
  m: KernelModel,
  r: SystemUnderTest,
  label: string,
  prediction: Fail | P,
  call: () => Promise<T>,
  onSuccess: (value: T, plan: P) => void,
): Promise<void> {
  const failing = isFail(prediction);
  const modelBefore = failing ? m.snapshot() : '';
  const kernelBefore = failing ? r.observe() : undefined;
  const outcome = await settle(label, call());
  r.statistics?.outcome(
    label,
    outcome.ok
      ? 'ok'
      : isDiosError(outcome.error)
        ? `${outcome.error.code}${r.statistics.withArguments ? ` ${outcome.error.argument}` : ''}`
        : 'other',
  );
  if (isFail(prediction)) {
    if (outcome.ok)
      throw new ModelMismatchError(label, 'outcome', prediction.fail, `success with ${describeValue(outcome.value)}`);
    if (!isDiosError(outcome.error))
      throw new ModelMismatchError(label, 'outcome', prediction.fail, `a thrown ${String(outcome.error)}`, {
        cause: outcome.error,
      });
    if (outcome.error.code !== prediction.fail)
      throw new ModelMismatchError(label, 'errno', prediction.fail, `${outcome.error.code} (${outcome.error.message})`);
    if (m.snapshot() !== modelBefore)
      throw new ModelMismatchError(label, 'the model on a failing call', 'unchanged', 'changed');
    const kernelAfter = r.observe();
    if (!sameData(kernelAfter, kernelBefore))
      throw new ModelMismatchError(label, 'the kernel on a failing call', kernelBefore, kernelAfter);
  } else {
    if (!outcome.ok) {
      const e = outcome.error;
      throw new ModelMismatchError(label, 'outcome', 'success', isDiosError(e) ? e.message : String(e), { cause: e });
    }
    onSuccess(outcome.value, prediction);
  }
  compare(m, r, label);
}
