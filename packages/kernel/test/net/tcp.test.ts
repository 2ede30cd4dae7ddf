import { connect as netConnect, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BeginWriteFlags, EndWriteFlags, Kernel, Name, ObjectType, type SystemCalls } from '@dios/kernel';
import { useNetwork } from '@dios/kernel/node';
import { dec, enc, expectErrno } from '../helpers.js';

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

async function setup() {
  const kernel = await Kernel.boot();
  useNetwork(kernel);
  return { kernel, sys: kernel.init };
}

function portOf(sys: SystemCalls, listener: number): number {
  return Number(sys.ref(listener).address!.split(':').pop());
}

async function accept(sys: SystemCalls, listener: number): Promise<number> {
  await sys.select([listener]);
  const view = await sys.beginRead(listener, { length: 32 });
  const name = Name.fromBytes(view.slice());
  await sys.endRead(listener, view);
  return (await sys.lookup(name))[0]!;
}

function client(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.on('error', reject);
    sockets.push(s);
  });
}

async function readSome(sys: SystemCalls, ref: number): Promise<Uint8Array> {
  const view = await sys.beginRead(ref, { length: 65536 });
  const bytes = view.slice();
  await sys.endRead(ref, view);
  return bytes;
}

async function writeAll(sys: SystemCalls, ref: number, bytes: Uint8Array, flags = 0): Promise<void> {
  const buf = await sys.beginWrite(ref, bytes.length);
  buf.set(bytes);
  await sys.endWrite(ref, buf, undefined, flags);
}

function collect(s: Socket): { text: () => string; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((r) => s.on('end', () => r()));
  return { text: () => Buffer.concat(chunks).toString(), ended };
}

describe('network objects: listener and connections', () => {
  it('lends received bytes as a plain Uint8Array, so slice() is a copy the socket cannot change', async () => {
    const { sys } = await setup();
    const { ref: listener } = await sys.create(ObjectType.TCP_LISTENER, { address: { port: 0 } });
    const c = await client(portOf(sys, listener));
    const conn = await accept(sys, listener);
    c.write('abcd');
    await sys.select([conn]);
    const view = await sys.beginRead(conn, { length: 65536 });
    expect(Object.getPrototypeOf(view)).toBe(Uint8Array.prototype);
    const kept = view.slice();
    view[0] = 0x7a; // the lent memory changes; the copy does not
    expect(dec(kept)).toBe('abcd');
    await sys.endRead(conn, view);
  });

  it('accepts a connection (select, read its name, lookup) and echoes bytes both ways until end of stream', async () => {
    const { kernel, sys } = await setup();
    const { ref: listener } = await sys.create(ObjectType.TCP_LISTENER, { address: { port: 0 } });
    expect(sys.ref(listener).type).toBe(ObjectType.TCP_LISTENER);
    const port = portOf(sys, listener);
    expect(port).toBeGreaterThan(0);
    const c = await client(port);
    const got = collect(c);
    const conn = await accept(sys, listener);
    expect(sys.ref(conn).type).toBe(ObjectType.TCP_CONNECTION);
    expect(sys.ref(conn).address).toMatch(/^127\.0\.0\.1:\d+$/);
    c.write('hello over TCP');
    c.end();
    let text = '';
    for (;;) {
      const bytes = await readSome(sys, conn);
      if (bytes.length === 0) break;
      text += dec(bytes);
    }
    expect(text).toBe('hello over TCP');
    await writeAll(sys, conn, enc(text.toUpperCase()), EndWriteFlags.END_OF_STREAM);
    await got.ended;
    expect(got.text()).toBe('HELLO OVER TCP');
    await sys.delete(conn);
    kernel.checkInvariants();
  });

  it('connects out with create(TCP_CONNECTION) to a host server', async () => {
    const { sys } = await setup();
    const server = createServer((s) => s.end('from the host'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const { ref } = await sys.create(ObjectType.TCP_CONNECTION, { address: { host: '127.0.0.1', port } });
    let text = '';
    for (;;) {
      const bytes = await readSome(sys, ref);
      if (bytes.length === 0) break;
      text += dec(bytes);
    }
    expect(text).toBe('from the host');
    await sys.delete(ref);
    server.close();
  });

  it('back-pressure: with the peer not reading, begin_write with NONBLOCK fails EAGAIN once the socket buffer is full', async () => {
    const { sys } = await setup();
    const { ref: listener } = await sys.create(ObjectType.TCP_LISTENER, { address: { port: 0 } });
    const c = await client(portOf(sys, listener));
    c.pause();
    const conn = await accept(sys, listener);
    const chunk = new Uint8Array(1 << 20);
    let written = 0;
    let blocked = false;
    for (let i = 0; i < 256; i++) {
      try {
        const buf = await sys.beginWrite(conn, chunk.length, undefined, BeginWriteFlags.NONBLOCK);
        await sys.endWrite(conn, buf);
        written += chunk.length;
      } catch (e) {
        expect((e as { code?: string }).code).toBe('EAGAIN');
        blocked = true;
        break;
      }
    }
    expect(blocked).toBe(true);
    expect(written).toBeLessThan(256 << 20);
    // The peer reads: the writer may go on.
    let drained = 0;
    c.on('data', (d: Buffer) => (drained += d.length));
    c.resume();
    const buf = await sys.beginWrite(conn, 1);
    await sys.endWrite(conn, buf);
    expect(drained).toBeGreaterThan(0);
    await sys.delete(conn);
  });

  it('delete of the last reference closes the socket; the peer sees the end', async () => {
    const { sys } = await setup();
    const { ref: listener } = await sys.create(ObjectType.TCP_LISTENER, { address: { port: 0 } });
    const port = portOf(sys, listener);
    const c = await client(port);
    const closed = new Promise<void>((r) => c.on('close', () => r()));
    const conn = await accept(sys, listener);
    await sys.delete(conn);
    await closed;
    await sys.delete(listener);
    await expect(client(port)).rejects.toThrow();
  });

  it('a client that resets: reads report ECONNRESET (or the end), the kernel and other connections go on', async () => {
    const { kernel, sys } = await setup();
    const { ref: listener } = await sys.create(ObjectType.TCP_LISTENER, { address: { port: 0 } });
    const port = portOf(sys, listener);
    const bad = await client(port);
    const badConn = await accept(sys, listener);
    bad.resetAndDestroy();
    const outcome = await readSome(sys, badConn).then(
      (b) => `eof:${b.length}`,
      (e: { code?: string }) => e.code,
    );
    expect(['eof:0', 'ECONNRESET']).toContain(outcome);
    const good = await client(port);
    const goodConn = await accept(sys, listener);
    good.write('still here');
    expect(dec(await readSome(sys, goodConn))).toBe('still here');
    await sys.delete(badConn);
    await sys.delete(goodConn);
    kernel.checkInvariants();
  });

  it('errors: no device, bad addresses, a port in use, nobody listening, writing a listener', async () => {
    const bare = await Kernel.boot();
    await expectErrno(bare.init.create(ObjectType.TCP_LISTENER, { address: { port: 0 } }), 'ENOTSUP', 'type');
    const { sys } = await setup();
    await expectErrno(sys.create(ObjectType.TCP_LISTENER), 'EINVAL', 'options.address');
    await expectErrno(
      sys.create(ObjectType.TCP_LISTENER, { address: { port: 70000 } }),
      'EINVAL',
      'options.address.port',
    );
    await expectErrno(
      sys.create(ObjectType.TCP_LISTENER, { address: { port: 1, extra: 2 } as never }),
      'EINVAL',
      'options.address.extra',
    );
    await expectErrno(sys.create(ObjectType.TCP_LISTENER, { address: 'x' as never }), 'EINVAL', 'options.address');
    await expectErrno(sys.create(ObjectType.SHARED_MEMORY_BLOB, { address: { port: 1 } }), 'EINVAL', 'options.address');
    const { ref: listener } = await sys.create(ObjectType.TCP_LISTENER, { address: { port: 0 } });
    const port = portOf(sys, listener);
    await expectErrno(sys.create(ObjectType.TCP_LISTENER, { address: { port } }), 'EADDRINUSE', 'options.address');
    await sys.delete(listener);
    await expectErrno(sys.create(ObjectType.TCP_CONNECTION, { address: { port } }), 'ECONNREFUSED', 'options.address');
    const { ref: l2 } = await sys.create(ObjectType.TCP_LISTENER, { address: { port: 0 } });
    await expectErrno(sys.beginWrite(l2, 4), 'EINVAL', 'ref');
    await expectErrno(sys.beginRead(l2, { length: 4 }), 'EINVAL', 'options.length');
  });
});

describe('network objects: closing', () => {
  it('delete right after a large write still delivers every byte written', async () => {
    const { sys } = await setup();
    const { ref: listener } = await sys.create(ObjectType.TCP_LISTENER, { address: { port: 0 } });
    const c = await client(portOf(sys, listener));
    const got = collect(c);
    const conn = await accept(sys, listener);
    const big = new Uint8Array(4 << 20).fill(7);
    await writeAll(sys, conn, big);
    await sys.delete(conn);
    await got.ended;
    expect(got.text().length).toBe(big.length);
  });
});
