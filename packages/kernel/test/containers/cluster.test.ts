/**
 * A container across kernels (docs/containers.md): a task of container X on
 * kernel a runs children on kernel b (by id, and with '*', the scheduler's
 * choice when a takes no scheduled tasks). On b each child joins b's replica
 * of X: its task report names X, its label holds X's tag, its console is
 * the replica's, and it resolves none of b's root objects. When the link
 * goes (a loopback partition; over NATS, a's connection dropped), b ends
 * the children with status 137, reason `lost`, and a's parent finds its
 * references to them failing (EHOSTDOWN) or ended with 137.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import {
  kernelStatusName,
  LoopbackNetwork,
  monitorTasks,
  Name,
  ObjectType,
  RunFlags,
  type Container,
  type ContainerEvent,
  type Kernel,
} from '@dios/kernel';
import { NatsTransport } from '@dios/kernel/nats';
import { enc, expectErrno, writeAll } from '../helpers.js';
import { containerReplica } from '../../src/core/kernel/containers.js';
import { natsMissing, startNatsServer, type NatsServer } from '../support/nats-server.js';
import { rig, until, type Actor, type Rig } from './rig.js';

const rigs: Rig[] = [];
let server: NatsServer | undefined;
afterAll(async () => {
  await Promise.all(rigs.map((x) => x.close()));
  server?.stop();
});

let clusters = 0;
// Kernels a (which takes no scheduled tasks, so '*' places on b) and b, one cluster, not yet joined.
// With `shared` false each kernel has a root group of its own (no cluster name).
async function pair(shared = true): Promise<{ a: Rig; b: Rig; cluster: string }> {
  const cluster = `containers-${process.pid}-${++clusters}`;
  const a = await rig({ id: 'a', schedulable: false, ...(shared ? { cluster } : {}) }, 1, 0);
  const b = await rig({ id: 'b', ...(shared ? { cluster } : {}) }, 2, 0);
  rigs.push(a, b);
  return { a, b, cluster };
}

/**
 * The scenario, once the kernels hear each other; `cut` breaks the link.
 * Returns nothing: it asserts as it goes.
 */
async function scenario(
  a: Rig,
  b: Rig,
  cut: () => Promise<void>,
  { parentSeesGone, notice }: { parentSeesGone: boolean; notice: boolean },
): Promise<void> {
  const X = a.container('x');
  const actor = await a.actor(X);
  const bin = await a.binary(X, 'agent');
  const [binInX] = await actor.sys.lookup(nameOf(a, bin));
  // Something b's own host made in b's root group, which the children must not find.
  const hostB = await b.kernel.attachTask(['host-b']);
  const rootObject = await hostB.create(ObjectType.SHARED_MEMORY_BLOB);
  const wait = JSON.stringify([{ op: 'wait', ms: 60_000 }]);
  const children = [
    await actor.sys.run(binInX!, { argv: ['agent', wait, 'by-id'], kernel: 'b' }),
    await actor.sys.run(binInX!, { argv: ['agent', wait, 'by-any'], kernel: '*' }),
  ];
  const onB = (who: string) =>
    [...b.kernel.tasks.values()].find((t) => t.setup.argv[2] === who && t.state === 'running');
  await until('both children run on b', () => onB('by-id') !== undefined && onB('by-any') !== undefined);
  const replica = b.kernel.containerReplicas.get('a/x');
  expect(replica).toBeDefined();
  expect(replica!.id).toBe('x');
  expect(replica!.home).toBe('a');
  expect(replica!.tag.key).toBe(X.tag.key);
  expect(replica!.group.name.key).toBe(X.group.name.key);
  const lost: ContainerEvent[] = [];
  replica!.subscribe((e) => lost.push(e));
  const tasks = [onB('by-id')!, onB('by-any')!];
  for (const task of tasks) {
    expect(task.container).toBe(replica);
    expect(task.label.secrecy.has(X.tag.key)).toBe(true);
    expect(task.setup.pure).toBe(true);
    const sys = b.kernel.contextOf(task);
    expect(sys.consoleName.key).toBe(replica!.console.name.key);
    // Its one group is the replica's, named as X's at home: its console resolves, and it names files there.
    expect(task.setup.groups.map((m) => m.group)).toEqual([replica!.group]);
    expect(await sys.lookup(sys.consoleName)).toHaveLength(1);
    await sys.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { nameSeed: `file-${task.setup.argv[2]}` },
      1 /* NAME_DETERMINISTIC */,
    );
    expect(monitorTasks(b.kernel).find((rep) => rep.name === task.name.key)?.container).toBe('x');
    // b's root objects are not in its scope (nor on a: its one group is X's).
    for (const n of [b.kernel.console.name, await kernelStatusName('b'), b.kernel.rootGroup.name, rootObject.name])
      await expectErrno(sys.lookup(n), 'ENOENT', 'name', 'lookup');
    // X's own binary, on a, it finds: its container's group is replicated by name.
    expect(await sys.lookup(nameOf(a, bin))).toHaveLength(1);
  }
  expect(replica!.taskCount).toBe(2);

  // A task of X on b runs a child back on a, X's home: it joins X itself, counted there, labelled.
  const fromB = b.kernel.contextOf(tasks[0]!);
  const [binOnB] = await fromB.lookup(nameOf(a, bin));
  const before = X.taskCount;
  const back = await fromB.run(binOnB!, { argv: ['agent', '[]', 'back'], kernel: 'a' }, RunFlags.START_PAUSED);
  const home = [...a.kernel.tasks.values()].find((t) => t.setup.argv[2] === 'back')!;
  expect(home.container).toBe(X);
  expect(home.label.secrecy.has(X.tag.key)).toBe(true);
  expect(X.taskCount).toBe(before + 1);
  expect(a.kernel.containerReplicas.size).toBe(0);
  a.kernel.exitTask(home, 0);
  await fromB.delete(back);
  await fromB.delete(binOnB!);

  // The stop notice reaches X's tasks on b (see stopsOnNotice).
  // Once only: a thread more costs a second or two on this machine.
  if (notice) await stopsOnNotice(a, X, actor, replica!);

  await cut();

  await until('b ended both children', () => tasks.every((t) => t.state === 'exited'));
  expect(tasks.map((t) => t.exitStatus)).toEqual([137, 137]);
  expect(
    lost
      .filter((e) => e.reason !== 'exited')
      .map((e) => [e.argv[2], e.status, e.reason])
      .sort(),
  ).toEqual([
    ['by-any', 137, 'lost'],
    ['by-id', 137, 'lost'],
  ]);
  expect(replica!.taskCount).toBe(0);
  if (parentSeesGone) {
    for (const child of children) {
      await until('a found b gone', () => actor.sys.ref(child).task === undefined);
      await expectErrno(actor.sys.pause(child), 'EHOSTDOWN', 'task', 'pause');
    }
  }
  b.kernel.checkInvariants();
  a.kernel.checkInvariants();
}

// A task of X placed on b waits on the stop notice (the home's, found by its name); the host on a asks X to stop;
// the task ends normally.
async function stopsOnNotice(a: Rig, X: Container, actor: Actor, replica: Container): Promise<void> {
  const [graceful] = await actor.sys.lookup(nameOf(a, await a.binary(X, 'graceful')));
  await actor.sys.run(graceful!, { argv: ['graceful'], kernel: 'b' });
  await until("b's task holds a's notice", () => X.notice.refCount > 1);
  const stopped = new Promise<ContainerEvent>((resolve) =>
    replica.subscribe((e) => e.argv[0] === 'graceful' && resolve(e)),
  );
  a.kernel.noticeContainer(X);
  expect(await stopped).toMatchObject({ status: 0, reason: 'exited' });
  expect(replica.taskCount).toBe(2);
}

// The name key of the object behind init's handle `handle` on `r`'s kernel.
function nameOf(r: Rig, handle: number): string {
  return r.kernel.tasks.get(r.kernel.init.taskName.key)!.table.get(handle)!.object.name.key;
}

describe('a container across kernels', () => {
  it('over the loopback transport: children on b in the replica, isolated, lost on a partition', async () => {
    const { a, b } = await pair();
    const net = new LoopbackNetwork();
    a.kernel.join(net.connect('a'));
    b.kernel.join(net.connect('b'));
    await scenario(a, b, async () => net.partition('b'), { parentSeesGone: true, notice: true });
  }, 15000);

  it('kernels with root groups of their own: the replica still has the group of X by its name at home', async () => {
    const { a, b } = await pair(false);
    expect(a.kernel.rootGroup.name.key).not.toBe(b.kernel.rootGroup.name.key);
    const net = new LoopbackNetwork();
    a.kernel.join(net.connect('a'));
    b.kernel.join(net.connect('b'));
    await scenario(a, b, async () => net.partition('b'), { parentSeesGone: true, notice: false });
  }, 15000);

  it('containers of the same id on two kernels of one cluster are two containers: neither finds the other', async () => {
    const cluster = `containers-${process.pid}-${++clusters}`;
    const a = await rig({ id: 'a', cluster }, 0, 0);
    const c = await rig({ id: 'c', cluster }, 0, 0);
    rigs.push(a, c);
    const net = new LoopbackNetwork();
    a.kernel.join(net.connect('a'));
    c.kernel.join(net.connect('c'));
    const onA = a.container('web');
    const onC = c.container('web');
    expect(onA.group.name.key).not.toBe(onC.group.name.key);
    // What c's host put in its web container (unlabelled: an image's file, say).
    const config = await c.kernel.init.create(
      ObjectType.SHARED_MEMORY_BLOB,
      { group: onC.handles.group, nameSeed: 'config' },
      1 /* NAME_DETERMINISTIC */,
    );
    await writeAll(c.kernel.init, config.ref, enc('password=hunter2'));
    const actor = await a.actor(onA);
    await expectErrno(actor.sys.lookup(config.name), 'ENOENT', 'name', 'lookup');
    // Nor does a seed name the same object in both: each group seeds its own names.
    expect((await Name.seeded(onA.group.name, 'config')).key).not.toBe(config.name.key);
    a.kernel.checkInvariants();
    c.kernel.checkInvariants();
  });

  it('a run request whose container is malformed or forged changes nothing here', async () => {
    const b = await rig({ id: 'b' }, 0, 0);
    rigs.push(b);
    const own = b.container('mine');
    const objects = b.kernel.objects.size;
    const tag = Name.random().key;
    const refused: [Parameters<typeof containerReplica>, string, string][] = [
      [[b.kernel, 'evil', '../x', tag, {}], 'EINVAL', 'options.id'],
      [[b.kernel, 'evil', 'x', 'not-a-name', {}], 'EINVAL', 'container.tag'],
      [[b.kernel, 'evil', 'x', tag, { memoryMb: 1 }], 'EINVAL', 'options.limits.memoryMb'],
      [[b.kernel, 'evil', 'x', tag, {}, 'not-a-name'], 'EINVAL', 'container.group'],
      // The kernel's root group, another container's group, an object that is no group.
      [[b.kernel, 'evil', 'x', tag, {}, b.kernel.rootGroup.name.key], 'EINVAL', 'container.group'],
      [[b.kernel, 'evil', 'x', tag, {}, own.group.name.key], 'EEXIST', 'options.id'],
      [[b.kernel, 'evil', 'x', tag, {}, b.kernel.console.name.key], 'EEXIST', 'options.id'],
    ];
    for (const [args, code, argument] of refused)
      expect(() => containerReplica(...args), `${code} ${argument}`).toThrow(
        expect.objectContaining({ code, argument }),
      );
    expect(b.kernel.containerReplicas.size).toBe(0);
    expect(b.kernel.objects.size).toBe(objects);
    expect(b.kernel.rootGroup.label.secrecy.size).toBe(0);
    expect(own.group.container).toBe(own);
    expect(own.group.label.secrecy.has(own.tag.key)).toBe(true);
    b.kernel.checkInvariants();
  });

  const missing = natsMissing();
  it.skipIf(missing !== undefined)(
    `over a real nats-server${missing !== undefined ? ` (skipped: ${missing})` : ''}`,
    async () => {
      server = await startNatsServer();
      const { a, b, cluster } = await pair();
      const join = async (k: Kernel) => {
        const nc = await connect({ servers: server!.url });
        const transport = new NatsTransport(nc, {
          id: k.id,
          cluster,
          requestTimeoutMs: 5000,
          heartbeatMs: 100,
          deadMs: 600,
        });
        k.join(transport);
        return { nc, transport };
      };
      const na = await join(a.kernel);
      const nb = await join(b.kernel);
      try {
        await until(
          'the kernels hear each other',
          () => na.transport.peers().includes('b') && nb.transport.peers().includes('a'),
        );
        // a's connection drops without a goodbye, as a crash: b finds a gone by liveness.
        await scenario(a, b, () => na.nc.close(), { parentSeesGone: false, notice: false });
      } finally {
        await nb.transport.close();
        // a's connection is closed already: closing its transport may fail, which says nothing here.
        await na.transport.close().catch(() => undefined);
      }
    },
    15000,
  );
});
