/**
 * Reading just enough of a WebAssembly binary to start it: the magic and
 * version, then the import section's module names, which tell a legacy
 * program (WASI only) from a hybrid one (WASI and `dios`). The full check of
 * the module is the engine's, when the interpreter compiles it.
 * @module
 */
import { errors } from '../abi/errors.js';
import type { ProcessKind } from '../abi/program.js';

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const IMPORT_SECTION = 2;
/** The import module whose functions a hybrid program calls: the eleven DIOS calls. */
export const DIOS_IMPORT_MODULE = 'dios';

/** True when `bytes` start with WebAssembly's magic number. */
export function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && MAGIC.every((b, i) => bytes[i] === b);
}

/** The module names a WebAssembly binary imports from, each once; ENOEXEC (`binary`) when its sections are malformed. */
export function wasmImportModules(bytes: Uint8Array): Set<string> {
  const r = new Reader(bytes);
  r.at = 4;
  const version = r.u32le();
  if (version !== 1) throw malformed(`version ${version}; only version 1 modules run`);
  const modules = new Set<string>();
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.leb();
    const end = r.at + size;
    if (end > bytes.length) throw malformed(`section ${id} runs past the end of the binary`);
    if (id === IMPORT_SECTION) {
      const count = r.leb();
      for (let i = 0; i < count; i++) {
        modules.add(r.string());
        r.string();
        r.importDescription();
      }
      if (r.at !== end) throw malformed('the import section has bytes left over');
      // Sections are ordered: nothing after the imports changes what the module imports.
      break;
    }
    r.at = end;
  }
  return modules;
}

/** The kind of process a WebAssembly binary makes: hybrid when it imports the `dios` module, else legacy. */
export function wasmProcessKind(bytes: Uint8Array): ProcessKind {
  return wasmImportModules(bytes).has(DIOS_IMPORT_MODULE) ? 'hybrid' : 'legacy';
}

function malformed(detail: string) {
  return errors.ENOEXEC('run', 'binary', `not a valid WebAssembly module: ${detail}`);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

// A cursor over the binary; every read past the end is ENOEXEC.
class Reader {
  at = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.at >= this.bytes.length) throw malformed('it ends inside a section');
    return this.bytes[this.at++]!;
  }
  u32le(): number {
    let v = 0;
    for (let i = 0; i < 4; i++) v |= this.byte() << (8 * i);
    return v >>> 0;
  }
  // An unsigned LEB128 of at most 32 bits.
  leb(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      v += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return v;
    }
    throw malformed('an integer longer than 5 bytes');
  }
  string(): string {
    const length = this.leb();
    if (this.at + length > this.bytes.length) throw malformed('a name runs past the end');
    try {
      return decoder.decode(this.bytes.subarray(this.at, (this.at += length)));
    } catch {
      throw malformed('a name is not UTF-8');
    }
  }
  limits(): void {
    const flags = this.byte();
    this.leb();
    if (flags & 1) this.leb();
  }
  importDescription(): void {
    const kind = this.byte();
    if (kind === 0) this.leb();
    else if (kind === 1) {
      this.byte();
      this.limits();
    } else if (kind === 2) this.limits();
    else if (kind === 3) {
      this.byte();
      this.byte();
    } else if (kind === 4) {
      this.byte();
      this.leb();
    } else throw malformed(`import kind ${kind}`);
  }
}
