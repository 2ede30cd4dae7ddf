/**
 * Information-flow control (docs/ifc.md): an untrusted plugin computes over
 * secret input and cannot make any of it public, whichever way it tries (a
 * public blob, a stream, the console, a TCP connection, a child task, or
 * shedding the secret tag itself): each attempt is EPERM from the kernel. A
 * trusted declassifier, the only task holding the tag's REMOVE capability,
 * reads the plugin's secret result and publishes a summary.
 *
 *   npx tsx --conditions=@dios/source examples/ifc-plugin.ts
 *
 * The lines starting with `plugin:` or `declassifier:` are this example's
 * narration, printed from the programs' JavaScript for the reader (function
 * programs run in the kernel's thread); a real plugin would run pure in a
 * worker (RunFlags.PURE), where the system calls are its only way out. What
 * the tasks publish goes through the console object, as `[console]` lines.
 *
 * @module
 */
import {
  isDiosError,
  Kernel,
  ObjectType,
  PauseFlags,
  RunFlags,
  type Name,
  type Program,
  type SystemCalls,
} from '@dios/kernel';
import { useNetwork, writableConsoleSink } from '@dios/kernel/node';
import { createLabelled, createTag, declassify, giveTag, raiseSecrecy, readLabel } from '@dios/libd';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const log = (text = ''): void => void process.stdout.write(`${text}\n`);

/** Writes `text` to `ref` in one begin_write / end_write round. */
async function write(sys: SystemCalls, ref: number, text: string): Promise<void> {
  const bytes = encoder.encode(text);
  const buffer = await sys.beginWrite(ref, bytes.length);
  buffer.set(bytes);
  await sys.endWrite(ref, buffer);
}

/** Attempts that should have been refused and were not (the example then exits with status 1). */
let leaks = 0;

/** Reads the whole of blob `ref` as text. */
async function read(sys: SystemCalls, ref: number): Promise<string> {
  const view = await sys.beginRead(ref);
  const text = decoder.decode(view);
  await sys.endRead(ref, view);
  return text;
}

/** Runs `attempt` and narrates how it ended: the kernel's EPERM is the expected outcome. */
async function tryLeak(who: string, what: string, attempt: () => Promise<unknown>): Promise<void> {
  try {
    await attempt();
    leaks++;
    log(`${who}: ${what}: it worked (a leak!)`);
  } catch (e) {
    if (!isDiosError(e)) throw e;
    if (!isDiosError(e, 'EPERM')) leaks++;
    log(`${who}: ${what}: ${e.code} from ${e.syscall}(${e.argument ?? ''})`);
  }
}

/** The tag names in a label, shortened. */
const short = (keys: readonly string[]): string => `{${keys.map((k) => `${k.slice(0, 8)}..`).join(', ')}}`;

// A child the plugin starts to carry the data out for it: it inherits the plugin's label, so it cannot either.
const courier: Program = async (sys) => {
  const [publicBlob] = sys.outputs;
  await tryLeak('courier', 'write the rows to the public blob', () => write(sys, publicBlob!, 'smuggled rows'));
  return 0;
};

/** The one tag reference a task was handed (by copy, after run: inputs would need READ, which a tag's holder does not need). */
const tagHandle = (sys: SystemCalls): number => sys.handles.find((h) => sys.ref(h).type === ObjectType.TAG)!;

// argv[1]: the name of the courier's binary; inputs: the secret records; outputs: the secret result blob, then the public blob, the
// public stream and the console; and a reference to the tag with ADD only.
const plugin: Program = async (sys) => {
  const [records] = sys.inputs;
  const tag = tagHandle(sys);
  const [result, publicBlob, publicStream, consoleRef] = sys.outputs;
  // Reading the secret input needs the secret tag in the plugin's label: it raises itself (it holds ADD).
  await tryLeak('plugin', 'read the records before raising its label', () => read(sys, records!));
  await raiseSecrecy(sys, tag);
  log(`plugin: raised its label to secrecy ${short((await readLabel(sys)).secrecy)}`);
  const rows = (await read(sys, records!))
    .trim()
    .split('\n')
    .map((line) => line.split(','));
  const salaries = rows.map(([, salary]) => Number(salary));
  const mean = salaries.reduce((a, b) => a + b, 0) / salaries.length;
  log(`plugin: read ${rows.length} secret records`);

  // Now every way out is closed: each write would move secret information somewhere public.
  const rowsText = rows.map((r) => r.join('=')).join(' ');
  await tryLeak('plugin', 'write the rows to a public blob', () => write(sys, publicBlob!, rowsText));
  await tryLeak('plugin', 'write the rows to a public stream', () => write(sys, publicStream!, rowsText));
  await tryLeak('plugin', 'print the rows on the console', () => write(sys, consoleRef!, `${rowsText}\n`));
  await tryLeak('plugin', 'open a TCP connection to send them', () =>
    sys.create(ObjectType.TCP_CONNECTION, { address: { host: '127.0.0.1', port: 9 } }),
  );
  await tryLeak('plugin', 'make a public blob of its own', () =>
    sys.create(ObjectType.SHARED_MEMORY_BLOB, { label: {} }),
  );
  await tryLeak('plugin', 'drop the secret tag from its label', () => declassify(sys, tag));
  log("plugin: starts a courier task with the public blob as its output (the courier gets the plugin's label)");
  const [courierBinary] = await sys.lookup(sys.argv[1]!);
  const child = await sys.run(courierBinary!, { argv: ['courier'], outputs: [publicBlob!] });
  await sys.select([child]);

  // What it may do: write its result to the secret result blob.
  await write(sys, result!, JSON.stringify({ count: rows.length, mean, rows }));
  log('plugin: wrote its result (with every row in it) to the secret result blob');
  return 0;
};

// inputs: the secret result; outputs: the public report blob, the console; and the tag with REMOVE only. It starts
// with its parent's secret label, reads the result, keeps only the aggregate, declassifies, and publishes.
const declassifier: Program = async (sys) => {
  const [result] = sys.inputs;
  const tag = tagHandle(sys);
  const [report, consoleRef] = sys.outputs;
  log(`declassifier: starts with secrecy ${short((await readLabel(sys)).secrecy)} (its parent's)`);
  const { count, mean } = JSON.parse(await read(sys, result!)) as { count: number; mean: number };
  // The policy: only the count and the mean (rounded to thousands) leave; the rows never do.
  const summary = `${count} salaries, mean about ${Math.round(mean / 1000)}k`;
  await declassify(sys, tag);
  log(`declassifier: declassified; secrecy now ${short((await readLabel(sys)).secrecy)}`);
  await write(sys, report!, summary);
  await write(sys, consoleRef!, `[console] published: ${summary}\n`);
  return 0;
};

// The console object's output goes to process.stdout; the network device is there, so only the labels refuse.
const kernel = await Kernel.boot({ id: 'ifc', consoleSink: writableConsoleSink() });
useNetwork(kernel);
const sys = kernel.init;
const consoleRef = sys.handles.find((h) => sys.ref(h).type === ObjectType.CONSOLE)!;

const binaries: Record<string, { name: Name; ref: number }> = {};
for (const [id, program] of [
  ['plugin', plugin],
  ['courier', courier],
  ['declassifier', declassifier],
] as const) {
  const bin = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  const bytes = kernel.registerProgram(id, program);
  const buffer = await sys.beginWrite(bin.ref, bytes.length);
  buffer.set(bytes);
  await sys.endWrite(bin.ref, buffer);
  binaries[id] = bin;
}

// The tag: init made it, so init alone holds both capabilities.
const secret = await createTag(sys);
log(`init: made the tag "secret" ${secret.name.key.slice(0, 16)}...`);

// The secret input: init raises itself to write it (a write checks both ways), then lowers itself again.
const records = await createLabelled(sys, ObjectType.SHARED_MEMORY_BLOB, { secrecy: [secret.handle] });
await raiseSecrecy(sys, secret.handle);
await write(sys, records.ref, 'ada,91000\ngrace,87000\nedsger,78000\nbarbara,84000\n');
await declassify(sys, secret.handle);
const result = await createLabelled(sys, ObjectType.SHARED_MEMORY_BLOB, { secrecy: [secret.handle] });
const publicBlob = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
const publicStream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
const report = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
log('init: wrote 4 secret records; made a secret result blob and a public blob, stream and report\n');

// The plugin starts paused, gets the tag with ADD only (it can raise itself, never lower), then runs.
const pluginTask = await sys.run(
  binaries.plugin!.ref,
  {
    argv: ['plugin', binaries.courier!.name.key],
    inputs: [records.ref],
    outputs: [result.ref, publicBlob.ref, publicStream.ref, consoleRef],
  },
  RunFlags.START_PAUSED,
);
await giveTag(sys, secret.handle, pluginTask, 'add');
await sys.pause(pluginTask, PauseFlags.RESUME);
await sys.select([pluginTask]);
// init sees that the plugin exited (termination is not protected) but not its exit status: that is secret data.
const pluginStatus = sys.ref(pluginTask).task!;
await sys.delete(pluginTask);
log(
  `\ninit: the plugin ${pluginStatus.state}, exit status hidden from public init (${pluginStatus.exitStatus}); the public blob holds ${JSON.stringify(await read(sys, publicBlob.ref))}`,
);

// The declassifier: run by init while init is secret (the child starts with its parent's label), given REMOVE only.
await raiseSecrecy(sys, secret.handle);
const declassifierTask = await sys.run(
  binaries.declassifier!.ref,
  { argv: ['declassifier'], inputs: [result.ref], outputs: [report.ref, consoleRef] },
  RunFlags.START_PAUSED,
);
await giveTag(sys, secret.handle, declassifierTask, 'remove');
await sys.pause(declassifierTask, PauseFlags.RESUME);
await declassify(sys, secret.handle);
await sys.select([declassifierTask]);
await sys.delete(declassifierTask);
log(`\ninit: the public report reads ${JSON.stringify(await read(sys, report.ref))}`);

// Every checked flow, allowed or refused, is in the kernel's provenance log.
const flows = kernel.provenance!.records();
const refused = flows.filter((r) => !r.allowed);
log(`provenance: ${flows.length} flows recorded, ${refused.length} refused:`);
for (const r of refused)
  log(`  ${r.program.padEnd(8)} ${r.syscall.padEnd(10)} ${r.operation.padEnd(6)} ${r.objectType}`);

if (leaks > 0 || pluginStatus.exitStatus !== undefined) {
  log(`\n${leaks} attempt(s) were not refused as they should have been`);
  process.exitCode = 1;
}
