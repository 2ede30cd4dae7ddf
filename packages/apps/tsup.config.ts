import { defineConfig } from 'tsup';

export default defineConfig({
  // The task programs are entries of their own: a kernel that runs programs in worker threads loads them by module URL.
  entry: {
    index: 'src/index.ts',
    'cli/main': 'src/cli/main.ts',
    'mapreduce/master-task': 'src/mapreduce/master-task.ts',
    'mapreduce/map-task': 'src/mapreduce/map-task.ts',
    'mapreduce/reduce-task': 'src/mapreduce/reduce-task.ts',
  },
  external: ['@dios/kernel', '@dios/libd'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
