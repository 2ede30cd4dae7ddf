/* Reads one byte of stdin: blocks while stdin stays open and empty. */
#include <unistd.h>

int main(void) {
  char byte;
  return read(0, &byte, 1) == 1 ? 0 : 1;
}
