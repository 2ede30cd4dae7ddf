/**
 * The shape of a ContainerSpec that arrives as JSON: the daemon checks the
 * types of its fields before the engine sees it (the Engine's TypeScript
 * types say nothing about what a client sends), EINVAL naming the field.
 * @module
 */
import { errors } from '@dios/kernel';
import type { ContainerSpec } from '../../containers/api.js';

const CALL = 'container.create';

const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `body` as a ContainerSpec: EINVAL naming the first field of the wrong type. */
export function checkSpecShape(body: Record<string, unknown>): ContainerSpec {
  const fail = (field: string, expected: string): never => {
    throw errors.EINVAL(CALL, field, `expected ${expected}, got ${JSON.stringify(body[field])}`);
  };
  if (typeof body.image !== 'string' || body.image === '') fail('image', 'a non-empty string');
  for (const field of ['name', 'entry'])
    if (body[field] !== undefined && typeof body[field] !== 'string') fail(field, 'a string');
  for (const field of ['args', 'shares'])
    if (body[field] !== undefined && !isStringList(body[field])) fail(field, 'an array of strings');
  if (
    body.env !== undefined &&
    !(isPlainObject(body.env) && Object.values(body.env).every((v) => typeof v === 'string'))
  )
    fail('env', 'an object of strings');
  if (body.limits !== undefined && !isPlainObject(body.limits)) fail('limits', 'an object');
  return body as unknown as ContainerSpec;
}
