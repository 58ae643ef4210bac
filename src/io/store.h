/*
 * store.h - what the modules that write results to disk share (output.c
 * for a run, experiment*.c for sweeps and comparisons): creating a results
 * folder and building SQL text of bounded size.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>

#include "core/error.h"

/* mkdir -p: create dir and any missing parents. SS_EIO naming the folder
 * (and the parent that failed) when it cannot, or when dir is a file. */
int store_mkdirs(const char *dir, struct ss_error *err);

/* SQL text of bounded size; overflow is checked once at the end.
 * Superseded by struct sbuf (core/strbuf.h), which has no bound: kept
 * only until output.c, its last user, moves to sbuf; then it goes. */
struct store_sql {
    char s[16384]; /* the text */
    size_t n;      /* length so far */
    int overflow;  /* set when the text did not fit */
};

/* Append to the text; past the end, set overflow and keep nothing more. */
void store_sql_add(struct store_sql *b, const char *fmt, ...) ERR_PRINTF(2, 3);

#endif
