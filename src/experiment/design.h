/*
 * design.h - the parameter space of a sensitivity analysis or a
 * calibration, and the points where the model is run. A design holds the
 * varied keys (--param KEY=LO:HI[:log]), each checked against a scenario,
 * and maps a point of the unit cube to their values; the generators make
 * Sobol' quasi-random points, Latin hypercubes, Morris trajectories and
 * Saltelli's matrices for Sobol' indices. Every point is a pure function
 * of the design, the generator's arguments and its seed (counter-based
 * draws, src/core/rng.h), so that a design can be rebuilt, bit for bit,
 * from what an experiment records. gsa.h estimates indices from the
 * outputs of a design's points.
 */
#ifndef DESIGN_H
#define DESIGN_H

#include <stdint.h>

#include "core/mem.h"
#include "scoresim.h"

/* Keys in one design: Saltelli's scheme draws 2k-dimensional Sobol'
 * points, and GSL's Sobol' generator goes up to 40 dimensions. */
#define DESIGN_MAX_PARAMS 20
/* Points in one design (runs are points x replicates). */
#define DESIGN_MAX_POINTS 1000000
/* Bytes of a "KEY=VALUE" override written by design_set_text. */
#define DESIGN_SET_MAX 320

enum design_scale {
    DESIGN_LINEAR, /* values spread evenly from LO to HI */
    DESIGN_LOG     /* their logarithms spread evenly (LO > 0): for ranges over orders of
                      magnitude */
};

enum design_kind {
    DESIGN_SOBOL,   /* Sobol' quasi-random points (design_sobol) */
    DESIGN_LHS,     /* a Latin hypercube (design_lhs) */
    DESIGN_MORRIS,  /* Morris trajectories (design_morris) */
    DESIGN_SALTELLI /* the rows of A, B and A_B^(i) (design_saltelli) */
};

/* One varied key. */
struct design_param {
    char *key;     /* scenario key, "scoring.integration" (owned) */
    char *spec;    /* as the user wrote it, "scoring.integration=0:1", for messages (owned) */
    double lo, hi; /* the range, both ends included, lo < hi */
    int scale;     /* enum design_scale */
    int step;      /* 0: a real number; 1: an integer; 2: an even integer (the values are
                      lo, lo + step, ..., hi) */
    int scheduled; /* changes of the key in the base scenario's schedule (design_parse): a
                      point's value holds only until the first of them */
};

/* The varied keys, in the order given. Everything is allocated through mem
 * and freed by design_free. */
struct design {
    struct mem mem;                               /* the design and its points */
    struct design_param param[DESIGN_MAX_PARAMS]; /* [k] */
    int k;                                        /* keys */
};

/* The points of a design, in the order the model runs them (the order
 * gsa.h reads outputs in). Made by a generator, freed by
 * design_points_free. */
struct design_points {
    int kind;      /* enum design_kind */
    int k;         /* coordinates of a point: the design's keys when made */
    long n;        /* points */
    long base;     /* saltelli: N, the rows of A and of B (n = N (k + 2)); morris: r, the
                      trajectories (n = r (k + 1)); sobol, lhs: n */
    int levels;    /* morris: p, the levels of the grid; else 0 */
    uint64_t seed; /* lhs, morris: the key of the draws; else 0 (Sobol' points are fixed) */
    double *u;     /* [n k] the points in the unit cube, point-major */
    double *x;     /* [n k] their values (design_value: mapped, integers rounded) */
    double *s;     /* [n k] the values back in the unit cube (design_unit): u itself for a
                      real key, the rounded value's place for an integer; what Morris'
                      elementary effects divide by */
    int *moved;    /* morris: [n] the key that moved from the previous point of the
                      trajectory, -1 at its first point; else NULL */
};

/* An empty design. SS_OK or SS_ENOMEM. */
int design_new(struct design **out, struct ss_error *err);
/* The same, with an allocation hook that fails its fail_at-th allocation
 * (1-based; 0: never), so tests can prove out-of-memory is reported. */
int design_new_mem(struct design **out, long fail_at, struct ss_error *err);
/* Accepts NULL. Frees every key, not points still held. */
void design_free(struct design *d);

/* Add "KEY=LO:HI" or "KEY=LO:HI:log" (spec, as the user wrote it after
 * --param) checked against base, a finished scenario: the key must hold
 * one number (scn_number_of: an integer, a real number, a probability),
 * not be the seed or a key already in d; LO < HI; an integer key's ends
 * whole (even, for a key that must be even); a log scale's LO above 0;
 * and each end must be a value the scenario accepts, decided by the
 * scenario's own checks: the end is set on a copy of base, which is then
 * finished. Any failure is SS_EINPUT placed at "--param SPEC" with the
 * reason, and d is unchanged. */
int design_parse(struct design *d, const struct scenario *base, const char *spec,
                 struct ss_error *err);
/* Add a key with no scenario behind it (the estimators' tests, or a key
 * checked elsewhere): the same checks of lo, hi, scale and step (0, 1 or
 * 2) as design_parse, errors placed at key. */
int design_add(struct design *d, const char *key, double lo, double hi, int scale, int step,
               struct ss_error *err);

/* The value of key p at unit coordinate u (clamped to [0, 1]): linear,
 * lo + u (hi - lo), or log, lo (hi / lo)^u, with lo at u = 0 and hi at
 * u = 1 exactly. An integer key takes the same map over its range widened
 * by half a step at each end, rounded to the nearest of its values, so
 * that its ends get as large a share as any other value (on a linear
 * scale, each of its m values gets exactly 1/m of [0, 1)). */
double design_value(const struct design_param *p, double u);
/* The inverse: where value x sits in [0, 1] (for an integer key, on the
 * widened range). */
double design_unit(const struct design_param *p, double x);
/* "KEY=VALUE" for value x of key i into buf, the --set override that
 * makes it: an integer as an integer, a real number with 15 significant
 * digits, or 17 if fewer do not read back as exactly x. SS_EINTERNAL if it does not fit size
 * (DESIGN_SET_MAX always does). */
int design_set_text(const struct design *d, int i, double x, char *buf, size_t size);
/* Whether the point with values x[0..k) is a scenario base accepts: a
 * copy of base with every key set, finished. SS_OK, or SS_EINPUT naming
 * the values and the scenario's reason (cross-key checks that a range's
 * ends alone cannot catch). */
int design_check_point(const struct design *d, const struct scenario *base, const double *x,
                       struct ss_error *err);

/* n Sobol' quasi-random points (GSL's gsl_qrng_sobol, Bratley and Fox's
 * direction numbers) in k dimensions. GSL's sequence already leaves out
 * the all-zeros point: its first is (1/2, ..., 1/2), and its first 2^m
 * points are a balanced net but for trading the zero point for the
 * 2^m-th. Best with n a power of 2. */
int design_sobol(struct design *d, long n, struct design_points **out, struct ss_error *err);
/* A Latin hypercube of n points keyed by seed: coordinate j of point i is
 * (pi_j(i) + U_ij) / n with pi_j a random permutation of 0..n-1 and U_ij
 * uniform in [0, 1), each coordinate's draws from (seed, j). */
int design_lhs(struct design *d, long n, uint64_t seed, struct design_points **out,
               struct ss_error *err);
/* r Morris trajectories (Morris 1991, one-at-a-time) on a grid of levels
 * p (even, 2 to 100; 0 gives 4): each of k + 1 points, from a random base
 * on the grid, moves one key by delta = p / (2 (p - 1)), up or down, in a
 * random order, every key once. Trajectory t's draws come from (seed, t).
 * SS_EINPUT if a move of an integer key would round to no change. */
int design_morris(struct design *d, long r, int levels, uint64_t seed, struct design_points **out,
                  struct ss_error *err);
/* Saltelli's scheme for Sobol' indices: A and B are the first and last k
 * coordinates of n_base Sobol' points in 2k dimensions (as design_sobol), and
 * A_B^(i) is A with column i from B. Row j gives k + 2
 * consecutive points: A_j, B_j, then A_B^(1)_j to A_B^(k)_j; n_base (k + 2)
 * points in all. */
int design_saltelli(struct design *d, long n_base, struct design_points **out,
                    struct ss_error *err);
/* Free points made from d; accepts NULL. */
void design_points_free(struct design *d, struct design_points *p);

#endif
