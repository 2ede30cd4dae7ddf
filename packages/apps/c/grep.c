/*
 * grep: prints the lines of files (or of standard input) that contain one
 * of some fixed strings, as GNU grep -F does with LC_ALL=C.
 *
 * Usage: grep [-F] [-i] [-v] [-x] [-c] [-n] [-q] (PATTERNS | -e PATTERNS...) [FILE...]
 * PATTERNS holds one fixed string per line (no regular expressions); an
 * empty string matches every line. -F is accepted and changes nothing.
 * -i ignores ASCII case; -v selects the lines that match no string; -x
 * needs a string to be the whole line; -c prints the number of selected
 * lines instead of them; -n puts the line number and ':' before a line; -q
 * prints nothing. With more than one input, each output line starts with
 * the input's name and ':'. Not supported: regular expressions, -w, -l,
 * context options, and the detection of binary files (a file holding NUL
 * bytes is searched like text). Exit status 0 if a line was selected, 1 if
 * none, 2 on an error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

struct pattern {
  char *text;
  size_t length;
};

static struct pattern *patterns;
static size_t pattern_count;
/* Input buffers: standard input's, and that of the file being read (one at a time). */
static char stdin_buffer[1 << 16], file_buffer[1 << 16];
static int ignore_case, invert, whole_line, count_only, number_lines, quiet, with_names;

static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

/* Adds each newline-separated string of `list` to the patterns; returns -1 when memory runs out. */
static int add_patterns(const char *list) {
  for (;;) {
    const char *nl = strchr(list, '\n');
    size_t length = nl == NULL ? strlen(list) : (size_t)(nl - list);
    struct pattern *grown = realloc(patterns, (pattern_count + 1) * sizeof *patterns);
    if (grown == NULL) return -1;
    patterns = grown;
    char *text = malloc(length + 1);
    if (text == NULL) return -1;
    for (size_t i = 0; i < length; i++) text[i] = ignore_case ? (char)lower((unsigned char)list[i]) : list[i];
    text[length] = '\0';
    patterns[pattern_count++] = (struct pattern){text, length};
    if (nl == NULL) return 0;
    list = nl + 1;
  }
}

/* Whether `p` occurs in line[0..length) (the whole of it with -x); `line` is already lower-cased with -i. */
static int occurs(const struct pattern *p, const char *line, size_t length) {
  if (whole_line) return p->length == length && memcmp(p->text, line, length) == 0;
  if (p->length == 0) return 1;
  if (p->length > length) return 0;
  const char *end = line + length - p->length;
  for (const char *at = line; at <= end;) {
    at = memchr(at, p->text[0], (size_t)(end - at) + 1);
    if (at == NULL) return 0;
    if (memcmp(at, p->text, p->length) == 0) return 1;
    at++;
  }
  return 0;
}

static int selected(const char *line, size_t length) {
  static char *folded;
  static size_t folded_capacity;
  if (ignore_case) {
    if (length + 1 > folded_capacity) {
      folded_capacity = (length + 1) * 2;
      free(folded);
      folded = malloc(folded_capacity);
      if (folded == NULL) {
        fprintf(stderr, "grep: out of memory\n");
        exit(2);
      }
    }
    for (size_t i = 0; i < length; i++) folded[i] = (char)lower((unsigned char)line[i]);
    line = folded;
  }
  int found = 0;
  for (size_t i = 0; i < pattern_count && !found; i++) found = occurs(&patterns[i], line, length);
  return found != invert;
}

/* Searches one stream line by line; returns the number of selected lines, or -1 on a read error. */
static long long search(FILE *f, const char *name) {
  char *line = NULL;
  size_t capacity = 0;
  long long number = 0, hits = 0;
  ssize_t read;
  while ((read = getline(&line, &capacity, f)) > 0) {
    size_t length = (size_t)read;
    if (line[length - 1] == '\n') length--;
    number++;
    if (!selected(line, length)) continue;
    hits++;
    if (quiet) break;
    if (count_only) continue;
    if (with_names) printf("%s:", name);
    if (number_lines) printf("%lld:", number);
    fwrite(line, 1, length, stdout);
    putchar('\n');
  }
  free(line);
  if (ferror(f)) return -1;
  if (count_only && !quiet) {
    if (with_names) printf("%s:", name);
    printf("%lld\n", hits);
  }
  return hits;
}

static int usage(void) {
  fprintf(stderr, "usage: grep [-F] [-i] [-v] [-x] [-c] [-n] [-q] (PATTERNS | -e PATTERNS...) [FILE...]\n");
  return 2;
}

int main(int argc, char **argv) {
  /* stdio's default 1 KiB buffers would make a system call (a DIOS call) per KiB (musl ignores a size without a buffer). */
  static char output_buffer[1 << 16];
  setvbuf(stdout, output_buffer, _IOFBF, sizeof output_buffer);
  const char *lists[64];
  int list_count = 0, first = 1;
  for (; first < argc && argv[first][0] == '-' && argv[first][1] != '\0'; first++) {
    if (strcmp(argv[first], "--") == 0) {
      first++;
      break;
    }
    for (const char *p = argv[first] + 1; *p != '\0'; p++) {
      switch (*p) {
        case 'F': break;
        case 'i': ignore_case = 1; break;
        case 'v': invert = 1; break;
        case 'x': whole_line = 1; break;
        case 'c': count_only = 1; break;
        case 'n': number_lines = 1; break;
        case 'q': quiet = 1; break;
        case 'e':
          /* -e takes the rest of this argument, or the next one. */
          if (list_count == 64) return usage();
          if (p[1] != '\0') {
            lists[list_count++] = p + 1;
          } else if (first + 1 < argc) {
            lists[list_count++] = argv[++first];
          } else {
            return usage();
          }
          p += strlen(p) - 1;
          break;
        default: fprintf(stderr, "grep: invalid option -- '%c'\n", *p); return usage();
      }
    }
  }
  if (list_count == 0) {
    if (first == argc) return usage();
    lists[list_count++] = argv[first++];
  }
  for (int i = 0; i < list_count; i++) {
    if (add_patterns(lists[i]) != 0) {
      fprintf(stderr, "grep: out of memory\n");
      return 2;
    }
  }
  int nfiles = argc - first, status = 1, failed = 0;
  with_names = nfiles > 1;
  setvbuf(stdin, stdin_buffer, _IOFBF, sizeof stdin_buffer);
  if (nfiles == 0) {
    long long hits = search(stdin, "(standard input)");
    if (hits < 0) failed = 1;
    if (hits > 0) status = 0;
  }
  for (int i = first; i < argc && !(quiet && status == 0); i++) {
    int is_stdin = strcmp(argv[i], "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(argv[i], "rb");
    if (f != NULL && !is_stdin) setvbuf(f, file_buffer, _IOFBF, sizeof file_buffer);
    if (f == NULL) {
      fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(errno));
      failed = 1;
      continue;
    }
    long long hits = search(f, is_stdin ? "(standard input)" : argv[i]);
    if (!is_stdin) fclose(f);
    if (hits < 0) {
      fprintf(stderr, "grep: %s: read error\n", argv[i]);
      failed = 1;
    }
    if (hits > 0) status = 0;
  }
  if (fflush(stdout) != 0) failed = 1;
  return failed && !(quiet && status == 0) ? 2 : status;
}
