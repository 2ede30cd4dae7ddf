/**
 * The peer service's handler table: a request of a kind it has no handler
 * for (a faulty or newer peer) gets an error reply, never no reply; names of
 * Object.prototype's members are no kinds either.
 */
import { describe, expect, it } from 'vitest';
import { cluster, settle } from '../distribution/cluster.js';

describe('peer handler table', () => {
  it.each(['no-such-kind', 'toString', '__proto__', 'constructor'])(
    'a request of kind %j gets EINVAL naming the kind',
    async (kind) => {
      const c = await cluster('a', 'b');
      const reply = await c.link.b!.transport.request('a', { kind } as never);
      expect(reply).toMatchObject({ ok: false, error: { code: 'EINVAL', syscall: 'peer', argument: 'kind' } });
      // The service still serves requests of known kinds afterwards.
      expect(await c.link.b!.transport.request('a', { kind: 'load' })).toMatchObject({
        ok: true,
        load: { kernel: 'a' },
      });
      await settle();
      c.check();
    },
  );
});
