/**
 * Buffer sizes by proximity: a reference to an object on another kernel
 * advises buffers of at least 1008 KiB (each one filled there is a round
 * trip; 1 MiB less room for the header of the reply that carries it); a reference to a local object keeps the size it was given.
 */
import { describe, expect, it } from 'vitest';
import { ObjectType } from '@dios/kernel';
import { cluster } from './cluster.js';

const MiB = 1 << 20;
// The least buffer size of a remote reference: 1 MiB less room for a reply's header.
const REMOTE = MiB - 16 * 1024;

describe('read and write buffer sizes by proximity', () => {
  it('a remote blob advises 1008 KiB buffers; the same blob on its own kernel the kernel default', async () => {
    const c = await cluster('a', 'b');
    const { name, ref } = await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const [remote] = await c.sys.b!.lookup(name);
    const far = c.sys.b!.ref(remote!);
    expect(far.proximity).toBe('remote-memory-1hop');
    expect([far.readBufferSize, far.writeBufferSize]).toEqual([REMOTE, REMOTE]);
    const near = c.sys.a!.ref(ref);
    expect(near.proximity).toBe('local-memory');
    expect([near.readBufferSize, near.writeBufferSize]).toEqual([c.k.a!.bufferSize, c.k.a!.bufferSize]);
    c.check();
  });

  it('a copy of a remote reference keeps its sizes; sizes given at create stay on the home kernel', async () => {
    const c = await cluster('a', 'b');
    const big = 3 * MiB;
    const { name, ref } = await c.sys.a!.create(ObjectType.SHARED_MEMORY_BLOB, {
      lifecycle: 'immortal',
      readBufferSize: big,
      writeBufferSize: 10,
    });
    expect([c.sys.a!.ref(ref).readBufferSize, c.sys.a!.ref(ref).writeBufferSize]).toEqual([big, 10]);
    const [remote] = await c.sys.b!.lookup(name);
    const [copied] = await c.sys.b!.copy([remote!], c.sys.b!.self);
    expect([c.sys.b!.ref(copied!).readBufferSize, c.sys.b!.ref(copied!).writeBufferSize]).toEqual([REMOTE, REMOTE]);
  });
});
