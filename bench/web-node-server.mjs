// The baseline of bench/web.bench.ts: a plain node:http server answering every GET with the same bytes
// from memory (Content-Type, Content-Length and an ETag, as the DIOS server sends). Prints its port.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const body = readFileSync(process.argv[2]);
const server = createServer((req, res) => {
  res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
    ETag: '"node-1"',
    'Accept-Ranges': 'bytes',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => console.log(`listening 127.0.0.1:${server.address().port}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
