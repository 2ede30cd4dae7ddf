/**
 * Issue 11, part 3, for libd's paths: a path names the object seeded from it
 * in the task's first group, the same way run seeds a task's name. A task
 * that may only read the group can neither create a file there nor pre-empt
 * the path's name with a child task run under that seed.
 */
import { describe, expect, it } from 'vitest';
import { ObjectType, pathName, pathSeed, programBinary, Rights, RunFlags, type SystemCalls } from '@dios/kernel';
import { fclose, fgets, fopen, fputs } from '../src/index.js';
import { blobWith, boot, expectErrno, spawn } from './stdio-helpers.js';

describe('libd paths under a group the task may only read', () => {
  it('fopen with a creating mode is refused (EACCES) and makes nothing', async () => {
    const { kernel, sys } = await boot();
    const group = await sys.create(ObjectType.GROUP);
    const [readOnly] = await sys.copy([group.ref], sys.self, { rights: Rights.READ | Rights.DELEGATE });
    const child = await spawn(
      kernel,
      sys,
      async (c) => {
        for (const mode of ['w', 'a', 'w+', 'a+']) await expectErrno(fopen(c, '/etc/motd', mode), 'EACCES');
        await expectErrno(fopen(c, '/etc/motd', 'r'), 'ENOENT', '/etc/motd', 'fopen');
      },
      { groups: [readOnly!] },
    );
    await child.done;
    expect(kernel.objects.has((await pathName(group.name, '/etc/motd')).key)).toBe(false);
    kernel.checkInvariants();
  });

  it("a path cannot be pre-empted by a child run under the path's seed: the file is made and read as usual", async () => {
    const { kernel, sys } = await boot();
    const group = await sys.create(ObjectType.GROUP);
    const [readOnly] = await sys.copy([group.ref], sys.self, { rights: Rights.READ | Rights.DELEGATE });
    kernel.registerProgram('idle', () => new Promise<never>(() => {}));
    const idle = await blobWith(sys, programBinary('idle'));
    const root = sys.handles.find((h) => sys.ref(h).type === ObjectType.GROUP && h !== group.ref && h !== readOnly)!;
    // The would-be squatter: first a member of the group with READ|DELEGATE, then of the root group (where the binary is).
    const squatter = await spawn(
      kernel,
      sys,
      async (c: SystemCalls) => {
        const [bin] = await c.lookup(idle.name);
        await expectErrno(
          c.run(bin!, { argv: ['impostor'], name: pathSeed('/etc/motd') }, RunFlags.NAME_DETERMINISTIC),
          'EACCES',
          'spec.name',
          'run',
        );
      },
      { groups: [readOnly!, root] },
    );
    await squatter.done;
    expect(kernel.objects.has((await pathName(group.name, '/etc/motd')).key)).toBe(false);
    // A member that may write the group makes the file; one that may only read it reads what was written.
    const writer = await spawn(
      kernel,
      sys,
      async (c) => {
        const f = await fopen(c, '/etc/motd', 'w');
        await fputs(f, 'hello\n');
        await fclose(f);
      },
      { groups: [group.ref] },
    );
    await writer.done;
    const reader = await spawn(
      kernel,
      sys,
      async (c) => {
        const f = await fopen(c, '/etc/motd', 'r');
        expect(await fgets(f, 100)).toBe('hello\n');
        await fclose(f);
      },
      { groups: [readOnly!] },
    );
    await reader.done;
    kernel.checkInvariants();
  });
});
