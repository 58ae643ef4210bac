/*
 * runner_internal.h - what the files that run a planned sweep or
 * comparison share among themselves (runner.c: the results folder, its
 * lock, the entry points; runner_children.c: the child processes). Not part
 * of any other module's interface: experiment.h is the public face.
 */
#ifndef RUNNER_INTERNAL_H
#define RUNNER_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"
#include "experiment/experiment.h"
#include "io/stage.h"
#include "scenario/params.h"

struct sqlite3;

/* A running child. */
struct exp_child {
    pid_t pid;      /* 0 when the slot is free */
    int run;        /* run id; a shared history: -1 - its replicate */
    double started; /* monotonic seconds at spawn */
};

/* One invocation of a sweep or comparison. */
struct exp_ctx {
    const struct exp_options *o; /* as given */
    const struct exp_plan *pl;   /* what to run */
    struct sqlite3 *db;          /* the experiment database */
    char target[MAX_PATH];       /* results folder, once published */
    struct stage stage;          /* where it is written until then (io/stage.h) */
    char dir[MAX_PATH];          /* the staging folder, where everything is written */
    char db_path[MAX_PATH + 32]; /* dir/results.sqlite */
    int jobs;                    /* children at once */
    int threads;                 /* --threads of each child */
    unsigned char *done;         /* [n_runs] 1 when merged, now or before */
    int n_finished;              /* runs finished (done or failed) in this invocation */
    int n_todo;                  /* runs not done when this invocation started */
    struct exp_child *child;     /* [jobs] */
    int phase;                   /* 0: the shared histories (--fork-day); 1: the runs */
    unsigned char *base_ok;      /* [replicates] the history's checkpoint is there */
    unsigned char *base_failed;  /* [replicates] the history failed in this invocation */
    double started;              /* monotonic seconds when the first run started */
    double last_line;            /* monotonic seconds of the last progress line */
};

/* runner.c */
/* Delete the files in dir (a run's folder holds no subfolders), then dir,
 * its log beside it and what a killed run left in its staging folder. A
 * folder that is not there is fine. */
void runner_remove_run_dir(const char *dir);
/* The log of the run whose folder is dir while it runs: beside the
 * folder, which the run publishes whole (io/stage.h). */
void runner_log_path(const char *dir, char *buf, size_t size);
/* Once the run has ended: its log into its folder (made if the run left
 * none, as a failed run does), where the user finds it. */
void runner_keep_log(const char *dir);
/* The folder of a run (run >= 0) or of a shared history (-1 - replicate). */
void runner_run_dir(const struct exp_ctx *x, int run, char *buf, size_t size);
/* The checkpoint of day fork_day of replicate rep's shared history. */
void runner_base_checkpoint(const struct exp_ctx *x, int rep, char *buf, size_t size);

/* runner_children.c */
/* A line on o->log (nothing without one), flushed. */
void runner_log_line(const struct exp_options *o, const char *fmt, ...) ERR_PRINTF(2, 3);
/* Run every run of x's plan not done yet, up to x->jobs at once, merging
 * each into x->db as it ends; stops early on o->cancel. */
int runner_run_all(struct exp_ctx *x, struct ss_error *err);

#endif
