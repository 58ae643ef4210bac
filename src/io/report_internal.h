/*
 * report_internal.h - what the two files of the report share (report.c:
 * escaping, the page and the file; report_data.c: the queries of
 * results.sqlite and the data object they make). Not part of any other
 * module's interface: report.h is the public face.
 */
#ifndef REPORT_INTERNAL_H
#define REPORT_INTERNAL_H

#include <sqlite3.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/strbuf.h"

enum rep_kind { REP_RUN, REP_SWEEP, REP_COMPARE, REP_SENS, REP_CALIBRATE };

/* One report being built. */
struct rep {
    sqlite3 *db;          /* results.sqlite, read-only */
    const char *db_path;  /* its path, for messages */
    struct sbuf json;     /* the data object */
    struct sbuf sql;      /* scratch for query text */
    int kind;             /* enum rep_kind */
    long long last_day;   /* the last day of the results */
    long long step;       /* time series keep every step-th day */
    struct ss_error *err; /* where failures go */
};

/* report_data.c */
/* The whole data object into r->json (r->db open, r->err set); sets
 * r->kind. */
int rep_build(struct rep *r, const char *dir);
/* The title: the scenario's or the experiment's name. Returns an owned
 * string (or NULL with rc set). */
int rep_title(struct rep *r, struct mem *m, char **out);

#endif
