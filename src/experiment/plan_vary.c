/*
 * plan_vary.c - the values of a sweep: --vary KEY=V1,V2,... read into an
 * axis (commas split values only outside brackets, braces and quotes; a
 * LO:HI:STEP range spelled out with the decimals it was written with),
 * and --baseline, the point a sweep's differences are taken from. Apart
 * from the plan (plan.c) because this is where the user's text is read.
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
int plan_parse_axis(struct exp_plan *pl, const char *spec, struct exp_axis *ax,
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
int plan_baseline(struct exp_plan *pl, const char *spec, struct ss_error *err)
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
