/*
 * output_internal.h - what the two files of the output share: the table
 * descriptions (output_tables.c) that the writer (output.c) builds its
 * schema, inserts and CSV from.
 */
#ifndef OUTPUT_INTERNAL_H
#define OUTPUT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "engine/metrics.h"

/* A row of the agent_degree table (--snapshot). */
struct out_agent_degree {
    int64_t id;     /* agent id */
    int64_t layer;  /* layer index */
    int64_t degree; /* live tie ends in that layer, at the end */
};

/* A table of results.sqlite. */
struct out_table {
    const char *name;              /* SQL name */
    const struct met_column *cols; /* columns in order */
    size_t n;                      /* columns */
    const char *key;               /* PRIMARY KEY column list (quoted), or NULL */
    int without_rowid;             /* store as WITHOUT ROWID (composite keys) */
    const char *doc;               /* intro line for the docs */
};

enum out_table_id {
    T_RUN,
    T_GROUPS,
    T_LAYERS,
    T_SCHEDULE,
    T_DAILY,
    T_DAILY_LAYER,
    T_AGENTS,
    T_AGENT_DEGREE
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The description of table id (enum out_table_id). */
struct out_table out_table_get(int id);

#endif
