/*
 * cli_args.c - the option parser: argv into struct cli, numbers and sizes
 * read strictly (a bad value is exit 2 with the option named), shorthands
 * (--agents ...) turned into the same overrides as --set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_internal.h"
#include "scoresim.h"

int cli_usage_error(const char *cmd, const char *fmt, const char *arg)
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
    if (c->n_sets == MAX_SETS) return cli_usage_error(c->cmd, "%s", "too many overrides");
    if (!key) {
        c->from_set[c->n_sets] = 1;
        c->sets[c->n_sets++] = value;
        return 0;
    }
    size_t n = strlen(key) + strlen(value) + 2;
    char *s = malloc(n);
    if (!s) return cli_usage_error(c->cmd, "%s", "out of memory");
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

int cli_parse_args(struct cli *c, int argc, char **argv, int *help)
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
                return cli_usage_error(c->cmd, "unexpected argument '%s'", a);
            continue;
        }
        /* --name=value or --name value */
        const char *eq = strchr(a, '=');
        size_t len = eq && a[1] == '-' ? (size_t)(eq - a) : strlen(a);
        if (len >= sizeof name) return cli_usage_error(c->cmd, "unknown option '%s'", a);
        memcpy(name, a, len);
        name[len] = '\0';
        if (eq && a[1] == '-') val = eq + 1;
#define NEEDS_VALUE()                                                                              \
    do {                                                                                           \
        if (!val) {                                                                                \
            if (i + 1 >= argc) return cli_usage_error(c->cmd, "option '%s' needs a value", name);  \
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
                return cli_usage_error(
                    c->cmd, "--threads expects a whole number from 0 to 4096, got '%s'", val);
        } else if ((!strcmp(name, "-o") || !strcmp(name, "--out")) &&
                   takes(c, "run sweep compare sensitivity calibrate")) {
            NEEDS_VALUE();
            c->out = val;
        } else if (!strcmp(name, "--memory-limit") && takes(c, "run")) {
            NEEDS_VALUE();
            if (parse_size(val, &c->memory_limit))
                return cli_usage_error(c->cmd, "--memory-limit expects a size such as 8G, got '%s'",
                                       val);
        } else if (!strcmp(name, "--checkpoint-every") && takes(c, "run")) {
            NEEDS_VALUE();
            if (parse_int(val, &c->checkpoint_every) || c->checkpoint_every < 1)
                return cli_usage_error(
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
            if (c->n_vary == MAX_SETS) return cli_usage_error(c->cmd, "%s", "too many --vary");
            c->vary[c->n_vary++] = val;
        } else if ((!strcmp(name, "-r") || !strcmp(name, "--replicates")) &&
                   takes(c, "sweep compare sensitivity calibrate")) {
            NEEDS_VALUE();
            if (parse_int(val, &c->replicates) || c->replicates < 1)
                return cli_usage_error(
                    c->cmd, "--replicates expects a whole number from 1 to 4096, got '%s'", val);
        } else if ((!strcmp(name, "-j") || !strcmp(name, "--jobs")) &&
                   takes(c, "sweep compare sensitivity calibrate")) {
            NEEDS_VALUE();
            if (parse_int(val, &c->jobs) || c->jobs < 1)
                return cli_usage_error(
                    c->cmd, "--jobs expects a whole number from 1 to 4096, got '%s'", val);
        } else if (!strcmp(name, "--fork-day") && takes(c, "compare")) {
            NEEDS_VALUE();
            c->fork_day = val; /* a day or a date: checked with the plan, against A */
        } else if (!strcmp(name, "--keep-runs") &&
                   takes(c, "sweep compare sensitivity calibrate")) {
            c->keep_runs = 1;
        } else if (!strcmp(name, "--param") && takes(c, "sensitivity calibrate")) {
            NEEDS_VALUE();
            if (c->n_params == MAX_SETS) return cli_usage_error(c->cmd, "%s", "too many --param");
            c->params[c->n_params++] = val;
        } else if (!strcmp(name, "--method") && takes(c, "sensitivity")) {
            NEEDS_VALUE();
            c->method = val; /* checked with the design */
        } else if ((!strcmp(name, "--trajectories") || !strcmp(name, "--samples")) &&
                   takes(c, "sensitivity")) {
            NEEDS_VALUE();
            int *n = name[2] == 't' ? &c->trajectories : &c->samples;
            if (parse_int(val, n) || *n < 2)
                return cli_usage_error(
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
                return cli_usage_error(c->cmd, "--day expects a day from 1, got '%s'", val);
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
                return cli_usage_error(
                    c->cmd, "--budget expects a number of runs, 1 or more, got '%s'", val);
        } else if (!strcmp(name, "--waves") && takes(c, "calibrate")) {
            NEEDS_VALUE();
            if (parse_int(val, &c->waves) || c->waves < 1 || c->waves > 100)
                return cli_usage_error(
                    c->cmd, "--waves expects a whole number from 1 to 100, got '%s'", val);
        } else if (!strcmp(name, "--accept") && takes(c, "calibrate")) {
            NEEDS_VALUE();
            char *end;
            c->accept = strtod(val, &end);
            if (end == val || *end || !(c->accept > 0 && c->accept <= 1))
                return cli_usage_error(
                    c->cmd, "--accept expects a share above 0 and at most 1, got '%s'", val);
        } else if (!strcmp(name, "--discrepancy") && takes(c, "calibrate")) {
            NEEDS_VALUE();
            char *end;
            c->discrepancy = strtod(val, &end);
            if (end == val || *end || !(c->discrepancy >= 0 && c->discrepancy < 10))
                return cli_usage_error(
                    c->cmd, "--discrepancy expects a fraction from 0 to 10 (0.1: 10%%), got '%s'",
                    val);
        } else if (!strcmp(name, "--plain") && takes(c, "scenario")) {
            c->plain = 1;
        } else if (!strcmp(name, "--markdown") && takes(c, "scenario metrics")) {
            c->markdown = 1;
        } else {
            return cli_usage_error(c->cmd, "unknown option '%s'", a);
        }
#undef NEEDS_VALUE
    }
    return 0;
}
