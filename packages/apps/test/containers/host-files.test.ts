import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isDiosError } from '@dios/kernel';
import { nodeEngineHost } from '../../src/cli/containers/host-files.js';

const text = new TextEncoder();
const decode = (b: Uint8Array): string => new TextDecoder().decode(b);
const temps: string[] = [];

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dios-host-files-'));
  temps.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<{ code: string; argument: string | undefined }> {
  return p.then(
    () => {
      throw new Error('expected a DiosError');
    },
    (e: unknown) => {
      if (!isDiosError(e)) throw e;
      return { code: e.code, argument: e.argument };
    },
  );
}

const host = nodeEngineHost(join(tmpdir(), 'unused'));

describe('readTree', () => {
  it('gives every regular file under the directory, relative, sorted', async () => {
    const dir = temp();
    mkdirSync(join(dir, 'bin', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'dios-image.json'), '{"entry":"bin/main.mjs"}');
    writeFileSync(join(dir, 'bin', 'main.mjs'), 'export default async () => 0;');
    writeFileSync(join(dir, 'bin', 'sub', 'z.txt'), 'z');
    writeFileSync(join(dir, 'a.txt'), '');
    const files = await host.readTree(dir);
    expect(files.map((f) => f.path)).toEqual(['a.txt', 'bin/main.mjs', 'bin/sub/z.txt', 'dios-image.json']);
    expect(decode(files[2]!.bytes)).toBe('z');
    expect(files[0]!.bytes.length).toBe(0);
  });

  it('refuses symbolic links, and a missing directory, a file and an unreadable directory with errors naming dir', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'real.txt'), 'x');
    symlinkSync(join(dir, 'real.txt'), join(dir, 'link.txt'));
    expect(await failure(host.readTree(dir))).toEqual({ code: 'EINVAL', argument: 'dir' });
    expect(await failure(host.readTree(join(dir, 'missing')))).toEqual({ code: 'ENOENT', argument: 'dir' });
    expect(await failure(host.readTree(join(dir, 'real.txt')))).toEqual({ code: 'ENOTDIR', argument: 'dir' });
    expect(await failure(host.readTree(join(dir, 'real.txt', 'below')))).toEqual({ code: 'ENOTDIR', argument: 'dir' });
  });

  // Root reads any directory whatever its mode.
  it.skipIf(process.getuid?.() === 0)('refuses a directory it may not read with EACCES (skipped as root)', async () => {
    const dir = temp();
    mkdirSync(join(dir, 'closed'));
    chmodSync(join(dir, 'closed'), 0o000);
    try {
      expect(await failure(host.readTree(dir))).toEqual({ code: 'EACCES', argument: 'dir' });
    } finally {
      chmodSync(join(dir, 'closed'), 0o755);
    }
  });
});

describe('materialize', () => {
  const digest = `sha256:${'c0ffee'.repeat(10)}abcd`;
  const files = [
    { path: 'dios-image.json', bytes: text.encode('{"entry":"bin/main.js"}') },
    { path: 'bin/main.js', bytes: text.encode('import { word } from "../lib/word.js";\nexport default word;\n') },
    { path: 'lib/word.js', bytes: text.encode('export const word = "from the image";\n') },
  ];

  it('writes the files once, as ES modules, and gives the entry URL', async () => {
    const root = temp();
    const engineHost = nodeEngineHost(join(root, 'images'));
    const url = await engineHost.materialize(digest, files, '/bin/main.js');
    const dir = join(root, 'images', digest.slice(7));
    expect(fileURLToPath(url)).toBe(join(dir, 'bin', 'main.js'));
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({ type: 'module' });
    // A .js file imports as ESM because of that package.json.
    expect(((await import(url)) as { default: string }).default).toBe('from the image');
    // Once per digest: a second call (even with other bytes) reuses what is there.
    const again = await engineHost.materialize(
      digest,
      [{ ...files[2]!, bytes: text.encode('changed') }, files[1]!],
      'bin/main.js',
    );
    expect(again).toBe(url);
    expect(readFileSync(join(dir, 'lib', 'word.js'), 'utf8')).toContain('from the image');
    // No temporary directory left behind.
    expect(readdirSync(join(root, 'images'))).toEqual([digest.slice(7)]);
  });

  it('keeps an image own package.json, and two calls at once leave one complete copy', async () => {
    const root = temp();
    const engineHost = nodeEngineHost(root);
    const own = [...files, { path: 'package.json', bytes: text.encode('{"type":"commonjs"}') }];
    const urls = await Promise.all([1, 2, 3].map(() => engineHost.materialize(digest, own, '/bin/main.js')));
    expect(new Set(urls).size).toBe(1);
    expect(readdirSync(root)).toEqual([digest.slice(7)]);
    expect(readFileSync(join(root, digest.slice(7), 'package.json'), 'utf8')).toBe('{"type":"commonjs"}');
  });

  it('refuses a bad digest and an entry that is not among the files', async () => {
    const engineHost = nodeEngineHost(temp());
    expect(await failure(engineHost.materialize('sha256:xyz', files, '/bin/main.js'))).toEqual({
      code: 'EINVAL',
      argument: 'digest',
    });
    expect(await failure(engineHost.materialize(digest, files, '/bin/other.js'))).toEqual({
      code: 'ENOENT',
      argument: 'entry',
    });
  });
});
