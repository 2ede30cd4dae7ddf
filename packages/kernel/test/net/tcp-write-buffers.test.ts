import { EventEmitter } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Kernel, Name, ObjectType, type SystemCalls } from '@dios/kernel';
import { useNetwork } from '@dios/kernel/node';
import { TcpConnectionObject } from '../../src/host/net/tcp-connection.js';
import type { IoRequest } from '../../src/core/objects/kernel-object.js';
import { MAX_KEPT_BYTES, WriteBuffers } from '../../src/host/net/write-buffers.js';
import type { Lease, Reference } from '../../src/core/objects/reference.js';
import { krefOf } from '../helpers.js';

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

// A kernel with a network, a listener, a client socket collecting what it receives, and the accepted connection.
async function connected() {
  const kernel = await Kernel.boot();
  useNetwork(kernel);
  const sys = kernel.init;
  const { ref: listener } = await sys.create(ObjectType.TCP_LISTENER, { address: { port: 0 } });
  const port = Number(sys.ref(listener).address!.split(':').pop());
  const chunks: Buffer[] = [];
  const client = await new Promise<Socket>((resolve, reject) => {
    const s = netConnect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.on('error', reject);
    sockets.push(s);
  });
  client.on('data', (c: Buffer) => chunks.push(c));
  await sys.select([listener]);
  const view = await sys.beginRead(listener, { length: 32 });
  const name = Name.fromBytes(view.slice());
  await sys.endRead(listener, view);
  const conn = (await sys.lookup(name))[0]!;
  const object = krefOf(kernel, sys, conn).object as TcpConnectionObject;
  const received = async (n: number): Promise<Buffer> => {
    while (chunks.reduce((s, c) => s + c.length, 0) < n) await new Promise((r) => setTimeout(r, 5));
    return Buffer.concat(chunks);
  };
  return { kernel, sys, conn, object, name, received };
}

async function write(sys: SystemCalls, conn: number, bytes: Uint8Array): Promise<Uint8Array> {
  const buf = await sys.beginWrite(conn, bytes.length);
  buf.set(bytes);
  await sys.endWrite(conn, buf);
  return buf;
}

describe('TCP connection write buffers', () => {
  it('a large file written chunk by chunk allocates a buffer once, not per chunk, and every byte arrives', async () => {
    const { sys, conn, object, received } = await connected();
    const chunk = 256 * 1024;
    const total = 16 * chunk;
    const file = new Uint8Array(total);
    for (let i = 0; i < total; i++) file[i] = (i * 7 + (i >> 12)) & 0xff;
    for (let off = 0; off < total; off += chunk) await write(sys, conn, file.subarray(off, off + chunk));
    const got = await received(total);
    expect(got.length).toBe(total);
    expect(got.equals(Buffer.from(file))).toBe(true);
    // One buffer made; at most one more if a chunk was asked for before the socket had sent the one before.
    expect(object.buffersMade).toBeLessThanOrEqual(2);
    await sys.delete(conn);
  });

  it('responses written one after another reuse one buffer once the socket has sent it', async () => {
    const { sys, conn, object, received } = await connected();
    const response = new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    for (let i = 0; i < 50; i++) {
      await write(sys, conn, response);
      // The client's next request takes a round trip: the socket has long sent the last response by then.
      await new Promise((r) => setImmediate(r));
    }
    await received(50 * response.length);
    expect(object.buffersMade).toBe(1);
    await sys.delete(conn);
  });

  it("another reference never gets a buffer holding this reference's bytes: it gets a fresh zeroed one", async () => {
    const { sys, conn, object, name, received } = await connected();
    const secret = new Uint8Array(4096).fill(0x53);
    const first = await write(sys, conn, secret);
    await received(4096);
    await new Promise((r) => setImmediate(r));
    const [other] = await sys.lookup(name);
    const made = object.buffersMade;
    const lent = await sys.beginWrite(other!, 4096);
    expect(lent.buffer).not.toBe(first.buffer);
    expect(lent.every((b) => b === 0)).toBe(true);
    expect(object.buffersMade).toBe(made + 1);
    await sys.endWrite(other!, lent, { length: 0 });
    await sys.delete(other!);
    await sys.delete(conn);
  });
});

// A socket that keeps what is written until the test says it is sent (or sends at once, when `sendAtOnce`).
class HeldSocket extends EventEmitter {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 1;
  readonly destroyed = false;
  readonly writable = true;
  readonly writableNeedDrain = false;
  readonly sent: Uint8Array[] = [];
  readonly held: { bytes: Uint8Array; done: (e?: Error | null) => void }[] = [];
  sendAtOnce = false;
  get writableLength(): number {
    return this.held.reduce((n, w) => n + w.bytes.length, 0);
  }
  setNoDelay(): void {}
  write(bytes: Uint8Array, done: (e?: Error | null) => void): boolean {
    // A copy of what the buffer held when it was sent, as a system call would take it.
    if (this.sendAtOnce) {
      this.sent.push(bytes.slice());
      queueMicrotask(() => done());
    } else this.held.push({ bytes, done });
    return true;
  }
  // The system takes every held write now.
  flush(): void {
    for (const w of this.held.splice(0)) {
      this.sent.push(w.bytes.slice());
      w.done();
    }
  }
}

// A write request through `ref` for `length` bytes, as the kernel's begin_write makes it.
function request(ref: Reference, length: number): IoRequest {
  return {
    ref,
    offset: 0,
    length,
    nonblock: true,
    truncate: false,
    append: false,
    guard: () => {},
    syscall: 'beginWrite',
  } as IoRequest;
}

describe('TcpConnectionObject write leases (a socket the test controls)', () => {
  const ref = {} as Reference;

  it('a buffer the socket still holds is not lent again; once sent it is, and the bytes sent are the ones committed', () => {
    const socket = new HeldSocket();
    const conn = new TcpConnectionObject(Name.random(), 'refcounted', undefined, socket as unknown as Socket);
    const a = conn.beginWrite(request(ref, 1000)) as Lease;
    a.buffer.fill(65);
    conn.endWrite(a, 1000, false, false);
    const b = conn.beginWrite(request(ref, 1000)) as Lease;
    expect(b.buffer.buffer).not.toBe(a.buffer.buffer);
    b.buffer.fill(66);
    conn.endWrite(b, 1000, false, false);
    socket.flush();
    expect(Buffer.concat(socket.sent).toString()).toBe('A'.repeat(1000) + 'B'.repeat(1000));
    // Both sent: the larger-or-equal last one given back is lent again, without a new allocation.
    const c = conn.beginWrite(request(ref, 1000)) as Lease;
    expect([a.buffer.buffer, b.buffer.buffer]).toContain(c.buffer.buffer);
    expect(conn.buffersMade).toBe(2);
    conn.endWrite(c, 0, true, false);
  });

  it('a write the socket sent at once frees its buffer at end_write, and the late callback does not free it twice', async () => {
    const socket = new HeldSocket();
    socket.sendAtOnce = true;
    const conn = new TcpConnectionObject(Name.random(), 'refcounted', undefined, socket as unknown as Socket);
    const a = conn.beginWrite(request(ref, 100)) as Lease;
    conn.endWrite(a, 100, false, false);
    const b = conn.beginWrite(request(ref, 100)) as Lease;
    expect(b.buffer.buffer).toBe(a.buffer.buffer);
    // The callback of the first write comes while b is lent: it must not make b's buffer free for another lease.
    await new Promise((r) => setImmediate(r));
    socket.sendAtOnce = false;
    b.buffer.fill(67);
    conn.endWrite(b, 100, false, false);
    const c = conn.beginWrite(request(ref, 100)) as Lease;
    expect(c.buffer.buffer).not.toBe(b.buffer.buffer);
    conn.endWrite(c, 0, true, false);
    socket.flush();
    expect(Buffer.concat(socket.sent).toString()).toBe('\0'.repeat(100) + 'C'.repeat(100));
  });
});

describe('WriteBuffers', () => {
  const refA = {} as Reference;
  const refB = {} as Reference;

  it('lends the kept buffer to its reference only, as a view of the length asked for', () => {
    const buffers = new WriteBuffers();
    const first = buffers.take(refA, 100);
    expect(buffers.made).toBe(1);
    buffers.give(refA, first.whole);
    expect(buffers.take(refB, 50).whole).not.toBe(first.whole);
    expect(buffers.made).toBe(2);
    const again = buffers.take(refA, 60);
    expect(again.whole).toBe(first.whole);
    expect(again.view.length).toBe(60);
    expect(again.view.buffer).toBe(first.whole.buffer);
    // Taken: not lent twice.
    expect(buffers.take(refA, 60).whole).not.toBe(first.whole);
  });

  it('a request larger than the kept buffer, a buffer over the limit and a cleared buffer all mean a fresh one', () => {
    const buffers = new WriteBuffers();
    const small = buffers.take(refA, 10).whole;
    buffers.give(refA, small);
    expect(buffers.take(refA, 11).whole).not.toBe(small);
    const huge = buffers.take(refA, MAX_KEPT_BYTES + 1).whole;
    buffers.give(refA, huge);
    expect(buffers.take(refA, 1).whole).not.toBe(huge);
    const kept = buffers.take(refA, 20).whole;
    buffers.give(refA, kept);
    buffers.clear();
    expect(buffers.take(refA, 20).whole).not.toBe(kept);
  });
});
