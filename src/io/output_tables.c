/*
 * output_tables.c - what each table of results.sqlite holds: the column
 * tables of the run, groups, layers, schedule, agents and agent_degree tables (the
 * daily tables' are engine/metrics_schema.c's), and docs/metrics.md, which
 * is written from all of them.
 */
#include <stddef.h>

#include "io/output.h"
#include "io/output_internal.h"
#include "io/ratios.h"

#define OCOL(s, f, t, d)                                                                           \
    {                                                                                              \
#f, t, offsetof(struct s, f), 0, d                                                         \
    }

static const struct met_column out_run_cols[] = {
    OCOL(out_run, name, MET_TEXT, "scenario name"),
    OCOL(out_run, scenario, MET_TEXT, "the effective scenario as YAML, overrides applied"),
    OCOL(out_run, seed, MET_INT,
         "random seed (seeds of 2^63 and above read as negative: SQLite integers are signed)"),
    OCOL(out_run, days, MET_INT, "days simulated"),
    OCOL(out_run, agents, MET_INT, "agents in the population"),
    OCOL(out_run, threads, MET_INT, "OpenMP threads used"),
    OCOL(out_run, version, MET_TEXT, "scoresim version"),
    OCOL(out_run, started, MET_TEXT, "wall-clock start, ISO 8601 UTC"),
    OCOL(out_run, finished, MET_TEXT, "wall-clock end of the day loop, ISO 8601 UTC"),
    OCOL(out_run, build_seconds, MET_REAL, "seconds building the population and network"),
    OCOL(out_run, run_seconds, MET_REAL, "seconds in the day loop, measurement and output"),
    OCOL(out_run, wall_seconds, MET_REAL, "build_seconds + run_seconds"),
    OCOL(out_run, peak_memory_bytes, MET_INT, "peak resident memory of the process, bytes"),
    OCOL(out_run, alloc_peak_bytes, MET_INT, "peak bytes held by the simulation's allocations"),
    OCOL(out_run, estimate_bytes, MET_INT, "memory estimated before the run, bytes"),
    OCOL(out_run, host_cores, MET_INT, "processors available on the machine"),
    OCOL(out_run, fork_day, MET_INT,
         "a counterfactual fork (run --from): the day it branched at, its rows through that day "
         "copied from the base run; NULL for a plain run"),
    OCOL(out_run, fork_from, MET_TEXT, "a fork: the checkpoint it branched from; NULL otherwise"),
};

const struct met_column out_group_columns[] = {
    OCOL(out_group, group, MET_INT, "group index, as in the daily tables"),
    OCOL(out_group, name, MET_TEXT, "group name, as in the scenario"),
    OCOL(out_group, share, MET_REAL, "share of the population the scenario asked for"),
    OCOL(out_group, agents, MET_INT, "agents in the group"),
};
const size_t out_n_group_columns = N_OF(out_group_columns);

const struct met_column out_layer_columns[] = {
    OCOL(out_layer, layer, MET_INT, "layer index, as in daily_layer"),
    OCOL(out_layer, name, MET_TEXT, "layer name, as in the scenario"),
    OCOL(out_layer, generator, MET_TEXT,
         "household, watts_strogatz, barabasi_albert, erdos_renyi, complete or edge_list"),
    OCOL(out_layer, contact, MET_REAL, "daily probability that a tie is active"),
    OCOL(out_layer, ties, MET_INT, "undirected ties as built (before any is cut)"),
    OCOL(out_layer, mean_degree, MET_REAL, "2 x ties / agents"),
};
const size_t out_n_layer_columns = N_OF(out_layer_columns);

const struct met_column out_schedule_columns[] = {
    OCOL(out_change, day, MET_INT, "the day the change starts: from that day on it is in force"),
    {"date", MET_DATE, offsetof(struct out_change, date), 1,
     "the date of `day`, YYYY-MM-DD; NULL without a start_date"},
    OCOL(out_change, day_to, MET_INT,
         "a ramp: the day it reaches value_to (it may lie past the last day of a run shortened "
         "by --days); NULL for a set"),
    {"date_to", MET_DATE, offsetof(struct out_change, date_to), 1,
     "the date of `day_to`; NULL for a set or without a start_date"},
    OCOL(out_change, key, MET_TEXT, "the key it changes, dotted as in a scenario file"),
    OCOL(out_change, kind, MET_TEXT,
         "'set' (the value from `day` on) or 'ramp' (linear from value on `day` to value_to on "
         "`day_to`)"),
    OCOL(out_change, value_before, MET_TEXT,
         "the value in force on the day before: the scenario's own, or an earlier change's"),
    OCOL(out_change, value, MET_TEXT,
         "the value set, or the ramp's value on `day`; as a scenario file writes it (a number, "
         "true or false, a choice's name): CAST(value AS REAL) for a number"),
    OCOL(out_change, value_to, MET_TEXT, "a ramp: its value on `day_to`; NULL for a set"),
};
const size_t out_n_schedule_columns = N_OF(out_schedule_columns);

static const struct met_column out_agent_cols[] = {
    OCOL(out_agent, id, MET_INT, "agent id"),
    OCOL(out_agent, group, MET_INT, "group index"),
    OCOL(out_agent, household, MET_INT, "household id"),
    OCOL(out_agent, child, MET_INT, "1 if under 18, else 0"),
    OCOL(out_agent, online, MET_INT, "1 if an adult who uses social media, else 0"),
    OCOL(out_agent, attitude, MET_REAL, "attitude at the end of the run"),
    OCOL(out_agent, reliability, MET_REAL, "probability of paying on time"),
    OCOL(out_agent, threshold, MET_REAL, "protest threshold"),
    OCOL(out_agent, degree, MET_INT, "live tie ends at the end of the run, all layers"),
    OCOL(out_agent, fear, MET_REAL, "fear at the end of the run"),
    OCOL(out_agent, score, MET_REAL, "reported score at the end of the run (group cap applied)"),
    OCOL(out_agent, financial, MET_REAL, "financial domain score at the end of the run"),
    OCOL(out_agent, judicial, MET_REAL, "judicial domain score at the end of the run"),
    OCOL(out_agent, social, MET_REAL, "social domain score at the end of the run"),
    OCOL(out_agent, listed, MET_INT, "1 if on the public list at the end of the run, else 0"),
    OCOL(out_agent, interned, MET_INT, "1 if interned at the end of the run, else 0"),
    OCOL(out_agent, ever_sanctioned, MET_INT, "1 if sanctioned at least once, else 0"),
    OCOL(out_agent, genuine, MET_INT,
         "1 if ever scored for a negative act it really did, else 0 (its sanctions, if any, "
         "were all wrongful)"),
};

static const struct met_column out_agent_degree_cols[] = {
    OCOL(out_agent_degree, id, MET_INT, "agent id"),
    OCOL(out_agent_degree, layer, MET_INT, "layer index"),
    OCOL(out_agent_degree, degree, MET_INT, "live tie ends in this layer at the end of the run"),
};

/* A function, not a static array: met_n_daily_columns is not a constant
 * expression. */
struct out_table out_table_get(int id)
{
    switch (id) {
    case T_RUN:
        return (struct out_table){"run",
                                  out_run_cols,
                                  N_OF(out_run_cols),
                                  NULL,
                                  0,
                                  "One row: what was run, on what, and how long it took."};
    case T_GROUPS:
        return (struct out_table){"groups",
                                  out_group_columns,
                                  N_OF(out_group_columns),
                                  "\"group\"",
                                  0,
                                  "One row per population group. Key: `group`."};
    case T_LAYERS:
        return (struct out_table){"layers",
                                  out_layer_columns,
                                  N_OF(out_layer_columns),
                                  "\"layer\"",
                                  0,
                                  "One row per network layer. Key: `layer`."};
    case T_SCHEDULE:
        return (struct out_table){"schedule",
                                  out_schedule_columns,
                                  N_OF(out_schedule_columns),
                                  "\"day\", \"key\"",
                                  1,
                                  "One row per change of the scenario's `schedule` "
                                  "(docs/scenario.md) that the run applies, in day order; none "
                                  "without a schedule. A run shortened by `--days` leaves out the "
                                  "changes after its last day (they never happen). A fork (`run "
                                  "--from`) lists its own scenario's changes; its days through "
                                  "`fork_day` (run table) are the base run's, made under the "
                                  "base's schedule. Key: (`day`, `key`)."};
    case T_DAILY:
        return (struct out_table){
            "daily",
            met_daily_columns,
            met_n_daily_columns,
            "\"day\", \"group\"",
            1,
            "One row per day and group (docs/model.md section 7). Key: (`day`, `group`)."};
    case T_DAILY_LAYER:
        return (struct out_table){"daily_layer",
                                  met_layer_columns,
                                  met_n_layer_columns,
                                  "\"day\", \"group\", \"layer\"",
                                  1,
                                  "One row per day, group and network layer. Key: (`day`, "
                                  "`group`, `layer`)."};
    case T_AGENTS:
        return (struct out_table){"agents",
                                  out_agent_cols,
                                  N_OF(out_agent_cols),
                                  "\"id\"",
                                  0,
                                  "With `--snapshot` only: one row per agent at the end of the "
                                  "run. Key: `id`."};
    default:
        return (struct out_table){"agent_degree",
                                  out_agent_degree_cols,
                                  N_OF(out_agent_degree_cols),
                                  "\"id\", \"layer\"",
                                  1,
                                  "With `--snapshot` only: one row per agent and layer. Key: "
                                  "(`id`, `layer`)."};
    }
}

const char *out_generator_name(int generator)
{
    switch (generator) {
    case GEN_HOUSEHOLD:
        return "household";
    case GEN_WATTS_STROGATZ:
        return "watts_strogatz";
    case GEN_BARABASI_ALBERT:
        return "barabasi_albert";
    case GEN_ERDOS_RENYI:
        return "erdos_renyi";
    case GEN_COMPLETE:
        return "complete";
    case GEN_EDGE_LIST:
        return "edge_list";
    default:
        return "unknown";
    }
}

static int out_table_docs(FILE *f, const char *table, const char *intro,
                          const struct met_column *cols, size_t n)
{
    fprintf(f, "\n## %s\n\n%s\n\n| column | type | meaning |\n|---|---|---|\n", table, intro);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "| `%s` | %s | %s |\n", cols[i].name, met_sql_type(cols[i].type), cols[i].doc);
    return ferror(f) ? SS_EIO : SS_OK;
}

int out_write_docs(FILE *f)
{
    fputs("# Output reference\n"
          "\n"
          "<!-- Generated by `scoresim metrics --markdown` from the column tables in\n"
          "     src/engine/metrics.c and src/io/output.c; do not edit by hand. -->\n"
          "\n"
          "A run writes into its results folder `results.sqlite` (the tables below) and,\n"
          "beside it, the CSV of each table: `daily.csv`, `daily_layer.csv`, `ratios.csv`,\n"
          "`run.csv`, `groups.csv`, `layers.csv`, `schedule.csv` (and `agents.csv`,\n"
          "`agent_degree.csv` with `--snapshot`). A CSV has the table's columns in a\n"
          "header line, then its rows in the table's key order; an empty field is NULL,\n"
          "reals have 17 significant digits, and a field is quoted only when it holds a\n"
          "comma, a quote or a line break (the scenario text of `run.csv` does). The\n"
          "folder is written whole beside its final name (`.NAME.partial/`) and\n"
          "published by one rename when the run completes, so a folder with the final\n"
          "name is always one run's, complete; its hidden `.scoresim` manifest, written\n"
          "last, lists every file with its size. A run never writes into a folder that\n"
          "holds results unless `--force` is given (then the new folder replaces the\n"
          "old one in one step, once the run completes), and never into one that holds\n"
          "files scoresim did not write.\n"
          "\n",
          f);
    fputs("**`group` is an SQL keyword**: quote it, as in `where \"group\" = -1` (in a\n"
          "shell, inside single quotes: `sqlite3 results.sqlite 'select * from daily where\n"
          "\"group\" = -1'`). Unquoted, `where group = -1` is a syntax error.\n"
          "\n"
          "The daily tables hold one row per day and group: group -1, named 'all', is\n"
          "every agent; day 0 is the initial state, before the first simulated day.\n"
          "NULL means not measured that day (or a mean over no agents). Counts of tie\n"
          "ends count a tie once at each end, so a tie between two members of a group\n"
          "counts twice for that group. Counts said to be of today (actions, scored\n"
          "events, sanctions) cover that day alone; the `_cum` columns add them up\n"
          "from day 1.\n"
          "\n"
          "**Score percentiles** are read from histograms of the reported score with\n"
          "bins of 0.1 point over [scoring.min, scoring.max] (the last bin holds\n"
          "scoring.max itself; a range wider than 13,107.1 points is cut into 131,072\n"
          "equal bins instead). The p-th percentile of n agents is the lower edge of the\n"
          "first bin where the cumulative count reaches ceil(p x n / 100): the score of\n"
          "the agent of that rank, rounded down to its bin (the median of 599.75 and\n"
          "1020 is 599.7). The counts are integers, so the figures do not depend on the\n"
          "number of threads.\n"
          "\n"
          "**Disparate impact** (docs/model.md section 7) divides each group's rate by the\n"
          "reference group's: the group with the largest share in `population.groups`\n"
          "(of equal shares, the first listed), the seed's majority. A ratio under 0.8\n"
          "or over 1.25 is the usual flag. Under 1 the group is listed (or sanctioned)\n"
          "less than the reference, over 1 more.\n"
          "\n"
          "A ratio of rates is only as good as the counts under it: a group of 800\n"
          "agents with 2 listed has a ratio that halves or doubles with one agent. So\n"
          "the `ratios` table gives every ratio with its counts and an interval fit for\n"
          "a ratio. For a point of a sweep or a compare, the counts are pooled over its\n"
          "runs (the ratio of the summed rates, each run weighed by its agents, not the\n"
          "mean of the runs' ratios) and the 95% interval is Katz's, on the log scale:\n"
          "ratio x exp(-/+ 1.96 sqrt(v)), v = phi1 (1/a - 1/n1) + phi0 (1/c - 1/n0), for\n"
          "a of n1 agents of the group and c of n0 of the reference. Katz's variance\n"
          "counts each agent as an independent draw; listings spread along ties, so the\n"
          "runs of a point can disagree more than that, and each group's term is\n"
          "multiplied by its dispersion phi (Pearson's chi^2 of its runs' counts over\n"
          "runs - 1, at least 1: the quasi-binomial correction). The interval is then\n"
          "never below zero and widens when the seeds disagree. A count of 0 gives a\n"
          "ratio of 0, an interval from 0 and a high end computed with 0.5 agents. With\n"
          "fewer than 10 agents counted in the group or the reference, `low_count` is 1\n"
          "and the report warns: an interval on a handful of agents is not to be leaned\n"
          "on. A single run's `ratios` are the same with one run (phi = 1): they say how\n"
          "far sampling the agents alone could move the ratio, not how far another seed\n"
          "would (for that, a sweep of seeds). The `di_listed` and `di_sanctioned`\n"
          "columns of `daily` are each run's own ratio, as before.\n",
          f);
    int ids[] = {T_DAILY,  T_DAILY_LAYER, T_RUN,    T_GROUPS,
                 T_LAYERS, T_SCHEDULE,    T_AGENTS, T_AGENT_DEGREE};
    int rc = SS_OK;
    for (size_t i = 0; i < N_OF(ids) && rc == SS_OK; i++) {
        struct out_table t = out_table_get(ids[i]);
        rc = out_table_docs(f, t.name, t.doc, t.cols, t.n);
        if (rc == SS_OK && ids[i] == T_DAILY_LAYER)
            rc = out_table_docs(f, "ratios",
                                "Disparate impact with its counts and interval (see Disparate "
                                "impact): one row per point, group but the reference, metric and "
                                "day. Key: (`point`, `group`, `metric`, `day`). A sweep's and a "
                                "compare's `results.sqlite` have it too, pooled per point.",
                                ratio_columns, ratio_n_columns);
    }
    return rc;
}
