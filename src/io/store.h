/*
 * store.h - what the modules that write results to disk share (output.c
 * for a run, experiment/ for sweeps and comparisons): creating a results
 * folder, and SQLite calls that report through the error path.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>

#include "core/error.h"

/* The database every results folder holds: a run's, a sweep's, a
 * comparison's. */
#define STORE_DB_NAME "results.sqlite"

/* mkdir -p: create dir and any missing parents. SS_EIO naming the folder
 * (and the parent that failed) when it cannot, or when dir is a file. */
int store_mkdirs(const char *dir, struct ss_error *err);

struct sqlite3; /* sqlite3.h stays private to the .c files */
struct sqlite3_stmt;

/* Each SQLite failure is SS_EIO "<what> <file>: <SQLite's message>", as in
 * "writing results/x/results.sqlite: database or disk is full". */
int store_db_err(struct sqlite3 *db, struct ss_error *err, const char *what);
/* Run sql, statements that return no rows. */
int store_exec(struct sqlite3 *db, const char *sql, struct ss_error *err);
/* Prepare sql into *st (NULL on failure). */
int store_prepare(struct sqlite3 *db, const char *sql, struct sqlite3_stmt **st,
                  struct ss_error *err);
/* Step a statement that returns no rows, then reset it for the next. */
int store_step_done(struct sqlite3 *db, struct sqlite3_stmt *st, struct ss_error *err);
/* End the open transaction: COMMIT if rc is SS_OK (and return how that
 * went), else ROLLBACK and return rc. */
int store_end(struct sqlite3 *db, int rc, struct ss_error *err);
/* Whether db has a table called name. */
int store_has_table(struct sqlite3 *db, const char *name, int *has, struct ss_error *err);
/* Bind v as parameter k, or NULL when v is NaN (not measured). */
void store_bind_real(struct sqlite3_stmt *st, int k, double v);

#endif
