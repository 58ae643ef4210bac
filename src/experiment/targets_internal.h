/*
 * targets_internal.h - what the files of the targets module share among
 * themselves (targets.c: loading a file, collecting its errors;
 * targets_row.c: the header and each row's fields; targets_eval.c: the
 * compared scale and a run's figures). Not part of any other module's
 * interface: targets.h is the public face.
 */
#ifndef TARGETS_INTERNAL_H
#define TARGETS_INTERNAL_H

#include "core/csv.h"
#include "core/error.h"
#include "core/mem.h"

struct params;
struct tgt_errors; /* targets.h: the private half needs only their names */
struct tgt_target;

/* The file's columns, in the order of column_names (targets_row.c). */
enum tgt_column {
    C_DATE,
    C_DAY,
    C_METRIC,
    C_GROUP,
    C_VALUE,
    C_SCALE,
    C_POPULATION,
    C_SD,
    C_REL_TOL,
    C_LOG,
    C_SOURCE,
    C_NOTE,
    N_COLUMNS
};

/* Every error of a file, with its place (targets.c). */
struct collector {
    const char *label;       /* the file, in every message */
    struct tgt_errors *errs; /* the caller's list, or NULL */
    struct ss_error first;   /* the first error found */
    int total;               /* errors found */
};

/* Where the header put each column. */
struct header {
    int at[N_COLUMNS]; /* field index of each column, or -1 */
    int line;          /* the header's line */
    int n;             /* fields of the header */
};

/* targets.c */
/* Record an error at (line, col) of c's file: the first kept in full, up to
 * TGT_MAX_ERRORS listed, all counted. */
void ERR_PRINTF(4, 5) tgt_bad(struct collector *c, int line, int col, const char *fmt, ...);

/* targets_row.c */
/* Read the header's fields into *h: 0, or -1 after tgt_bad. */
int tgt_parse_header(struct collector *c, const struct csv_field *f, int n, int line,
                     struct header *h);
/* Read one row into *t (its texts allocated from m; p, when not NULL, the
 * scenario to check against): 0, -1 after tgt_bad, -2 out of memory. */
int tgt_parse_row(struct collector *c, struct mem *m, const struct header *h,
                  const struct csv_field *f, int n, int line, const struct params *p,
                  struct tgt_target *t);

#endif
