/*
 * fuzz.h - what the libFuzzer harnesses share (prefix fz_): the input as
 * a C string, and the tiny world the checkpoint harness restores into
 * (the seed tool writes its checkpoint, so the seed fits that world).
 * Every harness calls the library in memory: no file is read or written
 * per input.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "scoresim.h"

/* data[0 .. size) copied with a NUL after it (malloc'd; the caller frees
 * it): readers that take a C string see what a file's reader would. */
char *fz_cstring(const uint8_t *data, size_t size);

/* The scenario of the tiny world (finished; the same every call, owned
 * by the caller): 60 agents, a household layer and a small-world layer, so
 * that a checkpoint of it is a few KiB and builds in microseconds. NULL,
 * after printing why, if it does not load. */
struct scenario *fz_tiny_scenario(void);

/* Abort with the message if rc is not SS_OK: a harness's own setup must
 * not fail silently (that would fuzz nothing). */
void fz_must(int rc, const struct ss_error *err, const char *what);

#endif
