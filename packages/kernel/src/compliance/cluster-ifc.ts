/**
 * Cluster compliance cases: information-flow labels across kernels. Labels
 * travel with references and requests; a flow refused at a remote object's
 * home is refused as it would be locally (EPERM naming the same argument).
 */
import { describe, expect, it } from 'vitest';
import { DeleteFlags, ObjectType, Rights, SelectFlags, type LabelChange, type SystemCalls } from '@dios/kernel';
import { dec, enc } from './bytes.js';
import { blobWith, expectErrno, readAll, writeAll } from './calls.js';
import { installEverywhere, within, type ClusterCase } from './cluster-context.js';

/** Changes the calling task's own label: the JSON of a {@link LabelChange} written to its task object. */
async function changeLabel(sys: SystemCalls, change: LabelChange): Promise<void> {
  await writeAll(sys, sys.self, enc(JSON.stringify(change)));
}

/** The calling task's label, as read from its own task object. */
async function labelOf(sys: SystemCalls): Promise<{ secrecy: string[]; integrity: string[] }> {
  return JSON.parse(dec((await readAll(sys, sys.self)).bytes)) as { secrecy: string[]; integrity: string[] };
}

/** Declares the information-flow cases. */
export function ifcCases({ boot, timeout }: ClusterCase): void {
  describe('information-flow labels across kernels', () => {
    it(
      'a secret object on one kernel is refused to an unlabelled task on another, and read once it raises its label',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const tag = await b.create(ObjectType.TAG);
        const secret = await b.create(ObjectType.SHARED_MEMORY_BLOB, { label: { secrecy: [tag.ref] } });
        // b's task is unlabelled: it writes the secret blob only after raising its own label.
        await expectErrno(b.beginWrite(secret.ref, 1), 'EPERM', 'ref');
        await changeLabel(b, { addSecrecy: [tag.ref] });
        await writeAll(b, secret.ref, enc('on b'));
        const [remote] = await a.lookup(secret.name);
        // The same refusal as a local read: EPERM naming the reference, and the view hides size and version.
        await expectErrno(a.beginRead(remote!), 'EPERM', 'ref');
        expect(a.ref(remote!).size).toBe(0);
        expect(a.ref(remote!).version).toBe(0);
        await expectErrno(a.select([remote!], { timeoutMs: 0 }), 'EPERM', 'refs[0]');
        // The tag's capability comes only by delegation: found by name it confers none.
        const [found] = await a.lookup(tag.name);
        await expectErrno(changeLabel(a, { addSecrecy: [found!] }), 'EPERM', 'buffer.addSecrecy[0]');
        await changeLabel(b, { removeSecrecy: [tag.ref] });
        const [aTask] = await b.lookup(a.taskName);
        const [add] = await b.copy([tag.ref], aTask!, { rights: Rights.ADD });
        await changeLabel(a, { addSecrecy: [add!] });
        expect((await labelOf(a)).secrecy).toEqual([tag.name.key]);
        expect(dec((await readAll(a, remote!)).bytes)).toBe('on b');
        // Now secret, a's task may not flow back to b's: a copy into it still lands, but b learns no handle numbers
        // (they would count what a's task opened), at a's home as on one kernel.
        const before = a.handles.length;
        expect(await b.copy([tag.ref], aTask!, { rights: Rights.READ })).toEqual([0]);
        expect(a.handles.length).toBe(before + 1);
        n.check();
      },
      timeout,
    );

    it(
      'a labelled task cannot write a public object on another kernel, nor hand a reference to an unlabelled task there',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        // Single-delete, so that a delete through any reference would destroy it.
        const publicBlob = await b.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'single-delete' });
        await writeAll(b, publicBlob.ref, enc('public'));
        const [remote] = await a.lookup(publicBlob.name);
        const tag = await a.create(ObjectType.TAG);
        await changeLabel(a, { addSecrecy: [tag.ref] });
        // Reading the public blob is allowed (a flow up); writing it, a flow down, is refused at b too.
        expect(dec((await readAll(a, remote!)).bytes)).toBe('public');
        await expectErrno(a.beginWrite(remote!, 1), 'EPERM', 'ref');
        // Asking whether it could be written only observes it: a flow up, allowed.
        expect(await a.select([remote!], { timeoutMs: 5000 }, SelectFlags.WRITE)).toBe(remote);
        // Destroying it for every holder is a write as well.
        await expectErrno(a.delete(remote!), 'EPERM', 'ref');
        // b's task is unlabelled: its home refuses the delegation.
        const [bTask] = await a.lookup(b.taskName);
        const own = await a.create(ObjectType.SHARED_MEMORY_BLOB);
        const handles = b.handles;
        await expectErrno(a.copy([own.ref], bTask!), 'EPERM', 'target');
        expect(b.handles).toEqual(handles);
        expect(dec((await readAll(b, publicBlob.ref)).bytes)).toBe('public');
        // Dropping the reference is no flow.
        await a.delete(remote!, DeleteFlags.DROP);
        n.check();
      },
      timeout,
    );

    it(
      'a task run on another kernel starts with its parent’s label, and is held to it there',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const publicBlob = await blobWith(b, enc('public'));
        const tag = await a.create(ObjectType.TAG);
        const binary = installEverywhere(n, async (sys) => {
          const [found] = await sys.lookup(publicBlob.name);
          let verdict = 'wrote';
          try {
            await writeAll(sys, found!, enc('leak'));
          } catch (e) {
            verdict = (e as { code?: string }).code ?? 'error';
          }
          const label = await labelOf(sys);
          await writeAll(sys, sys.outputs[0]!, enc(`${verdict} ${label.secrecy.join(',')}`));
          return 0;
        });
        // The report blob carries the child's label, so the child can write it.
        const out = await a.create(ObjectType.SHARED_MEMORY_BLOB, { label: { secrecy: [tag.ref] } });
        await changeLabel(a, { addSecrecy: [tag.ref] });
        const bin = await blobWith(a, binary);
        const child = await a.run(bin.ref, { argv: ['child'], outputs: [out.ref], kernel: 'b' });
        await within(a.select([child]), 5000, 'the child exits');
        expect(dec((await readAll(a, out.ref)).bytes)).toBe(`EPERM ${tag.name.key}`);
        expect(dec((await readAll(b, publicBlob.ref)).bytes)).toBe('public');
        n.check();
      },
      timeout,
    );
  });
}
