/*
 * calibrate_internal.h - what the files of `scoresim calibrate` share
 * among themselves (calibrate.c: the checks, the posterior, the command;
 * calibrate_db.c: the calibration's database and its identity;
 * calibrate_wave.c: a wave's points and runs). Not part of any other
 * module's interface: experiment.h's exp_calibrate is the public face.
 */
#ifndef CALIBRATE_INTERNAL_H
#define CALIBRATE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>

#include "core/error.h"
#include "core/mem.h"
#include "experiment/calib.h"
#include "experiment/experiment.h"
#include "io/stage.h"
#include "io/store.h"
#include "scenario/params.h"

struct design;
struct scenario;
struct tgt_set;

/* One calibration. */
struct cal {
    const struct exp_options *o;       /* as given */
    const struct exp_calib_options *c; /* as given */
    struct mem m;                      /* everything below */
    struct scenario *base;             /* the scenario with o's sets, finished */
    struct design *d;                  /* the parameters */
    struct tgt_set *ts;                /* the targets */
    int k, nt, reps, waves;            /* parameters, targets, replicates, waves asked */
    long per_wave;                     /* points a wave runs */
    double disc, accept;               /* discrepancy fraction, ABC acceptance share */
    char target[MAX_PATH];             /* the results folder, once published */
    struct stage stage;                /* where it is written until then (io/stage.h) */
    char dir[MAX_PATH];                /* the staging folder, where everything is written */
    char db_path[MAX_PATH + 32];       /* dir/results.sqlite */
    sqlite3 *db;                       /* the calibration database */
    double *z, *vobs, *vdisc;          /* [nt] each target's compared value and variances */
    /* every point evaluated so far, in the order of the waves */
    long n, cap;         /* points, allocated */
    double *u;           /* [cap k] in the unit cube */
    double *x;           /* [cap k] the values run */
    int *wave;           /* [cap] the wave (1-based) */
    double *fig;         /* [cap reps nt] each run's figures (NaN: missing) */
    double *mean;        /* [cap nt] */
    double *var;         /* [cap nt] */
    int *count;          /* [cap nt] */
    double *imp;         /* [cap nt] implausibility */
    double *imax;        /* [cap] */
    double *dist;        /* [cap] ABC distance */
    unsigned char *keep; /* [cap] not ruled out */
    double *weight;      /* [cap] posterior weight (0: not accepted) */
    int failed;          /* runs failed in some wave (EXP_ERUNS at the end) */
};

/* calibrate.c */
/* Zeroed room for n things of size bytes from x's allocator (one at least,
 * so that NULL always means out of memory). */
void *cal_alloc(struct cal *x, size_t n, size_t size);
/* Room for `more` points beyond x->n in every per-point array. */
int cal_grow(struct cal *x, long more, struct ss_error *err);

/* calibrate_db.c */
int cal_exec(struct cal *x, const char *sql, struct ss_error *err);
/* Open (create) x->db_path, refusing a folder of other results unless --force. */
int cal_open_db(struct cal *x, struct ss_error *err);
/* Create or check the record of what this calibration is, and write the
 * parameters' and targets' tables. */
int cal_record_identity(struct cal *x, struct ss_error *err);

/* calibrate_wave.c */
/* The unit-cube points of wave w into *u (allocated, *n of them); *n = 0
 * when the previous wave kept none. */
int cal_wave_points(struct cal *x, int w, double **u, long *n, struct calib_box *box,
                    struct ss_error *err);
/* Run wave w over points u[n k] and read their figures into x. */
int cal_run_wave(struct cal *x, int w, const double *u, long n, const struct calib_box *box,
                 struct ss_error *err);

#endif
