// Who is alive on a NATS cluster, from heartbeats: including a node that restarts before it is found gone.
import { describe, expect, it } from 'vitest';
import { Liveness } from '../../src/transport/nats/liveness.js';

describe('Liveness', () => {
  it('a heartbeat with another instance nonce under a live id is a restart; the old instance’s late beats are stale', () => {
    const l = new Liveness(3000);
    expect(l.heard('b', 0, 'one')).toBe('new');
    expect(l.heard('b', 100, 'one')).toBe('known');
    expect(l.heard('b', 200, 'two')).toBe('restarted');
    expect(l.instanceOf('b')).toBe('two');
    expect(l.isAlive('b')).toBe(true);
    // A beat of the first instance, late on the way: ignored, not taken for yet another restart.
    expect(l.heard('b', 250, 'one')).toBe('stale');
    expect(l.instanceOf('b')).toBe('two');
    expect(l.heard('b', 300, 'two')).toBe('known');
  });

  it('the same instance heard again after it was found gone is the node back (a healed partition), not stale', () => {
    const l = new Liveness(1000);
    expect(l.heard('b', 0, 'one')).toBe('new');
    expect(l.sweep(5000)).toEqual(['b']);
    expect(l.isGone('b')).toBe(true);
    expect(l.heard('b', 6000, 'one')).toBe('new');
    expect(l.isAlive('b')).toBe(true);
  });

  it('heartbeats without a nonce (an older node) are tracked by id alone', () => {
    const l = new Liveness(3000);
    expect(l.heard('b', 0)).toBe('new');
    expect(l.heard('b', 10)).toBe('known');
    expect(l.heard('b', 20, 'one')).toBe('known');
    expect(l.heard('b', 30, 'two')).toBe('restarted');
  });

  it('replaced instances are remembered within a bound', () => {
    const l = new Liveness(3000, 2);
    expect(l.heard('b', 0, 'i0')).toBe('new');
    for (let i = 1; i <= 20; i++) expect(l.heard('b', i, `i${i}`)).toBe('restarted');
    // The oldest are forgotten (at most 4 x maxPeers kept): a very late beat of one is then a restart, not stale.
    expect(l.heard('b', 30, 'i0')).toBe('restarted');
    expect(l.heard('b', 31, 'i19')).toBe('stale');
  });
});
