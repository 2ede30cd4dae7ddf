import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.config.js';

export default defineConfig({
  ...tsupBase,
  // The core entry must stay free of node:* so it runs in any JavaScript runtime; the Node host layer and the NATS transport are entries of their own.
  entry: {
    index: 'src/index.ts',
    node: 'src/host/index.ts',
    nats: 'src/transport/nats/index.ts',
    testing: 'src/testing/index.ts',
    compliance: 'src/compliance/index.ts',
    worker: 'src/host/worker/worker-main.ts',
  },
  // The compliance suites import the kernel by package name, so that they check the consumer's copy of it (its DiosError class),
  // and vitest, which the consumer's test runner brings (an optional peer dependency).
  external: ['@dios/kernel', 'vitest'],
});
