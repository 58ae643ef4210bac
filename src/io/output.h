/*
 * output.h - results on disk: results.sqlite (run, daily, daily_layer,
 * groups, layers, schedule and, with a snapshot, agents and agent_degree tables) and
 * beside it the CSV of each table (daily.csv, ...).
 *
 * The output knows rows, not the simulation: the driver (run/sim.c) hands
 * it the static rows when it opens, each day's measured rows, the agents'
 * rows of a snapshot, and a description of the run when it closes.
 *
 * Files are written under temporary names in the results folder and
 * renamed only when complete, so an interrupted run never leaves a file
 * that looks finished. Rows are streamed day by day inside one
 * transaction; nothing is held in memory beyond a day.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "engine/metrics.h"
#include "scenario/params.h"
#include "scoresim.h"

/* The run table's one row: what was run, on what, and how long it took. */
struct out_run {
    const char *name;          /* scenario name */
    const char *scenario;      /* effective scenario as YAML */
    int64_t seed;              /* random seed */
    int64_t days;              /* days simulated */
    int64_t agents;            /* population size */
    int64_t threads;           /* OpenMP threads */
    const char *version;       /* SS_VERSION */
    const char *started;       /* ISO 8601 UTC, or NULL */
    const char *finished;      /* ISO 8601 UTC, or NULL */
    double build_seconds;      /* population and network build */
    double run_seconds;        /* day loop, measurement and output */
    double wall_seconds;       /* build + run */
    int64_t peak_memory_bytes; /* peak resident memory of the process */
    int64_t alloc_peak_bytes;  /* peak bytes held through the allocation hook */
    int64_t estimate_bytes;    /* the estimate made before building */
    int64_t host_cores;        /* processors the machine offers */
    int64_t fork_day;          /* a fork: the day it branched at; INT64_MIN (NULL) if none */
    const char *fork_from;     /* a fork: the checkpoint it branched from, or NULL */
};

/* A row of the groups table. */
struct out_group {
    int64_t group;    /* index */
    const char *name; /* as in the scenario */
    double share;     /* share asked for */
    int64_t agents;   /* agents it got */
};

/* A row of the layers table. */
struct out_layer {
    int64_t layer;         /* index */
    const char *name;      /* as in the scenario */
    const char *generator; /* generator name */
    double contact;        /* daily probability a tie is active */
    int64_t ties;          /* undirected ties as built */
    double mean_degree;    /* 2 x ties / agents */
};

/* The groups and layers tables' columns, in order: an experiment's tables
 * of the same names are a `run` column, then these (each run's rows). */
extern const struct met_column out_group_columns[];
extern const size_t out_n_group_columns;
extern const struct met_column out_layer_columns[];
extern const size_t out_n_layer_columns;

/* A row of the schedule table: one change of the scenario's schedule, as
 * the run applies it. Values are text, as the scenario file writes them
 * (a number, true or false, a choice's name). */
struct out_change {
    int64_t day;              /* the day it starts */
    int32_t date;             /* the date of `day`, or PARAMS_NO_DATE (NULL) */
    int64_t day_to;           /* a ramp: the day it ends; INT64_MIN (NULL) for a set */
    int32_t date_to;          /* the date of day_to, or PARAMS_NO_DATE (NULL) */
    const char *key;          /* the key, dotted */
    const char *kind;         /* "set" or "ramp" */
    const char *value_before; /* the value in force the day before */
    const char *value;        /* the value set, or the ramp's value on `day` */
    const char *value_to;     /* a ramp: its value on day_to; NULL for a set */
};

/* The schedule table's columns, in order: an experiment's schedule table
 * is a `point` column, then these. */
extern const struct met_column out_schedule_columns[];
extern const size_t out_n_schedule_columns;

/* A row of the agents table (a snapshot). */
struct out_agent {
    int64_t id;              /* agent id */
    int64_t group;           /* group index */
    int64_t household;       /* household id */
    int64_t child;           /* 1 if under 18 */
    int64_t online;          /* 1 if an adult on social media */
    double attitude;         /* at the end of the run */
    double reliability;      /* probability of paying on time */
    double threshold;        /* protest threshold */
    int64_t degree;          /* live tie ends, all layers, at the end */
    double fear;             /* at the end */
    double score;            /* reported score at the end (cap applied) */
    double financial;        /* financial domain score at the end */
    double judicial;         /* judicial domain score at the end */
    double social;           /* social domain score at the end */
    int64_t listed;          /* 1 if on the list at the end */
    int64_t interned;        /* 1 if interned at the end */
    int64_t ever_sanctioned; /* 1 if ever sanctioned */
    int64_t genuine;         /* 1 if ever scored for a negative act it really did */
};

struct output {
    void *db;                              /* sqlite3 handle (void: sqlite3.h stays private) */
    void *ins_daily;                       /* prepared insert for daily */
    void *ins_layer;                       /* prepared insert for daily_layer */
    void *ins_agent;                       /* prepared insert for agents (snapshot) */
    void *ins_degree;                      /* prepared insert for agent_degree (snapshot) */
    uint32_t n_groups;                     /* groups named in group_name */
    uint32_t n_layers;                     /* layers named in layer_name */
    char group_name[MAX_GROUPS][MAX_NAME]; /* for the group_name columns */
    char layer_name[MAX_LAYERS][MAX_NAME]; /* for the layer_name columns */
    char dir[MAX_PATH];                    /* results folder */
    int durable;                           /* checkpoints commit it (fixed partial names) */
    char db_tmp[MAX_PATH + 64];            /* results.sqlite's temporary name */
};

/* Create the folder (and parents), open the temporary files, write the
 * schema and the static tables (groups, layers: their names also name the
 * daily rows; schedule: n_changes rows, in day order); with snapshot, the
 * agents tables too. A durable output
 * (a run with checkpoints) has fixed partial names and a journal, and
 * commits at each out_checkpoint, so a run killed at any moment can go on
 * from its last checkpoint (out_resume). On failure (SS_EIO naming the
 * path and the cause) nothing is left open and no file is left behind but
 * folders. */
int out_open(struct output *o, const char *dir, const struct out_group *groups, uint32_t n_groups,
             const struct out_layer *layers, uint32_t n_layers, const struct out_change *changes,
             uint32_t n_changes, int snapshot, int durable, struct ss_error *err);
/* Commit what a durable output holds (the days so far): a checkpoint
 * follows. */
int out_checkpoint(struct output *o, struct ss_error *err);
/* Reopen the partial results of a durable output in dir, as they were at
 * the checkpoint of `day` (rows of later days dropped), to go on writing;
 * *snapshot says whether the run writes the agents tables. Partial results
 * begun before the schedule table existed gain it, with changes. SS_EINPUT
 * if dir holds no partial results. */
int out_resume(struct output *o, const char *dir, const struct out_group *groups, uint32_t n_groups,
               const struct out_layer *layers, uint32_t n_layers, const struct out_change *changes,
               uint32_t n_changes, int day, int *snapshot, struct ss_error *err);
/* Start the output of a fork with its base run's days through `day`: the
 * rows of db's daily tables. Right after out_open. SS_EINPUT if db is
 * gone. */
int out_copy_days(struct output *o, const char *db, int day, struct ss_error *err);
/* Close without finishing or deleting: an interrupted durable output
 * stays, to be resumed. */
void out_suspend(struct output *o);
/* Append one day's measured rows. On failure call out_abort. */
int out_day(struct output *o, const struct met_row *rows, uint32_t n_rows,
            const struct met_layer_row *layer_rows, uint32_t n_layer_rows, struct ss_error *err);
/* Append one agent of a snapshot, with its live degree in each layer
 * (degree[0 .. n_layers)). Only after out_open with snapshot. */
int out_agent(struct output *o, const struct out_agent *row, const int64_t *degree,
              struct ss_error *err);
/* Write the run table, commit, write each table's CSV, close and rename
 * into place (results.sqlite last). On failure the temporary files are
 * deleted. */
int out_close(struct output *o, const struct out_run *run, struct ss_error *err);
/* Close and delete the temporary files; accepts a never-opened output. */
void out_abort(struct output *o);
/* The name of an enum generator, as the layers table and the scenario say
 * it ("watts_strogatz"). */
const char *out_generator_name(int generator);

#endif
