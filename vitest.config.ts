import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*'],
    // Every core (vitest's default leaves one idle: on a 2-core machine that ran the files one at a time).
    maxWorkers: '100%',
  },
});
