// Stream commands through dispatch: replies as Redis 7.0's, and the state they leave.
import { describe, expect, it } from 'vitest';
import { DEFAULT_KV_LIMITS, Keyspace, RespWriter } from '@dios/apps';
import { dispatch, detachedContext } from '@dios/apps/testing';

function session() {
  const ctx = detachedContext(new Keyspace(), new RespWriter(), DEFAULT_KV_LIMITS);
  return (...args: string[]): string => {
    ctx.out.reset();
    dispatch(
      args.map((a) => new TextEncoder().encode(a)),
      ctx,
    );
    return String.fromCharCode(...ctx.out.bytes());
  };
}

describe('streams', () => {
  it('XADD takes growing explicit IDs and rejects the rest', () => {
    const r = session();
    expect(r('XADD', 's', '5-1', 'f', 'v')).toBe('$3\r\n5-1\r\n');
    expect(r('XADD', 's', '5-1', 'f', 'v')).toBe(
      '-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n',
    );
    expect(r('XADD', 's', '0-0', 'f', 'v')).toBe('-ERR The ID specified in XADD must be greater than 0-0\r\n');
    expect(r('XADD', 's', 'x', 'f', 'v')).toBe('-ERR Invalid stream ID specified as stream command argument\r\n');
    expect(r('XADD', 'n', 'NOMKSTREAM', '*', 'f', 'v')).toBe('$-1\r\n');
    expect(r('XLEN', 's')).toBe(':1\r\n');
  });

  it('XRANGE, XREVRANGE and XDEL', () => {
    const r = session();
    r('XADD', 's', '1', 'a', '1');
    r('XADD', 's', '2', 'b', '2');
    expect(r('XRANGE', 's', '(1', '+')).toBe('*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n');
    expect(r('XREVRANGE', 's', '+', '-', 'COUNT', '1')).toBe('*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n');
    expect(r('XDEL', 's', '1-0', '9-0')).toBe(':1\r\n');
    expect(r('XLEN', 's')).toBe(':1\r\n');
  });

  it('XREADGROUP delivers new entries once, and needs the group', () => {
    const r = session();
    expect(r('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>')).toMatch(/^-NOGROUP /);
    expect(r('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM')).toBe('+OK\r\n');
    expect(r('XGROUP', 'CREATE', 's', 'g', '$')).toBe('-BUSYGROUP Consumer Group name already exists\r\n');
    r('XADD', 's', '3', 'a', '1');
    expect(r('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>')).toBe(
      '*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n',
    );
    expect(r('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>')).toBe('*-1\r\n');
    expect(r('XGROUP', 'CREATECONSUMER', 's', 'g', 'c')).toBe(':0\r\n');
  });
});
