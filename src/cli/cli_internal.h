/*
 * cli_internal.h - what the files of the command line share among
 * themselves (main.c: the command table and signals; cli_usage.c: the help
 * texts; cli_args.c: the option parser; cli_run.c: run, resume, check,
 * scenario; cli_experiment.c: sweep, compare, sensitivity, calibrate,
 * report, metrics). Like them it uses the public header only.
 */
#ifndef CLI_INTERNAL_H
#define CLI_INTERNAL_H

#include <signal.h>
#include <stddef.h>

#include "scoresim.h"

#define MAX_SETS 256

/* The parsed command line. */
struct cli {
    const char *cmd;               /* run, check, scenario, metrics */
    const char *file;              /* scenario file (compare: A; report: the folder) or NULL */
    const char *file_b;            /* compare: scenario B */
    const char *vary[MAX_SETS];    /* sweep: KEY=V1,V2,... in order */
    int n_vary;                    /* entries in vary */
    int replicates;                /* --replicates; 0 = the default */
    int jobs;                      /* --jobs; 0 = 1 */
    int keep_runs;                 /* --keep-runs */
    const char *fork_day;          /* --fork-day: a day or a date */
    const char *sets[MAX_SETS];    /* overrides as KEY=VALUE, in order */
    int from_set[MAX_SETS];        /* 1: given as --set; 0: made from a shorthand (--agents) */
    char *owned[MAX_SETS];         /* overrides built from shorthands (freed at exit) */
    int n_sets;                    /* overrides */
    int threads;                   /* --threads */
    const char *out;               /* --out */
    const char *baseline;          /* sweep: --baseline */
    int snapshot;                  /* --snapshot */
    int reference;                 /* --reference */
    int quiet;                     /* --quiet */
    int force;                     /* --force */
    int plain, markdown;           /* scenario/metrics output forms */
    size_t memory_limit;           /* --memory-limit */
    int checkpoint_every;          /* --checkpoint-every */
    const char *from;              /* --from: a checkpoint to fork from */
    const char *params[MAX_SETS];  /* sensitivity: --param KEY=LO:HI[:log], in order */
    int n_params;                  /* entries in params */
    const char *method;            /* sensitivity: --method */
    int trajectories, samples;     /* sensitivity: --trajectories, --samples */
    const char *metrics;           /* sensitivity: --metrics */
    int day;                       /* sensitivity: --day */
    int skip_nan;                  /* sensitivity: --skip-nan */
    const char *targets;           /* calibrate: --targets */
    long budget;                   /* calibrate: --budget */
    int waves;                     /* calibrate: --waves; 0 = the default */
    double discrepancy;            /* calibrate: --discrepancy; < 0 = the default */
    double accept;                 /* calibrate: --accept; 0 = the default */
    volatile sig_atomic_t *cancel; /* set by SIGINT/SIGTERM (main.c): stop between days or runs */
};

/* cli_usage.c: each command's --help text, and the overview */
extern const char cli_usage_main[], cli_usage_run[], cli_usage_sweep[], cli_usage_calibrate[],
    cli_usage_compare[], cli_usage_sensitivity[], cli_usage_resume[], cli_usage_report[],
    cli_usage_check[], cli_usage_scenario[], cli_usage_metrics[];

/* cli_args.c */
/* Print "scoresim CMD: <fmt with arg> (see ...)" on stderr; returns 2, the
 * exit status of bad input. */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);
/* Parse argv[2...] into c (c->cmd set); *help = 1 on --help. Returns 0, or
 * the exit status after a message on stderr. */
int cli_parse_args(struct cli *c, int argc, char **argv, int *help);

/* cli_run.c */
/* Seconds between progress lines off a terminal. */
double cli_progress_every(void);
int cli_cmd_run(struct cli *c);
/* Append this process's allocation counts to $SCORESIM_ALLOC_COUNTS, if
 * set (a test hook: see cli_run.c). */
void cli_alloc_report(const char *cmd, int status);
int cli_cmd_resume(struct cli *c);
int cli_cmd_check(struct cli *c);
int cli_cmd_scenario(struct cli *c);

/* cli_experiment.c */
int cli_cmd_sweep(struct cli *c);
int cli_cmd_compare(struct cli *c);
int cli_cmd_sensitivity(struct cli *c);
int cli_cmd_calibrate(struct cli *c);
int cli_cmd_report(struct cli *c);
int cli_cmd_metrics(struct cli *c);

#endif
