import { describe, expect, it } from 'vitest';
import { Kernel, kernelStatusName, ObjectType, type KernelStatus } from '@dios/kernel';
import { expectErrno, writeAll } from './helpers.js';

describe('the kernel status object', () => {
  it('a task finds it by name and reads a JSON snapshot of tasks (with figures) and objects', async () => {
    const kernel = await Kernel.boot({ id: 'status-k' });
    const sys = kernel.init;
    const { ref: blob, name } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    await writeAll(sys, blob, new Uint8Array(10));
    const [status] = await sys.lookup(await kernelStatusName(sys.kernelId));
    expect(sys.ref(status!).type).toBe(ObjectType.KERNEL_STATUS);
    const view = await sys.beginRead(status!);
    const snapshot = JSON.parse(new TextDecoder().decode(view)) as KernelStatus;
    await sys.endRead(status!, view);
    expect(snapshot.kernel).toBe('status-k');
    // Objects are listed by a 12-digit prefix of their names (a full name would let any reader look them up).
    const mine = snapshot.objects.find((o) => o.name === name.key.slice(0, 12));
    expect(mine).toMatchObject({ type: ObjectType.SHARED_MEMORY_BLOB, size: 10, refs: 1 });
    const init = snapshot.tasks.find((t) => t.name === sys.taskName.key);
    expect(init?.stats.calls.create).toBe(1);
    expect(init?.stats.bytesWritten).toBe(10);
    // Found by name, it comes read-only (its lookup mask is r--d), whatever the scope's rights.
    expect(kernel.objects.get((await kernelStatusName(sys.kernelId)).key)?.lookupRights).toBe(0x9);
    await expectErrno(sys.beginWrite(status!, 1), 'EACCES', 'ref');
    await expectErrno(sys.beginRead(status!, { offset: 1 }), 'ESPIPE', 'options.offset');
    kernel.checkInvariants();
  });
});
