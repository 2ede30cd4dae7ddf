/**
 * stdio over an object on another kernel: the FILE takes the reference's
 * buffer size (1008 KiB for a remote object), so reading a remote text
 * with fgets costs a request per MiB or so, not per 4 KiB, and reads the same lines as
 * on the object's own kernel.
 */
import { describe, expect, it } from 'vitest';
import { Kernel, LoopbackNetwork, ObjectType, Rights, type LoopbackTransport, type SystemCalls } from '@dios/kernel';
import { fclose, fflush, fgets, fopen, fputs, fread, fseek, SEEK_SET } from '@dios/libd';

const MiB = 1 << 20;
// The least buffer size of a remote reference: 1 MiB less room for a reply's header.
const REMOTE = MiB - 16 * 1024;

async function twoKernels(): Promise<{ a: SystemCalls; b: SystemCalls; served: string[] }> {
  const net = new LoopbackNetwork();
  const cluster = `stdio-remote-${Math.random().toString(36).slice(2)}`;
  const ka = await Kernel.boot({ id: 'a', cluster });
  const kb = await Kernel.boot({ id: 'b', cluster });
  const link = ka.join(net.connect('a'));
  kb.join(net.connect('b'));
  // Every request kernel a serves, by kind.
  const t = link.transport as LoopbackTransport;
  const serve = t.handler!;
  const served: string[] = [];
  t.handler = (from, req) => {
    served.push(req.kind);
    return serve(from, req);
  };
  const a = await ka.attachTask(['host-a'], undefined, { lookupRights: Rights.ALL });
  const b = await kb.attachTask(['host-b'], undefined, { lookupRights: Rights.ALL });
  return { a, b, served };
}

function text(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `line ${i}: ${'é'.repeat(i % 7)}${'x'.repeat(i % 61)} 😀\n`;
    lines.push(line);
    size += new TextEncoder().encode(line).length;
  }
  return lines.join('');
}

async function linesOf(sys: SystemCalls, ref: number): Promise<string[]> {
  const file = await fopen(sys, { ref }, 'r');
  const lines: string[] = [];
  for (let line = await fgets(file, Infinity); line !== null; line = await fgets(file, Infinity)) lines.push(line);
  await fclose(file);
  return lines;
}

describe('stdio on a remote blob', () => {
  it('fgets reads the same lines as on the home kernel, a begin-read per MiB', async () => {
    const { a, b, served } = await twoKernels();
    const content = text(3 * MiB + 1000);
    const bytes = new TextEncoder().encode(content);
    const { name, ref } = await a.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const buf = await a.beginWrite(ref, bytes.length);
    buf.set(bytes);
    await a.endWrite(ref, buf);
    const [remote] = await b.lookup(name);
    expect(b.ref(remote!).readBufferSize).toBe(REMOTE);
    served.length = 0;
    const far = await linesOf(b, remote!);
    expect(far.join('')).toBe(content);
    expect(far).toEqual(await linesOf(a, ref));
    // 3 MiB and a bit: 4 buffers, and the read that finds the end (4 KiB buffers would take 770).
    expect(Math.ceil(content.length / REMOTE)).toBeLessThanOrEqual(4);
    // With the read of the next buffer made ahead, the end is found twice (ahead, then again when needed).
    expect(served.filter((k) => k === 'begin-read').length).toBeLessThanOrEqual(6);
  });

  it('fread of a remote blob in small pieces fills a whole buffer at a time', async () => {
    const { a, b, served } = await twoKernels();
    const bytes = new Uint8Array(2 * MiB).map((_, i) => (i * 7) & 0xff);
    const { name, ref } = await a.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const buf = await a.beginWrite(ref, bytes.length);
    buf.set(bytes);
    await a.endWrite(ref, buf);
    const [remote] = await b.lookup(name);
    served.length = 0;
    const file = await fopen(b, { ref: remote! }, 'r');
    const got = new Uint8Array(bytes.length);
    for (let at = 0; at < got.length; at += 1000) await fread(file, got.subarray(at, Math.min(got.length, at + 1000)));
    await fclose(file);
    expect(Buffer.from(got).equals(Buffer.from(bytes))).toBe(true);
    // And one read ahead, past the end.
    expect(served.filter((k) => k === 'begin-read').length).toBe(Math.ceil(bytes.length / REMOTE) + 1);
  });

  it('the next buffer read ahead is dropped by a write through the FILE, and by a seek; closing leaves no read lent at home', async () => {
    const { a, b, served } = await twoKernels();
    const line = 'x'.repeat(99) + '\n';
    const content = line.repeat(Math.ceil((2.5 * MiB) / line.length));
    const bytes = new TextEncoder().encode(content);
    const { name, ref } = await a.create(ObjectType.SHARED_MEMORY_BLOB, { lifecycle: 'immortal' });
    const buf = await a.beginWrite(ref, bytes.length);
    buf.set(bytes);
    await a.endWrite(ref, buf);
    const [remote] = await b.lookup(name);
    const file = await fopen(b, { ref: remote! }, 'r+');
    expect(await fgets(file, Infinity)).toBe(line);
    // The second buffer is being read ahead now; a write there through the FILE must be what a later read sees.
    const second = REMOTE;
    await fseek(file, second, SEEK_SET);
    await fputs(file, 'changed\n');
    await fflush(file);
    await fseek(file, second, SEEK_SET);
    expect(await fgets(file, Infinity)).toBe('changed\n');
    await fseek(file, 0, SEEK_SET);
    expect(await fgets(file, Infinity)).toBe(line);
    await fclose(file);
    // Every read begun at home was ended there, the read-ahead under way at fclose too.
    const count = (kind: string) => served.filter((k) => k === kind).length;
    expect(count('begin-read')).toBeGreaterThan(2);
    expect(count('end-read')).toBe(count('begin-read'));
  });
});
