import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.config.js';

export default defineConfig({
  ...tsupBase,
  // The core entry must stay free of node:* so it runs in any JavaScript runtime; the Node host layer and the NATS transport are entries of their own.
  entry: {
    index: 'src/index.ts',
    node: 'src/host/index.ts',
    nats: 'src/transport/nats/index.ts',
    testing: 'src/testing.ts',
    compliance: 'src/compliance/index.ts',
    worker: 'src/host/worker/worker-main.ts',
  },
  // The compliance suites import the kernel by package name, so that they check the consumer's copy of it (its DiosError class),
  // and vitest, which the consumer's test runner brings (an optional peer dependency). vitest cannot be require()d, so
  // package.json exports the suites to `import` only (their CommonJS build is unused).
  external: ['@dios/kernel', 'vitest'],
  // import.meta.url (the worker entry is found beside the bundle) in the CommonJS build too.
  shims: true,
  // Shared chunks in the CommonJS build too (tsup splits only ESM by default): without them each CommonJS entry
  // (./node, ./nats, ./testing) carried its own copy of the core, and a class from one (PeerLink, DiosError) was not
  // the class of the same name from another. (It needs the shims above: a CommonJS chunk keeps import.meta otherwise.)
  splitting: true,
});
