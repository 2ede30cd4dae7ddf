// A strict TypeScript program (an ES module): compiled with module node16 and with nodenext.
import { Kernel, type SystemCalls } from '@dios/kernel';
import { defineProgram, fclose, fgets, fopen, fputs, installProgram, printf, puts, spawn, wait } from '@dios/libd';

async function greet(argv: string[], sys: SystemCalls): Promise<number> {
  const out = await fopen(sys, '/notes/hello.txt', 'w');
  await fputs(out, `hello from ${argv[1] ?? '?'}\n`);
  await fclose(out);
  const back = await fopen(sys, '/notes/hello.txt', 'r');
  const line: string | null = await fgets(back, Infinity);
  await fclose(back);
  await printf(sys, 'read back: %s', line ?? '');
  await puts(sys, 'done');
  return 3;
}

let output = '';
const decoder = new TextDecoder();
const kernel = await Kernel.boot({
  id: 'consumer-ts',
  consoleSink: (bytes: Uint8Array) => (output += decoder.decode(bytes)),
});
const program = defineProgram((argv, ctx) => greet(argv, ctx.sys));
await kernel.init.delete(await installProgram(kernel, kernel.init, 'greet', program, '/bin/greet'));
const status: number = await wait(kernel.init, await spawn(kernel.init, '/bin/greet', { argv: ['greet', 'ts'] }));
const expected = 'read back: hello from ts\ndone\n';
if (status !== 3 || output !== expected) {
  console.error(`ts: expected status 3 and ${JSON.stringify(expected)}, got ${status} and ${JSON.stringify(output)}`);
  process.exit(1);
}
console.log('ts: ok');
