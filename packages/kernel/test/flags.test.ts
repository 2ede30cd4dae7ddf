import { describe, expect, it } from 'vitest';
import {
  BeginReadFlags,
  BeginWriteFlags,
  CopyFlags,
  CREATABLE_TYPES,
  CreateFlags,
  DeleteFlags,
  EndReadFlags,
  EndWriteFlags,
  formatRights,
  LookupFlags,
  ObjectType,
  PauseFlags,
  PROXIMITY_SCALE,
  Rights,
  RunFlags,
  TAG_RIGHTS,
  SelectFlags,
} from '@dios/kernel';
import { checkFlags, checkRights } from '../src/core/abi/flags.js';
import { boot, expectErrno, handleOfType } from './helpers.js';

const FLAG_SETS: Record<string, Record<string, number>> = {
  CreateFlags,
  LookupFlags,
  CopyFlags,
  DeleteFlags,
  RunFlags,
  PauseFlags,
  SelectFlags,
  BeginReadFlags,
  EndReadFlags,
  BeginWriteFlags,
  EndWriteFlags,
};
const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
const maskOf = (set: Record<string, number>) => Object.values(set).reduce((m, b) => m | b, 0);

describe('constants', () => {
  it('every flag is a single bit, distinct within its call', () => {
    for (const [setName, set] of Object.entries(FLAG_SETS)) {
      const bits = Object.values(set);
      for (const b of bits) expect(isPowerOfTwo(b), `${setName}: ${b}`).toBe(true);
      expect(new Set(bits).size, setName).toBe(bits.length);
    }
  });

  it('rights are distinct single bits with the DIOS values for r, w, x, and ALL is their union', () => {
    const single = [Rights.READ, Rights.WRITE, Rights.EXEC, Rights.DELEGATE, Rights.ADD, Rights.REMOVE];
    for (const r of single) expect(isPowerOfTwo(r)).toBe(true);
    expect(new Set(single).size).toBe(6);
    expect([Rights.READ, Rights.WRITE, Rights.EXEC]).toEqual([0x1, 0x2, 0x4]);
    expect(Rights.ALL).toBe(single.slice(0, 4).reduce((m, r) => m | r, 0));
    expect(TAG_RIGHTS).toBe(single.reduce((m, r) => m | r, 0));
  });

  it('tasks and the console are not creatable; blobs, streams and groups are', () => {
    expect(CREATABLE_TYPES).not.toContain(ObjectType.TASK);
    expect(CREATABLE_TYPES).not.toContain(ObjectType.CONSOLE);
    for (const t of [
      ObjectType.PRIVATE_MEMORY_BLOB,
      ObjectType.SHARED_MEMORY_BLOB,
      ObjectType.SHARED_MEMORY_STREAM,
      ObjectType.GROUP,
    ]) {
      expect(CREATABLE_TYPES).toContain(t);
    }
  });

  it('the proximity scale runs from local to remote, nearest first, without repeats', () => {
    expect(new Set(PROXIMITY_SCALE).size).toBe(PROXIMITY_SCALE.length);
    const firstRemote = PROXIMITY_SCALE.findIndex((p) => p.startsWith('remote'));
    expect(firstRemote).toBeGreaterThan(0);
    expect(PROXIMITY_SCALE.slice(0, firstRemote).every((p) => p.startsWith('local'))).toBe(true);
    expect(PROXIMITY_SCALE.slice(firstRemote).every((p) => p.startsWith('remote'))).toBe(true);
  });

  it('formatRights spells rwxd with dashes for missing rights', () => {
    expect(formatRights(0)).toBe('----');
    expect(formatRights(Rights.ALL)).toBe('rwxd');
    // The tag capabilities show only when held.
    expect(formatRights(TAG_RIGHTS)).toBe('rwxd+-');
    expect(formatRights(Rights.READ | Rights.REMOVE)).toBe('r---.-');
    expect(formatRights(Rights.READ | Rights.EXEC)).toBe('r-x-');
    expect(formatRights(Rights.WRITE | Rights.DELEGATE)).toBe('-w-d');
  });
});

describe('checkFlags', () => {
  const allowed = { A: 0x1, B: 0x4 };

  it('accepts 0, each allowed bit and their combinations, returning the value', () => {
    for (const f of [0, 0x1, 0x4, 0x5]) expect(checkFlags('s', f, allowed)).toBe(f);
  });

  it.each([
    ['an unknown low bit', 0x2],
    ['an unknown high bit', 0x40000000],
    ['the sign bit', -0x80000000],
    ['a negative number', -1],
    ['a fraction', 1.5],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a bit above 32 bits', 2 ** 32],
    ['an allowed bit plus a bit above 32 bits', 2 ** 32 + 1],
    ['a numeric string', '1'],
    ['a boolean', true],
    ['null', null],
    ['undefined', undefined],
    ['an object', {}],
  ])('rejects %s with EINVAL naming the flags', async (_what, value) => {
    const err = await expectErrno(() => checkFlags('mycall', value, allowed), 'EINVAL', 'flags');
    expect(err.syscall).toBe('mycall');
  });

  it('with no allowed bits accepts only 0', async () => {
    const none = {};
    expect(checkFlags('mycall', 0, none)).toBe(0);
    await expectErrno(() => checkFlags('mycall', 1, none), 'EINVAL', 'flags');
  });
});

describe('checkRights', () => {
  it('accepts every subset of TAG_RIGHTS (every right)', () => {
    for (let r = 0; r <= TAG_RIGHTS; r++) expect(checkRights('copy', 'options.rights', r)).toBe(r);
  });

  it.each([[0x40], [-1], [0.5], [2 ** 32], [2 ** 32 + Rights.READ], ['1'], [null]])(
    'rejects %s with EINVAL',
    async (value) => {
      await expectErrno(() => checkRights('copy', 'options.rights', value), 'EINVAL', 'options.rights');
    },
  );
});

describe('every system call checks its flags', () => {
  it('rejects unknown bits with EINVAL and changes nothing', async () => {
    const kernel = await boot();
    const sys = kernel.init;
    const { ref: blob } = await sys.create(ObjectType.SHARED_MEMORY_BLOB);
    const console_ = handleOfType(sys, ObjectType.CONSOLE);
    const handles = sys.handles;
    const objects = kernel.objects.size;
    const bad = (set: Record<string, number>) => (maskOf(set) << 1) | 0x100;
    const calls: [string, () => Promise<unknown>][] = [
      ['create', () => sys.create(ObjectType.SHARED_MEMORY_BLOB, {}, bad(CreateFlags))],
      ['lookup', () => sys.lookup(kernel.rootGroup.name, bad(LookupFlags))],
      ['copy', () => sys.copy([blob], sys.self, {}, bad(CopyFlags))],
      ['delete', () => sys.delete(blob, bad(DeleteFlags))],
      ['run', () => sys.run(blob, { argv: [] }, bad(RunFlags))],
      ['pause', () => sys.pause(sys.self, bad(PauseFlags))],
      ['select', () => sys.select([blob], {}, bad(SelectFlags))],
      ['beginRead', () => sys.beginRead(blob, {}, bad(BeginReadFlags))],
      ['endRead', () => sys.endRead(blob, new Uint8Array(0), bad(EndReadFlags))],
      ['beginWrite', () => sys.beginWrite(console_, 1, {}, bad(BeginWriteFlags))],
      ['endWrite', () => sys.endWrite(blob, new Uint8Array(0), {}, bad(EndWriteFlags))],
    ];
    for (const [name, call] of calls) {
      const err = await expectErrno(call(), 'EINVAL', 'flags');
      expect(err.syscall).toBe(name);
    }
    expect(sys.handles).toEqual(handles);
    expect(kernel.objects.size).toBe(objects);
    expect(sys.ref(blob).version).toBe(0);
    expect(kernel.tasks.get(sys.taskName.key)!.state).toBe('running');
    kernel.checkInvariants();
  });
});
