import { defineProject } from 'vitest/config';

export default defineProject({
  ssr: { resolve: { conditions: ['@dios/source'] } },
  test: {
    name: 'libd',
    include: ['test/**/*.test.ts'],
  },
});
