/**
 * Who may see the status page (`status`: off, local, on). The decision over
 * client addresses (IPv4 127/8, ::1, IPv4-mapped IPv6) as a unit; then the
 * server over curl: off answers 404 like any missing path, local serves
 * loopback clients, on serves anyone; and a client in a network namespace
 * of the test's own, coming from a non-loopback address, is refused under
 * local and served under on.
 */
import { BlockList } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_WEB_OPTIONS,
  optionsFromArgv,
  optionsToArgv,
  startWebServer,
  WebServerError,
  type WebServerOptions,
} from '@dios/apps';
import { isLoopbackAddress, statusVisible } from '@dios/apps/testing';
import { makeNetNamespace, netNamespaceMissing, type NetNamespace } from './net-namespace.js';
import { curl, CURL, missing, parseResponse, startFixture, type WebFixture } from './web-helpers.js';

describe('isLoopbackAddress', () => {
  it.each([
    '127.0.0.1:5000',
    '127.255.255.254:1',
    '127.0.0.1',
    '::1:5000',
    '[::1]:5000',
    '0:0:0:0:0:0:0:1:80',
    '0::1:80',
    '::ffff:127.0.0.1:80',
    '::FFFF:127.1.2.3:80',
    '::ffff:7f00:1:80',
    '[::ffff:127.0.0.1]:80',
  ])('%s is loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each([
    '192.0.2.2:80',
    '10.0.0.1:1',
    '128.0.0.1:1',
    '126.255.255.255:1',
    '0.0.0.0:1',
    '::2:80',
    '[::]:80',
    'fd00::2:80',
    '::ffff:10.0.0.1:80',
    '::ffff:192.0.2.2:80',
    '::ffff:8000:1:80',
    '::127.0.0.1:80', // IPv4-compatible, not mapped: not loopback
    '1::1',
    '127.0.0.256:1',
    '1127.0.0.1:1',
    '127.0.0.1.evil:1',
    '127.0.0:1',
    'localhost:80',
    'fe80::1%lo:80',
    ':::1:80',
    '::1::',
    '1:2:3:4:5:6:7:8:9',
    '::1', // the kernel writes host:port: this is host :: port 1
    '1.2.3.4::1:80',
    '?:?',
    '',
  ])('%s is not loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(false);
  });

  it('undefined (an address the socket no longer knows) is not loopback', () => {
    expect(isLoopbackAddress(undefined)).toBe(false);
  });

  it("agrees with node:net's BlockList on random IPv4 and IPv6 addresses (mapped ones included); never throws", () => {
    const loopback = new BlockList();
    loopback.addSubnet('127.0.0.0', 8, 'ipv4');
    loopback.addAddress('::1', 'ipv6');
    const near = fc.oneof(
      fc.ipV4(),
      fc.integer({ min: 0, max: 255 }).map((x) => `127.${x}.0.${255 - x}`),
    );
    const v6 = fc.oneof(
      fc.ipV6(),
      near.map((a) => `::ffff:${a}`),
      fc.constantFrom('::1', '0:0:0:0:0:0:0:1', '::0:1', '::ffff:7f00:1'),
    );
    fc.assert(
      fc.property(near, fc.integer({ min: 1, max: 65535 }), (ip, port) => {
        expect(isLoopbackAddress(`${ip}:${port}`)).toBe(loopback.check(ip, 'ipv4'));
      }),
    );
    fc.assert(
      fc.property(v6, fc.integer({ min: 1, max: 65535 }), fc.boolean(), (ip, port, brackets) => {
        expect(isLoopbackAddress(brackets ? `[${ip}]:${port}` : `${ip}:${port}`)).toBe(loopback.check(ip, 'ipv6'));
      }),
    );
    fc.assert(fc.property(fc.string({ unit: 'binary-ascii', maxLength: 60 }), (text) => void isLoopbackAddress(text)));
  });

  it('an IPv4 address, plain or mapped, is loopback exactly when its first octet is 127', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(
        fc.oneof(fc.constant(127), octet),
        octet,
        octet,
        octet,
        fc.integer({ min: 1, max: 65535 }),
        (a, b, c, d, port) => {
          const v4 = `${a}.${b}.${c}.${d}`;
          expect(isLoopbackAddress(`${v4}:${port}`)).toBe(a === 127);
          expect(isLoopbackAddress(`::ffff:${v4}:${port}`)).toBe(a === 127);
        },
      ),
    );
  });
});

describe('statusVisible', () => {
  it('off: nobody; local: loopback clients; on: anyone', () => {
    for (const address of ['127.0.0.1:1', '::1:1', '::ffff:127.0.0.1:1']) {
      expect([statusVisible('off', address), statusVisible('local', address), statusVisible('on', address)]).toEqual([
        false,
        true,
        true,
      ]);
    }
    for (const address of ['192.0.2.2:1', 'fd00::2:1', undefined]) {
      expect([statusVisible('off', address), statusVisible('local', address), statusVisible('on', address)]).toEqual([
        false,
        false,
        true,
      ]);
    }
  });
});

describe('the status option', () => {
  it('defaults to local and travels through argv', () => {
    expect(DEFAULT_WEB_OPTIONS.status).toBe('local');
    for (const status of ['off', 'local', 'on'] as const) {
      const argv = optionsToArgv({ ...DEFAULT_WEB_OPTIONS, status });
      expect(argv).toContain(`--status=${status}`);
      expect(optionsFromArgv(argv).status).toBe(status);
    }
  });

  it('a value not made by optionsToArgv reads as off (shown to nobody)', () => {
    expect(optionsFromArgv(['--status=everyone']).status).toBe('off');
  });

  it('startWebServer refuses another value with EINVAL naming options.status', async () => {
    // Nothing is installed or run: the option is refused first.
    const kernel = { registerProgram: () => new Uint8Array(), init: undefined as never };
    const err = await startWebServer(kernel, { status: 'public' as WebServerOptions['status'] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WebServerError);
    expect((err as WebServerError).code).toBe('EINVAL');
    expect((err as Error).message).toMatch(/options\.status.*'off', 'local' or 'on'.*'public'/);
  });
});

const why = missing(CURL);

async function statusOf(url: string, path = '_dios/status'): Promise<number> {
  const r = await curl('-i', '-g', `${url}${path}`);
  return parseResponse(r.stdout).status;
}

describe.skipIf(why !== undefined)('status page access over curl from loopback', () => {
  const fixtures: WebFixture[] = [];
  afterAll(async () => {
    for (const f of fixtures) await f.close();
    expect(fixtures.flatMap((f) => f.failures)).toEqual([]);
  });
  async function start(options: Partial<WebServerOptions>): Promise<WebFixture> {
    const f = await startFixture(options);
    fixtures.push(f);
    return f;
  }

  it('by default (local) a loopback client gets the page and the JSON', async () => {
    const web = await start({});
    expect(await statusOf(web.url)).toBe(200);
    expect(await statusOf(web.url, '_dios/status.json')).toBe(200);
  });

  it('off: both paths are 404 with the body any missing path gets', async () => {
    const web = await start({ status: 'off' });
    const missingPath = await curl('-i', `${web.url}no-such-file`);
    for (const path of ['_dios/status', '_dios/status.json']) {
      const r = await curl('-i', `${web.url}${path}`);
      expect(parseResponse(r.stdout).status).toBe(404);
      expect(parseResponse(r.stdout).body).toBe(parseResponse(missingPath.stdout).body);
    }
    // Files are still served.
    expect(await statusOf(web.url, 'hello.txt')).toBe(200);
  });

  it('on: a loopback client gets the page too', async () => {
    const web = await start({ status: 'on' });
    expect(await statusOf(web.url)).toBe(200);
    expect(await statusOf(web.url, '_dios/status.json')).toBe(200);
  });
});

// A client from a non-loopback address: a network namespace of our own, joined by a veth pair (no traffic leaves the machine).
const noNamespace = why ?? netNamespaceMissing();

describe.skipIf(noNamespace !== undefined)(
  'status page access from a non-loopback client (a network namespace)',
  () => {
    let net: NetNamespace;
    let local: WebFixture;
    let on: WebFixture;
    beforeAll(async () => {
      net = makeNetNamespace();
      // Listening on every IPv4 address, so both loopback and the veth address reach the server.
      local = await startFixture({ host: '0.0.0.0', status: 'local' });
      on = await startFixture({ host: '0.0.0.0', status: 'on' });
    });
    afterAll(async () => {
      net?.remove();
      await local?.close();
      await on?.close();
      expect([...(local?.failures ?? []), ...(on?.failures ?? [])]).toEqual([]);
    });
    const at = (address: string, port: number): string => `http://${address}:${port}/`;
    async function remoteStatusOf(url: string, path = '_dios/status'): Promise<number> {
      const r = await net.exec(CURL, ['--silent', '--show-error', '--max-time', '20', '-i', `${url}${path}`]);
      expect(r.stderr).toBe('');
      return parseResponse(r.stdout).status;
    }

    it('local: a client from a non-loopback address gets 404 for the page and 200 for files; loopback clients 200', async () => {
      expect(await remoteStatusOf(at(net.hostAddress, local.port))).toBe(404);
      expect(await remoteStatusOf(at(net.hostAddress, local.port), '_dios/status.json')).toBe(404);
      expect(await remoteStatusOf(at(net.hostAddress, local.port), 'hello.txt')).toBe(200);
      expect(await statusOf(at('127.0.0.1', local.port))).toBe(200);
    });

    it('on: the same clients all get 200', async () => {
      expect(await remoteStatusOf(at(net.hostAddress, on.port))).toBe(200);
      expect(await statusOf(at('127.0.0.1', on.port))).toBe(200);
    });
  },
);
