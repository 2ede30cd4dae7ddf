// poll(2) (poll_oneoff with fd subscriptions and a clock timeout) on stdin, stdout and a regular file.
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>

int main(void) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct pollfd in = {0, POLLIN, 0};
  int r = poll(&in, 1, 80);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  printf("stdin: %d %s%s\n", r, in.revents & POLLIN ? "POLLIN" : "-", r == 0 && ms >= 80 ? " after the timeout" : "");
  struct pollfd out = {1, POLLOUT, 0};
  r = poll(&out, 1, 80);
  printf("stdout: %d %s\n", r, out.revents & POLLOUT ? "POLLOUT" : "-");
  int fd = open("/polled", O_CREAT | O_RDWR, 0644);
  struct pollfd file = {fd, POLLIN | POLLOUT, 0};
  r = poll(&file, 1, 0);
  printf("file: %d %s %s\n", r, file.revents & POLLIN ? "POLLIN" : "-", file.revents & POLLOUT ? "POLLOUT" : "-");
  return 0;
}
