/*
 * output.h - results on disk: results.sqlite (run, daily, daily_layer,
 * groups, layers and, with --snapshot, agents and agent_degree tables) and
 * daily.csv.
 *
 * Files are written under temporary names in the results folder and
 * renamed only when complete, so an interrupted run never leaves a file
 * that looks finished. Rows are streamed day by day inside one
 * transaction; nothing is held in memory beyond a day.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include "scenario/params.h"
#include "scoresim.h"

struct sim;

struct output {
    void *db;                    /* sqlite3 handle (void: sqlite3.h stays private) */
    void *ins_daily;             /* prepared insert for daily */
    void *ins_layer;             /* prepared insert for daily_layer */
    FILE *csv;                   /* daily.csv, under its temporary name */
    char dir[MAX_PATH];          /* results folder */
    char db_tmp[MAX_PATH + 64];  /* results.sqlite's temporary name, renamed by out_close */
    char csv_tmp[MAX_PATH + 64]; /* daily.csv's temporary name, renamed by out_close */
};

/* Create the folder (and parents), open the temporary files, write the
 * schema and the static tables. On failure (SS_EIO naming the path and the
 * cause) nothing is left open and no file is left behind but folders. */
int out_open(struct output *o, struct sim *sim, const char *dir, struct ss_error *err);
/* Append today's rows from sim->met. On failure call out_abort. */
int out_day(struct output *o, struct sim *sim, struct ss_error *err);
/* Write the run table (and agents with snapshot), commit, close and rename
 * into place. Reads sim->finished, run_seconds and wall_seconds, so set
 * them first. On failure the temporary files are deleted. */
int out_close(struct output *o, struct sim *sim, struct ss_error *err);
/* Close and delete the temporary files; accepts a never-opened output. */
void out_abort(struct output *o);
/* Write the Markdown reference of the run, groups, layers, agents and
 * agent_degree tables (met_write_docs writes the daily tables, then calls
 * this). Returns SS_OK or SS_EIO. */
int out_write_docs(FILE *f);

#endif
