import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.config.js';

export default defineConfig({
  ...tsupBase,
  // The main entry stays free of node:* so it runs in any JavaScript runtime; the Node stream adapters are their own entry,
  // which imports the main one by package name (external), so both share one copy of libd's state (the FILE table).
  entry: { index: 'src/index.ts', node: 'src/node/index.ts', wasi: 'src/wasi/index.ts' },
  external: ['@dios/libd'],
});
