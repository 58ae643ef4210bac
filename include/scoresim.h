/*
 * scoresim.h - the public face of libscoresim.
 *
 * Everything the command line (and any later binding) may call. The
 * simulation object is opaque: callers load and check a scenario, create a
 * simulation from it, run it, and write its results. No function here exits
 * the process; every one that can fail returns an SS_* status and fills a
 * struct ss_error that carries the file, line, column and cause.
 */
#ifndef SCORESIM_H
#define SCORESIM_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SS_VERSION "0.1.0"

/* Status codes. SS_EINPUT is the user's fault (bad scenario, bad option,
 * too little memory for the scenario asked for); the command line maps it
 * to exit code 2. */
enum ss_status {
    SS_OK = 0,
    SS_EINPUT = 2, /* bad scenario, option or input file */
    SS_ENOMEM = 3, /* an allocation failed */
    SS_EIO = 4,    /* a file could not be read or written */
    SS_EINTERNAL = 5,
    SS_EINTR = 6 /* stopped by the caller through sim_options.cancel */
};

/* One error: where it was found and why. file is empty, and line and col
 * are 0, when the cause has no place in a file. */
struct ss_error {
    int code;       /* an enum ss_status, SS_OK when no error */
    char file[512]; /* file the error was found in, or "" */
    int line;       /* 1-based line, or 0 */
    int col;        /* 1-based column, or 0 */
    char msg[1024]; /* the cause, one line, no trailing newline */
};

/* Write "FILE:LINE:COL: msg" (or "FILE: msg", or "error: msg": as much
 * of the place as is known) and a newline to f. */
void ss_error_print(const struct ss_error *e, FILE *f);

struct scenario; /* parsed, validated parameters and their source text */
struct sim;      /* one simulation: population, networks, state, metrics */

/* --- scenario (scenario.c) --------------------------------------------- */

/* The built-in seed scenario of MODEL.md. Returns SS_OK or SS_ENOMEM. */
int scn_new_default(struct scenario **out, struct ss_error *err);
/* Read a YAML scenario file over the seed defaults. Every key is checked;
 * on error returns SS_EINPUT with file, line and column, and *out is NULL. */
int scn_load(struct scenario **out, const char *path, struct ss_error *err);
/* Apply one "a.b.c=value" override with the same checks as the file. */
int scn_set(struct scenario *s, const char *assignment, struct ss_error *err);
/* Cross-key checks (shares sum to 1, names exist, lists fit the population).
 * Call once after the last scn_set; a scenario must be finished to run. */
int scn_finish(struct scenario *s, struct ss_error *err);
/* Print the scenario as YAML; with comments, each key's documentation,
 * default and range, so a user can copy and edit it. */
int scn_print(const struct scenario *s, FILE *f, int with_comments);
/* Write the Markdown reference of every scenario key (docs/scenario.md). */
int scn_write_docs(FILE *f);
const char *scn_name(const struct scenario *s);
void scn_free(struct scenario *s);

/* --- results (metrics.c) ---------------------------------------------- */

/* Write the Markdown reference of every result table and column
 * (docs/metrics.md). */
int met_write_docs(FILE *f);

/* --- simulation (sim.c) ------------------------------------------------- */

/* Called once per simulated day from the thread that called sim_run. */
typedef void (*sim_progress_fn)(void *ud, int day, int days, double agent_days_per_s);

struct sim_options {
    int threads;                   /* OpenMP threads; 0 = all cores */
    int snapshot;                  /* write the per-agent table at the end */
    const char *out_dir;           /* results directory; NULL = results/<name>-<seed>/ */
    sim_progress_fn progress;      /* NULL for silence */
    void *progress_ud;             /* passed to progress */
    size_t memory_limit;           /* bytes the run may use; 0 = the machine's available memory */
    volatile sig_atomic_t *cancel; /* if set and nonzero between days, sim_run stops with
                                  SS_EINTR and leaves no results behind */
};

/* Estimate the peak bytes a scenario needs (population, networks, build
 * buffers, metrics). */
size_t sim_estimate_bytes(const struct scenario *s);
/* Build population and networks. The scenario must outlive the sim.
 * Refuses with SS_EINPUT, and the estimate in the message, when the
 * estimate exceeds the memory limit. */
int sim_create(struct sim **out, const struct scenario *s, const struct sim_options *o,
               struct ss_error *err);
/* Run every day of the scenario, then write results; see output.h. */
int sim_run(struct sim *sim, struct ss_error *err);
/* The results directory actually used. */
const char *sim_out_dir(const struct sim *sim);
void sim_free(struct sim *sim);

#endif
