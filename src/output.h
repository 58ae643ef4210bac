/*
 * output.h - results on disk: results.sqlite (run, daily, daily_layer,
 * groups, layers and, with --snapshot, agents tables) and daily.csv.
 *
 * Files are written under temporary names in the results folder and
 * renamed only when complete, so an interrupted run never leaves a file
 * that looks finished. Rows are streamed day by day inside one
 * transaction; nothing is held in memory beyond a day.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include "params.h"
#include "scoresim.h"

struct sim;

struct output {
    void *db;                   /* sqlite3 handle (void: sqlite3.h stays private) */
    void *ins_daily;            /* prepared insert for daily */
    void *ins_layer;            /* prepared insert for daily_layer */
    FILE *csv;                  /* daily.csv, under its temporary name */
    char dir[MAX_PATH];         /* results folder */
    char db_tmp[MAX_PATH + 64]; /* temporary names, renamed by out_close */
    char csv_tmp[MAX_PATH + 64];
};

/* Create the folder (and parents), open the temporary files, write the
 * schema and the static tables. */
int out_open(struct output *o, struct sim *sim, const char *dir, struct ss_error *err);
/* Append today's rows from sim->met. */
int out_day(struct output *o, struct sim *sim, struct ss_error *err);
/* Write the run table (and agents with snapshot), commit, close and rename
 * into place. */
int out_close(struct output *o, struct sim *sim, struct ss_error *err);
/* Close and delete the temporary files; accepts a never-opened output. */
void out_abort(struct output *o);

#endif
