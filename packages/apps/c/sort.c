/*
 * sort: sorts the lines of files (or of standard input), as coreutils sort
 * does with LC_ALL=C: lines compare byte by byte as unsigned chars, a line
 * that is a prefix of another comes first.
 *
 * Usage: sort [-r] [-u] [FILE...]   ("-" is standard input)
 * -r reverses the order; -u prints only the first of each run of equal
 * lines. All inputs are read as one list of lines; a last line without a
 * newline gets one. Exit status 2 if an input could not be read or memory
 * ran out, else 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct line {
  const char *text;
  size_t length;
};

static int reverse, unique;
static char *data;
static size_t data_length, data_capacity;

/* Appends all of one stream to `data`, leaving at least 64 KiB free; returns 0, or -1 on a read or allocation error. */
static int slurp(FILE *f) {
  for (;;) {
    if (data_capacity - data_length < (1 << 16)) {
      size_t capacity = data_capacity == 0 ? (1 << 20) : data_capacity * 2;
      char *grown = realloc(data, capacity);
      if (grown == NULL) return -1;
      data = grown;
      data_capacity = capacity;
    }
    size_t n = fread(data + data_length, 1, data_capacity - data_length, f);
    data_length += n;
    if (n == 0) return ferror(f) ? -1 : 0;
  }
}

/* Ends the last line read since `from` with a newline if it has none (slurp leaves room for one). */
static void end_last_line(size_t from) {
  if (data_length > from && data[data_length - 1] != '\n') data[data_length++] = '\n';
}

static int compare_lines(const void *a, const void *b) {
  const struct line *x = a, *y = b;
  size_t shorter = x->length < y->length ? x->length : y->length;
  int c = memcmp(x->text, y->text, shorter);
  if (c == 0) c = (x->length > y->length) - (x->length < y->length);
  return reverse ? -c : c;
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
    for (const char *p = argv[first] + 1; *p != '\0'; p++) {
      if (*p == 'r')
        reverse = 1;
      else if (*p == 'u')
        unique = 1;
      else {
        fprintf(stderr, "sort: invalid option -- '%c'\nusage: sort [-r] [-u] [FILE...]\n", *p);
        return 2;
      }
    }
  }
  if (first == argc) {
    if (slurp(stdin) != 0) {
      fprintf(stderr, "sort: read error on standard input\n");
      return 2;
    }
  }
  for (int i = first; i < argc; i++) {
    int is_stdin = strcmp(argv[i], "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(argv[i], "rb");
    if (f == NULL) {
      fprintf(stderr, "sort: cannot read: %s: %s\n", argv[i], strerror(errno));
      return 2;
    }
    size_t before = data_length;
    int failed = slurp(f);
    if (!is_stdin) fclose(f);
    if (failed) {
      fprintf(stderr, "sort: read error: %s\n", argv[i]);
      return 2;
    }
    end_last_line(before);
  }
  if (first == argc) end_last_line(0);

  size_t count = 0;
  for (size_t i = 0; i < data_length; i++) count += data[i] == '\n';
  struct line *lines = malloc((count > 0 ? count : 1) * sizeof *lines);
  if (lines == NULL) {
    fprintf(stderr, "sort: out of memory\n");
    return 2;
  }
  size_t start = 0, k = 0;
  for (size_t i = 0; i < data_length; i++) {
    if (data[i] != '\n') continue;
    lines[k].text = data + start;
    lines[k].length = i - start;
    k++;
    start = i + 1;
  }
  qsort(lines, count, sizeof *lines, compare_lines);
  for (size_t i = 0; i < count; i++) {
    if (unique && i > 0 && compare_lines(&lines[i - 1], &lines[i]) == 0) continue;
    fwrite(lines[i].text, 1, lines[i].length, stdout);
    putchar('\n');
  }
  return fflush(stdout) == 0 ? 0 : 2;
}
