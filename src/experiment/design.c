/*
 * design.c - the design of a sensitivity analysis or calibration (see
 * design.h): --param KEY=LO:HI[:log] parsed and checked against a
 * scenario (the scenario's own checks decide each end, on a copy), the map
 * from the unit cube to values, and the point generators: Sobol' points
 * (GSL, its state allocated through the hook), Latin hypercubes and Morris
 * trajectories (counter-based draws keyed by the seed), and Saltelli's
 * matrices.
 */
#include "experiment/design.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"
#include "scenario/params.h"
#include "scenario/scenario.h"

int design_new_mem(struct design **out, long fail_at, struct ss_error *err)
{
    struct mem m = {.fail_at = fail_at};
    struct design *d = mem_calloc(&m, 1, sizeof *d);
    *out = NULL;
    if (!d) {
        err_nomem(err, "making a design");
        return SS_ENOMEM; /* what err_nomem returns, spelled out: *out is used when this is 0 */
    }
    d->mem = m;
    *out = d;
    return SS_OK;
}

int design_new(struct design **out, struct ss_error *err)
{
    return design_new_mem(out, 0, err);
}

void design_free(struct design *d)
{
    if (!d) return;
    for (int i = 0; i < d->k; i++) {
        mem_free(&d->mem, d->param[i].key);
        mem_free(&d->mem, d->param[i].spec);
    }
    struct mem last = d->mem;
    mem_free(&last, d);
}

/* --- the map from the unit cube to values ------------------------------- */

/* An integer key's values: lo, lo + step, ..., hi. */
static double n_values(const struct design_param *p)
{
    return (p->hi - p->lo) / p->step + 1;
}

double design_value(const struct design_param *p, double u)
{
    if (!(u > 0)) u = 0; /* NaN too */
    if (u > 1) u = 1;
    double lo = p->lo, hi = p->hi, v;
    if (p->step == 0) {
        if (u == 0) return lo;
        if (u == 1) return hi;
        v = p->scale == DESIGN_LOG ? exp(log(lo) + u * (log(hi) - log(lo))) : lo + u * (hi - lo);
        return v < lo ? lo : v > hi ? hi : v;
    }
    double m = n_values(p), c;
    if (p->scale == DESIGN_LOG) {
        double a = log(lo - 0.5 * p->step), b = log(hi + 0.5 * p->step);
        c = floor((exp(a + u * (b - a)) - lo) / p->step + 0.5);
    } else {
        c = floor(u * m); /* the nearest value on the widened range, exactly */
    }
    if (c < 0) c = 0;
    if (c > m - 1) c = m - 1;
    return lo + c * p->step;
}

double design_unit(const struct design_param *p, double x)
{
    double half = 0.5 * p->step, lo = p->lo - half, hi = p->hi + half;
    if (p->scale == DESIGN_LOG) return (log(x) - log(lo)) / (log(hi) - log(lo));
    return (x - lo) / (hi - lo);
}

/* x as text that reads back as exactly x: "%.15g" (0.1, 800) unless more
 * digits are needed (0.30000000000000004). */
static void real_text(double x, char *buf, size_t size)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) return;
    }
}

/* Value x of a key with this step as --set writes it. */
static void value_text(int step, double x, char *buf, size_t size)
{
    if (step)
        snprintf(buf, size, "%.0f", x);
    else
        real_text(x, buf, size);
}

int design_set_text(const struct design *d, int i, double x, char *buf, size_t size)
{
    char num[40];
    value_text(d->param[i].step, x, num, sizeof num);
    int len = snprintf(buf, size, "%s=%s", d->param[i].key, num);
    if (len < 0 || (size_t)len >= size)
        return err_msg(NULL, SS_EINTERNAL, "design_set_text: buffer too small");
    return SS_OK;
}

/* --- adding keys ----------------------------------------------------------- */

/* The checks that need no scenario; messages placed at src. */
static int check_range(const char *src, const char *key, double lo, double hi, int scale, int step,
                       struct ss_error *err)
{
    char a[40], b[40];
    real_text(lo, a, sizeof a);
    real_text(hi, b, sizeof b);
    if (!isfinite(lo) || !isfinite(hi))
        return err_set(err, SS_EINPUT, src, 0, 0, "LO and HI must be finite numbers");
    if (!(lo < hi))
        return err_set(err, SS_EINPUT, src, 0, 0, "LO (%s) must be below HI (%s)", a, b);
    if (step && (lo != floor(lo) || hi != floor(hi) || fabs(lo) > 0x1p52 || fabs(hi) > 0x1p52))
        return err_set(err, SS_EINPUT, src, 0, 0,
                       "'%s' is an integer: LO and HI must be whole numbers, got %s and %s", key, a,
                       b);
    if (step == 2 && (fmod(lo, 2) != 0 || fmod(hi, 2) != 0))
        return err_set(err, SS_EINPUT, src, 0, 0,
                       "'%s' must be even: LO and HI must be even numbers, got %s and %s", key, a,
                       b);
    if (scale == DESIGN_LOG && !(lo > 0))
        return err_set(err, SS_EINPUT, src, 0, 0,
                       "a log scale needs LO above 0, got %s (use a linear range, without "
                       "':log', to include 0 or negative values)",
                       a);
    return SS_OK;
}

/* Append a key whose checks passed. */
static int append(struct design *d, const char *key, const char *spec, double lo, double hi,
                  int scale, int step, int scheduled, struct ss_error *err)
{
    struct design_param *p = &d->param[d->k];
    char *k = mem_strdup(&d->mem, key), *s = mem_strdup(&d->mem, spec);
    if (!k || !s) {
        mem_free(&d->mem, k);
        mem_free(&d->mem, s);
        return err_nomem(err, "making a design");
    }
    *p = (struct design_param){k, s, lo, hi, scale, step, scheduled};
    d->k++;
    return SS_OK;
}

static int check_room(const struct design *d, const char *src, const char *key,
                      struct ss_error *err)
{
    if (d->k == DESIGN_MAX_PARAMS)
        return err_set(err, SS_EINPUT, src, 0, 0, "a design varies at most %d keys",
                       DESIGN_MAX_PARAMS);
    for (int i = 0; i < d->k; i++)
        if (!strcmp(d->param[i].key, key))
            return err_set(err, SS_EINPUT, src, 0, 0, "'%s' is varied twice", key);
    return SS_OK;
}

int design_add(struct design *d, const char *key, double lo, double hi, int scale, int step,
               struct ss_error *err)
{
    if (step < 0 || step > 2 || (scale != DESIGN_LINEAR && scale != DESIGN_LOG))
        return err_msg(err, SS_EINTERNAL, "design_add: step %d, scale %d", step, scale);
    int rc = check_room(d, key, key, err);
    if (!rc) rc = check_range(key, key, lo, hi, scale, step, err);
    if (!rc) rc = append(d, key, key, lo, hi, scale, step, 0, err);
    return rc;
}

/* A copy of base (finished), unfinished, to set values on. */
static int scratch(struct scenario **out, const struct scenario *base, struct ss_error *err)
{
    const char *text = scn_text(base);
    if (!text) return err_msg(err, SS_EINTERNAL, "a design needs a finished scenario");
    const char *label = scn_path(base)[0] ? scn_path(base) : "the seed scenario";
    return scn_load_text(out, NULL, text, label, scn_dir(base), err);
}

/* The cause of the error in err, without its place (a --set of our own
 * making, or a line of the copy's text, neither of which the user wrote). */
static void cause_of(const struct ss_error *err, char *buf, size_t size)
{
    snprintf(buf, size, "%s", err->msg);
}

/* Whether base accepts key = x: set on a copy, then finished. On SS_EINPUT
 * the scenario's reason is in err. */
static int accepts(const struct scenario *base, const char *set, struct ss_error *err)
{
    struct scenario *s = NULL;
    int rc = scratch(&s, base, err);
    if (!rc) rc = scn_set(s, set, err);
    if (!rc) rc = scn_finish(s, err);
    scn_free(s);
    return rc;
}

/* Trim blanks from [*a, *b). */
static void trim(const char **a, const char **b)
{
    while (*a < *b && (**a == ' ' || **a == '\t')) (*a)++;
    while (*b > *a && ((*b)[-1] == ' ' || (*b)[-1] == '\t')) (*b)--;
}

/* The number text [a, b) is, whole, into *v; 0 if it is not one. */
static int number_of(const char *a, const char *b, double *v)
{
    char buf[64], *end;
    size_t n = (size_t)(b - a);
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, a, n);
    buf[n] = '\0';
    *v = strtod(buf, &end);
    return *end == '\0' && isfinite(*v);
}

/* Changes of key in a finished scenario's schedule. */
static int scheduled_changes(const struct scenario *base, const char *key)
{
    const struct schedule *sc = &scn_params(base)->schedule;
    int n = 0;
    for (uint32_t i = 0; i < sc->n; i++) n += !strcmp(sc->c[i].key, key);
    return n;
}

int design_parse(struct design *d, const struct scenario *base, const char *spec,
                 struct ss_error *err)
{
    char src[DESIGN_SET_MAX + 16], key[DESIGN_SET_MAX], cause[sizeof err->msg];
    int len = snprintf(src, sizeof src, "--param %s", spec);
    if (len < 0 || (size_t)len >= sizeof src)
        return err_msg(err, SS_EINPUT, "--param %.60s...: longer than %d bytes", spec,
                       DESIGN_SET_MAX);
    const char *eq = strchr(spec, '=');
    if (!eq)
        return err_set(err, SS_EINPUT, src, 0, 0,
                       "expected KEY=LO:HI or KEY=LO:HI:log (e.g. scoring.integration=0:1)");
    const char *ka = spec, *kb = eq;
    trim(&ka, &kb);
    if (ka == kb) return err_set(err, SS_EINPUT, src, 0, 0, "missing key before '='");
    snprintf(key, sizeof key, "%.*s", (int)(kb - ka), ka);
    if (!strcmp(key, "seed"))
        return err_set(err, SS_EINPUT, src, 0, 0,
                       "the seed is not a parameter: each replicate runs with the base seed + "
                       "its number (use --replicates and --seed)");

    /* LO:HI[:scale] */
    const char *f[4], *end = eq + 1 + strlen(eq + 1);
    int nf = 0;
    f[nf++] = eq + 1;
    for (const char *c = eq + 1; *c && nf < 4; c++)
        if (*c == ':') f[nf++] = c + 1;
    if (nf < 2 || nf > 3)
        return err_set(err, SS_EINPUT, src, 0, 0,
                       "expected KEY=LO:HI or KEY=LO:HI:log (e.g. scoring.integration=0:1)");
    double lo, hi;
    const char *a = f[0], *b = f[1] - 1;
    trim(&a, &b);
    if (!number_of(a, b, &lo))
        return err_set(err, SS_EINPUT, src, 0, 0, "LO '%.*s' is not a number", (int)(b - a), a);
    a = f[1], b = nf == 3 ? f[2] - 1 : end;
    trim(&a, &b);
    if (!number_of(a, b, &hi))
        return err_set(err, SS_EINPUT, src, 0, 0, "HI '%.*s' is not a number", (int)(b - a), a);
    int scale = DESIGN_LINEAR;
    if (nf == 3) {
        a = f[2], b = end;
        trim(&a, &b);
        if ((size_t)(b - a) != 3 || strncmp(a, "log", 3))
            return err_set(err, SS_EINPUT, src, 0, 0,
                           "unknown scale ':%.*s' after HI (the only one is ':log'; leave it out "
                           "for a linear range)",
                           (int)(b - a), a);
        scale = DESIGN_LOG;
    }

    /* The key, on a copy: what it holds. */
    struct scenario *s = NULL;
    struct scn_number num;
    int rc = scratch(&s, base, err);
    if (!rc) rc = scn_number_of(s, key, src, &num, err);
    scn_free(s);
    if (rc) return rc;
    int step = num.type == SCN_NUM_INT ? (num.even ? 2 : 1) : 0;
    rc = check_room(d, src, key, err);
    if (!rc) rc = check_range(src, key, lo, hi, scale, step, err);
    if (rc) return rc;

    /* Each end, as the scenario's own checks see it. */
    const char *end_name[2] = {"LO", "HI"};
    double ends[2] = {lo, hi};
    for (int e = 0; e < 2; e++) {
        char set[DESIGN_SET_MAX + 48], value[40];
        value_text(step, ends[e], value, sizeof value);
        snprintf(set, sizeof set, "%s=%s", key, value);
        rc = accepts(base, set, err);
        if (rc == SS_EINPUT) {
            cause_of(err, cause, sizeof cause);
            return err_set(err, SS_EINPUT, src, 0, 0, "%s = %s is not allowed: %s", end_name[e],
                           value, cause);
        }
        if (rc) return rc;
    }
    return append(d, key, spec, lo, hi, scale, step, scheduled_changes(base, key), err);
}

int design_check_point(const struct design *d, const struct scenario *base, const double *x,
                       struct ss_error *err)
{
    struct scenario *s = NULL;
    char set[DESIGN_SET_MAX], what[600] = "", cause[sizeof err->msg];
    size_t used = 0;
    int rc = scratch(&s, base, err);
    for (int i = 0; i < d->k && rc == SS_OK; i++) {
        rc = design_set_text(d, i, x[i], set, sizeof set);
        if (!rc) rc = scn_set(s, set, err);
        if (used < sizeof what)
            used += (size_t)snprintf(what + used, sizeof what - used, "%s%s", i ? ", " : "", set);
    }
    if (!rc) rc = scn_finish(s, err);
    scn_free(s);
    if (rc != SS_EINPUT) return rc;
    cause_of(err, cause, sizeof cause);
    return err_msg(err, SS_EINPUT, "the point %s is not allowed: %s", what, cause);
}

/* --- points ------------------------------------------------------------- */

void design_points_free(struct design *d, struct design_points *p)
{
    if (!p) return;
    mem_free(&d->mem, p->u);
    mem_free(&d->mem, p->x);
    mem_free(&d->mem, p->s);
    mem_free(&d->mem, p->moved);
    mem_free(&d->mem, p);
}

/* Points of a kind with n rows, u to be filled by the generator. */
static int points_new(struct design *d, int kind, long n, struct design_points **out,
                      struct ss_error *err)
{
    /* Statuses spelled out, not err_msg's: *out is used when this is 0. */
    *out = NULL;
    if (d->k < 1) {
        err_msg(err, SS_EINPUT, "a design needs at least one --param");
        return SS_EINPUT;
    }
    if (n < 1 || n > DESIGN_MAX_POINTS) {
        err_msg(err, SS_EINPUT, "a design has 1 to %d points, this one would have %ld",
                DESIGN_MAX_POINTS, n);
        return SS_EINPUT;
    }
    struct design_points *p = mem_calloc(&d->mem, 1, sizeof *p);
    if (!p) goto nomem;
    size_t cells = (size_t)n * (size_t)d->k;
    p->kind = kind;
    p->k = d->k;
    p->n = n;
    p->base = n;
    p->u = mem_alloc_array(&d->mem, cells, sizeof *p->u);
    p->x = mem_alloc_array(&d->mem, cells, sizeof *p->x);
    p->s = mem_alloc_array(&d->mem, cells, sizeof *p->s);
    if (kind == DESIGN_MORRIS) p->moved = mem_alloc_array(&d->mem, (size_t)n, sizeof *p->moved);
    if (!p->u || !p->x || !p->s || (kind == DESIGN_MORRIS && !p->moved)) goto nomem;
    *out = p;
    return SS_OK;
nomem:
    design_points_free(d, p);
    err_nomem(err, "making a design's points");
    return SS_ENOMEM;
}

/* x and s from u. */
static void points_map(const struct design *d, struct design_points *p)
{
    for (long i = 0; i < p->n; i++)
        for (int j = 0; j < p->k; j++) {
            const struct design_param *q = &d->param[j];
            size_t c = (size_t)i * (size_t)p->k + (size_t)j;
            p->x[c] = design_value(q, p->u[c]);
            p->s[c] = q->step ? design_unit(q, p->x[c]) : p->u[c];
        }
}

/* n points of the Sobol' sequence in dim dimensions into out[n dim]. The
 * generator is GSL's, its state allocated here rather than by
 * gsl_qrng_alloc, so that it goes through the hook. */
static int sobol_fill(struct design *d, unsigned dim, long n, double *out, struct ss_error *err)
{
    const gsl_qrng_type *t = gsl_qrng_sobol;
    if (dim < 1 || dim > t->max_dimension)
        return err_msg(err, SS_EINPUT, "Sobol' points have 1 to %u dimensions, not %u",
                       t->max_dimension, dim);
    void *state = mem_alloc(&d->mem, t->state_size(dim));
    if (!state) return err_nomem(err, "making Sobol' points");
    int rc = t->init_state(state, dim);
    for (long i = 0; i < n && rc == GSL_SUCCESS; i++)
        rc = t->get(state, dim, out + (size_t)i * dim);
    mem_free(&d->mem, state);
    if (rc != GSL_SUCCESS)
        return err_msg(err, SS_EINTERNAL, "GSL's Sobol' sequence failed: %s", gsl_strerror(rc));
    return SS_OK;
}

int design_sobol(struct design *d, long n, struct design_points **out, struct ss_error *err)
{
    *out = NULL;
    struct design_points *p;
    int rc = points_new(d, DESIGN_SOBOL, n, &p, err);
    if (rc) return rc;
    rc = sobol_fill(d, (unsigned)d->k, n, p->u, err);
    if (rc) {
        design_points_free(d, p);
        return rc;
    }
    points_map(d, p);
    *out = p;
    return SS_OK;
}

int design_lhs(struct design *d, long n, uint64_t seed, struct design_points **out,
               struct ss_error *err)
{
    *out = NULL;
    struct design_points *p;
    int rc = points_new(d, DESIGN_LHS, n, &p, err);
    if (rc) return rc;
    uint32_t *perm = mem_alloc_array(&d->mem, (size_t)n, sizeof *perm);
    if (!perm) {
        design_points_free(d, p);
        return err_nomem(err, "making a Latin hypercube");
    }
    p->seed = seed;
    for (int j = 0; j < d->k; j++) {
        struct rng g;
        rng_init(&g, seed, (uint32_t)j, RNG_DESIGN_DAY, RS_DESIGN_LHS);
        for (long i = 0; i < n; i++) perm[i] = (uint32_t)i;
        for (long i = n - 1; i > 0; i--) { /* Fisher-Yates */
            uint32_t r = rng_below(&g, (uint32_t)i + 1), tmp = perm[i];
            perm[i] = perm[r];
            perm[r] = tmp;
        }
        for (long i = 0; i < n; i++)
            p->u[(size_t)i * (size_t)d->k + (size_t)j] = (perm[i] + rng_uniform(&g)) / (double)n;
    }
    mem_free(&d->mem, perm);
    points_map(d, p);
    *out = p;
    return SS_OK;
}

int design_morris(struct design *d, long r, int levels, uint64_t seed, struct design_points **out,
                  struct ss_error *err)
{
    int lv = levels ? levels : 4, k = d->k;
    *out = NULL;
    if (lv < 2 || lv > 100 || lv % 2)
        return err_msg(err, SS_EINPUT, "Morris levels must be even, from 2 to 100, got %d", levels);
    if (r < 2 || (k >= 1 && r > DESIGN_MAX_POINTS / (k + 1)))
        return err_msg(err, SS_EINPUT,
                       "Morris trajectories must be from 2 to %d (for %d keys), got %ld",
                       DESIGN_MAX_POINTS / (k + 1), k, r);
    struct design_points *p;
    int rc = points_new(d, DESIGN_MORRIS, r * (k + 1), &p, err);
    if (rc) return rc;
    p->base = r;
    p->levels = lv;
    p->seed = seed;
    /* On the grid's level numbers 0..p-1: a base level below p/2, a move
     * of p/2 levels (delta = (p/2) / (p - 1)), exact in integers. */
    int half = lv / 2, level[DESIGN_MAX_PARAMS] = {0}, dir[DESIGN_MAX_PARAMS] = {0},
        order[DESIGN_MAX_PARAMS] = {0};
    for (long t = 0; t < r; t++) {
        struct rng g;
        rng_init(&g, seed, (uint32_t)t, RNG_DESIGN_DAY, RS_DESIGN_MORRIS);
        for (int i = 0; i < k; i++) {
            int base = (int)rng_below(&g, (uint32_t)half);
            dir[i] = rng_below(&g, 2) ? 1 : -1;
            level[i] = dir[i] > 0 ? base : base + half;
            order[i] = i;
        }
        for (int i = k - 1; i > 0; i--) {
            int j = (int)rng_below(&g, (uint32_t)i + 1), tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        for (int step = 0; step <= k; step++) {
            long row = t * (k + 1) + step;
            if (step) level[order[step - 1]] += dir[order[step - 1]] * half;
            p->moved[row] = step ? order[step - 1] : -1;
            for (int i = 0; i < k; i++)
                p->u[(size_t)row * (size_t)k + (size_t)i] = level[i] / (double)(lv - 1);
        }
    }
    points_map(d, p);
    /* A move of an integer key that rounds to no change has no effect to
     * divide by. */
    for (long row = 0; row < p->n; row++) {
        int i = p->moved[row];
        if (i < 0 || !d->param[i].step) continue;
        size_t c = (size_t)row * (size_t)k + (size_t)i;
        if (p->x[c] == p->x[c - (size_t)k]) {
            design_points_free(d, p);
            return err_msg(err, SS_EINPUT,
                           "--param %s: with %d levels, a Morris step of this integer key "
                           "rounds to no change; use fewer levels or a wider range",
                           d->param[i].spec, lv);
        }
    }
    *out = p;
    return SS_OK;
}

int design_saltelli(struct design *d, long n_base, struct design_points **out, struct ss_error *err)
{
    int k = d->k;
    *out = NULL;
    if (k >= 1 && (n_base < 2 || n_base > DESIGN_MAX_POINTS / (k + 2)))
        return err_msg(err, SS_EINPUT,
                       "Saltelli's scheme needs 2 to %d base samples (for %d keys), got %ld",
                       DESIGN_MAX_POINTS / (k + 2), k, n_base);
    struct design_points *p;
    int rc = points_new(d, DESIGN_SALTELLI, n_base * (k + 2), &p, err);
    if (rc) return rc;
    p->base = n_base;
    double *ab = mem_alloc_array(&d->mem, (size_t)n_base * 2 * (size_t)k, sizeof *ab);
    if (!ab) {
        design_points_free(d, p);
        err_nomem(err, "making Saltelli's matrices");
        return SS_ENOMEM;
    }
    rc = sobol_fill(d, 2 * (unsigned)k, n_base, ab, err);
    if (rc) {
        mem_free(&d->mem, ab);
        design_points_free(d, p);
        return rc;
    }
    for (long j = 0; j < n_base; j++) {
        const double *a = ab + (size_t)j * 2 * (size_t)k, *b = a + k;
        double *row = p->u + (size_t)j * (size_t)(k + 2) * (size_t)k;
        memcpy(row, a, (size_t)k * sizeof *row);
        memcpy(row + k, b, (size_t)k * sizeof *row);
        for (int i = 0; i < k; i++) {
            double *abi = row + (size_t)(2 + i) * (size_t)k;
            memcpy(abi, a, (size_t)k * sizeof *abi);
            abi[i] = b[i];
        }
    }
    mem_free(&d->mem, ab);
    points_map(d, p);
    *out = p;
    return SS_OK;
}
