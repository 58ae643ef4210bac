/*
 * cli_experiment.c - the commands of many runs: sweep, compare,
 * sensitivity, calibrate (each handed to the experiment layer, then the
 * report written over what completed), and report and metrics, which read
 * or describe results.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "scoresim.h"

/* exp_calibrate with the command line's calibration options (k). */
static int calibrate(const struct exp_options *o, const void *k, struct ss_error *err)
{
    return exp_calibrate(o, k, err);
}

/* The commands of many runs share everything but the entry point: the
 * options of the runs, the exit status, and the report over what
 * completed. fn is the entry point, or NULL with call (and its ud) for an
 * entry point that takes more than the options. */
static int
run_experiment_with(struct cli *c, int (*fn)(const struct exp_options *, struct ss_error *),
                    int (*call)(const struct exp_options *, const void *, struct ss_error *),
                    const void *ud)
{
    char dir[1100] = "";
    /* compare with one file (or none): --set makes B; shorthands go to both */
    const char *both[MAX_SETS], *b_only[MAX_SETS];
    int n_both = 0, n_b = 0;
    int split = !strcmp(c->cmd, "compare") && !c->file_b;
    for (int i = 0; i < c->n_sets; i++) {
        if (split && c->from_set[i])
            b_only[n_b++] = c->sets[i];
        else
            both[n_both++] = c->sets[i];
    }
    int tty = isatty(STDERR_FILENO);
    struct exp_options o = {.scoresim = "/proc/self/exe",
                            .out_used = dir,
                            .report = 1,
                            .out_used_size = sizeof dir,
                            .scenario = c->file,
                            .scenario_b = c->file_b,
                            .sets = both,
                            .n_sets = n_both,
                            .sets_b = b_only,
                            .n_sets_b = n_b,
                            .vary = c->vary,
                            .n_vary = c->n_vary,
                            .replicates = c->replicates,
                            .jobs = c->jobs,
                            .threads = c->threads,
                            .out_dir = c->out,
                            .force = c->force,
                            .baseline = c->baseline,
                            .keep_runs = c->keep_runs,
                            .fork_day = c->fork_day,
                            .progress = !c->quiet,
                            .progress_every = tty ? -1.0 : cli_progress_every(),
                            .log = stderr,
                            .info = stdout,
                            .cancel = c->cancel,
                            .params = c->params,
                            .n_params = c->n_params,
                            .method = c->method,
                            .trajectories = c->trajectories,
                            .samples = c->samples,
                            .metrics = c->metrics,
                            .day = c->day,
                            .skip_nan = c->skip_nan};
    struct ss_error err = {0};
    int st = fn ? fn(&o, &err) : call(&o, ud, &err);
    if (st != SS_OK) ss_error_print(&err, stderr);
    if (st != SS_OK && st != EXP_ERUNS) return st == SS_EINPUT ? 2 : st == SS_EINTR ? 130 : 1;
    /* the report (over what completed, also when some runs failed) was
     * written before the folder was published */
    printf("report: %s/report.html\n", dir);
    return st == SS_OK ? 0 : 1;
}

static int run_experiment(struct cli *c, int (*fn)(const struct exp_options *, struct ss_error *))
{
    return run_experiment_with(c, fn, NULL, NULL);
}

int cli_cmd_sweep(struct cli *c)
{
    return run_experiment(c, exp_sweep);
}

int cli_cmd_compare(struct cli *c)
{
    int sets = 0;
    for (int i = 0; i < c->n_sets; i++) sets += c->from_set[i];
    if (!c->file_b && !sets)
        return cli_usage_error(c->cmd, "%s",
                               "needs two scenario files, or one (or none: the seed scenario) and "
                               "--set KEY=VALUE overrides that make B");
    return run_experiment(c, exp_compare);
}

int cli_cmd_sensitivity(struct cli *c)
{
    return run_experiment(c, exp_sensitivity);
}

int cli_cmd_calibrate(struct cli *c)
{
    if (!c->targets) return cli_usage_error(c->cmd, "%s", "needs --targets FILE");
    if (!c->n_params) return cli_usage_error(c->cmd, "%s", "needs at least one --param KEY=LO:HI");
    if (!c->budget) return cli_usage_error(c->cmd, "%s", "needs --budget RUNS");
    struct exp_calib_options k = {.targets = c->targets,
                                  .params = c->params,
                                  .n_params = c->n_params,
                                  .budget = c->budget,
                                  .waves = c->waves,
                                  .discrepancy = c->discrepancy,
                                  .accept = c->accept};
    return run_experiment_with(c, NULL, calibrate, &k);
}

int cli_cmd_report(struct cli *c)
{
    if (!c->file) return cli_usage_error(c->cmd, "%s", "needs a results folder");
    struct ss_error err = {0};
    int st = rep_write(c->file, &err);
    if (st != SS_OK) {
        ss_error_print(&err, stderr);
        return st == SS_EINPUT ? 2 : 1;
    }
    printf("report: %s/report.html\n", c->file);
    return 0;
}

int cli_cmd_metrics(struct cli *c)
{
    if (!c->markdown) return cli_usage_error(c->cmd, "%s", "needs --markdown");
    return out_write_docs(stdout) == SS_OK ? 0 : 1;
}
