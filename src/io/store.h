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
/* The database of a run with checkpoints until it finishes: a run killed
 * goes on from it (scoresim resume). */
#define STORE_PARTIAL_NAME "." STORE_DB_NAME ".partial"

/* Every table a results.sqlite may hold (a run's, a sweep's, a
 * comparison's), NULL-terminated: beside each is its CSV, <table>.csv. */
extern const char *const store_tables[];

/* Whether dir holds results: results.sqlite, report.html, the CSV of a
 * table of store_tables, or a runs/ folder (a sweep's). 1 and the first
 * found in found (size bytes) if it does; 0 if not, also when dir does not
 * exist. */
int store_holds_results(const char *dir, char *found, size_t size);

/* The folder to use for a default name: base, then base_2, base_3, ...,
 * the first for which usable(dir, ud) returns 1 (a usable callback may
 * also return an SS_* error status, negated, to stop the search), into out.
 * SS_EINPUT if none of the first 9,999 is usable or the name does not fit. */
int store_pick_dir(const char *base, char *out, size_t size,
                   int (*usable)(const char *dir, void *ud), void *ud, struct ss_error *err);

/* Remove what earlier results left in dir, except the files named in keep
 * (NULL-terminated, names within dir; NULL keeps nothing): results.sqlite
 * and its journals, report.html, the CSVs of store_tables, the lock, and
 * runs/ with what it holds. A file that is not there is fine. SS_EIO
 * naming the first that cannot be removed. */
int store_clear_results(const char *dir, const char *const *keep, struct ss_error *err);

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
/* CSV, beside every table: <table>.csv in the results folder, a header
 * line of the column names, then one line per row in the table's order;
 * fields quoted (RFC 4180) only when they hold a comma, quote or line
 * break; integers in decimal, reals with 17 significant digits (they read
 * back to the same bits), NULL as an empty field. */

/* The CSV of each of tables (NULL-terminated) of db, each written to
 * dir/.<table>.csv.tmp-<pid>, synced, then all renamed into place. On
 * failure no temporary file is left and SS_EIO names the file. */
int store_csv_write(struct sqlite3 *db, const char *dir, const char *const *tables,
                    struct ss_error *err);
/* store_csv_write of every table of db that store_tables names. */
int store_csv_all(struct sqlite3 *db, const char *dir, struct ss_error *err);
/* Remove dir/<table>.csv of each of tables (undoing store_csv_write). */
void store_csv_remove(const char *dir, const char *const *tables);

/* Bind v as parameter k, or NULL when v is NaN (not measured). */
void store_bind_real(struct sqlite3_stmt *st, int k, double v);

#endif
