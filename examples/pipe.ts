/**
 * Two tasks over a stream. One kernel, two programs installed as binary blobs,
 * and a producer and a consumer task that talk over a shared-memory stream.
 * Everything the tasks do goes through the eleven system calls.
 *
 *   npx tsx --conditions=@dios/source examples/pipe.ts
 *
 * @module
 */
import {
  CreateFlags,
  DeleteFlags,
  EndWriteFlags,
  Kernel,
  ObjectType,
  PauseFlags,
  RunFlags,
  type Name,
  type Program,
  type SystemCalls,
} from '@dios/kernel';
import { writableConsoleSink } from '@dios/kernel/node';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const short = (name: Name): string => `${name.key.slice(0, 16)}...`;
const log = (text = ''): void => void process.stdout.write(`${text}\n`);

/** Writes `bytes` to `ref` in one begin_write / end_write round; returns the object's new version. */
async function write(sys: SystemCalls, ref: number, bytes: Uint8Array, flags = 0): Promise<number> {
  const buffer = await sys.beginWrite(ref, bytes.length);
  buffer.set(bytes);
  return sys.endWrite(ref, buffer, undefined, flags);
}

/** Reads the whole of blob `ref` (a copy: the lent view is only valid until end_read). */
async function readAll(sys: SystemCalls, ref: number): Promise<Uint8Array> {
  const view = await sys.beginRead(ref);
  const copy = view.slice();
  if (!(await sys.endRead(ref, view))) throw new Error('the blob changed while it was read');
  return copy;
}

// inputs[0]: a blob of text lines; outputs[0]: the stream. Sends each line, then end-of-stream.
const producer: Program = async (sys) => {
  const [text] = sys.inputs;
  const [stream] = sys.outputs;
  const lines = decoder
    .decode(await readAll(sys, text!))
    .split('\n')
    .filter((l) => l.length > 0);
  for (const line of lines) await write(sys, stream!, encoder.encode(`${line}\n`));
  await write(sys, stream!, new Uint8Array(0), EndWriteFlags.END_OF_STREAM);
  return 0;
};

// inputs[0]: the stream; outputs[0]: the console. Reads until an empty read (end-of-stream).
const consumer: Program = async (sys) => {
  const [stream] = sys.inputs;
  const [out] = sys.outputs;
  const chunks: string[] = [];
  let bytes = 0;
  for (;;) {
    const view = await sys.beginRead(stream!);
    const n = view.length;
    chunks.push(decoder.decode(view));
    await sys.endRead(stream!, view);
    if (n === 0) break;
    bytes += n;
  }
  const body = chunks
    .join('')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => `  | ${l}\n`)
    .join('');
  await write(
    sys,
    out!,
    encoder.encode(`[console] consumer got ${bytes} bytes in ${chunks.length - 1} reads:\n${body}`),
  );
  // A task exits by deleting its own task reference.
  await sys.delete(sys.self, DeleteFlags.EXIT_SUCCESS);
};

// The console object's output goes to process.stdout through the Node host layer.
const kernel = await Kernel.boot({ id: 'demo', consoleSink: writableConsoleSink() });
const sys = kernel.init;
const consoleRef = sys.handles.find((h) => sys.ref(h).type === ObjectType.CONSOLE)!;
log(`Booted kernel "${kernel.id}"; init task ${short(sys.taskName)} holds references ${sys.handles.join(', ')}`);

// A group to run the tasks in, a blob of input text, a small stream (64 bytes: the producer must wait for the consumer).
const group = await sys.create(ObjectType.GROUP);
const text = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
const textVersion = await write(
  sys,
  text.ref,
  encoder.encode('alpha: the first line\nbeta: the second line\ngamma: the third line\ndelta: the last line\n'),
);
const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { group: group.ref, capacity: 64 });
log('\nObjects created by init:');
for (const [what, obj] of [
  ['group', group],
  ['text blob', text],
  ['stream', stream],
] as const) {
  const v = sys.ref(obj.ref);
  log(
    `  ${what.padEnd(10)} ${short(obj.name)} ref ${v.id}: type=${v.type} proximity=${v.proximity} persistent=${v.persistent} ` +
      `fateShared=${v.fateShared} consistency=${v.consistency} buffers=${v.readBufferSize}/${v.writeBufferSize} size=${v.size} version=${v.version}`,
  );
}
log(
  `  the text blob is at version ${textVersion} after one write; lookup(its name) opened reference(s) ${(await sys.lookup(text.name)).join(', ')}`,
);

// Programs are registered with the kernel; a binary is a blob whose bytes name one. Deterministic names from a path.
const binaries: Record<string, number> = {};
for (const [id, program] of [
  ['producer', producer],
  ['consumer', consumer],
] as const) {
  const bin = await sys.create(
    ObjectType.SHARED_MEMORY_BLOB,
    { nameSeed: `/bin/${id}` },
    CreateFlags.NAME_DETERMINISTIC,
  );
  await write(sys, bin.ref, kernel.registerProgram(id, program));
  binaries[id] = bin.ref;
  log(`  binary /bin/${id.padEnd(8)} ${short(bin.name)} ref ${bin.ref}: ${sys.ref(bin.ref).size} bytes`);
}

// The consumer starts paused; the producer fills the stream and then waits on back-pressure.
const consumerTask = await sys.run(
  binaries.consumer!,
  { argv: ['consumer'], inputs: [stream.ref], outputs: [consoleRef], groups: [group.ref] },
  RunFlags.START_PAUSED,
);
const producerTask = await sys.run(binaries.producer!, {
  argv: ['producer'],
  inputs: [text.ref],
  outputs: [stream.ref],
  groups: [group.ref],
});
const state = (ref: number): string => {
  const t = sys.ref(ref).task!;
  return t.exitStatus === undefined ? t.state : `${t.state} (status ${t.exitStatus})`;
};
log(
  `\nRan consumer (ref ${consumerTask}, ${state(consumerTask)}) and producer (ref ${producerTask}, ${state(producerTask)})`,
);
// Give the producer a moment: it fills the 64-byte ring, then blocks in begin_write until the consumer reads.
await new Promise((resolve) => setTimeout(resolve, 10));
log(
  `  before the consumer resumes: stream holds ${sys.ref(stream.ref).size} of 64 bytes, producer is ${state(producerTask)}`,
);
await sys.pause(consumerTask, PauseFlags.RESUME);
log(`  resumed the consumer: ${state(consumerTask)}\n`);

// A task reference becomes readable when the task exits: select waits for each in turn.
const names = new Map([
  [producerTask, 'producer'],
  [consumerTask, 'consumer'],
]);
const pending = [producerTask, consumerTask];
while (pending.length > 0) {
  const done = await sys.select(pending);
  pending.splice(pending.indexOf(done), 1);
  log(`select: ${names.get(done)} (ref ${done}) is ${state(done)}`);
}

const s = sys.ref(stream.ref);
log(
  `\nStream after the run: ${s.size} bytes left, version ${s.version} (one per non-empty commit); text blob version ${sys.ref(text.ref).version}`,
);
for (const ref of [producerTask, consumerTask]) await sys.delete(ref);
log(`Deleted the task references; init now holds ${sys.handles.length} references. Done.`);
