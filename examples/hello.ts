/**
 * A first DIOS program: boot a kernel, define a program, spawn it with
 * arguments and wait for its exit status. The program greets with printf,
 * writes a file by path with fopen, reads it back and prints it with puts.
 *
 *   npx tsx --conditions=@dios/source examples/hello.ts [NAME]
 *
 * @module
 */
import { Kernel } from '@dios/kernel';
import { writableConsoleSink } from '@dios/kernel/node';
import {
  defineProgram,
  fclose,
  fgets,
  fopen,
  fputs,
  installProgram,
  perror,
  printf,
  puts,
  spawn,
  wait,
} from '@dios/libd';

// The program: C's main(argc, argv), with the task's system calls in ctx.sys. Its return value is its exit status.
const hello = defineProgram(async (argv, { sys }) => {
  const [self, name = 'world'] = argv;
  const path = `/greetings/${name}.txt`;
  await printf(sys, '%s: writing a greeting for %s to %s\n', self!, name, path);
  try {
    // 'w' creates the file at the path (a durable blob when the kernel has a store).
    const out = await fopen(sys, path, 'w');
    await fputs(out, `hello, ${name}\n`);
    await fclose(out);
    const back = await fopen(sys, path, 'r');
    const line = await fgets(back, 100);
    await fclose(back);
    // puts adds the newline fgets kept: take it off first.
    await puts(sys, (line ?? '').replace(/\n$/, ''));
  } catch (e) {
    // An error names the path it is about: "hello: ENOENT: no such object, fopen(/greetings/x.txt): ...".
    await perror(sys, self, e);
    return 1;
  }
  return 0;
});

// The host: a kernel whose console is this process's stdout. init is its first task.
const kernel = await Kernel.boot({ consoleSink: writableConsoleSink() });
const sys = kernel.init;
// Registering a program is the host's business; its binary then lives at a path, like /bin/hello on a disk.
await installProgram(kernel, sys, 'hello', hello, '/bin/hello');
const child = await spawn(sys, '/bin/hello', { argv: ['hello', ...process.argv.slice(2, 3)] });
const status = await wait(sys, child);
await printf(sys, 'hello exited with status %d\n', status);
process.exitCode = status;
