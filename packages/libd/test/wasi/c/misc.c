// Clocks, random numbers, poll_oneoff with a timeout, and out-of-bounds pointers given to raw WASI calls.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wasi/api.h>

// path_open as the import it is (wasi-libc's wrapper takes a C string and would read it first).
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags, int64_t base,
                      int64_t inheriting, int32_t fdflags, int32_t fd_out)
    __attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open")));

int main(void) {
  struct timespec t0, t1, now;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_REALTIME, &now);
  printf("realtime after 2020: %d\n", now.tv_sec > 1577836800);
  // nanosleep is a poll_oneoff with one clock subscription.
  struct timespec pause = {0, 30 * 1000 * 1000};
  printf("nanosleep: %d\n", nanosleep(&pause, NULL));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long waited = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  printf("monotonic waited >= 30ms: %d\n", waited >= 30 * 1000 * 1000);
  uint8_t a[64], b[64];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  (void)__wasi_random_get(a, sizeof a);
  (void)__wasi_random_get(b, sizeof b);
  printf("random differs: %d\n", memcmp(a, b, sizeof a) != 0);
  // Out-of-bounds pointers and lengths: EFAULT (21), never a crash.
  __wasi_size_t n = 0;
  __wasi_ciovec_t bad = {(const uint8_t *)0xfffffff0u, 64};
  printf("fd_write bad iovec buffer: %d\n", __wasi_fd_write(1, &bad, 1, &n));
  printf("fd_write bad iovec array: %d\n", __wasi_fd_write(1, (const __wasi_ciovec_t *)0xfffffff0u, 4, &n));
  printf("random_get bad buffer: %d\n", __wasi_random_get((uint8_t *)0xffffff00u, 4096));
  printf("clock_time_get bad out: %d\n", __wasi_clock_time_get(0, 1, (__wasi_timestamp_t *)0xfffffffcu));
  printf("path_open bad path: %d\n",
         raw_path_open(3, 0, (int32_t)0xfffffff0u, 64, 0, 0, 0, 0, (int32_t)(uintptr_t)&n));
  printf("fd_close bad fd: %d\n", __wasi_fd_close(99));
  printf("fd_renumber (not implemented): %d\n", __wasi_fd_renumber(1, 2));
  printf("clock_time_get bad clock: %d\n", __wasi_clock_time_get(9, 1, (__wasi_timestamp_t *)&t0));
  return 0;
}
