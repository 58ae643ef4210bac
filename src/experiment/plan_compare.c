/*
 * plan_compare.c - the plan of a comparison: scenario A and scenario B
 * (or A with --set overrides), run with the same seeds; with --fork-day, B
 * goes on from A's state of that day, so B keeps A's world (population,
 * networks, seed, calendar). Apart from the sweep's plan (plan.c) because
 * only a comparison has two scenarios.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "experiment/experiment.h"
#include "experiment/plan_internal.h"
#include "scenario/params.h"
#include "scenario/scenario.h"

/* A comparison forked on day `at` (a day, or a date of A's calendar; NULL:
 * none): both scenarios run past it, and B keeps A's world (its
 * population, networks, seed and calendar), so that it can go on from A's
 * state of that day. */
static int plan_fork(struct exp_plan *pl, const struct scenario *a, const struct scenario *b,
                     const char *at, struct ss_error *err)
{
    pl->days[0] = scn_params(a)->days;
    pl->days[1] = scn_params(b)->days;
    pl->fork_day = 0;
    if (!at) return SS_OK;
    const int32_t start = scn_params(a)->start_date;
    int32_t date;
    char *end;
    long day = strtol(at, &end, 10);
    if (!text_date_parse(at, &date)) {
        if (start == PARAMS_NO_DATE)
            return err_msg(err, SS_EINPUT,
                           "--fork-day %s: A has no start_date, so its days have no dates: give "
                           "the day as a number",
                           at);
        day = (long)date - start + 1;
    } else if (end == at || *end || day < 1 || day > INT32_MAX) {
        return err_msg(err, SS_EINPUT,
                       "--fork-day expects a day from 1 or a date (YYYY-MM-DD), "
                       "got '%s'",
                       at);
    }
    int last = pl->days[0] < pl->days[1] ? pl->days[0] : pl->days[1];
    if (day < 1 || day >= last)
        return err_msg(err, SS_EINPUT,
                       "--fork-day %s (day %ld): A and B fork from a day of their shared history, "
                       "from 1 to %d (the day before the shorter one's last)",
                       at, day, last - 1);
    pl->fork_day = (int)day;
    struct ss_error why = {0};
    if (scn_same_structure(a, b, &why) != SS_OK)
        return err_msg(err, SS_EINPUT, "--fork-day: B cannot go on from A's world: %s", why.msg);
    return SS_OK;
}

int exp_plan_compare(struct exp_plan **out, const struct exp_options *o, struct ss_error *err)
{
    struct exp_plan *pl = NULL;
    struct scenario *a = NULL, *b = NULL;
    *out = NULL;
    int b_sets = o->n_sets_b > 0 && o->sets_b;
    if (!o->scenario_b && !b_sets) {
        err_msg(err, SS_EINPUT,
                "compare needs two scenario files, A and B, or A (or the seed scenario) and "
                "--set overrides that make B");
        return SS_EINPUT; /* spelled out: *out is used when this is 0 */
    }
    int rc = plan_new(&pl, EXP_COMPARE, o, err);
    if (rc) return rc;
    if (!o->scenario_b) pl->file[1] = o->scenario; /* B is A with overrides */
    rc = plan_load(&a, o->scenario, o->sets, o->n_sets, NULL, 0, err);
    if (rc == SS_OK) rc = plan_base(pl, a, &pl->scenario, err);
    if (rc == SS_OK) {
        /* B with A's seed: the same seeds through both. */
        int n_extra = b_sets ? o->n_sets_b : 0;
        const char **extra = mem_calloc(&pl->mem, (size_t)n_extra + 1, sizeof *extra);
        char seed[48];
        snprintf(seed, sizeof seed, "seed=%llu", (unsigned long long)pl->base_seed);
        if (!extra) {
            rc = err_nomem(err, "planning the experiment");
        } else {
            for (int i = 0; i < n_extra; i++) extra[i] = o->sets_b[i];
            extra[n_extra] = seed;
            rc = plan_load(&b, pl->file[1], o->sets, o->n_sets, extra, n_extra + 1, err);
            if (rc == SS_EINPUT && !o->scenario_b) {
                char msg[sizeof err->msg];
                snprintf(msg, sizeof msg, "%s", err->msg);
                err_msg(err, SS_EINPUT, "B (A with the --set overrides) is invalid: %s", msg);
            }
        }
        mem_free(&pl->mem, extra);
    }
    if (rc == SS_OK && !(pl->scenario_b = mem_strdup(&pl->mem, scn_text(b))))
        rc = err_nomem(err, "planning the experiment");
    if (rc == SS_OK) rc = plan_fork(pl, a, b, o->fork_day, err);
    if (rc == SS_OK) {
        struct sbuf nb = {.m = &pl->mem}, vb = {.m = &pl->mem}, sb = {.m = &pl->mem};
        char safe[300], sets[128];
        text_safe_name(safe, sizeof safe, scn_name(a));
        sbuf_printf(&sb, "compare-%s", safe);
        sbuf_add(&nb, scn_name(a));
        if (o->scenario_b) {
            sbuf_add(&nb, "-vs-");
            sbuf_add(&nb, scn_name(b));
            text_safe_name(safe, sizeof safe, scn_name(b));
            sbuf_printf(&sb, "-vs-%s", safe);
        } else {
            sbuf_add(&nb, " with ");
            for (int i = 0; i < o->n_sets_b; i++)
                sbuf_printf(&nb, "%s%s", i ? ", " : "", o->sets_b[i]);
        }
        if (b_sets) {
            text_sets_name(sets, sizeof sets, o->sets_b, o->n_sets_b, NULL);
            sbuf_printf(&sb, "_%s", sets);
        }
        if (pl->fork_day) {
            sbuf_printf(&nb, ", forked on day %d", pl->fork_day);
            sbuf_printf(&sb, "_fork-%d", pl->fork_day);
        }
        sbuf_add(&vb, "[\"scenario\"]");
        pl->name = sbuf_take(&nb, err, "planning the experiment");
        pl->varied = sbuf_take(&vb, err, "planning the experiment");
        pl->stem = sbuf_take(&sb, err, "planning the experiment");
        if (!pl->name || !pl->varied || !pl->stem) rc = SS_ENOMEM;
    }
    scn_free(a);
    scn_free(b);
    if (rc == SS_OK) {
        pl->n_points = 2;
        pl->n_runs = 2 * pl->replicates;
        pl->label = mem_calloc(&pl->mem, 2, sizeof *pl->label);
        pl->params = mem_calloc(&pl->mem, 2, sizeof *pl->params);
        if (!pl->label || !pl->params) rc = err_nomem(err, "planning the experiment");
    }
    for (int p = 0; p < 2 && rc == SS_OK; p++) {
        struct sbuf lb = {.m = &pl->mem}, pb = {.m = &pl->mem};
        sbuf_add(&lb, p ? "B" : "A");
        sbuf_add(&pb, "{\"scenario\": ");
        sbuf_json(&pb, pl->file[p]);
        if (p == 1 && b_sets) {
            sbuf_add(&pb, ", \"set\": [");
            for (int i = 0; i < o->n_sets_b; i++) {
                if (i) sbuf_add(&pb, ", ");
                sbuf_json(&pb, o->sets_b[i]);
            }
            sbuf_add(&pb, "]");
        }
        if (pl->fork_day) sbuf_printf(&pb, ", \"fork_day\": %d", pl->fork_day);
        sbuf_add(&pb, "}");
        pl->label[p] = sbuf_take(&lb, err, "planning the experiment");
        pl->params[p] = sbuf_take(&pb, err, "planning the experiment");
        if (!pl->label[p] || !pl->params[p]) rc = SS_ENOMEM;
    }
    if (rc != SS_OK) {
        exp_plan_free(pl);
        return rc;
    }
    *out = pl;
    return SS_OK;
}
