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

/* Errors kept by a reader that goes on after one (scn_load_all), in the
 * order found: the first SS_MAX_ERRORS, and a count of the rest. */
#define SS_MAX_ERRORS 20
struct ss_errors {
    int n;                            /* errors in e */
    int more;                         /* errors found after e was full */
    struct ss_error e[SS_MAX_ERRORS]; /* the first n errors found */
};

/* Add a copy of e to all, or count it once all is full: for a reader
 * that records each error on the one path (struct ss_error), keeps it and
 * goes on. */
void ss_errors_add(struct ss_errors *all, const struct ss_error *e);
/* ss_error_print of each error in all, then a line saying how many more
 * were found, if any. */
void ss_errors_print(const struct ss_errors *all, FILE *f);

/* The allocation fault switch, a test hook (SCORESIM_FAIL_ALLOC, described
 * in src/core/mem.h): what this process allocated so far and whether the
 * allocation it was told to fail has failed. */
struct ss_alloc_counts {
    int armed;    /* 1 SCORESIM_FAIL_ALLOC was set, 0 not, -1 set but not understood */
    long library; /* allocations through the library's hook */
    long sqlite;  /* allocations SQLite made through it */
    int failed;   /* 1 once the allocation named by the switch was made to fail */
};
void ss_alloc_counts(struct ss_alloc_counts *out);

struct scenario; /* parsed, validated parameters and their source text */
struct sim;      /* one simulation: population, networks, state, metrics */

/* --- scenario (scenario.c) --------------------------------------------- */

/* The built-in seed scenario of docs/model.md. Returns SS_OK or SS_ENOMEM. */
int scn_new_default(struct scenario **out, struct ss_error *err);
/* Read a YAML scenario file over the seed defaults. Every key is checked;
 * on error returns SS_EINPUT with file, line and column, and *out is NULL. */
int scn_load(struct scenario **out, const char *path, struct ss_error *err);
/* scn_load that goes on after an error where the rest of the file can
 * still be read (an unknown key, a value of the wrong type or out of range,
 * a duplicate key: each key of a mapping is read on its own), so that *all
 * (emptied first) holds every error of the file, up to SS_MAX_ERRORS, and
 * err the first. Invalid YAML stops the reading. Returns SS_EINPUT if any
 * error was found (then *out is NULL), else as scn_load. */
int scn_load_all(struct scenario **out, const char *path, struct ss_errors *all,
                 struct ss_error *err);
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
/* Changes of the finished scenario's schedule that fall after its last day
 * (possible only when --days or --set days shortened the run: they never
 * happen). */
int scn_changes_after(const struct scenario *s);
/* Protest trigger days of the finished scenario after its last day: past
 * a horizon shortened on the command line, or the seed's trigger days in
 * a file that runs fewer days (days written past a file's horizon are an
 * error). They never come. */
int scn_triggers_after(const struct scenario *s);
void scn_free(struct scenario *s);

/* --- results (io/output_tables.c) -------------------------------------- */

/* Write the Markdown reference of every result table and column
 * (docs/metrics.md). */
int out_write_docs(FILE *f);

/* --- simulation (sim.c) ------------------------------------------------- */

/* Called once per simulated day from the thread that called sim_run. */
typedef void (*sim_progress_fn)(void *ud, int day, int days, double agent_days_per_s);
/* Called from the thread that called sim_run with one line (no newline)
 * that a run's user should read while it runs: a protest trigger that took
 * fewer agents than it asks for. The run goes on. */
typedef void (*sim_warn_fn)(void *ud, const char *msg);

/* Warnings a run passes to sim_options.warn before it only counts them. */
#define SIM_MAX_WARNINGS 10

struct sim_options {
    int threads;                   /* OpenMP threads; 0 = all cores */
    int snapshot;                  /* write the per-agent table at the end */
    const char *out_dir;           /* results directory; NULL = a fresh folder named after the
                                      scenario, the seed and the overrides (see sim_create) */
    int force;                     /* 1: write into out_dir even if it holds results, replacing
                                      them when the run completes; 0: refuse such a folder */
    const char *const *sets;       /* the overrides the scenario was given (KEY=VALUE), which
                                      name the default folder; may be NULL */
    int n_sets;                    /* entries in sets */
    sim_progress_fn progress;      /* NULL for silence */
    void *progress_ud;             /* passed to progress */
    sim_warn_fn warn;              /* NULL for silence; at most SIM_MAX_WARNINGS lines a run,
                                      then one that says how many more were left out */
    void *warn_ud;                 /* passed to warn */
    size_t memory_limit;           /* bytes the run may use; 0 = the machine's available memory */
    volatile sig_atomic_t *cancel; /* if set and nonzero between days, sim_run stops with
                                  SS_EINTR and leaves no results behind */
    int reference;                 /* 1: the plain reference day step, which rescans every tie
                                      every day (slow; same results, for verification) */
    int report;                    /* 1: write report.html into the folder before it is
                                      published (the command line's run) */
    int checkpoint_every;          /* write the world into the results folder every this many
                                      days (the last two kept), so that sim_resume can go on
                                      from there, even after kill -9; 0: never */
};

/* Read every input file a run of s (finished) reads before its first day
 * (its edge lists), with the run's own reader and messages, building
 * nothing: SS_OK, or the error the run would stop with (SS_EINPUT for a
 * malformed or unreadable file, naming it, with line and column). */
int sim_check_inputs(const struct scenario *s, struct ss_error *err);
/* Estimate the peak bytes a scenario needs (population, networks, build
 * buffers, metrics). */
size_t sim_estimate_bytes(const struct scenario *s);
/* Choose the results folder and build population and networks. The
 * scenario must outlive the sim. The folder is out_dir, refused with
 * SS_EINPUT if it holds results (results.sqlite, report.html, a table's CSV
 * or a sweep's runs/) unless force, files scoresim did not write (even
 * with force), a run another process is writing, or an interrupted run
 * (unless force); without out_dir it is results/<name>-<seed>, followed by
 * _<key>-<value> for each override but the seed, or the first of its
 * numbered siblings (_2, _3, ...) that is free: a default folder never
 * replaces results. Refuses with SS_EINPUT, and the estimate in the
 * message, when the estimate exceeds the memory limit. The results are
 * written in a staging folder beside out_dir (.<name>.partial, created
 * here, locked) and published by one rename at the end of sim_run: the
 * folder is whole or absent (io/stage.h). */
int sim_create(struct sim **out, const struct scenario *s, const struct sim_options *o,
               struct ss_error *err);
/* Run every day of the scenario, then write results (see output.h) and
 * publish the folder. On failure nothing is published; a run with
 * checkpoints keeps its staging folder for sim_resume. */
int sim_run(struct sim *sim, struct ss_error *err);
/* The results directory actually used. */
const char *sim_out_dir(const struct sim *sim);
/* The scenario the sim runs. */
const struct scenario *sim_scenario(const struct sim *sim);
/* Go on with the run whose results folder is dir, from its newest
 * checkpoint (sim_options.checkpoint_every): the scenario is the one the
 * checkpoint holds, the results are appended to the partial ones, and
 * sim_run then runs the remaining days; the finished run's tables equal an
 * uninterrupted run's, bit for bit. o gives threads, progress and
 * cancellation (its out_dir, snapshot and reference are the run's own).
 * With expect (finished), the checkpoint's scenario must be that one.
 * SS_EINPUT with the reason if there is no usable checkpoint, it comes
 * from another version of scoresim, or its scenario is not expect. */
int sim_resume(struct sim **out, const char *dir, const struct scenario *expect,
               const struct sim_options *o, struct ss_error *err);
/* The scenario a checkpoint file holds, unfinished, so that it can be
 * changed (scn_set) and finished before sim_fork. */
int sim_checkpoint_scenario(struct scenario **out, const char *checkpoint, struct ss_error *err);
/* A counterfactual fork: the world of the checkpoint file goes on under
 * scenario s (finished), from the checkpoint's day; its policy may differ
 * (any key that may change in a schedule, and the schedule itself), its
 * structure may not (population, networks but a layer's contact, seed,
 * start_date: SS_EINPUT naming the key). The results folder (o->out_dir,
 * or results/<name>-<seed>/) starts with the days through the fork copied
 * from the checkpoint's run. Random draws stay keyed by agent and day, so a
 * fork and its base differ through their policies alone. */
int sim_fork(struct sim **out, const char *checkpoint, const struct scenario *s,
             const struct sim_options *o, struct ss_error *err);
void sim_free(struct sim *sim);

/* --- experiments (experiment.c) ---------------------------------------- */

/* Seeds per parameter point when exp_options.replicates is 0. */
#define EXP_DEFAULT_REPLICATES 10
/* What exp_sweep and exp_compare return when some runs failed (the command
 * line's exit status 1): each is listed on exp_options.log, and everything
 * that completed is written. */
#define EXP_ERUNS 1

/* A sweep (the full factorial of the varied keys times replicates seeds)
 * or a comparison (two scenarios through the same seeds). Each run is a
 * `scoresim run` child process; results go to one results.sqlite in
 * out_dir, described in docs/experiments-schema.md. */
struct exp_options {
    const char *scoresim;          /* the scoresim binary that runs each run (the command
                                      line passes /proc/self/exe) */
    const char *scenario;          /* sweep: the scenario file, NULL for the seed scenario;
                                      compare: scenario A */
    const char *scenario_b;        /* compare: scenario B; sweep: NULL */
    const char *const *sets;       /* KEY=VALUE overrides for every run, applied in order
                                      after the file (--set, --seed, --agents, --days) */
    int n_sets;                    /* entries in sets */
    const char *const *sets_b;     /* compare: overrides for B only, after sets; without
                                      scenario_b, B is scenario with sets then sets_b */
    int n_sets_b;                  /* entries in sets_b */
    const char *const *vary;       /* sweep: "KEY=V1,V2,..." in order; the last varies fastest */
    int n_vary;                    /* entries in vary */
    int replicates;                /* seeds per point: base seed + 0 .. replicates - 1;
                                      0 = EXP_DEFAULT_REPLICATES */
    int jobs;                      /* runs at once; 0 = 1 */
    int threads;                   /* threads per run; 0 = max(1, cores / jobs) */
    const char *out_dir;           /* NULL = results/sweep-<name>/ or
                                      results/compare-<a>-vs-<b>/ */
    int force;                     /* 1: an out_dir holding other results (not this
                                      experiment's) is cleared and started afresh; 0: refused */
    const char *baseline;          /* sweep: the point the differences table compares every
                                      other with, as its number or as KEY=VALUE[, ...] naming
                                      its values; NULL: the one recorded, if any */
    const char *fork_day;          /* compare: a day ("730") or, for an A with a start_date, a
                                      date ("2018-12-31"): each seed's history is run once, as
                                      A, to that day, and A and B fork from it (common random
                                      numbers; B must keep A's population and networks);
                                      NULL: A and B run from day 0 */
    int keep_runs;                 /* keep each merged run's folder (out_dir/runs/<run>/) */
    int progress;                  /* a line on log per finished run, with the time left */
    double progress_every;         /* and, if > 0, a status line when that many seconds pass
                                      without one; 0: a line as each run starts, too */
    FILE *log;                     /* progress and failed runs (stderr); NULL for none */
    FILE *info;                    /* the closing line: where the results are (stdout) */
    int report;                    /* 1: write report.html before the folder is published */
    char *out_used;                /* if set: receives the results folder used */
    size_t out_used_size;          /* bytes at out_used */
    volatile sig_atomic_t *cancel; /* if set and nonzero: stop launching, stop the running
                                      runs, return SS_EINTR; completed runs stay recorded */
    /* sensitivity only (exp_sensitivity): */
    const char *const *params; /* "KEY=LO:HI[:log]" in order, the keys the design varies */
    int n_params;              /* entries in params */
    const char *method;        /* "morris" or "sobol" */
    int trajectories;          /* morris: r; 0 = EXP_SENS_TRAJECTORIES */
    int samples;               /* sobol: N, the rows of A and B; 0 = EXP_SENS_SAMPLES */
    const char *metrics;       /* "m1,m2,...": what the indices are of; NULL = the headline
                                  figures of docs/results.md */
    int day;                   /* the day a metric is read on (or summed to); 0 = the last */
    int skip_nan;              /* 1: outputs that are not numbers are left out and counted;
                                  0: they are an error */
};

/* Defaults of a sensitivity analysis. */
#define EXP_SENS_TRAJECTORIES 10 /* Morris trajectories */
#define EXP_SENS_SAMPLES      64 /* Sobol' rows (N (k + 2) points) */
#define EXP_SENS_REPLICATES   2  /* seeds per point: the fewest that measure the noise */

/* Run a sweep: check every point up front (SS_EINPUT naming the first
 * invalid one, before anything is run or written), then run what the
 * results folder does not yet hold as done, merging each run as it
 * finishes, and rebuild the summary. A folder holding a different
 * experiment is refused with SS_EINPUT. Returns SS_OK, EXP_ERUNS when some
 * runs failed, SS_EINTR when cancelled, or an error. With the first three,
 * the results folder used is written to out_used if given. */
int exp_sweep(const struct exp_options *o, struct ss_error *err);
/* Run a comparison of scenario (A) and scenario_b (B) with the same seeds:
 * as exp_sweep, with points A and B and a comparison table of the paired
 * differences B - A. */
int exp_compare(const struct exp_options *o, struct ss_error *err);

/* A global sensitivity analysis (docs/experiments.md, "Sensitivity
 * analysis"): the keys of o->params over their ranges, by Morris'
 * elementary effects or Sobol' indices, each point run o->replicates times
 * (0 = EXP_SENS_REPLICATES) as a sweep is (resumable, one results.sqlite),
 * then the indices of every metric with the noise between seeds beside
 * them. The design, the ranges, the metrics and the day are checked before
 * anything runs (SS_EINPUT). Returns as exp_sweep. */
int exp_sensitivity(const struct exp_options *o, struct ss_error *err);
/* --- calibration (experiment/calibrate.c) ------------------------------- */

/* Model discrepancy, as a fraction of each published figure, when
 * exp_calib_options.discrepancy is negative. */
#define EXP_CALIB_DISCREPANCY 0.1
/* Waves of history matching when exp_calib_options.waves is 0. */
#define EXP_CALIB_WAVES 3
/* ABC's acceptance share when exp_calib_options.accept is 0. */
#define EXP_CALIB_ACCEPT 0.1

/* What a calibration fits, beside the exp_options of its runs. */
struct exp_calib_options {
    const char *targets;       /* the targets file (docs/calibration.md) */
    const char *const *params; /* "KEY=LO:HI[:log]" (--param), in order */
    int n_params;              /* entries in params, 1 to 20 */
    long budget;               /* runs in all: points x replicates over every wave */
    int waves;                 /* waves of history matching; 0 = EXP_CALIB_WAVES */
    double discrepancy;        /* the model discrepancy's sd as a fraction of each figure
                                  (ln(1 + fraction) on a log scale); < 0: the default */
    double accept;             /* ABC: the share of the last wave's points accepted; 0: the
                                  default */
};

/* Calibrate o->scenario (with o->sets) against c->targets over c->params
 * (docs/calibration.md): waves of runs, each a sweep of listed points in
 * its own folder o->out_dir/wave-<w>/ (o's replicates, the same seeds at
 * every point, jobs, threads, progress, cancel), history matching between
 * waves, rejection ABC over the last, and o->out_dir/results.sqlite with
 * every point's parameters, figures, implausibility and distance;
 * best.yaml and posterior-median.yaml beside it. The targets, the ranges
 * and the budget are checked before anything runs (SS_EINPUT; every bad
 * row of the targets file on o->log). The same call resumes an interrupted
 * calibration. Returns as exp_sweep. */
int exp_calibrate(const struct exp_options *o, const struct exp_calib_options *c,
                  struct ss_error *err);

/* --- report (report.c) ------------------------------------------------- */

/* Write DIR/report.html: one self-contained page (charts and data inlined,
 * no network access needed) of the results in DIR/results.sqlite, a single
 * run's, a sweep's or compare's (told apart by the experiment table), or a
 * calibration's (its calibration table).
 * Scenario texts are escaped. The file is written under a temporary name
 * and renamed into place. Returns SS_OK; SS_EINPUT if DIR holds no
 * readable results; SS_EIO if the file cannot be written; SS_ENOMEM. */
int rep_write(const char *dir, struct ss_error *err);

#endif
