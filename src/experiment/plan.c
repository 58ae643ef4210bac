/*
 * plan.c - the plan of a sweep or a comparison (see experiment.h): the
 * varied keys parsed from --vary, their full factorial, each point's label
 * and params, the seeds, and every point loaded once with its overrides, so
 * that a bad value is refused, naming the point, before anything runs. A
 * comparison's plan is its two scenarios, run with the same seeds.
 *
 * This file holds the plan's memory, its accessors, and the sweep's and
 * listed points' plans; reading --vary and --baseline is in plan_vary.c,
 * a comparison's plan in plan_compare.c (plan_internal.h is what they
 * share).
 */
#include "experiment/experiment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "scenario/params.h"
#include "experiment/plan_internal.h"
#include "scenario/scenario.h"

char *plan_strndup(struct exp_plan *pl, const char *s, size_t k)
{
    char *d = mem_alloc(&pl->mem, k + 1);
    if (!d) return NULL;
    memcpy(d, s, k);
    d[k] = '\0';
    return d;
}

int plan_new(struct exp_plan **out, int kind, const struct exp_options *o, struct ss_error *err)
{
    struct mem m = {0};
    *out = NULL;
    int reps = o->replicates ? o->replicates : EXP_DEFAULT_REPLICATES;
    /* Statuses spelled out, not err_msg's: *out is used when this is 0. */
    if (reps < 1 || reps > EXP_MAX_RUNS) {
        err_msg(err, SS_EINPUT, "--replicates must be from 1 to %d, got %d", EXP_MAX_RUNS,
                o->replicates);
        return SS_EINPUT;
    }
    if (o->n_sets < 0 || (o->n_sets && !o->sets)) {
        err_msg(err, SS_EINTERNAL, "exp_options: n_sets without sets");
        return SS_EINTERNAL;
    }
    struct exp_plan *pl = mem_calloc(&m, 1, sizeof *pl);
    if (!pl) {
        err_nomem(err, "planning the experiment");
        return SS_ENOMEM;
    }
    pl->mem = m;
    pl->kind = kind;
    pl->replicates = reps;
    pl->replicates_asked = o->replicates;
    pl->baseline = -1;
    pl->sets = o->sets;
    pl->n_sets = o->n_sets;
    if (kind == EXP_COMPARE && o->n_sets_b > 0 && o->sets_b) {
        pl->sets_b = o->sets_b;
        pl->n_sets_b = o->n_sets_b;
    }
    pl->file[0] = o->scenario;
    pl->file[1] = kind == EXP_COMPARE ? o->scenario_b : NULL;
    *out = pl;
    return SS_OK;
}

void exp_plan_free(struct exp_plan *pl)
{
    if (!pl) return;
    struct mem *m = &pl->mem;
    for (int a = 0; a < pl->n_axes; a++) {
        for (int v = 0; pl->axis[a].values && v < pl->axis[a].n; v++)
            mem_free(m, pl->axis[a].values[v]);
        mem_free(m, pl->axis[a].values);
        mem_free(m, pl->axis[a].key);
    }
    for (int p = 0; pl->label && p < pl->n_points; p++) mem_free(m, pl->label[p]);
    for (int p = 0; pl->params && p < pl->n_points; p++) mem_free(m, pl->params[p]);
    for (long i = 0; pl->values && i < (long)pl->n_points * pl->n_axes; i++)
        mem_free(m, pl->values[i]);
    mem_free(m, pl->values);
    mem_free(m, pl->label);
    mem_free(m, pl->params);
    mem_free(m, pl->name);
    mem_free(m, pl->scenario);
    mem_free(m, pl->scenario_b);
    mem_free(m, pl->varied);
    mem_free(m, pl->stem);
    struct mem last = pl->mem;
    mem_free(&last, pl);
}

const char *exp_kind_name(int kind)
{
    return kind == EXP_COMPARE ? "compare" : kind == EXP_SENSITIVITY ? "sensitivity" : "sweep";
}

const char *exp_point_value(const struct exp_plan *pl, int p, int a)
{
    if (pl->values) return pl->values[(size_t)p * (size_t)pl->n_axes + (size_t)a];
    /* Mixed radix, the last axis the fastest digit. */
    int stride = 1;
    for (int b = pl->n_axes - 1; b > a; b--) stride *= pl->axis[b].n;
    return pl->axis[a].values[(p / stride) % pl->axis[a].n];
}

char *exp_point_set(struct mem *m, const struct exp_plan *pl, int p, int a, struct ss_error *err)
{
    struct sbuf b = {.m = m};
    sbuf_printf(&b, "%s=%s", pl->axis[a].key, exp_point_value(pl, p, a));
    return sbuf_take(&b, err, "writing a point's overrides");
}

uint64_t exp_run_seed(const struct exp_plan *pl, int run)
{
    return pl->base_seed + (uint64_t)(run % pl->replicates);
}

int exp_plan_set_replicates(struct exp_plan *pl, int replicates, struct ss_error *err)
{
    if (replicates < 1 || (long)pl->n_points * replicates > EXP_MAX_RUNS)
        return err_msg(err, SS_EINPUT, "%d points x %d replicates is more than %d runs",
                       pl->n_points, replicates, EXP_MAX_RUNS);
    if (pl->base_seed > UINT64_MAX - (uint64_t)(replicates - 1))
        return err_msg(err, SS_EINPUT, "seed %llu + %d replicates is beyond 2^64 - 1",
                       (unsigned long long)pl->base_seed, replicates);
    pl->replicates = replicates;
    pl->n_runs = pl->n_points * replicates;
    return SS_OK;
}

/* Load file (NULL: the seed scenario), apply sets then extra in order,
 * finish. On error *out is NULL and err says where. */
int plan_load(struct scenario **out, const char *file, const char *const *sets, int n_sets,
              const char *const *extra, int n_extra, struct ss_error *err)
{
    struct scenario *s = NULL;
    int rc = file ? scn_load(&s, file, err) : scn_new_default(&s, err);
    for (int i = 0; rc == SS_OK && i < n_sets; i++) rc = scn_set(s, sets[i], err);
    for (int i = 0; rc == SS_OK && i < n_extra; i++) rc = scn_set(s, extra[i], err);
    if (rc == SS_OK) rc = scn_finish(s, err);
    if (rc != SS_OK) {
        scn_free(s);
        s = NULL;
    }
    *out = s;
    return rc;
}

/* The failure of a point's overrides as one message naming the point. */
static int point_error(struct ss_error *err, int p, int n_points, const char *label)
{
    char where[1100];
    if (err->file[0] && err->line > 0)
        snprintf(where, sizeof where, "%s:%d:%d: ", err->file, err->line, err->col);
    else if (err->file[0])
        snprintf(where, sizeof where, "%s: ", err->file);
    else
        where[0] = '\0';
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    return err_msg(err, SS_EINPUT, "point %d (%s; points 0 to %d) is invalid: %s%s", p, label,
                   n_points - 1, where, msg);
}

/* Labels ("k1=v1, k2=v2") and params ({"k1": "v1", ...}) of every point. */
static int plan_points(struct exp_plan *pl, struct ss_error *err)
{
    pl->label = mem_calloc(&pl->mem, (size_t)pl->n_points, sizeof *pl->label);
    pl->params = mem_calloc(&pl->mem, (size_t)pl->n_points, sizeof *pl->params);
    if (!pl->label || !pl->params) return err_nomem(err, "planning the experiment");
    for (int p = 0; p < pl->n_points; p++) {
        struct sbuf lb = {.m = &pl->mem}, pb = {.m = &pl->mem};
        sbuf_add(&pb, "{");
        for (int a = 0; a < pl->n_axes; a++) {
            const char *v = exp_point_value(pl, p, a);
            if (a) sbuf_add(&lb, ", "), sbuf_add(&pb, ", ");
            sbuf_add(&lb, pl->axis[a].key);
            sbuf_add(&lb, "=");
            sbuf_add(&lb, v);
            sbuf_json(&pb, pl->axis[a].key);
            sbuf_add(&pb, ": ");
            sbuf_json(&pb, v);
        }
        if (pl->n_axes == 0) sbuf_add(&lb, "base");
        sbuf_add(&pb, "}");
        pl->label[p] = sbuf_take(&lb, err, "planning the experiment");
        pl->params[p] = sbuf_take(&pb, err, "planning the experiment");
        if (!pl->label[p] || !pl->params[p]) return SS_ENOMEM;
    }
    return SS_OK;
}

/* Take name, text and seed of the finished base scenario s. */
int plan_base(struct exp_plan *pl, const struct scenario *s, char **text, struct ss_error *err)
{
    *text = mem_strdup(&pl->mem, scn_text(s));
    if (!*text) return err_nomem(err, "planning the experiment");
    pl->base_seed = scn_params(s)->seed;
    if (pl->base_seed > UINT64_MAX - (uint64_t)(pl->replicates - 1))
        return err_msg(err, SS_EINPUT, "seed %llu + %d replicates is beyond 2^64 - 1",
                       (unsigned long long)pl->base_seed, pl->replicates);
    return SS_OK;
}

int exp_plan_sweep(struct exp_plan **out, const struct exp_options *o, struct ss_error *err)
{
    struct exp_plan *pl = NULL;
    struct scenario *s = NULL;
    *out = NULL;
    if (o->n_vary < 0 || o->n_vary > EXP_MAX_AXES || (o->n_vary && !o->vary)) {
        err_msg(err, SS_EINPUT, "a sweep varies at most %d keys, got %d", EXP_MAX_AXES, o->n_vary);
        return SS_EINPUT; /* spelled out: *out is used when this is 0 */
    }
    int rc = plan_new(&pl, EXP_SWEEP, o, err);
    if (rc) return rc;

    struct sbuf vb = {.m = &pl->mem};
    sbuf_add(&vb, "[");
    long points = 1;
    for (int a = 0; a < o->n_vary && rc == SS_OK; a++) {
        rc = plan_parse_axis(pl, o->vary[a], &pl->axis[a], err);
        pl->n_axes = a + 1; /* so that exp_plan_free frees what parse_axis took */
        for (int b = 0; rc == SS_OK && b < a; b++)
            if (!strcmp(pl->axis[b].key, pl->axis[a].key))
                rc = err_msg(err, SS_EINPUT, "--vary %s: the key is varied twice", pl->axis[a].key);
        if (rc) break;
        points *= pl->axis[a].n;
        if (points * pl->replicates > EXP_MAX_RUNS)
            rc = err_msg(err, SS_EINPUT, "the sweep has more than %d runs (points x replicates)",
                         EXP_MAX_RUNS);
        if (a) sbuf_add(&vb, ", ");
        sbuf_json(&vb, pl->axis[a].key);
    }
    sbuf_add(&vb, "]");
    if (rc == SS_OK && !(pl->varied = sbuf_take(&vb, err, "planning the experiment")))
        rc = SS_ENOMEM;
    if (rc != SS_OK) {
        sbuf_free(&vb); /* a no-op once taken */
        goto fail;
    }
    pl->n_points = (int)points;
    pl->n_runs = pl->n_points * pl->replicates;

    rc = plan_load(&s, o->scenario, o->sets, o->n_sets, NULL, 0, err);
    if (rc == SS_OK) rc = plan_base(pl, s, &pl->scenario, err);
    if (rc == SS_OK && !(pl->name = mem_strdup(&pl->mem, scn_name(s))))
        rc = err_nomem(err, "planning the experiment");
    scn_free(s);
    if (rc == SS_OK) {
        struct sbuf sb = {.m = &pl->mem};
        char safe[300];
        text_safe_name(safe, sizeof safe, pl->name);
        sbuf_printf(&sb, "sweep-%s", safe);
        for (int a = 0; a < pl->n_axes; a++) {
            text_safe_name(safe, sizeof safe, pl->axis[a].key);
            sbuf_printf(&sb, "_%s", safe);
        }
        if (!(pl->stem = sbuf_take(&sb, err, "planning the experiment"))) rc = SS_ENOMEM;
    }
    if (rc == SS_OK) rc = plan_points(pl, err);
    if (rc != SS_OK) goto fail;

    /* Every point, checked as its runs will be: the file, the sets, then
     * the point's values (a point without varied keys is the base). */
    char **kv = pl->n_axes ? mem_calloc(&pl->mem, (size_t)pl->n_axes, sizeof *kv) : NULL;
    if (pl->n_axes && !kv) {
        rc = err_nomem(err, "planning the experiment");
        goto fail;
    }
    for (int p = 0; pl->n_axes && p < pl->n_points && rc == SS_OK; p++) {
        for (int a = 0; a < pl->n_axes && rc == SS_OK; a++) {
            if (!(kv[a] = exp_point_set(&pl->mem, pl, p, a, err))) rc = SS_ENOMEM;
        }
        if (rc == SS_OK) {
            rc = plan_load(&s, o->scenario, o->sets, o->n_sets, (const char *const *)kv, pl->n_axes,
                           err);
            scn_free(s);
            if (rc == SS_EINPUT) rc = point_error(err, p, pl->n_points, pl->label[p]);
        }
        for (int a = 0; a < pl->n_axes; a++) {
            mem_free(&pl->mem, kv[a]);
            kv[a] = NULL;
        }
    }
    mem_free(&pl->mem, kv);
    if (rc == SS_OK && o->baseline) rc = plan_baseline(pl, o->baseline, err);
    if (rc != SS_OK) goto fail;
    *out = pl;
    return SS_OK;

fail:
    exp_plan_free(pl);
    return rc;
}

int exp_plan_points(struct exp_plan **out, const struct exp_options *o, const char *const *keys,
                    int k, const char *const *values, int n, struct ss_error *err)
{
    struct exp_plan *pl = NULL;
    struct scenario *s = NULL;
    *out = NULL;
    if (k < 1 || k > EXP_MAX_AXES || n < 1) {
        err_msg(err, SS_EINTERNAL, "a plan of %d points of %d keys: expected 1 to %d keys", n, k,
                EXP_MAX_AXES);
        return SS_EINTERNAL; /* spelled out: *out is used when this is 0 */
    }
    int rc = plan_new(&pl, EXP_SWEEP, o, err);
    if (rc) return rc;
    if ((long)n * pl->replicates > EXP_MAX_RUNS)
        rc = err_msg(err, SS_EINPUT, "%d points x %d replicates is more than %d runs", n,
                     pl->replicates, EXP_MAX_RUNS);
    /* each point's values, point-major (exp_point_value): the axes hold keys only */
    struct sbuf vb = {.m = &pl->mem};
    sbuf_add(&vb, "[");
    if (rc == SS_OK) {
        pl->n_axes = k;
        pl->n_points = n; /* what exp_plan_free frees of values */
        pl->values = mem_calloc(&pl->mem, (size_t)n * (size_t)k, sizeof *pl->values);
        if (!pl->values) rc = err_nomem(err, "planning the experiment");
    }
    for (int a = 0; a < k && rc == SS_OK; a++) {
        if (!(pl->axis[a].key = mem_strdup(&pl->mem, keys[a])))
            rc = err_nomem(err, "planning the experiment");
        if (a) sbuf_add(&vb, ", ");
        sbuf_json(&vb, keys[a]);
    }
    for (size_t i = 0; rc == SS_OK && i < (size_t)n * (size_t)k; i++)
        if (!(pl->values[i] = mem_strdup(&pl->mem, values[i])))
            rc = err_nomem(err, "planning the experiment");
    sbuf_add(&vb, "]");
    if (rc == SS_OK && !(pl->varied = sbuf_take(&vb, err, "planning the experiment")))
        rc = SS_ENOMEM;
    sbuf_free(&vb); /* a no-op once taken */
    if (rc != SS_OK) goto fail;
    pl->n_runs = n * pl->replicates;
    rc = plan_load(&s, o->scenario, o->sets, o->n_sets, NULL, 0, err);
    if (rc == SS_OK) rc = plan_base(pl, s, &pl->scenario, err);
    if (rc == SS_OK && !(pl->name = mem_strdup(&pl->mem, scn_name(s))))
        rc = err_nomem(err, "planning the experiment");
    if (rc == SS_OK && !(pl->stem = mem_strdup(&pl->mem, "points")))
        rc = err_nomem(err, "planning the experiment");
    scn_free(s);
    if (rc == SS_OK) rc = plan_points(pl, err);
    if (rc != SS_OK) goto fail;
    *out = pl;
    return SS_OK;

fail:
    exp_plan_free(pl);
    return rc;
}