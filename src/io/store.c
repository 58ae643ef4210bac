/*
 * store.c - creating results folders and building SQL text (see store.h).
 */
#include "io/store.h"

#include <errno.h>
#include <stdarg.h>
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

void store_sql_add(struct store_sql *b, const char *fmt, ...)
{
    if (b->overflow) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof b->s - b->n)
        b->overflow = 1;
    else
        b->n += (size_t)k;
}
