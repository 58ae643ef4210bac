/*
 * ratios.c - the ratios table (see ratios.h): disparate impact from pooled
 * counts, with a log-scale (Katz) interval widened by the runs'
 * overdispersion, and the counts beside every ratio.
 *
 * Why not the mean of the runs' ratios with a t-interval: a ratio's
 * sampling distribution is skewed (a group with 2 listed agents has a
 * ratio that can halve or double with one agent), so a symmetric interval
 * around its mean is wrong on both sides and reaches below zero. Pooling
 * the counts weighs each run by its agents, the log scale makes the
 * interval multiplicative (never below zero), and the dispersion factor
 * keeps the interval honest when the runs disagree more than independent
 * agents would (listings spread along ties, so they often do).
 */
#include "io/ratios.h"

#include <math.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/strbuf.h"
#include "io/store.h"
#include "scenario/params.h"

/* One row of the table. */
struct ratio_row {
    int64_t point, group;
    const char *group_name, *metric;
    int64_t day, runs, count, agents, ref_count, ref_agents;
    double ratio, ci_low, ci_high, dispersion, ref_dispersion;
    int64_t low_count;
};

#define RCOL(f, t, d)                                                                              \
    {                                                                                              \
#f, t, offsetof(struct ratio_row, f), 0, d                                                 \
    }

const struct met_column ratio_columns[] = {
    RCOL(point, MET_INT, "the point (sweep or compare; 0 for a run)"),
    RCOL(group, MET_INT, "the group (as in the groups table); the reference group has no row"),
    RCOL(group_name, MET_TEXT, "the group's name"),
    RCOL(metric, MET_TEXT,
         "'di_listed' (listed on the day) or 'di_sanctioned' (ever sanctioned by the day)"),
    RCOL(day, MET_INT, "day of the run"),
    RCOL(runs, MET_INT, "runs pooled: the point's done runs holding both groups (1 for a run)"),
    RCOL(count, MET_INT, "the group's listed (or ever-sanctioned) agents, summed over the runs"),
    RCOL(agents, MET_INT, "the group's agents, summed over the runs"),
    RCOL(ref_count, MET_INT, "the same count of the reference group"),
    RCOL(ref_agents, MET_INT, "the reference group's agents, summed over the runs"),
    RCOL(ratio, MET_REAL,
         "(count / agents) / (ref_count / ref_agents): the disparate impact of the pooled runs; "
         "NULL when ref_count is 0"),
    RCOL(ci_low, MET_REAL,
         "95% interval, low end: Katz's log-scale interval widened by the dispersions (see "
         "Disparate impact); 0 when count is 0; never below 0"),
    RCOL(ci_high, MET_REAL, "95% interval, high end (with count 0: from a count of 0.5)"),
    RCOL(dispersion, MET_REAL,
         "how much more the group's count varies between runs than binomial sampling would "
         "make it: Pearson chi^2 / (runs - 1), at least 1 (1 for a single run)"),
    RCOL(ref_dispersion, MET_REAL, "the same for the reference group"),
    RCOL(low_count, MET_INT,
         "1 when count or ref_count is below 10 (or the ratio is undefined): too few agents to "
         "lean on, whatever the interval says"),
};
const size_t ratio_n_columns = sizeof ratio_columns / sizeof ratio_columns[0];

/* ---- statistics --------------------------------------------------------- */

/* Pearson chi^2 / (runs - 1) of counts x[r] of n[r] around their pooled
 * rate p, at least 1; 1 when it cannot be estimated. */
static double ratio_dispersion(const int64_t *x, const int64_t *n, int runs, double p)
{
    if (runs < 2 || !(p > 0.0 && p < 1.0)) return 1.0;
    double chi2 = 0.0;
    for (int r = 0; r < runs; r++) {
        if (n[r] <= 0) continue;
        double e = (double)n[r] * p;
        chi2 += ((double)x[r] - e) * ((double)x[r] - e) / (e * (1.0 - p));
    }
    double phi = chi2 / (runs - 1);
    return phi > 1.0 ? phi : 1.0;
}

void ratio_of(const int64_t *x, const int64_t *n, const int64_t *y, const int64_t *k, int runs,
              struct ratio_stat *s)
{
    memset(s, 0, sizeof *s);
    for (int r = 0; r < runs; r++) s->a += x[r], s->n1 += n[r], s->c += y[r], s->n0 += k[r];
    s->ratio = s->ci_low = s->ci_high = NAN;
    s->phi1 = s->phi0 = 1.0;
    s->low_count = s->a < RATIO_MIN_COUNT || s->c < RATIO_MIN_COUNT;
    if (s->n1 <= 0 || s->n0 <= 0 || s->c <= 0) {
        s->low_count = 1;
        return;
    }
    double p1 = (double)s->a / (double)s->n1, p0 = (double)s->c / (double)s->n0;
    s->phi1 = ratio_dispersion(x, n, runs, p1);
    s->phi0 = ratio_dispersion(y, k, runs, p0);
    double v0 = s->phi0 * (1.0 / (double)s->c - 1.0 / (double)s->n0);
    if (s->a == 0) {
        /* No event: the ratio is 0; the high end as if half an agent. */
        double a = 0.5, v = s->phi1 * (1.0 / a - 1.0 / (double)s->n1) + v0;
        s->ratio = s->ci_low = 0.0;
        s->ci_high = (a / (double)s->n1) / p0 * exp(RATIO_Z975 * sqrt(v));
        return;
    }
    double v = s->phi1 * (1.0 / (double)s->a - 1.0 / (double)s->n1) + v0;
    double h = RATIO_Z975 * sqrt(v > 0.0 ? v : 0.0);
    s->ratio = p1 / p0;
    s->ci_low = s->ratio * exp(-h);
    s->ci_high = s->ratio * exp(h);
}

/* ---- the table ---------------------------------------------------------- */

/* The counts of one run of the block being gathered. */
struct ratio_run {
    int64_t listed[MAX_GROUPS], sanctioned[MAX_GROUPS], agents[MAX_GROUPS];
    unsigned char has[MAX_GROUPS];
};

/* What is gathered for one (point, day). */
struct ratio_block {
    struct mem *m;
    int n_groups, ref;               /* groups of the groups table; the reference */
    char name[MAX_GROUPS][MAX_NAME]; /* their names */
    int64_t point, day;              /* the key */
    int valid;                       /* a key is being gathered */
    struct ratio_run *run;           /* [cap] */
    int n, cap;                      /* runs gathered, room */
    int64_t cur_run;                 /* the run of run[n - 1] */
    int64_t *x, *nn, *y, *k;         /* [cap] scratch for ratio_of */
    sqlite3_stmt *ins;               /* INSERT INTO ratios */
};

static int ratio_grow(struct ratio_block *b, struct ss_error *err)
{
    int cap = b->cap ? 2 * b->cap : 16;
    struct ratio_run *run = mem_realloc(b->m, b->run, (size_t)cap * sizeof *run);
    if (!run) return err_nomem(err, "computing disparate impact");
    b->run = run;
    int64_t **arrays[4] = {&b->x, &b->nn, &b->y, &b->k};
    for (int i = 0; i < 4; i++) {
        int64_t *p = mem_realloc(b->m, *arrays[i], (size_t)cap * sizeof *p);
        if (!p) return err_nomem(err, "computing disparate impact");
        *arrays[i] = p;
    }
    b->cap = cap;
    return SS_OK;
}

static int ratio_insert(sqlite3 *db, sqlite3_stmt *st, const struct ratio_row *r,
                        struct ss_error *err)
{
    const int64_t ints[] = {r->point,  r->group,     r->day,        r->runs,     r->count,
                            r->agents, r->ref_count, r->ref_agents, r->low_count};
    sqlite3_bind_int64(st, 1, ints[0]);
    sqlite3_bind_int64(st, 2, ints[1]);
    sqlite3_bind_text(st, 3, r->group_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->metric, -1, SQLITE_STATIC);
    for (int i = 2; i < 8; i++) sqlite3_bind_int64(st, i + 3, ints[i]);
    store_bind_real(st, 11, r->ratio);
    store_bind_real(st, 12, r->ci_low);
    store_bind_real(st, 13, r->ci_high);
    store_bind_real(st, 14, r->dispersion);
    store_bind_real(st, 15, r->ref_dispersion);
    sqlite3_bind_int64(st, 16, ints[8]);
    return store_step_done(db, st, err);
}

/* The rows of the gathered (point, day); then clear it. */
static int ratio_flush(sqlite3 *db, struct ratio_block *b, struct ss_error *err)
{
    int rc = SS_OK;
    for (int g = 0; b->ref >= 0 && g < b->n_groups && rc == SS_OK; g++) {
        if (g == b->ref) continue;
        for (int m = 0; m < 2 && rc == SS_OK; m++) {
            int runs = 0;
            for (int r = 0; r < b->n; r++) {
                const struct ratio_run *u = &b->run[r];
                if (!u->has[g] || !u->has[b->ref]) continue;
                b->x[runs] = m ? u->sanctioned[g] : u->listed[g];
                b->nn[runs] = u->agents[g];
                b->y[runs] = m ? u->sanctioned[b->ref] : u->listed[b->ref];
                b->k[runs] = u->agents[b->ref];
                runs++;
            }
            if (!runs) continue;
            struct ratio_stat s;
            ratio_of(b->x, b->nn, b->y, b->k, runs, &s);
            struct ratio_row row = {.point = b->point,
                                    .group = g,
                                    .group_name = b->name[g],
                                    .metric = m ? "di_sanctioned" : "di_listed",
                                    .day = b->day,
                                    .runs = runs,
                                    .count = s.a,
                                    .agents = s.n1,
                                    .ref_count = s.c,
                                    .ref_agents = s.n0,
                                    .ratio = s.ratio,
                                    .ci_low = s.ci_low,
                                    .ci_high = s.ci_high,
                                    .dispersion = s.phi1,
                                    .ref_dispersion = s.phi0,
                                    .low_count = s.low_count};
            rc = ratio_insert(db, b->ins, &row, err);
        }
    }
    b->n = 0;
    b->valid = 0;
    return rc;
}

/* The groups of point `point` (experiment: the groups table holds every
 * run's; any run of a point has the point's groups, so its lowest-numbered
 * done run's are taken; a run: its own), their names and the reference
 * group, into b; n_groups 0 if there are none (no run merged yet, or none
 * of the point's). */
static int ratio_groups(sqlite3 *db, struct ratio_block *b, int experiment, int64_t point,
                        struct ss_error *err)
{
    sqlite3_stmt *st = NULL;
    b->n_groups = 0;
    b->ref = -1;
    int has = 0;
    int rc = store_prepare(db,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = "
                           "'groups'",
                           &st, err);
    if (rc == SS_OK && sqlite3_step(st) == SQLITE_ROW) has = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SS_OK || !has) return rc; /* no run merged yet */
    rc = store_prepare(db,
                       experiment ? "SELECT \"group\", name, share FROM groups WHERE run = "
                                    "(SELECT min(g.run) FROM groups g JOIN runs r ON r.run = "
                                    "g.run WHERE r.point = ?1 AND r.status = 'done') "
                                    "ORDER BY \"group\""
                                  : "SELECT \"group\", name, share FROM groups ORDER BY \"group\"",
                       &st, err);
    if (rc == SS_OK && experiment) sqlite3_bind_int64(st, 1, point);
    double best = -1.0;
    while (rc == SS_OK && sqlite3_step(st) == SQLITE_ROW) {
        sqlite3_int64 g = sqlite3_column_int64(st, 0);
        const unsigned char *name = sqlite3_column_text(st, 1);
        double share = sqlite3_column_double(st, 2);
        if (g != b->n_groups || g >= MAX_GROUPS || !name) continue;
        snprintf(b->name[g], MAX_NAME, "%s", (const char *)name);
        /* the largest share, the first of equals (as the measurement's) */
        if (share > best) best = share, b->ref = (int)g;
        b->n_groups++;
    }
    sqlite3_finalize(st);
    return rc;
}

static int ratio_group_index(const struct ratio_block *b, const unsigned char *name)
{
    for (int g = 0; name && g < b->n_groups; g++)
        if (!strcmp(b->name[g], (const char *)name)) return g;
    return -1;
}

static int ratio_create(sqlite3 *db, struct ss_error *err)
{
    struct mem m = {0};
    struct sbuf q = {.m = &m};
    sbuf_add(&q, "CREATE TABLE IF NOT EXISTS ratios (");
    for (size_t i = 0; i < ratio_n_columns; i++)
        sbuf_printf(&q, "%s\"%s\" %s", i ? ", " : "", ratio_columns[i].name,
                    met_sql_type(ratio_columns[i].type));
    sbuf_add(&q, ", PRIMARY KEY(\"point\", \"group\", \"metric\", \"day\")) WITHOUT ROWID;"
                 "DELETE FROM ratios");
    const char *sql = sbuf_str(&q, err, "computing disparate impact");
    int rc = sql ? store_exec(db, sql, err) : SS_ENOMEM;
    sbuf_free(&q);
    return rc;
}

int ratios_build(sqlite3 *db, int experiment, struct ss_error *err)
{
    struct mem m = {0};
    struct ratio_block b = {.m = &m};
    sqlite3_stmt *sel = NULL;
    int rc = ratio_create(db, err);
    int64_t groups_of = -1; /* the point whose groups b holds */
    if (rc == SS_OK && !experiment) {
        rc = ratio_groups(db, &b, 0, 0, err);
        groups_of = 0;
    }
    if (rc != SS_OK || (!experiment && (b.n_groups < 2 || b.ref < 0))) return rc;
    rc = store_prepare(db,
                       experiment
                           ? "SELECT r.point, d.day, d.run, d.group_name, d.listed, "
                             "d.ever_sanctioned, d.agents FROM daily d JOIN runs r ON r.run = "
                             "d.run WHERE r.status = 'done' AND d.\"group\" >= 0 "
                             "ORDER BY r.point, d.day, d.run"
                           : "SELECT 0, day, 0, group_name, listed, ever_sanctioned, agents "
                             "FROM daily WHERE \"group\" >= 0 ORDER BY day",
                       &sel, err);
    if (rc == SS_OK)
        rc = store_prepare(db,
                           "INSERT INTO ratios VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?)",
                           &b.ins, err);
    int s = SQLITE_DONE;
    while (rc == SS_OK && (s = sqlite3_step(sel)) == SQLITE_ROW) {
        int64_t point = sqlite3_column_int64(sel, 0), day = sqlite3_column_int64(sel, 1);
        int64_t run = sqlite3_column_int64(sel, 2);
        if (b.valid && (point != b.point || day != b.day)) rc = ratio_flush(db, &b, err);
        /* each point its own groups: a sweep may vary their shares, so its
         * reference, and a comparison's A and B may have other groups */
        if (rc == SS_OK && point != groups_of) rc = ratio_groups(db, &b, 1, point, err);
        groups_of = point;
        if (rc != SS_OK) break;
        if (!b.valid) b.valid = 1, b.point = point, b.day = day, b.n = 0;
        if (b.n == 0 || run != b.cur_run) {
            if (b.n == b.cap && (rc = ratio_grow(&b, err)) != SS_OK) break;
            memset(&b.run[b.n++], 0, sizeof *b.run);
            b.cur_run = run;
        }
        int g = ratio_group_index(&b, sqlite3_column_text(sel, 3));
        if (g < 0) continue;
        struct ratio_run *u = &b.run[b.n - 1];
        u->has[g] = 1;
        u->listed[g] = sqlite3_column_int64(sel, 4);
        u->sanctioned[g] = sqlite3_column_int64(sel, 5);
        u->agents[g] = sqlite3_column_int64(sel, 6);
    }
    if (rc == SS_OK && s != SQLITE_DONE) rc = store_db_err(db, err, "reading");
    if (rc == SS_OK && b.valid) rc = ratio_flush(db, &b, err);
    sqlite3_finalize(sel);
    sqlite3_finalize(b.ins);
    mem_free(&m, b.run);
    mem_free(&m, b.x);
    mem_free(&m, b.nn);
    mem_free(&m, b.y);
    mem_free(&m, b.k);
    return rc;
}
