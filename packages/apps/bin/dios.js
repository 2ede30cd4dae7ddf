#!/usr/bin/env node
// The `dios` command. In a checkout (the TypeScript sources and tsx are there) it runs the sources, with the
// @dios/source condition so that the workspace packages are read from source too; otherwise the built bundle.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
let tsx;
try {
  tsx = import.meta.resolve('tsx');
} catch {
  tsx = undefined;
}

if (existsSync(source) && tsx !== undefined) {
  const child = spawn(
    process.execPath,
    ['--conditions=@dios/source', '--import', tsx, source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal !== null) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
} else {
  await import('../dist/cli/main.js');
}
