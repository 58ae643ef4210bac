/*
 * scenario_impl.h - private to the scenario module (scenario.c,
 * scenario_check.c, scenario_table.c, scenario_yaml.c, scenario_value.c,
 * scenario_print.c, scenario_docs.c).
 * It holds the shape of the one parameter table, the scenario object and
 * the few calls the module's files make into each other. No other module
 * includes it.
 */
#ifndef SCENARIO_IMPL_H
#define SCENARIO_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <yaml.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/strbuf.h"
#include "scenario/params.h"
#include "scoresim.h"

#define BIT(x)    (1u << (x))
#define MAX_KEY   256 /* a dotted key path, with its NUL */
#define MAX_DEPTH 8   /* components in a key path */
/* Limits of what is read, far above any real scenario (the seed scenario
 * with every comment is 20 KiB and nests 5 deep); docs/scenario.md. */
#define SCN_MAX_BYTES    (16 << 20) /* a scenario file, a --set value, a checkpoint's scenario */
#define SCN_MAX_NESTING  32         /* lists and mappings inside each other */
#define SCN_MAX_MAP_KEYS 1000       /* keys of one mapping (the table's largest has 15) */
#define SCN_MAX_CHANGES  1000       /* changes of a schedule (a real one has tens) */

/* What a row's field holds, and so how it is read, checked and printed. */
enum ptype {
    T_BOOL,    /* int, 0 or 1 */
    T_INT,     /* int, within [lo, hi] */
    T_U32,     /* uint32_t, within [lo, hi] */
    T_U64,     /* uint64_t, any */
    T_REAL,    /* double, within [lo, hi] (either may be infinite) */
    T_PROB,    /* double in [0, 1] */
    T_STR,     /* char[hi + 1], length within [lo, hi] */
    T_ENUM,    /* int, an index into names; -1 when unset */
    T_DIST,    /* struct dist, its values within [lo, hi]; sub-keys in scn_dist_rows */
    T_REALS,   /* double * + uint32_t count (a list dist's values) */
    T_INTS,    /* struct int_list, each within [lo, hi] */
    T_NAMED,   /* struct named_values, each value within [lo, hi] */
    T_GROUPS,  /* struct group_set */
    T_FAMILY,  /* the elements of a family (layers, channels) */
    T_DATE,    /* int32_t days since 1970-01-01, written YYYY-MM-DD; PARAMS_NO_DATE unset */
    T_SCHEDULE /* struct schedule: changes of keys during the run (schedule.c) */
};

enum {
    F_GT_LO = 1,   /* lo itself is not allowed (a, b > 0) */
    F_EVEN = 2,    /* integer must be even */
    F_DOMAIN = 4,  /* range comes from the parent distribution row */
    F_NONEMPTY = 8 /* a map or list that needs at least one entry */
};

/* Elements that share one set of rows, named by a '*' key component:
 * the fixed surveillance channels, or the layers a scenario names. */
struct family {
    const char *what;         /* "layer": for messages */
    const char *placeholder;  /* "<name>": stands for '*' in the docs */
    const char *const *names; /* fixed element names, NULL-terminated; NULL: named by the user */
    unsigned max;             /* most elements */
    size_t stride;            /* bytes from one element to the next */
    size_t elem_off;          /* offset of element 0 in struct params */
    size_t count_off;         /* named by the user: offset of the uint32_t count */
    size_t name_off;          /* named by the user: offset of element 0's char[MAX_NAME] */
};

/* One parameter. A row of a family gives the offset of element 0; a row of
 * scn_dist_rows gives an offset into struct dist. */
struct row {
    const char *key;          /* dotted path; '*' stands for a family element */
    enum ptype type;          /* how the field is read and printed */
    size_t off;               /* offsetof the field */
    double lo, hi;            /* allowed range (T_STR: length) */
    unsigned flags;           /* F_* */
    const char *const *names; /* T_ENUM: allowed values, NULL-terminated */
    const struct family *fam; /* the family of a '*' row or of a T_FAMILY row */
    const char *when;         /* sibling enum key this row depends on, or NULL */
    unsigned when_mask;       /* applies when the sibling's value is one of these bits */
    unsigned req_mask;        /* and must then be written when it is one of these */
    const char *def;          /* default, as YAML; NULL: none (unset) */
    const char *doc;          /* one or two sentences for comments and docs */
};

/* A group of keys with its own heading in the docs and printed file. */
struct section {
    const char *key;   /* dotted path of the section */
    const char *title; /* heading */
    const char *doc;   /* what it covers */
};

extern const struct row scn_rows[];
extern const size_t scn_n_rows;
extern const struct row scn_dist_rows[];
extern const size_t scn_n_dist_rows;
extern const struct section scn_sections[];
extern const size_t scn_n_sections;
extern const struct family scn_layer_family;

/* Where the user wrote a key: kept for cross-key errors at scn_finish and
 * to tell names the user wrote from the seed's. */
struct mark {
    char *key;       /* dotted path, element names filled in (owned) */
    const char *src; /* file or --set argument it came from (owned by the scenario) */
    int line, col;   /* of the key, 1-based; 0 for --set */
    uint32_t n_pos;  /* list elements with a place */
    int *pos;        /* line, col of each list element (owned), or NULL */
};

struct scenario {
    struct mem mem;      /* every allocation below, the scenario itself included */
    struct params p;     /* the parameters */
    char path[MAX_PATH]; /* file read, or "" for the built-in seed */
    char dir[MAX_PATH];  /* folder relative paths are taken from */
    char *text;          /* effective scenario as YAML, set by scn_finish (owned) */
    struct mark *marks;  /* keys the user wrote, in the order written (owned) */
    size_t n_marks;      /* marks in use */
    size_t cap_marks;    /* marks allocated */
    char **srcs;         /* --set arguments the marks point to (owned) */
    size_t n_srcs;       /* arguments kept */
    size_t cap_srcs;     /* slots allocated */
    int finished;        /* scn_finish succeeded */
    int effective;       /* read from an effective scenario's text (a checkpoint's), which
                            was checked when first finished, perhaps with a shortened horizon */
};

/* --- scenario_table.c: looking rows up -------------------------------- */

/* Number of components of a dotted key, and the last one. */
int scn_key_depth(const char *key);
/* Split key into components, copied into buf (MAX_KEY bytes); returns
 * how many, or -1 if too long, too deep or with an empty component. */
int scn_key_split(const char *key, char *buf, const char **comp);
/* The first n components joined with '.' into out (cut to size - 1). */
void scn_key_join(char *out, size_t size, const char **comp, int n);
const char *scn_key_last(const char *key);
/* The range of a row's values; parent is the distribution row of a
 * F_DOMAIN row, else NULL. */
void scn_row_range(const struct row *r, const struct row *parent, double *lo, double *hi);
/* The sibling enum row a row's `when` names, among rows of the same set. */
const struct row *scn_row_sibling(const struct row *r);
/* Does r apply when its sibling holds v? (rows with no `when` always do) */
int scn_row_applies(const struct row *r, int v);
/* Is the field at addr unset (NaN, -1, "", empty list)? */
int scn_field_unset(const struct row *r, const char *addr);
/* Reset the field at addr to "unset", freeing what it owns. */
void scn_field_clear(struct mem *m, const struct row *r, char *addr);
/* Is s a valid group or layer name ([A-Za-z_][A-Za-z0-9_]{0,30})? */
int scn_valid_name(const char *s);
/* Edit distance, capped; for "did you mean". */
int scn_edit_distance(const char *a, const char *b);
/* Is `cand` close enough to `typed` to suggest? */
int scn_close(const char *typed, const char *cand);

/* --- scenario_yaml.c: reading YAML into the parameters ------------------ */

/* Apply the value node v (of doc) to the dotted key path. src names the
 * file or --set argument for messages and marks (NULL: built-in defaults,
 * which leave no marks); with has_pos, nodes carry real places; key is the
 * key node, or NULL. */
int scn_apply(struct scenario *s, const char *src, int has_pos, yaml_document_t *doc,
              const char *path, yaml_node_t *key, yaml_node_t *v, struct ss_error *err);
/* Apply a mapping node as the whole scenario (a file's root). With all
 * (else NULL), an input error of one key is kept there and the walk goes
 * on with the next key; SS_EINPUT at the end if any was, with the first in
 * err. */
int scn_apply_root(struct scenario *s, const char *src, yaml_document_t *doc, yaml_node_t *root,
                   struct ss_errors *all, struct ss_error *err);
/* Set the field at base + r->off to its row's default, or unset it when
 * there is none; parent is the distribution row of a sub-key, else NULL. */
int scn_apply_default(struct scenario *s, const struct row *r, const struct row *parent, char *base,
                      const char *path, struct ss_error *err);
/* Record a libyaml parser failure. */
int scn_yaml_error(const yaml_parser_t *y, const char *src, int has_pos, const char *text,
                   size_t len, struct ss_error *err);
/* Load the one YAML document of text[0 .. len) (a file, a --set value)
 * into doc with y, after the limits: at most SCN_MAX_BYTES, collections
 * nested at most SCN_MAX_NESTING deep. On SS_OK the caller deletes doc
 * and y (y can load the next document); on an error both are freed and
 * err says where (src; with has_pos, the line and column). */
int scn_yaml_load(yaml_parser_t *y, yaml_document_t *doc, const char *text, size_t len,
                  const char *src, int has_pos, struct ss_error *err);
/* The last mark for key, or NULL if the user never wrote it. */
const struct mark *scn_mark_find(const struct scenario *s, const char *key);
/* Whether the user wrote key on the command line (--set), not in a file. */
int scn_mark_on_command_line(const struct scenario *s, const char *key);
/* Whether the run's horizon may be shorter than its file meant: `days`
 * set on the command line (--days, --set days), or an effective scenario
 * read back. Schedule changes and trigger days past such a horizon are
 * kept and never come; past a horizon written in a file they are errors. */
int scn_horizon_shortened(const struct scenario *s);

/* --- scenario_value.c: one YAML node as a row's value --------------------- */

/* One application of YAML to the scenario. */
struct scn_ctx {
    struct scenario *s;    /* written to */
    const char *src;       /* file or --set argument; NULL for built-in defaults */
    int has_pos;           /* nodes carry places in a file */
    yaml_document_t *doc;  /* the nodes */
    struct ss_error *err;  /* failures */
    struct ss_errors *all; /* if set: input errors kept here, the walk going on (scn_apply_root) */
};

#define SCN_NAME_RULE "names are 1 to 31 letters, digits or '_', not starting with a digit"

/* Record a failure at node n (may be NULL): SS_EINPUT at its place in
 * c->src, or SS_EINTERNAL for a built-in default. */
int scn_fail(const struct scn_ctx *c, const yaml_node_t *n, const char *fmt, ...) ERR_PRINTF(3, 4);
/* "'path' expects <what row r takes>, got <n>"; parent is the distribution
 * row of a sub-key, else NULL. */
int scn_fail_type(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                  const struct row *r, const struct row *parent);
/* A scalar node's text. */
const char *scn_node_text(const yaml_node_t *n);
/* YAML's null: no node, an empty plain scalar, ~ or null. */
int scn_node_null(const yaml_node_t *n);
/* "'abc'", "a mapping", "a list" or "nothing", for "got ..."; buf holds
 * the first. */
const char *scn_node_got(const yaml_node_t *n, char *buf, size_t size);
/* Index of t in the NULL-terminated names, or -1. */
int scn_name_index(const char *const *names, const char *t);
/* A number within row r's range (parent: see scn_fail_type) into *out. */
int scn_read_real(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                  const struct row *r, const struct row *parent, double *out);
/* A distribution written short: a number (constant) or a list (list),
 * into d, which the caller has blanked. */
int scn_read_dist(const struct scn_ctx *c, const struct row *r, const char *path,
                  const yaml_node_t *v, struct dist *d);
/* v as the value of row r (a scalar or list type, not T_DIST, T_NAMED,
 * T_FAMILY or T_SCHEDULE, which scenario_yaml.c and schedule.c walk) into
 * the field at addr. */
int scn_read_value(struct scn_ctx *c, const struct row *r, const struct row *parent,
                   const char *path, const yaml_node_t *v, char *addr);

/* The row a dotted key names and the offset of its field in struct
 * params, creating nothing (a layer must already exist): for the keys a
 * schedule changes. Fails like an unknown key in a file, at node key. */
int scn_lookup(struct scn_ctx *c, const char *path, const yaml_node_t *key, const struct row **row,
               size_t *off);

/* --- schedule.c: the schedule -------------------------------------------- */

/* v (a list of changes) as the whole schedule into out, replacing it. */
int scn_read_schedule(struct scn_ctx *c, const char *path, const yaml_node_t *v,
                      struct schedule *out);
/* Resolve and check the schedule against the finished parameters: days
 * from dates (start_date), every day inside the run, ramps forward and
 * never overlapping a change of the same key, the fields' places, and
 * the cross-key rules on every day a change makes. */
int scn_schedule_finish(struct scenario *s, struct ss_error *err);
/* Each surveillance channel's coverage per group (coverage_g) from its
 * coverage and its per-group overrides, whose names must be the
 * population's groups (as scn_finish leaves them). */
void params_resolve_coverage(struct params *p);

/* --- scenario_print.c: writing YAML (scenario_docs.c: Markdown) ------------ */

/* A text sink: a FILE, or text built in b. */
struct out {
    FILE *f;       /* destination, or NULL for b */
    struct sbuf b; /* the text when f is NULL (b.nomem: out of memory) */
    int status;    /* SS_OK, or the first failure of f (SS_EIO) or of the printer */
};

void scn_out(struct out *o, const char *fmt, ...) ERR_PRINTF(2, 3);
/* The shortest text that reads back as exactly x. */
void scn_fmt_real(double x, char *buf, size_t size);
/* Write the scenario as YAML (comments need the seed scenario, defaults). */
void scn_emit(struct out *o, const struct scenario *s, const struct scenario *defaults);

#define MAX_ROWS 256 /* rows the printer can track */
/* One printing pass. */
struct emit {
    struct out *o;                /* destination */
    const struct scenario *s;     /* printed */
    const struct scenario *def;   /* seed scenario for comments; NULL: no comments */
    const char *only;             /* print only this top-level section, or NULL */
    unsigned char seen[MAX_ROWS]; /* rows whose comment is out (first element only) */
};

/* The words for a row's type ("true/false", "number", ...). */
const char *scn_type_name(const struct row *r);
/* A row's range (parent: the distribution row of a parameter row). */
void scn_emit_range(struct out *o, const struct row *r, const struct row *parent);
/* The seed's value of a row: a fixed family's elements each, a user-named
 * family's template. */
void scn_emit_default(struct out *o, const struct scenario *def, const struct row *r);
/* When r applies (its sibling's values), after lead; nothing if always. */
void scn_emit_applies(struct out *o, const struct row *r, const char *lead);
/* The rows of the top level (fam NULL) or of one family element, as nested
 * block mappings (the printer's and the docs' seed layers). */
void scn_emit_rows(struct emit *e, const struct family *fam, int skip, const char *base,
                   int indent);

#endif
