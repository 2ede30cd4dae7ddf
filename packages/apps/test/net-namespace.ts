/**
 * A test host of our own: a network namespace joined to this one by a veth
 * pair, with a TEST-NET-2 address (RFC 5737) on each end. A program run in
 * it (`exec`) reaches a server listening on `hostAddress` from
 * `clientAddress`, a non-loopback address, while the traffic never leaves
 * this machine. Needs root and iproute2's `ip`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { REQUIRED } from '../../kernel/test/support/services.js';

/** iproute2's path. */
export const IP = '/usr/sbin/ip';

/** A namespace made for one test file. */
export interface NetNamespace {
  /** This side's address (listen here). */
  readonly hostAddress: string;
  /** The namespace side's address (clients run in the namespace come from it). */
  readonly clientAddress: string;
  /** Runs `program args...` inside the namespace. */
  exec(program: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Removes the namespace and the veth pair. */
  remove(): void;
}

/** Why no namespace can be made here (undefined when one can); throws when DIOS_REQUIRE_SERVICES=1 requires it. */
export function netNamespaceMissing(): string | undefined {
  let reason: string | undefined;
  if (process.getuid?.() !== 0) reason = 'making a network namespace needs root';
  else {
    try {
      execFileSync(IP, ['-V'], { stdio: 'ignore' });
    } catch {
      reason = `${IP} (iproute2) not found`;
    }
  }
  if (reason === undefined) return undefined;
  if (REQUIRED) throw new Error(`${reason}, and DIOS_REQUIRE_SERVICES=1 requires it`);
  console.warn(`skipped: ${reason} (set DIOS_REQUIRE_SERVICES=1 to make this a failure)`);
  return reason;
}

/** Makes a namespace with a /30 of 198.51.100.0/24 chosen from the process id (test files run in parallel). */
export function makeNetNamespace(): NetNamespace {
  const tag = `${process.pid % 100000}`;
  const ns = `dios-t${tag}`;
  const outer = `dvo${tag}`;
  const inner = `dvi${tag}`;
  const base = (process.pid % 64) * 4;
  const hostAddress = `198.51.100.${base + 1}`;
  const clientAddress = `198.51.100.${base + 2}`;
  const ip = (...args: string[]) => execFileSync(IP, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const remove = () => {
    for (const args of [
      ['link', 'del', outer],
      ['netns', 'del', ns],
    ]) {
      try {
        ip(...args);
      } catch {
        // Already gone (or never made).
      }
    }
  };
  remove();
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
    ip('link', 'set', inner, 'netns', ns);
    ip('addr', 'add', `${hostAddress}/30`, 'dev', outer);
    ip('link', 'set', outer, 'up');
    ip('netns', 'exec', ns, IP, 'addr', 'add', `${clientAddress}/30`, 'dev', inner);
    ip('netns', 'exec', ns, IP, 'link', 'set', inner, 'up');
    ip('netns', 'exec', ns, IP, 'link', 'set', 'lo', 'up');
  } catch (e) {
    remove();
    throw e;
  }
  return {
    hostAddress,
    clientAddress,
    remove,
    exec: (program, args) =>
      new Promise((resolve) => {
        execFile(
          IP,
          ['netns', 'exec', ns, program, ...args],
          { encoding: 'latin1', maxBuffer: 16 << 20 },
          (error, stdout, stderr) => {
            resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
          },
        );
      }),
  };
}
