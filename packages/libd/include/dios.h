/*
 * dios.h: the DIOS system calls for C programs compiled to WebAssembly
 * (clang --target=wasm32-wasi). A program that calls any of these imports
 * module "dios" and runs as a hybrid process: DIOS calls beside its POSIX
 * (WASI) calls. The functions are provided by @dios/libd/wasi.
 *
 * The ABI:
 * - handles (references) are int32_t;
 * - names are dios_name_t, 32 bytes (dios_name_parse reads the 64-hex-digit
 *   form the kernel prints);
 * - every call returns 0 or a WASI errno (the numbers of <wasi/api.h>:
 *   __WASI_ERRNO_NOENT is 44, ...) and passes results out through pointers;
 * - WebAssembly memory cannot be lent to the kernel, so buffers are copied:
 *   dios_begin_read copies the lent bytes into the caller's buffer and
 *   returns a token that dios_end_read takes; dios_begin_write returns a
 *   token, and dios_end_write copies the caller's bytes into the lent buffer
 *   and commits them.
 * Each call blocks the program until the kernel has answered.
 */
#ifndef DIOS_H
#define DIOS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DIOS_IMPORT(name) __attribute__((import_module("dios"), import_name(name)))

/** An object's name: 32 bytes. */
typedef struct dios_name {
  uint8_t bytes[32];
} dios_name_t;

/* Object types, for dios_create. */
#define DIOS_TYPE_PRIVATE_MEMORY_BLOB 0
#define DIOS_TYPE_SHARED_MEMORY_BLOB 1
#define DIOS_TYPE_DURABLE_BLOB 2
#define DIOS_TYPE_SHARED_MEMORY_STREAM 3

/* Lifecycles, for dios_create (0: the type's default). */
#define DIOS_LIFECYCLE_DEFAULT 0
#define DIOS_LIFECYCLE_IMMORTAL 1
#define DIOS_LIFECYCLE_SINGLE_DELETE 2
#define DIOS_LIFECYCLE_REFCOUNTED 3

/* Flags (the values of the TypeScript API's flag objects). */
#define DIOS_CREATE_NAME_DETERMINISTIC 0x1
#define DIOS_LOOKUP_LOCAL_ONLY 0x1
#define DIOS_DELETE_EXIT_SUCCESS 0x1
#define DIOS_DELETE_EXIT_FAILURE 0x2
#define DIOS_DELETE_DROP 0x4
#define DIOS_SELECT_WRITE 0x1
#define DIOS_BEGIN_READ_NONBLOCK 0x1
#define DIOS_BEGIN_WRITE_NONBLOCK 0x1
#define DIOS_BEGIN_WRITE_APPEND 0x2
#define DIOS_END_WRITE_DISCARD 0x1

/* Rights, for dios_copy; DIOS_RIGHTS_SAME keeps the source's. */
#define DIOS_RIGHT_READ 0x1
#define DIOS_RIGHT_WRITE 0x2
#define DIOS_RIGHT_EXEC 0x4
#define DIOS_RIGHT_DELEGATE 0x8
#define DIOS_RIGHTS_SAME UINT32_MAX

/** create: a new object of `type`; its name is seeded from `seed` (seed_len bytes; none when 0) with DIOS_CREATE_NAME_DETERMINISTIC. `name_out` may be NULL. */
int32_t dios_create(uint32_t type, const char *seed, uint32_t seed_len, uint32_t lifecycle, uint32_t flags,
                    dios_name_t *name_out, int32_t *ref_out) DIOS_IMPORT("dios_create");

/** lookup: up to `max` references to the object named `name` into `refs_out` (local copies first); how many in `count_out`. */
int32_t dios_lookup(const dios_name_t *name, uint32_t flags, int32_t *refs_out, uint32_t max, uint32_t *count_out)
    DIOS_IMPORT("dios_lookup");

/** copy: gives `count` references to task `target`, with `rights` (or DIOS_RIGHTS_SAME); their handles there in `out`. */
int32_t dios_copy(const int32_t *refs, uint32_t count, int32_t target, uint32_t rights, uint32_t flags, int32_t *out)
    DIOS_IMPORT("dios_copy");

/** delete: drops reference `ref` (deleting the task's own reference exits). */
int32_t dios_delete(int32_t ref, uint32_t flags) DIOS_IMPORT("dios_delete");

/** run: starts a task from `binary` with `argc` arguments and the given inputs and outputs; its reference in `task_out`. */
int32_t dios_run(int32_t binary, const char *const *argv, uint32_t argc, const int32_t *inputs, uint32_t input_count,
                 const int32_t *outputs, uint32_t output_count, uint32_t flags, int32_t *task_out)
    DIOS_IMPORT("dios_run");

/** pause: suspends task `task` (or resumes it, with the kernel's RESUME flag). */
int32_t dios_pause(int32_t task, uint32_t flags) DIOS_IMPORT("dios_pause");

/** select: waits until one of `refs` is ready (timeout_ms < 0: for ever); its handle in `ready_out`. A timeout returns __WASI_ERRNO_TIMEDOUT. */
int32_t dios_select(const int32_t *refs, uint32_t count, int64_t timeout_ms, uint32_t flags, int32_t *ready_out)
    DIOS_IMPORT("dios_select");

/** begin_read: copies up to `length` bytes at `offset` (0 for streams) into `buf`; how many in `nread_out`, the read's token in `token_out`. */
int32_t dios_begin_read(int32_t ref, uint64_t offset, uint32_t length, uint32_t flags, void *buf, uint32_t *nread_out,
                        uint32_t *token_out) DIOS_IMPORT("dios_begin_read");

/** end_read: ends the read `token`; whether it was consistent in `valid_out` (may be NULL). */
int32_t dios_end_read(int32_t ref, uint32_t token, uint32_t flags, int32_t *valid_out) DIOS_IMPORT("dios_end_read");

/** begin_write: starts a write of `length` bytes at `offset` (< 0: none, as for streams), cutting the blob there when `truncate`; its token in `token_out`. */
int32_t dios_begin_write(int32_t ref, uint32_t length, int64_t offset, uint32_t truncate, uint32_t flags,
                         uint32_t *token_out) DIOS_IMPORT("dios_begin_write");

/** end_write: commits `length` bytes from `bytes` (at most the length begun) as write `token`; the new version in `version_out` (may be NULL). */
int32_t dios_end_write(int32_t ref, uint32_t token, const void *bytes, uint32_t length, uint32_t flags,
                       uint64_t *version_out) DIOS_IMPORT("dios_end_write");

/* Helpers: what the task was started with, and libd's rule for paths. */

/** The task's input references (up to `max`); how many in `count_out`. */
int32_t dios_inputs(int32_t *refs_out, uint32_t max, uint32_t *count_out) DIOS_IMPORT("dios_inputs");

/** The task's output references (up to `max`); how many in `count_out`. */
int32_t dios_outputs(int32_t *refs_out, uint32_t max, uint32_t *count_out) DIOS_IMPORT("dios_outputs");

/** The task's reference to itself. */
int32_t dios_self(int32_t *ref_out) DIOS_IMPORT("dios_self");

/** The size in bytes of the object `ref` refers to, as last known. */
int32_t dios_ref_size(int32_t ref, uint64_t *size_out) DIOS_IMPORT("dios_ref_size");

/** The name of the object at `path` (path_len bytes) in the task's first group: the file fopen or open(2) would open. */
int32_t dios_path_name(const char *path, uint32_t path_len, dios_name_t *name_out) DIOS_IMPORT("dios_path_name");

/** Parses 64 hex digits (either case) into `name`; 0 on success, -1 when `hex` is not such a string. */
static inline int dios_name_parse(const char *hex, dios_name_t *name) {
  for (int i = 0; i < 64; i++) {
    char c = hex[i];
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) return -1;
    if (i % 2 == 0) name->bytes[i / 2] = (uint8_t)(v << 4);
    else name->bytes[i / 2] |= (uint8_t)v;
  }
  return hex[64] == '\0' ? 0 : -1;
}

#undef DIOS_IMPORT

#ifdef __cplusplus
}
#endif

#endif /* DIOS_H */
