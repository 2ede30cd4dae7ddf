/**
 * Holes found in a rights review, each with the sequence of calls that used
 * to give a task more than it was delegated or than a lookup mask allows.
 */
import { describe, expect, it } from 'vitest';
import { CreateFlags, Name, ObjectType, Rights, RunFlags, type SystemCalls } from '@dios/kernel';
import { expectErrno, installProgram, krefOf, writeAll, enc } from './helpers.js';
import { cluster, settle } from './distribution/cluster.js';

const { READ, WRITE, DELEGATE } = Rights;

describe('a deterministic group name cannot be made again on another kernel', () => {
  it('a task with WRITE on the shared root group, seeding the same group name on its own kernel, gains no rights in the original', async () => {
    const c = await cluster('a', 'b');
    const victim = c.sys.a!;
    // The victim's private group (named in the root group, so members find it with r--d) and a secret in it.
    const vault = await victim.create(ObjectType.GROUP, { lifecycle: 'immortal', nameSeed: 'vault' }, CreateFlags.NAME_DETERMINISTIC);
    const secret = await victim.create(ObjectType.SHARED_MEMORY_BLOB, { group: vault.ref, nameSeed: 'secret' }, CreateFlags.NAME_DETERMINISTIC);
    await writeAll(victim, secret.ref, enc('victim data'));

    // The intruder on kernel b: the same seed in the same (shared) root group.
    const intruder = await c.k.b!.attachTask(['intruder']);
    const forged = await intruder.create(ObjectType.GROUP, { lifecycle: 'immortal', nameSeed: 'vault' }, CreateFlags.NAME_DETERMINISTIC);
    // Whatever it finds of the secret's name (nothing: the vault is not its scope), it cannot write it.
    const found = await intruder.lookup(await Name.seeded(vault.name, 'secret')).catch((e: { code: string }) => e.code);
    if (Array.isArray(found)) for (const h of found) expect(krefOf(c.k.b!, intruder, h).rights & WRITE).toBe(0);
    else expect(found).toBe('ENOENT');
    // Found by name through the root group, the vault itself is r--d, so the secret through it too.
    const [viaRoot] = await intruder.lookup(vault.name);
    expect(krefOf(c.k.b!, intruder, viaRoot!).rights).toBe(READ | DELEGATE);
    // It used to get the very name, so the home kernel resolved in the victim's vault with the rights the intruder has on its own.
    expect(forged.name.equals(vault.name)).toBe(false);
    await settle();
    c.check();
  });

  it('a deterministic group name is the same again on the same kernel (EEXIST), and still reproducible there', async () => {
    const c = await cluster('a');
    const sys = c.sys.a!;
    const g = await sys.create(ObjectType.GROUP, { nameSeed: 'again' }, CreateFlags.NAME_DETERMINISTIC);
    await expectErrno(sys.create(ObjectType.GROUP, { nameSeed: 'again' }, CreateFlags.NAME_DETERMINISTIC), 'EEXIST', 'name');
    await sys.delete(g.ref);
    const again = await sys.create(ObjectType.GROUP, { nameSeed: 'again' }, CreateFlags.NAME_DETERMINISTIC);
    expect(again.name.equals(g.name)).toBe(true);
    c.check();
  });
});
