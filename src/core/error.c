/*
 * error.c - recording and printing errors (see error.h).
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

static int err_vset(struct ss_error *err, int code, const char *file, int line, int col,
                    const char *fmt, va_list ap)
{
    if (!err) return code;
    err->code = code;
    err->line = line;
    err->col = col;
    err->file[0] = '\0';
    /* Messages quote what users wrote (keys, values, lines of their files,
     * paths): escaped here, on the one path, so that no control byte or
     * invalid UTF-8 reaches a terminal whichever reader quoted it. */
    if (file) text_escape(err->file, sizeof err->file, file, strlen(file), 0);
    char msg[sizeof err->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    text_escape(err->msg, sizeof err->msg, msg, strlen(msg), 0);
    return code;
}

int err_set(struct ss_error *err, int code, const char *file, int line, int col, const char *fmt,
            ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(err, code, file, line, col, fmt, ap);
    va_end(ap);
    return code;
}

int err_msg(struct ss_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(err, code, NULL, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

int err_nomem(struct ss_error *err, const char *what)
{
    return err_msg(err, SS_ENOMEM, "out of memory while %s", what);
}

void err_clear(struct ss_error *err)
{
    if (!err) return;
    memset(err, 0, sizeof *err);
}

void ss_error_print(const struct ss_error *e, FILE *f)
{
    if (e->file[0] && e->line > 0)
        fprintf(f, "%s:%d:%d: %s\n", e->file, e->line, e->col, e->msg);
    else if (e->file[0])
        fprintf(f, "%s: %s\n", e->file, e->msg);
    else
        fprintf(f, "error: %s\n", e->msg);
}

void ss_errors_add(struct ss_errors *all, const struct ss_error *e)
{
    if (all->n < SS_MAX_ERRORS)
        all->e[all->n++] = *e;
    else
        all->more++;
}

void ss_errors_print(const struct ss_errors *all, FILE *f)
{
    for (int i = 0; i < all->n; i++) ss_error_print(&all->e[i], f);
    if (all->more > 0)
        fprintf(f, "... and %d more error%s (the first %d are shown)\n", all->more,
                all->more == 1 ? "" : "s", SS_MAX_ERRORS);
}
