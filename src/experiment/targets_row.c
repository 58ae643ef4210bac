/*
 * targets_row.c - one line of a targets file: the header (which columns,
 * in which order) and a row's fields, each read strictly and checked
 * against the scenario when there is one (the metric a daily column, the
 * group one of the scenario's, the day inside the run), every error
 * reported with its line and column. Apart from loading the file
 * (targets.c) because this is where the file's rules are.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/error.h"
#include "core/text.h"
#include "engine/metrics.h"
#include "experiment/targets.h"
#include "experiment/targets_internal.h"
#include "scenario/params.h"
#include "scenario/scenario.h"

/* --- the file's columns --------------------------------------------------- */

static const char *const column_names[N_COLUMNS] = {"date",    "day",   "metric",     "group",
                                                    "value",   "scale", "population", "sd",
                                                    "rel_tol", "log",   "source",     "note"};

static const char *const scale_names[] = {"share_of_adults", "per_capita", "count", "as_is"};

const char *tgt_scale_name(int scale)
{
    return scale >= 0 && scale <= TGT_AS_IS ? scale_names[scale] : "?";
}

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
            tgt_bad(c, line, col,
                    "metric '%s' is not a figure: expected a numeric column of the "
                    "daily table",
                    name);
        else if (form)
            tgt_bad(c, line, col,
                    "unknown column '%s' in %s: expected a column of the daily table "
                    "(docs/metrics.md)%s",
                    name, form, hint);
        else
            tgt_bad(c, line, col, "unknown metric '%s': " METRIC_FORMS "%s", name, hint);
        return -1;
    }
    if (integer && met_daily_columns[k].type != MET_INT) {
        tgt_bad(c, line, col,
                "%s: '%s' is a proportion or mean: expected an integer column (a count)", form,
                name);
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
        tgt_bad(c, f->line, f->col, "no metric: " METRIC_FORMS);
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
        tgt_bad(c, f->line, f->col, "metric '%s': expected %s", s,
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
            tgt_bad(c, f->line, col_a,
                    "sum:COLUMN:DAYS: '%s' is cumulative already: use it alone, or sum the "
                    "column of each day's figure",
                    met_daily_columns[t->col].name);
            return -1;
        }
        long days;
        if (parse_int(b, 1, 1000000, &days)) {
            tgt_bad(c, f->line, col_b,
                    "sum:COLUMN:DAYS: '%s': expected a number of days, 1 or more", b);
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
        tgt_bad(c, f->line, f->col, "%s '%s': expected a number above 0", name, f->s);
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
        tgt_bad(c, fy->line, fy->col, "both date and day given: expected one of them");
        return -1;
    }
    if (!given(fd) && !given(fy)) {
        const struct csv_field *at = fd ? fd : fy;
        tgt_bad(c, at ? at->line : line, at ? at->col : 1, "no date or day: expected one of them");
        return -1;
    }
    if (given(fd)) {
        if (text_date_parse(fd->s, &t->date)) {
            tgt_bad(c, fd->line, fd->col, "date '%s': expected a date YYYY-MM-DD", fd->s);
            return -1;
        }
        if (!p) return 0;
        if (p->start_date == PARAMS_NO_DATE) {
            tgt_bad(c, fd->line, fd->col,
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
            tgt_bad(c, fd->line, fd->col,
                    "date %s is day %ld of the run, outside it: expected %s to %s (days 1 to %d)",
                    fd->s, (long)t->day, first, last, p->days);
            return -1;
        }
        return 0;
    }
    long day;
    if (parse_int(fy->s, 1, INT32_MAX, &day)) {
        tgt_bad(c, fy->line, fy->col, "day '%s': expected a whole number of days, 1 or more",
                fy->s);
        return -1;
    }
    t->day = (int32_t)day;
    if (p && t->day > p->days) {
        tgt_bad(c, fy->line, fy->col, "day %s is outside the run: expected 1 to %d", fy->s,
                p->days);
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
    tgt_bad(c, fg->line, fg->col,
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
int tgt_parse_row(struct collector *c, struct mem *m, const struct header *h,
                  const struct csv_field *f, int n, int line, const struct params *p,
                  struct tgt_target *t)
{
    memset(t, 0, sizeof *t);
    t->line = line;
    if (n != h->n) {
        if (n > h->n)
            tgt_bad(c, f[h->n].line, f[h->n].col,
                    "a field beyond the header's %d columns: expected %d fields, found %d", h->n,
                    h->n, n);
        else
            tgt_bad(c, line, 1, "%d field%s, expected %d (as the header)", n, n == 1 ? "" : "s",
                    h->n);
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
        tgt_bad(c, fm->line, fm->col,
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
        tgt_bad(c, fs->line, fs->col,
                "scale '%s': expected share_of_adults, per_capita, count or "
                "as_is",
                fs->s);
        ok = 0;
    } else if (metric_ok) {
        int proportion = t->kind == TGT_RATIO || met_daily_columns[t->col].type == MET_REAL;
        if (proportion && t->scale != TGT_AS_IS) {
            tgt_bad(c, fs->line, fs->col,
                    "scale %s does not fit metric '%s', a proportion or mean: expected as_is",
                    fs->s, fm->s);
            ok = 0;
        } else if (!proportion && t->scale == TGT_AS_IS) {
            tgt_bad(c, fs->line, fs->col,
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
            tgt_bad(c, fp->line, fp->col, "population '%s': expected a number above 0", fp->s);
            ok = 0;
        } else if (t->scale >= 0 && t->scale != TGT_COUNT) {
            tgt_bad(c, fp->line, fp->col,
                    "population is used only with scale count: leave it empty");
            ok = 0;
        }
    } else if (t->scale == TGT_COUNT) {
        const struct csv_field *at = fp ? fp : fs;
        tgt_bad(c, at->line, at->col,
                "scale count needs population: the real number of adults the value refers to");
        ok = 0;
    }

    /* log */
    const struct csv_field *fl = field_of(h, f, C_LOG);
    if (given(fl)) {
        if (!strcmp(fl->s, "1"))
            t->log = 1;
        else if (strcmp(fl->s, "0")) {
            tgt_bad(c, fl->line, fl->col, "log '%s': expected 0 or 1 (or empty: 0)", fl->s);
            ok = 0;
        }
    }

    /* value */
    const struct csv_field *fv = field_of(h, f, C_VALUE);
    if (!given(fv)) {
        tgt_bad(c, fv->line, fv->col, "no value: expected a number");
        ok = 0;
    } else if (parse_number(fv->s, &t->value)) {
        tgt_bad(c, fv->line, fv->col, "value '%s': expected a number", fv->s);
        ok = 0;
    } else if (t->log && !(t->value > 0)) {
        tgt_bad(c, fv->line, fv->col, "value %s: expected a value above 0 on a log scale (log 1)",
                fv->s);
        ok = 0;
    } else if (scale_ok && t->scale == TGT_SHARE_OF_ADULTS && !(t->value <= 1 && t->value >= 0)) {
        tgt_bad(c, fv->line, fv->col,
                "value %s: expected a share from 0 to 1 (scale share_of_adults)", fv->s);
        ok = 0;
    } else if (scale_ok && t->scale != TGT_AS_IS && t->value < 0) {
        tgt_bad(c, fv->line, fv->col, "value %s: expected 0 or more (a count cannot be negative)",
                fv->s);
        ok = 0;
    }

    /* the uncertainty: one of sd and rel_tol */
    const struct csv_field *fsd = field_of(h, f, C_SD), *frt = field_of(h, f, C_REL_TOL);
    if (given(fsd) && given(frt)) {
        tgt_bad(c, frt->line, frt->col, "both sd and rel_tol given: expected one of them");
        ok = 0;
    } else if (!given(fsd) && !given(frt)) {
        const struct csv_field *at = fsd ? fsd : frt;
        tgt_bad(c, at->line, at->col,
                "no sd or rel_tol: expected one of them (the value's uncertainty)");
        ok = 0;
    } else if (parse_positive(c, fsd, "sd", &t->sd) ||
               parse_positive(c, frt, "rel_tol", &t->rel_tol)) {
        ok = 0;
    } else if (ok && t->value == 0 && (!isnan(t->rel_tol) || t->log)) {
        const struct csv_field *at = given(frt) ? frt : fsd;
        tgt_bad(c, at->line, at->col,
                "a tolerance relative to a value of 0 is no tolerance: expected sd, on a linear "
                "scale");
        ok = 0;
    }
    if (!ok) return -1;
    set_compared(t);
    return 0;
}

/* --- the file ------------------------------------------------------------- */

int tgt_parse_header(struct collector *c, const struct csv_field *f, int n, int line,
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
            tgt_bad(c, f[i].line, f[i].col,
                    "unknown column '%s': expected one of date, day, metric, group, value, scale, "
                    "population, sd, rel_tol, log, source, note",
                    f[i].s);
            ok = 0;
        } else if (h->at[k] >= 0) {
            tgt_bad(c, f[i].line, f[i].col, "column '%s' appears twice (first at column %d)",
                    f[i].s, f[h->at[k]].col);
            ok = 0;
        } else {
            h->at[k] = i;
        }
    }
    static const char *const need =
        "(a target needs date or day, metric, value, scale, and sd or rel_tol)";
    if (h->at[C_DATE] < 0 && h->at[C_DAY] < 0) {
        tgt_bad(c, line, 1, "the header has no column date or day %s", need);
        ok = 0;
    }
    const int required[] = {C_METRIC, C_VALUE, C_SCALE};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (h->at[required[i]] < 0) {
            tgt_bad(c, line, 1, "the header has no column %s %s", column_names[required[i]], need);
            ok = 0;
        }
    if (h->at[C_SD] < 0 && h->at[C_REL_TOL] < 0) {
        tgt_bad(c, line, 1, "the header has no column sd or rel_tol %s", need);
        ok = 0;
    }
    return ok ? 0 : -1;
}
