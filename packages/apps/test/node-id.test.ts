import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { version } from 'uuid';
import { NODE_ID_FILE, nodeId } from '../src/cli/node-id.js';

const dir = mkdtempSync(join(tmpdir(), 'dios-node-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a node id without --id', () => {
  it('is node- and a v7 UUID, a new one each time without a data directory', () => {
    const [a, b] = [nodeId(undefined, undefined), nodeId(undefined, undefined)];
    expect(version(a.slice('node-'.length))).toBe(7);
    expect(a).not.toBe(b);
  });

  it('is kept in the data directory: the same node after a restart; --id wins', () => {
    const data = join(dir, 'data');
    const first = nodeId(undefined, data);
    expect(readFileSync(join(data, NODE_ID_FILE), 'utf8')).toBe(`${first}\n`);
    expect(nodeId(undefined, data)).toBe(first);
    expect(nodeId('n1', data)).toBe('n1');
  });

  it('a kept id that is not one is an error naming the file', () => {
    const data = join(dir, 'bad');
    nodeId(undefined, data);
    writeFileSync(join(data, NODE_ID_FILE), 'no spaces allowed\n');
    expect(() => nodeId(undefined, data)).toThrow(`'${join(data, NODE_ID_FILE)}' does not hold a node id`);
  });
});
