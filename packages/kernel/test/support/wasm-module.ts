/** A minimal WebAssembly module for the kernel's tests: a type section and one function import `f` of each module named. */
export function wasmImporting(...modules: string[]): Uint8Array {
  const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  const section = [modules.length, ...modules.flatMap((m) => [...name(m), ...name('f'), 0x00, 0x00])];
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
  return new Uint8Array([...header, ...types, 0x02, section.length, ...section]);
}
