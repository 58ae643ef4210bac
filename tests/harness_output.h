/*
 * harness_output.h - the fixture of the output's tests (test_output.c:
 * what the files hold; test_output_files.c: the results folder's life),
 * prefix th_out_: the rows of a 10-agent world of two groups (0-5 and
 * 6-9, the second named with a comma and quotes, to be quoted in the CSV)
 * and two layers, as the measurement would have measured it over three
 * days, and the steps that write them. Linked into every test with the
 * rest of the harness; only those two use it.
 */
#ifndef TEST_HARNESS_OUTPUT_H
#define TEST_HARNESS_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "engine/metrics.h"
#include "io/output.h"

#define N_DAYS   3
#define N_ROWS   3 /* groups 0 and 1, then all agents */
#define N_LAYERS 2

struct fixture {
    char dir[256];                                         /* mkdtemp folder */
    struct output out;                                     /* the output under test */
    int snapshot;                                          /* write the agents tables */
    struct out_group groups[2];                            /* the groups table */
    struct out_layer layers[N_LAYERS];                     /* the layers table */
    struct out_change changes[2];                          /* the schedule table */
    struct out_run run;                                    /* the run table */
    struct met_row rows[N_DAYS][N_ROWS];                   /* each day's daily rows */
    struct met_layer_row lrows[N_DAYS][N_ROWS * N_LAYERS]; /* and daily_layer rows */
    struct out_agent agents[10];                           /* the snapshot */
    int64_t degree[10][N_LAYERS]; /* ... and each agent's degree per layer */
};

/* Column col of a row struct as the files must hold it. */
struct th_out_given {
    int kind;         /* MET_INT, MET_REAL or MET_TEXT (a group or layer name) */
    int64_t i;        /* MET_INT */
    double x;         /* MET_REAL; NaN for NULL */
    const char *text; /* MET_TEXT */
};

/* cmocka setup and teardown: a fixture with its rows and a fresh
 * temporary folder (removed by the teardown). */
int th_out_setup(void **state);
int th_out_teardown(void **state);
/* The files of a finished run, as th_list_dir lists them. */
const char *th_out_finished_files(int snapshot);
/* Only the database's temporary name, with our pid; with previous, the
 * finished files of an earlier run, untouched until the rename. */
void th_out_assert_only_temp_files(const char *dir, int previous, int snapshot);
/* out_open of the fixture's tables into dir. */
int th_out_open(struct fixture *fx, const char *dir, struct ss_error *err);
/* dir/a/b: parents are created. */
void th_out_results_dir(const struct fixture *fx, char *dir, size_t size);
/* Open, three days (and the snapshot), close; previous: a run already
 * finished there. */
void th_out_write_three_days(struct fixture *fx, int previous);
/* The bits of x: reals must come back bit for bit. */
uint64_t th_out_bits(double x);
/* Column col of a row struct as the files must hold it. */
struct th_out_given th_out_given_value(const struct met_column *col, const void *row);

#endif
