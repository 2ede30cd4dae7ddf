/**
 * The live directory mirror: host files become shared-memory blobs at
 * their paths, and creates, changes, deletes and renames on the host reach
 * them (by the watcher, or by a pass run on demand); the index lists path,
 * size and time; links leading out of the directory and files above the
 * cap are left out with a warning.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeleteFlags, isDiosError, Kernel, pathName, type SystemCalls } from '@dios/kernel';
import { exportDirectory, mirrorDirectory, type DirectoryMirror } from '@dios/kernel/node';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  options: Parameters<typeof mirrorDirectory>[3] = {},
  more: (host: string) => void = () => {},
): Promise<{
  host: string;
  sys: SystemCalls;
  mirror: DirectoryMirror;
  warnings: string[];
}> {
  const dir = mkdtempSync(join(tmpdir(), 'dios-mirror-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const host = join(dir, 'site');
  mkdirSync(join(host, 'sub'), { recursive: true });
  writeFileSync(join(host, 'a.txt'), 'alpha\n');
  writeFileSync(join(host, '.dios-index'), 'a host file where the index goes\n');
  writeFileSync(join(host, 'sub', 'b.txt'), 'beta\n');
  writeFileSync(join(dir, 'secret'), 'outside\n');
  symlinkSync(join(dir, 'secret'), join(host, 'escape.txt'));
  symlinkSync(join(host, 'a.txt'), join(host, 'alias.txt'));
  symlinkSync('/etc', join(host, 'etc'));
  more(host);
  const kernel = await Kernel.boot({ id: 'mirror-test' });
  const warnings: string[] = [];
  const mirror = mirrorDirectory(kernel.init, host, '/www', {
    rescanMs: 0,
    onWarning: (m) => warnings.push(m),
    ...options,
  });
  cleanups.push(() => mirror.close());
  await mirror.ready;
  return { host, sys: kernel.init, mirror, warnings };
}

async function read(sys: SystemCalls, path: string): Promise<string | undefined> {
  let refs: number[];
  try {
    refs = await sys.lookup(await pathName(sys.groupNames[0]!, path));
  } catch (e) {
    if (isDiosError(e, 'ENOENT')) return undefined;
    throw e;
  }
  const view = await sys.beginRead(refs[0]!);
  const text = new TextDecoder().decode(view);
  await sys.endRead(refs[0]!, view);
  for (const r of refs) await sys.delete(r, DeleteFlags.DROP);
  return text;
}

// Waits for the watcher to bring `path` to `expected` (no timing asserted: the test's timeout bounds it).
async function until(sys: SystemCalls, path: string, expected: string | undefined): Promise<void> {
  while ((await read(sys, path)) !== expected) await new Promise((r) => setTimeout(r, 20));
}

describe('mirrorDirectory', () => {
  it('leaves out dot files and directories unless asked (.well-known/ stays in)', async () => {
    const hidden = (host: string): void => {
      mkdirSync(join(host, '.git'));
      writeFileSync(join(host, '.git', 'config'), '[core]\n');
      writeFileSync(join(host, '.env'), 'SECRET=1\n');
      mkdirSync(join(host, '.well-known'));
      writeFileSync(join(host, '.well-known', 'security.txt'), 'Contact: x\n');
      // Links are no way around the rule.
      symlinkSync(join(host, '.env'), join(host, 'env.txt'));
      symlinkSync(join(host, '.git', 'config'), join(host, 'config.txt'));
      symlinkSync(join(host, '.well-known', 'security.txt'), join(host, 'security.txt'));
    };
    const plain = await setup({}, hidden);
    expect(plain.mirror.entries().map((e) => e.path)).toEqual([
      '.well-known/security.txt',
      'a.txt',
      'alias.txt',
      'security.txt',
      'sub/b.txt',
    ]);
    expect(await read(plain.sys, '/www/.env')).toBeUndefined();
    expect(await read(plain.sys, '/www/env.txt')).toBeUndefined();
    expect(plain.warnings.some((w) => w.includes('env.txt (a link to a dot file)'))).toBe(true);
    // The host's own .dios-index is a dot file: left out silently by default, refused with a warning when dot files
    // are served (the mirror's index has that path).
    const all = await setup({ dotfiles: true }, hidden);
    expect(all.mirror.entries().map((e) => e.path)).toEqual([
      '.env',
      '.git/config',
      '.well-known/security.txt',
      'a.txt',
      'alias.txt',
      'config.txt',
      'env.txt',
      'security.txt',
      'sub/b.txt',
    ]);
    expect(all.warnings.some((w) => w.includes('.dios-index'))).toBe(true);
  });

  it('a mirrored directory exports like an imported one (its index lines carry size and time after a tab)', async () => {
    const { host, sys } = await setup();
    const out = join(host, '..', 'exported');
    expect(await exportDirectory(sys as Parameters<typeof exportDirectory>[0], '/www', out)).toEqual([
      'a.txt',
      'alias.txt',
      'sub/b.txt',
    ]);
    expect(readFileSync(join(out, 'sub', 'b.txt'), 'utf8')).toBe('beta\n');
  });

  it('mirrors the files, with an index of path, size and time, and keeps links inside only', async () => {
    const { sys, mirror, warnings } = await setup();
    expect(await read(sys, '/www/a.txt')).toBe('alpha\n');
    expect(await read(sys, '/www/sub/b.txt')).toBe('beta\n');
    expect(await read(sys, '/www/alias.txt')).toBe('alpha\n');
    // A link to a file outside the directory, and one to a directory, are not followed.
    expect(await read(sys, '/www/escape.txt')).toBeUndefined();
    expect(await read(sys, '/www/etc/passwd')).toBeUndefined();
    expect(warnings.some((w) => w.includes('escape.txt'))).toBe(true);
    const index = (await read(sys, '/www/.dios-index'))!.split('\n').filter(Boolean);
    expect(index.map((l) => l.split('\t')[0])).toEqual(['a.txt', 'alias.txt', 'sub/b.txt']);
    expect(index[0]).toMatch(/^a\.txt\t6\t\d{13}$/);
    expect(mirror.entries().map((e) => e.path)).toEqual(['a.txt', 'alias.txt', 'sub/b.txt']);
  });

  it('follows creates, changes, renames and deletes through the watcher', async () => {
    const { host, sys } = await setup();
    writeFileSync(join(host, 'new.txt'), 'fresh\n');
    await until(sys, '/www/new.txt', 'fresh\n');
    writeFileSync(join(host, 'a.txt'), 'alpha, second version\n');
    await until(sys, '/www/a.txt', 'alpha, second version\n');
    mkdirSync(join(host, 'made', 'deep'), { recursive: true });
    writeFileSync(join(host, 'made', 'deep', 'c.txt'), 'gamma\n');
    await until(sys, '/www/made/deep/c.txt', 'gamma\n');
    renameSync(join(host, 'sub', 'b.txt'), join(host, 'sub', 'renamed.txt'));
    await until(sys, '/www/sub/b.txt', undefined);
    await until(sys, '/www/sub/renamed.txt', 'beta\n');
    unlinkSync(join(host, 'new.txt'));
    await until(sys, '/www/new.txt', undefined);
    const index = await read(sys, '/www/.dios-index');
    expect(index).not.toMatch(/new\.txt/);
    expect(index).toMatch(/^sub\/renamed\.txt\t5\t/m);
  });

  it('a handle on a deleted file is closed; files above the cap are left out', async () => {
    const { host, sys, mirror, warnings } = await setup({ maxFileBytes: 1000 });
    const [ref] = await sys.lookup(await pathName(sys.groupNames[0]!, '/www/a.txt'));
    writeFileSync(join(host, 'big.bin'), new Uint8Array(1001));
    unlinkSync(join(host, 'a.txt'));
    await mirror.sync();
    // Closed, or (in the mirror's own task, as here) gone with the object.
    let open: boolean;
    try {
      open = sys.ref(ref!).open;
    } catch (e) {
      open = !isDiosError(e, 'EBADF');
    }
    expect(open).toBe(false);
    expect(await read(sys, '/www/big.bin')).toBeUndefined();
    expect(warnings.some((w) => /big\.bin .*1001 bytes/.test(w))).toBe(true);
  });
});
