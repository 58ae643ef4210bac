/*
 * error.h - the one error path. Every failure in the library is recorded
 * here with its place (file, line, column) and cause, then returned as a
 * status code up the call chain. The library never prints and never exits.
 */
#ifndef ERROR_H
#define ERROR_H

#include "scoresim.h"

#if defined(__GNUC__)
#define ERR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ERR_PRINTF(a, b)
#endif

/* Record an error and return code, so callers can write
 * "return err_set(err, SS_EINPUT, path, line, col, "...", ...);".
 * file may be NULL. A NULL err is allowed and records nothing. */
int err_set(struct ss_error *err, int code, const char *file, int line, int col, const char *fmt,
            ...) ERR_PRINTF(6, 7);

/* Shorthand for an error with no place in a file. */
int err_msg(struct ss_error *err, int code, const char *fmt, ...) ERR_PRINTF(3, 4);

/* Out of memory while doing `what` ("building the work layer"). */
int err_nomem(struct ss_error *err, const char *what);

/* Clear to SS_OK. */
void err_clear(struct ss_error *err);

#endif
