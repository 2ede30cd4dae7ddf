// A CommonJS program of a project that installed the tarballs: require() loads the ES modules (Node 20.19+), and a
// Kernel from require() works with libd from import(): one copy of each package, whichever way it is loaded.
const { Kernel } = require('@dios/kernel');
const { defineProgram, fclose, fgets, fopen, fputs, installProgram, printf, puts, spawn } = require('@dios/libd');

async function main() {
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
  const kernel = await Kernel.boot({ id: 'consumer-cjs', consoleSink: (bytes) => (output += decoder.decode(bytes)) });
  await kernel.init.delete(await installProgram(kernel, kernel.init, 'greet', greet, '/bin/greet'));
  const task = await spawn(kernel.init, '/bin/greet', { argv: ['greet', 'cjs'] });
  // wait from the ES module side: the same libd instance as require() gave.
  const { wait } = await import('@dios/libd');
  if (wait !== require('@dios/libd').wait) throw new Error('cjs: require and import gave two copies of @dios/libd');
  const status = await wait(kernel.init, task);
  const expected = 'read back: hello from cjs\ndone\n';
  if (status !== 3 || output !== expected)
    throw new Error(
      `cjs: expected status 3 and ${JSON.stringify(expected)}, got ${status} and ${JSON.stringify(output)}`,
    );
  // The NATS client is an optional peer dependency, not installed here: importing the transport works, using it
  // says what to install.
  const { connectNats } = require('@dios/kernel/nats');
  const error = await connectNats({ servers: 'nats://127.0.0.1:1', id: 'a', cluster: 'c' }).then(
    () => undefined,
    (e) => e,
  );
  if (error?.code !== 'ENOTSUP' || !String(error.message).includes('npm install @nats-io/transport-node'))
    throw new Error(`cjs: connectNats without the NATS client: expected ENOTSUP naming the package, got ${error}`);
  console.log('cjs: ok');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
