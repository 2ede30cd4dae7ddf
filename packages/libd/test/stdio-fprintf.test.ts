import { describe, expect, it } from 'vitest';
import { fclose, fopen, fprintf, stdio, vfprintf } from '@dios/libd';
import { blobWith, boot, contentOf, dec, expectErrno } from './stdio-helpers.js';

describe('fprintf', () => {
  it('writes formatted text and returns its length in bytes', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys);
    const f = await fopen(sys, { ref }, 'w');
    expect(await fprintf(f, '%s=%5.2f|%-3d|%x\n', 'pi', 3.14159, 7, 255)).toBe(16);
    expect(await vfprintf(f, '%s!', ['é'])).toBe(3);
    await fclose(f);
    expect(dec(await contentOf(sys, ref))).toBe('pi= 3.14|7  |ff\né!');
    kernel.checkInvariants();
  });

  it('to stdout, follows its line buffering', async () => {
    const { kernel, sys, out } = await boot();
    const { stdout } = await stdio(sys);
    await fprintf(stdout, '%d + %d', 1, 2);
    expect(out).toEqual([]);
    await fprintf(stdout, ' = %d\n', 3);
    expect(out).toEqual(['1 + 2 = 3\n']);
    kernel.checkInvariants();
  });

  it('on a closed FILE is EBADF naming stream', async () => {
    const { kernel, sys } = await boot();
    const { ref } = await blobWith(sys);
    const f = await fopen(sys, { ref }, 'w');
    await fclose(f);
    await expectErrno(fprintf(f, 'x'), 'EBADF', 'stream');
    kernel.checkInvariants();
  });
});
