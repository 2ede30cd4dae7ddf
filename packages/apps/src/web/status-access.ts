/**
 * Who may see the status page. It shows every task's argv (a connection
 * task's holds its client's address) and every object, so by default only
 * clients on this machine's loopback may read it.
 *
 * The decision is made on the connection's remote address as the kernel
 * reports it to the connection task (`sys.ref(conn).address`, `host:port`),
 * never on anything the client sends: a reverse proxy on this machine makes
 * every client look local.
 * @module
 */
import type { WebServerOptions } from './options.js';

/** The values of the `status` option: shown to nobody, to loopback clients only, to anyone. */
export const STATUS_ACCESS: readonly WebServerOptions['status'][] = ['off', 'local', 'on'];

/** Whether `value` is one of {@link STATUS_ACCESS}. */
export function isStatusAccess(value: unknown): value is WebServerOptions['status'] {
  return typeof value === 'string' && (STATUS_ACCESS as readonly string[]).includes(value);
}

/** Whether a client at `address` may see the status page under `access`. */
export function statusVisible(access: WebServerOptions['status'], address: string | undefined): boolean {
  return access === 'on' || (access === 'local' && isLoopbackAddress(address));
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/**
 * Whether `address`, a client's address as the kernel reports it
 * (`host:port`, or `[host]:port`; a bare IPv4 address will do), is a
 * loopback address: IPv4 127.0.0.0/8, IPv6 ::1, or an IPv4-mapped IPv6
 * address in 127.0.0.0/8 (`::ffff:127.x.y.z`). Anything else, host names
 * and malformed text included, is not: the check fails closed.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const host = hostOf(address);
  const v4 = ipv4(host);
  if (v4 !== undefined) return v4[0] === 127;
  const v6 = ipv6(host);
  return v6 !== undefined && isLoopbackV6(v6);
}

// The host part: what precedes the last colon (IPv6 hosts hold colons too; the port is always last).
function hostOf(address: string): string {
  const bracketed = /^\[([^\]]*)\]:\d+$/.exec(address);
  if (bracketed !== null) return bracketed[1]!;
  const colon = address.lastIndexOf(':');
  return colon < 0 ? address : address.slice(0, colon);
}

function ipv4(text: string): number[] | undefined {
  const m = IPV4.exec(text);
  if (m === null) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}

// Eight 16-bit groups, or undefined when `text` is not an IPv6 address (zone ids are refused).
function ipv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const v4 = i === items.length - 1 ? ipv4(item) : undefined;
      if (v4 !== undefined) groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      else if (HEX_GROUP.test(item)) groups.push(parseInt(item, 16));
      else return undefined;
    }
    return groups;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  // An embedded IPv4 address may only end the address.
  if (halves.length === 2 && head.length > 0 && halves[0]!.includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function isLoopbackV6(g: number[]): boolean {
  const zeros = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  if (zeros(7) && g[7] === 1) return true;
  // IPv4-mapped: ::ffff:a.b.c.d.
  return zeros(5) && g[5] === 0xffff && g[6]! >> 8 === 127;
}
