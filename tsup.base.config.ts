/**
 * The tsup options every package builds with: ES modules with type
 * declarations, for the Node versions the packages support. Each package's
 * tsup.config.ts adds its entries (and what stays external).
 *
 * ESM only: Node 20.19 and newer load ES modules from `require()` too, so a
 * CommonJS program gets the very same module instances as an ESM one (two
 * builds made two copies of every class, and a Kernel from one failed the
 * private-field checks of the other). No source maps: the bundles are
 * unminified, readable JavaScript, and maps that embed the sources doubled
 * the size of every tarball.
 */
import type { Options } from 'tsup';

/** The shared options; a package's config spreads them and adds `entry`. */
export const tsupBase = {
  format: ['esm'],
  dts: true,
  sourcemap: false,
  clean: true,
  target: 'es2022',
  // Each package's build tsconfig: its sources only, no tests.
  tsconfig: 'tsconfig.build.json',
} satisfies Options;
