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
 * (docs/experiments-schema.md), by sensitivity_tables.c.
 */
#include "experiment/experiment.h"
#include "experiment/sensitivity_internal.h"

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
