#!/usr/bin/env node
// The `dios` command: the built JavaScript, in this process (no second process, no TypeScript at run time).
// A checkout that was never built has no dist/: say how to build instead of a stack trace.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(fileURLToPath(main))) {
  await import(main.href);
} else {
  process.stderr.write(`dios: ${fileURLToPath(main)} is not built yet: run 'npm run build' first\n`);
  process.exitCode = 1;
}
