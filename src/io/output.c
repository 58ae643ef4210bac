/*
 * output.c - results on disk (see output.h): results.sqlite and daily.csv.
 *
 * Every table is described by a column table (struct met_column, from
 * metrics.h): the daily tables by metrics.c's, the others by the tables
 * below. One path builds CREATE TABLE and INSERT from a column table, one
 * reads a row struct through it (out_get), and both the SQLite binder and
 * the CSV writer take their values from out_get; so a column is added in
 * one line and the two files cannot disagree.
 *
 * Both files are written under temporary names and renamed into place by
 * out_close: the rename is the commit point, so SQLite runs without a
 * journal and without syncs, and the files are synced once before renaming.
 */
#include "io/output.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "io/store.h"
#include "core/error.h"
#include "engine/metrics.h"
#include "scenario/scenario.h"
#include "model/scoring.h"
#include "run/sim.h"

#define OUT_DB_NAME  "results.sqlite"
#define OUT_CSV_NAME "daily.csv"

/* The run table's one row. */
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

/* A row of the agents table (--snapshot). */
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

/* A row of the agent_degree table (--snapshot). */
struct out_agent_degree {
    int64_t id;     /* agent id */
    int64_t layer;  /* layer index */
    int64_t degree; /* live tie ends in that layer, at the end */
};

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
};

static const struct met_column out_group_cols[] = {
    OCOL(out_group, group, MET_INT, "group index, as in the daily tables"),
    OCOL(out_group, name, MET_TEXT, "group name, as in the scenario"),
    OCOL(out_group, share, MET_REAL, "share of the population the scenario asked for"),
    OCOL(out_group, agents, MET_INT, "agents in the group"),
};

static const struct met_column out_layer_cols[] = {
    OCOL(out_layer, layer, MET_INT, "layer index, as in daily_layer"),
    OCOL(out_layer, name, MET_TEXT, "layer name, as in the scenario"),
    OCOL(out_layer, generator, MET_TEXT,
         "household, watts_strogatz, barabasi_albert, erdos_renyi, complete or edge_list"),
    OCOL(out_layer, contact, MET_REAL, "daily probability that a tie is active"),
    OCOL(out_layer, ties, MET_INT, "undirected ties as built (before any is cut)"),
    OCOL(out_layer, mean_degree, MET_REAL, "2 x ties / agents"),
};

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

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* A table of results.sqlite. */
struct out_table {
    const char *name;              /* SQL name */
    const struct met_column *cols; /* columns in order */
    size_t n;                      /* columns */
    const char *key;               /* PRIMARY KEY column list (quoted), or NULL */
    int without_rowid;             /* store as WITHOUT ROWID (composite keys) */
    const char *doc;               /* intro line for the docs */
};

enum out_table_id { T_RUN, T_GROUPS, T_LAYERS, T_DAILY, T_DAILY_LAYER, T_AGENTS, T_AGENT_DEGREE };

/* A function, not a static array: met_n_daily_columns is not a constant
 * expression. */
static struct out_table out_table_get(int id)
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
                                  out_group_cols,
                                  N_OF(out_group_cols),
                                  "\"group\"",
                                  0,
                                  "One row per population group. Key: `group`."};
    case T_LAYERS:
        return (struct out_table){"layers",
                                  out_layer_cols,
                                  N_OF(out_layer_cols),
                                  "\"layer\"",
                                  0,
                                  "One row per network layer. Key: `layer`."};
    case T_DAILY:
        return (struct out_table){
            "daily", met_daily_columns, met_n_daily_columns, "\"day\", \"group\"", 1, NULL};
    case T_DAILY_LAYER:
        return (struct out_table){"daily_layer",
                                  met_layer_columns,
                                  met_n_layer_columns,
                                  "\"day\", \"group\", \"layer\"",
                                  1,
                                  NULL};
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

static const char *out_generator_name(int generator)
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

/* ---- values ----------------------------------------------------------- */

enum out_kind { V_NULL, V_INT, V_REAL, V_TEXT };

/* One column's value in one row. */
struct out_value {
    int kind;      /* enum out_kind */
    int64_t i;     /* V_INT */
    double r;      /* V_REAL */
    const char *s; /* V_TEXT: borrowed from the row or the sim */
};

static int32_t out_int32_at(const void *row, size_t off)
{
    int32_t v;
    memcpy(&v, (const char *)row + off, sizeof v);
    return v;
}

/* Column c of row: the one place that reads row structs. */
static struct out_value out_get(const struct met_column *c, const void *row, const struct sim *sim)
{
    const char *at = (const char *)row + c->offset;
    struct out_value v = {V_NULL, 0, 0.0, NULL};
    switch (c->type) {
    case MET_INT:
        v.kind = V_INT;
        if (c->is_int32) {
            v.i = out_int32_at(row, c->offset);
        } else {
            memcpy(&v.i, at, sizeof v.i);
        }
        break;
    case MET_REAL:
        memcpy(&v.r, at, sizeof v.r);
        v.kind = isnan(v.r) ? V_NULL : V_REAL;
        break;
    case MET_TEXT:
        memcpy(&v.s, at, sizeof v.s);
        v.kind = v.s ? V_TEXT : V_NULL;
        break;
    case MET_GROUP_NAME: {
        int32_t g = out_int32_at(row, c->offset);
        if (g < 0)
            v.s = "all";
        else if (sim->p && (uint32_t)g < sim->pop.n_groups)
            v.s = sim->p->population.groups.name[g];
        v.kind = v.s ? V_TEXT : V_NULL;
        break;
    }
    case MET_LAYER_NAME: {
        int32_t l = out_int32_at(row, c->offset);
        if (l >= 0 && (uint32_t)l < sim->net.n_layers) v.s = sim->net.layer[l].name;
        v.kind = v.s ? V_TEXT : V_NULL;
        break;
    }
    }
    return v;
}

/* ---- SQLite ----------------------------------------------------------- */

static int out_db_err(struct output *o, struct ss_error *err, const char *what)
{
    return err_msg(err, SS_EIO, "%s %s: %s", what, o->db_tmp,
                   o->db ? sqlite3_errmsg(o->db) : "no database open");
}

static int out_exec(struct output *o, const char *sql, struct ss_error *err)
{
    if (sqlite3_exec(o->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return out_db_err(o, err, "writing");
    return SS_OK;
}

static int out_create(struct output *o, const struct out_table *t, struct ss_error *err)
{
    struct store_sql b = {.n = 0};
    store_sql_add(&b, "CREATE TABLE \"%s\" (", t->name);
    for (size_t i = 0; i < t->n; i++)
        store_sql_add(&b, "%s\"%s\" %s", i ? ", " : "", t->cols[i].name,
                      met_sql_type(t->cols[i].type));
    if (t->key) store_sql_add(&b, ", PRIMARY KEY(%s)", t->key);
    store_sql_add(&b, ")%s", t->without_rowid ? " WITHOUT ROWID" : "");
    if (b.overflow) return err_msg(err, SS_EINTERNAL, "schema of table %s too long", t->name);
    return out_exec(o, b.s, err);
}

static int out_prepare(struct output *o, const struct out_table *t, sqlite3_stmt **st,
                       struct ss_error *err)
{
    struct store_sql b = {.n = 0};
    store_sql_add(&b, "INSERT INTO \"%s\" VALUES (", t->name);
    for (size_t i = 0; i < t->n; i++) store_sql_add(&b, "%s?", i ? ", " : "");
    store_sql_add(&b, ")");
    if (b.overflow) return err_msg(err, SS_EINTERNAL, "insert into %s too long", t->name);
    if (sqlite3_prepare_v2(o->db, b.s, -1, st, NULL) != SQLITE_OK)
        return out_db_err(o, err, "preparing an insert into");
    return SS_OK;
}

/* Insert one row struct through the table's columns. */
static int out_insert(struct output *o, sqlite3_stmt *st, const struct out_table *t,
                      const void *row, const struct sim *sim, struct ss_error *err)
{
    int rc = SQLITE_OK;
    for (size_t i = 0; i < t->n && rc == SQLITE_OK; i++) {
        struct out_value v = out_get(&t->cols[i], row, sim);
        int k = (int)i + 1;
        switch (v.kind) {
        case V_INT:
            rc = sqlite3_bind_int64(st, k, v.i);
            break;
        case V_REAL:
            rc = sqlite3_bind_double(st, k, v.r);
            break;
        case V_TEXT:
            rc = sqlite3_bind_text(st, k, v.s, -1, SQLITE_STATIC);
            break;
        default:
            rc = sqlite3_bind_null(st, k);
            break;
        }
    }
    if (rc == SQLITE_OK && sqlite3_step(st) != SQLITE_DONE) rc = SQLITE_ERROR;
    /* The message first: it belongs to the failed step. */
    int status = rc == SQLITE_OK ? SS_OK : out_db_err(o, err, "writing");
    sqlite3_reset(st);
    return status;
}

/* Prepare, insert n rows of size `size` from rows, finalize. */
static int out_insert_all(struct output *o, int id, const void *rows, size_t size, size_t n,
                          const struct sim *sim, struct ss_error *err)
{
    struct out_table t = out_table_get(id);
    sqlite3_stmt *st = NULL;
    int rc = out_prepare(o, &t, &st, err);
    for (size_t i = 0; i < n && rc == SS_OK; i++)
        rc = out_insert(o, st, &t, (const char *)rows + i * size, sim, err);
    sqlite3_finalize(st);
    return rc;
}

/* ---- CSV -------------------------------------------------------------- */

/* A field, quoted (RFC 4180) only when it holds a separator or quote. */
static void out_csv_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void out_csv_header(FILE *f, const struct out_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (i) fputc(',', f);
        out_csv_text(f, t->cols[i].name);
    }
    fputc('\n', f);
}

/* One row; NULL is an empty field, reals keep all 17 digits. */
static void out_csv_row(FILE *f, const struct out_table *t, const void *row, const struct sim *sim)
{
    for (size_t i = 0; i < t->n; i++) {
        struct out_value v = out_get(&t->cols[i], row, sim);
        if (i) fputc(',', f);
        switch (v.kind) {
        case V_INT:
            fprintf(f, "%" PRId64, v.i);
            break;
        case V_REAL:
            fprintf(f, "%.17g", v.r);
            break;
        case V_TEXT:
            out_csv_text(f, v.s);
            break;
        default:
            break;
        }
    }
    fputc('\n', f);
}

static int out_csv_err(struct output *o, struct ss_error *err, int e)
{
    return err_msg(err, SS_EIO, "writing %s: %s", o->csv_tmp, strerror(e ? e : EIO));
}

/* ---- files ------------------------------------------------------------ */

static int out_path(char *buf, size_t size, const char *dir, const char *name)
{
    int k = snprintf(buf, size, "%s/%s", dir, name);
    return k >= 0 && (size_t)k < size;
}

static int out_write_static(struct output *o, struct sim *sim, struct ss_error *err)
{
    const struct population *pop = &sim->pop;
    const struct network *net = &sim->net;
    struct out_group groups[MAX_GROUPS];
    struct out_layer layers[MAX_LAYERS];
    for (uint32_t g = 0; g < pop->n_groups && g < MAX_GROUPS; g++)
        groups[g] = (struct out_group){
            .group = g,
            .name = sim->p ? sim->p->population.groups.name[g] : NULL,
            .share = sim->p ? sim->p->population.groups.v[g] : NAN,
            .agents = pop->group_start[g + 1] - pop->group_start[g],
        };
    for (uint32_t l = 0; l < net->n_layers && l < MAX_LAYERS; l++)
        layers[l] = (struct out_layer){
            .layer = l,
            .name = net->layer[l].name,
            .generator = out_generator_name(net->layer[l].generator),
            .contact = net->layer[l].contact,
            .ties = (int64_t)(net->layer[l].n_entries / 2),
            .mean_degree = pop->n ? (double)net->layer[l].n_entries / pop->n : NAN,
        };
    int rc = out_insert_all(o, T_GROUPS, groups, sizeof groups[0], pop->n_groups, sim, err);
    if (rc == SS_OK)
        rc = out_insert_all(o, T_LAYERS, layers, sizeof layers[0], net->n_layers, sim, err);
    return rc;
}

int out_open(struct output *o, struct sim *sim, const char *dir, struct ss_error *err)
{
    memset(o, 0, sizeof *o);
    int rc = store_mkdirs(dir, err);
    if (rc != SS_OK) return rc;
    snprintf(o->dir, sizeof o->dir, "%s", dir);
    long pid = (long)getpid();
    snprintf(o->db_tmp, sizeof o->db_tmp, "%s/." OUT_DB_NAME ".tmp-%ld", dir, pid);
    snprintf(o->csv_tmp, sizeof o->csv_tmp, "%s/." OUT_CSV_NAME ".tmp-%ld", dir, pid);
    unlink(o->db_tmp); /* a leftover of a killed run with our pid: start afresh */

    sqlite3 *db = NULL;
    if (sqlite3_open_v2(o->db_tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = err_msg(err, SS_EIO, "cannot create %s: %s", o->db_tmp,
                     db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        goto fail;
    }
    o->db = db;
    rc = out_exec(o, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN", err);
    int ids[] = {T_RUN, T_GROUPS, T_LAYERS, T_DAILY, T_DAILY_LAYER, T_AGENTS, T_AGENT_DEGREE};
    size_t n_ids = sim->opt.snapshot ? N_OF(ids) : N_OF(ids) - 2;
    for (size_t i = 0; i < n_ids && rc == SS_OK; i++) {
        struct out_table t = out_table_get(ids[i]);
        rc = out_create(o, &t, err);
    }
    if (rc == SS_OK) rc = out_write_static(o, sim, err);
    struct out_table daily = out_table_get(T_DAILY), layer = out_table_get(T_DAILY_LAYER);
    sqlite3_stmt *ins_daily = NULL, *ins_layer = NULL;
    if (rc == SS_OK) rc = out_prepare(o, &daily, &ins_daily, err);
    o->ins_daily = ins_daily;
    if (rc == SS_OK) rc = out_prepare(o, &layer, &ins_layer, err);
    o->ins_layer = ins_layer;
    if (rc != SS_OK) goto fail;

    o->csv = fopen(o->csv_tmp, "w");
    if (!o->csv) {
        rc = err_msg(err, SS_EIO, "cannot create %s: %s", o->csv_tmp, strerror(errno));
        goto fail;
    }
    out_csv_header(o->csv, &daily);
    if (ferror(o->csv)) {
        rc = out_csv_err(o, err, errno);
        goto fail;
    }
    return SS_OK;

fail:
    out_abort(o);
    return rc;
}

int out_day(struct output *o, struct sim *sim, struct ss_error *err)
{
    const struct metrics *met = &sim->met;
    if (!o->db || !o->csv) return err_msg(err, SS_EINTERNAL, "out_day before out_open");
    struct out_table daily = out_table_get(T_DAILY), layer = out_table_get(T_DAILY_LAYER);
    int rc = SS_OK;
    for (uint32_t r = 0; r < met->n_rows && rc == SS_OK; r++) {
        rc = out_insert(o, o->ins_daily, &daily, &met->rows[r], sim, err);
        out_csv_row(o->csv, &daily, &met->rows[r], sim);
    }
    for (uint32_t r = 0; r < met->n_layer_rows && rc == SS_OK; r++)
        rc = out_insert(o, o->ins_layer, &layer, &met->layer_rows[r], sim, err);
    if (rc == SS_OK && ferror(o->csv)) rc = out_csv_err(o, err, errno);
    return rc;
}

/* The agents and agent_degree tables, from the state at the end. */
static int out_snapshot(struct output *o, struct sim *sim, struct ss_error *err)
{
    const struct population *pop = &sim->pop;
    const struct network *net = &sim->net;
    const struct state *st = &sim->st;
    const struct params *p = sim->p;
    if (pop->n > 0 &&
        (!p || st->n != pop->n || !st->fear || !st->status || !st->history ||
         !st->ledger[SUB_FINANCIAL] || !st->ledger[SUB_JUDICIAL] || !st->ledger[SUB_SOCIAL]))
        return err_msg(err, SS_EINTERNAL, "snapshot: the agents' state is not allocated");
    struct out_table ta = out_table_get(T_AGENTS), td = out_table_get(T_AGENT_DEGREE);
    sqlite3_stmt *sa = NULL, *sd = NULL;
    int rc = out_prepare(o, &ta, &sa, err);
    if (rc == SS_OK) rc = out_prepare(o, &td, &sd, err);
    for (uint32_t a = 0; a < pop->n && rc == SS_OK; a++) {
        int64_t deg[MAX_LAYERS] = {0}, total = 0;
        for (uint32_t l = 0; l < net->n_layers; l++) {
            const struct layer *ly = &net->layer[l];
            if (a >= ly->n) continue;
            for (net_off_t e = ly->off[a]; e < ly->off[a + 1]; e++) deg[l] += ly->adj[e] != NET_CUT;
            total += deg[l];
        }
        struct out_agent row = {
            .id = a,
            .group = pop->group[a],
            .household = pop_household(pop, a),
            .child = (pop->flags[a] & POP_CHILD) != 0,
            .online = (pop->flags[a] & POP_ONLINE) != 0,
            .attitude = pop->attitude[a],
            .reliability = pop_reliability(pop, a),
            .threshold = pop_threshold(pop, a),
            .degree = total,
            .fear = st->fear[a],
            .score = score_reported(p, st, a, pop->group[a]),
            .financial = score_domain(p, st, a, pop->group[a], SUB_FINANCIAL),
            .judicial = score_domain(p, st, a, pop->group[a], SUB_JUDICIAL),
            .social = score_domain(p, st, a, pop->group[a], SUB_SOCIAL),
            .listed = (st->status[a] & ST_LISTED) != 0,
            .interned = (st->status[a] & ST_INTERNED) != 0,
            .ever_sanctioned = (st->history[a] & HI_SANCTIONED) != 0,
            .genuine = (st->history[a] & HI_GENUINE) != 0,
        };
        rc = out_insert(o, sa, &ta, &row, sim, err);
        for (uint32_t l = 0; l < net->n_layers && rc == SS_OK; l++) {
            struct out_agent_degree d = {.id = a, .layer = l, .degree = deg[l]};
            rc = out_insert(o, sd, &td, &d, sim, err);
        }
    }
    sqlite3_finalize(sa);
    sqlite3_finalize(sd);
    return rc;
}

/* "YYYY-MM-DDTHH:MM:SSZ" into buf, or NULL for an unset time. */
static const char *out_iso_time(time_t t, char *buf, size_t size)
{
    struct tm tm;
    if (!t || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm)) return NULL;
    return buf;
}

static int out_write_run(struct output *o, struct sim *sim, struct ss_error *err)
{
    char started[32], finished[32];
    struct out_run run = {
        .name = sim->scn ? scn_name(sim->scn) : NULL,
        .scenario = sim->scn ? scn_text(sim->scn) : NULL,
        .seed = sim->p ? (int64_t)sim->p->seed : 0,
        .days = sim->p ? sim->p->days : sim->day,
        .agents = sim->pop.n,
        .threads = sim->threads,
        .version = SS_VERSION,
        .started = out_iso_time(sim->started, started, sizeof started),
        .finished = out_iso_time(sim->finished, finished, sizeof finished),
        .build_seconds = sim->build_seconds,
        .run_seconds = sim->run_seconds,
        .wall_seconds = sim->wall_seconds,
        .peak_memory_bytes = (int64_t)sim_peak_rss(),
        .alloc_peak_bytes = (int64_t)sim->mem.peak,
        .estimate_bytes = (int64_t)sim->estimate_bytes,
        .host_cores = omp_get_num_procs(),
    };
    return out_insert_all(o, T_RUN, &run, sizeof run, 1, sim, err);
}

/* Write the file's data to disk before it is renamed into place. */
static int out_sync_path(const char *path, struct ss_error *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        return err_msg(err, SS_EIO, "syncing %s: %s", path, strerror(e));
    }
    close(fd);
    return SS_OK;
}

int out_close(struct output *o, struct sim *sim, struct ss_error *err)
{
    char db_final[MAX_PATH + 64], csv_final[MAX_PATH + 64];
    if (!o->db || !o->csv) return err_msg(err, SS_EINTERNAL, "out_close before out_open");
    if (!out_path(db_final, sizeof db_final, o->dir, OUT_DB_NAME) ||
        !out_path(csv_final, sizeof csv_final, o->dir, OUT_CSV_NAME)) {
        out_abort(o);
        return err_msg(err, SS_EIO, "results folder path too long: %s", o->dir);
    }

    int rc = out_write_run(o, sim, err);
    if (rc == SS_OK && sim->opt.snapshot) rc = out_snapshot(o, sim, err);
    if (rc == SS_OK) rc = out_exec(o, "COMMIT", err);
    if (rc != SS_OK) goto fail;
    sqlite3_finalize(o->ins_daily);
    sqlite3_finalize(o->ins_layer);
    o->ins_daily = o->ins_layer = NULL;
    if (sqlite3_close(o->db) != SQLITE_OK) {
        rc = out_db_err(o, err, "closing");
        goto fail;
    }
    o->db = NULL;
    rc = out_sync_path(o->db_tmp, err);
    if (rc != SS_OK) goto fail;

    FILE *csv = o->csv;
    o->csv = NULL;
    int bad = fflush(csv) != 0 || fsync(fileno(csv)) != 0;
    int e = errno;
    if (fclose(csv) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        rc = out_csv_err(o, err, e);
        goto fail;
    }

    if (rename(o->csv_tmp, csv_final) != 0) {
        rc = err_msg(err, SS_EIO, "renaming %s to %s: %s", o->csv_tmp, csv_final, strerror(errno));
        goto fail;
    }
    if (rename(o->db_tmp, db_final) != 0) {
        rc = err_msg(err, SS_EIO, "renaming %s to %s: %s", o->db_tmp, db_final, strerror(errno));
        unlink(csv_final); /* no half of a result */
        goto fail;
    }
    memset(o, 0, sizeof *o);
    return SS_OK;

fail:
    out_abort(o);
    return rc;
}

void out_abort(struct output *o)
{
    sqlite3_finalize(o->ins_daily);
    sqlite3_finalize(o->ins_layer);
    if (o->db) sqlite3_close_v2(o->db);
    if (o->csv) fclose(o->csv);
    if (o->db_tmp[0]) unlink(o->db_tmp);
    if (o->csv_tmp[0]) unlink(o->csv_tmp);
    memset(o, 0, sizeof *o);
}

int out_write_docs(FILE *f)
{
    int ids[] = {T_RUN, T_GROUPS, T_LAYERS, T_AGENTS, T_AGENT_DEGREE};
    int rc = SS_OK;
    for (size_t i = 0; i < N_OF(ids) && rc == SS_OK; i++) {
        struct out_table t = out_table_get(ids[i]);
        rc = met_write_table_docs(f, t.name, t.doc, t.cols, t.n);
    }
    return rc;
}
