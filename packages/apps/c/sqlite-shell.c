/*
 * sqlite-shell: runs SQL statements against a SQLite database and prints
 * their result rows in a fixed format that a test can also produce from
 * another SQLite binding.
 *
 * Usage: sqlite-shell DATABASE [SCRIPT]
 * Reads SQL from SCRIPT, or from standard input, and runs its statements in
 * order. Each result row is one line: its values joined by '|', where an
 * INTEGER prints in decimal, a REAL as printf("%.17g") does, TEXT as its
 * bytes, a BLOB as X'...' (upper-case hex) and NULL as NULL. A statement
 * that fails while it runs prints "error: <SQLite's message>" on standard
 * output and the script goes on (as a script with a failed INSERT inside a
 * transaction would in the sqlite3 shell). Output is flushed after each
 * statement that printed something. A statement that cannot be
 * prepared stops the script: its message goes to standard error and the
 * exit status is 1. The database is opened with the "unix-none" VFS (no
 * POSIX advisory locks: WASI has none, and a DIOS file has one writer
 * task here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"

/* Reads all of `f` into a NUL-terminated buffer; NULL on a read or allocation error. */
static char *read_all(FILE *f) {
  size_t length = 0, capacity = 1 << 16;
  char *text = malloc(capacity);
  if (text == NULL) return NULL;
  for (;;) {
    if (capacity - length < 2) {
      char *grown = realloc(text, capacity * 2);
      if (grown == NULL) {
        free(text);
        return NULL;
      }
      text = grown;
      capacity *= 2;
    }
    size_t n = fread(text + length, 1, capacity - length - 1, f);
    length += n;
    if (n == 0) break;
  }
  if (ferror(f)) {
    free(text);
    return NULL;
  }
  text[length] = '\0';
  return text;
}

static void print_value(sqlite3_stmt *statement, int column) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_INTEGER: printf("%lld", (long long)sqlite3_column_int64(statement, column)); break;
    case SQLITE_FLOAT: printf("%.17g", sqlite3_column_double(statement, column)); break;
    case SQLITE_TEXT:
      fwrite(sqlite3_column_text(statement, column), 1, (size_t)sqlite3_column_bytes(statement, column), stdout);
      break;
    case SQLITE_BLOB: {
      const unsigned char *bytes = sqlite3_column_blob(statement, column);
      int length = sqlite3_column_bytes(statement, column);
      fputs("X'", stdout);
      for (int i = 0; i < length; i++) printf("%02X", bytes[i]);
      putchar('\'');
      break;
    }
    default: fputs("NULL", stdout); break;
  }
}

/* Steps one prepared statement to its end, printing its rows; prints its error, if any; then flushes. */
static void run_statement(sqlite3 *db, sqlite3_stmt *statement) {
  int columns = sqlite3_column_count(statement), rc, rows = 0;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    rows++;
    for (int i = 0; i < columns; i++) {
      if (i > 0) putchar('|');
      print_value(statement, i);
    }
    putchar('\n');
  }
  if (rc != SQLITE_DONE) printf("error: %s\n", sqlite3_errmsg(db));
  /* A reader of the output sees each statement's rows once it has run (the crash test counts commits so). */
  if (rows > 0 || rc != SQLITE_DONE) fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: sqlite-shell DATABASE [SCRIPT]\n");
    return 2;
  }
  /* stdio's default 1 KiB buffer would make a system call (a DIOS call) per KiB of rows (musl ignores a size without a buffer). */
  static char output_buffer[1 << 16];
  setvbuf(stdout, output_buffer, _IOFBF, sizeof output_buffer);
  FILE *input = stdin;
  if (argc == 3 && strcmp(argv[2], "-") != 0) input = fopen(argv[2], "rb");
  char *script = input == NULL ? NULL : read_all(input);
  if (script == NULL) {
    fprintf(stderr, "sqlite-shell: cannot read the script %s\n", argc == 3 ? argv[2] : "from standard input");
    return 2;
  }
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "unix-none");
  if (rc != SQLITE_OK) {
    fprintf(stderr, "sqlite-shell: cannot open %s: %s\n", argv[1], db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return 1;
  }
  int status = 0;
  const char *next = script;
  while (*next != '\0') {
    sqlite3_stmt *statement = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(db, next, -1, &statement, &tail) != SQLITE_OK) {
      fprintf(stderr, "sqlite-shell: %s\n", sqlite3_errmsg(db));
      status = 1;
      break;
    }
    /* A statement is NULL for a stretch of only white space or comments. */
    if (statement != NULL) {
      run_statement(db, statement);
      sqlite3_finalize(statement);
    }
    next = tail;
  }
  if (sqlite3_close(db) != SQLITE_OK) status = 1;
  free(script);
  if (fflush(stdout) != 0) status = 1;
  return status;
}
