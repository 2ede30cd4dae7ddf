/**
 * `dios kv` through its bin launcher: help, and usage errors (exit 2, the
 * argument named on stderr).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseKvServeArgs } from '../src/cli/kv-command.js';
import { UsageError } from '../src/cli/usage-error.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'dios.js');

function dios(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('dios kv', () => {
  it('--help prints the usage', async () => {
    const r = await dios('kv', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: dios kv serve \[--port P\]/);
    expect(r.stdout).toContain("--client-output-buffer-limit 'HARD SOFT SECONDS'");
  });

  // The serve options' refusals, in this process (a child process each cost ~1.5 s of the suite's budget)...
  it.each([
    [['--port', 'abc'], /--port: expected a port in \[0, 65535\], got 'abc'/],
    [['--port=70000'], /--port: expected a port in \[0, 65535\], got '70000'/],
    [['--fsync', 'sometimes'], /--fsync: expected always, everysec or no, got 'sometimes'/],
    [['--data'], /--data needs a value/],
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

  // ...and through the real command: exit 2, nothing on stdout, the message on stderr.
  it.each([
    [['kv'], /missing subcommand \(serve\)/],
    [['kv', 'start'], /unknown subcommand 'start'/],
    [['kv', 'serve', '--port', 'abc'], /--port: expected a port in \[0, 65535\], got 'abc'/],
  ])('usage error %j: exit 2 with a message naming the argument', async (args, message) => {
    const r = await dios(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });
});
