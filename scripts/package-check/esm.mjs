// An ES module program of a project that installed the tarballs: defines a libd program, spawns it by path, waits.
import { Kernel } from '@dios/kernel';
import { defineProgram, fclose, fgets, fopen, fputs, installProgram, printf, puts, spawn, wait } from '@dios/libd';

const greet = defineProgram(async (argv, { sys }) => {
  const out = await fopen(sys, '/notes/hello.txt', 'w');
  await fputs(out, `hello from ${argv[1]}\n`);
  await fclose(out);
  const back = await fopen(sys, '/notes/hello.txt', 'r');
  const line = await fgets(back, Infinity);
  await fclose(back);
  await printf(sys, 'read back: %s', line);
  await puts(sys, 'done');
  return 3;
});

let output = '';
const decoder = new TextDecoder();
const kernel = await Kernel.boot({ id: 'consumer-esm', consoleSink: (bytes) => (output += decoder.decode(bytes)) });
await kernel.init.delete(await installProgram(kernel, kernel.init, 'greet', greet, '/bin/greet'));
const status = await wait(kernel.init, await spawn(kernel.init, '/bin/greet', { argv: ['greet', 'esm'] }));
const expected = 'read back: hello from esm\ndone\n';
if (status !== 3 || output !== expected) {
  console.error(`esm: expected status 3 and ${JSON.stringify(expected)}, got ${status} and ${JSON.stringify(output)}`);
  process.exit(1);
}
console.log('esm: ok');
