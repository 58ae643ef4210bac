/*
 * sensitivity.c - `scoresim sensitivity` (exp_sensitivity in scoresim.h):
 * a sweep whose points come from a design (design.h) instead of a
 * factorial, and the sensitivity indices of chosen metrics (gsa.h) with
 * the noise between seeds beside them.
 *
 * Everything is checked before a run starts: the --param ranges (by the
 * scenario's own rules, design_parse), every point of the design
 * (design_check_point), the metrics (daily columns, groups, derived
 * shares) and the day. The runs go through exp_execute, the sweep's
 * runner, so a sensitivity analysis resumes, extends and records exactly
 * as a sweep does. Its points are identified by their values written to
 * full precision, so a resumed invocation that rebuilds the same design
 * finds its runs, and any other design is refused as a different
 * experiment. The sensitivity tables are derived: rebuilt by every
 * invocation from the design and the done runs' daily rows
 * (docs/experiments-schema.md).
 */
#include "experiment/experiment.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "engine/metrics.h"
#include "experiment/design.h"
#include "experiment/gsa.h"
#include "io/store.h"
#include "scenario/params.h"
#include "scenario/scenario.h"

#define SENS_MAX_METRICS 64     /* metrics of one analysis */
#define SENS_METRIC_MAX  160    /* bytes of a metric's name */
#define SENS_SQL_MAX     512    /* bytes of a metric's query */
#define SENS_MAX_SIZE    100000 /* trajectories or samples */
#define SENS_SQRT_2_PI                                                                             \
    0.79788456080286535588 /* sqrt(2 / pi): the mean of abs(Z), Z standard normal */

enum sens_method { SENS_MORRIS, SENS_SOBOL };
enum sens_agg { SENS_ON_DAY, SENS_SUM, SENS_MEAN };

/* One output of every run: a query giving (run, value) for the done runs. */
struct sens_metric {
    char
        name[SENS_METRIC_MAX]; /* as it is reported: "di_listed@uyghur", "internments@uyghur:sum" */
    char sql[SENS_SQL_MAX];    /* SELECT run, value ... */
};

/* Shares the results' discussion uses (docs/results.md), as SQL over one
 * run's daily rows of a group: on the day, or over days 1 to the day. */
static const struct {
    const char *name;
    int over_days; /* 1: an aggregate over days 1..D (GROUP BY run) */
    const char *expr;
    const char *doc;
} sens_derived[] = {
    {"wrongful_share", 0, "CAST(wrongful_sanctions_cum AS REAL) / NULLIF(sanctions_cum, 0)",
     "wrongful_sanctions_cum / sanctions_cum: the share of sanctions to day D that fell on agents "
     "never scored for a negative act they did"},
    {"wrongful_listed_share", 0, "CAST(listed_wrongfully AS REAL) / NULLIF(listed, 0)",
     "listed_wrongfully / listed on day D"},
    {"cross_context_share_cum", 0,
     "CAST(cross_context_sanctions_cum AS REAL) / NULLIF(sanctions_cum, 0)",
     "cross_context_sanctions_cum / sanctions_cum: the share of sanctions to day D that their own "
     "domain's points would not have brought"},
    {"silence_share", 1,
     "1.0 - CAST(SUM(taken_criticise) AS REAL) / NULLIF(SUM(criticism_would), 0)",
     "1 - the criticism posted over days 1..D / the criticism that would have been: the share "
     "silenced by fear and bans"},
};
#define SENS_N_DERIVED (sizeof sens_derived / sizeof sens_derived[0])

/* One invocation: the design, its points and what the indices are of. */
struct sens {
    struct mem mem;
    const struct exp_options *o;
    struct design *d;
    struct design_points *pts;
    int method;    /* enum sens_method */
    long size;     /* r or N */
    int levels;    /* morris: p */
    uint64_t seed; /* the design's and the bootstrap's key: the base seed */
    int day;       /* D */
    struct sens_metric metric[SENS_MAX_METRICS];
    int n_metrics;
};

/* ---- the metrics ---------------------------------------------------------- */

static int sens_group_known(const struct params *p, const char *g)
{
    if (!strcmp(g, "all")) return 1;
    for (uint32_t i = 0; i < p->population.groups.n; i++)
        if (!strcmp(p->population.groups.name[i], g)) return 1;
    return 0;
}

/* Parse one metric "NAME[@GROUP][:sum|:mean]" (text[0..n)) into m,
 * checked against the daily columns and the scenario's groups. */
static int sens_metric_parse(struct sens *x, const struct params *p, const char *text, size_t n,
                             struct sens_metric *m, struct ss_error *err)
{
    char buf[SENS_METRIC_MAX], name[SENS_METRIC_MAX], group[SENS_METRIC_MAX] = "all";
    if (n == 0) return err_msg(err, SS_EINPUT, "--metrics: an empty name between commas");
    if (n >= sizeof buf) return err_msg(err, SS_EINPUT, "--metrics: '%.40s...' is too long", text);
    memcpy(buf, text, n);
    buf[n] = '\0';
    int agg = SENS_ON_DAY;
    char *colon = strchr(buf, ':');
    if (colon) {
        if (!strcmp(colon, ":sum"))
            agg = SENS_SUM;
        else if (!strcmp(colon, ":mean"))
            agg = SENS_MEAN;
        else
            return err_msg(err, SS_EINPUT,
                           "--metrics %s: '%s' is not an aggregate (expected :sum or :mean over "
                           "days 1 to the day, or nothing for the value on the day)",
                           buf, colon);
        *colon = '\0';
    }
    char *at = strchr(buf, '@');
    if (at) {
        snprintf(group, sizeof group, "%s", at + 1);
        *at = '\0';
    }
    snprintf(name, sizeof name, "%s", buf);
    if (at) *at = '@';
    if (colon) *colon = ':';
    if (!sens_group_known(p, group)) {
        struct sbuf b = {.m = &x->mem};
        for (uint32_t i = 0; i < p->population.groups.n; i++)
            sbuf_printf(&b, "%s%s", i ? ", " : "", p->population.groups.name[i]);
        const char *list = sbuf_str(&b, err, "listing the groups");
        int rc = list ? err_msg(err, SS_EINPUT,
                                "--metrics %s: the scenario has no group '%s' (groups: all, %s)",
                                buf, group, list)
                      : SS_ENOMEM;
        sbuf_free(&b);
        return rc;
    }
    snprintf(m->name, sizeof m->name, "%s", buf);
    int derived = -1;
    for (size_t i = 0; i < SENS_N_DERIVED; i++)
        if (!strcmp(sens_derived[i].name, name)) derived = (int)i;
    const struct met_column *col = NULL;
    for (size_t i = 0; derived < 0 && i < met_n_daily_columns; i++)
        if (!strcmp(met_daily_columns[i].name, name) && exp_db_is_metric(&met_daily_columns[i]))
            col = &met_daily_columns[i];
    if (derived < 0 && !col) {
        struct sbuf b = {.m = &x->mem};
        for (size_t i = 0; i < SENS_N_DERIVED; i++)
            sbuf_printf(&b, "%s%s", i ? ", " : "", sens_derived[i].name);
        const char *list = sbuf_str(&b, err, "listing the metrics");
        int rc = list ? err_msg(err, SS_EINPUT,
                                "--metrics %s: '%s' is not a metric: expected a numeric column of "
                                "the daily table (docs/metrics.md) or one of %s",
                                buf, name, list)
                      : SS_ENOMEM;
        sbuf_free(&b);
        return rc;
    }
    if (derived >= 0 && colon)
        return err_msg(err, SS_EINPUT,
                       "--metrics %s: '%s' is a share of its own: it takes no :sum or :mean", buf,
                       name);
    /* The group's name is checked above, so it is safe inside quotes. */
    int k;
    if (derived >= 0 && sens_derived[derived].over_days)
        k = snprintf(m->sql, sizeof m->sql,
                     "SELECT run, %s FROM daily WHERE group_name = '%s' AND day BETWEEN 1 AND %d "
                     "GROUP BY run",
                     sens_derived[derived].expr, group, x->day);
    else if (derived >= 0)
        k = snprintf(m->sql, sizeof m->sql,
                     "SELECT run, %s FROM daily WHERE group_name = '%s' AND day = %d",
                     sens_derived[derived].expr, group, x->day);
    else if (agg == SENS_ON_DAY)
        k = snprintf(m->sql, sizeof m->sql,
                     "SELECT run, \"%s\" FROM daily WHERE group_name = '%s' AND day = %d",
                     col->name, group, x->day);
    else
        k = snprintf(m->sql, sizeof m->sql,
                     "SELECT run, %s(\"%s\") FROM daily WHERE group_name = '%s' AND day BETWEEN "
                     "1 AND %d GROUP BY run",
                     agg == SENS_SUM ? "SUM" : "AVG", col->name, group, x->day);
    if (k < 0 || (size_t)k >= sizeof m->sql)
        return err_msg(err, SS_EINTERNAL, "--metrics %s: query too long", buf);
    for (int i = 0; i < x->n_metrics; i++)
        if (!strcmp(x->metric[i].name, m->name))
            return err_msg(err, SS_EINPUT, "--metrics: '%s' is listed twice", m->name);
    return SS_OK;
}

static int sens_add_metric(struct sens *x, const struct params *p, const char *text,
                           struct ss_error *err)
{
    if (x->n_metrics == SENS_MAX_METRICS)
        return err_msg(err, SS_EINPUT, "--metrics: at most %d metrics", SENS_MAX_METRICS);
    int rc = sens_metric_parse(x, p, text, strlen(text), &x->metric[x->n_metrics], err);
    if (rc == SS_OK) x->n_metrics++;
    return rc;
}

/* The metrics asked for, or the headline figures of docs/results.md: the
 * list, wrongful and cross-context sanctions, silence, and each smaller
 * group's disparate impact (and internments, where it applies). */
static int sens_metrics(struct sens *x, const struct params *p, struct ss_error *err)
{
    const char *list = x->o->metrics;
    if (list) {
        for (const char *a = list;;) {
            const char *c = strchr(a, ',');
            size_t n = c ? (size_t)(c - a) : strlen(a);
            while (n && *a == ' ') a++, n--;
            while (n && a[n - 1] == ' ') n--;
            if (x->n_metrics == SENS_MAX_METRICS)
                return err_msg(err, SS_EINPUT, "--metrics: at most %d metrics", SENS_MAX_METRICS);
            int rc = sens_metric_parse(x, p, a, n, &x->metric[x->n_metrics], err);
            if (rc) return rc;
            x->n_metrics++;
            if (!c) break;
            a = c + 1;
        }
        return SS_OK;
    }
    static const char *const whole[] = {"listed_rate", "wrongful_share", "cross_context_share_cum",
                                        "silence_share"};
    int rc = SS_OK;
    for (size_t i = 0; i < sizeof whole / sizeof whole[0] && rc == SS_OK; i++)
        rc = sens_add_metric(x, p, whole[i], err);
    /* The reference of disparate impact is the largest group (the first
     * of equals), as in the daily table. */
    const struct named_values *g = &p->population.groups;
    uint32_t ref = 0;
    for (uint32_t i = 1; i < g->n; i++)
        if (g->v[i] > g->v[ref]) ref = i;
    char m[SENS_METRIC_MAX];
    for (uint32_t i = 0; i < g->n && rc == SS_OK; i++) {
        if (i == ref) continue;
        snprintf(m, sizeof m, "di_listed@%s", g->name[i]);
        rc = sens_add_metric(x, p, m, err);
        snprintf(m, sizeof m, "di_sanctioned@%s", g->name[i]);
        if (rc == SS_OK) rc = sens_add_metric(x, p, m, err);
        if (rc == SS_OK && p->sanctions.internment.enabled &&
            (p->sanctions.internment.groups.mask >> i & 1u)) {
            snprintf(m, sizeof m, "internments@%s:sum", g->name[i]);
            rc = sens_add_metric(x, p, m, err);
        }
    }
    return rc;
}

/* ---- the plan ------------------------------------------------------------- */

/* The plan of a design's points: the keys as axes, each point's values as
 * the design wrote them (design_set_text: exact), labels and params. */
static int sens_plan(struct sens *x, const struct scenario *s, struct exp_plan **out,
                     struct ss_error *err)
{
    const struct exp_options *o = x->o;
    const struct design_points *pts = x->pts;
    struct mem m = {0};
    *out = NULL;
    struct exp_plan *pl = mem_calloc(&m, 1, sizeof *pl);
    if (!pl) return err_nomem(err, "planning the analysis");
    pl->mem = m;
    pl->kind = EXP_SENSITIVITY;
    pl->replicates = o->replicates ? o->replicates : EXP_SENS_REPLICATES;
    pl->replicates_asked = o->replicates;
    pl->baseline = -1;
    pl->sets = o->sets;
    pl->n_sets = o->n_sets;
    pl->file[0] = o->scenario;
    pl->n_points = (int)pts->n;
    pl->base_seed = scn_params(s)->seed;
    int rc = SS_OK;
    if (!(pl->scenario = mem_strdup(&pl->mem, scn_text(s))) ||
        !(pl->name = mem_strdup(&pl->mem, scn_name(s))))
        rc = err_nomem(err, "planning the analysis");
    if (rc == SS_OK) rc = exp_plan_set_replicates(pl, pl->replicates, err);
    struct sbuf vb = {.m = &pl->mem}, sb = {.m = &pl->mem};
    char safe[300];
    text_safe_name(safe, sizeof safe, scn_name(s));
    sbuf_printf(&sb, "sensitivity-%s_%s", safe, x->method == SENS_MORRIS ? "morris" : "sobol");
    sbuf_add(&vb, "[");
    for (int a = 0; a < x->d->k && rc == SS_OK; a++) {
        if (!(pl->axis[a].key = mem_strdup(&pl->mem, x->d->param[a].key)))
            rc = err_nomem(err, "planning the analysis");
        pl->n_axes = a + 1;
        sbuf_printf(&vb, "%s", a ? ", " : "");
        sbuf_json(&vb, x->d->param[a].key);
    }
    sbuf_add(&vb, "]");
    if (rc == SS_OK && (!(pl->varied = sbuf_take(&vb, err, "planning the analysis")) ||
                        !(pl->stem = sbuf_take(&sb, err, "planning the analysis"))))
        rc = SS_ENOMEM;
    sbuf_free(&vb);
    sbuf_free(&sb);
    const size_t nv = (size_t)pl->n_points * (size_t)pl->n_axes;
    if (rc == SS_OK) {
        pl->values = mem_calloc(&pl->mem, nv ? nv : 1, sizeof *pl->values);
        pl->label = mem_calloc(&pl->mem, (size_t)pl->n_points, sizeof *pl->label);
        pl->params = mem_calloc(&pl->mem, (size_t)pl->n_points, sizeof *pl->params);
        if (!pl->values || !pl->label || !pl->params) rc = err_nomem(err, "planning the analysis");
    }
    char kv[DESIGN_SET_MAX];
    for (int p = 0; p < pl->n_points && rc == SS_OK; p++) {
        struct sbuf lb = {.m = &pl->mem}, pb = {.m = &pl->mem};
        sbuf_add(&pb, "{");
        for (int a = 0; a < pl->n_axes && rc == SS_OK; a++) {
            if (design_set_text(x->d, a, pts->x[(size_t)p * (size_t)pts->k + (size_t)a], kv,
                                sizeof kv)) {
                rc = err_msg(err, SS_EINTERNAL, "a point's value does not fit");
                break;
            }
            const char *v = strchr(kv, '=') + 1;
            if (!(pl->values[(size_t)p * (size_t)pl->n_axes + (size_t)a] =
                      mem_strdup(&pl->mem, v))) {
                rc = err_nomem(err, "planning the analysis");
                break;
            }
            sbuf_printf(&lb, "%s%s", a ? ", " : "", kv);
            if (a) sbuf_add(&pb, ", ");
            sbuf_json(&pb, pl->axis[a].key);
            sbuf_add(&pb, ": ");
            sbuf_json(&pb, v);
        }
        sbuf_add(&pb, "}");
        if (rc == SS_OK) {
            pl->label[p] = sbuf_take(&lb, err, "planning the analysis");
            pl->params[p] = sbuf_take(&pb, err, "planning the analysis");
            if (!pl->label[p] || !pl->params[p]) rc = SS_ENOMEM;
        }
        sbuf_free(&lb);
        sbuf_free(&pb);
    }
    if (rc != SS_OK) {
        exp_plan_free(pl);
        return rc;
    }
    *out = pl;
    return SS_OK;
}

/* ---- the tables ----------------------------------------------------------- */

static const char *const sens_tables[] = {"sensitivity_design",
                                          "sensitivity_params",
                                          "sensitivity_points",
                                          "sensitivity_outputs",
                                          "sensitivity",
                                          "sensitivity_noise",
                                          NULL};

static const char sens_schema[] =
    "DROP TABLE IF EXISTS sensitivity_design; DROP TABLE IF EXISTS sensitivity_params;"
    "DROP TABLE IF EXISTS sensitivity_points; DROP TABLE IF EXISTS sensitivity_outputs;"
    "DROP TABLE IF EXISTS sensitivity; DROP TABLE IF EXISTS sensitivity_noise;"
    "CREATE TABLE sensitivity_design (method TEXT NOT NULL, params TEXT NOT NULL, "
    "size INTEGER NOT NULL, levels INTEGER, design_seed INTEGER, points INTEGER NOT NULL, "
    "replicates INTEGER NOT NULL, base_seed INTEGER NOT NULL, day INTEGER NOT NULL, "
    "resamples INTEGER NOT NULL, level REAL NOT NULL, nan TEXT NOT NULL, "
    "runs_done INTEGER NOT NULL, runs INTEGER NOT NULL);"
    "CREATE TABLE sensitivity_params (param INTEGER PRIMARY KEY, key TEXT NOT NULL, "
    "spec TEXT NOT NULL, lo REAL NOT NULL, hi REAL NOT NULL, scale TEXT NOT NULL, "
    "step INTEGER NOT NULL, scheduled INTEGER NOT NULL);"
    "CREATE TABLE sensitivity_points (point INTEGER, param INTEGER, u REAL, value REAL, "
    "unit REAL, moved INTEGER, PRIMARY KEY(point, param)) WITHOUT ROWID;"
    "CREATE TABLE sensitivity_outputs (metric TEXT, run INTEGER, point INTEGER, "
    "replicate INTEGER, value REAL, PRIMARY KEY(metric, run)) WITHOUT ROWID;"
    "CREATE TABLE sensitivity (metric TEXT, param INTEGER, key TEXT, rank INTEGER, "
    "mu REAL, mu_star REAL, mu_star_lo REAL, mu_star_hi REAL, sigma REAL, effects INTEGER, "
    "skipped INTEGER, noise_floor REAL, noise_floor_paired REAL, s1 REAL, s1_lo REAL, s1_hi REAL, "
    "st REAL, st_lo REAL, "
    "st_hi REAL, below_noise INTEGER, PRIMARY KEY(metric, param)) WITHOUT ROWID;"
    "CREATE TABLE sensitivity_noise (metric TEXT PRIMARY KEY, points INTEGER, "
    "replicates INTEGER, used INTEGER, skipped INTEGER, mean_sd REAL, pooled_var REAL, "
    "var_means REAL, noise_share REAL, rows INTEGER, rows_used INTEGER, rows_skipped INTEGER, "
    "output_mean REAL, output_var REAL, undefined INTEGER, position INTEGER) WITHOUT ROWID;";

/* The design, its keys and its points. */
static int sens_write_design(sqlite3 *db, const struct sens *x, const struct exp_plan *pl,
                             int runs_done, struct ss_error *err)
{
    const struct design *d = x->d;
    const struct design_points *pts = x->pts;
    struct mem m = {0};
    struct sbuf b = {.m = &m};
    sbuf_add(&b, "[");
    for (int i = 0; i < d->k; i++) {
        if (i) sbuf_add(&b, ", ");
        sbuf_json(&b, d->param[i].spec);
    }
    sbuf_add(&b, "]");
    const char *specs = sbuf_str(&b, err, "recording the design");
    if (!specs) return SS_ENOMEM;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db,
                           "INSERT INTO sensitivity_design VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ?)",
                           &st, err);
    if (rc == SS_OK) {
        sqlite3_bind_text(st, 1, x->method == SENS_MORRIS ? "morris" : "sobol", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, specs, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, x->size);
        if (x->method == SENS_MORRIS) {
            sqlite3_bind_int(st, 4, pts->levels);
            sqlite3_bind_int64(st, 5, (sqlite3_int64)pts->seed);
        } else {
            sqlite3_bind_null(st, 4);
            sqlite3_bind_null(st, 5);
        }
        sqlite3_bind_int64(st, 6, pts->n);
        sqlite3_bind_int(st, 7, pl->replicates);
        sqlite3_bind_int64(st, 8, (sqlite3_int64)pl->base_seed);
        sqlite3_bind_int(st, 9, x->day);
        sqlite3_bind_int(st, 10, GSA_DEFAULT_RESAMPLES);
        sqlite3_bind_double(st, 11, 0.95);
        sqlite3_bind_text(st, 12, x->o->skip_nan ? "skip" : "error", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 13, runs_done);
        sqlite3_bind_int(st, 14, pl->n_runs);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    sbuf_free(&b);
    st = NULL;
    if (rc == SS_OK)
        rc = store_prepare(db, "INSERT INTO sensitivity_params VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           &st, err);
    for (int i = 0; rc == SS_OK && i < d->k; i++) {
        const struct design_param *p = &d->param[i];
        sqlite3_bind_int(st, 1, i);
        sqlite3_bind_text(st, 2, p->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, p->spec, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 4, p->lo);
        sqlite3_bind_double(st, 5, p->hi);
        sqlite3_bind_text(st, 6, p->scale == DESIGN_LOG ? "log" : "linear", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 7, p->step);
        sqlite3_bind_int(st, 8, p->scheduled);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SS_OK)
        rc =
            store_prepare(db, "INSERT INTO sensitivity_points VALUES (?, ?, ?, ?, ?, ?)", &st, err);
    for (long p = 0; rc == SS_OK && p < pts->n; p++)
        for (int i = 0; rc == SS_OK && i < pts->k; i++) {
            size_t at = (size_t)p * (size_t)pts->k + (size_t)i;
            sqlite3_bind_int64(st, 1, p);
            sqlite3_bind_int(st, 2, i);
            sqlite3_bind_double(st, 3, pts->u[at]);
            sqlite3_bind_double(st, 4, pts->x[at]);
            sqlite3_bind_double(st, 5, pts->s[at]);
            if (pts->moved)
                sqlite3_bind_int(st, 6, pts->moved[p]);
            else
                sqlite3_bind_null(st, 6);
            rc = store_step_done(db, st, err);
        }
    sqlite3_finalize(st);
    return rc;
}

/* y[run] of metric m for every done run (NaN where a run has no value),
 * recorded in sensitivity_outputs. */
static int sens_outputs(sqlite3 *db, const struct exp_plan *pl, const struct sens_metric *m,
                        double *y, struct ss_error *err)
{
    for (int r = 0; r < pl->n_runs; r++) y[r] = NAN;
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc = store_prepare(db, m->sql, &sel, err);
    if (rc == SS_OK)
        rc = store_prepare(db, "INSERT INTO sensitivity_outputs VALUES (?, ?, ?, ?, ?)", &ins, err);
    int s = SQLITE_DONE;
    while (rc == SS_OK && (s = sqlite3_step(sel)) == SQLITE_ROW) {
        sqlite3_int64 run = sqlite3_column_int64(sel, 0);
        if (run < 0 || run >= pl->n_runs) continue;
        double v = sqlite3_column_type(sel, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(sel, 1);
        y[run] = v;
        sqlite3_bind_text(ins, 1, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, run);
        sqlite3_bind_int64(ins, 3, run / pl->replicates);
        sqlite3_bind_int64(ins, 4, run % pl->replicates);
        store_bind_real(ins, 5, v);
        rc = store_step_done(db, ins, err);
    }
    if (rc == SS_OK && s != SQLITE_DONE) rc = store_db_err(db, err, "reading a metric");
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return rc;
}

/* The mu* each key of a Morris design would show with no effect of its
 * own, judged by the seeds as this design uses them. Every point runs the
 * same seeds, so the change of a step is measured seed by seed: d_r =
 * (y(x', r) - y(x, r)) / (s' - s). A key with no effect at all changes no
 * run (d_r = 0), however noisy the runs; a key whose effect the seeds
 * scatter shows it in the spread of d_r. The mean EE of a step then has
 * the variance v = var_r(d_r) / R, and a key with no systematic effect has
 * mu* = sqrt(2/pi) sqrt(mean v) over its steps (as gsa_morris_noise_floor
 * does for seeds that differ from point to point, which overstates the
 * noise of this design many times). NaN when no step has 2 finite pairs. */
static void sens_paired_floor(const struct design_points *pts, const double *y, int reps,
                              double *out)
{
    double sum[DESIGN_MAX_PARAMS] = {0};
    long n[DESIGN_MAX_PARAMS] = {0};
    for (long p = 1; pts->moved && p < pts->n; p++) {
        const int i = pts->moved[p];
        if (i < 0) continue;
        const double ds = pts->s[(size_t)p * (size_t)pts->k + (size_t)i] -
                          pts->s[(size_t)(p - 1) * (size_t)pts->k + (size_t)i];
        double m = 0, ss = 0;
        int used = 0;
        for (int r = 0; r < reps; r++) {
            const double a = y[(size_t)p * (size_t)reps + (size_t)r];
            const double b = y[(size_t)(p - 1) * (size_t)reps + (size_t)r];
            if (!isfinite(a) || !isfinite(b)) continue;
            const double d = (a - b) / ds, delta = d - m;
            used++;
            m += delta / used; /* Welford: one pass, no cancellation */
            ss += delta * (d - m);
        }
        if (used < 2) continue;
        sum[i] += ss / (used - 1) / used;
        n[i]++;
    }
    for (int i = 0; i < pts->k; i++)
        out[i] = n[i] ? SENS_SQRT_2_PI * sqrt(sum[i] / (double)n[i]) : NAN;
}

/* The message of a gsa_ error about metric m, with what to do. */
static int sens_metric_error(struct ss_error *err, const char *metric, int skip)
{
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return err_msg(err, SS_EINPUT, "metric %s: %s%s", metric, msg,
                   skip ? "" : " (add --skip-nan to leave such outputs out, counted)");
}

/* The indices and the noise of one metric from y[run]. A metric the
 * estimators refuse (SS_EINPUT: an output that is not a number, say) is
 * left without rows and its error kept in *first, if none yet. */
static int sens_indices(sqlite3 *db, const struct sens *x, const struct exp_plan *pl,
                        const struct sens_metric *m, const double *y, double *means,
                        struct ss_error *first, struct ss_error *err)
{
    const struct design_points *pts = x->pts;
    const int k = pts->k, nan = x->o->skip_nan ? GSA_NAN_SKIP : GSA_NAN_ERROR;
    struct gsa_options go = {.seed = x->seed, .nan = nan};
    struct gsa_morris_index mi[DESIGN_MAX_PARAMS];
    struct gsa_sobol_index si[DESIGN_MAX_PARAMS];
    struct gsa_sobol_info info = {0};
    struct gsa_noise nz = {0};
    double floor_[DESIGN_MAX_PARAMS] = {0}, paired[DESIGN_MAX_PARAMS] = {0};
    int order[DESIGN_MAX_PARAMS];
    struct ss_error e = {0};
    struct mem scratch = {0};
    long skipped = 0;
    int rc = gsa_replicate_means(y, pts->n, pl->replicates, nan, means, &skipped, &e);
    const int noisy = pl->replicates >= 2;
    if (rc == SS_OK && noisy) rc = gsa_noise(y, pts->n, pl->replicates, nan, &nz, &e);
    if (rc == SS_OK && x->method == SENS_MORRIS) {
        rc = gsa_morris(&scratch, pts, means, &go, mi, &e);
        if (rc == SS_OK) {
            gsa_morris_rank(mi, k, order);
            if (noisy) {
                gsa_morris_noise_floor(&nz, pts, floor_);
                sens_paired_floor(pts, y, pl->replicates, paired);
            } else {
                for (int i = 0; i < k; i++) floor_[i] = paired[i] = NAN;
            }
        }
    } else if (rc == SS_OK) {
        rc = gsa_sobol(&scratch, pts, means, &go, si, &info, &e);
        /* ranked by the total index, largest first (ties: the lower index) */
        for (int i = 0; rc == SS_OK && i < k; i++) order[i] = i;
        for (int i = 1; rc == SS_OK && i < k; i++)
            for (int j = i; j > 0; j--) {
                double a = si[order[j - 1]].st, b = si[order[j]].st;
                if (!(b > a) && !(isnan(a) && !isnan(b))) break;
                int t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
    }
    if (rc == SS_EINPUT) {
        sens_metric_error(&e, m->name, x->o->skip_nan);
        /* Asked to skip what is not a number, a metric left with nothing
         * to estimate from (a share of nothing at every point) is said to
         * have no indices, not an error of the whole analysis. */
        if (x->o->skip_nan && x->o->log)
            fprintf(x->o->log, "note: no indices for %s\n", e.msg);
        else if (!x->o->skip_nan && first->code == SS_OK)
            *first = e;
        return SS_OK;
    }
    if (rc != SS_OK) {
        *err = e;
        return rc;
    }
    sqlite3_stmt *st = NULL;
    rc = store_prepare(db,
                       "INSERT INTO sensitivity VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                       "?, ?, ?, ?, ?, ?)",
                       &st, err);
    for (int r = 0; rc == SS_OK && r < k; r++) {
        const int i = order[r];
        for (int c = 5; c <= 20; c++) sqlite3_bind_null(st, c);
        sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, i);
        sqlite3_bind_text(st, 3, x->d->param[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, r + 1);
        int below = -1; /* unknown without replicates */
        if (x->method == SENS_MORRIS) {
            store_bind_real(st, 5, mi[i].mu);
            store_bind_real(st, 6, mi[i].mu_star);
            store_bind_real(st, 7, mi[i].mu_star_lo);
            store_bind_real(st, 8, mi[i].mu_star_hi);
            store_bind_real(st, 9, mi[i].sigma);
            sqlite3_bind_int64(st, 10, mi[i].effects);
            sqlite3_bind_int64(st, 11, mi[i].skipped);
            store_bind_real(st, 12, floor_[i]);
            store_bind_real(st, 13, paired[i]);
            /* Indistinguishable from noise: the interval does not clear the
             * mu* of a key with no effect, with this design's seeds. */
            if (isfinite(paired[i])) below = !(mi[i].mu_star_lo > paired[i]);
        } else {
            store_bind_real(st, 14, si[i].s1);
            store_bind_real(st, 15, si[i].s1_lo);
            store_bind_real(st, 16, si[i].s1_hi);
            store_bind_real(st, 17, si[i].st);
            store_bind_real(st, 18, si[i].st_lo);
            store_bind_real(st, 19, si[i].st_hi);
            /* S_Ti from point means is (1 - share) S_Ti + share in
             * expectation: one whose interval does not clear the share is
             * not told apart from the seeds. A share of 1 or more (the
             * same seeds at every point make the means vary less than
             * independent seeds would) is no yardstick: no verdict. */
            if (isfinite(nz.noise_share) && nz.noise_share < 1)
                below = !(si[i].st_lo > nz.noise_share);
        }
        if (below >= 0) sqlite3_bind_int(st, 20, below);
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SS_OK)
        rc = store_prepare(db,
                           "INSERT INTO sensitivity_noise VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?, ?, ?, ?)",
                           &st, err);
    if (rc == SS_OK) {
        for (int c = 2; c <= 15; c++) sqlite3_bind_null(st, c);
        sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 16, (int)(m - x->metric));
        sqlite3_bind_int64(st, 2, pts->n);
        sqlite3_bind_int(st, 3, pl->replicates);
        sqlite3_bind_int64(st, 5, skipped);
        if (noisy) {
            sqlite3_bind_int64(st, 4, nz.used);
            store_bind_real(st, 6, nz.mean_sd);
            store_bind_real(st, 7, nz.pooled_var);
            store_bind_real(st, 8, nz.var_means);
            store_bind_real(st, 9, nz.noise_share);
        }
        if (x->method == SENS_SOBOL) {
            sqlite3_bind_int64(st, 10, info.rows);
            sqlite3_bind_int64(st, 11, info.used);
            sqlite3_bind_int64(st, 12, info.skipped);
            store_bind_real(st, 13, info.mean);
            store_bind_real(st, 14, info.var);
            sqlite3_bind_int64(st, 15, info.undefined);
        }
        rc = store_step_done(db, st, err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* What the command line shows: per metric, the keys by rank. */
static int sens_print(sqlite3 *db, const struct sens *x, struct ss_error *err)
{
    FILE *f = x->o->info;
    if (!f) return SS_OK;
    sqlite3_stmt *st = NULL;
    int rc = SS_OK;
    for (int i = 0; i < x->n_metrics && rc == SS_OK; i++) {
        sqlite3_finalize(st);
        st = NULL;
        rc = store_prepare(db,
                           "SELECT s.key, s.mu_star, s.mu_star_lo, s.mu_star_hi, s.sigma, s.s1, "
                           "s.s1_lo, s.s1_hi, s.st, s.st_lo, s.st_hi, s.below_noise, n.mean_sd, "
                           "n.noise_share FROM sensitivity s JOIN sensitivity_noise n ON "
                           "n.metric = s.metric WHERE s.metric = ? ORDER BY s.rank",
                           &st, err);
        if (rc) break;
        sqlite3_bind_text(st, 1, x->metric[i].name, -1, SQLITE_STATIC);
        int first = 1;
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (first) {
                if (x->method == SENS_MORRIS)
                    fprintf(f, "\n%s (noise: mean sd between seeds %.4g)\n  %-44s %11s %23s %11s\n",
                            x->metric[i].name, sqlite3_column_double(st, 12), "key", "mu*",
                            "95% interval", "sigma");
                else
                    fprintf(f, "\n%s (noise share %.3f)\n  %-44s %7s %17s %7s %17s\n",
                            x->metric[i].name, sqlite3_column_double(st, 13), "key", "S1",
                            "95% interval", "ST", "95% interval");
                first = 0;
            }
            const char *below = sqlite3_column_type(st, 11) == SQLITE_NULL ? ""
                                : sqlite3_column_int(st, 11)               ? "  below noise"
                                                                           : "";
            if (x->method == SENS_MORRIS)
                fprintf(f, "  %-44s %11.4g [%10.4g, %10.4g] %11.4g%s\n",
                        (const char *)sqlite3_column_text(st, 0), sqlite3_column_double(st, 1),
                        sqlite3_column_double(st, 2), sqlite3_column_double(st, 3),
                        sqlite3_column_double(st, 4), below);
            else
                fprintf(f, "  %-44s %7.3f [%6.3f, %6.3f] %7.3f [%6.3f, %6.3f]%s\n",
                        (const char *)sqlite3_column_text(st, 0), sqlite3_column_double(st, 5),
                        sqlite3_column_double(st, 6), sqlite3_column_double(st, 7),
                        sqlite3_column_double(st, 8), sqlite3_column_double(st, 9),
                        sqlite3_column_double(st, 10), below);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* exp_execute's finish: the sensitivity tables, rebuilt from the design
 * and the done runs, then their CSVs. Indices only when every run is
 * done: a design with holes has no estimator. */
static int sens_finish(sqlite3 *db, const struct exp_plan *pl, const char *dir, int all_done,
                       void *ud, struct ss_error *err)
{
    struct sens *x = ud;
    struct ss_error first = {0};
    int runs_done = 0;
    sqlite3_stmt *st = NULL;
    int rc = store_prepare(db, "SELECT count(*) FROM runs WHERE status = 'done'", &st, err);
    if (rc == SS_OK && sqlite3_step(st) == SQLITE_ROW) runs_done = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    double *y = mem_calloc(&x->mem, (size_t)pl->n_runs, sizeof *y);
    double *means = mem_calloc(&x->mem, (size_t)pl->n_points, sizeof *means);
    if (rc == SS_OK && (!y || !means)) rc = err_nomem(err, "computing the indices");
    if (rc == SS_OK) rc = store_exec(db, "BEGIN IMMEDIATE", err);
    if (rc == SS_OK) {
        rc = store_exec(db, sens_schema, err);
        if (rc == SS_OK) rc = sens_write_design(db, x, pl, runs_done, err);
        for (int i = 0; rc == SS_OK && i < x->n_metrics; i++) {
            rc = sens_outputs(db, pl, &x->metric[i], y, err);
            if (rc == SS_OK && all_done)
                rc = sens_indices(db, x, pl, &x->metric[i], y, means, &first, err);
        }
        rc = store_end(db, rc, err);
    }
    mem_free(&x->mem, y);
    mem_free(&x->mem, means);
    if (rc == SS_OK) rc = store_csv_write(db, dir, sens_tables, err);
    if (rc == SS_OK && all_done) rc = sens_print(db, x, err);
    if (rc == SS_OK && first.code != SS_OK) {
        *err = first;
        rc = first.code;
    }
    return rc;
}

/* ---- the command ---------------------------------------------------------- */

/* The base scenario: the file (or the seed scenario) with the sets. */
static int sens_base(const struct exp_options *o, struct scenario **out, struct ss_error *err)
{
    struct scenario *s = NULL;
    int rc = o->scenario ? scn_load(&s, o->scenario, err) : scn_new_default(&s, err);
    for (int i = 0; rc == SS_OK && i < o->n_sets; i++) rc = scn_set(s, o->sets[i], err);
    if (rc == SS_OK) rc = scn_finish(s, err);
    if (rc != SS_OK) {
        scn_free(s);
        s = NULL;
    }
    *out = s;
    return rc;
}

/* Everything the analysis is, checked: method, size, keys and ranges,
 * the design's points, the metrics and the day. */
static int sens_setup(struct sens *x, const struct scenario *s, struct ss_error *err)
{
    const struct exp_options *o = x->o;
    const struct params *p = scn_params(s);
    if (!o->method || !strcmp(o->method, "morris"))
        x->method = SENS_MORRIS;
    else if (!strcmp(o->method, "sobol"))
        x->method = SENS_SOBOL;
    else
        return err_msg(err, SS_EINPUT, "--method expects morris or sobol, got '%s'", o->method);
    if (x->method == SENS_MORRIS && o->samples)
        return err_msg(err, SS_EINPUT,
                       "--samples is the size of a Sobol' design: Morris takes --trajectories");
    if (x->method == SENS_SOBOL && o->trajectories)
        return err_msg(err, SS_EINPUT,
                       "--trajectories is the size of a Morris design: Sobol' takes --samples");
    x->size = x->method == SENS_MORRIS ? (o->trajectories ? o->trajectories : EXP_SENS_TRAJECTORIES)
                                       : (o->samples ? o->samples : EXP_SENS_SAMPLES);
    if (x->size < 2 || x->size > SENS_MAX_SIZE)
        return err_msg(err, SS_EINPUT, "--%s must be from 2 to %d, got %ld",
                       x->method == SENS_MORRIS ? "trajectories" : "samples", SENS_MAX_SIZE,
                       x->size);
    if (o->replicates < 0 || o->replicates > EXP_MAX_RUNS)
        return err_msg(err, SS_EINPUT, "--replicates must be from 1 to %d", EXP_MAX_RUNS);
    if (o->n_params < 1)
        return err_msg(err, SS_EINPUT,
                       "needs at least one --param KEY=LO:HI (e.g. --param "
                       "scoring.integration=0.2:0.8)");
    if (o->n_params > DESIGN_MAX_PARAMS)
        return err_msg(err, SS_EINPUT, "at most %d --param keys, got %d", DESIGN_MAX_PARAMS,
                       o->n_params);
    int rc = SS_OK;
    for (int i = 0; i < o->n_params && rc == SS_OK; i++) {
        const char *eq = strchr(o->params[i], '=');
        if (eq && (size_t)(eq - o->params[i]) == 4 && !strncmp(o->params[i], "days", 4))
            return err_msg(err, SS_EINPUT,
                           "--param %s: the metrics are read on a day of the run, so the run's "
                           "length cannot vary (set it with --days)",
                           o->params[i]);
        rc = design_parse(x->d, s, o->params[i], err);
    }
    if (rc) return rc;
    if (o->day < 0 || o->day > p->days)
        return err_msg(err, SS_EINPUT, "--day must be from 1 to the run's last day, %d; got %d",
                       p->days, o->day);
    x->day = o->day ? o->day : p->days;
    x->seed = p->seed;
    rc = x->method == SENS_MORRIS ? design_morris(x->d, x->size, 0, x->seed, &x->pts, err)
                                  : design_saltelli(x->d, x->size, &x->pts, err);
    if (rc) return rc;
    x->levels = x->pts->levels;
    const int reps = o->replicates ? o->replicates : EXP_SENS_REPLICATES;
    if (x->pts->n > EXP_MAX_RUNS / reps)
        return err_msg(err, SS_EINPUT, "%ld points x %d replicates is more than %d runs", x->pts->n,
                       reps, EXP_MAX_RUNS);
    rc = sens_metrics(x, p, err);
    if (rc) return rc;
    /* Every point, as its runs will load it: cross-key rules that a
     * range's ends alone cannot catch. */
    for (long i = 0; i < x->pts->n && rc == SS_OK; i++) {
        rc = design_check_point(x->d, s, x->pts->x + (size_t)i * (size_t)x->pts->k, err);
        if (rc == SS_EINPUT) {
            char msg[sizeof err->msg];
            snprintf(msg, sizeof msg, "%s", err->msg);
            rc = err_msg(err, SS_EINPUT, "point %ld of the design (points 0 to %ld) is invalid: %s",
                         i, x->pts->n - 1, msg);
        }
    }
    return rc;
}

int exp_sensitivity(const struct exp_options *o, struct ss_error *err)
{
    struct sens x = {.o = o};
    struct scenario *s = NULL;
    struct exp_plan *pl = NULL;
    if (o->n_params < 0 || (o->n_params && !o->params))
        return err_msg(err, SS_EINTERNAL, "exp_options: n_params without params");
    int rc = sens_base(o, &s, err);
    if (rc == SS_OK) rc = design_new(&x.d, err);
    if (rc == SS_OK) rc = sens_setup(&x, s, err);
    if (rc == SS_OK) rc = sens_plan(&x, s, &pl, err);
    if (rc == SS_OK && o->log) {
        for (int i = 0; i < x.d->k; i++)
            if (x.d->param[i].scheduled)
                fprintf(o->log,
                        "note: the schedule changes %s %d time%s: a point's value holds only "
                        "until the first change\n",
                        x.d->param[i].key, x.d->param[i].scheduled,
                        x.d->param[i].scheduled == 1 ? "" : "s");
        fprintf(o->log, "%s design: %ld points of %d keys (%s %ld), %d metrics on day %d\n",
                x.method == SENS_MORRIS ? "Morris" : "Saltelli", x.pts->n, x.d->k,
                x.method == SENS_MORRIS ? "trajectories" : "samples", x.size, x.n_metrics, x.day);
    }
    scn_free(s);
    if (rc == SS_OK) rc = exp_execute(o, pl, sens_finish, &x, err);
    exp_plan_free(pl);
    if (x.d) design_points_free(x.d, x.pts);
    design_free(x.d);
    return rc;
}
