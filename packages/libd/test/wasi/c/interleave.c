// Lines to stdout and stderr in turn (each flushed), then argv[1] numbered lines to stdout.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  for (int i = 0; i < 3; i++) {
    printf("out %d\n", i);
    fflush(stdout);
    fprintf(stderr, "err %d\n", i);
  }
  int lines = argc > 1 ? atoi(argv[1]) : 0;
  for (int i = 0; i < lines; i++) printf("line %06d\n", i);
  return 0;
}
