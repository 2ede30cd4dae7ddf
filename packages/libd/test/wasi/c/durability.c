// Writes before an fsync are committed when fsync returns, not before: the blob is read through DIOS calls beside.
#include <dios.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint64_t committed(const char *path) {
  dios_name_t name;
  int32_t ref;
  uint32_t n = 0;
  uint64_t size = 0;
  dios_path_name(path, strlen(path), &name);
  if (dios_lookup(&name, 0, &ref, 1, &n) != 0 || n == 0) return (uint64_t)-1;
  dios_ref_size(ref, &size);
  dios_delete(ref, DIOS_DELETE_DROP);
  return size;
}

int main(void) {
  int fd = open("/journal", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  for (int i = 0; i < 100; i++) write(fd, "0123456789", 10);
  printf("before fsync: %llu\n", (unsigned long long)committed("/journal"));
  fsync(fd);
  printf("after fsync: %llu\n", (unsigned long long)committed("/journal"));
  write(fd, "tail", 4);
  printf("after a write: %llu\n", (unsigned long long)committed("/journal"));
  close(fd);
  printf("after close: %llu\n", (unsigned long long)committed("/journal"));
  int sync = open("/synced", O_CREAT | O_WRONLY | O_DSYNC, 0644);
  write(sync, "abc", 3);
  printf("O_DSYNC write: %llu\n", (unsigned long long)committed("/synced"));
  // Unlinked while open: the descriptor still closes.
  unlink("/synced");
  printf("close after unlink: %d\n", close(sync));
  fd = open("/journal", O_WRONLY | O_APPEND);
  write(fd, "!", 1);
  // No close, no fsync: exit commits it.
  return 0;
}
