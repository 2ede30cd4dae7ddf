import { describe, expect, it } from 'vitest';
import { DeleteFlags, isDiosError } from '@dios/kernel';
import {
  atexit,
  defineProgram,
  exit,
  fclose,
  fopen,
  fputs,
  getenv,
  installProgram,
  spawn,
  stdio,
  wait,
  writeBinary,
  type ProgramContext,
} from '@dios/libd';
import { boot, contentOf, dec } from './stdio-helpers.js';
import { deferred, runToExit } from './process-helpers.js';

describe('defineProgram: exit status', () => {
  it('is what main returns: an integer as it is, anything else 0', async () => {
    const { kernel, sys } = await boot();
    expect(await runToExit(kernel, sys, () => 3)).toBe(3);
    expect(await runToExit(kernel, sys, async () => 0)).toBe(0);
    expect(await runToExit(kernel, sys, () => {})).toBe(0);
    expect(await runToExit(kernel, sys, () => 1.5)).toBe(0);
    expect(await runToExit(kernel, sys, async () => 255)).toBe(255);
    kernel.checkInvariants();
  });

  it('exit(0) is success and exit(3) is failure, seen as 1; nothing after exit runs', async () => {
    const { kernel, sys } = await boot();
    const after: string[] = [];
    const deep = async (ctx: ProgramContext, status: number) => {
      await ctx.exit(status);
      after.push('deep');
    };
    expect(
      await runToExit(kernel, sys, async (_argv, ctx) => {
        await deep(ctx, 0);
        after.push('main');
        return 7;
      }),
    ).toBe(0);
    expect(
      await runToExit(kernel, sys, async (_argv, ctx) => {
        await exit(ctx.sys, 3);
        after.push('main');
      }),
    ).toBe(1);
    expect(await runToExit(kernel, sys, (_argv, ctx) => ctx.exit(256))).toBe(1);
    expect(after).toEqual([]);
    kernel.checkInvariants();
  });

  it('a throwing main exits with status 1 and the kernel records the error', async () => {
    const { kernel, sys } = await boot();
    const failures: unknown[] = [];
    kernel.onTaskFailure = (_task, error) => failures.push(error);
    const boom = new Error('boom');
    expect(
      await runToExit(kernel, sys, async () => {
        throw boom;
      }),
    ).toBe(1);
    expect(failures).toEqual([boom]);
    // exit is not a failure the kernel hears about.
    expect(await runToExit(kernel, sys, (_argv, ctx) => ctx.exit(2))).toBe(1);
    expect(failures).toEqual([boom]);
    kernel.checkInvariants();
  });

  it('after exit the task has exited: its later system calls fail with ECANCELED', async () => {
    const { kernel, sys } = await boot();
    const later = deferred<unknown>();
    const status = await runToExit(kernel, sys, async (_argv, ctx) => {
      try {
        await ctx.exit(0);
      } catch {
        // A careless catch-all does not bring the task back.
      }
      later.resolve(await ctx.sys.lookup(ctx.sys.consoleName).catch((e: unknown) => e));
      return 9;
    });
    expect(status).toBe(0);
    expect(isDiosError(await later.promise, 'ECANCELED')).toBe(true);
    kernel.checkInvariants();
  });

  it('an exit that is not awaited still ends the task, with its status and no unhandled rejection', async () => {
    const { kernel, sys } = await boot();
    expect(
      await runToExit(kernel, sys, (_argv, ctx) => {
        void ctx.exit(0);
        return 5;
      }),
    ).toBe(0);
    kernel.checkInvariants();
  });

  it('exit also works in a program not made by defineProgram', async () => {
    const { kernel, sys } = await boot();
    const ran: string[] = [];
    const bytes = kernel.registerProgram('raw', async (child) => {
      atexit(child, () => void ran.push('handler'));
      await exit(child, 0);
      ran.push('after');
    });
    const binary = await writeBinary(sys, bytes);
    expect(await wait(sys, await spawn(sys, binary, { argv: ['raw'] }))).toBe(0);
    expect(ran).toEqual(['handler']);
    await sys.delete(binary);
    kernel.checkInvariants();
  });
});

describe('atexit', () => {
  it('runs handlers newest first when main returns, on exit and on throw', async () => {
    const { kernel, sys } = await boot();
    for (const ending of ['return', 'exit', 'throw'] as const) {
      const order: string[] = [];
      const status = await runToExit(kernel, sys, async (_argv, ctx) => {
        ctx.atexit(() => void order.push('first'));
        atexit(ctx.sys, async () => {
          await Promise.resolve();
          order.push('second');
        });
        ctx.atexit(() => void order.push('third'));
        if (ending === 'exit') await ctx.exit(0);
        if (ending === 'throw') throw new Error(ending);
        order.push('main done');
      });
      expect(status, ending).toBe(ending === 'throw' ? 1 : 0);
      expect(order, ending).toEqual(
        ending === 'return' ? ['main done', 'third', 'second', 'first'] : ['third', 'second', 'first'],
      );
    }
    kernel.checkInvariants();
  });

  it('a handler registered while handlers run runs too; each runs once', async () => {
    const { kernel, sys } = await boot();
    const order: string[] = [];
    await runToExit(kernel, sys, (_argv, ctx) => {
      ctx.atexit(() => void order.push('a'));
      ctx.atexit(() => {
        order.push('b');
        ctx.atexit(() => void order.push('late'));
      });
    });
    expect(order).toEqual(['b', 'late', 'a']);
    kernel.checkInvariants();
  });

  it('a throwing handler does not stop the others, and makes a successful program fail', async () => {
    const { kernel, sys } = await boot();
    const failures: unknown[] = [];
    kernel.onTaskFailure = (_task, error) => failures.push(error);
    const order: string[] = [];
    const bad = new Error('handler failed');
    expect(
      await runToExit(kernel, sys, (_argv, ctx) => {
        ctx.atexit(() => void order.push('first'));
        ctx.atexit(() => {
          throw bad;
        });
        return 0;
      }),
    ).toBe(1);
    expect(order).toEqual(['first']);
    expect(failures).toEqual([bad]);
    // Through exit(0) too: reported as failure.
    expect(
      await runToExit(kernel, sys, (_argv, ctx) => {
        ctx.atexit(() => {
          throw bad;
        });
        return ctx.exit(0);
      }),
    ).toBe(1);
    kernel.checkInvariants();
  });

  it('exit called in a handler sets the status; the remaining handlers still run', async () => {
    const { kernel, sys } = await boot();
    const order: string[] = [];
    const main = (_argv: string[], ctx: ProgramContext) => {
      ctx.atexit(() => void order.push('last'));
      ctx.atexit(async () => {
        await ctx.exit(4);
        order.push('not reached');
      });
      return 0;
    };
    expect(await runToExit(kernel, sys, main)).toBe(1);
    expect(order).toEqual(['last']);
    order.length = 0;
    expect(await runToExit(kernel, sys, (argv, ctx) => (main(argv, ctx), ctx.exit(0)))).toBe(1);
    expect(order).toEqual(['last']);
    kernel.checkInvariants();
  });

  it('does not run when the task deletes its self reference directly (_exit)', async () => {
    const { kernel, sys } = await boot();
    const order: string[] = [];
    expect(
      await runToExit(kernel, sys, async (_argv, ctx) => {
        ctx.atexit(() => void order.push('handler'));
        await ctx.sys.delete(ctx.sys.self, DeleteFlags.EXIT_FAILURE);
      }),
    ).toBe(1);
    expect(order).toEqual([]);
    kernel.checkInvariants();
  });

  it('rejects what is not a function', async () => {
    const { kernel, sys } = await boot();
    expect(() => atexit(sys, 42 as never)).toThrow(/EINVAL.*atexit\(fn\)/);
    kernel.checkInvariants();
  });
});

describe('flushing at exit', () => {
  it('buffered stdout reaches the console when main returns, exits or throws', async () => {
    const { kernel, sys, out } = await boot();
    for (const ending of ['return', 'exit', 'throw'] as const) {
      out.length = 0;
      await runToExit(kernel, sys, async (_argv, ctx) => {
        const { stdout } = await ctx.stdio();
        await fputs(stdout, `partial line (${ending})`);
        expect(out).toEqual([]);
        if (ending === 'exit') await ctx.exit(0);
        if (ending === 'throw') throw new Error(ending);
      });
      expect(out.join(''), ending).toBe(`partial line (${ending})`);
    }
    kernel.checkInvariants();
  });

  it('output written by atexit handlers is flushed too, and so are files', async () => {
    const { kernel, sys, out } = await boot();
    await runToExit(kernel, sys, async (_argv, ctx) => {
      const file = await fopen(ctx.sys, '/tmp/out.txt', 'w');
      await fputs(file, 'file body');
      ctx.atexit(async () => {
        const { stdout } = await stdio(ctx.sys);
        await fputs(stdout, 'bye');
      });
    });
    expect(out.join('')).toBe('bye');
    const file = await fopen(sys, '/tmp/out.txt', 'r');
    expect(dec(await contentOf(sys, file.handle))).toBe('file body');
    await fclose(file);
    kernel.checkInvariants();
  });
});

describe('argv and getenv', () => {
  it('main gets a copy of argv; the context shows argv and env', async () => {
    const { kernel, sys } = await boot();
    let seen: unknown;
    await runToExit(
      kernel,
      sys,
      (argv, ctx) => {
        argv.push('mutable');
        seen = {
          argv,
          ctxArgv: [...ctx.argv],
          env: { ...ctx.env },
          home: ctx.getenv('HOME'),
          missing: getenv(ctx.sys, 'NOPE'),
        };
      },
      { argv: ['prog', '-v', 'x y'], env: { HOME: '/home/ada', EMPTY: '' } },
    );
    expect(seen).toEqual({
      argv: ['prog', '-v', 'x y', 'mutable'],
      ctxArgv: ['prog', '-v', 'x y'],
      env: { HOME: '/home/ada', EMPTY: '' },
      home: '/home/ada',
      missing: undefined,
    });
    kernel.checkInvariants();
  });

  it('getenv sees only the task own variables, empty ones included', async () => {
    const { kernel, sys } = await boot();
    let seen: unknown[] = [];
    await runToExit(
      kernel,
      sys,
      (_argv, ctx) => void (seen = [ctx.getenv('constructor'), ctx.getenv('toString'), ctx.getenv('EMPTY')]),
      {
        env: { EMPTY: '' },
      },
    );
    expect(seen).toEqual([undefined, undefined, '']);
    kernel.checkInvariants();
  });

  it('a spawned child inherits the environment unless spawn gives one', async () => {
    const { kernel, sys } = await boot();
    const child = defineProgram((_argv, ctx) =>
      ctx.getenv('LEVEL') === 'parent' ? 10 : ctx.getenv('LEVEL') === undefined ? 20 : 30,
    );
    const binary = await installProgram(kernel, sys, 'env-child', child, '/bin/env-child');
    const total = await runToExit(
      kernel,
      sys,
      async (_argv, ctx) => {
        const inherited = await wait(ctx.sys, await spawn(ctx.sys, '/bin/env-child', { argv: ['env-child'] }));
        const none = await wait(ctx.sys, await spawn(ctx.sys, '/bin/env-child', { argv: ['env-child'], env: {} }));
        const own = await wait(
          ctx.sys,
          await spawn(ctx.sys, '/bin/env-child', { argv: ['env-child'], env: { LEVEL: 'child' } }),
        );
        return inherited + none + own;
      },
      { env: { LEVEL: 'parent' } },
    );
    expect(total).toBe(60);
    await sys.delete(binary);
    kernel.checkInvariants();
  });
});
