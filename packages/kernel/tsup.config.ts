import { defineConfig } from 'tsup';

export default defineConfig({
  // The core entry must stay free of node:* so it runs in any JavaScript runtime; the Node host layer and the NATS transport are entries of their own.
  entry: { index: 'src/index.ts', node: 'src/host/index.ts', nats: 'src/transport/nats/index.ts', worker: 'src/host/worker/worker-main.ts' },
  // import.meta.url (the worker entry is found beside the bundle) in the CommonJS build too.
  shims: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
