/*
 * rng.h - counter-based random numbers (Philox4x32-10, Salmon et al. 2011).
 *
 * There is no generator state shared between agents or threads: every draw
 * is a pure function of (seed, agent, day, stream, index). Any thread can
 * compute any agent's numbers in any order and get the same bits, which is
 * what makes results identical for every thread (and later process) count.
 *
 * Counter layout: c0 = agent (or other entity id), c1 = day, c2 = stream,
 * c3 = index of the 4-word block within that (agent, day, stream).
 * Key: the 64-bit scenario seed.
 */
#ifndef RNG_H
#define RNG_H

#include <stdint.h>

/* The "day" used for everything drawn while building the population and
 * networks, so set-up draws never collide with a simulated day's. */
#define RNG_SETUP_DAY 0xFFFFFFFFu
/* The "day" of the draws that choose an experiment's design points and
 * resample its results (experiment/design.c, gsa.c): never a simulated or
 * a set-up day, so they share no counter with a run of the same seed. */
#define RNG_DESIGN_DAY 0xFFFFFFFEu

/* Streams: one per independent use. Layer-specific streams add the layer
 * index (< 64) to their base. Add new streams at the end of a range; never
 * renumber, or every result changes. */
enum rng_stream {
    RS_HOUSEHOLD_SIZE = 1, /* per household: size and children */
    RS_HOUSEHOLD_GROUP,    /* per household: its group */
    RS_ATTITUDE,           /* per agent */
    RS_RELIABILITY,        /* per agent */
    RS_ONLINE,             /* per agent */
    RS_THRESHOLD,          /* per agent */
    RS_TRIGGER,            /* choosing random trigger agents */
    RS_WATCH,              /* per agent: channel coverage, one word per channel */
    RS_COVER,              /* per agent: sub-system coverage, one word per sub-system */
    RS_LAYER_BUILD = 64,   /* + layer: network generation */
    RS_CONTACT = 128,      /* + layer: daily activation of a tie */
    RS_DYNAMICS = 256,     /* first stream for the day step's own draws */
    RS_ACT = RS_DYNAMICS,  /* retired (acts are drawn by block, RS_BLOCK_ACT); kept so the
                              streams after it keep their numbers */
    RS_DETECT,             /* per agent per day, index = channel: detection of own acts */
    RS_ASSOC_DETECT,       /* per agent per day, index = meeting: detection of a meeting
                              with a listed contact, one word per channel */
    RS_FALSE,              /* retired (false attributions: RS_BLOCK_FALSE); kept likewise */
    RS_OSTRACISM,          /* per contact per day, index = the newly listed agent */
    RS_TRIGGER_DAY,        /* per trigger day (agent 0): choosing k trigger agents */
    RS_LEAVE,              /* per protester per day: leaving the protest */
    RS_PAY,                /* per agent per due day: the payment is missed */
    RS_SETTLE,             /* per agent with an unpaid judgment per day: it settles */
    RS_BLOCK_ACT = 384,    /* + act: per block of agents per day, the candidates for an act
                              (agent = the block's first agent) */
    RS_BLOCK_FALSE = 400,  /* + channel: per block per day, false-attribution candidates */
    RS_CONTACT_CELL = 416, /* + layer: per day, agent = group pair: today's active ties
                              between agents neither listed nor interned */
    RS_DESIGN_LHS = 512,   /* RNG_DESIGN_DAY, agent = a design's parameter: a Latin
                              hypercube's permutation and jitter of that coordinate */
    RS_DESIGN_MORRIS,      /* RNG_DESIGN_DAY, agent = a Morris trajectory: its base point,
                              directions and order of moves */
    RS_BOOTSTRAP,          /* RNG_DESIGN_DAY, agent = a bootstrap resample: the rows drawn */
    RS_CALIB_PROPOSE = 544 /* calibration (experiment/calib.c): agent = a proposal's number
                              within its ABC-SMC generation, day = the generation; its parent
                              and its move */
};

/* One Philox4x32-10 block: out = philox(key = seed, counter = c). */
void rng_block(uint64_t seed, const uint32_t c[4], uint32_t out[4]);

/* A probability as a threshold on one 32-bit word: a uniform word w is a
 * success when w < rng_threshold(p), which has probability
 * floor(p x 2^32) / 2^32, within 2^-32 of p. Every yes/no draw of the
 * model compares a word with this, so a probability means the same thing
 * everywhere. p <= 0 (or NaN) never succeeds; p >= 1 always does. */
static inline uint64_t rng_threshold(double p)
{
    if (!(p > 0)) return 0;
    if (p >= 1) return (uint64_t)1 << 32;
    return (uint64_t)(p * 4294967296.0);
}

/* A double in [0, 1) with 53 random bits from two words. */
static inline double rng_to_u01(uint32_t hi, uint32_t lo)
{
    return (double)(((uint64_t)hi << 21) ^ (uint64_t)lo >> 11) * 0x1.0p-53;
}

/* The first uniform of (seed, agent, day, stream): the common case of one
 * draw per agent per day per purpose. */
static inline double rng_u01_at(uint64_t seed, uint32_t agent, uint32_t day, uint32_t stream)
{
    uint32_t c[4] = {agent, day, stream, 0}, o[4];
    rng_block(seed, c, o);
    return rng_to_u01(o[0], o[1]);
}

/* A sequence of draws for one (seed, agent, day, stream): consumes 4-word
 * blocks with increasing index. Cheap to create; lives on the stack. */
struct rng {
    uint64_t seed;   /* the key */
    uint32_t ctr[4]; /* agent, day, stream, block index */
    uint32_t buf[4]; /* the current block */
    int pos;         /* next unused word of buf; 4 = empty */
};

void rng_init(struct rng *r, uint64_t seed, uint32_t agent, uint32_t day, uint32_t stream);
uint32_t rng_u32(struct rng *r);
/* Uniform in [0, 1). */
double rng_uniform(struct rng *r);
/* Uniform integer in [0, n), n >= 1, without modulo bias (Lemire). */
uint32_t rng_below(struct rng *r, uint32_t n);
/* Uniform 64-bit integer in [0, n), n >= 1, without bias. */
uint64_t rng_below64(struct rng *r, uint64_t n);
/* Standard normal (Box-Muller; one value per two uniforms). */
double rng_normal(struct rng *r);
/* Gamma(shape, 1) (Marsaglia-Tsang), shape > 0. */
double rng_gamma(struct rng *r, double shape);
/* Beta(a, b), a, b > 0. */
double rng_beta(struct rng *r, double a, double b);
/* Poisson(mean), mean >= 0 (inversion for small means, PTRS above 10). */
uint32_t rng_poisson(struct rng *r, double mean);
/* Number of failures before the first success, success probability p in
 * (0, 1]; used to skip over non-events. Saturates at UINT64_MAX. */
uint64_t rng_geometric(struct rng *r, double p);
/* Binomial(n, p), exact (GSL's BTPE sampler fed from r). */
uint64_t rng_binomial(struct rng *r, double p, uint64_t n);

#endif
