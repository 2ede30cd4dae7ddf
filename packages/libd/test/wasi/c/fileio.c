// File calls through wasi-libc, printing one line per step so the test can compare a transcript.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *what, long r) {
  if (r < 0) printf("%s: -1 %s\n", what, strerror(errno));
  else printf("%s: %ld\n", what, r);
}

static void list(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    printf("opendir %s: %s\n", dir, strerror(errno));
    return;
  }
  // Sorted output: collect the names, then print them in order.
  char names[32][64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 32) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    snprintf(names[n++], 64, "%s%s", e->d_name, e->d_type == DT_DIR ? "/" : "");
  }
  closedir(d);
  qsort(names, n, 64, (int (*)(const void *, const void *))strcmp);
  printf("ls %s:", dir);
  for (int i = 0; i < n; i++) printf(" %s", names[i]);
  printf("\n");
}

int main(void) {
  char buf[64];
  int fd = open("/t/a.txt", O_CREAT | O_RDWR, 0644);
  show("open in missing dir", fd);
  show("mkdir /t", mkdir("/t", 0755));
  show("mkdir /t again", mkdir("/t", 0755));
  fd = open("/t/a.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  show("open", fd >= 3);
  show("write", write(fd, "hello, world\n", 13));
  show("lseek end", lseek(fd, 0, SEEK_END));
  show("lseek set", lseek(fd, 7, SEEK_SET));
  memset(buf, 0, sizeof buf);
  show("read", read(fd, buf, 5));
  printf("got [%s]\n", buf);
  show("pwrite", pwrite(fd, "WORLD", 5, 7));
  memset(buf, 0, sizeof buf);
  show("pread", pread(fd, buf, 13, 0));
  printf("got [%s]\n", buf);
  show("pwrite past end", pwrite(fd, "!", 1, 20));
  struct stat st;
  show("fstat", fstat(fd, &st));
  printf("size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
  show("ftruncate", ftruncate(fd, 5));
  show("fsync", fsync(fd));
  show("close", close(fd));
  show("stat", stat("/t/a.txt", &st));
  printf("size %lld\n", (long long)st.st_size);
  show("stat dir", stat("/t", &st));
  printf("dir %d\n", S_ISDIR(st.st_mode));
  show("stat missing", stat("/t/none", &st));
  show("open excl", open("/t/a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
  show("open missing", open("/t/none", O_RDONLY));
  show("open dir for writing", open("/t", O_WRONLY));
  show("open file as dir", open("/t/a.txt/", O_RDONLY));
  show("mkdir /t/sub", mkdir("/t/sub", 0755));
  list("/t");
  show("rename", rename("/t/a.txt", "/t/sub/b.txt"));
  list("/t");
  list("/t/sub");
  fd = open("/t/sub/b.txt", O_RDONLY);
  memset(buf, 0, sizeof buf);
  show("read renamed", read(fd, buf, sizeof buf - 1));
  printf("got [%s]\n", buf);
  close(fd);
  show("rmdir non-empty", rmdir("/t/sub"));
  show("unlink dir", unlink("/t/sub"));
  show("rmdir file", rmdir("/t/sub/b.txt"));
  show("unlink", unlink("/t/sub/b.txt"));
  show("unlink again", unlink("/t/sub/b.txt"));
  show("rmdir", rmdir("/t/sub"));
  list("/t");
  show("rename dir", rename("/t", "/u"));
  list("/");
  // Appending through two descriptors of one file: both see one write-behind buffer.
  int a = open("/u/log", O_CREAT | O_WRONLY | O_APPEND, 0644);
  int b = open("/u/log", O_WRONLY | O_APPEND);
  write(a, "one\n", 4);
  write(b, "two\n", 4);
  write(a, "three\n", 6);
  close(a);
  int r = open("/u/log", O_RDONLY);
  memset(buf, 0, sizeof buf);
  show("read log", read(r, buf, sizeof buf - 1));
  printf("got [%s]\n", buf);
  close(r);
  close(b);
  return 0;
}
