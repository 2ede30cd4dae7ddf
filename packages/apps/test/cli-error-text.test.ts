import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errors } from '@dios/kernel';
import { errorText } from '../src/cli/error-text.js';

const count = (text: string, code: string): number => text.split(code).length - 1;

describe('errorText', () => {
  it("a Node error: the code once, then the description, without Node's call and path", () => {
    let error: unknown;
    try {
      readFileSync('/no/such/dios/file');
    } catch (e) {
      error = e;
    }
    expect(errorText(error)).toBe('ENOENT: no such file or directory');
  });

  it("a server's report that names its call before the code", () => {
    const e = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080'), {
      code: 'EADDRINUSE',
    });
    expect(errorText(e)).toBe('EADDRINUSE: address already in use 127.0.0.1:8080');
  });

  it('a DiosError, a codeless error and a non-error: the code exactly once', () => {
    const dios = errors.EACCES('lookup', 'name', 'the group does not grant read');
    for (const e of [dios, new Error('boom'), 'text']) {
      const text = errorText(e);
      const code = /^E[A-Z0-9]+/.exec(text)![0];
      expect(count(text, code), text).toBe(1);
    }
    expect(errorText(new Error('boom'))).toBe('EIO: boom');
    expect(errorText(dios)).toBe(dios.message);
    expect(dios.message).toContain('the group does not grant read');
    // Brief: for a message that names the path already.
    expect(errorText(errors.ENOENT('wordcount', 'path', "nothing at '/x'"), true)).toBe('ENOENT: no such object');
  });
});
