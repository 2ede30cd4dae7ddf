import { describe, expect, it } from 'vitest';
import { Name, ObjectType, PROXIMITY_SCALE, RefView } from '@dios/kernel';
import { boot, enc, expectErrno, writeAll } from './helpers.js';

const PUBLIC = [
  'id',
  'type',
  'proximity',
  'persistent',
  'fateShared',
  'readBufferSize',
  'writeBufferSize',
  'consistency',
  'ioReady',
  'open',
  'size',
  'version',
  'address',
  'task',
  'process',
] as const;
const PRIVATE = ['name', 'rights', 'parent', 'object', 'owner', 'leases', 'ref', 'kref'];

async function setup() {
  const kernel = await boot();
  const sys = kernel.init;
  const created = await sys.create(ObjectType.SHARED_MEMORY_STREAM, { capacity: 16 });
  return { kernel, sys, ...created, view: sys.ref(created.ref) };
}

/** Every value reachable from a view through its getters (one level; the values are primitives or plain records). */
function reachable(view: RefView): unknown[] {
  const values: unknown[] = [];
  for (
    let proto = Object.getPrototypeOf(view) as object | null;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    for (const [key, desc] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (desc.get) values.push((view as unknown as Record<string, unknown>)[key]);
    }
  }
  return values;
}

describe('RefView', () => {
  it('shows the public attributes of a reference', async () => {
    const { kernel, sys, ref, view } = await setup();
    expect(view.id).toBe(ref);
    expect(view.type).toBe(ObjectType.SHARED_MEMORY_STREAM);
    expect(PROXIMITY_SCALE).toContain(view.proximity);
    expect(view.persistent).toBe(false);
    expect(view.fateShared).toBe(false);
    expect(view.readBufferSize).toBe(kernel.bufferSize);
    expect(view.writeBufferSize).toBe(kernel.bufferSize);
    expect(view.consistency).toBe('optimistic');
    expect(view.ioReady).toBe(false);
    expect(view.open).toBe(true);
    expect(view.size).toBe(0);
    expect(view.version).toBe(0);
    expect(view.task).toBeUndefined();
    expect(sys.ref(sys.self).task).toEqual({ state: 'running', exitStatus: undefined });
  });

  it('is live: it follows the reference and its object', async () => {
    const { kernel, sys, ref, view } = await setup();
    await writeAll(sys, ref, enc('abc'));
    expect(view.size).toBe(3);
    expect(view.version).toBe(1);
    expect(view.ioReady).toBe(true);
    await sys.delete(ref);
    expect(view.open).toBe(false);
    expect(view.ioReady).toBe(false);
    kernel.checkInvariants();
  });

  it.each(PUBLIC.map((k) => [k]))(
    'attribute %s cannot be assigned (TypeError in strict mode, value unchanged)',
    async (key) => {
      const { view } = await setup();
      const before = view[key];
      expect(() => {
        (view as unknown as Record<string, unknown>)[key] = 12345;
      }).toThrow(TypeError);
      expect(view[key]).toEqual(before);
    },
  );

  it('is frozen: no new properties, no redefinitions', async () => {
    const { view } = await setup();
    expect(Object.isFrozen(view)).toBe(true);
    expect(() => {
      (view as unknown as Record<string, unknown>).rights = 0xf;
    }).toThrow(TypeError);
    expect(() => Object.defineProperty(view, 'id', { value: 99 })).toThrow(TypeError);
    expect(() => {
      Object.setPrototypeOf(view, {});
    }).toThrow(TypeError);
    expect(view).toBeInstanceOf(RefView);
    expect('rights' in view).toBe(false);
  });

  it("exposes neither the object's name, nor the rights, nor the parent", async () => {
    const { kernel, sys, name, view } = await setup();
    const [copy] = await sys.copy([view.id], sys.self, { rights: 0x1 });
    for (const v of [view, sys.ref(copy!)]) {
      for (const key of PRIVATE) expect(key in v, key).toBe(false);
      expect(Reflect.ownKeys(v)).toEqual([]);
      const serialised = JSON.stringify(v);
      expect(serialised).not.toContain(name.key);
      for (const value of reachable(v)) {
        expect(value).not.toBeInstanceOf(Name);
        if (typeof value === 'object' && value !== null) {
          // Only task status records are objects; they hold state and status, nothing else.
          expect(Object.keys(value).sort()).toEqual(['exitStatus', 'state']);
        }
        expect(String(value)).not.toContain(name.key);
      }
      // Rights and parent cannot be inferred from the view: both views show the same attributes.
      expect(reachable(v).length).toBe(reachable(view).length);
    }
    const a = sys.ref(copy!);
    expect(PUBLIC.filter((k) => k !== 'id').map((k) => a[k])).toEqual(
      PUBLIC.filter((k) => k !== 'id').map((k) => view[k]),
    );
    kernel.checkInvariants();
  });

  it('every getter is a public attribute; there is no other way in', () => {
    const getters: string[] = [];
    for (const [key, desc] of Object.entries(Object.getOwnPropertyDescriptors(RefView.prototype))) {
      if (desc.get) getters.push(key);
      if (key !== 'constructor') expect(typeof desc.value, key).not.toBe('function');
      expect(typeof desc.set, key).toBe('undefined');
    }
    expect(getters.sort()).toEqual([...PUBLIC].sort());
  });

  it('a task sees views only of its own references', async () => {
    const { kernel, sys } = await setup();
    const other = await kernel.attachTask(['other']);
    for (let i = 0; i < sys.handles.length + 1; i++) await other.create(ObjectType.SHARED_MEMORY_BLOB);
    // Handles are per task: a number that is valid in the other task's table means nothing in ours.
    const theirs = other.handles.filter((h) => !sys.handles.includes(h));
    expect(theirs.length).toBeGreaterThan(0);
    for (const h of theirs) await expectErrno(() => sys.ref(h), 'EBADF', 'handle');
    kernel.checkInvariants();
  });
});
