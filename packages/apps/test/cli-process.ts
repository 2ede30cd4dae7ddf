/**
 * Running the `dios` command in a child process from its TypeScript
 * sources (main.ts with tsx and the @dios/source condition), so that the
 * tests see the sources as they are, whether or not dist/ was built since.
 * The launcher bin/dios.js, which runs the build, has a test of its own.
 * What the command says before it starts anything can be had in this
 * process too (inProcess), without a child's start-up time.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnOptions } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDios } from '../src/cli/run-dios.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The command's source entry. */
export const DIOS_MAIN = join(HERE, '..', 'src', 'cli', 'main.ts');

/** The launcher a user's `dios` runs (it imports dist/cli/main.js). */
export const DIOS_BIN = join(HERE, '..', 'bin', 'dios.js');

/** The arguments to node that run `dios` from the sources: `[...DIOS_ARGV, 'wordcount', FILE]`. */
export const DIOS_ARGV: readonly string[] = ['--conditions=@dios/source', '--import', 'tsx', DIOS_MAIN];

/** What a finished `dios` run gave. */
export interface DiosResult {
  /** Its exit status (null when a signal ended it). */
  readonly status: number | null;
  /** Everything it wrote to stdout. */
  readonly stdout: string;
  /** Everything it wrote to stderr. */
  readonly stderr: string;
}

/** Runs `dios ARGS` from the sources and waits for it (blocking this process: for short commands). */
export function diosSync(
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): DiosResult {
  const r = spawnSync(process.execPath, [...DIOS_ARGV, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...(options.input !== undefined && { input: options.input }),
    ...(options.env !== undefined && { env: options.env }),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `dios ARGS` from the sources, its standard streams piped. */
export function spawnDios(args: readonly string[], options: SpawnOptions = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...DIOS_ARGV, ...args], { ...options, stdio: 'pipe' });
}

/** Runs `dios ARGS` from the sources with `input` on its stdin; resolves when it has exited. */
export function dios(args: readonly string[], input = ''): Promise<DiosResult> {
  const child = spawnDios(args);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

/**
 * Runs `dios ARGS` in this process, its own lines (help, version, usage
 * errors) captured: for what the command says before it starts anything.
 */
export async function inProcess(args: readonly string[]): Promise<DiosResult> {
  let stdout = '';
  let stderr = '';
  const status = await runDios(args, {
    out: { write: (text: string) => (stdout += text) },
    err: { write: (text: string) => (stderr += text) },
  });
  return { status, stdout, stderr };
}
