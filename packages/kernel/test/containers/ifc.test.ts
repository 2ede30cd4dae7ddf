/**
 * Information flow across containers (docs/ifc.md, docs/containers.md):
 * each container's tasks carry its secrecy tag, so what A makes is secret
 * to A. An unlabelled object shared read-write into A and B does not carry
 * A's data to B: A's write is EPERM, recorded in the provenance log. Only a
 * declassifier holding A's tag with REMOVE (given by the host) may read A's
 * data, drop the tag and publish a summary B reads; without REMOVE it stays
 * secret. The provenance log holds every refused and allowed step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateFlags, ObjectType, Rights, type Container, type ProvenanceRecord, type SystemCalls } from '@dios/kernel';
import { dec, enc, expectErrno, readAll, writeAll } from '../helpers.js';
import { rig, type Actor, type Rig } from './rig.js';

let r: Rig;
let A: Container;
let B: Container;
let a: Actor;
let b: Actor;
// A's secret (a blob A's task made in its group) and the unlabelled blob shared read-write into A and B.
let secret: { name: string; initHandle: number };
let pub: { name: string; initHandle: number };

beforeAll(async () => {
  r = await rig();
  A = r.container('ifc-a');
  B = r.container('ifc-b');
  a = await r.actor(A);
  b = await r.actor(B);
  const s = await a.sys.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'secret' }, CreateFlags.NAME_DETERMINISTIC);
  await writeAll(a.sys, s.ref, enc('A: 42 patients'));
  // Init resolves in A's group (it holds it), so the host can reach A's objects.
  const [si] = await r.kernel.init.lookup(s.name);
  secret = { name: s.name.key, initHandle: si! };
  const data = r.kernel.hostGroup('ifc-data');
  const p = await r.kernel.init.create(ObjectType.SHARED_MEMORY_BLOB, { group: data });
  r.kernel.shareIntoContainer(A, p.ref);
  r.kernel.shareIntoContainer(B, p.ref);
  pub = { name: p.name.key, initHandle: p.ref };
});
afterAll(() => r.close());

const text = async (sys: SystemCalls, handle: number) => dec((await readAll(sys, handle)).bytes);
const records = (match: Partial<ProvenanceRecord>) =>
  r.kernel
    .provenance!.records()
    .filter((rec) => Object.entries(match).every(([k, v]) => rec[k as keyof ProvenanceRecord] === v));

// Writes `label change` JSON to the task's own object (docs/ifc.md); returns the endWrite promise.
async function changeLabel(sys: SystemCalls, change: object): Promise<number> {
  const bytes = enc(JSON.stringify(change));
  const buf = await sys.beginWrite(sys.self, bytes.length);
  buf.set(bytes);
  try {
    return await sys.endWrite(sys.self, buf);
  } catch (e) {
    await sys.endWrite(sys.self, buf, {}, 1 /* DISCARD */);
    throw e;
  }
}

describe('information flow between containers', () => {
  it("A's object is secret to A; A's write to the shared unlabelled object is EPERM and recorded", async () => {
    expect(r.kernel.objects.get(secret.name)!.label.secrecy.has(A.tag.key)).toBe(true);
    const [h] = await a.sys.lookup(pub.name);
    await expectErrno(a.sys.beginWrite(h!, 4), 'EPERM', 'ref', 'beginWrite');
    expect(records({ task: a.sys.taskName.key, object: pub.name, operation: 'write', allowed: false })).toHaveLength(1);
    // A may read it (unlabelled data flows into A).
    await writeAll(r.kernel.init, pub.initHandle, enc('public notice'));
    expect(await text(a.sys, h!)).toBe('public notice');
    await a.sys.delete(h!);
    r.kernel.checkInvariants();
  });

  it("B never reads A's data: not by name, and not even when the host shares A's secret into B by mistake", async () => {
    await expectErrno(b.sys.lookup(secret.name), 'ENOENT', 'name', 'lookup');
    r.kernel.shareIntoContainer(B, secret.initHandle, { readOnly: true });
    const [h] = await b.sys.lookup(secret.name);
    await expectErrno(b.sys.beginRead(h!), 'EPERM', 'ref', 'beginRead');
    expect(records({ task: b.sys.taskName.key, object: secret.name, operation: 'read', allowed: false })).toHaveLength(
      1,
    );
    // Nor can B copy it on to A's task or anywhere it could read it: the object's label goes with it.
    await b.sys.delete(h!);
    r.kernel.checkInvariants();
  });

  it("end to end: A's worker task writing the shared object is EPERM naming ref", async () => {
    await r.binary(A, 'agent');
    const done = r.exits(A);
    const { task } = await r.start(A, 'agent', [
      JSON.stringify([{ op: 'write', name: pub.name, text: 'leak' }]),
      'leaker',
    ]);
    await done;
    const [report] = r.reports('ifc-a', 'leaker');
    expect(report!.results).toEqual([{ code: 'EPERM', argument: 'ref' }]);
    expect(records({ task: task.name.key, object: pub.name, allowed: false })).not.toHaveLength(0);
    expect(await text(r.kernel.init, pub.initHandle)).toBe('public notice');
    r.kernel.checkInvariants();
  }, 15000);

  it("a shared unlabelled stream: A can neither consume nor write it (both are seen by others), nor stop the host's use", async () => {
    const data = r.kernel.hostGroup('ifc-data');
    const stream = await r.kernel.init.create(ObjectType.SHARED_MEMORY_STREAM, { group: data, capacity: 16 });
    r.kernel.shareIntoContainer(A, stream.ref);
    const [h] = await a.sys.lookup(stream.name);
    await expectErrno(a.sys.beginRead(h!, {}, 1 /* NONBLOCK */), 'EPERM', 'ref', 'beginRead');
    await expectErrno(a.sys.beginWrite(h!, 1), 'EPERM', 'ref', 'beginWrite');
    expect(records({ task: a.sys.taskName.key, object: stream.name.key, allowed: false })).toHaveLength(2);
    // A's reference counts as neither reader nor writer: dropping it ends nothing for the host.
    await a.sys.delete(h!);
    await writeAll(r.kernel.init, stream.ref, enc('ping'));
    expect(await text(r.kernel.init, stream.ref)).toBe('ping');
    await r.kernel.init.delete(stream.ref);
    r.kernel.checkInvariants();
  });

  it('a host task with ADD only reads the secret but cannot publish; with REMOVE it declassifies a summary B reads', async () => {
    // Host tasks whose references init can hand out (lookup mask rwxd).
    const weak = await r.kernel.attachTask(['no-remove'], undefined, { lookupRights: Rights.ALL });
    const declassifier = await r.kernel.attachTask(['declassifier'], undefined, { lookupRights: Rights.ALL });
    const give = async (to: SystemCalls, handle: number, rights?: number) => {
      const [target] = await r.kernel.init.lookup(to.taskName);
      const [h] = await r.kernel.init.copy([handle], target!, rights === undefined ? {} : { rights });
      await r.kernel.init.delete(target!);
      return h!;
    };
    for (const [sys, tagRights] of [
      [weak, Rights.READ | Rights.ADD],
      [declassifier, Rights.READ | Rights.ADD | Rights.REMOVE],
    ] as const) {
      const tag = await give(sys, A.handles.tag, tagRights);
      const s = await give(sys, secret.initHandle, Rights.READ);
      const p = await give(sys, pub.initHandle, Rights.READ | Rights.WRITE);
      // Unlabelled, it may not read A's secret.
      await expectErrno(sys.beginRead(s), 'EPERM', 'ref', 'beginRead');
      await changeLabel(sys, { addSecrecy: [tag] });
      const seen = await text(sys, s);
      expect(seen).toBe('A: 42 patients');
      const summary = enc(`A has ${seen.split(' ')[1]} records`);
      // Labelled with A's tag, it may not write the public object.
      await expectErrno(writeAll(sys, p, summary, { truncate: true }), 'EPERM', 'ref');
      if (sys === weak) {
        await expectErrno(changeLabel(sys, { removeSecrecy: [tag] }), 'EPERM', 'buffer.removeSecrecy[0]', 'endWrite');
        continue;
      }
      await changeLabel(sys, { removeSecrecy: [tag] });
      await writeAll(sys, p, summary, { truncate: true });
    }
    const [h] = await b.sys.lookup(pub.name);
    expect(await text(b.sys, h!)).toBe('A has 42 records');
    await b.sys.delete(h!);

    // The provenance graph: the refused and the allowed flows, in order, for the declassifier.
    const d = declassifier.taskName.key;
    const steps = r.kernel
      .provenance!.records()
      .filter(
        (rec) => rec.task === d && (rec.object === secret.name || rec.object === pub.name || rec.operation === 'label'),
      )
      .map(
        (rec) =>
          `${rec.operation} ${rec.object === secret.name ? 'secret' : rec.object === pub.name ? 'pub' : 'self'} ${rec.allowed}`,
      );
    expect(steps).toContain('read secret false');
    expect(steps.indexOf('read secret true')).toBeGreaterThan(steps.indexOf('label self true'));
    expect(steps).toContain('write pub false');
    expect(steps.lastIndexOf('write pub true')).toBeGreaterThan(steps.lastIndexOf('label self true'));
    // The weak one's refused change is not in the log as allowed, and it never wrote pub.
    expect(records({ task: weak.taskName.key, object: pub.name, operation: 'write', allowed: true })).toHaveLength(0);
    // B's read of the summary is recorded, allowed.
    expect(records({ task: b.sys.taskName.key, object: pub.name, operation: 'read', allowed: true })).not.toHaveLength(
      0,
    );
    r.kernel.checkInvariants();
  });
});
