/**
 * The apps reach the kernel only through its public exports and libd:
 * their sources import '@dios/kernel', '@dios/libd' and each other, and
 * nothing else; only the command (src/cli) may import node:*, the
 * kernel's Node host layer ('@dios/kernel/node') and its NATS transport
 * ('@dios/kernel/nats').
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function imports(source: string): string[] {
  // Doc comments show example imports: only code counts.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const pattern of [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\bimport\s*['"]([^'"]+)['"]/g]) {
    for (const m of code.matchAll(pattern)) found.push(m[1]!);
  }
  return found;
}

const isCli = (file: string): boolean => file.split(/[\\/]/)[0] === 'cli';

function allowed(file: string, spec: string): boolean {
  if (spec === '@dios/kernel' || spec === '@dios/libd' || /^\.\.?\/([\w-]+\/)?[\w-]+\.js$/.test(spec)) return true;
  // The command boots kernels: it may use the host layer and the NATS transport, as a host does.
  return isCli(file) && (spec === '@dios/kernel/node' || spec === '@dios/kernel/nats' || spec.startsWith('node:'));
}

describe('apps layering', () => {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));

  it('imports only the public kernel and libd entries and its own modules', () => {
    expect(files.length).toBeGreaterThan(10);
    const bad = files.flatMap((f) => imports(readFileSync(join(SRC, f), 'utf8')).filter((s) => !allowed(f, s)).map((s) => `${f}: ${s}`));
    expect(bad).toEqual([]);
  });

  it('keeps node:* in the command only, so tasks run wherever the kernel does', () => {
    const withNode = files.filter((f) => imports(readFileSync(join(SRC, f), 'utf8')).some((s) => s.startsWith('node:')));
    expect(withNode.length).toBeGreaterThan(0);
    expect(withNode.filter((f) => !isCli(f))).toEqual([]);
  });

  it('would notice a reach into the kernel', () => {
    expect(allowed('mapreduce/map-task.ts', imports("import { x } from '@dios/kernel/src/core/kernel.js';")[0]!)).toBe(false);
    expect(allowed('mapreduce/map-task.ts', imports("export { y } from '../../kernel/src/core/reference.js';")[0]!)).toBe(false);
    expect(allowed('mapreduce/map-task.ts', imports("import { z } from 'node:fs';")[0]!)).toBe(false);
    expect(allowed('cli/main.ts', imports("import '@dios/libd/src/stdio/file.js';")[0]!)).toBe(false);
  });
});
