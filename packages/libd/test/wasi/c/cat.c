// Copies the file argv[1] to stdout, then writes argv[3] into the file argv[2] (with stdio, fsync'd).
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  FILE *in = fopen(argv[1], "r");
  if (in == NULL) {
    perror(argv[1]);
    return 1;
  }
  char buf[256];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, stdout);
  fclose(in);
  FILE *out = fopen(argv[2], "w");
  if (out == NULL) {
    perror(argv[2]);
    return 1;
  }
  fputs(argv[3], out);
  fflush(out);
  fsync(fileno(out));
  fclose(out);
  return 0;
}
