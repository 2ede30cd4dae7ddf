// A reference point for bench/web.bench.ts: the least a DIOS task can do per keep-alive HTTP request through
// the built kernel's network objects (select with an idle timeout, begin/end_read, begin/end_write of a fixed
// response; no parsing, no files). What the DIOS web server costs above this is its own; the rest is the kernel's.
import { Kernel, Name, ObjectType, programBinary } from '@dios/kernel';
import { useNetwork } from '@dios/kernel/node';
import { readFileSync } from 'node:fs';

const body = readFileSync(process.argv[2]);
const head = `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`;
const response = new Uint8Array([...new TextEncoder().encode(head), ...body]);
const kernel = await Kernel.boot();
useNetwork(kernel);
kernel.registerProgram('floor-conn', async (sys) => {
  const conn = sys.outputs[0];
  try {
    for (;;) {
      if (!sys.ref(conn).ioReady) await sys.select([conn], { timeoutMs: 5000 });
      const view = await sys.beginRead(conn, { length: 65536 });
      const n = view.length;
      await sys.endRead(conn, view);
      if (n === 0) break;
      const buf = await sys.beginWrite(conn, response.length);
      buf.set(response);
      await sys.endWrite(conn, buf);
    }
  } catch {
    // The client went away.
  }
  // Cleanup after the connection ended: the handle may be gone with it already, and the floor server has no one to tell.
  await sys.delete(conn).catch(() => {});
});
const sys = kernel.init;
const binary = (await sys.create(ObjectType.SHARED_MEMORY_BLOB)).ref;
const bytes = programBinary('floor-conn');
const lent = await sys.beginWrite(binary, bytes.length);
lent.set(bytes);
await sys.endWrite(binary, lent);
const { ref: listener } = await sys.create(ObjectType.TCP_LISTENER, { address: { host: '127.0.0.1', port: 0 } });
console.log(`listening ${sys.ref(listener).address}`);
process.on('SIGTERM', () => process.exit(0));
for (;;) {
  await sys.select([listener]);
  const view = await sys.beginRead(listener, { length: 32 });
  const name = Name.fromBytes(view.slice());
  await sys.endRead(listener, view);
  const [conn] = await sys.lookup(name).catch(() => []);
  if (conn === undefined) continue;
  await sys.delete(await sys.run(binary, { argv: ['floor-conn'], outputs: [conn] }));
  await sys.delete(conn);
}
