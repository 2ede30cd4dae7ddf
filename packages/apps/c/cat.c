/*
 * cat: copies files (or standard input) to standard output, as coreutils
 * cat does.
 *
 * Usage: cat [-n] [FILE...]   ("-" is standard input)
 * -n numbers every output line ("%6d\t" before it); numbering runs on
 * across files, as if they were one stream. Exit status 1 if an input could
 * not be read, else 0.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int number_lines;
static unsigned long long line_number;
static int at_line_start = 1;

/* Copies one stream to standard output; returns 0, or -1 on a read error. */
static int copy(FILE *f) {
  static char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    if (!number_lines) {
      fwrite(buf, 1, n, stdout);
      continue;
    }
    size_t start = 0;
    while (start < n) {
      if (at_line_start) {
        printf("%6llu\t", ++line_number);
        at_line_start = 0;
      }
      char *nl = memchr(buf + start, '\n', n - start);
      size_t end = nl == NULL ? n : (size_t)(nl - buf) + 1;
      fwrite(buf + start, 1, end - start, stdout);
      if (nl != NULL) at_line_start = 1;
      start = end;
    }
  }
  return ferror(f) ? -1 : 0;
}

int main(int argc, char **argv) {
  /* stdio's default 1 KiB buffers would make a system call (a DIOS call) per KiB (musl ignores a size without a buffer). */
  static char output_buffer[1 << 16];
  setvbuf(stdout, output_buffer, _IOFBF, sizeof output_buffer);
  int first = 1;
  for (; first < argc && argv[first][0] == '-' && argv[first][1] != '\0'; first++) {
    if (strcmp(argv[first], "--") == 0) {
      first++;
      break;
    }
    if (strcmp(argv[first], "-n") != 0) {
      fprintf(stderr, "cat: invalid option '%s'\nusage: cat [-n] [FILE...]\n", argv[first]);
      return 1;
    }
    number_lines = 1;
  }
  int status = 0;
  if (first == argc) return copy(stdin) == 0 ? 0 : 1;
  for (int i = first; i < argc; i++) {
    int is_stdin = strcmp(argv[i], "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(argv[i], "rb");
    if (f == NULL) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    if (copy(f) != 0) {
      fprintf(stderr, "cat: %s: read error\n", argv[i]);
      status = 1;
    }
    if (!is_stdin) fclose(f);
  }
  if (fflush(stdout) != 0) status = 1;
  return status;
}
