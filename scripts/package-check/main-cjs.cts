// A strict TypeScript program compiled to CommonJS (module nodenext: TypeScript 5.8+ types require() of ES modules).
import { Kernel } from '@dios/kernel';
import { defineProgram, installProgram, puts, spawn, wait } from '@dios/libd';

async function main(): Promise<void> {
  let output = '';
  const decoder = new TextDecoder();
  const kernel = await Kernel.boot({
    id: 'consumer-cts',
    consoleSink: (bytes: Uint8Array) => (output += decoder.decode(bytes)),
  });
  const program = defineProgram(async (_argv, { sys }) => {
    await puts(sys, 'hello from cts');
  });
  await kernel.init.delete(await installProgram(kernel, kernel.init, 'hello', program, '/bin/hello'));
  const status = await wait(kernel.init, await spawn(kernel.init, '/bin/hello', { argv: ['hello'] }));
  if (status !== 0 || output !== 'hello from cts\n')
    throw new Error(`cts: got ${status} and ${JSON.stringify(output)}`);
  console.log('cts: ok');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
