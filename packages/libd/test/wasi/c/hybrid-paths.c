// A file written with POSIX calls read through DIOS calls by its path's name, and a DIOS write read back with read(2).
#include <dios.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int32_t at_path(const char *path) {
  dios_name_t name;
  int32_t ref = -1;
  uint32_t n = 0;
  if (dios_path_name(path, strlen(path), &name) != 0 || dios_lookup(&name, 0, &ref, 1, &n) != 0 || n != 1) return -1;
  return ref;
}

int main(void) {
  const char *text = "written with write(2)";
  int fd = open("/hybrid.txt", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  write(fd, text, strlen(text));
  close(fd);
  int32_t ref = at_path("/hybrid.txt");
  if (ref < 0) return 1;
  char buf[64] = {0};
  uint32_t got = 0, token = 0;
  if (dios_begin_read(ref, 0, sizeof buf - 1, 0, buf, &got, &token) != 0 || dios_end_read(ref, token, 0, NULL) != 0)
    return 2;
  printf("via DIOS: %.*s\n", (int)got, buf);
  const char *mine = "written with DIOS";
  if (dios_begin_write(ref, strlen(mine), 0, 1, 0, &token) != 0 ||
      dios_end_write(ref, token, mine, strlen(mine), 0, NULL) != 0)
    return 3;
  dios_delete(ref, DIOS_DELETE_DROP);
  memset(buf, 0, sizeof buf);
  fd = open("/hybrid.txt", O_RDONLY);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  printf("via open: %.*s\n", (int)n, buf);
  return 0;
}
