/*
 * main.c - the scoresim command line. A thin layer over the public header:
 * it parses arguments, turns shorthands (--agents ...) into the same
 * scenario overrides as --set, draws the progress bar, and maps statuses to
 * exit codes (0 done, 1 failed, 2 bad input, 130 interrupted).
 *
 * This file holds the table of commands and the signal handler; the help
 * texts are in cli_usage.c, the parser in cli_args.c, the commands in
 * cli_run.c and cli_experiment.c (cli_internal.h is what they share; like
 * them it includes the public header only).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_internal.h"
#include "scoresim.h"

/* Seconds a command has, after SIGINT or SIGTERM, to stop at one of its
 * own checks (between days, between runs) before it is ended here. */
#define CLI_GRACE_SECONDS 3

/* The one process-wide flag: a signal handler can reach nothing else. */
static volatile sig_atomic_t interrupted;

static void stop_now(void)
{
    static const char msg[] = "scoresim: interrupted\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(130);
}

static void on_alarm(int sig)
{
    (void)sig;
    stop_now();
}

/* The first signal asks the command to stop at its next check, where it
 * says what it kept; a command that is not near one (reading a scenario,
 * building a population, writing results) is ended after the grace
 * period, and a second signal ends it at once. Ending it here loses
 * nothing and leaves nothing that looks finished: results are published
 * only by the rename that ends a command (io/stage.h), and a run with
 * checkpoints goes on from its last one. */
static void on_signal(int sig)
{
    (void)sig;
    if (interrupted) stop_now();
    interrupted = 1;
    alarm(CLI_GRACE_SECONDS);
}

static void catch_signals(void)
{
    struct sigaction sa = {0};
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        fputs(cli_usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("scoresim %s\n", SS_VERSION);
        return 0;
    }
    static const struct {
        const char *name, *usage;
        int (*fn)(struct cli *);
    } cmds[] = {{"run", cli_usage_run, cli_cmd_run},
                {"check", cli_usage_check, cli_cmd_check},
                {"scenario", cli_usage_scenario, cli_cmd_scenario},
                {"sweep", cli_usage_sweep, cli_cmd_sweep},
                {"compare", cli_usage_compare, cli_cmd_compare},
                {"sensitivity", cli_usage_sensitivity, cli_cmd_sensitivity},
                {"calibrate", cli_usage_calibrate, cli_cmd_calibrate},
                {"resume", cli_usage_resume, cli_cmd_resume},
                {"report", cli_usage_report, cli_cmd_report},
                {"metrics", cli_usage_metrics, cli_cmd_metrics}};
    for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
        if (strcmp(argv[1], cmds[k].name)) continue;
        struct cli c = {.cmd = cmds[k].name, .discrepancy = -1, .cancel = &interrupted};
        int help = 0;
        int rc = cli_parse_args(&c, argc, argv, &help);
        if (rc == 0 && help) {
            fputs(cmds[k].usage, stdout);
        } else if (rc == 0) {
            catch_signals();
            rc = cmds[k].fn(&c);
        }
        cli_alloc_report(cmds[k].name, rc);
        for (int i = 0; i < c.n_sets; i++) free(c.owned[i]);
        return rc;
    }
    fprintf(stderr,
            "scoresim: unknown command '%s' (commands: run, check, scenario, metrics; "
            "see 'scoresim --help')\n",
            argv[1]);
    return 2;
}
