/**
 * Reading a task's arguments, with errors naming the argument.
 * @module
 */
import { errors } from '@dios/kernel';

/** argv[i] as an integer of at least `min`; EINVAL (`argv[i]`) otherwise. */
export function intArg(argv: readonly string[], i: number, call: string, min: number): number {
  const text = argv[i];
  const n = text !== undefined && /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min)
    throw errors.EINVAL(call, `argv[${i}]`, `expected an integer >= ${min}, got ${JSON.stringify(text)}`);
  return n;
}

/** argv[i], which must be present; EINVAL (`argv[i]`) otherwise. */
export function stringArg(argv: readonly string[], i: number, call: string): string {
  const text = argv[i];
  if (text === undefined) throw errors.EINVAL(call, `argv[${i}]`, 'missing');
  return text;
}
