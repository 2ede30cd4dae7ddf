import { describe, expect, it } from 'vitest';
import { validate, version } from 'uuid';
import { Kernel } from '@dios/kernel';

describe('default kernel ids', () => {
  it('are time-ordered (v7) UUIDs, distinct, in boot order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await Kernel.boot()).id);
    for (const id of ids) {
      expect(validate(id), id).toBe(true);
      expect(version(id), id).toBe(7);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('an id given is kept as it is', async () => {
    expect((await Kernel.boot({ id: 'node-a' })).id).toBe('node-a');
  });
});
