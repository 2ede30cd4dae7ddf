/**
 * Outside programs the tests need (nats-server, redis-cli, curl, ...): a
 * test that finds one missing skips with a visible reason, unless
 * DIOS_REQUIRE_SERVICES=1 (which .ci/run sets) makes that a failure.
 */
import { existsSync } from 'node:fs';

/** Whether missing outside programs fail the tests instead of skipping them. */
export const REQUIRED = process.env.DIOS_REQUIRE_SERVICES === '1';

/** Why `program` (a path) cannot be used (undefined when it can); throws when DIOS_REQUIRE_SERVICES=1 requires it. */
export function programMissing(program: string): string | undefined {
  if (existsSync(program)) return undefined;
  const reason = `${program} not found`;
  if (REQUIRED) throw new Error(`${reason}, and DIOS_REQUIRE_SERVICES=1 requires it`);
  console.warn(`skipped: ${reason} (set DIOS_REQUIRE_SERVICES=1 to make this a failure)`);
  return reason;
}
