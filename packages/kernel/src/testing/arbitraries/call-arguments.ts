/**
 * Arguments for each of the eleven system calls, against the handles and
 * names a task holds: mostly well-formed (the call may still fail for the
 * state it meets: a closed reference, a missing right, nothing to read),
 * and now and then with exactly one malformed argument, named, which the
 * call must refuse with EINVAL or EBADF naming that argument.
 * @module
 */
import fc from 'fast-check';
import type { Name } from '../../core/abi/names.js';
import type { SystemCallMethod } from '../../core/abi/system-calls.js';
import {
  createOptionsArb,
  flagsArb,
  invalidFlagsArb,
  invalidHandleArb,
  invalidNameArb,
  invalidObjectTypeArb,
  invalidRightsArb,
  nameArb,
  objectTypeArb,
  rightsArb,
} from './values.js';

/** The eleven system calls, by method name. */
export type SystemCallName = Exclude<SystemCallMethod, 'ref'>;

/** The eleven system calls' method names. */
export const SYSTEM_CALL_NAMES: readonly SystemCallName[] = [
  'create',
  'lookup',
  'copy',
  'delete',
  'run',
  'pause',
  'select',
  'beginRead',
  'endRead',
  'beginWrite',
  'endWrite',
];

/** What a task has at hand to name in arguments. */
export interface ArgumentContext {
  /** Handles the task holds (any kind of object); empty: only malformed handles are made. */
  readonly handles: readonly number[];
  /** Names worth looking up (found or not); random names are added. */
  readonly names?: readonly Name[];
  /** Handles of tasks (copy's target, pause's task); default: any of `handles`. */
  readonly tasks?: readonly number[];
  /** Handles of binaries (run's first argument); default: any of `handles`. */
  readonly binaries?: readonly number[];
  /** Handles of blobs and streams (the I/O calls' reference); default: any of `handles`. */
  readonly data?: readonly number[];
}

/** One call's arguments, as passed to the method of `SystemCalls`. */
export interface CallArguments {
  /** The call. */
  readonly call: SystemCallName;
  /** Its arguments, in order. */
  readonly args: readonly unknown[];
  /** The malformed argument's name as the call's error names it (`flags`, `options.rights`, `refs[0]`...), if any. */
  readonly malformed: string | undefined;
}

const small = fc.integer({ min: 0, max: 64 });

/** One call's parts: each argument's valid arbitrary, and the malformed variants with the name each is refused under. */
interface Shape {
  readonly valid: readonly fc.Arbitrary<unknown>[];
  readonly malformed: readonly {
    readonly index: number;
    readonly name: string;
    readonly value: fc.Arbitrary<unknown>;
  }[];
}

function shapeOf(call: SystemCallName, ctx: ArgumentContext): Shape {
  const handle = ctx.handles.length > 0 ? fc.constantFrom(...ctx.handles) : fc.constant(1);
  const pick = (list: readonly number[] | undefined): fc.Arbitrary<number> =>
    list !== undefined && list.length > 0 ? fc.constantFrom(...list) : handle;
  const task = pick(ctx.tasks);
  const binary = pick(ctx.binaries);
  const data = pick(ctx.data);
  const handles = fc.array(handle, { minLength: 1, maxLength: 3 });
  const name =
    ctx.names !== undefined && ctx.names.length > 0 ? fc.oneof(fc.constantFrom(...ctx.names), nameArb) : nameArb;
  const flags = flagsArb(call);
  const badFlags = invalidFlagsArb(call);
  const buffer = fc.uint8Array({ maxLength: 16 });
  const notBuffer = fc.constantFrom<unknown>([1, 2], 'bytes', null, 42);
  switch (call) {
    case 'create':
      return {
        valid: [objectTypeArb, createOptionsArb, flags],
        malformed: [
          { index: 0, name: 'type', value: invalidObjectTypeArb },
          { index: 2, name: 'flags', value: badFlags },
        ],
      };
    case 'lookup':
      return {
        valid: [name, flags],
        malformed: [
          { index: 0, name: 'name', value: invalidNameArb.filter((v) => v !== undefined) },
          { index: 1, name: 'flags', value: badFlags },
        ],
      };
    case 'copy':
      return {
        valid: [handles, task, fc.record({ rights: rightsArb }, { requiredKeys: [] }), flags],
        malformed: [
          { index: 0, name: 'refs[0]', value: invalidHandleArb.map((h) => [h]) },
          { index: 1, name: 'target', value: invalidHandleArb },
          { index: 2, name: 'options.rights', value: invalidRightsArb.map((rights) => ({ rights })) },
          { index: 3, name: 'flags', value: badFlags },
        ],
      };
    case 'delete':
    case 'pause':
      return {
        valid: [call === 'pause' ? task : handle, flags],
        malformed: [
          { index: 0, name: call === 'delete' ? 'ref' : 'task', value: invalidHandleArb },
          { index: 1, name: 'flags', value: badFlags },
        ],
      };
    case 'run':
      return {
        valid: [binary, fc.record({ argv: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }) }), flags],
        malformed: [
          { index: 0, name: 'binary', value: invalidHandleArb },
          { index: 2, name: 'flags', value: badFlags },
        ],
      };
    case 'select':
      return {
        valid: [handles, fc.record({ timeoutMs: fc.constantFrom(0, 1) }), flags],
        malformed: [
          { index: 0, name: 'refs[0]', value: invalidHandleArb.map((h) => [h]) },
          {
            index: 1,
            name: 'options.timeoutMs',
            value: fc.constantFrom(-1, 1.5, 2 ** 40).map((t) => ({ timeoutMs: t })),
          },
          { index: 2, name: 'flags', value: badFlags },
        ],
      };
    case 'beginRead':
      return {
        valid: [data, fc.record({ offset: small, length: small }, { requiredKeys: [] }), flags],
        malformed: [
          { index: 0, name: 'ref', value: invalidHandleArb },
          { index: 1, name: 'options.offset', value: fc.constantFrom(-1, 0.5).map((offset) => ({ offset })) },
          { index: 2, name: 'flags', value: badFlags },
        ],
      };
    case 'beginWrite':
      return {
        valid: [data, small, fc.record({ offset: small }, { requiredKeys: [] }), flags],
        malformed: [
          { index: 0, name: 'ref', value: invalidHandleArb },
          { index: 1, name: 'length', value: fc.constantFrom<unknown>(-1, 0.5, 2 ** 40, '4') },
          { index: 3, name: 'flags', value: badFlags },
        ],
      };
    case 'endRead':
      return {
        valid: [data, buffer, flags],
        malformed: [
          { index: 0, name: 'ref', value: invalidHandleArb },
          { index: 1, name: 'buffer', value: notBuffer },
          { index: 2, name: 'flags', value: badFlags },
        ],
      };
    case 'endWrite':
      return {
        valid: [data, buffer, fc.constant(undefined), flags],
        malformed: [
          { index: 0, name: 'ref', value: invalidHandleArb },
          { index: 1, name: 'buffer', value: notBuffer },
          { index: 3, name: 'flags', value: badFlags },
        ],
      };
  }
}

/**
 * Arguments of `call` over `ctx`: well-formed about nine times in ten,
 * otherwise with one malformed argument (its name in `malformed`). A
 * well-formed call may still fail for the state it meets, never with
 * EINVAL naming an argument it got right.
 */
export function callArgumentsArb(call: SystemCallName, ctx: ArgumentContext): fc.Arbitrary<CallArguments> {
  const shape = shapeOf(call, ctx);
  const wellFormed = fc.tuple(...shape.valid).map((args) => ({ call, args, malformed: undefined }));
  const broken = fc.constantFrom(...shape.malformed).chain((m) =>
    fc.tuple(fc.tuple(...shape.valid), m.value).map(([args, bad]) => {
      const copy = [...args];
      copy[m.index] = bad;
      return { call, args: copy, malformed: m.name };
    }),
  );
  return fc.oneof({ weight: 9, arbitrary: wellFormed }, { weight: 1, arbitrary: broken });
}

/** Arguments of any of the eleven calls (see {@link callArgumentsArb}), the calls equally often. */
export function anyCallArgumentsArb(ctx: ArgumentContext): fc.Arbitrary<CallArguments> {
  return fc.constantFrom(...SYSTEM_CALL_NAMES).chain((call) => callArgumentsArb(call, ctx));
}
