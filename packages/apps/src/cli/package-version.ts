/**
 * The version of @dios/apps, read at run time from its package.json, found
 * by walking up from this module: the same from src/ and from dist/.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@dios/apps';

/** The `version` of the nearest package.json named @dios/apps above this module. */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (meta.name === PACKAGE && typeof meta.version === 'string') return meta.version;
    } catch {
      // No package.json here (or not one we can read): look further up.
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}
