// Ways to die: a trap, an out-of-bounds access, abort, exit with a status.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *how = argc > 1 ? argv[1] : "";
  printf("before\n");
  fflush(stdout);
  if (strcmp(how, "unreachable") == 0) __builtin_trap();
  if (strcmp(how, "oob") == 0) {
    volatile int *p = (volatile int *)0xfffffff0u;
    return *p;
  }
  if (strcmp(how, "abort") == 0) abort();
  if (strcmp(how, "exit") == 0) exit(42);
  return 0;
}
