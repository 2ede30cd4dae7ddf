/**
 * The tsup options every package builds with: ESM and CommonJS with type
 * declarations and source maps, for the Node versions the packages support.
 * Each package's tsup.config.ts adds its entries (and what stays external).
 */
import type { Options } from 'tsup';

/** The shared options; a package's config spreads them and adds `entry`. */
export const tsupBase = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Each package's build tsconfig: its sources only, no tests.
  tsconfig: 'tsconfig.build.json',
} satisfies Options;
