/*
 * harness_output.c - the rows the output's tests write and the steps that
 * write them (see harness_output.h).
 */
#include "harness_output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* A distinct value for column c of row r on day d: integers of their own,
 * reals that need all 17 digits. */
static int64_t int_value(int d, int r, size_t c)
{
    return 100000 * (int64_t)d + 1000 * (int64_t)r + (int64_t)c;
}

static double real_value(int d, int r, size_t c)
{
    return (double)int_value(d, r, c) / 3.0;
}

static void set_real(void *row, const struct met_column *col, double v)
{
    memcpy((char *)row + col->offset, &v, sizeof v);
}

/* Every INTEGER and REAL column of a row struct set to a distinct value. */
static void fill_columns(void *row, const struct met_column *cols, size_t n_cols, int d, int r)
{
    for (size_t c = 0; c < n_cols; c++) {
        const struct met_column *col = &cols[c];
        if (col->type == MET_REAL) {
            set_real(row, col, real_value(d, r, c));
        } else if (col->type == MET_INT && !col->is_int32) {
            int64_t v = int_value(d, r, c);
            memcpy((char *)row + col->offset, &v, sizeof v);
        }
    }
}

/* Day d's rows: distinct values everywhere, then what a 10-agent world
 * would have measured where the checks below look (agents, contacts, cut
 * ties, the largest component on day 0 only, scores at 1000 but agent 3's
 * 500 in group 0, one listed and one interned, a flight refused in group 0
 * on each day after day 0, no criticism to silence, disparate impact
 * against group 0 and NULL for all agents). */
static void day_rows(struct fixture *fx, int d)
{
    static const int64_t agents[N_ROWS] = {6, 4, 10};
    for (int r = 0; r < N_ROWS; r++) {
        struct met_row *row = &fx->rows[d][r];
        memset(row, 0, sizeof *row);
        fill_columns(row, met_daily_columns, met_n_daily_columns, d, r);
        const int all = r == N_ROWS - 1;
        row->day = d;
        row->group = all ? -1 : r;
        /* a date on days 0 and 2 (2013-09-30, 2013-10-02), none on day 1 */
        row->date = d == 1 ? PARAMS_NO_DATE : 15978 + d;
        row->agents = agents[r];
        row->contacts = 0;
        for (int l = 0; l < N_LAYERS; l++) {
            struct met_layer_row *lr = &fx->lrows[d][r * N_LAYERS + l];
            memset(lr, 0, sizeof *lr);
            fill_columns(lr, met_layer_columns, met_n_layer_columns, d, r * N_LAYERS + l);
            lr->day = d;
            lr->group = row->group;
            lr->layer = l;
            lr->contacts = d * 10 + r * 2 + l;
            row->contacts += lr->contacts;
        }
        if (all) fx->lrows[d][r * N_LAYERS].ties = 16;
        row->ties_cut = all ? 2 : 1;
        row->largest_component_share = d ? NAN : (double[]){1.0, 0.5, 0.8}[r];
        for (int i = 0; i < MET_N_PCT; i++) row->score_p[i] = 1000;
        row->score_p[0] = r == 1 ? 1000 : 500;
        memset(row->tier, 0, sizeof row->tier); /* agent 3 in D, agent 1 in AAA */
        row->tier[TIER_D] = row->tier[TIER_AAA] = r != 1;
        row->tier[TIER_A] = agents[r] - 2 * (r != 1);
        row->listed = r != 1;
        row->interned = r != 0;
        row->silence_ratio = NAN;
        const int refused = d > 0 && r != 1;
        memset(row->sanction, 0, sizeof row->sanction);
        row->sanction[SA_TRAVEL] = refused;
        row->sanctions = refused;
        row->wrongful_sanctions = row->cross_context_sanctions = 0;
        row->cross_context_share = refused ? 0.0 : NAN;
        row->flights_refused_cum = r != 1 ? d : 0;
        row->di_listed = all ? NAN : r == 1 ? 0.0 : 1.0;
        row->di_sanctioned = all ? NAN : r == 1 ? (1.0 / 4) / (1.0 / 6) : 1.0;
        if (all) row->domain_mean[SUB_JUDICIAL] = 950, row->fear_mean = 0.05;
    }
}

/* The snapshot of the 10-agent world: home cliques {0,1,2} {3,4,5} {6,7}
 * {8,9}; work ties 2-3, 5-6, 0-7 and 1-8 (cut); agent 3 listed on
 * judicial points (score 500), agent 7 interned, agent 1 at 1050 (social
 * points), agent 9 a child, agent 0 online. */
static void snapshot_rows(struct fixture *fx)
{
    static const int64_t home[10] = {2, 2, 2, 2, 2, 2, 1, 1, 1, 1};
    static const int64_t work[10] = {1, 0, 1, 1, 0, 1, 1, 1, 0, 0};
    static const int64_t household[10] = {0, 0, 0, 1, 1, 1, 2, 2, 3, 3};
    for (int a = 0; a < 10; a++) {
        fx->degree[a][0] = home[a];
        fx->degree[a][1] = work[a];
        fx->agents[a] = (struct out_agent){
            .id = a,
            .group = a >= 6,
            .household = household[a],
            .child = a == 9,
            .online = a == 0,
            .attitude = 0.125 * (a % 8),
            .reliability = 0.75,
            .threshold = 0.25,
            .degree = home[a] + work[a],
            .fear = a == 3 ? 0.5 : 0,
            .score = a == 3   ? 500
                     : a == 1 ? 1050
                              : 1000,
            .financial = 1000,
            .judicial = a == 3 ? 500 : 1000,
            .social = a == 1 ? 1050 : 1000,
            .listed = a == 3,
            .interned = a == 7,
            .ever_sanctioned = a == 3 || a == 7,
            .genuine = a == 7,
        };
    }
}

int th_out_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->groups[0] = (struct out_group){.group = 0, .name = "majority", .share = 0.6, .agents = 6};
    fx->groups[1] =
        (struct out_group){.group = 1, .name = "other, \"minority\"", .share = 0.4, .agents = 4};
    fx->layers[0] = (struct out_layer){.layer = 0,
                                       .name = "home",
                                       .generator = out_generator_name(GEN_HOUSEHOLD),
                                       .contact = 0.5,
                                       .ties = 8,
                                       .mean_degree = 1.6};
    fx->layers[1] = (struct out_layer){.layer = 1,
                                       .name = "work",
                                       .generator = out_generator_name(GEN_WATTS_STROGATZ),
                                       .contact = 0.5,
                                       .ties = 4,
                                       .mean_degree = 0.8};
    /* a ramp from day 1 to 3, given first; a switch set on day 2 */
    fx->changes[0] = (struct out_change){.day = 1,
                                         .date = 15979,
                                         .day_to = 3,
                                         .date_to = 15981,
                                         .key = "scoring.integration",
                                         .kind = "ramp",
                                         .value_before = "0",
                                         .value = "0.2",
                                         .value_to = "0.6"};
    fx->changes[1] = (struct out_change){.day = 2,
                                         .date = PARAMS_NO_DATE,
                                         .day_to = INT64_MIN,
                                         .date_to = PARAMS_NO_DATE,
                                         .key = "sanctions.travel_ban.enabled",
                                         .kind = "set",
                                         .value_before = "false",
                                         .value = "true",
                                         .value_to = NULL};
    fx->run = (struct out_run){
        .name = "tiny",
        .scenario = "name: tiny\nseed: 7\n",
        .seed = 7,
        .days = 10,
        .agents = 10,
        .threads = 1,
        .version = SS_VERSION,
        .started = "2023-11-14T22:13:20Z",
        .finished = "2023-11-14T22:14:20Z",
        .build_seconds = 1.5,
        .run_seconds = 2.5,
        .wall_seconds = 4.0,
        .peak_memory_bytes = 12345,
        .alloc_peak_bytes = 678,
        .estimate_bytes = 1000,
        .host_cores = 2,
    };
    for (int d = 0; d < N_DAYS; d++) day_rows(fx, d);
    snapshot_rows(fx);
    th_tmpdir(fx->dir, sizeof fx->dir, "test-output");
    *state = fx;
    return 0;
}

int th_out_teardown(void **state)
{
    struct fixture *fx = *state;
    out_abort(&fx->out);
    int rc = th_remove_tree(fx->dir);
    free(fx);
    return rc;
}

/* The files of a finished run, as th_list_dir lists them. */
const char *th_out_finished_files(int snapshot)
{
    return snapshot ? "agent_degree.csv agents.csv daily.csv daily_layer.csv groups.csv layers.csv "
                      "ratios.csv results.sqlite run.csv schedule.csv"
                    : "daily.csv daily_layer.csv groups.csv layers.csv ratios.csv results.sqlite "
                      "run.csv schedule.csv";
}

/* Only the database's temporary name, with our pid (the CSVs are written
 * from it when it is complete); with previous, the finished files of an
 * earlier run, untouched until the rename. */
void th_out_assert_only_temp_files(const char *dir, int previous, int snapshot)
{
    char have[4096], want[512];
    th_list_dir(dir, have, sizeof have);
    snprintf(want, sizeof want, ".results.sqlite.tmp-%ld%s%s", (long)getpid(), previous ? " " : "",
             previous ? th_out_finished_files(snapshot) : "");
    assert_string_equal(have, want);
}

int th_out_open(struct fixture *fx, const char *dir, struct ss_error *err)
{
    return out_open(&fx->out, dir, fx->groups, 2, fx->layers, N_LAYERS, fx->changes, 2,
                    fx->snapshot, 0, err);
}

/* dir/a/b: parents are created. */
void th_out_results_dir(const struct fixture *fx, char *dir, size_t size)
{
    snprintf(dir, size, "%s/a/b", fx->dir);
}

/* Open, three days (and the snapshot), close; previous: a run already
 * finished there. */
void th_out_write_three_days(struct fixture *fx, int previous)
{
    struct ss_error err = {0};
    char dir[512];
    th_out_results_dir(fx, dir, sizeof dir);
    if (th_out_open(fx, dir, &err) != SS_OK) fail_msg("out_open: %s", err.msg);
    th_out_assert_only_temp_files(dir, previous, fx->snapshot);
    for (int d = 0; d < N_DAYS; d++)
        if (out_day(&fx->out, fx->rows[d], N_ROWS, fx->lrows[d], N_ROWS * N_LAYERS, &err) != SS_OK)
            fail_msg("out_day: %s", err.msg);
    for (int a = 0; fx->snapshot && a < 10; a++)
        if (out_agent(&fx->out, &fx->agents[a], fx->degree[a], &err) != SS_OK)
            fail_msg("out_agent: %s", err.msg);
    th_out_assert_only_temp_files(dir, previous, fx->snapshot);
    if (out_close(&fx->out, &fx->run, &err) != SS_OK) fail_msg("out_close: %s", err.msg);
    char have[4096];
    th_list_dir(dir, have, sizeof have);
    assert_string_equal(have, th_out_finished_files(fx->snapshot));
    /* after out_close, out_abort must not touch the finished files */
    out_abort(&fx->out);
    th_list_dir(dir, have, sizeof have);
    assert_string_equal(have, th_out_finished_files(fx->snapshot));
}

/* The bits of x: reals must come back bit for bit. */
uint64_t th_out_bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

struct th_out_given th_out_given_value(const struct met_column *col, const void *row)
{
    static const char *const groups[2] = {"majority", "other, \"minority\""};
    static const char *const layers[N_LAYERS] = {"home", "work"};
    const char *at = (const char *)row + col->offset;
    struct th_out_given v = {col->type, 0, 0, NULL};
    int32_t i32;
    switch (col->type) {
    case MET_INT:
        if (col->is_int32) {
            memcpy(&i32, at, sizeof i32);
            v.i = i32;
        } else {
            memcpy(&v.i, at, sizeof v.i);
        }
        break;
    case MET_REAL:
        memcpy(&v.x, at, sizeof v.x);
        break;
    case MET_GROUP_NAME:
    case MET_LAYER_NAME:
        memcpy(&i32, at, sizeof i32);
        v.kind = MET_TEXT;
        v.text = col->type == MET_LAYER_NAME ? layers[i32] : i32 < 0 ? "all" : groups[i32];
        break;
    case MET_DATE: /* written out here: the rows' dates are 15978 + day or none */
        memcpy(&i32, at, sizeof i32);
        v.kind = i32 == PARAMS_NO_DATE ? MET_REAL : MET_TEXT;
        v.x = NAN;
        v.text = i32 == 15978 ? "2013-09-30" : i32 == 15980 ? "2013-10-02" : "?";
        break;
    default:
        fail_msg("column %s: unexpected type %d", col->name, col->type);
    }
    return v;
}
