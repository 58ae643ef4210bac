/*
 * metrics.h - what is measured each day (docs/model.md section 7), per group and
 * in total, from the world and the engine's tallies of the day. One table
 * (met_daily_columns, metrics_schema.c) names every column of the daily
 * rows with its type and meaning; io/output.c builds the SQLite schema and
 * the CSV header from it, and docs/metrics.md is written from it, so a
 * metric is added in one place.
 *
 * Every sum is reduced over fixed blocks of agents in block order, so the
 * figures are bit-identical for any thread count.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "model/tally.h"
#include "scenario/params.h"
#include "scoresim.h"
#include "world/world.h"

/* Score percentiles per row (1st, 10th, 50th, 90th, 99th). */
#define MET_N_PCT 5
/* Days between largest-component measurements (docs/model.md: at least every 30). */
#define MET_COMPONENT_EVERY 30

/* One day's figures for one group (or all agents). Integers are counts;
 * doubles are means or shares. A NaN double is written as NULL (a figure
 * not measured that day, such as the largest component between its
 * 30-day measurements, or a ratio over nothing). met_daily_columns names
 * each field, and each element of the arrays, as a column. */
struct met_row {
    int32_t day;   /* 0 = the initial state, then 1..days */
    int32_t group; /* group index, or -1 for all agents */
    int32_t date;  /* the date of day (start_date is day 1), or PARAMS_NO_DATE */

    /* population */
    int64_t agents;          /* agents in the group */
    int64_t children;        /* under 18 */
    int64_t online;          /* adults on social media */
    double attitude_mean;    /* mean attitude */
    double support_rate;     /* share with attitude < 0.5 */
    double reliability_mean; /* mean reliability */
    double threshold_mean;   /* mean protest threshold */
    double fear_mean;        /* mean fear */

    /* scores (reported score: today's cap applied) */
    double score_mean;         /* mean reported score */
    double score_p[MET_N_PCT]; /* its 1st, 10th, 50th, 90th, 99th percentiles, to 0.1 point */
    double domain_mean[N_SUBSYSTEMS]; /* mean domain score per sub-system */
    int64_t tier[N_TIERS];            /* agents per tier of the reported score */

    /* the list and sanctions */
    int64_t listed;                /* on the list now */
    int64_t interned;              /* interned now */
    int64_t ever_listed;           /* ever listed */
    int64_t ever_sanctioned;       /* ever sanctioned */
    int64_t listed_wrongfully;     /* listed now, never scored for a negative act really done */
    int64_t list_exits;            /* exits from the list today */
    int64_t list_exits_settled;    /* ... because the debtor settled */
    int64_t list_exits_recovered;  /* ... because the judicial score recovered */
    int64_t list_exits_expired;    /* ... because the listing expired */
    double list_exit_days_mean;    /* mean days on the list of those exits */
    int64_t unpaid_judgments;      /* agents holding an unpaid court judgment */
    int64_t settlements;           /* agents settling their judgments today */
    int64_t settlements_coerced;   /* ... while listed or soon after a sanction */
    int64_t releases;              /* internments ended today */
    int64_t sanction[N_SANCTIONS]; /* sanctions applied today, by kind (SA_LISTING: entries) */
    int64_t rewards;               /* rewards given today */
    int64_t sanctions;             /* sum of sanction[] */
    int64_t wrongful_sanctions; /* of which fell on agents never scored for a real negative act */
    int64_t cross_context_sanctions;     /* of which caused by another domain's points */
    double cross_context_share;          /* cross_context_sanctions / sanctions */
    int64_t sanctions_cum;               /* sanctions since day 1 */
    int64_t wrongful_sanctions_cum;      /* wrongful_sanctions since day 1 */
    int64_t cross_context_sanctions_cum; /* cross_context_sanctions since day 1 */
    int64_t flights_refused_cum;         /* sanction[SA_TRAVEL] since day 1 */
    int64_t rail_refused_cum;            /* sanction[SA_RAIL] since day 1 */
    int64_t list_exits_cum;              /* list_exits since day 1 */
    int64_t settlements_cum;             /* settlements since day 1 */

    /* actions (enum action) */
    int64_t protesters;          /* protesting today */
    int64_t taken[N_ACTIONS];    /* actions taken today */
    int64_t observed[N_ACTIONS]; /* ... and seen by a channel */
    int64_t criticism_would;     /* criticism that would be expressed without fear or bans */
    double silence_ratio;        /* 1 - taken[ACT_CRITICISE] / criticism_would */

    /* scored events (enum event) */
    int64_t scored[N_EVENTS];       /* events scored today, true and false */
    int64_t false_scored[N_EVENTS]; /* ... that did not happen */

    /* network */
    int64_t ties;                   /* live tie ends held by the group's agents, all layers */
    double degree_mean;             /* ties / agents */
    double in_group_share;          /* share of those tie ends whose other end is in the group */
    int64_t contacts;               /* tie ends active today (each meeting counts once per side) */
    int64_t ties_cut;               /* tie ends cut so far (ostracism) */
    double largest_component_share; /* share of the group in the largest component */

    /* disparate impact */
    double listed_rate;     /* listed / agents */
    double sanctioned_rate; /* ever_sanctioned / agents */
    double di_listed;       /* listed_rate / the reference group's */
    double di_sanctioned;   /* sanctioned_rate / the reference group's */
};

/* The same per layer, for the daily_layer table. */
struct met_layer_row {
    int32_t day;           /* as met_row */
    int32_t group;         /* as met_row */
    int32_t layer;         /* layer index */
    int64_t ties;          /* live tie ends held by the group's agents */
    double degree_mean;    /* ties / agents of the group */
    double in_group_share; /* as met_row, this layer */
    int64_t contacts;      /* tie ends active today */
};

enum met_type {
    MET_INT,        /* int64_t, or int32_t with is_int32: SQL INTEGER */
    MET_REAL,       /* double, NaN written as NULL: SQL REAL */
    MET_TEXT,       /* const char *, NULL written as NULL: SQL TEXT */
    MET_GROUP_NAME, /* TEXT: name of the group whose int32_t index is at offset, 'all' for -1 */
    MET_LAYER_NAME, /* TEXT: name of the layer whose int32_t index is at offset */
    MET_DATE        /* TEXT: the date YYYY-MM-DD of the int32_t days since 1970 at offset,
                       NULL for PARAMS_NO_DATE */
};

/* A column of a row struct. output.c describes its other tables (run,
 * groups, layers, agents) with the same struct. */
struct met_column {
    const char *name; /* column name, SQL- and CSV-safe */
    int type;         /* enum met_type */
    size_t offset;    /* offset of the field in the row struct */
    int is_int32;     /* MET_INT stored as int32_t */
    const char *doc;  /* one line, for docs/metrics.md */
};

extern const struct met_column met_daily_columns[];
extern const size_t met_n_daily_columns;
extern const struct met_column met_layer_columns[];
extern const size_t met_n_layer_columns;

struct engine;
struct met_work; /* block sums and component workspace, private to metrics.c */

struct metrics {
    uint32_t n_rows;                  /* n_groups + 1: groups, then all agents */
    struct met_row *rows;             /* [n_rows] today's rows */
    uint32_t n_layer_rows;            /* n_rows * n_layers */
    struct met_layer_row *layer_rows; /* [n_layer_rows] row r, layer l at r * n_layers + l */
    int component_every;              /* days between largest-component measurements */
    uint32_t ref_group;               /* disparate impact's reference: the largest share */
    struct met_work *work;            /* private: per-block sums, histograms, union-find */
};

/* Allocate for w's parameters, population and network, with `threads`
 * threads for every measurement (one score histogram each). */
int met_init(struct metrics *met, const struct world *w, int threads, struct mem *m,
             struct ss_error *err);
/* Measure the world as it is after its last day (w->day; 0: the initial
 * state) into met->rows and met->layer_rows: the state, the cumulative
 * totals, and from e, the tallies and contacts of that day (all zero on
 * day 0) and its kept network counts if any. A pure function of its
 * inputs: measuring again gives the same rows. Returns SS_OK, or
 * SS_EINTERNAL when called out of contract. */
int met_measure(struct metrics *met, const struct world *w, const struct engine *e,
                struct ss_error *err);
/* Free what met_init allocated; accepts a zeroed or partly built met. */
void met_free(struct metrics *met, struct mem *m);
/* Bytes met_init allocates for p with `threads` threads (a 32-bit word
 * per agent for the largest component, one score histogram per thread
 * plus two, and small per-group and per-block tables). */
size_t met_estimate_bytes(const struct params *p, int threads);
/* The SQL type of an enum met_type ("INTEGER", "REAL" or "TEXT"). */
const char *met_sql_type(int type);

#endif
