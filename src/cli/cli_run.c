/*
 * cli_run.c - the commands of one run: run, resume, check, scenario. They
 * share loading a scenario with its overrides (every error at once) and
 * the progress bar (a bar on a terminal, plain lines elsewhere).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "scoresim.h"

/* Load (or take the seed), apply overrides in order, finish. A file's
 * errors are reported all at once (up to SS_MAX_ERRORS), and so are the
 * overrides': each is read on its own. The checks between keys
 * (scn_finish) need all of them read, and stop at the first. */
static int load_scenario(const struct cli *c, struct scenario **out)
{
    struct ss_error err = {0};
    struct ss_errors all = {0};
    struct scenario *s = NULL;
    int rc = c->file   ? scn_load_all(&s, c->file, &all, &err)
             : c->from ? sim_checkpoint_scenario(&s, c->from, &err) /* a fork's own policy */
                       : scn_new_default(&s, &err);
    for (int i = 0; rc == SS_OK && i < c->n_sets; i++) {
        int st = scn_set(s, c->sets[i], &err);
        if (st == SS_EINPUT)
            ss_errors_add(&all, &err);
        else
            rc = st;
    }
    if (rc == SS_OK && all.n > 0) rc = SS_EINPUT;
    if (rc == SS_OK) rc = scn_finish(s, &err);
    if (rc != SS_OK) {
        if (rc == SS_EINPUT && all.n > 0)
            ss_errors_print(&all, stderr);
        else
            ss_error_print(&err, stderr);
        scn_free(s);
        return rc == SS_EINPUT ? 2 : 1;
    }
    int after = scn_changes_after(s);
    if (after > 0)
        fprintf(stderr,
                "note: %d change%s of the schedule fall%s after the last day of this shortened "
                "run and will not happen\n",
                after, after == 1 ? "" : "s", after == 1 ? "s" : "");
    after = scn_triggers_after(s);
    if (after > 0)
        fprintf(stderr,
                "note: %d protest trigger day%s (behaviour.protest.trigger.days) fall%s after "
                "the last day of the run and will not come\n",
                after, after == 1 ? "" : "s", after == 1 ? "s" : "");
    *out = s;
    return 0;
}

struct progress {
    double started; /* monotonic seconds at the first day */
    int shown;      /* a bar is on screen (a line was printed, off a terminal) */
    int tty;        /* stderr is a terminal: a bar; else plain lines */
    int quiet;      /* --quiet: nothing shown */
    double every;   /* off a terminal: seconds between lines (0: every day) */
    double last;    /* monotonic seconds of the last line */
    int kill_day;   /* tests: SIGKILL ourselves after this day (SCORESIM_TEST_KILL_AFTER_DAY) */
    volatile sig_atomic_t *cancel; /* set by SIGINT/SIGTERM (main.c) */
};

/* The tests' way to kill a run at a known day rather than at a random
 * moment: right after that day's results and checkpoint are written. */
static int test_kill_day(void)
{
    const char *v = getenv("SCORESIM_TEST_KILL_AFTER_DAY");
    return v ? (int)strtol(v, NULL, 10) : 0;
}

/* The fault switch's count (SCORESIM_FAIL_ALLOC, a test hook): with
 * $SCORESIM_ALLOC_COUNTS naming a file, one line appended to it per
 * process, so that a test learns how many allocations a command made and
 * whether the one it was to fail did (a sweep's runs append theirs). A
 * file, not stderr: a sweep reports a failed run by its log's last line. */
void cli_alloc_report(const char *cmd, int status)
{
    const char *path = getenv("SCORESIM_ALLOC_COUNTS");
    if (!path || !*path) return;
    struct ss_alloc_counts n;
    ss_alloc_counts(&n);
    FILE *f = fopen(path, "a");
    if (!f) return;
    fprintf(f, "%s pid=%ld library=%ld sqlite=%ld armed=%d failed=%d exit=%d\n", cmd,
            (long)getpid(), n.library, n.sqlite, n.armed, n.failed, status);
    fclose(f);
}

/* Seconds between progress lines off a terminal: $SCORESIM_PROGRESS_SECONDS
 * (a test sets 0 for a line at every step), else 10. */
double cli_progress_every(void)
{
    const char *s = getenv("SCORESIM_PROGRESS_SECONDS");
    char *end;
    double v = s && *s ? strtod(s, &end) : 10.0;
    return s && *s && (*end || !(v >= 0)) ? 10.0 : v;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show_progress(void *ud, int day, int days, double rate)
{
    struct progress *pr = ud;
    if (pr->kill_day > 0 && day == pr->kill_day) raise(SIGKILL);
    if (pr->quiet) return;
    double t = now_seconds();
    if (!pr->started) pr->started = pr->last = t;
    double left = day > 0 ? (t - pr->started) / day * (days - day) : 0;
    if (!pr->tty) {
        /* A plain line for a log file: no carriage returns, no escapes. */
        if (t - pr->last < pr->every && day < days) return;
        pr->last = t;
        pr->shown = 1;
        fprintf(stderr, "day %d of %d (%.1f%%), %.3g agent-days/s, about %d:%02d left\n", day, days,
                100.0 * day / days, rate, (int)left / 60, (int)left % 60);
        fflush(stderr);
        return;
    }
    pr->shown = 1;
    char bar[31];
    int fill = (int)(30.0 * day / days);
    for (int i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '-';
    bar[30] = '\0';
    fprintf(stderr, "\r\033[Kday %d/%d [%s] %5.1f%%  %.3g agent-days/s  %d:%02d left", day, days,
            bar, 100.0 * day / days, rate, (int)left / 60, (int)left % 60);
    if (day == days) fputc('\n', stderr);
    fflush(stderr);
}

/* The progress of a run or resume: a bar on a terminal, lines elsewhere,
 * nothing with --quiet (but the tests' kill day still counts). */
static struct progress progress_new(const struct cli *c)
{
    return (struct progress){.tty = isatty(STDERR_FILENO) && !c->quiet,
                             .quiet = c->quiet,
                             .every = cli_progress_every(),
                             .kill_day = test_kill_day(),
                             .cancel = c->cancel};
}

/* A warning from the run, on a line of its own (a bar on screen is
 * cleared first and redrawn by the next day's progress). --quiet silences
 * progress, not this. */
static void show_warning(void *ud, const char *msg)
{
    const struct progress *pr = ud;
    if (pr->tty && pr->shown) fputs("\r\033[K", stderr);
    fprintf(stderr, "warning: %s\n", msg);
    fflush(stderr);
}

static void progress_attach(struct progress *pr, struct sim_options *o)
{
    o->progress = pr->quiet && !pr->kill_day ? NULL : show_progress;
    o->progress_ud = pr;
    o->warn = show_warning;
    o->warn_ud = pr;
    o->cancel = pr->cancel;
}

/* Run a created (st == SS_OK) simulation to its last day, write its report
 * and say where the results are; the exit status. */
static int run_to_end(struct sim *sim, int st, const struct progress *pr, struct ss_error *err)
{
    if (st == SS_OK) st = sim_run(sim, err); /* the report is written before publishing */
    if (st == SS_OK) {
        printf("scenario '%s': results in %s/ (results.sqlite, a CSV per table)\n",
               scn_name(sim_scenario(sim)), sim_out_dir(sim));
        printf("report: %s/report.html\n", sim_out_dir(sim));
        return 0;
    }
    if (pr->shown && pr->tty) fputc('\n', stderr);
    ss_error_print(err, stderr);
    return st == SS_EINPUT ? 2 : st == SS_EINTR ? 130 : 1;
}

int cli_cmd_run(struct cli *c)
{
    struct scenario *s = NULL;
    int rc = load_scenario(c, &s);
    if (rc) return rc;
    struct progress pr = progress_new(c);
    struct sim_options o = {.threads = c->threads,
                            .snapshot = c->snapshot,
                            .reference = c->reference,
                            .out_dir = c->out,
                            .force = c->force,
                            .sets = c->sets,
                            .n_sets = c->n_sets,
                            .memory_limit = c->memory_limit,
                            .report = 1,
                            .checkpoint_every = c->checkpoint_every};
    progress_attach(&pr, &o);
    struct ss_error err = {0};
    struct sim *sim = NULL;
    if (pr.tty) fprintf(stderr, "building population and networks...");
    int st = c->from ? sim_fork(&sim, c->from, s, &o, &err) : sim_create(&sim, s, &o, &err);
    if (pr.tty) fprintf(stderr, "\r\033[K");
    st = run_to_end(sim, st, &pr, &err);
    sim_free(sim);
    scn_free(s);
    return st;
}

int cli_cmd_resume(struct cli *c)
{
    if (!c->file) return cli_usage_error(c->cmd, "%s", "needs the results folder of a run");
    struct progress pr = progress_new(c);
    struct sim_options o = {.threads = c->threads, .report = 1};
    progress_attach(&pr, &o);
    struct ss_error err = {0};
    struct sim *sim = NULL;
    struct scenario *expect = NULL;
    if (c->file_b) { /* resume DIR SCENARIO: it must be the run's */
        struct cli sc = *c;
        sc.file = c->file_b;
        int rc = load_scenario(&sc, &expect);
        if (rc) return rc;
    }
    int st = sim_resume(&sim, c->file, expect, &o, &err);
    st = run_to_end(sim, st, &pr, &err);
    sim_free(sim);
    scn_free(expect);
    return st;
}

int cli_cmd_check(struct cli *c)
{
    if (!c->file) return cli_usage_error(c->cmd, "%s", "needs a scenario file");
    struct scenario *s = NULL;
    int rc = load_scenario(c, &s);
    if (rc) return rc;
    struct ss_error err = {0};
    rc = sim_check_inputs(s, &err);
    if (rc) {
        ss_error_print(&err, stderr);
        scn_free(s);
        return rc == SS_EINPUT ? 2 : 1;
    }
    printf("%s: ok\n", c->file);
    scn_free(s);
    return 0;
}

int cli_cmd_scenario(struct cli *c)
{
    if (c->markdown) return scn_write_docs(stdout) == SS_OK ? 0 : 1;
    struct scenario *s = NULL;
    int rc = load_scenario(c, &s);
    if (rc) return rc;
    rc = scn_print(s, stdout, !c->plain) == SS_OK ? 0 : 1;
    scn_free(s);
    return rc;
}
