import { describe, expect, it } from 'vitest';
import { isDiosError, type ErrnoCode } from '@dios/kernel';
import type { TreeFile } from '../../src/containers/api.js';
import { parseImageConfig, parseLimits, parseShareSpec } from '../../src/containers/images/config.js';
import { buildManifest, readManifest, sha256Digest } from '../../src/containers/images/manifest.js';

const text = new TextEncoder();

/** A directory's files as readTree gives them. */
function tree(files: Record<string, string | Uint8Array>): TreeFile[] {
  return Object.entries(files).map(([path, body]) => ({
    path,
    bytes: typeof body === 'string' ? text.encode(body) : body,
  }));
}

function refusal(f: () => unknown): { code: ErrnoCode; argument: string | undefined } {
  try {
    f();
  } catch (e) {
    if (isDiosError(e)) return { code: e.code, argument: e.argument };
    throw e;
  }
  throw new Error('expected a DiosError');
}

async function asyncRefusal(p: Promise<unknown>): Promise<{ code: ErrnoCode; argument: string | undefined }> {
  return p.then(
    () => {
      throw new Error('expected a DiosError');
    },
    (e: unknown) => {
      if (isDiosError(e)) return { code: e.code, argument: e.argument };
      throw e;
    },
  );
}

describe('image config', () => {
  it('normalises the entry, keeps args and env, converts limits', () => {
    const config = parseImageConfig(
      JSON.stringify({
        entry: 'bin/../bin/hello.wasm',
        args: ['-v'],
        env: { B: '2', A: '1' },
        limits: { memory: '1g', tasks: 8, cpuShares: 512 },
        shares: ['/data/in.txt:ro'],
      }),
      'x/dios-image.json',
    );
    expect(config).toEqual({
      entry: '/bin/hello.wasm',
      args: ['-v'],
      env: { A: '1', B: '2' },
      limits: { memory: 1024, tasks: 8, cpuShares: 512 },
      shares: ['/data/in.txt:ro'],
    });
    expect(Object.keys(config.env!)).toEqual(['A', 'B']);
    expect(parseImageConfig(text.encode('{"entry":"/main.mjs"}'), 's')).toEqual({ entry: '/main.mjs' });
  });

  it.each([
    ['not json', 'config'],
    ['[1]', 'config'],
    ['{}', 'config.entry'],
    ['{"entry":7}', 'config.entry'],
    ['{"entry":"/main.py"}', 'config.entry'],
    ['{"entry":"/"}', 'config.entry'],
    ['{"entry":"/.wasm"}', 'config.entry'],
    ['{"entry":"/m.js","args":"-v"}', 'config.args'],
    ['{"entry":"/m.js","args":[1]}', 'config.args'],
    ['{"entry":"/m.js","env":["A=1"]}', 'config.env'],
    ['{"entry":"/m.js","env":{"A=B":"1"}}', 'config.env'],
    ['{"entry":"/m.js","env":{"A":1}}', 'config.env.A'],
    ['{"entry":"/m.js","limits":5}', 'config.limits'],
    ['{"entry":"/m.js","limits":{"memory":"2m"}}', 'config.limits.memory'],
    ['{"entry":"/m.js","limits":{"tasks":0}}', 'config.limits.tasks'],
    ['{"entry":"/m.js","limits":{"cpuShares":1}}', 'config.limits.cpuShares'],
    ['{"entry":"/m.js","limits":{"cpu":1}}', 'config.limits.cpu'],
    ['{"entry":"/m.js","shares":"/x"}', 'config.shares'],
    ['{"entry":"/m.js","shares":["/x","x"]}', 'config.shares[1]'],
    ['{"entry":"/m.js","cmd":[]}', 'config.cmd'],
  ])('refuses %s with EINVAL naming %s', (json, argument) => {
    expect(refusal(() => parseImageConfig(json, 'dios-image.json'))).toEqual({ code: 'EINVAL', argument });
  });

  it('reads memory sizes with units, in whole MiB within 4..65536', () => {
    expect(parseLimits({ memory: 64 }, 'l')).toEqual({ memoryMb: 64 });
    expect(parseLimits({ memory: '64' }, 'l')).toEqual({ memoryMb: 64 });
    expect(parseLimits({ memory: '64M' }, 'l')).toEqual({ memoryMb: 64 });
    expect(parseLimits({ memory: '8192k' }, 'l')).toEqual({ memoryMb: 8 });
    expect(parseLimits({ memory: `${5 * 1024 * 1024}b` }, 'l')).toEqual({ memoryMb: 5 });
    expect(parseLimits({ memory: '1.5G' }, 'l')).toEqual({ memoryMb: 1536 });
    expect(parseLimits({ memory: '64g' }, 'l')).toEqual({ memoryMb: 65536 });
    expect(parseLimits({ tasks: 65536, cpuShares: 2 }, 'l')).toEqual({ maxTasks: 65536, cpuShares: 2 });
    for (const memory of [3, '3m', '65g', '4097k', '64 mb', 'lots', 4.5, -8, true])
      expect(refusal(() => parseLimits({ memory } as never, '--memory'))).toEqual({
        code: 'EINVAL',
        argument: '--memory.memory',
      });
    expect(refusal(() => parseLimits({ tasks: 1.5 }, 'l'))).toEqual({ code: 'EINVAL', argument: 'l.tasks' });
    expect(refusal(() => parseLimits({ cpuShares: 262145 }, 'l'))).toEqual({ code: 'EINVAL', argument: 'l.cpuShares' });
  });

  it('takes share specs apart and refuses the rest', () => {
    const name = 'ab'.repeat(32);
    expect(parseShareSpec('/data//in.txt', 's')).toEqual({ target: { path: '/data/in.txt' }, readOnly: false });
    expect(parseShareSpec('/data/in.txt:ro', 's')).toEqual({ target: { path: '/data/in.txt' }, readOnly: true });
    expect(parseShareSpec('/data/in.txt:rw', 's')).toEqual({ target: { path: '/data/in.txt' }, readOnly: false });
    expect(parseShareSpec(`${name}:ro`, 's')).toEqual({ target: { name }, readOnly: true });
    for (const bad of ['', 'data/in.txt', '/', '/:ro', '/x:r', '/x:ro:ro', name.toUpperCase(), `${name}0`, ':ro'])
      expect(refusal(() => parseShareSpec(bad, '--share'))).toEqual({ code: 'EINVAL', argument: '--share' });
  });
});

describe('image manifest', () => {
  const files = {
    'dios-image.json': '{"entry":"bin/main.mjs","env":{"Z":"1","A":"2"}}',
    'bin/main.mjs': 'export default async () => 0;\n',
    'share/data.txt': 'hello',
  };

  it('lists the files sorted with sizes and digests, and has the same digest for the same content', async () => {
    const a = await buildManifest(tree(files), 'a');
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a.manifest.files.map((f) => f.path)).toEqual(['/bin/main.mjs', '/dios-image.json', '/share/data.txt']);
    expect(a.manifest.files[2]).toEqual({
      path: '/share/data.txt',
      size: 5,
      // sha256("hello")
      digest: 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    });
    expect(a.digest).toBe(await sha256Digest(a.bytes));
    // Another order of the files: the same image.
    expect((await buildManifest(tree(files).reverse(), 'c')).digest).toBe(a.digest);
    expect(await readManifest(a.bytes, a.digest)).toEqual(a.manifest);
  });

  it('changes the digest when one byte of one file changes', async () => {
    const a = await buildManifest(tree(files), 'a');
    const b = await buildManifest(tree({ ...files, 'share/data.txt': 'hellp' }), 'b');
    expect(b.digest).not.toBe(a.digest);
  });

  it('refuses an empty directory, a missing config, an entry that is not a file, a bad config', async () => {
    expect(await asyncRefusal(buildManifest([], 'd'))).toEqual({ code: 'ENOENT', argument: 'dir' });
    expect(await asyncRefusal(buildManifest(tree({ 'main.mjs': '' }), 'd'))).toEqual({
      code: 'ENOENT',
      argument: 'dir',
    });
    expect(
      await asyncRefusal(buildManifest(tree({ 'dios-image.json': files['dios-image.json'], 'main.mjs': '' }), 'd')),
    ).toEqual({
      code: 'ENOENT',
      argument: 'config.entry',
    });
    expect(await asyncRefusal(buildManifest(tree({ 'dios-image.json': '{"entry":"/x.exe"}' }), 'd'))).toEqual({
      code: 'EINVAL',
      argument: 'config.entry',
    });
    expect(
      await asyncRefusal(buildManifest([...tree(files), { path: './bin/main.mjs', bytes: new Uint8Array() }], 'd')),
    ).toEqual({ code: 'EINVAL', argument: 'dir' });
  });

  it('refuses a stored manifest whose bytes do not match its digest', async () => {
    const a = await buildManifest(tree(files), 'a');
    const damaged = a.bytes.slice();
    damaged[0] = damaged[0]! ^ 1;
    expect(await asyncRefusal(readManifest(damaged, a.digest))).toEqual({ code: 'EIO', argument: 'image' });
  });
});
