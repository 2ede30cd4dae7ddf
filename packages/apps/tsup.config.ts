import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.config.js';

export default defineConfig({
  ...tsupBase,
  // The task programs are entries of their own (and the pieces only tests need, `@dios/apps/testing`): a kernel that runs programs in worker threads loads them by module URL.
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing.ts',
    'cli/main': 'src/cli/main.ts',
    'mapreduce/master-task': 'src/mapreduce/master-task.ts',
    'mapreduce/map-task': 'src/mapreduce/map-task.ts',
    'mapreduce/reduce-task': 'src/mapreduce/reduce-task.ts',
    'sched/programs/matmul': 'src/sched/programs/matmul.ts',
    'sched/programs/pi': 'src/sched/programs/pi.ts',
  },
  external: ['@dios/kernel', '@dios/libd'],
});
