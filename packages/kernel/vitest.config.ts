import { defineProject } from 'vitest/config';

export default defineProject({
  ssr: { resolve: { conditions: ['@dios/source'] } },
  test: {
    name: 'kernel',
    include: ['test/**/*.test.ts'],
  },
});
