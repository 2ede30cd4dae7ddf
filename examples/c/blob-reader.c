/*
 * A hybrid process: reads a blob by name through DIOS calls (dios_lookup,
 * dios_begin_read, dios_end_read) and prints it with printf, a POSIX call.
 *
 *   clang --target=wasm32-wasi --sysroot=/usr -O2 -I packages/libd/include \
 *     examples/c/blob-reader.c -o blob-reader.wasm
 *
 * Usage: blob-reader NAME (the blob's name as 64 hex digits). Exit status 0,
 * 1 when the name does not resolve or the read fails, 2 on a bad argument.
 */
#include <dios.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  dios_name_t name;
  if (argc != 2 || dios_name_parse(argv[1], &name) != 0) {
    fprintf(stderr, "usage: %s NAME (64 hex digits)\n", argc > 0 ? argv[0] : "blob-reader");
    return 2;
  }
  int32_t ref;
  uint32_t found = 0;
  int32_t err = dios_lookup(&name, 0, &ref, 1, &found);
  if (err != 0 || found == 0) {
    fprintf(stderr, "%s: lookup failed (WASI errno %d)\n", argv[1], err);
    return 1;
  }
  uint64_t size = 0;
  dios_ref_size(ref, &size);
  // The blob in pieces: each piece one begin_read/end_read, made again if a commit overlapped it.
  char piece[4096];
  for (uint64_t offset = 0; offset < size;) {
    uint32_t want = size - offset < sizeof piece ? (uint32_t)(size - offset) : sizeof piece;
    uint32_t got = 0, token = 0;
    int32_t valid = 0;
    if ((err = dios_begin_read(ref, offset, want, 0, piece, &got, &token)) != 0 ||
        (err = dios_end_read(ref, token, 0, &valid)) != 0) {
      fprintf(stderr, "read failed (WASI errno %d)\n", err);
      return 1;
    }
    if (!valid) continue;
    if (got == 0) break;
    printf("%.*s", (int)got, piece);
    offset += got;
  }
  printf("(%llu bytes)\n", (unsigned long long)size);
  dios_delete(ref, DIOS_DELETE_DROP);
  return 0;
}
