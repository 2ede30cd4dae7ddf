/**
 * Arbitraries for the values system calls take: names, rights masks, object
 * types, lifecycles and create's options and arguments, each valid, and
 * invalid where a call must refuse them.
 * @module
 */
import fc from 'fast-check';
import { Name } from '../../core/abi/names.js';
import type { MConsistency, MLifecycle } from '../model/model-types.js';
import { ALL, FLAG_MASK } from '../model/rights-and-limits.js';

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Name keys: 64 lower-case hex digits (256 bits), uniformly random. Never invalid. */
export const nameKeyArb: fc.Arbitrary<string> = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hex);

/** Names as `Name` objects (of {@link nameKeyArb}). Never invalid. */
export const nameArb: fc.Arbitrary<Name> = nameKeyArb.map((key) => Name.parse(key));

/** Values a name argument must refuse (EINVAL): too short, upper case, not hex, not a string. Always invalid. */
export const invalidNameArb: fc.Arbitrary<unknown> = fc.oneof(
  nameKeyArb.map((k) => k.slice(2)),
  nameKeyArb.map((k) => k.toUpperCase().replace(/^[0-9]/, 'A')),
  nameKeyArb.map((k) => `g${k.slice(1)}`),
  fc.constantFrom<unknown>(42, null, undefined, {}, ''),
);

/** Rights masks: any combination of READ, WRITE, EXECUTE and DELEGATE (0 to 15). Never invalid. */
export const rightsArb: fc.Arbitrary<number> = fc.integer({ min: 0, max: ALL });

/** Values a rights argument must refuse (EINVAL): unknown bits, negative, fractional, not a number. Always invalid. */
export const invalidRightsArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: ALL + 1, max: 2 ** 31 - 1 }),
  fc.integer({ min: -(2 ** 31), max: -1 }),
  fc.constantFrom<unknown>(1.5, Number.NaN, Infinity, 2 ** 32 + 1, '15', 'rw', null),
);

/** The types create accepts: blobs (private, shared), streams and groups, equally often. Never invalid. */
export const objectTypeArb = fc.constantFrom(
  'private-memory-blob',
  'shared-memory-blob',
  'shared-memory-stream',
  'group',
);

/** Types create must refuse (EINVAL): the kernel-made ones (task, console) and made-up ones. Always invalid. */
export const invalidObjectTypeArb: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  'task',
  'console',
  'bogus',
  7,
  null,
);

/** Lifecycles, equally often. Never invalid. */
export const lifecycleArb: fc.Arbitrary<MLifecycle> = fc.constantFrom('immortal', 'single-delete', 'refcounted');

/** Consistency policies, equally often. Never invalid. */
export const consistencyArb: fc.Arbitrary<MConsistency> = fc.constantFrom('optimistic', 'exclusive');

/**
 * create's options without `group` or `nameSeed` (those depend on the caller's state): each field absent half the
 * time, otherwise valid. A private blob that is immortal, or a group with a capacity, is still refused by create:
 * options are valid only with a type that takes them.
 */
export const createOptionsArb = fc.record(
  {
    lifecycle: lifecycleArb,
    consistency: consistencyArb,
    capacity: fc.integer({ min: 1, max: 64 }),
    readBufferSize: fc.integer({ min: 1, max: 65536 }),
    writeBufferSize: fc.integer({ min: 1, max: 65536 }),
    lookupRights: rightsArb,
  },
  { requiredKeys: [] },
);

/** create's options with one field made invalid (a bad value or an unknown key), or not an options object. Always invalid. */
export const invalidCreateOptionsArb: fc.Arbitrary<unknown> = fc.oneof(
  createOptionsArb.map((o) => ({ ...o, lifecycle: 'forever' })),
  createOptionsArb.map((o) => ({ ...o, consistency: 'strict' })),
  createOptionsArb.map((o) => ({ ...o, capacity: -1 })),
  createOptionsArb.map((o) => ({ ...o, readBufferSize: 0 })),
  fc.tuple(createOptionsArb, invalidRightsArb).map(([o, r]) => ({ ...o, lookupRights: r })),
  createOptionsArb.map((o) => ({ ...o, colour: 'red' })),
  fc.constantFrom<unknown>(null, [], 'options'),
);

/** Flags a call accepts: any combination of its flag bits (see FLAG_MASK), 0 most often. Never invalid as flags. */
export const flagsArb = (call: keyof typeof FLAG_MASK): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.nat(FLAG_MASK[call]).map((bits) => bits & FLAG_MASK[call]) },
  );

/** Values no reference table accepts as a handle (EBADF or EINVAL): 0, negative, fractional, huge, not a number. Always invalid. */
export const invalidHandleArb: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  0,
  -1,
  1.5,
  Number.NaN,
  2 ** 53,
  '1',
  null,
  undefined,
);

// Every flag bit the kernel knows, including those the model leaves out (copy's MAKE_LOCAL): invalid flags avoid them all.
const KNOWN_FLAGS: Record<keyof typeof FLAG_MASK, number> = { ...FLAG_MASK, copy: 0x1 };

/** Flags a call must refuse (EINVAL): a bit it does not know, negative, fractional, too wide, not a number. Always invalid. */
export const invalidFlagsArb = (call: keyof typeof FLAG_MASK): fc.Arbitrary<unknown> =>
  fc.constantFrom<unknown>(KNOWN_FLAGS[call] + 1, 0x10, -1, 1.5, 2 ** 32, '1');

/** The arguments of one create call, as {@link createArgumentsArb} generates them. */
export interface CreateArguments {
  /** The type argument. */
  type: unknown;
  /** The options argument. */
  options: unknown;
  /** The flags argument. */
  flags: unknown;
}

/**
 * Arguments of create: mostly valid (a creatable type, valid options, flags 0), and about one call in four with
 * one invalid argument (type, options or flags, equally often). Some valid-looking ones are still refused for
 * their combination (an immortal private blob, a group with a capacity): the model says which.
 */
export const createArgumentsArb: fc.Arbitrary<CreateArguments> = fc.oneof(
  { weight: 9, arbitrary: fc.record({ type: objectTypeArb, options: createOptionsArb, flags: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ type: invalidObjectTypeArb, options: createOptionsArb, flags: fc.constant(0) }) },
  { weight: 1, arbitrary: fc.record({ type: objectTypeArb, options: invalidCreateOptionsArb, flags: fc.constant(0) }) },
  {
    weight: 1,
    arbitrary: fc.record({ type: objectTypeArb, options: createOptionsArb, flags: invalidFlagsArb('create') }),
  },
);
