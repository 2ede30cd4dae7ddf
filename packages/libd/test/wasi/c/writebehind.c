// Random pwrite/pread/ftruncate/fsync on one file through two descriptors, checked against a model in memory:
// the write-behind buffer (merged ranges, flushes past 1 MiB, holes read as zeros) must read back what POSIX would.
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SIZE (3 << 20)

static uint32_t state;
static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

static unsigned char model[MAX_SIZE], buf[MAX_SIZE];
static long size = 0;

static int check(int fd, long off, long len, int step) {
  long want = off >= size ? 0 : (off + len > size ? size - off : len);
  ssize_t got = pread(fd, buf, len, off);
  if (got != want || memcmp(buf, model + off, want) != 0) {
    printf("step %d: pread(%ld, %ld) gave %zd bytes, expected %ld\n", step, off, len, got, want);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  state = argc > 1 ? (uint32_t)atoi(argv[1]) : 1;
  int ops = argc > 2 ? atoi(argv[2]) : 2000;
  int a = open("/wb.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
  int b = open("/wb.bin", O_RDWR);
  for (int step = 0; step < ops; step++) {
    uint32_t r = next() % 100;
    int fd = next() & 1 ? a : b;
    // Offsets cluster near earlier writes and the end, so that ranges adjoin, overlap and append.
    long off = next() % 3 == 0 ? size : (long)(next() % (size + 70000 + 1));
    long len = next() % 4 == 0 ? (long)(next() % 300000) : (long)(next() % 5000);
    if (off + len > MAX_SIZE) len = MAX_SIZE - off;
    if (off > MAX_SIZE) continue;
    if (r < 55) {
      for (long i = 0; i < len; i++) buf[i] = (unsigned char)next();
      if (pwrite(fd, buf, len, off) != len) {
        printf("step %d: pwrite failed\n", step);
        return 1;
      }
      if (off > size) memset(model + size, 0, off - size);
      memcpy(model + off, buf, len);
      if (off + len > size) size = off + len;
    } else if (r < 90) {
      if (check(fd, off, len, step)) return 1;
    } else if (r < 95) {
      long to = (long)(next() % (size + 1000));
      if (to > MAX_SIZE) to = MAX_SIZE;
      if (ftruncate(fd, to) != 0) {
        printf("step %d: ftruncate failed\n", step);
        return 1;
      }
      if (to > size) memset(model + size, 0, to - size);
      size = to;
    } else if (fsync(fd) != 0) {
      printf("step %d: fsync failed\n", step);
      return 1;
    }
    struct stat st;
    fstat(fd, &st);
    if (st.st_size != size) {
      printf("step %d: size %lld, expected %ld\n", step, (long long)st.st_size, size);
      return 1;
    }
  }
  if (close(a) != 0 || close(b) != 0) {
    printf("close failed\n");
    return 1;
  }
  int c = open("/wb.bin", O_RDONLY);
  if (check(c, 0, MAX_SIZE, -1)) return 1;
  printf("ok %ld\n", size);
  return 0;
}
