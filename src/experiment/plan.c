/*
 * plan.c - the plan of a sweep or a comparison (see experiment.h): the
 * varied keys parsed from --vary, their full factorial, each point's label
 * and params, the seeds, and every point loaded once with its overrides, so
 * that a bad value is refused, naming the point, before anything runs. A
 * comparison's plan is its two scenarios, run with the same seeds.
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
#include "scenario/scenario.h"

static char *plan_strndup(struct exp_plan *pl, const char *s, size_t k)
{
    char *d = mem_alloc(&pl->mem, k + 1);
    if (!d) return NULL;
    memcpy(d, s, k);
    d[k] = '\0';
    return d;
}

static int plan_new(struct exp_plan **out, int kind, const struct exp_options *o,
                    struct ss_error *err)
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
static int plan_load(struct scenario **out, const char *file, const char *const *sets, int n_sets,
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

/* Trim blanks from [*a, *b). */
static void trim(const char **a, const char **b)
{
    while (*a < *b && (**a == ' ' || **a == '\t')) (*a)++;
    while (*b > *a && ((*b)[-1] == ' ' || (*b)[-1] == '\t')) (*b)--;
}

/* The number text s[0..n) is, whole, into *v; 0 if it is not one. */
static int number_of(const char *s, size_t n, double *v)
{
    char buf[64], *end;
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *v = strtod(buf, &end);
    return *end == '\0' && isfinite(*v);
}

/* Digits after the decimal point of a number as written (6 for 1e-6). */
static int decimals_of(const char *s, size_t n)
{
    const char *dot = memchr(s, '.', n);
    int d = dot ? (int)(n - (size_t)(dot - s) - 1) : 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == 'e' || s[i] == 'E') return 12; /* exponent form: plenty */
    return d;
}

/* Append value s[0..n) to ax, or, if it is LO:HI:STEP, every value from
 * LO to HI (inclusive) by STEP, written with as many decimals as LO and
 * STEP have (so 0:0.3:0.1 gives 0.0, 0.1, 0.2, 0.3, not 0.30000000000000004).
 * The values are then checked like any other: each point is loaded with
 * the scenario's own checks. */
static int add_values(struct exp_plan *pl, const char *spec, struct exp_axis *ax, size_t *cap,
                      const char *s, size_t n, struct ss_error *err)
{
    const char *c1 = memchr(s, ':', n),
               *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 - s) - 1) : NULL;
    double lo, hi, step;
    size_t count = 1;
    int ranged = c1 && c2 && number_of(s, (size_t)(c1 - s), &lo) &&
                 number_of(c1 + 1, (size_t)(c2 - c1 - 1), &hi) &&
                 number_of(c2 + 1, n - (size_t)(c2 - s) - 1, &step);
    int dec = 0;
    if (ranged) {
        if (!(step > 0))
            return err_msg(err, SS_EINPUT, "--vary %s: %.*s: the step must be above 0", spec,
                           (int)n, s);
        if (lo > hi)
            return err_msg(err, SS_EINPUT, "--vary %s: %.*s: LO is above HI", spec, (int)n, s);
        double k = floor((hi - lo) / step * (1 + 1e-12) + 1e-9);
        if (k >= EXP_MAX_RANGE)
            return err_msg(err, SS_EINPUT, "--vary %s: %.*s makes %.0f values, more than %d", spec,
                           (int)n, s, k + 1, EXP_MAX_RANGE);
        count = (size_t)k + 1;
        int d1 = decimals_of(s, (size_t)(c1 - s)),
            d3 = decimals_of(c2 + 1, n - (size_t)(c2 - s) - 1);
        dec = d1 > d3 ? d1 : d3;
    }
    if (ax->n + count > *cap) {
        size_t more = ax->n + count;
        char **v = mem_calloc(&pl->mem, more, sizeof *v);
        if (!v) return err_nomem(err, "planning the experiment");
        memcpy(v, ax->values, (size_t)ax->n * sizeof *v);
        mem_free(&pl->mem, ax->values);
        ax->values = v;
        *cap = more;
    }
    for (size_t i = 0; i < count; i++) {
        char num[64];
        char *v;
        if (ranged) {
            snprintf(num, sizeof num, "%.*f", dec, lo + (double)i * step);
            if (!strcmp(num, "-0") || !strncmp(num, "-0.", 3)) {
                double z = strtod(num, NULL);
                if (z == 0) memmove(num, num + 1, strlen(num)); /* no "-0.0" */
            }
            v = mem_strdup(&pl->mem, num);
        } else {
            v = plan_strndup(pl, s, n);
        }
        if (!v) return err_nomem(err, "planning the experiment");
        for (int j = 0; j < ax->n; j++)
            if (!strcmp(ax->values[j], v)) {
                mem_free(&pl->mem, v);
                return err_msg(err, SS_EINPUT, "--vary %s: value '%s' is listed twice", spec,
                               ax->values[j]);
            }
        ax->values[ax->n++] = v;
    }
    return SS_OK;
}

/* Parse "KEY=V1,V2,..." into ax. A comma splits values only outside
 * brackets, braces and quotes, so YAML values such as {a: 0.5, b: 0.5}
 * stay whole. */
static int parse_axis(struct exp_plan *pl, const char *spec, struct exp_axis *ax,
                      struct ss_error *err)
{
    const char *eq = strchr(spec, '=');
    if (!eq)
        return err_msg(err, SS_EINPUT,
                       "--vary %s: expected KEY=V1,V2,... (e.g. scoring.integration=0,0.5,1)",
                       spec);
    const char *ka = spec, *kb = eq;
    trim(&ka, &kb);
    if (ka == kb) return err_msg(err, SS_EINPUT, "--vary %s: missing key before '='", spec);
    if (!(ax->key = plan_strndup(pl, ka, (size_t)(kb - ka))))
        return err_nomem(err, "planning the experiment");
    if (!strcmp(ax->key, "seed"))
        return err_msg(err, SS_EINPUT,
                       "--vary seed: the seed is set per replicate (base seed + replicate); "
                       "use --replicates and --seed");
    size_t cap = 1; /* grown by add_values for ranges */
    for (const char *c = eq + 1; *c; c++) cap += *c == ',';
    if (!(ax->values = mem_calloc(&pl->mem, cap, sizeof *ax->values)))
        return err_nomem(err, "planning the experiment");
    int depth = 0;
    char quote = 0;
    const char *start = eq + 1;
    for (const char *c = start;; c++) {
        if (*c && quote) {
            if (*c == '\\' && quote == '"' && c[1])
                c++;
            else if (*c == quote)
                quote = 0;
            continue;
        }
        if (*c == '"' || *c == '\'') {
            quote = *c;
        } else if (*c == '[' || *c == '{') {
            depth++;
        } else if ((*c == ']' || *c == '}') && depth > 0) {
            depth--;
        } else if (*c == '\0' || (*c == ',' && depth == 0)) {
            const char *a = start, *b = c;
            trim(&a, &b);
            if (a == b)
                return err_msg(err, SS_EINPUT, "--vary %s: empty value between commas", spec);
            int rc = add_values(pl, spec, ax, &cap, a, (size_t)(b - a), err);
            if (rc) return rc;
            if (*c == '\0') break;
            start = c + 1;
        }
    }
    return SS_OK;
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
static int plan_base(struct exp_plan *pl, const struct scenario *s, char **text,
                     struct ss_error *err)
{
    *text = mem_strdup(&pl->mem, scn_text(s));
    if (!*text) return err_nomem(err, "planning the experiment");
    pl->base_seed = scn_params(s)->seed;
    if (pl->base_seed > UINT64_MAX - (uint64_t)(pl->replicates - 1))
        return err_msg(err, SS_EINPUT, "seed %llu + %d replicates is beyond 2^64 - 1",
                       (unsigned long long)pl->base_seed, pl->replicates);
    return SS_OK;
}

/* Whether value a (as written) names the same value as b: the same text,
 * or the same number (0.50 is 0.5). */
static int same_value(const char *a, size_t n, const char *b)
{
    double x, y;
    if (strlen(b) == n && !strncmp(a, b, n)) return 1;
    return number_of(a, n, &x) && number_of(b, strlen(b), &y) && x == y;
}

/* The point --baseline names: a point number, or KEY=VALUE pairs (split
 * at top-level commas, like --vary) that leave exactly one point. */
static int plan_baseline(struct exp_plan *pl, const char *spec, struct ss_error *err)
{
    char *end;
    long p = strtol(spec, &end, 10);
    if (end != spec && *end == '\0') {
        if (p < 0 || p >= pl->n_points)
            return err_msg(err, SS_EINPUT, "--baseline %s: the sweep's points are 0 to %d", spec,
                           pl->n_points - 1);
        pl->baseline = (int)p;
        return SS_OK;
    }
    /* match[p]: point p agrees with every pair read so far */
    unsigned char *match = mem_calloc(&pl->mem, (size_t)pl->n_points, 1);
    if (!match) return err_nomem(err, "planning the experiment");
    memset(match, 1, (size_t)pl->n_points);
    int rc = SS_OK, depth = 0;
    char quote = 0;
    const char *start = spec;
    for (const char *c = spec; rc == SS_OK; c++) {
        if (*c && quote) {
            if (*c == quote) quote = 0;
            continue;
        }
        if (*c == '"' || *c == '\'')
            quote = *c;
        else if (*c == '[' || *c == '{')
            depth++;
        else if ((*c == ']' || *c == '}') && depth > 0)
            depth--;
        if (*c && (*c != ',' || depth)) continue;
        const char *eq = memchr(start, '=', (size_t)(c - start));
        const char *ka = start, *kb = eq ? eq : c, *va = eq ? eq + 1 : c, *vb = c;
        trim(&ka, &kb);
        trim(&va, &vb);
        int a = -1;
        for (int i = 0; eq && i < pl->n_axes && a < 0; i++)
            if (strlen(pl->axis[i].key) == (size_t)(kb - ka) &&
                !strncmp(pl->axis[i].key, ka, (size_t)(kb - ka)))
                a = i;
        if (!eq || ka == kb)
            rc = err_msg(err, SS_EINPUT,
                         "--baseline %s: expected a point number or KEY=VALUE[, KEY=VALUE]", spec);
        else if (a < 0)
            rc = err_msg(err, SS_EINPUT, "--baseline %s: '%.*s' is not a varied key (varied: %s)",
                         spec, (int)(kb - ka), ka, pl->varied);
        for (int q = 0; rc == SS_OK && q < pl->n_points; q++)
            if (!same_value(va, (size_t)(vb - va), exp_point_value(pl, q, a))) match[q] = 0;
        if (!*c) break;
        start = c + 1;
    }
    int n = 0, first = -1;
    for (int q = 0; q < pl->n_points; q++)
        if (match[q]) n += 1, first = first < 0 ? q : first;
    mem_free(&pl->mem, match);
    if (rc != SS_OK) return rc;
    if (n == 0)
        return err_msg(err, SS_EINPUT, "--baseline %s: no point of the sweep has these values",
                       spec);
    if (n > 1)
        return err_msg(err, SS_EINPUT,
                       "--baseline %s: %d points have these values (the first is %d, '%s'): give "
                       "a value of every varied key, or the point's number",
                       spec, n, first, pl->label[first]);
    pl->baseline = first;
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
        rc = parse_axis(pl, o->vary[a], &pl->axis[a], err);
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
