/**
 * `dios kv`'s command line: help, and usage errors (exit 2, the argument
 * named on stderr), in this process.
 */
import { describe, expect, it } from 'vitest';
import { parseKvServeArgs } from '../src/cli/kv-args.js';
import { UsageError } from '../src/cli/args/usage-error.js';
import { inProcess } from './cli-process.js';

const dios = (...args: string[]) => inProcess(args);

describe('dios kv', () => {
  it('--help prints the usage', async () => {
    const r = await dios('kv', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: dios kv serve \[options\]/);
    expect(r.stdout).toContain("--client-output-buffer-limit 'HARD SOFT SECONDS'");
    expect(r.stdout).toContain('-p, --port PORT');
  });

  it('takes -p for --port and the limits', () => {
    expect(parseKvServeArgs(['-p', '6380', '--proto-max-bulk-len=1mb'])).toMatchObject({
      port: 6380,
      maxBulkBytes: 1024 * 1024,
      fsync: 'everysec',
    });
  });

  // The serve options' refusals, in this process (a child process each cost ~1.5 s of the suite's budget)...
  it.each([
    [['--port', 'abc'], /^option --port: expected a port number 0-65535, got 'abc'$/],
    [['--port=70000'], /^option --port: expected a port number 0-65535, got '70000'$/],
    [['--fsync', 'sometimes'], /^option --fsync: expected always, everysec or no, got 'sometimes'$/],
    [['--data'], /^option --data needs a value$/],
    [['extra'], /^extra argument 'extra'$/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
    [
      ['--proto-max-bulk-len', '2gb'],
      /--proto-max-bulk-len: expected a size from 1 to 1gb \(such as 512mb\), got '2gb'/,
    ],
    [
      ['--client-query-buffer-limit=lots'],
      /--client-query-buffer-limit: expected a size from 1 to 1gb \(such as 512mb\), got 'lots'/,
    ],
    [
      ['--client-output-buffer-limit', '256mb 64mb'],
      /--client-output-buffer-limit: expected 'HARD SOFT SECONDS' \(such as '256mb 64mb 60'\), got '256mb 64mb'/,
    ],
  ])('kv serve usage error %j: a UsageError naming the argument', (args, message) => {
    expect(() => parseKvServeArgs(args)).toThrow(UsageError);
    expect(() => parseKvServeArgs(args)).toThrow(message);
  });

  // ...and through the command's dispatcher: exit 2, nothing on stdout, the message on stderr.
  it.each([
    [['kv'], /^dios: missing subcommand of kv \(one of: serve\)\nTry 'dios help kv'\.\n$/],
    [['kv', 'start'], /^dios: unknown subcommand 'start' of kv \(one of: serve\)\nTry 'dios help kv'\.\n$/],
    [
      ['kv', 'serve', '--port', 'abc'],
      /^dios: option --port: expected a port number 0-65535, got 'abc'\nTry 'dios help kv serve'\.\n$/,
    ],
  ])('usage error %j: exit 2 with a message naming the argument', async (args, message) => {
    const r = await dios(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });
});
