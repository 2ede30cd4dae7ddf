/*
 * wc: counts the lines, words and bytes of files (or of standard input), as
 * coreutils wc does in the C locale.
 *
 * Usage: wc [-l] [-w] [-c] [FILE...]   ("-" is standard input)
 * Options may be combined (-lw). Without options it prints lines, words and
 * bytes. Words are counted as coreutils 9.1 counts them in the C locale: a
 * printable character (other than space) starts or continues a word, white
 * space (space, \t, \n, \v, \f, \r) ends it, and any other byte (a control
 * character, or a byte of a UTF-8 sequence) does neither. Counts are printed right-aligned to a common width chosen as
 * coreutils chooses it: the digits of the total size of the regular files,
 * at least 7 when an input is not a regular file (a pipe, a stream), and 1
 * when a single count of a single input is printed. With more than one
 * input, a "total" line follows. Exit status 1 if an input could not be
 * read, else 0.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct counts {
  unsigned long long lines, words, bytes;
};

static int show_lines, show_words, show_bytes;

static int is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Counts one stream; returns 0, or -1 on a read error. */
static int count_stream(FILE *f, struct counts *out) {
  static unsigned char buf[1 << 16];
  int in_word = 0;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    out->bytes += n;
    for (size_t i = 0; i < n; i++) {
      unsigned char c = buf[i];
      if (c == '\n') out->lines++;
      if (is_space(c)) {
        in_word = 0;
      } else if (c > ' ' && c < 0x7f && !in_word) {
        in_word = 1;
        out->words++;
      }
    }
  }
  return ferror(f) ? -1 : 0;
}

static void print_counts(const struct counts *c, int width, const char *name) {
  const char *sep = "";
  if (show_lines) {
    printf("%s%*llu", sep, width, c->lines);
    sep = " ";
  }
  if (show_words) {
    printf("%s%*llu", sep, width, c->words);
    sep = " ";
  }
  if (show_bytes) printf("%s%*llu", sep, width, c->bytes);
  if (name != NULL) printf(" %s", name);
  putchar('\n');
}

/* The width coreutils uses: digits of the regular files' total size, at least 7 if an input is not regular. */
static int number_width(int nfiles, char **files) {
  unsigned long long regular_total = 0;
  int minimum = 1, width = 1;
  for (int i = 0; i < nfiles; i++) {
    struct stat st;
    int ok = strcmp(files[i], "-") == 0 ? fstat(0, &st) : stat(files[i], &st);
    if (ok != 0) continue;
    if (S_ISREG(st.st_mode))
      regular_total += (unsigned long long)st.st_size;
    else
      minimum = 7;
  }
  for (; regular_total >= 10; regular_total /= 10) width++;
  return width < minimum ? minimum : width;
}

int main(int argc, char **argv) {
  /* stdio's default 1 KiB buffers would make a system call (a DIOS call) per KiB (musl ignores a size without a buffer). */
  static char output_buffer[1 << 16];
  setvbuf(stdout, output_buffer, _IOFBF, sizeof output_buffer);
  static char *stdin_only[] = {"-"};
  int first = 1;
  for (; first < argc && argv[first][0] == '-' && argv[first][1] != '\0'; first++) {
    if (strcmp(argv[first], "--") == 0) {
      first++;
      break;
    }
    for (const char *p = argv[first] + 1; *p != '\0'; p++) {
      if (*p == 'l')
        show_lines = 1;
      else if (*p == 'w')
        show_words = 1;
      else if (*p == 'c')
        show_bytes = 1;
      else {
        fprintf(stderr, "wc: invalid option -- '%c'\nusage: wc [-l] [-w] [-c] [FILE...]\n", *p);
        return 1;
      }
    }
  }
  if (!show_lines && !show_words && !show_bytes) show_lines = show_words = show_bytes = 1;
  int nfiles = argc - first;
  char **files = nfiles > 0 ? argv + first : stdin_only;
  int named = nfiles > 0;
  if (nfiles == 0) nfiles = 1;

  int width = (show_lines + show_words + show_bytes == 1 && nfiles == 1) ? 1 : number_width(nfiles, files);
  struct counts total = {0, 0, 0};
  int status = 0;
  for (int i = 0; i < nfiles; i++) {
    int is_stdin = strcmp(files[i], "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(files[i], "rb");
    if (f == NULL) {
      fprintf(stderr, "wc: %s: %s\n", files[i], strerror(errno));
      status = 1;
      continue;
    }
    struct counts c = {0, 0, 0};
    if (count_stream(f, &c) != 0) {
      fprintf(stderr, "wc: %s: read error\n", files[i]);
      status = 1;
    }
    if (!is_stdin) fclose(f);
    print_counts(&c, width, named ? files[i] : NULL);
    total.lines += c.lines;
    total.words += c.words;
    total.bytes += c.bytes;
  }
  if (nfiles > 1) print_counts(&total, width, "total");
  return status;
}
