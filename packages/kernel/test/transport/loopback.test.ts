import { describe, expect, it } from 'vitest';
import { DiosError, LoopbackNetwork } from '@dios/kernel';
import { transportCompliance } from '@dios/kernel/compliance';

transportCompliance({
  name: 'loopback',
  canRestore: true,
  async setup(count) {
    const net = new LoopbackNetwork();
    const transports = Array.from({ length: count }, (_, i) => net.connect(`node-${i}`));
    return {
      transports,
      takeDown: (id) => net.partition(id),
      restore: (id) => net.restore(id),
      connectAnother: async () => {
        const t = net.connect(`node-${transports.length}`);
        transports.push(t);
        return t;
      },
      teardown: async () => {
        await Promise.all(transports.map((t) => t.close()));
      },
    };
  },
});

describe('LoopbackNetwork specifics', () => {
  it('refuses an empty or duplicate node id', () => {
    const net = new LoopbackNetwork();
    net.connect('a');
    for (const [id, code] of [
      ['', 'EINVAL'],
      [42, 'EINVAL'],
      ['a', 'EEXIST'],
    ] as const) {
      let error: unknown;
      try {
        net.connect(id as string);
      } catch (e) {
        error = e;
      }
      expect(error, `connect(${String(id)})`).toBeInstanceOf(DiosError);
      expect((error as DiosError).code).toBe(code);
    }
  });

  it('refuses a second listener on one transport', () => {
    const t = new LoopbackNetwork().connect('a');
    t.listen(async () => ({ ok: true }));
    expect(() => t.listen(async () => ({ ok: true }))).toThrow(/EBUSY/);
  });

  it('treats a node that is connected but not listening as down', async () => {
    const net = new LoopbackNetwork();
    const a = net.connect('a');
    net.connect('b');
    await expect(a.request('b', { kind: 'revoked', handle: 1 })).rejects.toMatchObject({ code: 'EHOSTDOWN' });
  });

  it('lets a closed node id join again, as a restarted kernel would', async () => {
    const net = new LoopbackNetwork();
    const a = net.connect('a');
    const b1 = net.connect('b');
    b1.listen(async () => ({ ok: true, handle: 1 }));
    await b1.close();
    expect(net.up()).toEqual(['a']);
    const b2 = net.connect('b');
    b2.listen(async () => ({ ok: true, handle: 2 }));
    expect(await a.request('b', { kind: 'revoked', handle: 0 })).toEqual({ ok: true, handle: 2 });
    expect(a.peers()).toEqual(['b']);
  });

  it('partition hides a node from up() and peers() until restore', () => {
    const net = new LoopbackNetwork();
    const a = net.connect('a');
    net.connect('b');
    net.connect('c');
    net.partition('b');
    expect(net.up().sort()).toEqual(['a', 'c']);
    expect(a.peers()).toEqual(['c']);
    net.restore('b');
    expect(a.peers().sort()).toEqual(['b', 'c']);
  });
});
