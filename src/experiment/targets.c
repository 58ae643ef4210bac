/*
 * targets.c - the targets file (see targets.h and docs/calibration.md):
 * its header and rows read with core/csv.h, every field checked and every
 * error of the file collected with its place; the checks against a
 * scenario (the metric is a daily column, the group one of the
 * scenario's, the day inside the run); the conversion of both sides to
 * the compared scale; and a run's figures read from its daily table.
 */
#include "experiment/targets.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/error.h"
#include "core/text.h"
#include "engine/metrics.h"
#include "io/store.h"
#include "scenario/params.h"
#include "scenario/scenario.h"

/* A targets file larger than this is surely not one. */
#define TGT_MAX_BYTES (64L << 20)

/* --- the file's columns --------------------------------------------------- */

enum tgt_column {
    C_DATE,
    C_DAY,
    C_METRIC,
    C_GROUP,
    C_VALUE,
    C_SCALE,
    C_POPULATION,
    C_SD,
    C_REL_TOL,
    C_LOG,
    C_SOURCE,
    C_NOTE,
    N_COLUMNS
};

static const char *const column_names[N_COLUMNS] = {"date",    "day",   "metric",     "group",
                                                    "value",   "scale", "population", "sd",
                                                    "rel_tol", "log",   "source",     "note"};

static const char *const scale_names[] = {"share_of_adults", "per_capita", "count", "as_is"};

const char *tgt_scale_name(int scale)
{
    return scale >= 0 && scale <= TGT_AS_IS ? scale_names[scale] : "?";
}

/* --- collecting errors ---------------------------------------------------- */

struct collector {
    const char *label;       /* the file, in every message */
    struct tgt_errors *errs; /* the caller's list, or NULL */
    struct ss_error first;   /* the first error found */
    int total;               /* errors found */
};

static void ERR_PRINTF(4, 5) bad(struct collector *c, int line, int col, const char *fmt, ...)
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

/* --- reading fields -------------------------------------------------------- */

/* A finite decimal number, the whole text (no hexadecimal, inf or nan). */
static int parse_number(const char *s, double *v)
{
    if (!*s) return -1;
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789+-.eE", *p)) return -1;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(x)) return -1;
    *v = x;
    return 0;
}

/* A whole number from lo to hi, the whole text. */
static int parse_int(const char *s, long lo, long hi, long *v)
{
    if (!*s) return -1;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (p == s && (*p == '-' || *p == '+')))) return -1;
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (*end || errno == ERANGE || x < lo || x > hi) return -1;
    *v = x;
    return 0;
}

/* Levenshtein distance of a and b, both at most 63 bytes (else a large number). */
static int edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 63 || nb > 63) return 1000;
    int d[64][64];
    for (size_t i = 0; i <= na; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[na][nb];
}

/* Whether a daily column is a figure (not the day, group or date). */
static int is_figure(const struct met_column *c)
{
    return (c->type == MET_INT || c->type == MET_REAL) && strcmp(c->name, "day") &&
           strcmp(c->name, "group");
}

/* The daily column called name (its first len bytes), or -1. */
static int find_column(const char *name, size_t len)
{
    for (size_t i = 0; i < met_n_daily_columns; i++)
        if (strlen(met_daily_columns[i].name) == len &&
            !strncmp(met_daily_columns[i].name, name, len))
            return (int)i;
    return -1;
}

/* " (did you mean 'x'?)" for the figure closest to name, if close enough. */
static void suggest(const char *name, char *out, size_t size)
{
    int best = -1, best_d = 3;
    for (size_t i = 0; i < met_n_daily_columns; i++) {
        if (!is_figure(&met_daily_columns[i])) continue;
        int d = edit_distance(name, met_daily_columns[i].name);
        if (d < best_d) best_d = d, best = (int)i;
    }
    if (best >= 0)
        snprintf(out, size, " (did you mean '%s'?)", met_daily_columns[best].name);
    else
        out[0] = '\0';
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && !strcmp(s + n - m, tail);
}

#define METRIC_FORMS                                                                               \
    "expected a column of the daily table (docs/metrics.md), sum:COLUMN:DAYS or "                  \
    "ratio:COLUMN:COLUMN"

/* One column name of a metric, [s, s + len) at column col: its index, or
 * -1 after reporting why not. integer: it must be an INTEGER column. */
static int metric_part(struct collector *c, int line, int col, const char *s, size_t len,
                       const char *form, int integer)
{
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(len < 100 ? len : 100), s);
    int k = find_column(s, len);
    if (k < 0 || !is_figure(&met_daily_columns[k])) {
        char hint[96];
        suggest(name, hint, sizeof hint);
        if (k >= 0)
            bad(c, line, col,
                "metric '%s' is not a figure: expected a numeric column of the "
                "daily table",
                name);
        else if (form)
            bad(c, line, col,
                "unknown column '%s' in %s: expected a column of the daily table "
                "(docs/metrics.md)%s",
                name, form, hint);
        else
            bad(c, line, col, "unknown metric '%s': " METRIC_FORMS "%s", name, hint);
        return -1;
    }
    if (integer && met_daily_columns[k].type != MET_INT) {
        bad(c, line, col, "%s: '%s' is a proportion or mean: expected an integer column (a count)",
            form, name);
        return -1;
    }
    return k;
}

/* The metric field into t (kind, col, col2, days); 0, or -1 after reporting. */
static int parse_metric(struct collector *c, const struct csv_field *f, struct tgt_target *t)
{
    const char *s = f->s;
    t->col2 = -1;
    t->days = 1;
    if (!*s) {
        bad(c, f->line, f->col, "no metric: " METRIC_FORMS);
        return -1;
    }
    int is_sum = !strncmp(s, "sum:", 4), is_ratio = !strncmp(s, "ratio:", 6);
    if (!is_sum && !is_ratio) {
        t->kind = TGT_COLUMN;
        t->col = metric_part(c, f->line, f->col, s, strlen(s), NULL, 0);
        return t->col < 0 ? -1 : 0;
    }
    /* Columns count characters, but column names and the form are ASCII:
     * a byte offset into them is a column offset. */
    const char *a = s + (is_sum ? 4 : 6), *colon = strchr(a, ':');
    int col_a = f->col + (int)(a - s);
    if (!colon) {
        bad(c, f->line, f->col, "metric '%s': expected %s", s,
            is_sum ? "sum:COLUMN:DAYS" : "ratio:COLUMN:COLUMN");
        return -1;
    }
    const char *b = colon + 1;
    int col_b = f->col + (int)(b - s);
    if (is_sum) {
        t->kind = TGT_SUM;
        t->col = metric_part(c, f->line, col_a, a, (size_t)(colon - a), "sum:COLUMN:DAYS", 1);
        if (t->col < 0) return -1;
        if (ends_with(met_daily_columns[t->col].name, "_cum")) {
            bad(c, f->line, col_a,
                "sum:COLUMN:DAYS: '%s' is cumulative already: use it alone, or sum the "
                "column of each day's figure",
                met_daily_columns[t->col].name);
            return -1;
        }
        long days;
        if (parse_int(b, 1, 1000000, &days)) {
            bad(c, f->line, col_b, "sum:COLUMN:DAYS: '%s': expected a number of days, 1 or more",
                b);
            return -1;
        }
        t->days = (int)days;
        return 0;
    }
    t->kind = TGT_RATIO;
    t->col = metric_part(c, f->line, col_a, a, (size_t)(colon - a), "ratio:COLUMN:COLUMN", 1);
    t->col2 = metric_part(c, f->line, col_b, b, strlen(b), "ratio:COLUMN:COLUMN", 1);
    return t->col < 0 || t->col2 < 0 ? -1 : 0;
}

/* --- one row --------------------------------------------------------------- */

struct header {
    int at[N_COLUMNS]; /* field index of each column, or -1 */
    int line;          /* the header's line */
    int n;             /* fields of the header */
};

/* Field of column k in the row, or NULL if the file has no such column. */
static const struct csv_field *field_of(const struct header *h, const struct csv_field *f, int k)
{
    return h->at[k] >= 0 ? &f[h->at[k]] : NULL;
}

static int given(const struct csv_field *f)
{
    return f && f->len > 0;
}

static char *dup_text(struct mem *m, const struct csv_field *f, int *nomem)
{
    char *s = mem_strdup(m, f ? f->s : "");
    if (!s) *nomem = 1;
    return s;
}

/* An uncertainty field (sd or rel_tol) into *v (NAN if empty); 0, or -1. */
static int parse_positive(struct collector *c, const struct csv_field *f, const char *name,
                          double *v)
{
    *v = NAN;
    if (!given(f)) return 0;
    if (parse_number(f->s, v) || !(*v > 0)) {
        bad(c, f->line, f->col, "%s '%s': expected a number above 0", name, f->s);
        return -1;
    }
    return 0;
}

/* The date or day of row f into t; 0, or -1 after reporting. Without a
 * scenario a date stays unresolved (day 0). */
static int parse_when(struct collector *c, const struct header *h, const struct csv_field *f,
                      int line, const struct params *p, struct tgt_target *t)
{
    const struct csv_field *fd = field_of(h, f, C_DATE), *fy = field_of(h, f, C_DAY);
    t->date = PARAMS_NO_DATE;
    t->day = 0;
    if (given(fd) && given(fy)) {
        bad(c, fy->line, fy->col, "both date and day given: expected one of them");
        return -1;
    }
    if (!given(fd) && !given(fy)) {
        const struct csv_field *at = fd ? fd : fy;
        bad(c, at ? at->line : line, at ? at->col : 1, "no date or day: expected one of them");
        return -1;
    }
    if (given(fd)) {
        if (text_date_parse(fd->s, &t->date)) {
            bad(c, fd->line, fd->col, "date '%s': expected a date YYYY-MM-DD", fd->s);
            return -1;
        }
        if (!p) return 0;
        if (p->start_date == PARAMS_NO_DATE) {
            bad(c, fd->line, fd->col,
                "date %s needs the scenario's start_date, which it does not have: give day "
                "instead",
                fd->s);
            return -1;
        }
        t->day = t->date - p->start_date + 1;
        if (t->day < 1 || t->day > p->days) {
            char first[TEXT_DATE_LEN], last[TEXT_DATE_LEN];
            text_date_format(p->start_date, first);
            text_date_format(p->start_date + p->days - 1, last);
            bad(c, fd->line, fd->col,
                "date %s is day %ld of the run, outside it: expected %s to %s (days 1 to %d)",
                fd->s, (long)t->day, first, last, p->days);
            return -1;
        }
        return 0;
    }
    long day;
    if (parse_int(fy->s, 1, INT32_MAX, &day)) {
        bad(c, fy->line, fy->col, "day '%s': expected a whole number of days, 1 or more", fy->s);
        return -1;
    }
    t->day = (int32_t)day;
    if (p && t->day > p->days) {
        bad(c, fy->line, fy->col, "day %s is outside the run: expected 1 to %d", fy->s, p->days);
        return -1;
    }
    return 0;
}

/* The group of row f into t (its name, and its index if p); 0, or -1. */
static int parse_group(struct collector *c, const struct csv_field *fg, const struct params *p,
                       struct tgt_target *t)
{
    t->group_index = -1;
    if (!given(fg) || !strcmp(fg->s, "all")) return 0;
    if (!p) return 0;
    const struct named_values *g = &p->population.groups;
    for (uint32_t i = 0; i < g->n; i++)
        if (!strcmp(g->name[i], fg->s)) {
            t->group_index = (int)i;
            return 0;
        }
    char names[MAX_GROUPS * (MAX_NAME + 2)] = "";
    for (uint32_t i = 0; i < g->n; i++) {
        strcat(names, g->name[i]);
        strcat(names, ", ");
    }
    bad(c, fg->line, fg->col,
        "unknown group '%s': expected one of the scenario's groups (%sor empty for everyone)",
        fg->s, names);
    return -1;
}

/* The compared scale of a checked target: z and sd_obs. */
static void set_compared(struct tgt_target *t)
{
    double div = t->scale == TGT_COUNT ? t->population : 1.0;
    double rel = isnan(t->rel_tol) ? t->sd / fabs(t->value) : t->rel_tol;
    if (t->log) {
        t->z = log(t->value / div);
        t->sd_obs = log1p(rel);
    } else {
        t->z = t->value / div;
        t->sd_obs = isnan(t->rel_tol) ? t->sd / div : t->rel_tol * fabs(t->value) / div;
    }
}

/* Check row f (n fields, starting on `line`) into t. 0 if it is good, -1
 * if an error was reported, -2 when out of memory. */
static int parse_row(struct collector *c, struct mem *m, const struct header *h,
                     const struct csv_field *f, int n, int line, const struct params *p,
                     struct tgt_target *t)
{
    memset(t, 0, sizeof *t);
    t->line = line;
    if (n != h->n) {
        if (n > h->n)
            bad(c, f[h->n].line, f[h->n].col,
                "a field beyond the header's %d columns: expected %d fields, found %d", h->n, h->n,
                n);
        else
            bad(c, line, 1, "%d field%s, expected %d (as the header)", n, n == 1 ? "" : "s", h->n);
        return -1;
    }
    int nomem = 0;
    t->metric = dup_text(m, field_of(h, f, C_METRIC), &nomem);
    t->group = dup_text(m, field_of(h, f, C_GROUP), &nomem);
    t->source = dup_text(m, field_of(h, f, C_SOURCE), &nomem);
    t->note = dup_text(m, field_of(h, f, C_NOTE), &nomem);
    if (nomem) return -2;

    int ok = 1;
    ok &= parse_when(c, h, f, line, p, t) == 0;
    const struct csv_field *fm = field_of(h, f, C_METRIC);
    int metric_ok = parse_metric(c, fm, t) == 0;
    ok &= metric_ok;
    if (metric_ok && t->kind == TGT_SUM && t->day > 0 && t->day - t->days + 1 < 1) {
        bad(c, fm->line, fm->col,
            "%s on day %ld reaches back to day %ld: expected a window that starts on day 1 or "
            "later",
            fm->s, (long)t->day, (long)t->day - t->days + 1);
        ok = 0;
    }
    ok &= parse_group(c, field_of(h, f, C_GROUP), p, t) == 0;

    /* scale, and whether it fits the metric */
    const struct csv_field *fs = field_of(h, f, C_SCALE);
    int scale_ok = 0;
    t->scale = -1;
    for (int k = 0; k <= TGT_AS_IS; k++)
        if (!strcmp(fs->s, scale_names[k])) t->scale = k;
    if (t->scale < 0) {
        bad(c, fs->line, fs->col,
            "scale '%s': expected share_of_adults, per_capita, count or "
            "as_is",
            fs->s);
        ok = 0;
    } else if (metric_ok) {
        int proportion = t->kind == TGT_RATIO || met_daily_columns[t->col].type == MET_REAL;
        if (proportion && t->scale != TGT_AS_IS) {
            bad(c, fs->line, fs->col,
                "scale %s does not fit metric '%s', a proportion or mean: expected as_is", fs->s,
                fm->s);
            ok = 0;
        } else if (!proportion && t->scale == TGT_AS_IS) {
            bad(c, fs->line, fs->col,
                "scale as_is does not fit metric '%s', a count: expected share_of_adults, "
                "per_capita or count",
                fm->s);
            ok = 0;
        } else {
            scale_ok = 1;
        }
    }

    /* population: needed by count, and only there */
    const struct csv_field *fp = field_of(h, f, C_POPULATION);
    t->population = NAN;
    if (given(fp)) {
        if (parse_number(fp->s, &t->population) || !(t->population > 0)) {
            bad(c, fp->line, fp->col, "population '%s': expected a number above 0", fp->s);
            ok = 0;
        } else if (t->scale >= 0 && t->scale != TGT_COUNT) {
            bad(c, fp->line, fp->col, "population is used only with scale count: leave it empty");
            ok = 0;
        }
    } else if (t->scale == TGT_COUNT) {
        const struct csv_field *at = fp ? fp : fs;
        bad(c, at->line, at->col,
            "scale count needs population: the real number of adults the value refers to");
        ok = 0;
    }

    /* log */
    const struct csv_field *fl = field_of(h, f, C_LOG);
    if (given(fl)) {
        if (!strcmp(fl->s, "1"))
            t->log = 1;
        else if (strcmp(fl->s, "0")) {
            bad(c, fl->line, fl->col, "log '%s': expected 0 or 1 (or empty: 0)", fl->s);
            ok = 0;
        }
    }

    /* value */
    const struct csv_field *fv = field_of(h, f, C_VALUE);
    if (!given(fv)) {
        bad(c, fv->line, fv->col, "no value: expected a number");
        ok = 0;
    } else if (parse_number(fv->s, &t->value)) {
        bad(c, fv->line, fv->col, "value '%s': expected a number", fv->s);
        ok = 0;
    } else if (t->log && !(t->value > 0)) {
        bad(c, fv->line, fv->col, "value %s: expected a value above 0 on a log scale (log 1)",
            fv->s);
        ok = 0;
    } else if (scale_ok && t->scale == TGT_SHARE_OF_ADULTS && !(t->value <= 1 && t->value >= 0)) {
        bad(c, fv->line, fv->col, "value %s: expected a share from 0 to 1 (scale share_of_adults)",
            fv->s);
        ok = 0;
    } else if (scale_ok && t->scale != TGT_AS_IS && t->value < 0) {
        bad(c, fv->line, fv->col, "value %s: expected 0 or more (a count cannot be negative)",
            fv->s);
        ok = 0;
    }

    /* the uncertainty: one of sd and rel_tol */
    const struct csv_field *fsd = field_of(h, f, C_SD), *frt = field_of(h, f, C_REL_TOL);
    if (given(fsd) && given(frt)) {
        bad(c, frt->line, frt->col, "both sd and rel_tol given: expected one of them");
        ok = 0;
    } else if (!given(fsd) && !given(frt)) {
        const struct csv_field *at = fsd ? fsd : frt;
        bad(c, at->line, at->col,
            "no sd or rel_tol: expected one of them (the value's uncertainty)");
        ok = 0;
    } else if (parse_positive(c, fsd, "sd", &t->sd) ||
               parse_positive(c, frt, "rel_tol", &t->rel_tol)) {
        ok = 0;
    } else if (ok && t->value == 0 && (!isnan(t->rel_tol) || t->log)) {
        const struct csv_field *at = given(frt) ? frt : fsd;
        bad(c, at->line, at->col,
            "a tolerance relative to a value of 0 is no tolerance: expected sd, on a linear "
            "scale");
        ok = 0;
    }
    if (!ok) return -1;
    set_compared(t);
    return 0;
}

/* --- the file ------------------------------------------------------------- */

static int parse_header(struct collector *c, const struct csv_field *f, int n, int line,
                        struct header *h)
{
    h->line = line;
    h->n = n;
    for (int k = 0; k < N_COLUMNS; k++) h->at[k] = -1;
    int ok = 1;
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < N_COLUMNS && strcmp(f[i].s, column_names[k])) k++;
        if (k == N_COLUMNS) {
            bad(c, f[i].line, f[i].col,
                "unknown column '%s': expected one of date, day, metric, group, value, scale, "
                "population, sd, rel_tol, log, source, note",
                f[i].s);
            ok = 0;
        } else if (h->at[k] >= 0) {
            bad(c, f[i].line, f[i].col, "column '%s' appears twice (first at column %d)", f[i].s,
                f[h->at[k]].col);
            ok = 0;
        } else {
            h->at[k] = i;
        }
    }
    static const char *const need =
        "(a target needs date or day, metric, value, scale, and sd or rel_tol)";
    if (h->at[C_DATE] < 0 && h->at[C_DAY] < 0) {
        bad(c, line, 1, "the header has no column date or day %s", need);
        ok = 0;
    }
    const int required[] = {C_METRIC, C_VALUE, C_SCALE};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (h->at[required[i]] < 0) {
            bad(c, line, 1, "the header has no column %s %s", column_names[required[i]], need);
            ok = 0;
        }
    if (h->at[C_SD] < 0 && h->at[C_REL_TOL] < 0) {
        bad(c, line, 1, "the header has no column sd or rel_tol %s", need);
        ok = 0;
    }
    return ok ? 0 : -1;
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
        bad(&c, issue.line, issue.col, "%s", issue.msg);
        goto bad_file;
    }
    if (got == 0) {
        bad(&c, 1, 1,
            "the file is empty: expected a header line (date or day, metric, value, scale, "
            "sd or rel_tol) and a row per target");
        goto bad_file;
    }
    if (parse_header(&c, f, n, csv_record_line(&r), &h)) goto bad_file;

    for (;;) {
        got = csv_next(&r, &f, &n, &issue);
        if (got == 0) break;
        if (got == -2) goto nomem;
        if (got == -1) {
            bad(&c, issue.line, issue.col, "%s", issue.msg);
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
        int prc = parse_row(&c, m, &h, f, n, csv_record_line(&r), p, t);
        if (prc == -2) {
            free_target(m, t);
            goto nomem;
        }
        if (prc == 0) {
            for (int i = 0; i < ts->n; i++)
                if (same_target(&ts->t[i], t)) {
                    bad(&c, t->line, 1,
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
        bad(&c, h.line + 1, 1, "no targets: expected a row per target after the header");
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
    FILE *fp = fopen(path, "rb");
    if (!fp) return err_set(err, SS_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
    struct mem m = {0};
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc = SS_OK;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            size_t nc = cap ? 2 * cap : 65536;
            if (nc > (size_t)TGT_MAX_BYTES + 1) nc = (size_t)TGT_MAX_BYTES + 1;
            if (len + 1 >= nc) {
                rc = err_set(err, SS_EINPUT, path, 0, 0, "larger than %ld MiB: not a targets file",
                             TGT_MAX_BYTES >> 20);
                goto done;
            }
            char *t = mem_realloc(&m, text, nc);
            if (!t) {
                rc = err_nomem(err, "reading the targets");
                goto done;
            }
            text = t;
            cap = nc;
        }
        size_t got = fread(text + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0) break;
    }
    if (ferror(fp)) {
        rc = err_set(err, SS_EIO, path, 0, 0, "cannot read: %s", strerror(errno));
        goto done;
    }
    text[len] = '\0';
    if (memchr(text, '\0', len)) {
        size_t at = (size_t)((char *)memchr(text, '\0', len) - text);
        int line = 1, col = 1;
        for (size_t i = 0; i < at; i++) {
            if (text[i] == '\n')
                line++, col = 1;
            else if (((unsigned char)text[i] & 0xC0) != 0x80)
                col++;
        }
        rc = err_set(err, SS_EINPUT, path, line, col, "a NUL byte: expected text (a CSV file)");
        if (errs) errs->e[0] = *err, errs->n = errs->total = 1;
        goto done;
    }
    rc = tgt_load_text(out, text, path, s, 0, errs, err);
done:
    fclose(fp);
    mem_free(&m, text);
    return rc;
}

/* --- both sides on the compared scale -------------------------------------- */

double tgt_model_value(const struct tgt_target *t, const struct tgt_figures *f)
{
    double x = f->metric, den;
    if (t->kind == TGT_RATIO) {
        den = f->metric2;
    } else if (met_daily_columns[t->col].type == MET_REAL) {
        den = f->agents; /* for the floor of a log: the columns are over agents */
    } else {
        den = t->scale == TGT_PER_CAPITA ? f->agents : f->agents - f->children;
    }
    if (isnan(x) || !(den > 0)) return NAN;
    double v = t->kind == TGT_RATIO || met_daily_columns[t->col].type == MET_INT ? x / den : x;
    if (!t->log) return v;
    /* A model share of 0 is a sample too small to see the figure: count it
     * as half a unit, so that the logarithm is finite and ranks it below
     * one unit. */
    double floor_v = 0.5 / den;
    return log(v > floor_v ? v : floor_v);
}

double tgt_discrepancy_sd(const struct tgt_target *t, double fraction)
{
    if (t->log) return log1p(fraction);
    double div = t->scale == TGT_COUNT ? t->population : 1.0;
    return fraction * fabs(t->value) / div;
}

/* --- a run's figures ------------------------------------------------------- */

static double column_double(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

int tgt_eval_db(const struct tgt_set *ts, sqlite3 *db, int64_t run, double *out,
                struct ss_error *err)
{
    const char *by_run = run >= 0 ? " AND run = ?4" : "";
    for (int i = 0; i < ts->n; i++) {
        const struct tgt_target *t = &ts->t[i];
        const char *a = met_daily_columns[t->col].name;
        const char *b = t->col2 >= 0 ? met_daily_columns[t->col2].name : NULL;
        char sql[512];
        if (t->kind == TGT_SUM)
            snprintf(sql, sizeof sql,
                     "SELECT SUM(\"%s\"), COUNT(*), COUNT(\"%s\"), "
                     "SUM(CASE WHEN day = ?2 THEN agents END), "
                     "SUM(CASE WHEN day = ?2 THEN children END) "
                     "FROM daily WHERE day BETWEEN ?1 AND ?2 AND \"group\" = ?3%s",
                     a, a, by_run);
        else
            snprintf(sql, sizeof sql,
                     "SELECT \"%s\", %s%s%s, agents, children FROM daily "
                     "WHERE day = ?2 AND \"group\" = ?3%s",
                     a, b ? "\"" : "", b ? b : "NULL", b ? "\"" : "", by_run);
        sqlite3_stmt *st;
        int rc = store_prepare(db, sql, &st, err);
        if (rc) return rc;
        if (t->kind == TGT_SUM) sqlite3_bind_int(st, 1, t->day - t->days + 1);
        sqlite3_bind_int(st, 2, t->day);
        sqlite3_bind_int(st, 3, t->group_index);
        if (run >= 0) sqlite3_bind_int64(st, 4, run);
        int step = sqlite3_step(st);
        if (step != SQLITE_ROW && step != SQLITE_DONE) {
            rc = store_db_err(db, err, "reading");
            sqlite3_finalize(st);
            return rc;
        }
        struct tgt_figures fig = {NAN, NAN, NAN, NAN};
        long rows = 0, have = 0;
        if (step == SQLITE_ROW) {
            if (t->kind == TGT_SUM) {
                fig.metric = column_double(st, 0);
                rows = sqlite3_column_int64(st, 1);
                have = sqlite3_column_int64(st, 2);
                fig.agents = column_double(st, 3);
                fig.children = column_double(st, 4);
            } else {
                fig.metric = column_double(st, 0);
                fig.metric2 = column_double(st, 1);
                fig.agents = column_double(st, 2);
                fig.children = column_double(st, 3);
                rows = have = t->days;
            }
        }
        sqlite3_finalize(st);
        if (rows != t->days || isnan(fig.agents))
            return err_set(err, SS_EINPUT, ts->path, t->line, 1,
                           "the run's daily table has %ld of the %d day%s this target needs "
                           "(to day %ld, group %d%s): did the run stop early?",
                           rows, t->days, t->days == 1 ? "" : "s", (long)t->day, t->group_index,
                           run >= 0 ? " of the run asked for" : "");
        if (have != rows) fig.metric = NAN; /* a NULL day in the window */
        out[i] = tgt_model_value(t, &fig);
    }
    return SS_OK;
}
