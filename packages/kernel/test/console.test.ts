import { describe, expect, it } from 'vitest';
import { BeginReadFlags, EndReadFlags, EndWriteFlags, ObjectType, Rights } from '@dios/kernel';
import { boot, dec, enc, expectErrno, flush, handleOfType, track, writeAll } from './helpers.js';

async function setup() {
  const out: string[] = [];
  const kernel = await boot({ consoleSink: (bytes) => out.push(dec(bytes)) });
  const sys = kernel.init;
  return { kernel, sys, out, con: handleOfType(sys, ObjectType.CONSOLE) };
}

describe('console output', () => {
  it('each committed write reaches the sink, in order', async () => {
    const { kernel, sys, out, con } = await setup();
    await writeAll(sys, con, enc('hello '));
    await writeAll(sys, con, enc('world\n'));
    expect(out).toEqual(['hello ', 'world\n']);
    kernel.checkInvariants();
  });

  it('only options.length bytes are written; DISCARD and empty writes write nothing', async () => {
    const { kernel, sys, out, con } = await setup();
    const a = await sys.beginWrite(con, 5);
    a.set(enc('abcde'));
    await sys.endWrite(con, a, { length: 2 });
    const b = await sys.beginWrite(con, 3);
    b.set(enc('xyz'));
    await sys.endWrite(con, b, {}, EndWriteFlags.DISCARD);
    await sys.endWrite(con, await sys.beginWrite(con, 0));
    expect(out).toEqual(['ab']);
    kernel.checkInvariants();
  });

  it('nothing reaches the sink before end_write', async () => {
    const { kernel, sys, out, con } = await setup();
    const buf = await sys.beginWrite(con, 2);
    buf.set(enc('hi'));
    expect(out).toEqual([]);
    await sys.endWrite(con, buf);
    expect(out).toEqual(['hi']);
    kernel.checkInvariants();
  });

  it('a replaced sink receives later writes', async () => {
    const { kernel, sys, out, con } = await setup();
    const other: string[] = [];
    kernel.console.setSink((b) => other.push(dec(b)));
    await writeAll(sys, con, enc('x'));
    expect(out).toEqual([]);
    expect(other).toEqual(['x']);
    kernel.checkInvariants();
  });

  it('is always ready for writing; a kernel without a sink discards output', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const con = handleOfType(sys, ObjectType.CONSOLE);
    await writeAll(sys, con, enc('into the void'));
    expect(await sys.select([con], { timeoutMs: 0 }, 1)).toBe(con);
    kernel.checkInvariants();
  });

  it("init's console reference can read, write and delegate, but not exec", async () => {
    const { kernel, sys, con } = await setup();
    const rights = kernel.tasks.get(sys.taskName.key)!.table.get(con)!.rights;
    expect(rights).toBe(Rights.READ | Rights.WRITE | Rights.DELEGATE);
    expect(sys.ref(con).type).toBe(ObjectType.CONSOLE);
  });
});

describe('console input', () => {
  it('reads what the host pushed, chunk by chunk', async () => {
    const { kernel, sys, con } = await setup();
    kernel.console.pushInput(enc('line 1\n'));
    kernel.console.pushInput(enc('line 2\n'));
    expect(sys.ref(con).size).toBe(14);
    const a = await sys.beginRead(con);
    expect(dec(a)).toBe('line 1\n');
    await sys.endRead(con, a);
    const b = await sys.beginRead(con);
    expect(dec(b)).toBe('line 2\n');
    await sys.endRead(con, b);
    expect(sys.ref(con).size).toBe(0);
    kernel.checkInvariants();
  });

  it('pushInput copies its bytes', async () => {
    const { kernel, sys, con } = await setup();
    const bytes = enc('abc');
    kernel.console.pushInput(bytes);
    bytes.fill(0);
    const a = await sys.beginRead(con);
    expect(dec(a)).toBe('abc');
    await sys.endRead(con, a);
    kernel.checkInvariants();
  });

  it('a short read leaves the rest; RELEASE consumes nothing', async () => {
    const { kernel, sys, con } = await setup();
    kernel.console.pushInput(enc('abcdef'));
    const a = await sys.beginRead(con, { length: 2 });
    expect(dec(a)).toBe('ab');
    await sys.endRead(con, a);
    const b = await sys.beginRead(con);
    expect(dec(b)).toBe('cdef');
    await sys.endRead(con, b, EndReadFlags.RELEASE);
    const c = await sys.beginRead(con);
    expect(dec(c)).toBe('cdef');
    await sys.endRead(con, c);
    kernel.checkInvariants();
  });

  it('a reader waits for input and wakes when the host pushes some', async () => {
    const { kernel, sys, con } = await setup();
    await expectErrno(sys.beginRead(con, {}, BeginReadFlags.NONBLOCK), 'EAGAIN');
    const pending = track(sys.beginRead(con));
    await flush();
    expect(pending.settled).toBe(false);
    kernel.console.pushInput(new Uint8Array(0)); // empty input is no input
    await flush();
    expect(pending.settled).toBe(false);
    kernel.console.pushInput(enc('typed'));
    const buf = await pending.promise;
    expect(dec(buf)).toBe('typed');
    await sys.endRead(con, buf);
    kernel.checkInvariants();
  });

  it('select waits for console input', async () => {
    const { kernel, sys, con } = await setup();
    await expectErrno(sys.select([con], { timeoutMs: 0 }), 'ETIMEDOUT');
    const pending = track(sys.select([con]));
    await flush();
    expect(pending.settled).toBe(false);
    kernel.console.pushInput(enc('!'));
    expect(await pending.promise).toBe(con);
    kernel.checkInvariants();
  });

  it('after endInput, readers drain what is left and then get empty buffers', async () => {
    const { kernel, sys, con } = await setup();
    kernel.console.pushInput(enc('rest'));
    kernel.console.endInput();
    const a = await sys.beginRead(con);
    expect(dec(a)).toBe('rest');
    await sys.endRead(con, a);
    for (let i = 0; i < 2; i++) {
      const eof = await sys.beginRead(con, {}, BeginReadFlags.NONBLOCK);
      expect(eof.length).toBe(0);
      await sys.endRead(con, eof);
    }
    kernel.checkInvariants();
  });

  it('endInput wakes a waiting reader with an empty buffer', async () => {
    const { kernel, sys, con } = await setup();
    const pending = track(sys.beginRead(con));
    await flush();
    kernel.console.endInput();
    const buf = await pending.promise;
    expect(buf.length).toBe(0);
    await sys.endRead(con, buf);
    kernel.checkInvariants();
  });

  it('another task finds the console by name and shares its input', async () => {
    const { kernel, sys, con } = await setup();
    const other = await kernel.attachTask(['other']);
    const [theirs] = await other.lookup(kernel.console.name);
    kernel.console.pushInput(enc('ab'));
    const a = await other.beginRead(theirs!, { length: 1 });
    // One read at a time across all readers.
    await expectErrno(sys.beginRead(con, {}, BeginReadFlags.NONBLOCK), 'EAGAIN');
    await other.endRead(theirs!, a);
    const b = await sys.beginRead(con);
    expect(dec(a) + dec(b)).toBe('ab');
    await sys.endRead(con, b);
    kernel.checkInvariants();
  });
});
