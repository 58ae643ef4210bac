/*
 * main.c - the scoresim command line. A thin layer over the public header:
 * it parses arguments, turns shorthands (--agents ...) into the same
 * scenario overrides as --set, draws the progress bar, and maps statuses to
 * exit codes (0 done, 1 failed, 2 bad input, 130 interrupted).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scoresim.h"

#define MAX_SETS 256

static const char usage_main[] =
    "scoresim " SS_VERSION " - simulate a social credit system over a synthetic population\n"
    "\n"
    "usage:\n"
    "  scoresim run [SCENARIO.yaml] [options]   run a scenario (the built-in seed scenario\n"
    "                                           if none is given) and write its results\n"
    "  scoresim check SCENARIO.yaml [--set K=V]  validate a scenario without running it\n"
    "  scoresim scenario [SCENARIO.yaml] [--set K=V] [--plain | --markdown]\n"
    "                                           print a scenario (default: the seed) as\n"
    "                                           commented YAML to copy and edit\n"
    "  scoresim sweep [SCENARIO.yaml] [--vary KEY=V1,V2,...] [options]\n"
    "                                           run the full factorial of the varied keys\n"
    "                                           times several seeds, summarise, report\n"
    "  scoresim compare A.yaml B.yaml [options] the same seeds through two scenarios, and\n"
    "                                           the difference of every metric\n"
    "  scoresim compare [A.yaml] --set K=V...   A against A with the overrides\n"
    "  scoresim sensitivity [SCENARIO.yaml] --param KEY=LO:HI... [options]\n"
    "                                           which keys the results hinge on: Morris\n"
    "                                           screening or Sobol' indices, with the noise\n"
    "  scoresim calibrate [SCENARIO.yaml] --targets FILE --param KEY=LO:HI... --budget N\n"
    "                                           fit parameters to published figures\n"
    "  scoresim resume DIR                      go on with a run killed or interrupted, from\n"
    "                                           its last checkpoint (--checkpoint-every)\n"
    "  scoresim report DIR                      write DIR/report.html from DIR/results.sqlite\n"
    "  scoresim metrics --markdown              print the reference of the result tables\n"
    "  scoresim --help | --version\n"
    "\n"
    "'scoresim COMMAND --help' describes each command. The scenario keys are in\n"
    "docs/scenario.md, the result tables in docs/metrics.md.\n";

static const char usage_run[] =
    "usage: scoresim run [SCENARIO.yaml] [options]\n"
    "\n"
    "Runs the scenario (the built-in seed scenario of docs/model.md if none is given) and\n"
    "writes results.sqlite, daily.csv and report.html to the results folder.\n"
    "\n"
    "options:\n"
    "  -n, --agents N        number of agents (population.agents)\n"
    "  -d, --days D          days to simulate (days)\n"
    "  -s, --seed S          random seed (seed)\n"
    "      --set KEY=VALUE   set any scenario key, e.g. --set scoring.integration=0;\n"
    "                        repeatable, applied in order after the file\n"
    "  -t, --threads T       threads to use (default: all cores); results are the same\n"
    "                        for every thread count\n"
    "  -o, --out DIR         results folder (default: results/<name>-<seed>_<overrides>/,\n"
    "                        or the first of _2, _3, ... after it that holds no results)\n"
    "      --force           write into an --out folder that holds results, replacing\n"
    "                        them when the run completes (refused without it)\n"
    "      --snapshot        also write every agent's final state (agents table)\n"
    "      --reference       use the plain reference day step, which rescans every tie\n"
    "                        every day: slow, same results (for verification)\n"
    "      --memory-limit M  refuse to start if the scenario needs more than M bytes\n"
    "                        (suffix K, M or G; default: the memory available now)\n"
    "      --checkpoint-every D\n"
    "                        write the world into the results folder every D days (the\n"
    "                        last two kept); 'scoresim resume DIR' goes on from there,\n"
    "                        even after kill -9, with the same results\n"
    "      --from CHECKPOINT a counterfactual fork: go on from a checkpoint's world under\n"
    "                        this scenario (default: the checkpoint's own, with the --set\n"
    "                        overrides): its policy may differ, not its population or\n"
    "                        networks; the days through the fork come from the base run\n"
    "  -q, --quiet           no progress: a bar on a terminal; elsewhere (a log file,\n"
    "                        nohup, a notebook) a line every 10 seconds, or every\n"
    "                        $SCORESIM_PROGRESS_SECONDS (0: every day)\n"
    "  -h, --help            this help\n"
    "\n"
    "Exit status: 0 done, 1 failed, 2 bad scenario or option, 130 interrupted.\n";

static const char usage_sweep[] =
    "usage: scoresim sweep [SCENARIO.yaml] [--vary KEY=V1,V2,... | --vary KEY=LO:HI:STEP]...\n"
    "                      [options]\n"
    "\n"
    "Runs the full factorial of the varied keys (the last varies fastest; without\n"
    "--vary, the scenario alone) times --replicates seeds (seed, seed + 1, ...: the\n"
    "same seeds at every point). Every run lands in one results.sqlite (and a CSV\n"
    "per table) with a summary of each metric's mean and 95% confidence interval\n"
    "per point, then report.html. Points are numbered from 0, in that order.\n"
    "Run the same command again to resume an interrupted sweep (completed runs are\n"
    "not redone), or with a larger --replicates to add seeds to a finished one.\n"
    "\n"
    "options:\n"
    "      --vary KEY=V1,V2  a key and its values (repeatable; values are YAML scalars);\n"
    "                        LO:HI:STEP is every value from LO to HI by STEP\n"
    "      --baseline POINT  also write each point's paired difference from this point\n"
    "                        (its number, or KEY=VALUE[, KEY=VALUE]) with 95% intervals\n"
    "  -r, --replicates R    seeds per point (default 10, or what DIR already holds)\n"
    "  -j, --jobs J          runs at once (default 1)\n"
    "  -t, --threads T       threads per run (default: cores / jobs)\n"
    "  -o, --out DIR         results folder (default: results/sweep-<name>_<keys>/, or\n"
    "                        the first of _2, _3, ... after it that holds no other results)\n"
    "      --force           replace the results of another run or experiment in DIR\n"
    "  -n, --agents N, -d, --days D, -s, --seed S, --set KEY=VALUE\n"
    "                        as for 'scoresim run', applied to every run\n"
    "      --keep-runs       keep each run's own folder under DIR/runs/\n"
    "  -q, --quiet           no progress lines (otherwise one per finished run with the\n"
    "                        time left and, off a terminal, one every 10 seconds or\n"
    "                        $SCORESIM_PROGRESS_SECONDS; 0: one as each run starts)\n"
    "\n"
    "Exit status: 0 done, 1 some runs failed (listed; the rest is written), 2 bad\n"
    "scenario or option (nothing is run), 130 interrupted (completed runs are kept).\n";

static const char usage_calibrate[] =
    "usage: scoresim calibrate [SCENARIO.yaml] --targets FILE --param KEY=LO:HI[:log]...\n"
    "                          --budget RUNS [options]\n"
    "\n"
    "Fits the --param keys to the published figures of the targets file\n"
    "(docs/calibration.md): waves of runs at Sobol' points, each wave a sweep in\n"
    "DIR/wave-<w>/ with the same seeds at every point; history matching rules out\n"
    "the points whose runs are implausibly far from a figure, the next wave samples\n"
    "what is left, and rejection ABC over the last wave gives the posterior.\n"
    "DIR/results.sqlite holds every point's parameters, figures, implausibility and\n"
    "distance; DIR/best.yaml and DIR/posterior-median.yaml are scenarios to run.\n"
    "Run the same command again to resume an interrupted calibration.\n"
    "\n"
    "options:\n"
    "      --targets FILE    the targets (CSV; docs/calibration.md)\n"
    "      --param KEY=LO:HI[:log]  a parameter to fit and its range (repeatable)\n"
    "      --budget RUNS     runs in all: points x replicates over every wave\n"
    "      --waves W         waves of history matching (default 3)\n"
    "  -r, --replicates R    seeds per point (default 2)\n"
    "      --discrepancy F   the model discrepancy, a fraction of each figure (default 0.1)\n"
    "      --accept Q        ABC: the share of the last wave's points, closest to the\n"
    "                        targets, kept as the posterior (default 0.1)\n"
    "  -j, --jobs J          runs at once (default 1)\n"
    "  -o, --out DIR         results folder (default: results/calibrate-<name>/)\n"
    "also --set KEY=VALUE, --agents N, --days D, --seed S, --threads T, --force,\n"
    "--keep-runs, --quiet. Exit status: 0 done; 1 some runs failed or an error;\n"
    "2 bad input (every bad row of the targets file is listed); 130 interrupted.\n";

static const char usage_compare[] =
    "usage: scoresim compare A.yaml B.yaml [options]\n"
    "       scoresim compare [A.yaml] --set KEY=VALUE... [options]\n"
    "\n"
    "Runs both scenarios with the same seeds and writes, for every metric, group and\n"
    "day, the mean difference B - A over the paired seeds with its 95% confidence\n"
    "interval (the comparison table), then report.html. With one scenario file (or\n"
    "none: the seed scenario), B is A with the --set overrides: 'compare a.yaml --set\n"
    "scoring.integration=0' asks what integration 0 changes in a.yaml.\n"
    "\n"
    "With --fork-day D (a day, or a date for a scenario with a start_date), each\n"
    "seed's history to day D is run once, as A, and both A\n"
    "and B go on from it (a counterfactual: 'what if B's policy from day D on'): they\n"
    "share every day through D, and differ after only by the policy. B must keep A's\n"
    "population, networks, seed and start_date.\n"
    "\n"
    "options: --replicates R (default 10), --jobs J, --threads T, --out DIR (default:\n"
    "results/compare-<A>-vs-<B>/), --force, --agents N, --days D, --seed S (applied to\n"
    "both), --set KEY=VALUE (with two files: applied to both), --fork-day D,\n"
    "--keep-runs, --quiet; exit status as for 'scoresim sweep'.\n";

static const char usage_sensitivity[] =
    "usage: scoresim sensitivity [SCENARIO.yaml] --param KEY=LO:HI[:log]... [options]\n"
    "\n"
    "A global sensitivity analysis: which of the --param keys, over their ranges, move\n"
    "the metrics. Morris screening (--method morris, the default: r (k + 1) points for\n"
    "k keys) ranks the keys by mu*, the mean absolute change of a metric over a key's\n"
    "whole range, with sigma for interactions; Sobol' indices (--method sobol: N (k + 2)\n"
    "points) give the share of a metric's variance due to each key alone (S1) and with\n"
    "its interactions (ST), with 95% bootstrap intervals. Each point runs --replicates\n"
    "seeds; the noise between them is reported beside the indices, and a key whose\n"
    "effect does not clear it is said to be below noise. The runs are a sweep's: the\n"
    "same command resumes an interrupted analysis. Results: results.sqlite (the\n"
    "sensitivity tables, docs/experiments-schema.md), a CSV per table, report.html.\n"
    "\n"
    "options:\n"
    "      --param KEY=LO:HI[:log]  a key that holds one number and its range (both ends\n"
    "                        checked by the scenario's rules; :log for ranges over orders\n"
    "                        of magnitude); repeatable, up to 20\n"
    "      --method M        morris (default) or sobol\n"
    "      --trajectories N  Morris trajectories (default 10)\n"
    "      --samples N       Sobol' rows of A and B (default 64; a power of 2 is best)\n"
    "  -r, --replicates R    seeds per point (default 2)\n"
    "      --metrics LIST    comma-separated: a daily column (docs/metrics.md) as\n"
    "                        COLUMN[@GROUP][:sum|:mean], e.g. listed_rate,\n"
    "                        di_listed@uyghur, internments@uyghur:sum; or wrongful_share,\n"
    "                        wrongful_listed_share, cross_context_share_cum,\n"
    "                        silence_share (default: the headline figures of\n"
    "                        docs/results.md)\n"
    "      --day D           the day a metric is read on, or summed to (default: the last)\n"
    "      --skip-nan        leave out outputs that are not numbers (a share of nothing),\n"
    "                        counted, instead of stopping with an error\n"
    "  -j, --jobs J, -t, --threads T, -o, --out DIR, --force, --keep-runs, -q, --quiet,\n"
    "  -n, --agents N, -d, --days D, -s, --seed S, --set KEY=VALUE\n"
    "                        as for 'scoresim sweep' (the seed keys the design, too)\n"
    "\n"
    "Exit status as for 'scoresim sweep'; 2 also for a range a key does not allow.\n";

static const char usage_resume[] =
    "usage: scoresim resume DIR [SCENARIO.yaml] [--threads T] [--quiet]\n"
    "\n"
    "Goes on with the run whose results folder is DIR from its newest checkpoint (a\n"
    "run writes them with --checkpoint-every D), after a kill, a crash or Ctrl-C: the\n"
    "scenario is the checkpoint's own, and the finished tables equal those of a run\n"
    "never interrupted. Given SCENARIO.yaml, the checkpoint must be of that scenario.\n"
    "A checkpoint that is truncated, corrupt, from another version of scoresim or of\n"
    "another scenario is refused, with the reason (exit 2).\n";

static const char usage_report[] =
    "usage: scoresim report DIR\n"
    "\n"
    "Writes DIR/report.html from DIR/results.sqlite (a run's, a sweep's or a\n"
    "comparison's): one self-contained page that opens offline.\n";

static const char usage_check[] =
    "usage: scoresim check SCENARIO.yaml [--set KEY=VALUE]...\n"
    "\n"
    "Validates every key of the scenario (and the overrides) without running it.\n"
    "Errors are printed as FILE:LINE:COL: message; the exit status is 2.\n";

static const char usage_scenario[] =
    "usage: scoresim scenario [SCENARIO.yaml] [--set KEY=VALUE]... [--plain | --markdown]\n"
    "\n"
    "Prints the scenario (default: the built-in seed scenario) as YAML with every key,\n"
    "its meaning, range and default as comments: a file to copy and edit.\n"
    "  --plain      no comments\n"
    "  --markdown   the reference of every key (docs/scenario.md)\n";

static const char usage_metrics[] =
    "usage: scoresim metrics --markdown\n"
    "\n"
    "Prints the reference of every table and column of the results (docs/metrics.md).\n";

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

struct cli {
    const char *cmd;              /* run, check, scenario, metrics */
    const char *file;             /* scenario file (compare: A; report: the folder) or NULL */
    const char *file_b;           /* compare: scenario B */
    const char *vary[MAX_SETS];   /* sweep: KEY=V1,V2,... in order */
    int n_vary;                   /* entries in vary */
    int replicates;               /* --replicates; 0 = the default */
    int jobs;                     /* --jobs; 0 = 1 */
    int keep_runs;                /* --keep-runs */
    const char *fork_day;         /* --fork-day: a day or a date */
    const char *sets[MAX_SETS];   /* overrides as KEY=VALUE, in order */
    int from_set[MAX_SETS];       /* 1: given as --set; 0: made from a shorthand (--agents) */
    char *owned[MAX_SETS];        /* overrides built from shorthands (freed at exit) */
    int n_sets;                   /* overrides */
    int threads;                  /* --threads */
    const char *out;              /* --out */
    const char *baseline;         /* sweep: --baseline */
    int snapshot;                 /* --snapshot */
    int reference;                /* --reference */
    int quiet;                    /* --quiet */
    int force;                    /* --force */
    int plain, markdown;          /* scenario/metrics output forms */
    size_t memory_limit;          /* --memory-limit */
    int checkpoint_every;         /* --checkpoint-every */
    const char *from;             /* --from: a checkpoint to fork from */
    const char *params[MAX_SETS]; /* sensitivity: --param KEY=LO:HI[:log], in order */
    int n_params;                 /* entries in params */
    const char *method;           /* sensitivity: --method */
    int trajectories, samples;    /* sensitivity: --trajectories, --samples */
    const char *metrics;          /* sensitivity: --metrics */
    int day;                      /* sensitivity: --day */
    int skip_nan;                 /* sensitivity: --skip-nan */
    const char *targets;          /* calibrate: --targets */
    long budget;                  /* calibrate: --budget */
    int waves;                    /* calibrate: --waves; 0 = the default */
    double discrepancy;           /* calibrate: --discrepancy; < 0 = the default */
    double accept;                /* calibrate: --accept; 0 = the default */
};

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "scoresim %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'scoresim %s --help')\n", cmd);
    return 2;
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v <= 0) return -1;
    switch (*end) {
    case 'K':
    case 'k':
        v *= 1024.0, end++;
        break;
    case 'M':
    case 'm':
        v *= 1048576.0, end++;
        break;
    case 'G':
    case 'g':
        v *= 1073741824.0, end++;
        break;
    default:
        break;
    }
    if (*end || v > 1.8e19) return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_int(const char *s, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 4096) return -1;
    *out = (int)v;
    return 0;
}

/* Shorthand options become overrides, so they are checked like the file. */
static int add_set(struct cli *c, const char *key, const char *value)
{
    if (c->n_sets == MAX_SETS) return usage_error(c->cmd, "%s", "too many overrides");
    if (!key) {
        c->from_set[c->n_sets] = 1;
        c->sets[c->n_sets++] = value;
        return 0;
    }
    size_t n = strlen(key) + strlen(value) + 2;
    char *s = malloc(n);
    if (!s) return usage_error(c->cmd, "%s", "out of memory");
    snprintf(s, n, "%s=%s", key, value);
    c->owned[c->n_sets] = s;
    c->sets[c->n_sets++] = s;
    return 0;
}

/* Whether the command is one of the space-separated names in cmds. */
static int takes(const struct cli *c, const char *cmds)
{
    size_t n = strlen(c->cmd);
    for (const char *p = cmds; (p = strstr(p, c->cmd)); p += n)
        if ((p == cmds || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
    return 0;
}

static int parse_args(struct cli *c, int argc, char **argv, int *help)
{
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        char name[64];
        if (a[0] != '-' || a[1] == '\0') {
            if (!c->file)
                c->file = a;
            else if (!c->file_b && (!strcmp(c->cmd, "compare") || !strcmp(c->cmd, "resume")))
                c->file_b = a;
            else
                return usage_error(c->cmd, "unexpected argument '%s'", a);
            continue;
        }
        /* --name=value or --name value */
        const char *eq = strchr(a, '=');
        size_t len = eq && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
        if (len >= sizeof name) return usage_error(c->cmd, "unknown option '%s'", a);
        memcpy(name, a, len);
        name[len] = '\0';
        if (eq && a[1] == '-') val = eq + 1;
#define NEEDS_VALUE()                                                                              \
    do {                                                                                           \
        if (!val) {                                                                                \
            if (i + 1 >= argc) return usage_error(c->cmd, "option '%s' needs a value", name);      \
            val = argv[++i];                                                                       \
        }                                                                                          \
    } while (0)
        if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
            *help = 1;
        } else if (!strcmp(name, "--set") &&
                   takes(c, "run check scenario sweep compare sensitivity calibrate")) {
            NEEDS_VALUE();
            if (add_set(c, NULL, val)) return 2;
        } else if ((!strcmp(name, "-n") || !strcmp(name, "--agents")) &&
                   takes(c, "run sweep compare sensitivity calibrate")) {
            NEEDS_VALUE();
            if (add_set(c, "population.agents", val)) return 2;
        } else if ((!strcmp(name, "-d") || !strcmp(name, "--days")) &&
                   takes(c, "run sweep compare sensitivity calibrate")) {
            NEEDS_VALUE();
            if (add_set(c, "days", val)) return 2;
        } else if ((!strcmp(name, "-s") || !strcmp(name, "--seed")) &&
                   takes(c, "run sweep compare sensitivity calibrate")) {
            NEEDS_VALUE();
            if (add_set(c, "seed", val)) return 2;
        } else if ((!strcmp(name, "-t") || !strcmp(name, "--threads")) &&
                   takes(c, "run sweep compare sensitivity calibrate resume")) {
            NEEDS_VALUE();
            if (parse_int(val, &c->threads))
                return usage_error(
                    c->cmd, "--threads expects a whole number from 0 to 4096, got '%s'", val);
        } else if ((!strcmp(name, "-o") || !strcmp(name, "--out")) &&
                   takes(c, "run sweep compare sensitivity calibrate")) {
            NEEDS_VALUE();
            c->out = val;
        } else if (!strcmp(name, "--memory-limit") && takes(c, "run")) {
            NEEDS_VALUE();
            if (parse_size(val, &c->memory_limit))
                return usage_error(c->cmd, "--memory-limit expects a size such as 8G, got '%s'",
                                   val);
        } else if (!strcmp(name, "--checkpoint-every") && takes(c, "run")) {
            NEEDS_VALUE();
            if (parse_int(val, &c->checkpoint_every) || c->checkpoint_every < 1)
                return usage_error(
                    c->cmd, "--checkpoint-every expects a number of days from 1 to 4096, got '%s'",
                    val);
        } else if (!strcmp(name, "--from") && takes(c, "run")) {
            NEEDS_VALUE();
            c->from = val;
        } else if (!strcmp(name, "--force") &&
                   takes(c, "run sweep compare sensitivity calibrate")) {
            c->force = 1;
        } else if (!strcmp(name, "--snapshot") && takes(c, "run")) {
            c->snapshot = 1;
        } else if (!strcmp(name, "--reference") && takes(c, "run")) {
            c->reference = 1;
        } else if ((!strcmp(name, "-q") || !strcmp(name, "--quiet")) &&
                   takes(c, "run sweep compare sensitivity calibrate resume")) {
            c->quiet = 1;
        } else if (!strcmp(name, "--baseline") && takes(c, "sweep")) {
            NEEDS_VALUE();
            c->baseline = val;
        } else if (!strcmp(name, "--vary") && takes(c, "sweep")) {
            NEEDS_VALUE();
            if (c->n_vary == MAX_SETS) return usage_error(c->cmd, "%s", "too many --vary");
            c->vary[c->n_vary++] = val;
        } else if ((!strcmp(name, "-r") || !strcmp(name, "--replicates")) &&
                   takes(c, "sweep compare sensitivity calibrate")) {
            NEEDS_VALUE();
            if (parse_int(val, &c->replicates) || c->replicates < 1)
                return usage_error(
                    c->cmd, "--replicates expects a whole number from 1 to 4096, got '%s'", val);
        } else if ((!strcmp(name, "-j") || !strcmp(name, "--jobs")) &&
                   takes(c, "sweep compare sensitivity calibrate")) {
            NEEDS_VALUE();
            if (parse_int(val, &c->jobs) || c->jobs < 1)
                return usage_error(c->cmd, "--jobs expects a whole number from 1 to 4096, got '%s'",
                                   val);
        } else if (!strcmp(name, "--fork-day") && takes(c, "compare")) {
            NEEDS_VALUE();
            c->fork_day = val; /* a day or a date: checked with the plan, against A */
        } else if (!strcmp(name, "--keep-runs") &&
                   takes(c, "sweep compare sensitivity calibrate")) {
            c->keep_runs = 1;
        } else if (!strcmp(name, "--param") && takes(c, "sensitivity calibrate")) {
            NEEDS_VALUE();
            if (c->n_params == MAX_SETS) return usage_error(c->cmd, "%s", "too many --param");
            c->params[c->n_params++] = val;
        } else if (!strcmp(name, "--method") && takes(c, "sensitivity")) {
            NEEDS_VALUE();
            c->method = val; /* checked with the design */
        } else if ((!strcmp(name, "--trajectories") || !strcmp(name, "--samples")) &&
                   takes(c, "sensitivity")) {
            NEEDS_VALUE();
            int *n = name[2] == 't' ? &c->trajectories : &c->samples;
            if (parse_int(val, n) || *n < 2)
                return usage_error(
                    c->cmd,
                    name[2] == 't' ? "--trajectories expects a whole number from 2 to 4096, "
                                     "got '%s'"
                                   : "--samples expects a whole number from 2 to 4096, got '%s'",
                    val);
        } else if (!strcmp(name, "--metrics") && takes(c, "sensitivity")) {
            NEEDS_VALUE();
            c->metrics = val; /* checked against the daily table and the scenario */
        } else if (!strcmp(name, "--day") && takes(c, "sensitivity")) {
            NEEDS_VALUE();
            if (parse_int(val, &c->day) || c->day < 1)
                return usage_error(c->cmd, "--day expects a day from 1, got '%s'", val);
        } else if (!strcmp(name, "--skip-nan") && takes(c, "sensitivity")) {
            c->skip_nan = 1;
        } else if (!strcmp(name, "--targets") && takes(c, "calibrate")) {
            NEEDS_VALUE();
            c->targets = val;
        } else if (!strcmp(name, "--budget") && takes(c, "calibrate")) {
            NEEDS_VALUE();
            char *end;
            errno = 0;
            c->budget = strtol(val, &end, 10);
            if (errno || end == val || *end || c->budget < 1)
                return usage_error(c->cmd, "--budget expects a number of runs, 1 or more, got '%s'",
                                   val);
        } else if (!strcmp(name, "--waves") && takes(c, "calibrate")) {
            NEEDS_VALUE();
            if (parse_int(val, &c->waves) || c->waves < 1 || c->waves > 100)
                return usage_error(c->cmd, "--waves expects a whole number from 1 to 100, got '%s'",
                                   val);
        } else if (!strcmp(name, "--accept") && takes(c, "calibrate")) {
            NEEDS_VALUE();
            char *end;
            c->accept = strtod(val, &end);
            if (end == val || *end || !(c->accept > 0 && c->accept <= 1))
                return usage_error(c->cmd,
                                   "--accept expects a share above 0 and at most 1, got '%s'", val);
        } else if (!strcmp(name, "--discrepancy") && takes(c, "calibrate")) {
            NEEDS_VALUE();
            char *end;
            c->discrepancy = strtod(val, &end);
            if (end == val || *end || !(c->discrepancy >= 0 && c->discrepancy < 10))
                return usage_error(
                    c->cmd, "--discrepancy expects a fraction from 0 to 10 (0.1: 10%%), got '%s'",
                    val);
        } else if (!strcmp(name, "--plain") && takes(c, "scenario")) {
            c->plain = 1;
        } else if (!strcmp(name, "--markdown") && takes(c, "scenario metrics")) {
            c->markdown = 1;
        } else {
            return usage_error(c->cmd, "unknown option '%s'", a);
        }
#undef NEEDS_VALUE
    }
    return 0;
}

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
};

/* The tests' way to kill a run at a known day rather than at a random
 * moment: right after that day's results and checkpoint are written. */
static int test_kill_day(void)
{
    const char *v = getenv("SCORESIM_TEST_KILL_AFTER_DAY");
    return v ? (int)strtol(v, NULL, 10) : 0;
}

/* Seconds between progress lines off a terminal: $SCORESIM_PROGRESS_SECONDS
 * (a test sets 0 for a line at every step), else 10. */
static double progress_every(void)
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
                             .every = progress_every(),
                             .kill_day = test_kill_day()};
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
    o->cancel = &interrupted;
}

/* Run a created (st == SS_OK) simulation to its last day, write its report
 * and say where the results are; the exit status. */
static int run_to_end(struct sim *sim, int st, const struct progress *pr, struct ss_error *err)
{
    if (st == SS_OK) st = sim_run(sim, err);
    if (st == SS_OK) st = rep_write(sim_out_dir(sim), err);
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

static int cmd_run(struct cli *c)
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

static int cmd_resume(struct cli *c)
{
    if (!c->file) return usage_error(c->cmd, "%s", "needs the results folder of a run");
    struct progress pr = progress_new(c);
    struct sim_options o = {.threads = c->threads};
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

static int cmd_check(struct cli *c)
{
    if (!c->file) return usage_error(c->cmd, "%s", "needs a scenario file");
    struct scenario *s = NULL;
    int rc = load_scenario(c, &s);
    if (rc) return rc;
    printf("%s: ok\n", c->file);
    scn_free(s);
    return 0;
}

static int cmd_scenario(struct cli *c)
{
    if (c->markdown) return scn_write_docs(stdout) == SS_OK ? 0 : 1;
    struct scenario *s = NULL;
    int rc = load_scenario(c, &s);
    if (rc) return rc;
    rc = scn_print(s, stdout, !c->plain) == SS_OK ? 0 : 1;
    scn_free(s);
    return rc;
}

/* Sweep and compare share everything but the entry point. */
static int run_experiment(struct cli *c, int (*fn)(const struct exp_options *, struct ss_error *))
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
                            .progress_every = tty ? -1.0 : progress_every(),
                            .log = stderr,
                            .info = stdout,
                            .cancel = &interrupted,
                            .params = c->params,
                            .n_params = c->n_params,
                            .method = c->method,
                            .trajectories = c->trajectories,
                            .samples = c->samples,
                            .metrics = c->metrics,
                            .day = c->day,
                            .skip_nan = c->skip_nan};
    struct ss_error err = {0};
    int st = fn(&o, &err);
    if (st != SS_OK) ss_error_print(&err, stderr);
    if (st != SS_OK && st != EXP_ERUNS) return st == SS_EINPUT ? 2 : st == SS_EINTR ? 130 : 1;
    /* The report shows what completed, also when some runs failed. */
    struct ss_error rerr = {0};
    if (rep_write(dir, &rerr) == SS_OK)
        printf("report: %s/report.html\n", dir);
    else
        ss_error_print(&rerr, stderr);
    return st == SS_OK && rerr.code == SS_OK ? 0 : 1;
}

static int cmd_sweep(struct cli *c)
{
    return run_experiment(c, exp_sweep);
}

static int cmd_compare(struct cli *c)
{
    int sets = 0;
    for (int i = 0; i < c->n_sets; i++) sets += c->from_set[i];
    if (!c->file_b && !sets)
        return usage_error(c->cmd, "%s",
                           "needs two scenario files, or one (or none: the seed scenario) and "
                           "--set KEY=VALUE overrides that make B");
    return run_experiment(c, exp_compare);
}

static int cmd_sensitivity(struct cli *c)
{
    return run_experiment(c, exp_sensitivity);
}

static int cmd_calibrate(struct cli *c)
{
    if (!c->targets) return usage_error(c->cmd, "%s", "needs --targets FILE");
    if (!c->n_params) return usage_error(c->cmd, "%s", "needs at least one --param KEY=LO:HI");
    if (!c->budget) return usage_error(c->cmd, "%s", "needs --budget RUNS");
    int tty = isatty(STDERR_FILENO);
    char dir[1100] = "";
    struct exp_options o = {.scoresim = "/proc/self/exe",
                            .out_used = dir,
                            .out_used_size = sizeof dir,
                            .scenario = c->file,
                            .sets = c->sets,
                            .n_sets = c->n_sets,
                            .replicates = c->replicates,
                            .jobs = c->jobs,
                            .threads = c->threads,
                            .out_dir = c->out,
                            .force = c->force,
                            .keep_runs = c->keep_runs,
                            .progress = !c->quiet,
                            .progress_every = tty ? -1.0 : progress_every(),
                            .log = stderr,
                            .info = stdout,
                            .cancel = &interrupted};
    struct exp_calib_options k = {.targets = c->targets,
                                  .params = c->params,
                                  .n_params = c->n_params,
                                  .budget = c->budget,
                                  .waves = c->waves,
                                  .discrepancy = c->discrepancy,
                                  .accept = c->accept};
    struct ss_error err = {0};
    int st = exp_calibrate(&o, &k, &err);
    if (st != SS_OK) ss_error_print(&err, stderr);
    if (st != SS_OK && st != EXP_ERUNS) return st == SS_EINPUT ? 2 : st == SS_EINTR ? 130 : 1;
    struct ss_error rerr = {0};
    if (rep_write(dir, &rerr) == SS_OK)
        printf("report: %s/report.html\n", dir);
    else
        ss_error_print(&rerr, stderr);
    return st == SS_OK && rerr.code == SS_OK ? 0 : 1;
}

static int cmd_report(struct cli *c)
{
    if (!c->file) return usage_error(c->cmd, "%s", "needs a results folder");
    struct ss_error err = {0};
    int st = rep_write(c->file, &err);
    if (st != SS_OK) {
        ss_error_print(&err, stderr);
        return st == SS_EINPUT ? 2 : 1;
    }
    printf("report: %s/report.html\n", c->file);
    return 0;
}

static int cmd_metrics(struct cli *c)
{
    if (!c->markdown) return usage_error(c->cmd, "%s", "needs --markdown");
    return out_write_docs(stdout) == SS_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("scoresim %s\n", SS_VERSION);
        return 0;
    }
    static const struct {
        const char *name, *usage;
        int (*fn)(struct cli *);
    } cmds[] = {{"run", usage_run, cmd_run},
                {"check", usage_check, cmd_check},
                {"scenario", usage_scenario, cmd_scenario},
                {"sweep", usage_sweep, cmd_sweep},
                {"compare", usage_compare, cmd_compare},
                {"sensitivity", usage_sensitivity, cmd_sensitivity},
                {"calibrate", usage_calibrate, cmd_calibrate},
                {"resume", usage_resume, cmd_resume},
                {"report", usage_report, cmd_report},
                {"metrics", usage_metrics, cmd_metrics}};
    for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
        if (strcmp(argv[1], cmds[k].name)) continue;
        struct cli c = {.cmd = cmds[k].name, .discrepancy = -1};
        int help = 0;
        int rc = parse_args(&c, argc, argv, &help);
        if (rc == 0 && help) {
            fputs(cmds[k].usage, stdout);
        } else if (rc == 0) {
            signal(SIGINT, on_signal);
            signal(SIGTERM, on_signal);
            rc = cmds[k].fn(&c);
        }
        for (int i = 0; i < c.n_sets; i++) free(c.owned[i]);
        return rc;
    }
    fprintf(stderr,
            "scoresim: unknown command '%s' (commands: run, check, scenario, metrics; "
            "see 'scoresim --help')\n",
            argv[1]);
    return 2;
}
