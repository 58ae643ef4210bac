/*
 * targets.c - the targets file (see targets.h and docs/calibration.md):
 * reading it (whole, refusing a binary or a huge file) and its records with
 * core/csv.h, every error of the file collected with its place, a target
 * given twice refused. One row's fields are read in targets_row.c; the
 * compared scale and a run's figures are in targets_eval.c
 * (targets_internal.h is what they share).
 */
#include "experiment/targets.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/error.h"
#include "core/file.h"
#include "experiment/targets_internal.h"
#include "scenario/params.h"
#include "scenario/scenario.h"

/* A targets file larger than this is surely not one. */
#define TGT_MAX_BYTES ((size_t)64 << 20)
/* Targets in a file, at most: a calibration has tens (the shipped file 14),
 * and each is evaluated on every run of every wave. */
#define TGT_MAX_TARGETS 10000

/* --- collecting errors ---------------------------------------------------- */

void tgt_bad(struct collector *c, int line, int col, const char *fmt, ...)
{
    char msg[sizeof c->first.msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->total == 0) err_set(&c->first, SS_EINPUT, c->label, line, col, "%s", msg);
    if (c->errs && c->errs->n < TGT_MAX_ERRORS)
        err_set(&c->errs->e[c->errs->n++], SS_EINPUT, c->label, line, col, "%s", msg);
    c->total++;
}

/* The kept errors in the order of the file (by line, then column),
 * stable; the first of them into err. */
static int finish_errors(struct collector *c, struct ss_error *err)
{
    if (c->errs) {
        struct tgt_errors *e = c->errs;
        for (int i = 1; i < e->n; i++) {
            struct ss_error x = e->e[i];
            int j = i;
            while (j > 0 && (e->e[j - 1].line > x.line ||
                             (e->e[j - 1].line == x.line && e->e[j - 1].col > x.col))) {
                e->e[j] = e->e[j - 1];
                j--;
            }
            e->e[j] = x;
        }
        e->total = c->total;
        if (e->n) c->first = e->e[0];
    }
    if (err) {
        *err = c->first;
        if (c->total > 1) {
            size_t len = strlen(err->msg);
            snprintf(err->msg + len, sizeof err->msg - len, " (and %d more error%s)", c->total - 1,
                     c->total > 2 ? "s" : "");
        }
    }
    return SS_EINPUT;
}

static int everyone(const char *group)
{
    return !*group || !strcmp(group, "all");
}

/* Whether a and b are the same target: the same day (or, unresolved
 * without a scenario, the same date), metric and group. */
static int same_target(const struct tgt_target *a, const struct tgt_target *b)
{
    int same_when = a->day > 0 && b->day > 0 ? a->day == b->day
                                             : a->date != PARAMS_NO_DATE && a->date == b->date;
    int same_group = everyone(a->group) ? everyone(b->group) : !strcmp(a->group, b->group);
    return same_when && same_group && !strcmp(a->metric, b->metric);
}

static void free_target(struct mem *m, struct tgt_target *t)
{
    mem_free(m, t->metric);
    mem_free(m, t->group);
    mem_free(m, t->source);
    mem_free(m, t->note);
}

void tgt_free(struct tgt_set *ts)
{
    if (!ts) return;
    for (int i = 0; i < ts->n; i++) free_target(&ts->mem, &ts->t[i]);
    mem_free(&ts->mem, ts->t);
    mem_free(&ts->mem, ts->path);
    struct mem last = ts->mem;
    mem_free(&last, ts);
}

int tgt_load_text(struct tgt_set **out, const char *text, const char *label,
                  const struct scenario *s, long fail_at, struct tgt_errors *errs,
                  struct ss_error *err)
{
    *out = NULL;
    if (errs) errs->n = errs->total = 0;
    const struct params *p = s ? scn_params(s) : NULL;
    struct mem m0 = {.fail_at = fail_at};
    struct tgt_set *ts = mem_calloc(&m0, 1, sizeof *ts);
    if (!ts) return err_nomem(err, "reading the targets");
    ts->mem = m0;
    struct mem *m = &ts->mem;
    struct collector c = {.label = label, .errs = errs};
    struct csv_reader r;
    csv_init(&r, m, text, strlen(text));
    const struct csv_field *f;
    int n, got, cap = 0, rc = SS_OK;
    struct csv_issue issue;
    struct header h = {.n = 0};
    ts->path = mem_strdup(m, label);
    if (!ts->path) goto nomem;

    /* The header: the first record the reader can read. */
    got = csv_next(&r, &f, &n, &issue);
    if (got == -2) goto nomem;
    if (got == -1) {
        /* Without its header no row can be read. */
        tgt_bad(&c, issue.line, issue.col, "%s", issue.msg);
        goto bad_file;
    }
    if (got == 0) {
        tgt_bad(&c, 1, 1,
                "the file is empty: expected a header line (date or day, metric, value, scale, "
                "sd or rel_tol) and a row per target");
        goto bad_file;
    }
    if (tgt_parse_header(&c, f, n, csv_record_line(&r), &h)) goto bad_file;

    for (;;) {
        got = csv_next(&r, &f, &n, &issue);
        if (got == 0) break;
        if (got == -2) goto nomem;
        if (got == -1) {
            tgt_bad(&c, issue.line, issue.col, "%s", issue.msg);
            continue;
        }
        if (ts->n == cap) {
            int nc = cap ? 2 * cap : 16;
            struct tgt_target *t = mem_realloc(m, ts->t, (size_t)nc * sizeof *t);
            if (!t) goto nomem;
            ts->t = t;
            cap = nc;
        }
        struct tgt_target *t = &ts->t[ts->n];
        int prc = tgt_parse_row(&c, m, &h, f, n, csv_record_line(&r), p, t);
        if (prc == -2) {
            free_target(m, t);
            goto nomem;
        }
        if (prc == 0 && ts->n == TGT_MAX_TARGETS) {
            /* each target is compared with those before it (below) */
            tgt_bad(&c, t->line, 1, "a target after the %dth: expected at most %d targets",
                    TGT_MAX_TARGETS, TGT_MAX_TARGETS);
            free_target(m, t);
            break;
        }
        if (prc == 0) {
            for (int i = 0; i < ts->n; i++)
                if (same_target(&ts->t[i], t)) {
                    tgt_bad(&c, t->line, 1,
                            "the same target as line %d (the same day, metric and group): expected "
                            "each target once",
                            ts->t[i].line);
                    prc = -1;
                    break;
                }
        }
        if (prc) {
            free_target(m, t);
            continue;
        }
        ts->n++;
    }
    if (c.total == 0 && ts->n == 0)
        tgt_bad(&c, h.line + 1, 1, "no targets: expected a row per target after the header");
    if (c.total) goto bad_file;
    csv_free(&r);
    *out = ts;
    return SS_OK;

nomem:
    rc = err_nomem(err, "reading the targets");
    if (errs) errs->n = errs->total = 0;
    goto done;
bad_file:
    rc = finish_errors(&c, err);
done:
    csv_free(&r);
    tgt_free(ts);
    return rc;
}

int tgt_load(struct tgt_set **out, const char *path, const struct scenario *s,
             struct tgt_errors *errs, struct ss_error *err)
{
    *out = NULL;
    if (errs) errs->n = errs->total = 0;
    struct mem m = {0};
    char *text;
    size_t len;
    int rc = file_read_all(path, "the targets file", TGT_MAX_BYTES, 0, &m, &text, &len, err);
    /* tgt_load_text reads a C string, and the CSV reader finds (and
     * collects) each line's bytes that are not UTF-8: only a NUL is
     * refused here, placed by the file's check */
    if (!rc && memchr(text, '\0', len)) {
        rc = file_check_text(text, len, path, "the targets file", err);
        mem_free(&m, text);
    }
    if (rc) {
        if (rc == SS_EINPUT && errs) errs->e[0] = *err, errs->n = errs->total = 1;
        return rc;
    }
    rc = tgt_load_text(out, text, path, s, 0, errs, err);
    mem_free(&m, text);
    return rc;
}
