// The benchmark's tiny program: says it runs, then waits for the container's stop notice (libd's waitForStop, by hand).
const enc = new TextEncoder();

export default async function main(sys) {
  const [con] = await sys.lookup(sys.consoleName.key);
  const bytes = enc.encode('up\n');
  const buf = await sys.beginWrite(con, bytes.length);
  buf.set(bytes);
  await sys.endWrite(con, buf);
  if (sys.argv[1] === 'exit') return 0;
  const [notice] = await sys.lookup(sys.env.DIOS_STOP_NOTICE);
  await sys.select([notice]);
  return 0;
}
