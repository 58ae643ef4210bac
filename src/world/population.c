/*
 * population.c - building the synthetic population (MODEL.md section 1).
 *
 * Owns pop_build, pop_free and pop_estimate_bytes. Households are drawn by
 * their draw index h (size, children, group), cut at exactly N agents,
 * ordered by group, and agents are numbered household by household, so each
 * household and each group is a contiguous id range. Per-agent attributes
 * are then drawn keyed by the final agent id. Every draw is keyed by the
 * household or agent it is for (rng.h), so the result is bit-identical for
 * any thread count; the bookkeeping between the parallel draw loops
 * (prefix sums, the counting sort) is serial and exact.
 */
#include "world/population.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"

/* Extra households drawn beyond the expected count, in standard deviations
 * of the total size, so that one round of draws almost surely reaches N.
 * If it does not, the draw is redone with N households (always enough:
 * every household has at least one member); draws are keyed by household,
 * so the result does not depend on which round succeeded. */
#define POP_HH_SIGMAS 8.0

/* Probability that a member after the first is a child, chosen so that the
 * expected child share is child_share: a household of mean size mu has
 * mu - 1 such members on average, so q (mu - 1) = child_share * mu. Capped
 * at 1 (then the child share falls short of the target). With mu == 1
 * every household is a single adult and there are no children: the first
 * member of a household is always an adult. */
static double pop_child_prob(double mean, double child_share)
{
    if (mean <= 1.0) return 0.0;
    double q = child_share * mean / (mean - 1.0);
    return q > 1.0 ? 1.0 : q;
}

/* Households to draw in the first round: the expected count N / mu plus
 * POP_HH_SIGMAS standard deviations, at most N. */
static uint32_t pop_households_guess(uint32_t n, double mean)
{
    double sd = sqrt((double)n * (mean - 1.0) / mean) / mean;
    double h = (double)n / mean + POP_HH_SIGMAS * sd + 16.0;
    return h >= (double)n ? n : (uint32_t)h;
}

/* Household h's draw sequence: its size first, then one uniform per member
 * after the first (child or not). pop_fill redraws the size to reach the
 * same position in the sequence. */
static uint32_t pop_draw_size(struct rng *r, uint64_t seed, uint32_t h, double mean)
{
    rng_init(r, seed, h, RNG_SETUP_DAY, RS_HOUSEHOLD_SIZE);
    uint32_t extra = rng_poisson(r, mean - 1.0);
    return extra >= UINT32_MAX - 1 ? UINT32_MAX - 1 : 1 + extra;
}

/* Normal values are clipped (not truncated) to [lo, hi]; list values are
 * indexed by agent id. A drawn value is rounded to float here, as the
 * state stores it, and only then clipped, so a clip bound is the
 * configured double too; pop_draw's (float) of this is what it always was. */
double pop_value(const struct dist *d, uint64_t seed, uint32_t a, uint32_t stream)
{
    struct rng r;
    double x;
    switch (d->kind) {
    case DIST_CONSTANT:
        return d->value;
    case DIST_LIST:
        return d->values[a];
    case DIST_UNIFORM:
        rng_init(&r, seed, a, RNG_SETUP_DAY, stream);
        return (float)(d->lo + (d->hi - d->lo) * rng_uniform(&r));
    case DIST_NORMAL:
        rng_init(&r, seed, a, RNG_SETUP_DAY, stream);
        x = (float)(d->mean + d->sd * rng_normal(&r));
        return x < d->lo ? d->lo : x > d->hi ? d->hi : x;
    default: /* DIST_BETA; pop_check_dist rejected anything else */
        rng_init(&r, seed, a, RNG_SETUP_DAY, stream);
        return (float)rng_beta(&r, d->a, d->b);
    }
}

float pop_draw(const struct dist *d, uint64_t seed, uint32_t a, uint32_t stream)
{
    return (float)pop_value(d, seed, a, stream);
}

/* Reject a distribution pop_draw cannot draw from. The scenario module
 * validates the same things with file positions; this guards direct use. */
static int pop_check_dist(const struct dist *d, const char *key, uint32_t n, struct ss_error *err)
{
    switch (d->kind) {
    case DIST_CONSTANT:
        return SS_OK;
    case DIST_UNIFORM:
        if (!(d->lo <= d->hi))
            return err_msg(err, SS_EINPUT, "population.%s: uniform needs lo <= hi", key);
        return SS_OK;
    case DIST_NORMAL:
        if (!(d->sd >= 0) || !(d->lo <= d->hi))
            return err_msg(err, SS_EINPUT, "population.%s: normal needs sd >= 0 and lo <= hi", key);
        return SS_OK;
    case DIST_BETA:
        if (!(d->a > 0) || !(d->b > 0))
            return err_msg(err, SS_EINPUT, "population.%s: beta needs a > 0 and b > 0", key);
        return SS_OK;
    case DIST_LIST:
        if (!d->values || d->n_values < n)
            return err_msg(err, SS_EINPUT,
                           "population.%s: a list of %u values, but the population has %u agents "
                           "(population.agents)",
                           key, d->values ? d->n_values : 0u, n);
        return SS_OK;
    default:
        return err_msg(err, SS_EINPUT, "population.%s: unknown distribution kind %d", key, d->kind);
    }
}

static int pop_check(const struct params *p, struct ss_error *err)
{
    const struct named_values *g = &p->population.groups;
    if (g->n < 1 || g->n > MAX_GROUPS)
        return err_msg(err, SS_EINPUT, "population.groups: need 1 to %d groups, got %u", MAX_GROUPS,
                       g->n);
    double total = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        if (!(g->v[i] >= 0) || !isfinite(g->v[i]))
            return err_msg(err, SS_EINPUT,
                           "population.groups: the share of '%s' is not a "
                           "non-negative number",
                           g->name[i]);
        total += g->v[i];
    }
    if (!(total > 0)) return err_msg(err, SS_EINPUT, "population.groups: the shares sum to 0");
    if (!(p->population.household_size >= 1) || !isfinite(p->population.household_size))
        return err_msg(err, SS_EINPUT, "population.household_size: must be at least 1, got %g",
                       p->population.household_size);
    if (!(p->population.child_share >= 0 && p->population.child_share <= 1))
        return err_msg(err, SS_EINPUT, "population.child_share: must be in [0, 1], got %g",
                       p->population.child_share);
    int rc = pop_check_dist(&p->population.attitude, "attitude", p->population.agents, err);
    if (!rc)
        rc = pop_check_dist(&p->population.reliability, "reliability", p->population.agents, err);
    if (!rc) rc = pop_check_dist(&p->population.threshold, "threshold", p->population.agents, err);
    return rc;
}

/* Draw the group of each of the first nh households from the shares
 * (pop_check made sure they are non-negative with a positive sum). */
static void pop_draw_groups(uint8_t *hgroup, uint32_t nh, const struct params *p, int threads)
{
    const struct named_values *g = &p->population.groups;
    double cum[MAX_GROUPS] = {0}, total = 0, run = 0;
    uint32_t ng = g->n, last = 0;
    for (uint32_t i = 0; i < ng; i++) {
        total += g->v[i];
        if (g->v[i] > 0) last = i;
    }
    /* A zero share gives an empty interval, which the scan below steps over;
     * the last group with a positive share takes whatever rounding leaves. */
    for (uint32_t i = 0; i < ng; i++) {
        run += g->v[i];
        cum[i] = i >= last ? 2.0 : run / total;
    }
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t h = 0; h < nh; h++) {
        double u = rng_u01_at(p->seed, h, RNG_SETUP_DAY, RS_HOUSEHOLD_GROUP);
        uint32_t i = 0;
        while (u >= cum[i]) i++;
        hgroup[h] = (uint8_t)i;
    }
}

/* Fill group and flags of every agent, household by household.
 * perm[k] is the draw index of the k-th household in agent order. */
static void pop_fill_households(struct population *pop, const uint32_t *perm,
                                const uint32_t *hh_group_start, const struct params *p, int threads)
{
    double mean = p->population.household_size;
    double q = pop_child_prob(mean, p->population.child_share);
    uint32_t ng = pop->n_groups;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t k = 0; k < pop->n_households; k++) {
        uint32_t g = 0;
        while (g + 1 < ng && k >= hh_group_start[g + 1]) g++;
        struct rng r;
        (void)pop_draw_size(&r, p->seed, perm[k], mean);
        uint32_t a0 = pop->hh_start[k], a1 = pop->hh_start[k + 1];
        for (uint32_t a = a0; a < a1; a++) {
            pop->group[a] = (uint8_t)g;
            pop->flags[a] = (a > a0 && rng_uniform(&r) < q) ? POP_CHILD : 0;
        }
    }
}

/* Per-agent attributes, keyed by agent id (reliability and threshold are
 * drawn on use, with the same keys; attitude, which changes, is drawn into
 * the state by state_init). */
static void pop_fill_agents(struct population *pop, const struct params *p, int threads)
{
    uint64_t seed = p->seed;
    double online = p->population.online_share;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t a = 0; a < pop->n; a++) {
        if (!(pop->flags[a] & POP_CHILD) && rng_u01_at(seed, a, RNG_SETUP_DAY, RS_ONLINE) < online)
            pop->flags[a] |= POP_ONLINE;
    }
}

/* Draw household sizes until they cover n agents. On success *size holds
 * the sizes of the first *nh households (the last one cut so the total is
 * exactly n). */
static int pop_draw_sizes(uint32_t **size_out, uint32_t *nh, const struct params *p, int threads,
                          struct mem *m)
{
    uint32_t n = p->population.agents;
    double mean = p->population.household_size;
    uint32_t guess = pop_households_guess(n, mean);
    for (;;) {
        uint32_t *size = mem_alloc_array(m, guess, sizeof *size);
        if (!size) return SS_ENOMEM;
#pragma omp parallel for num_threads(threads) schedule(static)
        for (uint32_t h = 0; h < guess; h++) {
            struct rng r;
            size[h] = pop_draw_size(&r, p->seed, h, mean);
        }
        uint64_t total = 0;
        for (uint32_t h = 0; h < guess; h++) {
            if (total + size[h] >= n) {
                size[h] = (uint32_t)(n - total);
                *nh = h + 1;
                *size_out = size;
                return SS_OK;
            }
            total += size[h];
        }
        mem_free(m, size);
        if (guess == n) return SS_EINTERNAL; /* unreachable: n households hold >= n */
        guess = n;
    }
}

int pop_build(struct population *pop, const struct params *p, int threads, struct mem *m,
              struct ss_error *err)
{
    static const char what[] = "building the population";
    int rc = pop_check(p, err);
    if (rc) return rc;
    uint32_t n = p->population.agents;
    pop->n = n;
    pop->n_groups = p->population.groups.n;
    pop->seed = p->seed;
    pop->rel_dist = p->population.reliability;
    pop->thr_dist = p->population.threshold;

    uint32_t *size = NULL, *perm = NULL, nh = 0;
    uint8_t *hgroup = NULL;
    if (n > 0) {
        rc = pop_draw_sizes(&size, &nh, p, threads, m);
        if (rc == SS_EINTERNAL) return err_msg(err, rc, "household sizes do not reach N");
        if (rc) return err_nomem(err, what);
    }
    pop->n_households = nh;
    pop->group = mem_alloc_array(m, n, sizeof *pop->group);
    pop->flags = mem_alloc_array(m, n, sizeof *pop->flags);
    pop->hh_start = mem_alloc_array(m, (size_t)nh + 1, sizeof *pop->hh_start);
    hgroup = mem_alloc_array(m, nh, sizeof *hgroup);
    perm = mem_alloc_array(m, nh, sizeof *perm);
    if (!pop->group || !pop->flags || !pop->hh_start || !hgroup || !perm) {
        rc = err_nomem(err, what);
        goto done;
    }

    /* Stable counting sort of households by group: perm[k] = draw index of
     * the k-th household in agent order; hh_start[k + 1] its size. */
    pop_draw_groups(hgroup, nh, p, threads);
    uint32_t cursor[MAX_GROUPS] = {0}, hh_group_start[MAX_GROUPS + 1] = {0};
    for (uint32_t h = 0; h < nh; h++) cursor[hgroup[h]]++;
    for (uint32_t g = 0, run = 0; g < pop->n_groups; g++) {
        hh_group_start[g] = run;
        run += cursor[g];
        cursor[g] = hh_group_start[g];
    }
    hh_group_start[pop->n_groups] = nh;
    for (uint32_t h = 0; h < nh; h++) {
        uint32_t k = cursor[hgroup[h]]++;
        perm[k] = h;
        pop->hh_start[k + 1] = size[h];
    }
    pop->hh_start[0] = 0;
    for (uint32_t k = 0; k < nh; k++) pop->hh_start[k + 1] += pop->hh_start[k];
    assert(pop->hh_start[nh] == n);
    for (uint32_t g = 0; g <= MAX_GROUPS; g++)
        pop->group_start[g] = g < pop->n_groups ? pop->hh_start[hh_group_start[g]] : n;

    pop_fill_households(pop, perm, hh_group_start, p, threads);
    pop_fill_agents(pop, p, threads);
    rc = SS_OK;
done:
    mem_free(m, size);
    mem_free(m, hgroup);
    mem_free(m, perm);
    return rc;
}

uint32_t pop_household(const struct population *pop, uint32_t i)
{
    assert(i < pop->n && pop->n_households > 0);
    /* The last k with hh_start[k] <= i: households are never empty, so it
     * is the one holding i. */
    uint32_t lo = 0, hi = pop->n_households; /* hh_start[lo] <= i < hh_start[hi] */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pop->hh_start[mid] <= i)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void pop_free(struct population *pop, struct mem *m)
{
    if (!pop) return;
    mem_free(m, pop->group);
    mem_free(m, pop->flags);
    mem_free(m, pop->hh_start);
    memset(pop, 0, sizeof *pop);
}

size_t pop_estimate_bytes(const struct params *p)
{
    uint32_t n = p->population.agents;
    double mean = p->population.household_size >= 1 ? p->population.household_size : 1;
    /* households: at most the first round's draw, which almost surely
     * suffices (see POP_HH_SIGMAS) */
    size_t nh = n ? pop_households_guess(n, mean) : 0;
    /* held: group, flags (1 byte each), hh_start; build peak: sizes,
     * groups and the permutation of the drawn households */
    size_t held = (size_t)n * (1 + 1) + (nh + 1) * 4;
    size_t build = nh * (4 + 1 + 4);
    return held + build;
}
