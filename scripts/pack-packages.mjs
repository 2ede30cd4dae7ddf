#!/usr/bin/env node
// Makes the installable tarballs of @dios/kernel, @dios/libd and @dios/apps: `node scripts/pack-packages.mjs [OUTDIR]`
// (default dist-packages/). Each package is staged as it will be published: the files its package.json lists (built
// JavaScript and declarations, no sources), the repository's LICENSE, the package's README, and a package.json without
// the `@dios/source` export condition (it points into src/, which the workspace's tests and tools read and the tarball
// does not carry) and without scripts. Run `npm run build` first.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The packages, in the order they depend on each other. */
export const PACKAGES = ['kernel', 'libd', 'apps'];
const SOURCE_CONDITION = '@dios/source';

/** The package.json a package is published with. */
export function publishedManifest(manifest) {
  const { scripts: _scripts, devDependencies: _dev, ...rest } = manifest;
  const exports = {};
  for (const [path, target] of Object.entries(manifest.exports)) {
    if (typeof target === 'string') exports[path] = target;
    else
      exports[path] = Object.fromEntries(
        Object.entries(target).filter(([condition]) => condition !== SOURCE_CONDITION),
      );
  }
  return { ...rest, exports };
}

/** Stages each package in OUT/stage/NAME and packs it into OUT; returns [{ name, dir, tarball }]. */
export function packPackages(out) {
  out = resolve(out);
  const stageRoot = join(out, 'stage');
  rmSync(stageRoot, { recursive: true, force: true });
  mkdirSync(stageRoot, { recursive: true });
  const packed = [];
  for (const pkg of PACKAGES) {
    const from = join(ROOT, 'packages', pkg);
    const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
    if (!existsSync(join(from, 'dist', 'index.js')))
      throw new Error(
        `${manifest.name} is not built (no ${join('packages', pkg, 'dist/index.js')}): run npm run build first`,
      );
    const dir = join(stageRoot, pkg);
    mkdirSync(dir);
    for (const entry of manifest.files) cpSync(join(from, entry), join(dir, entry), { recursive: true });
    cpSync(join(from, 'README.md'), join(dir, 'README.md'));
    cpSync(join(ROOT, 'LICENSE'), join(dir, 'LICENSE'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify(publishedManifest(manifest), null, 2) + '\n');
    const [result] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: dir, encoding: 'utf8' }),
    );
    packed.push({
      name: manifest.name,
      dir,
      tarball: join(out, result.filename),
      size: result.size,
      files: result.entryCount,
    });
  }
  return packed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? join(ROOT, 'dist-packages');
  for (const p of packPackages(out))
    console.log(`${p.name}: ${p.tarball} (${(p.size / 1024).toFixed(0)} kB packed, ${p.files} files)`);
}
