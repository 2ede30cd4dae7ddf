/** Cluster compliance cases: lookup across kernels (by name, by path, tasks) and remote references. */
import { describe, expect, it } from 'vitest';
import {
  CreateFlags,
  LookupFlags,
  Name,
  ObjectType,
  pathName,
  pathSeed,
  PROXIMITY_SCALE,
  Rights,
  type SystemCalls,
} from '@dios/kernel';
import { dec, enc } from './bytes.js';
import { blobWith, expectErrno, readAll, writeAll } from './calls.js';
import type { ClusterCase } from './cluster-context.js';

/** Declares the lookup and remote-reference cases. */
export function lookupCases({ boot, timeout }: ClusterCase): void {
  describe('lookup', () => {
    it(
      'finds objects and tasks of other kernels by name, and objects by path in the shared root group',
      async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b, c } = n.sys as Record<'a' | 'b' | 'c', SystemCalls>;
        // Kernels of one cluster share the root group by name: that is what makes names resolve across.
        expect(a.groupNames[0]!.key).toBe(b.groupNames[0]!.key);
        const onB = await blobWith(b, enc('made on b'));
        const found = await a.lookup(onB.name);
        expect(found).toHaveLength(1);
        expect(dec((await readAll(a, found[0]!)).bytes)).toBe('made on b');

        // By path: c creates under a path seed; a computes the name from the path alone.
        const path = '/data/../data/./input.txt';
        const created = await c.create(
          ObjectType.SHARED_MEMORY_BLOB,
          { nameSeed: pathSeed(path) },
          CreateFlags.NAME_DETERMINISTIC,
        );
        await writeAll(c, created.ref, enc('by path'));
        const byPath = await pathName(a.groupNames[0]!, '/data/input.txt');
        expect(byPath.key).toBe(created.name.key);
        const [p] = await a.lookup(byPath.key);
        expect(dec((await readAll(a, p!)).bytes)).toBe('by path');

        // A task is found by its name too.
        const [task] = await a.lookup(c.taskName);
        expect(a.ref(task!).type).toBe(ObjectType.TASK);
        expect(a.ref(task!).task?.state).toBe('running');
        n.check();
      },
      timeout,
    );

    it(
      'a group found on another kernel scopes names on both: what either side creates in it, the other finds',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        // Made to be written by whoever finds it (a group's default lookup mask, r--d, confers no WRITE).
        const group = await b.create(ObjectType.GROUP, { lookupRights: Rights.ALL });
        const onB = await b.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
        const [g] = await a.lookup(group.name);
        expect(a.ref(g!).type).toBe(ObjectType.GROUP);
        const onA = await a.create(ObjectType.SHARED_MEMORY_BLOB, { group: g! });
        await writeAll(a, onA.ref, enc('made on a in b’s group'));
        await writeAll(b, onB.ref, enc('made on b'));
        const [fromB] = await b.lookup(onA.name);
        expect(b.ref(fromB!).proximity).toBe('remote-memory-1hop');
        expect(dec((await readAll(b, fromB!)).bytes)).toBe('made on a in b’s group');
        const [fromA] = await a.lookup(onB.name);
        expect(dec((await readAll(a, fromA!)).bytes)).toBe('made on b');
        // A third task with neither group reference finds neither.
        const outsider = await n.kernels.a!.attachTask(['outsider']);
        await expectErrno(outsider.lookup(onA.name), 'ENOENT', 'name');
        await expectErrno(outsider.lookup(onB.name), 'ENOENT', 'name');
        n.check();
      },
      timeout,
    );

    it(
      'returns one reference per kernel holding the name, local first',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const onA = await a.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'twin' }, CreateFlags.NAME_DETERMINISTIC);
        const onB = await b.create(ObjectType.SHARED_MEMORY_BLOB, { nameSeed: 'twin' }, CreateFlags.NAME_DETERMINISTIC);
        expect(onA.name.key).toBe(onB.name.key);
        await writeAll(a, onA.ref, enc('copy on a'));
        await writeAll(b, onB.ref, enc('copy on b'));
        const handles = await a.lookup(onA.name);
        expect(handles.map((h) => a.ref(h).proximity)).toEqual(['local-memory', 'remote-memory-1hop']);
        expect(await Promise.all(handles.map(async (h) => dec((await readAll(a, h)).bytes)))).toEqual([
          'copy on a',
          'copy on b',
        ]);
        n.check();
      },
      timeout,
    );

    it(
      'ENOENT for a name held nowhere; LOCAL_ONLY does not ask peers',
      async () => {
        const n = await boot('a', 'b', 'c');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        await expectErrno(a.lookup(Name.random()), 'ENOENT', 'name');
        const onB = await blobWith(b, enc('x'));
        await expectErrno(a.lookup(onB.name, LookupFlags.LOCAL_ONLY), 'ENOENT', 'name');
        expect(await b.lookup(onB.name, LookupFlags.LOCAL_ONLY)).toHaveLength(1);
        // Private memory never leaves its kernel.
        const priv = await b.create(ObjectType.PRIVATE_MEMORY_BLOB);
        await expectErrno(a.lookup(priv.name), 'ENOENT', 'name');
        // A group the looking task holds no reference to is no scope.
        const group = await b.create(ObjectType.GROUP);
        const hidden = await b.create(ObjectType.SHARED_MEMORY_BLOB, { group: group.ref });
        await expectErrno(a.lookup(hidden.name), 'ENOENT', 'name');
        const [g] = await a.lookup(group.name);
        expect(await a.lookup(hidden.name)).toHaveLength(1);
        await a.delete(g!);
        await expectErrno(a.lookup(hidden.name), 'ENOENT', 'name');
        n.check();
      },
      timeout,
    );
  });

  describe('remote references', () => {
    it(
      'show the object as remote, with the size and version its home reports',
      async () => {
        const n = await boot('a', 'b');
        const { a, b } = n.sys as Record<'a' | 'b', SystemCalls>;
        const onB = await blobWith(b, enc('twelve bytes'));
        await writeAll(b, onB.ref, enc('!'), { offset: 12 });
        const [h] = await a.lookup(onB.name);
        const view = a.ref(h!);
        expect(view.type).toBe(ObjectType.SHARED_MEMORY_BLOB);
        expect(view.proximity).toBe('remote-memory-1hop');
        expect(PROXIMITY_SCALE.indexOf(view.proximity)).toBeGreaterThan(PROXIMITY_SCALE.indexOf('local-disk'));
        expect(view.persistent).toBe(false);
        expect(view.fateShared).toBe(false);
        expect(view.open).toBe(true);
        expect(view.size).toBe(13);
        expect(view.version).toBe(b.ref(onB.ref).version);
        // The same object seen from its home is local.
        expect(b.ref(onB.ref).proximity).toBe('local-memory');
        // A remote stream and a remote task say so too.
        const stream = await b.create(ObjectType.SHARED_MEMORY_STREAM);
        const [s] = await a.lookup(stream.name);
        expect([a.ref(s!).type, a.ref(s!).proximity]).toEqual([ObjectType.SHARED_MEMORY_STREAM, 'remote-memory-1hop']);
        const [t] = await a.lookup(b.taskName);
        expect([a.ref(t!).type, a.ref(t!).proximity]).toEqual([ObjectType.TASK, 'remote-memory-1hop']);
        n.check();
      },
      timeout,
    );
  });
}
