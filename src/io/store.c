/*
 * store.c - results folders (creating them, telling whether one holds
 * results, choosing a fresh one, clearing one that is to be replaced),
 * SQLite calls through the error path, and the CSV beside every table
 * (see store.h): the one CSV writer, for a run's tables and an
 * experiment's alike.
 */
#include "io/store.h"
#include "io/sqlmem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sys.h"
#include "scenario/params.h"

const char *const store_tables[] = {
    "run", "groups", "layers", "schedule", "daily", "daily_layer", "agents", "agent_degree",
    "experiment", "points", "runs", "summary", "comparison", "differences", "ratios",
    /* a sensitivity analysis's (experiment/sensitivity.c) */
    "sensitivity_design", "sensitivity_params", "sensitivity_points", "sensitivity_outputs",
    "sensitivity", "sensitivity_noise", NULL};

static int store_exists(const char *dir, const char *name)
{
    char path[MAX_PATH + 64];
    struct stat st;
    int k = snprintf(path, sizeof path, "%s/%s", dir, name);
    return k > 0 && (size_t)k < sizeof path && lstat(path, &st) == 0;
}

int store_holds_results(const char *dir, char *found, size_t size)
{
    static const char *const files[] = {STORE_DB_NAME, STORE_PARTIAL_NAME, "report.html", "runs"};
    char csv[64];
    if (size) found[0] = '\0';
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (store_exists(dir, files[i])) {
            snprintf(found, size, "%s", files[i]);
            return 1;
        }
    for (size_t i = 0; store_tables[i]; i++) {
        snprintf(csv, sizeof csv, "%s.csv", store_tables[i]);
        if (store_exists(dir, csv)) {
            snprintf(found, size, "%s", csv);
            return 1;
        }
    }
    return 0;
}

int store_pick_dir(const char *base, char *out, size_t size,
                   int (*usable)(const char *dir, void *ud), void *ud, struct ss_error *err)
{
    for (int k = 1; k < 10000; k++) {
        int n = k == 1 ? snprintf(out, size, "%s", base) : snprintf(out, size, "%s_%d", base, k);
        if (n < 0 || (size_t)n >= size)
            return err_msg(err, SS_EINPUT, "results folder path too long: %s", base);
        int u = usable(out, ud);
        if (u < 0) return -u;
        if (u) return SS_OK;
    }
    return err_msg(
        err, SS_EINPUT,
        "%s and its 9,998 numbered siblings (_2, _3, ...) all hold other results: give --out",
        base);
}

/* Remove dir/name (a file, or a folder of files and folders of files). */
static int store_remove(const char *dir, const char *name, struct ss_error *err)
{
    char path[MAX_PATH + 300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    if (lstat(path, &st) != 0) return SS_OK;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        const struct dirent *e;
        int rc = SS_OK;
        while (d && rc == SS_OK && (e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                rc = store_remove(path, e->d_name, err);
        if (d) closedir(d);
        if (rc != SS_OK) return rc;
        if (rmdir(path) != 0)
            return err_msg(err, SS_EIO, "cannot remove %s: %s", path, strerror(errno));
        return SS_OK;
    }
    if (unlink(path) != 0)
        return err_msg(err, SS_EIO, "cannot remove %s: %s", path, strerror(errno));
    return SS_OK;
}

static int store_kept(const char *const *keep, const char *name)
{
    for (size_t k = 0; keep && keep[k]; k++)
        if (!strcmp(keep[k], name)) return 1;
    return 0;
}

int store_clear_results(const char *dir, const char *const *keep, struct ss_error *err)
{
    static const char *const files[] = {STORE_DB_NAME,
                                        STORE_DB_NAME "-wal",
                                        STORE_DB_NAME "-shm",
                                        STORE_DB_NAME "-journal",
                                        STORE_PARTIAL_NAME,
                                        STORE_PARTIAL_NAME "-journal",
                                        "report.html",
                                        ".lock",
                                        "runs"};
    int rc = SS_OK;
    for (size_t i = 0; rc == SS_OK && i < sizeof files / sizeof files[0]; i++)
        if (!store_kept(keep, files[i])) rc = store_remove(dir, files[i], err);
    for (size_t t = 0; rc == SS_OK && store_tables[t]; t++) {
        char csv[64];
        snprintf(csv, sizeof csv, "%s.csv", store_tables[t]);
        if (!store_kept(keep, csv)) rc = store_remove(dir, csv, err);
    }
    return rc;
}

int store_mkdirs(const char *dir, struct ss_error *err)
{
    char path[MAX_PATH];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path)
        return err_msg(err, SS_EIO, "results folder path is empty or longer than %d bytes: %s",
                       MAX_PATH - 1, dir);
    memcpy(path, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if ((path[i] != '/' && path[i] != '\0') || path[i - 1] == '/') continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            if (i == n)
                return err_msg(err, SS_EIO, "cannot create results folder %s: %s", dir,
                               strerror(e));
            return err_msg(err, SS_EIO, "cannot create results folder %s: creating %s: %s", dir,
                           path, strerror(e));
        }
        path[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0)
        return err_msg(err, SS_EIO, "cannot create results folder %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return err_msg(err, SS_EIO, "cannot create results folder %s: %s", dir, strerror(ENOTDIR));
    return SS_OK;
}

int store_db_err(sqlite3 *db, struct ss_error *err, const char *what)
{
    if (!db) /* a failed open leaves none when it could not allocate one */
        return err_msg(err, SS_ENOMEM, "out of memory while %s a database", what);
    const char *file = sqlite3_db_filename(db, "main");
    if (sqlmem_nomem(db))
        return err_msg(err, SS_ENOMEM, "out of memory while %s %s", what,
                       file && file[0] ? file : "the database");
    return err_msg(err, SS_EIO, "%s %s: %s", what, file && file[0] ? file : "the database",
                   sqlite3_errmsg(db));
}

int store_exec(sqlite3 *db, const char *sql, struct ss_error *err)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_db_err(db, err, "writing");
    return SS_OK;
}

int store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct ss_error *err)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return store_db_err(db, err, "reading");
    }
    return SS_OK;
}

int store_step_done(sqlite3 *db, sqlite3_stmt *st, struct ss_error *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? SS_OK : store_db_err(db, err, "writing");
    sqlite3_reset(st);
    return rc;
}

int store_end(sqlite3 *db, int rc, struct ss_error *err)
{
    if (rc == SS_OK) return store_exec(db, "COMMIT", err);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

void store_bind_real(sqlite3_stmt *st, int k, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, k);
    else
        sqlite3_bind_double(st, k, v);
}

int store_has_table(struct sqlite3 *db, const char *name, int *has, struct ss_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", &st,
                           err);
    if (rc) return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    *has = step == SQLITE_ROW;
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE) return store_db_err(db, err, "reading");
    return SS_OK;
}

/* ---- CSV ---------------------------------------------------------------- */

/* A field, quoted only when it holds a separator, quote or line break. */
static void store_csv_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void store_csv_path(char *buf, size_t size, const char *dir, const char *table, int tmp)
{
    if (tmp)
        snprintf(buf, size, "%s/.%s.csv.tmp-%ld", dir, table, (long)getpid());
    else
        snprintf(buf, size, "%s/%s.csv", dir, table);
}

/* One table into path. */
static int store_csv_table(sqlite3 *db, const char *table, const char *path, struct ss_error *err)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", table);
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, sql, &st, err);
    if (rc) return rc;
    FILE *f = fopen(path, "w");
    if (!f) {
        rc = err_msg(err, SS_EIO, "cannot create %s: %s", path, strerror(errno));
        sqlite3_finalize(st);
        return rc;
    }
    int nc = sqlite3_column_count(st);
    for (int i = 0; i < nc; i++) {
        if (i) fputc(',', f);
        store_csv_text(f, sqlite3_column_name(st, i));
    }
    fputc('\n', f);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < nc; i++) {
            if (i) fputc(',', f);
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                fprintf(f, "%lld", (long long)sqlite3_column_int64(st, i));
                break;
            case SQLITE_FLOAT:
                fprintf(f, "%.17g", sqlite3_column_double(st, i));
                break;
            case SQLITE_TEXT:
                store_csv_text(f, (const char *)sqlite3_column_text(st, i));
                break;
            default:
                break;
            }
        }
        fputc('\n', f);
    }
    if (s != SQLITE_DONE) rc = store_db_err(db, err, "reading");
    sqlite3_finalize(st);
    int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
    int e = errno;
    if (fclose(f) != 0 && !bad) bad = 1, e = errno;
    if (rc == SS_OK && bad) rc = err_msg(err, SS_EIO, "writing %s: %s", path, strerror(e));
    return rc;
}

int store_csv_write(sqlite3 *db, const char *dir, const char *const *tables, struct ss_error *err)
{
    char tmp[MAX_PATH + 128], final[MAX_PATH + 128];
    size_t n = 0;
    int rc = SS_OK;
    for (; rc == SS_OK && tables[n]; n++) {
        store_csv_path(tmp, sizeof tmp, dir, tables[n], 1);
        rc = store_csv_table(db, tables[n], tmp, err);
        if (rc != SS_OK) n++; /* its own temporary file goes too */
    }
    for (size_t i = 0; rc == SS_OK && i < n; i++) {
        store_csv_path(tmp, sizeof tmp, dir, tables[i], 1);
        store_csv_path(final, sizeof final, dir, tables[i], 0);
        if (rename(tmp, final) != 0)
            rc = err_msg(err, SS_EIO, "renaming %s to %s: %s", tmp, final, strerror(errno));
        if (i == 0) sys_test_point("csv"); /* one CSV in place, the others not */
    }
    if (rc != SS_OK)
        for (size_t i = 0; i < n; i++) {
            store_csv_path(tmp, sizeof tmp, dir, tables[i], 1);
            unlink(tmp);
        }
    return rc;
}

int store_csv_all(sqlite3 *db, const char *dir, struct ss_error *err)
{
    const char *have[sizeof store_tables / sizeof store_tables[0]];
    size_t n = 0;
    int rc = SS_OK;
    for (size_t t = 0; rc == SS_OK && store_tables[t]; t++) {
        int has = 0;
        rc = store_has_table(db, store_tables[t], &has, err);
        if (has) have[n++] = store_tables[t];
    }
    have[n] = NULL;
    return rc == SS_OK ? store_csv_write(db, dir, have, err) : rc;
}

void store_csv_remove(const char *dir, const char *const *tables)
{
    char path[MAX_PATH + 128];
    for (size_t i = 0; tables[i]; i++) {
        store_csv_path(path, sizeof path, dir, tables[i], 0);
        unlink(path);
    }
}
