/**
 * Property: noninterference. A kernel holds a secrecy tag t, a HIGH task
 * labelled {s: t} that holds a secret input (a blob and a stream labelled
 * {s: t}), an unlabelled LOW task, and shared objects of several types and
 * labels made in a fixed order (low and high blobs, an exclusive-consistency
 * and a single-delete low blob, low and high streams, low and high binaries,
 * the console). A random program is a list of steps of either task: begin
 * and end read and write on any handle, select with timeout 0, create (with
 * the default label or an explicit low or high one), copy to the other task,
 * run a child (a registered program that reads its input and writes its
 * output) and wait for it, delete, pause and resume the other task, read the
 * own label, and for HIGH: write lengths and bytes taken from the secret,
 * write one of the binaries with a program chosen by the secret, and do one of two
 * steps depending on a bit of the secret, or a step on an object the secret
 * picks.
 *
 * Each program runs twice, with two random secrets. LOW's observations
 * (every return value, error code and message, and after every step the
 * size, version, ioReady, openness and task status of each of its
 * references), the console output and the final bytes of every low-labelled
 * object LOW or init holds (or that some other task created) must be equal.
 * Random names are mapped to first-seen indexes.
 *
 * Channels docs/ifc.md leaves unprotected are kept out: termination (HIGH
 * exits at a step of the program, never depending on the secret, so LOW may
 * select on its task reference; a task pausing itself is not generated),
 * names and existence (no lookups; objects only HIGH still holds are not
 * compared, since whether they exist is existence), timing (steps run one
 * at a time, non-blocking), the kernel status (not read). One channel the
 * property found was closed: the handles copy returns counted the references
 * the target made (a caller the target may not flow to now gets 0s; a test
 * of its own is below).
 *
 * Runs: DIOS_IFC_RUNS (default 200).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BeginReadFlags,
  BeginWriteFlags,
  DeleteFlags,
  DiosError,
  EndReadFlags,
  EndWriteFlags,
  Kernel,
  ObjectType,
  PauseFlags,
  programBinary,
  Rights,
  SelectFlags,
  type CreateOptions,
  type LabelChange,
  type SystemCalls,
} from '@dios/kernel';
import { enc, taskOf } from '../helpers.js';

const NUM_RUNS = Number(process.env.DIOS_IFC_RUNS ?? 200);
const SECRET_BYTES = 8;
const STREAM_CAPACITY = 64;

/** One step's operation (handles and leases are picked by index, modulo what the task holds then). */
type Op =
  | { k: 'beginRead'; pick: number; offset: number; length: number | undefined }
  | { k: 'endRead'; pick: number; release: boolean }
  | { k: 'beginWrite'; pick: number; offset: number; length: number; append: boolean; truncate: boolean }
  | { k: 'endWrite'; pick: number; length: number | undefined; discard: boolean; eos: boolean }
  | { k: 'write'; pick: number; length: number; secretLength: boolean; append: boolean }
  | { k: 'select'; picks: number[]; write: boolean }
  | { k: 'create'; type: number; label: 'default' | 'low' | 'high' }
  | { k: 'copy'; picks: number[]; rights: number | undefined }
  | { k: 'run'; binary: number; input: number | undefined; output: number | undefined }
  | { k: 'delete'; pick: number; drop: boolean }
  | { k: 'pause'; resume: boolean }
  | { k: 'label' }
  | { k: 'program'; binary: number; byte: number }
  | { k: 'ifSecret'; byte: number; bit: number; then: Op; else: Op }
  | { k: 'secretPick'; byte: number; op: Op }
  | { k: 'exit'; secret: boolean };

/** A step: which task (0 LOW, 1 HIGH) does what. */
interface Step {
  who: 0 | 1;
  op: Op;
}

const CREATE_TYPES = [ObjectType.SHARED_MEMORY_BLOB, ObjectType.SHARED_MEMORY_STREAM, ObjectType.PRIVATE_MEMORY_BLOB];
const PROGRAMS = ['ni-copy', 'ni-exit'];

const pick = fc.nat(63);
const opArbs = {
  beginRead: fc.record({
    k: fc.constant('beginRead' as const),
    pick,
    offset: fc.constantFrom(0, 0, 1, 4),
    length: fc.option(fc.nat(16), { nil: undefined }),
  }),
  endRead: fc.record({ k: fc.constant('endRead' as const), pick, release: fc.boolean() }),
  beginWrite: fc.record({
    k: fc.constant('beginWrite' as const),
    pick,
    offset: fc.constantFrom(0, 0, 2),
    length: fc.nat(12),
    append: fc.boolean(),
    truncate: fc.boolean(),
  }),
  endWrite: fc.record({
    k: fc.constant('endWrite' as const),
    pick,
    length: fc.option(fc.nat(12), { nil: undefined }),
    discard: fc.boolean(),
    eos: fc.boolean(),
  }),
  write: fc.record({
    k: fc.constant('write' as const),
    pick,
    length: fc.nat(12),
    secretLength: fc.boolean(),
    append: fc.boolean(),
  }),
  select: fc.record({
    k: fc.constant('select' as const),
    picks: fc.array(pick, { minLength: 1, maxLength: 3 }),
    write: fc.boolean(),
  }),
  create: fc.record({
    k: fc.constant('create' as const),
    type: fc.nat(CREATE_TYPES.length - 1),
    label: fc.constantFrom('default' as const, 'low' as const, 'high' as const),
  }),
  copy: fc.record({
    k: fc.constant('copy' as const),
    picks: fc.array(pick, { minLength: 1, maxLength: 2 }),
    rights: fc.option(fc.constantFrom(Rights.READ | Rights.DELEGATE, Rights.ALL), { nil: undefined }),
  }),
  run: fc.record({
    k: fc.constant('run' as const),
    binary: fc.nat(2),
    input: fc.option(pick, { nil: undefined }),
    output: fc.option(pick, { nil: undefined }),
  }),
  delete: fc.record({ k: fc.constant('delete' as const), pick, drop: fc.boolean() }),
  pause: fc.record({ k: fc.constant('pause' as const), resume: fc.boolean() }),
  label: fc.constant({ k: 'label' as const }),
  program: fc.record({ k: fc.constant('program' as const), binary: fc.nat(2), byte: fc.nat(SECRET_BYTES - 1) }),
};
// Steps either task may take; weights favour I/O.
const plainOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: opArbs.beginRead },
  { weight: 3, arbitrary: opArbs.endRead },
  { weight: 3, arbitrary: opArbs.beginWrite },
  { weight: 3, arbitrary: opArbs.endWrite },
  { weight: 5, arbitrary: opArbs.write },
  { weight: 2, arbitrary: opArbs.select },
  { weight: 2, arbitrary: opArbs.create },
  { weight: 2, arbitrary: opArbs.copy },
  { weight: 2, arbitrary: opArbs.run },
  { weight: 2, arbitrary: opArbs.delete },
  { weight: 1, arbitrary: opArbs.pause },
  { weight: 1, arbitrary: opArbs.label },
  { weight: 1, arbitrary: opArbs.program },
);
// HIGH's branch on its secret: one of two steps (never an exit: termination is not protected).
const ifSecret: fc.Arbitrary<Op> = fc.record({
  k: fc.constant('ifSecret' as const),
  byte: fc.nat(SECRET_BYTES - 1),
  bit: fc.nat(7),
  then: plainOp,
  else: plainOp,
});
// HIGH's step on an object (or lease) the secret picks: its picks are shifted by a byte of the secret.
const secretPick: fc.Arbitrary<Op> = fc.record({
  k: fc.constant('secretPick' as const),
  byte: fc.nat(SECRET_BYTES - 1),
  op: plainOp,
});
const exitOp: fc.Arbitrary<Op> = fc.record({ k: fc.constant('exit' as const), secret: fc.boolean() });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ who: fc.constant(0 as const), op: plainOp }) },
  { weight: 8, arbitrary: fc.record({ who: fc.constant(1 as const), op: plainOp }) },
  { weight: 5, arbitrary: fc.record({ who: fc.constant(1 as const), op: ifSecret }) },
  { weight: 5, arbitrary: fc.record({ who: fc.constant(1 as const), op: secretPick }) },
  { weight: 1, arbitrary: fc.record({ who: fc.constantFrom(0 as const, 1 as const), op: exitOp }) },
);
const programArb = fc.array(stepArb, { minLength: 1, maxLength: 40 });
const secretArb = fc.uint8Array({ minLength: SECRET_BYTES, maxLength: SECRET_BYTES });

/** A buffer a task holds between a begin and an end call. */
interface Lent {
  handle: number;
  buffer: Uint8Array;
}

/** One of the two tasks, as the program drives it. */
interface Actor {
  sys: SystemCalls;
  /** Handle of its reference to the other task. */
  other: number;
  /** Handle of its tag reference. */
  tag: number;
  /** Handles of the binaries: low copy, low exit, high. */
  binaries: number[];
  /** The bytes it fills writes with (HIGH: the secret it read). */
  secret: Uint8Array;
  reads: Lent[];
  writes: Lent[];
}

// Named programs the binaries name: a child that copies its input to its output, and one that only exits.
async function copyProgram(sys: SystemCalls): Promise<number> {
  let data: Uint8Array = new Uint8Array(0);
  const [input] = sys.inputs;
  const [output] = sys.outputs;
  if (input !== undefined) {
    const got = await outcome(async () => {
      const b = await sys.beginRead(input, {}, BeginReadFlags.NONBLOCK);
      data = b.slice(0, 32);
      await sys.endRead(input, b);
    });
    // The code only: a message names objects, and names are random.
    if (!got.ok) data = enc(got.error.split(' ')[0]!);
  }
  if (output !== undefined) {
    await outcome(async () => {
      const w = await sys.beginWrite(output, data.length + 1, {}, BeginWriteFlags.NONBLOCK);
      w.set(data);
      w[data.length] = 0x2a;
      await sys.endWrite(output, w);
    });
  }
  return data.length % 4;
}

/** A call's outcome: its value, or a DiosError as `CODE message` (anything else is a bug and rethrown). */
async function outcome<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await call() };
  } catch (e) {
    if (e instanceof DiosError) return { ok: false, error: `${e.code} ${e.message}` };
    throw e;
  }
}

/** A kernel set up as the header says, HIGH holding `secret`. */
async function setUp(secret: Uint8Array) {
  const consoleOut: number[] = [];
  const kernel = await Kernel.boot({ id: 'ni', consoleSink: (b) => consoleOut.push(...b), provenance: false });
  kernel.registerProgram('ni-copy', copyProgram);
  kernel.registerProgram('ni-exit', () => 3);
  kernel.console.pushInput(enc('console input\n'));
  const init = kernel.init;
  const lowSys = await kernel.attachTask(['low'], undefined, { lookupRights: Rights.ALL });
  const highSys = await kernel.attachTask(['high'], undefined, { lookupRights: Rights.ALL });
  const [lowRef] = await init.lookup(lowSys.taskName);
  const [highRef] = await init.lookup(highSys.taskName);
  const tag = (await init.create(ObjectType.TAG)).ref;
  const high: CreateOptions = { label: { secrecy: [tag] } };
  const blob = async (content: string | Uint8Array, options: CreateOptions = {}) => {
    const { ref } = await init.create(ObjectType.SHARED_MEMORY_BLOB, options);
    if (content.length > 0) await writeWhole(init, ref, typeof content === 'string' ? enc(content) : content);
    return ref;
  };
  const stream = async (text: string, options: CreateOptions = {}) => {
    const { ref } = await init.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: STREAM_CAPACITY, ...options });
    if (text !== '') await writeWhole(init, ref, enc(text));
    return ref;
  };
  // Init (unlabelled) can write only the low objects; HIGH fills the high ones below.
  const shared = [
    await blob('low blob'),
    await blob('low exclusive', { consistency: 'exclusive' }),
    await blob('low single', { lifecycle: 'single-delete' }),
    await stream('low stream'),
    await blob('', high),
    await stream('', high),
    await blob(programBinary('ni-copy')),
    await blob(programBinary('ni-exit')),
    await blob('', high),
    init.handles.find((h) => init.ref(h).type === ObjectType.CONSOLE)!,
  ];
  const secretBlob = await blob('', high);
  const secretStream = await stream('', high);
  const [lowTag] = await init.copy([tag], lowRef!, { rights: Rights.READ | Rights.DELEGATE });
  const [highTag] = await init.copy([tag], highRef!, { rights: Rights.READ | Rights.ADD | Rights.DELEGATE });
  const lowShared = await init.copy(shared, lowRef!);
  const highShared = await init.copy([...shared, secretBlob, secretStream], highRef!);
  const [lowOther] = await init.copy([highRef!], lowRef!);
  const [highOther] = await init.copy([lowRef!], highRef!);

  // HIGH raises its label, then writes the high objects: the secret input, a high binary, high data (the high stream stays empty).
  const change: LabelChange = { addSecrecy: [highTag!] };
  await writeWhole(highSys, highSys.self, enc(JSON.stringify(change)));
  const [, , , , highBlob, , , , highBinary, , hSecretBlob, hSecretStream] = highShared;
  await writeWhole(highSys, hSecretBlob!, secret);
  await writeWhole(highSys, hSecretStream!, secret);
  await writeWhole(highSys, highBlob!, enc('high blob'));
  await writeWhole(highSys, highBinary!, programBinary('ni-copy'));
  // What HIGH knows of its secret, it read (through the calls).
  const read = await highSys.beginRead(hSecretBlob!);
  const known = read.slice();
  await highSys.endRead(hSecretBlob!, read);

  const actor = (sys: SystemCalls, other: number, tagHandle: number, handles: number[], bytes: Uint8Array): Actor => ({
    sys,
    other,
    tag: tagHandle,
    binaries: [handles[6]!, handles[7]!, handles[8]!],
    secret: bytes,
    reads: [],
    writes: [],
  });
  const low = actor(lowSys, lowOther!, lowTag!, lowShared, enc('LOWLOWLO'));
  const hi = actor(highSys, highOther!, highTag!, highShared, known);
  return { kernel, init, low, high: hi, consoleOut };
}

/** Writes `bytes` as an object's whole contents (truncating a blob; a stream gets them appended). */
async function writeWhole(sys: SystemCalls, handle: number, bytes: Uint8Array): Promise<void> {
  const isStream = sys.ref(handle).type === ObjectType.SHARED_MEMORY_STREAM;
  const w = await sys.beginWrite(handle, bytes.length, isStream ? {} : { truncate: true });
  w.set(bytes);
  await sys.endWrite(handle, w);
}

const at = <T>(list: readonly T[], i: number): T | undefined => (list.length === 0 ? undefined : list[i % list.length]);

/** Runs one step of `a`; returns what the task saw (a JSON-able value). */
async function perform(a: Actor, op: Op, step: number): Promise<unknown> {
  const sys = a.sys;
  const handle = (i: number) => at(sys.handles, i)!;
  const fill = (buffer: Uint8Array) => {
    for (let i = 0; i < buffer.length; i++) buffer[i] = a.secret[(i + step) % a.secret.length]!;
  };
  switch (op.k) {
    case 'beginRead': {
      const h = handle(op.pick);
      return outcome(async () => {
        const options = op.length === undefined ? { offset: op.offset } : { offset: op.offset, length: op.length };
        const buffer = await sys.beginRead(h, options, BeginReadFlags.NONBLOCK);
        a.reads.push({ handle: h, buffer });
        return Array.from(buffer);
      });
    }
    case 'endRead': {
      const lent = a.reads.splice(op.pick % Math.max(1, a.reads.length), 1)[0];
      if (lent === undefined) return 'no read lent';
      return outcome(() => sys.endRead(lent.handle, lent.buffer, op.release ? EndReadFlags.RELEASE : 0));
    }
    case 'beginWrite': {
      const h = handle(op.pick);
      return outcome(async () => {
        const options = op.append ? {} : { offset: op.offset, truncate: op.truncate };
        const flags = BeginWriteFlags.NONBLOCK | (op.append ? BeginWriteFlags.APPEND : 0);
        const buffer = await sys.beginWrite(h, op.length, options, flags);
        fill(buffer);
        a.writes.push({ handle: h, buffer });
        return buffer.length;
      });
    }
    case 'endWrite': {
      const lent = a.writes.splice(op.pick % Math.max(1, a.writes.length), 1)[0];
      if (lent === undefined) return 'no write lent';
      const flags = (op.discard ? EndWriteFlags.DISCARD : 0) | (op.eos ? EndWriteFlags.END_OF_STREAM : 0);
      const length = op.length === undefined ? undefined : Math.min(op.length, lent.buffer.length);
      return outcome(() => sys.endWrite(lent.handle, lent.buffer, length === undefined ? {} : { length }, flags));
    }
    case 'write': {
      const h = handle(op.pick);
      const length = op.secretLength ? a.secret[0]! % 9 : op.length;
      return outcome(async () => {
        const flags = BeginWriteFlags.NONBLOCK | (op.append ? BeginWriteFlags.APPEND : 0);
        const buffer = await sys.beginWrite(h, length, {}, flags);
        fill(buffer);
        return sys.endWrite(h, buffer);
      });
    }
    case 'select':
      return outcome(() =>
        sys.select(
          op.picks.map((p) => handle(p)),
          { timeoutMs: 0 },
          op.write ? SelectFlags.WRITE : 0,
        ),
      );
    case 'create': {
      const type = CREATE_TYPES[op.type]!;
      const label = op.label === 'default' ? {} : { label: { secrecy: op.label === 'high' ? [a.tag] : [] } };
      const capacity = type === ObjectType.SHARED_MEMORY_STREAM ? { capacity: STREAM_CAPACITY } : {};
      return outcome(async () => {
        const made = await sys.create(type, { ...capacity, ...label });
        return { name: made.name.key, ref: made.ref };
      });
    }
    case 'copy':
      return outcome(async () => {
        const options = op.rights === undefined ? {} : { rights: op.rights };
        const made = await sys.copy(
          op.picks.map((p) => handle(p)),
          a.other,
          options,
        );
        // The handles copy returns are the target's next ones, which count what it made: a LOW caller copying into
        // HIGH gets zeros, so they are compared whole.
        return made;
      });
    case 'run': {
      const spec = {
        argv: ['child'],
        inputs: op.input === undefined ? [] : [handle(op.input)],
        outputs: op.output === undefined ? [] : [handle(op.output)],
      };
      return outcome(async () => {
        const child = await sys.run(a.binaries[op.binary]!, spec);
        // The child runs in the kernel's thread and never blocks: it has exited by the time select returns.
        await sys.select([child], { timeoutMs: 10_000 });
        const status = sys.ref(child).task;
        await sys.delete(child);
        return { child, status };
      });
    }
    case 'delete': {
      const candidates = sys.handles.filter((h) => h !== sys.self);
      const h = at(candidates, op.pick);
      if (h === undefined) return 'nothing to delete';
      return outcome(() => sys.delete(h, op.drop ? DeleteFlags.DROP : 0));
    }
    case 'pause':
      return outcome(() => sys.pause(a.other, op.resume ? PauseFlags.RESUME : 0));
    case 'label':
      return outcome(async () => {
        const b = await sys.beginRead(sys.self);
        const text = new TextDecoder().decode(b);
        await sys.endRead(sys.self, b);
        return text;
      });
    case 'program': {
      const h = a.binaries[op.binary]!;
      const chosen = PROGRAMS[a.secret[op.byte]! & 1]!;
      return outcome(async () => {
        const bytes = programBinary(chosen);
        const buffer = await sys.beginWrite(h, bytes.length, { truncate: true }, BeginWriteFlags.NONBLOCK);
        buffer.set(bytes);
        return sys.endWrite(h, buffer);
      });
    }
    case 'ifSecret':
      return perform(a, (a.secret[op.byte]! >> op.bit) & 1 ? op.then : op.else, step);
    case 'secretPick':
      return perform(a, shifted(op.op, a.secret[op.byte]!), step);
    case 'exit': {
      const failure = op.secret && (a.secret[0]! & 1) === 1;
      return outcome(() => sys.delete(sys.self, failure ? DeleteFlags.EXIT_FAILURE : DeleteFlags.EXIT_SUCCESS));
    }
  }
}

/** `op` with each handle or lease pick moved on by `n`. */
function shifted(op: Op, n: number): Op {
  const move = (p: number | undefined) => (p === undefined ? undefined : p + n);
  switch (op.k) {
    case 'select':
    case 'copy':
      return { ...op, picks: op.picks.map((p) => p + n) };
    case 'run':
      return { ...op, binary: (op.binary + n) % 3, input: move(op.input), output: move(op.output) };
    case 'program':
      return { ...op, binary: (op.binary + n) % 3 };
    case 'beginRead':
    case 'endRead':
    case 'beginWrite':
    case 'endWrite':
    case 'write':
    case 'delete':
      return { ...op, pick: op.pick + n };
    default:
      return op;
  }
}

/** What LOW can see of its references now. */
function lowView(low: SystemCalls): unknown[] {
  return low.handles.map((h) => {
    const r = low.ref(h);
    return [h, r.type, r.open, r.size, r.version, r.ioReady, r.task?.state, r.task?.exitStatus];
  });
}

const LOW_DATA_TYPES: ReadonlySet<string> = new Set(CREATE_TYPES);

/**
 * The bytes of every low-labelled blob or stream that init or LOW holds, or
 * that another task made (none should be low), in the order they were made
 * (read by init through references the test opens for it).
 */
async function lowContents(kernel: Kernel, setup: Awaited<ReturnType<typeof setUp>>): Promise<unknown[]> {
  const initTask = taskOf(kernel, setup.init);
  const lowKey = setup.low.sys.taskName.key;
  const known = new Set([initTask.name.key, lowKey]);
  const out: unknown[] = [];
  for (const obj of kernel.objects.values()) {
    if (!LOW_DATA_TYPES.has(obj.type) || !obj.label.empty) continue;
    const held = [...obj.refs].some((r) => r.open && known.has(r.owner));
    const madeElsewhere = obj.creator !== undefined && !known.has(obj.creator);
    if (!held && !madeElsewhere) continue;
    const ref = kernel.openRef(initTask, obj, Rights.READ, undefined);
    const got = await outcome(async () => {
      const b = await setup.init.beginRead(ref.id, {}, BeginReadFlags.NONBLOCK);
      const bytes = Array.from(b);
      await setup.init.endRead(ref.id, b, EndReadFlags.RELEASE);
      return bytes;
    });
    out.push([obj.creator === lowKey ? 'low' : obj.creator === initTask.name.key ? 'init' : 'other', obj.type, got]);
  }
  return out;
}

/** Replaces each random hex name (or its prefix) in `text` by the index of its first appearance. */
function normalizer(): (text: string) => string {
  const seen = new Map<string, number>();
  return (text) =>
    text.replace(/[0-9a-f]{8,}/g, (hex) => {
      let i = seen.get(hex);
      if (i === undefined) seen.set(hex, (i = seen.size));
      return `#${i}`;
    });
}

/** Runs `program` with HIGH holding `secret`; returns everything LOW could observe, and the low outputs. */
async function observe(program: readonly Step[], secret: Uint8Array): Promise<string[]> {
  const setup = await setUp(secret);
  const { kernel, low, high } = setup;
  const norm = normalizer();
  const trace: string[] = [];
  const note = (what: unknown) => trace.push(norm(JSON.stringify(what)));
  for (const [i, step] of program.entries()) {
    const a = step.who === 0 ? low : high;
    // A paused or exited task makes no calls (a paused task's calls would wait until it is resumed).
    const state = taskOf(kernel, a.sys).state;
    const seen = state === 'running' ? await perform(a, step.op, i) : state;
    if (step.who === 0) note([i, step.op.k, seen]);
    note(lowView(low.sys));
  }
  note(setup.consoleOut);
  note(await lowContents(kernel, setup));
  return trace;
}

describe('noninterference', () => {
  it('LOW observes the same, and low objects end the same, whatever the secret', async () => {
    await fc.assert(
      fc.asyncProperty(programArb, secretArb, secretArb, async (program, s1, s2) => {
        const [a, b] = [await observe(program, s1), await observe(program, s2)];
        expect(b).toEqual(a);
      }),
      { numRuns: NUM_RUNS },
    );
  }, 120_000);

  // Was a leak the property found: copy returned the handles the target gets, the next of its own counter, so a
  // LOW task copying into HIGH learned how many references HIGH made. A caller the target may not flow to gets 0s.
  it('copy into a higher task does not tell how many references it made', async () => {
    const handlesAfter = async (secret: Uint8Array) => {
      const { low, high } = await setUp(secret);
      if (secret[0]! & 1) await high.sys.create(ObjectType.SHARED_MEMORY_BLOB);
      return low.sys.copy([low.tag], low.other);
    };
    expect(await handlesAfter(Uint8Array.of(1))).toEqual(await handlesAfter(Uint8Array.of(0)));
  });
});
