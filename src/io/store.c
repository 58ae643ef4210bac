/*
 * store.c - creating results folders, SQLite calls through the error path,
 * and bounded SQL text (see store.h).
 */
#include "io/store.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario/params.h"

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
    const char *file = sqlite3_db_filename(db, "main");
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
