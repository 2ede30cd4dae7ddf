/**
 * The information-flow scenarios of issue 13: the untrusted plugin (as a
 * thread task, a worker task and a pure worker task: the check is in the
 * kernel, so all three meet the same refusals), the trusted declassifier,
 * a flow across two kernels (over loopback and over a real nats-server),
 * and a chain of three tasks and streams.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import {
  CopyFlags,
  Kernel,
  LoopbackNetwork,
  Name,
  ObjectType,
  programBinary,
  Rights,
  RunFlags,
  type Placement,
  type SystemCalls,
} from '@dios/kernel';
import { useWorkers, type WorkerPool } from '@dios/kernel/node';
import { NatsTransport } from '@dios/kernel/nats';
import { natsMissing, startNatsServer, type NatsServer } from '../support/nats-server.js';
import { blobWith, flush } from '../helpers.js';
import {
  changeLabel,
  cleanUp,
  dec,
  enc,
  expectErrno,
  expectRefused,
  give,
  hostTask,
  labelOf,
  labKernel,
  makeTag,
  raise,
  readAll,
  writeAll,
} from './support.js';
import { plugin, pluginChild, type Attempt } from './plugin-program.js';

const PLUGIN_MODULE = new URL('./plugin-program.ts', import.meta.url).href;
const pools: WorkerPool[] = [];

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await cleanUp();
});

const SECRET = 'TOP SECRET: the merger is on';

/** What every attempt of the plugin (and its child) must give. */
const EXPECTED: Record<string, string> = {
  'size of the secret while public': 'size 0',
  'size of the secret once raised': `size ${SECRET.length}`,
  'raise while holding a public write buffer': 'EBUSY buffer',
  'write the public blob': 'EPERM ref',
  'write the public blob found by name': 'EPERM ref',
  'create a public blob': 'EPERM options.label',
  // A name the public could look for, in the public root group: refused (a random name would tell nothing).
  'create a blob named where the public looks': 'EPERM flags',
  'write the stream': 'EPERM ref',
  'write the console': 'EPERM ref',
  'open a tcp connection': 'EPERM type',
  'copy a reference to the parent': 'EPERM target',
  'pause the parent': 'EPERM task',
  'destroy the public blob': 'EPERM ref',
  'lower its label': 'EPERM buffer.removeSecrecy[0]',
  'child: write the public blob': 'EPERM ref',
  "read the child's exit status": 'ok',
};

/**
 * The plugin scenario on a fresh kernel: a public host task (the plugin's
 * parent) runs the plugin, placed as asked; returns what the test checks after.
 */
async function runPlugin(placement: Placement, flags = 0) {
  const { kernel, sys: init, out } = await labKernel();
  const ids = { plugin: `ifc-plugin-${placement}-${flags}`, child: `ifc-plugin-child-${placement}-${flags}` };
  if (placement === 'worker') {
    pools.push(useWorkers(kernel, { size: 2 }));
    kernel.registerProgram(ids.plugin, { module: PLUGIN_MODULE, export: plugin.name });
    kernel.registerProgram(ids.child, { module: PLUGIN_MODULE, export: pluginChild.name });
  } else {
    kernel.registerProgram(ids.plugin, plugin);
    kernel.registerProgram(ids.child, pluginChild);
  }
  const host = await hostTask(kernel, ['host']);
  const sys = host.sys;
  // The host's reference to itself with write rights, for the plugin to aim at.
  const [parent] = await init.copy([host.ref], host.ref);
  const t = await makeTag(sys);
  // The secret input, and a secret report blob for the plugin's account of itself.
  await raise(sys, t.ref);
  const secret = await blobWith(sys, SECRET);
  const report = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
  await changeLabel(sys, { removeSecrecy: [t.ref] });
  // Public places the plugin will try.
  const pub = await blobWith(sys, 'public', { lifecycle: 'single-delete' });
  const stream = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
  const listener = await sys.create(ObjectType.TCP_LISTENER, { address: { host: '127.0.0.1', port: 0 } });
  const port = sys.ref(listener.ref).address!.split(':').pop()!;
  // The plugin gets t+ only.
  const [addOnly] = await sys.copy([t.ref], sys.self, { rights: Rights.READ | Rights.DELEGATE | Rights.ADD });
  const bin = (await blobWith(sys, programBinary(ids.plugin))).ref;
  const seed = `leak-${placement}-${flags}`;
  const task = await sys.run(
    bin,
    {
      argv: ['plugin', ids.child, port, pub.name.key, seed],
      inputs: [secret.ref, addOnly!],
      outputs: [report.ref, pub.ref, stream.ref, parent!],
      placement,
    },
    flags,
  );
  await sys.select([task]);
  const status = sys.ref(task).task;
  // The plugin's account, read by raising the host's label (then lowered again).
  await raise(sys, t.ref);
  const lines = dec((await readAll(sys, report.ref)).bytes);
  await changeLabel(sys, { removeSecrecy: [t.ref] });
  if (lines === '') throw new Error(`the plugin left no report (its task: ${JSON.stringify(status)})`);
  const attempts = lines
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Attempt);
  return { kernel, sys, out, t, pub, stream, listener, attempts, status, seed };
}

async function expectPluginContained(placement: Placement, flags = 0): Promise<void> {
  const r = await runPlugin(placement, flags);
  const outcomes = Object.fromEntries(r.attempts.map((a) => [a.what, a.outcome]));
  expect(outcomes).toEqual(EXPECTED);
  // Its exit status was the secret's first byte: its parent does not see it.
  expect(r.status).toEqual({ state: 'exited', exitStatus: undefined });
  // Nothing public changed.
  expect(dec((await readAll(r.sys, r.pub.ref)).bytes)).toBe('public');
  expect(r.sys.ref(r.pub.ref).version).toBe(1);
  expect(r.sys.ref(r.stream.ref).size).toBe(0);
  expect(r.out.join('')).not.toContain('SECRET');
  expect(r.sys.ref(r.listener.ref).ioReady).toBe(false);
  // Nothing was named where the public looks.
  await expect(r.sys.lookup(await Name.seeded(r.sys.groupNames[0]!, r.seed))).rejects.toMatchObject({
    code: 'ENOENT',
  });
  // Every refusal is in the provenance log, under the plugin's (or its child's) program.
  const refused = r.kernel.provenance!.records().filter((rec) => !rec.allowed);
  const byPlugin = new Set(refused.filter((rec) => rec.program === 'plugin').map((rec) => rec.syscall));
  expect([...byPlugin].sort()).toEqual(['beginWrite', 'copy', 'create', 'delete', 'endWrite', 'pause']);
  expect(refused.some((rec) => rec.program === 'plugin-child' && rec.syscall === 'beginWrite')).toBe(true);
  r.kernel.checkInvariants();
}

describe('(a) the untrusted plugin: it reads the secret and can write nothing public', () => {
  it('as a thread task', async () => {
    await expectPluginContained('thread');
  });
  // Workers start slowly on a loaded machine: a longer timeout, not a timed assertion.
  it('as a worker task (checked identically: the check is in the kernel)', { timeout: 30_000 }, async () => {
    await expectPluginContained('worker');
  });
  it('as a pure worker task', { timeout: 30_000 }, async () => {
    await expectPluginContained('worker', RunFlags.PURE);
  });
});

describe('(b) the trusted declassifier', () => {
  it('holding REMOVE, it reads the secret, lowers its label and publishes a summary', async () => {
    const { kernel, sys } = await labKernel();
    const t = await makeTag(sys);
    await raise(sys, t.ref);
    const secret = await blobWith(sys, SECRET);
    await changeLabel(sys, { removeSecrecy: [t.ref] });
    const summary = await blobWith(sys, '');
    const dc = await hostTask(kernel, ['declassifier']);
    const reader = await hostTask(kernel, ['reader']);
    const cap = await give(sys, t.ref, dc.ref, Rights.READ | Rights.ADD | Rights.REMOVE);
    const [dSecret, dSummary] = await sys.copy([secret.ref, summary.ref], dc.ref);
    await changeLabel(dc.sys, { addSecrecy: [cap] });
    const words = dec((await readAll(dc.sys, dSecret!)).bytes).split(' ').length;
    await expectRefused(kernel, () => dc.sys.beginWrite(dSummary!, 1), 'ref', 'beginWrite');
    await changeLabel(dc.sys, { removeSecrecy: [cap] });
    await writeAll(dc.sys, dSummary!, enc(`${words} words`));
    const [rSummary] = await sys.copy([summary.ref], reader.ref);
    expect(dec((await readAll(reader.sys, rSummary!)).bytes)).toBe('6 words');
    // The declassification is on record: two label changes, then the write.
    const mine = kernel.provenance!.records().filter((r) => r.program === 'declassifier' && r.allowed);
    expect(mine.map((r) => r.operation)).toEqual(['label', 'read', 'label', 'write']);
  });
});

describe('(d) a chain of three tasks and streams', () => {
  it('A -> stream -> B (raises) -> secret stream -> C; nothing comes back down', async () => {
    const { kernel, sys } = await labKernel();
    const t = await makeTag(sys);
    const a = await hostTask(kernel, ['A']);
    const b = await hostTask(kernel, ['B']);
    const c = await hostTask(kernel, ['C']);
    const p = await sys.create(ObjectType.SHARED_MEMORY_STREAM);
    const q = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { label: { secrecy: [t.ref] } });
    const out = await sys.create(ObjectType.SHARED_MEMORY_BLOB, { label: { secrecy: [t.ref] } });
    const aP = await give(sys, p.ref, a.ref, Rights.READ | Rights.WRITE);
    const bP = await give(sys, p.ref, b.ref, Rights.READ | Rights.WRITE);
    const [bQ, bT] = await sys.copy([q.ref, t.ref], b.ref, { rights: [Rights.WRITE, Rights.READ | Rights.ADD] });
    const [cQ, cOut, cT] = await sys.copy([q.ref, out.ref, t.ref], c.ref, {
      rights: [Rights.READ, Rights.ALL, Rights.READ | Rights.ADD],
    });
    const [aQ] = await sys.copy([q.ref], a.ref, { rights: Rights.READ });
    // A's public input, which C also holds; and C's reference to A.
    const input = await blobWith(sys, 'public input');
    const aIn = await give(sys, input.ref, a.ref);
    const [cIn, cA] = await sys.copy([input.ref, a.ref], c.ref);
    await sys.delete(p.ref);
    await sys.delete(q.ref);
    // A (public) writes the public stream; B reads it while public, then raises and passes it on.
    await writeAll(a.sys, aP, enc('records'));
    const got = dec((await readAll(b.sys, bP)).bytes);
    await changeLabel(b.sys, { addSecrecy: [bT!] });
    await writeAll(b.sys, bQ!, enc(`${got} + secret`));
    await changeLabel(c.sys, { addSecrecy: [cT!] });
    expect(dec((await readAll(c.sys, cQ!)).bytes)).toBe('records + secret');
    await writeAll(c.sys, cOut!, enc('result'));
    // Back down: B and C cannot answer on the public stream or touch A's input; A cannot read the secret stream.
    await expectRefused(kernel, () => b.sys.beginWrite(bP, 1), 'ref', 'beginWrite');
    await expectRefused(kernel, () => c.sys.beginWrite(cIn!, 1), 'ref', 'beginWrite');
    await expectRefused(kernel, () => c.sys.copy([cOut!], cA!), 'target', 'copy');
    await expectRefused(kernel, () => a.sys.beginRead(aQ!), 'ref', 'beginRead');
    await expectRefused(kernel, () => a.sys.select([aQ!]), 'refs[0]', 'select');
    expect(dec((await readAll(a.sys, aIn)).bytes)).toBe('public input');
    kernel.checkInvariants();
  });
});

/** Two kernels a and b that hear each other, with a host task on each (lookup mask rwxd). */
interface Pair {
  a: Kernel;
  b: Kernel;
  sa: SystemCalls;
  sb: SystemCalls;
  close(): Promise<void>;
}

let pairs = 0;

async function loopbackPair(): Promise<Pair> {
  const net = new LoopbackNetwork();
  const cluster = `ifc-loop-${process.pid}-${++pairs}`;
  const a = await Kernel.boot({ id: 'a', cluster });
  const b = await Kernel.boot({ id: 'b', cluster });
  a.join(net.connect('a'));
  b.join(net.connect('b'));
  const sa = await a.attachTask(['host-a'], undefined, { lookupRights: Rights.ALL });
  const sb = await b.attachTask(['host-b'], undefined, { lookupRights: Rights.ALL });
  return { a, b, sa, sb, close: async () => {} };
}

let server: NatsServer | undefined;
const missing = natsMissing();
beforeAll(async () => {
  if (missing === undefined) server = await startNatsServer();
}, 20_000);
afterAll(() => server?.stop());

async function natsPair(): Promise<Pair> {
  const cluster = `ifc-nats-${process.pid}-${++pairs}`;
  const node = async (id: string) => {
    const kernel = await Kernel.boot({ id, cluster });
    const transport = new NatsTransport(await connect({ servers: server!.url }), {
      id,
      cluster,
      requestTimeoutMs: 5000,
      heartbeatMs: 100,
      deadMs: 2000,
    });
    kernel.join(transport);
    return { kernel, transport, sys: await kernel.attachTask([`host-${id}`], undefined, { lookupRights: Rights.ALL }) };
  };
  const a = await node('a');
  const b = await node('b');
  for (let i = 0; !a.transport.peers().includes('b') || !b.transport.peers().includes('a'); i++) {
    if (i > 300) throw new Error('the two kernels did not hear each other within 3 s');
    await flush(10);
  }
  return {
    a: a.kernel,
    b: b.kernel,
    sa: a.sys,
    sb: b.sys,
    close: async () => {
      await a.transport.close();
      await b.transport.close();
    },
  };
}

/** (c): the same flows across two kernels, whatever the transport. */
async function acrossKernels(pair: Pair): Promise<void> {
  const { a, b, sa, sb } = pair;
  // On b: a tag, a secret blob, a public blob.
  const t = await makeTag(sb);
  await raise(sb, t.ref);
  const secret = await blobWith(sb, SECRET);
  await changeLabel(sb, { removeSecrecy: [t.ref] });
  const pub = await blobWith(sb, 'public on b');
  // a's task finds them by name: the secret blob's size is masked.
  const [aSecret] = await sa.lookup(secret.name);
  const [aPub] = await sa.lookup(pub.name);
  expect(sa.ref(aSecret!).size).toBe(0);
  // Unlabelled, a's task cannot read it: the same error as on its own kernel.
  const local = await expectErrno(sb.beginRead(secret.ref), 'EPERM', 'ref', 'beginRead');
  const remote = await expectErrno(sa.beginRead(aSecret!), 'EPERM', 'ref', 'beginRead');
  expect([remote.code, remote.argument, remote.syscall]).toEqual([local.code, local.argument, local.syscall]);
  await expectErrno(sa.select([aSecret!]), 'EPERM', 'refs[0]', 'select');
  // Nor fetch a local copy of it (MAKE_LOCAL reads it, as the requester, at its home); nothing is left behind.
  const objects = a.objects.size;
  await expectErrno(sa.copy([aSecret!], sa.self, {}, CopyFlags.MAKE_LOCAL), 'EPERM', 'refs[0]', 'copy');
  expect(a.objects.size).toBe(objects);
  // A tag found by name on another kernel carries no capability either.
  const [foundT] = await sa.lookup(t.name);
  await expectErrno(changeLabel(sa, { addSecrecy: [foundT!] }), 'EPERM', 'buffer.addSecrecy[0]', 'endWrite');
  // b hands a's task the capability t+ (a copy to a task on another kernel), and a's task raises with it.
  const [bToA] = await sb.lookup(sa.taskName);
  const [aT] = await sb.copy([t.ref], bToA!, { rights: Rights.READ | Rights.ADD | Rights.DELEGATE });
  await changeLabel(sa, { addSecrecy: [aT!] });
  expect((await labelOf(sa)).secrecy).toEqual([t.name.key]);
  expect(dec((await readAll(sa, aSecret!)).bytes)).toBe(SECRET);
  // The home recorded the remote read.
  expect(b.provenance!.records().some((r) => r.operation === 'read' && r.object === secret.name.key && r.allowed)).toBe(
    true,
  );
  // A remote write down is refused.
  await expectErrno(writeAll(sa, aPub!, enc('leak')), 'EPERM', 'ref', 'beginWrite');
  expect(dec((await readAll(sb, pub.ref)).bytes)).toBe('public on b');
  // Copy to b's (public) task: refused by the target's home, with nothing handed over.
  const [aToB] = await sa.lookup(sb.taskName);
  const handles = sb.handles.length;
  await expectErrno(sa.copy([aSecret!], aToB!), 'EPERM', 'target', 'copy');
  expect(sb.handles.length).toBe(handles);
  expect(b.provenance!.records().some((r) => r.syscall === 'copy' && !r.allowed)).toBe(true);
  // Pausing b's public task: refused at its home too.
  await expectErrno(sa.pause(aToB!), 'EPERM', 'task', 'pause');
  expect(b.provenance!.records().some((r) => r.syscall === 'pause' && !r.allowed)).toBe(true);
  // Remote run: the child on b starts with its parent's label.
  const id = `ifc-remote-${++pairs}`;
  const seen: unknown[] = [];
  b.registerProgram(id, async (sys) => {
    seen.push(await labelOf(sys));
    return 3;
  });
  const bin = await blobWith(sa, programBinary(id));
  const child = await sa.run(bin.ref, { argv: ['remote-child'], kernel: 'b' });
  await sa.select([child]);
  expect(seen).toEqual([await labelOf(sa)]);
  expect(sa.ref(child).task).toEqual({ state: 'exited', exitStatus: 3 });
  expect(b.provenance!.records().some((r) => r.program === 'remote-child' || r.operation === 'run')).toBe(true);
  // And a remote child that raises its own label: its exit status is hidden from a public parent.
  const id2 = `ifc-remote-raise-${pairs}`;
  b.registerProgram(id2, async (sys) => {
    await changeLabel(sys, { addSecrecy: [sys.inputs[0]!] });
    return 9;
  });
  const bin2 = await blobWith(sb, programBinary(id2));
  const a2 = await a.attachTask(['host-a2'], undefined, { lookupRights: Rights.ALL });
  const [bToA2] = await sb.lookup(a2.taskName);
  const [bin2OnA2, tOnA2] = await sb.copy([bin2.ref, t.ref], bToA2!, {
    rights: [Rights.READ | Rights.EXEC | Rights.DELEGATE, Rights.READ | Rights.ADD | Rights.DELEGATE],
  });
  const raised = await a2.run(bin2OnA2!, { argv: ['raiser'], inputs: [tOnA2!], kernel: 'b' });
  await a2.select([raised]);
  expect(a2.ref(raised).task).toEqual({ state: 'exited', exitStatus: undefined });
  a.checkInvariants();
  b.checkInvariants();
}

describe('(c) a flow across two kernels', () => {
  it('over the loopback transport', async () => {
    const pair = await loopbackPair();
    await acrossKernels(pair);
  });

  it.skipIf(missing !== undefined)('over a real nats-server', async () => {
    const pair = await natsPair();
    try {
      await acrossKernels(pair);
    } finally {
      await pair.close();
    }
  });
});
