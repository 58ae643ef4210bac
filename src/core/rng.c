/*
 * rng.c - Philox4x32-10 and the distributions built on it (see rng.h).
 */
#include "core/rng.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <limits.h>
#include <math.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

void rng_block(uint64_t seed, const uint32_t c[4], uint32_t out[4])
{
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    uint32_t x0 = c[0], x1 = c[1], x2 = c[2], x3 = c[3];
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t)PHILOX_M0 * x0, p1 = (uint64_t)PHILOX_M1 * x2;
        uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1 ^ k0;
        uint32_t y1 = (uint32_t)p1;
        uint32_t y2 = (uint32_t)(p0 >> 32) ^ x3 ^ k1;
        uint32_t y3 = (uint32_t)p0;
        x0 = y0, x1 = y1, x2 = y2, x3 = y3;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = x0, out[1] = x1, out[2] = x2, out[3] = x3;
}

void rng_init(struct rng *r, uint64_t seed, uint32_t agent, uint32_t day, uint32_t stream)
{
    r->seed = seed;
    r->ctr[0] = agent;
    r->ctr[1] = day;
    r->ctr[2] = stream;
    r->ctr[3] = 0;
    r->pos = 4;
}

uint32_t rng_u32(struct rng *r)
{
    if (r->pos == 4) {
        rng_block(r->seed, r->ctr, r->buf);
        r->ctr[3]++;
        r->pos = 0;
    }
    return r->buf[r->pos++];
}

double rng_uniform(struct rng *r)
{
    uint32_t hi = rng_u32(r);
    uint32_t lo = rng_u32(r);
    return rng_to_u01(hi, lo);
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
    uint64_t m = (uint64_t)rng_u32(r) * n;
    uint32_t l = (uint32_t)m;
    if (l < n) {
        uint32_t t = (uint32_t)(-n) % n;
        while (l < t) {
            m = (uint64_t)rng_u32(r) * n;
            l = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

uint64_t rng_below64(struct rng *r, uint64_t n)
{
    if (n <= UINT32_MAX) return rng_below(r, (uint32_t)n);
    /* Rejection on the smallest power-of-two mask that covers n - 1. */
    uint64_t mask = n - 1;
    mask |= mask >> 1, mask |= mask >> 2, mask |= mask >> 4;
    mask |= mask >> 8, mask |= mask >> 16, mask |= mask >> 32;
    for (;;) {
        uint64_t x = ((uint64_t)rng_u32(r) << 32 | rng_u32(r)) & mask;
        if (x < n) return x;
    }
}

double rng_normal(struct rng *r)
{
    double u1 = rng_uniform(r), u2 = rng_uniform(r);
    /* 1 - u1 is in (0, 1], so the log is finite. */
    return sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
}

double rng_gamma(struct rng *r, double shape)
{
    if (shape < 1.0) {
        double u = rng_uniform(r);
        return rng_gamma(r, shape + 1.0) * pow(1.0 - u, 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = rng_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = rng_uniform(r);
        if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
        if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v))) return d * v;
    }
}

double rng_beta(struct rng *r, double a, double b)
{
    double x = rng_gamma(r, a), y = rng_gamma(r, b);
    return x / (x + y);
}

/* Hormann's PTRS (transformed rejection with squeeze), for mean >= 10. */
static uint32_t rng_poisson_ptrs(struct rng *r, double mean)
{
    double slam = sqrt(mean), loglam = log(mean);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = rng_uniform(r) - 0.5, v = rng_uniform(r);
        double us = 0.5 - fabs(u);
        double k = floor((2 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr) return (uint32_t)k;
        if (k < 0 || (us < 0.013 && v > us)) continue;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <= -mean + k * loglam - lgamma(k + 1))
            return (uint32_t)k;
    }
}

uint32_t rng_poisson(struct rng *r, double mean)
{
    if (mean <= 0) return 0;
    if (mean >= 10) return rng_poisson_ptrs(r, mean);
    double l = exp(-mean), p = 1.0;
    uint32_t k = 0;
    for (;;) {
        p *= 1.0 - rng_uniform(r);
        if (p <= l) return k;
        k++;
    }
}

uint64_t rng_geometric(struct rng *r, double p)
{
    if (p >= 1.0) return 0;
    double u = 1.0 - rng_uniform(r); /* (0, 1] */
    double g = floor(log(u) / log1p(-p));
    return g >= 1.8e19 ? UINT64_MAX : (uint64_t)g;
}

/* GSL's samplers draw from a gsl_rng; this type makes one of a struct rng,
 * so GSL's exact binomial (BTPE) consumes keyed Philox words. */
static void rng_gsl_set(void *state, unsigned long seed)
{
    (void)state; /* keyed by rng_init, never by GSL's seed */
    (void)seed;
}

static unsigned long rng_gsl_get(void *state)
{
    return rng_u32(state);
}

static double rng_gsl_get_double(void *state)
{
    return rng_uniform(state);
}

static const gsl_rng_type rng_gsl_type = {
    "philox4x32-10", 0xFFFFFFFFul,       0, sizeof(struct rng), rng_gsl_set,
    rng_gsl_get,     rng_gsl_get_double,
};

uint64_t rng_binomial(struct rng *r, double p, uint64_t n)
{
    if (!(p > 0) || n == 0) return 0;
    if (p >= 1.0) return n;
    gsl_rng g = {.type = &rng_gsl_type, .state = r};
    uint64_t k = 0;
    /* gsl_ran_binomial takes an unsigned int: a sum of binomials over
     * parts of n is a binomial over n. */
    while (n > 0) {
        unsigned int part = n > UINT_MAX ? UINT_MAX : (unsigned int)n;
        k += gsl_ran_binomial(&g, p, part);
        n -= part;
    }
    return k;
}
