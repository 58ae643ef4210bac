/*
 * test_output.c - results.sqlite and the CSV of each of its tables
 * (output.c, store.c): rows handed to
 * out_open / out_day / out_agent / out_close by the test, as the driver
 * (run/sim.c) hands them, written into a fresh temporary folder and read
 * back with SQLite and as text: every column of every daily row comes back
 * as it was given (NULL for NaN, reals with all their bits) in both files;
 * the static tables (the schedule's changes too), the snapshot and the
 * run row; every table's CSV
 * holds its rows; the temporary names before out_close, nothing left
 * behind by out_abort, a second run replacing the first (and, with
 * replace, what a sweep had left there), and I/O errors that name the
 * path.
 *
 * The rows describe a 10-agent world of two groups (0-5 and 6-9, the
 * second named with a comma and quotes, to be quoted in the CSV) and two
 * layers, as the measurement would have measured it over three days; the
 * measurement itself is test_metrics*.c's, the snapshot's rows
 * test_sim.c's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
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

static int setup(void **state)
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

static int teardown(void **state)
{
    struct fixture *fx = *state;
    out_abort(&fx->out);
    int rc = th_remove_tree(fx->dir);
    free(fx);
    return rc;
}

/* The files of a finished run, as th_list_dir lists them. */
static const char *finished_files(int snapshot)
{
    return snapshot ? "agent_degree.csv agents.csv daily.csv daily_layer.csv groups.csv layers.csv "
                      "ratios.csv results.sqlite run.csv schedule.csv"
                    : "daily.csv daily_layer.csv groups.csv layers.csv ratios.csv results.sqlite "
                      "run.csv schedule.csv";
}

/* Only the database's temporary name, with our pid (the CSVs are written
 * from it when it is complete); with previous, the finished files of an
 * earlier run, untouched until the rename. */
static void assert_only_temp_files(const char *dir, int previous, int snapshot)
{
    char have[4096], want[512];
    th_list_dir(dir, have, sizeof have);
    snprintf(want, sizeof want, ".results.sqlite.tmp-%ld%s%s", (long)getpid(), previous ? " " : "",
             previous ? finished_files(snapshot) : "");
    assert_string_equal(have, want);
}

static int open_output(struct fixture *fx, const char *dir, struct ss_error *err)
{
    return out_open(&fx->out, dir, fx->groups, 2, fx->layers, N_LAYERS, fx->changes, 2,
                    fx->snapshot, 0, err);
}

/* dir/a/b: parents are created. */
static void results_dir(const struct fixture *fx, char *dir, size_t size)
{
    snprintf(dir, size, "%s/a/b", fx->dir);
}

/* Open, three days (and the snapshot), close; previous: a run already
 * finished there. */
static void write_three_days(struct fixture *fx, int previous)
{
    struct ss_error err = {0};
    char dir[512];
    results_dir(fx, dir, sizeof dir);
    if (open_output(fx, dir, &err) != SS_OK) fail_msg("out_open: %s", err.msg);
    assert_only_temp_files(dir, previous, fx->snapshot);
    for (int d = 0; d < N_DAYS; d++)
        if (out_day(&fx->out, fx->rows[d], N_ROWS, fx->lrows[d], N_ROWS * N_LAYERS, &err) != SS_OK)
            fail_msg("out_day: %s", err.msg);
    for (int a = 0; fx->snapshot && a < 10; a++)
        if (out_agent(&fx->out, &fx->agents[a], fx->degree[a], &err) != SS_OK)
            fail_msg("out_agent: %s", err.msg);
    assert_only_temp_files(dir, previous, fx->snapshot);
    if (out_close(&fx->out, &fx->run, &err) != SS_OK) fail_msg("out_close: %s", err.msg);
    char have[4096];
    th_list_dir(dir, have, sizeof have);
    assert_string_equal(have, finished_files(fx->snapshot));
    /* after out_close, out_abort must not touch the finished files */
    out_abort(&fx->out);
    th_list_dir(dir, have, sizeof have);
    assert_string_equal(have, finished_files(fx->snapshot));
}

/* The bits of x: reals must come back bit for bit. */
static uint64_t bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* Column col of a row struct as the files must hold it. */
struct given {
    int kind;         /* MET_INT, MET_REAL or MET_TEXT (a group or layer name) */
    int64_t i;        /* MET_INT */
    double x;         /* MET_REAL; NaN for NULL */
    const char *text; /* MET_TEXT */
};

static struct given given_value(const struct met_column *col, const void *row)
{
    static const char *const groups[2] = {"majority", "other, \"minority\""};
    static const char *const layers[N_LAYERS] = {"home", "work"};
    const char *at = (const char *)row + col->offset;
    struct given v = {col->type, 0, 0, NULL};
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

/* Every column of every row of table (daily or daily_layer) in the
 * database as the rows gave it: integers equal, reals with the same bits,
 * NaN as NULL, names by index. Each row is found by its key (day, group
 * and, in daily_layer, layer: the first int32 fields of both structs). */
static void assert_table_round_trip(sqlite3 *db, const char *table, const struct met_column *cols,
                                    size_t n_cols, const void *rows, size_t size, size_t n_rows)
{
    const int by_layer = !strcmp(table, "daily_layer");
    for (size_t r = 0; r < n_rows; r++) {
        const char *row = (const char *)rows + r * size;
        int32_t key[3];
        memcpy(key, row, sizeof key);
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT * FROM %s WHERE day = %d AND \"group\" = %d%s", table,
                 key[0], key[1], by_layer ? " AND layer = " : "");
        if (by_layer) snprintf(sql + strlen(sql), sizeof sql - strlen(sql), "%d", key[2]);
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal((size_t)sqlite3_column_count(st), n_cols);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        for (size_t c = 0; c < n_cols; c++) {
            const struct met_column *col = &cols[c];
            assert_string_equal(sqlite3_column_name(st, (int)c), col->name);
            const int k = (int)c, type = sqlite3_column_type(st, k);
            const struct given v = given_value(col, row);
            if (v.kind == MET_INT) {
                assert_int_equal(type, SQLITE_INTEGER);
                if (sqlite3_column_int64(st, k) != v.i)
                    fail_msg("%s row %zu %s: %lld, given %lld", table, r, col->name,
                             (long long)sqlite3_column_int64(st, k), (long long)v.i);
            } else if (v.kind == MET_REAL && isnan(v.x)) {
                if (type != SQLITE_NULL) fail_msg("%s row %zu %s: not NULL", table, r, col->name);
            } else if (v.kind == MET_REAL) {
                double y = sqlite3_column_double(st, k);
                assert_int_equal(type, SQLITE_FLOAT);
                if (bits(v.x) != bits(y))
                    fail_msg("%s row %zu %s: %.17g, given %.17g", table, r, col->name, y, v.x);
            } else {
                assert_int_equal(type, SQLITE_TEXT);
                assert_string_equal((const char *)sqlite3_column_text(st, k), v.text);
            }
        }
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
}

static void test_sqlite_tables(void **state)
{
    struct fixture *fx = *state;
    fx->snapshot = 1;
    write_three_days(fx, 0);
    char dir[512], text[256];
    results_dir(fx, dir, sizeof dir);
    sqlite3 *db = th_open_results(dir);

    assert_int_equal(th_query_int(db, "SELECT count(*) FROM run"), 1);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM groups"), 2);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM layers"), 2);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily"), 3 * 3);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily_layer"), 3 * 3 * 2);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM agents"), 10);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM agent_degree"), 20);

    /* run: every column as given */
    th_query_text(db, "SELECT version FROM run", text, sizeof text);
    assert_string_equal(text, SS_VERSION);
    th_query_text(db, "SELECT name FROM run", text, sizeof text);
    assert_string_equal(text, "tiny");
    th_query_text(db, "SELECT scenario FROM run", text, sizeof text);
    assert_string_equal(text, "name: tiny\nseed: 7\n");
    th_query_text(db, "SELECT started FROM run", text, sizeof text);
    assert_string_equal(text, "2023-11-14T22:13:20Z");
    th_query_text(db, "SELECT finished FROM run", text, sizeof text);
    assert_string_equal(text, "2023-11-14T22:14:20Z");
    assert_int_equal(th_query_int(db, "SELECT seed FROM run"), 7);
    assert_int_equal(th_query_int(db, "SELECT days FROM run"), 10);
    assert_int_equal(th_query_int(db, "SELECT agents FROM run"), 10);
    assert_int_equal(th_query_int(db, "SELECT threads FROM run"), 1);
    assert_int_equal(th_query_int(db, "SELECT estimate_bytes FROM run"), 1000);
    assert_int_equal(th_query_int(db, "SELECT build_seconds = 1.5 AND run_seconds = 2.5 AND "
                                      "wall_seconds = 4.0 FROM run"),
                     1);
    assert_int_equal(th_query_int(db, "SELECT peak_memory_bytes FROM run"), 12345);
    assert_int_equal(th_query_int(db, "SELECT alloc_peak_bytes FROM run"), 678);
    assert_int_equal(th_query_int(db, "SELECT host_cores FROM run"), 2);

    /* groups and layers */
    th_query_text(db, "SELECT name FROM groups WHERE \"group\" = 1", text, sizeof text);
    assert_string_equal(text, "other, \"minority\"");
    assert_int_equal(th_query_int(db, "SELECT agents FROM groups WHERE \"group\" = 0"), 6);
    assert_int_equal(th_query_int(db, "SELECT share = 0.4 FROM groups WHERE \"group\" = 1"), 1);
    th_query_text(db, "SELECT generator FROM layers WHERE layer = 1", text, sizeof text);
    assert_string_equal(text, "watts_strogatz");
    th_query_text(db, "SELECT generator FROM layers WHERE layer = 0", text, sizeof text);
    assert_string_equal(text, "household");
    assert_int_equal(th_query_int(db, "SELECT ties FROM layers WHERE layer = 1"), 4);
    assert_int_equal(th_query_int(db, "SELECT mean_degree = 1.6 FROM layers WHERE layer = 0"), 1);
    assert_int_equal(th_query_int(db, "SELECT contact = 0.5 FROM layers WHERE layer = 1"), 1);

    /* schedule: both changes in day order; a set's ends and a missing
     * date NULL */
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM schedule"), 2);
    th_query_text(db,
                  "SELECT group_concat(day || ' ' || ifnull(date, '-') || ' ' || ifnull(day_to, "
                  "'-') || ' ' || ifnull(date_to, '-') || ' ' || key || ' ' || kind || ' ' || "
                  "value_before || ' ' || value || ' ' || ifnull(value_to, '-'), '; ') FROM "
                  "schedule",
                  text, sizeof text);
    assert_string_equal(text, "1 2013-10-01 3 2013-10-03 scoring.integration ramp 0 0.2 0.6; "
                              "2 - - - sanctions.travel_ban.enabled set false true -");

    /* daily: date after day, group_name right after group, 'all' for -1,
     * NULL for NaN and for no date */
    th_query_text(db, "SELECT name FROM pragma_table_info('daily') WHERE cid = 1", text,
                  sizeof text);
    assert_string_equal(text, "date");
    th_query_text(db, "SELECT name FROM pragma_table_info('daily') WHERE cid = 2", text,
                  sizeof text);
    assert_string_equal(text, "group");
    th_query_text(db, "SELECT name FROM pragma_table_info('daily') WHERE cid = 3", text,
                  sizeof text);
    assert_string_equal(text, "group_name");
    th_query_text(db, "SELECT date FROM daily WHERE day = 2 AND \"group\" = -1", text, sizeof text);
    assert_string_equal(text, "2013-10-02");
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily WHERE date IS NULL"), 3);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM pragma_table_info('daily')"),
                     (int64_t)met_n_daily_columns);
    th_query_text(db, "SELECT group_name FROM daily WHERE day = 1 AND \"group\" = -1", text,
                  sizeof text);
    assert_string_equal(text, "all");
    assert_int_equal(th_query_int(db, "SELECT agents FROM daily WHERE day = 2 AND \"group\" = -1"),
                     10);
    assert_int_equal(th_query_int(db, "SELECT contacts FROM daily WHERE day = 2 AND \"group\" = 0"),
                     20 + 21);
    assert_int_equal(
        th_query_int(db, "SELECT ties_cut FROM daily WHERE day = 0 AND \"group\" = -1"), 2);
    assert_int_equal(th_query_int(db, "SELECT largest_component_share = 0.8 FROM daily "
                                      "WHERE day = 0 AND \"group\" = -1"),
                     1);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily WHERE day > 0 AND "
                                      "largest_component_share IS NULL"),
                     6);
    assert_int_equal(th_query_int(db, "SELECT typeof(attitude_mean) = 'real' FROM daily "
                                      "WHERE day = 0 AND \"group\" = 1"),
                     1);

    /* scores, tiers, the list, sums, NULLs */
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily WHERE score_p50 = 1000 AND "
                                      "score_p1 = CASE \"group\" WHEN 1 THEN 1000 ELSE 500 END"),
                     9);
    assert_int_equal(th_query_int(db, "SELECT tier_d FROM daily WHERE day = 1 AND \"group\" = 0"),
                     1);
    assert_int_equal(
        th_query_int(db, "SELECT tier_aaa FROM daily WHERE day = 1 AND \"group\" = -1"), 1);
    assert_int_equal(th_query_int(db, "SELECT listed + interned FROM daily WHERE day = 2 AND "
                                      "\"group\" = -1"),
                     2);
    assert_int_equal(th_query_int(db, "SELECT flights_refused_cum FROM daily WHERE day = 2 AND "
                                      "\"group\" = 0"),
                     2);
    assert_int_equal(
        th_query_int(db, "SELECT sanctions FROM daily WHERE day = 2 AND \"group\" = 1"), 0);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily WHERE silence_ratio IS NULL"),
                     9); /* no criticism would have been posted */
    /* disparate impact against group 0 (the larger share): NULL for 'all' */
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily WHERE di_listed IS NULL AND "
                                      "di_sanctioned IS NULL"),
                     3);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily WHERE di_listed IS NULL AND "
                                      "\"group\" = -1"),
                     3);
    assert_int_equal(th_query_int(db, "SELECT di_listed = 0.0 AND di_sanctioned = (1.0 / 4) / "
                                      "(1.0 / 6) FROM daily WHERE day = 1 AND \"group\" = 1"),
                     1);
    /* a share of 0 where there were sanctions (days 1, 2; group 0 and all) */
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily WHERE cross_context_share = 0"),
                     4);
    assert_int_equal(
        th_query_int(db, "SELECT count(*) FROM daily WHERE cross_context_share IS NULL"), 5);
    assert_int_equal(th_query_int(db, "SELECT judicial_mean = 950 AND fear_mean = 0.05 FROM daily "
                                      "WHERE day = 0 AND \"group\" = -1"),
                     1);

    /* daily_layer */
    th_query_text(db,
                  "SELECT layer_name FROM daily_layer WHERE day = 0 AND \"group\" = 1 "
                  "AND layer = 1",
                  text, sizeof text);
    assert_string_equal(text, "work");
    assert_int_equal(th_query_int(db, "SELECT ties FROM daily_layer WHERE day = 0 AND "
                                      "\"group\" = -1 AND layer = 0"),
                     16);
    assert_int_equal(th_query_int(db, "SELECT contacts FROM daily_layer WHERE day = 1 AND "
                                      "\"group\" = -1 AND layer = 1"),
                     15);

    /* every column of every row, as given */
    assert_table_round_trip(db, "daily", met_daily_columns, met_n_daily_columns, fx->rows,
                            sizeof fx->rows[0][0], N_DAYS * N_ROWS);
    assert_table_round_trip(db, "daily_layer", met_layer_columns, met_n_layer_columns, fx->lrows,
                            sizeof fx->lrows[0][0], N_DAYS * N_ROWS * N_LAYERS);

    /* agents */
    assert_int_equal(th_query_int(db, "SELECT degree FROM agents WHERE id = 0"), 3);
    assert_int_equal(th_query_int(db, "SELECT degree FROM agents WHERE id = 1"), 2);
    assert_int_equal(th_query_int(db, "SELECT child FROM agents WHERE id = 9"), 1);
    assert_int_equal(th_query_int(db, "SELECT \"group\" FROM agents WHERE id = 9"), 1);
    assert_int_equal(th_query_int(db, "SELECT household FROM agents WHERE id = 7"), 2);
    assert_int_equal(th_query_int(db, "SELECT degree FROM agent_degree WHERE id = 0 AND layer = 1"),
                     1);
    assert_int_equal(th_query_int(db, "SELECT score = 500 AND judicial = 500 AND financial = 1000 "
                                      "AND social = 1000 AND fear = 0.5 AND listed = 1 AND "
                                      "interned = 0 AND ever_sanctioned = 1 AND genuine = 0 "
                                      "FROM agents WHERE id = 3"),
                     1);
    assert_int_equal(th_query_int(db, "SELECT listed = 0 AND interned = 1 AND genuine = 1 "
                                      "FROM agents WHERE id = 7"),
                     1);
    assert_int_equal(th_query_int(db, "SELECT score = 1050 AND social = 1050 AND fear = 0 "
                                      "FROM agents WHERE id = 1"),
                     1);
    assert_int_equal(th_query_int(db, "SELECT attitude = 0.375 AND reliability = 0.75 AND "
                                      "threshold = 0.25 AND online = 0 FROM agents WHERE id = 3"),
                     1);
    assert_int_equal(th_query_int(db, "SELECT typeof(score) = 'real' FROM agents WHERE id = 0"), 1);
    assert_int_equal(th_query_int(db, "SELECT degree FROM agent_degree WHERE id = 8 AND layer = 1"),
                     0);
    /* each agent's degree is the sum of its layers' */
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM agents a WHERE a.degree != (SELECT "
                                      "sum(d.degree) FROM agent_degree d WHERE d.id = a.id)"),
                     0);
    sqlite3_close(db);
}

/* Split a CSV line (RFC 4180 quoting, no embedded newlines) into its
 * fields, unquoted, in buf; returns the count. */
static int csv_fields(const char *line, char fields[][64], int max)
{
    int n = 0, in_q = 0;
    size_t k = 0;
    for (const char *c = line;; c++) {
        if (*c == '"') {
            if (in_q && c[1] == '"') {
                if (n < max && k < 63) fields[n][k++] = '"';
                c++;
            } else {
                in_q = !in_q;
            }
        } else if ((*c == ',' && !in_q) || *c == '\n' || *c == '\0') {
            if (n < max) fields[n][k] = '\0';
            n++;
            k = 0;
            if (*c != ',') break;
        } else if (n < max && k < 63) {
            fields[n][k++] = *c;
        }
    }
    return n;
}

static int col_index(const char *name)
{
    return (int)(th_col_named(name) - met_daily_columns);
}

/* Field c of a CSV row as the row gave it: integers in decimal, reals
 * that read back to the same bits, NaN as an empty field, group names. */
static void assert_csv_field(const char *field, const struct met_row *row, size_t c)
{
    const struct met_column *col = &met_daily_columns[c];
    const struct given v = given_value(col, row);
    char want[64];
    if (v.kind == MET_INT) {
        snprintf(want, sizeof want, "%lld", (long long)v.i);
        if (strcmp(field, want) != 0) fail_msg("CSV %s: '%s', given %s", col->name, field, want);
    } else if (v.kind == MET_REAL && isnan(v.x)) {
        if (field[0]) fail_msg("CSV %s: '%s', given NaN (empty)", col->name, field);
    } else if (v.kind == MET_REAL) {
        double y = strtod(field, NULL);
        if (!field[0] || bits(v.x) != bits(y))
            fail_msg("CSV %s: '%s', given %.17g", col->name, field, v.x);
    } else {
        assert_string_equal(field, v.text);
    }
}

static void test_csv(void **state)
{
    struct fixture *fx = *state;
    write_three_days(fx, 0);
    char dir[512], path[600];
    results_dir(fx, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/daily.csv", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char line[65536], want[65536];
    static char fields[512][64];
    want[0] = '\0';
    for (size_t i = 0; i < met_n_daily_columns; i++) {
        if (i) strcat(want, ",");
        strcat(want, met_daily_columns[i].name);
    }
    strcat(want, "\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, want);

    int largest = col_index("largest_component_share"), p50 = col_index("score_p50");
    int cum = col_index("flights_refused_cum"), grp = col_index("group");
    int grp_name = col_index("group_name");
    int rows = 0, quoted = 0, all = 0, empty_largest = 0;
    while (fgets(line, sizeof line, f)) {
        assert_true(rows < N_DAYS * N_ROWS);
        /* rows in the table's key order: by day, then group ('all', -1,
         * first), where the rows were given with 'all' last */
        int k = rows % N_ROWS;
        const struct met_row *given = &fx->rows[rows / N_ROWS][k == 0 ? N_ROWS - 1 : k - 1];
        rows++;
        assert_non_null(strchr(line, '\n'));
        assert_int_equal(csv_fields(line, fields, 512), (int)met_n_daily_columns);
        quoted += !strcmp(fields[grp_name], "other, \"minority\"") &&
                  strstr(line, ",\"other, \"\"minority\"\"\",");
        all += !strcmp(fields[grp], "-1") && !strcmp(fields[grp_name], "all");
        empty_largest += fields[largest][0] == '\0'; /* NULL largest component */
        assert_string_equal(fields[p50], "1000");
        if (!strcmp(fields[0], "0") && !strcmp(fields[grp], "-1"))
            assert_string_equal(fields[largest], "0.80000000000000004");
        if (!strcmp(fields[0], "2") && !strcmp(fields[grp], "-1"))
            assert_string_equal(fields[cum], "2");
        /* every field, as the row was given */
        for (size_t c = 0; c < met_n_daily_columns; c++) assert_csv_field(fields[c], given, c);
    }
    fclose(f);
    assert_int_equal(rows, 3 * 3);
    assert_int_equal(quoted, 3);
    assert_int_equal(all, 3);
    assert_int_equal(empty_largest, 6); /* days 1 and 2 */
}

/* The next CSV record of f (a quoted field may hold line breaks) into
 * buf; 0 at the end. */
static int csv_record(FILE *f, char *buf, size_t size)
{
    size_t k = 0;
    int c, in_q = 0;
    while ((c = fgetc(f)) != EOF) {
        if (k + 1 < size) buf[k++] = (char)c;
        if (c == '"') in_q = !in_q;
        if (c == '\n' && !in_q) break;
    }
    buf[k] = '\0';
    return k > 0;
}

/* Every table's CSV: a header of its columns, then one record per row of
 * the table (the run's scenario text, with its line breaks, is one
 * quoted field), its first field the table's first column, row by row in
 * the table's order. */
static void test_csv_every_table(void **state)
{
    struct fixture *fx = *state;
    fx->snapshot = 1;
    write_three_days(fx, 0);
    char dir[512], path[600], line[65536];
    results_dir(fx, dir, sizeof dir);
    sqlite3 *db = th_open_results(dir);
    const char *tables[] = {"run",   "groups",      "layers", "schedule",
                            "daily", "daily_layer", "agents", "agent_degree"};
    for (size_t t = 0; t < (fx->snapshot ? 8u : 6u); t++) {
        snprintf(path, sizeof path, "%s/%s.csv", dir, tables[t]);
        FILE *f = fopen(path, "r");
        if (!f) fail_msg("no %s", path);
        char sql[256], want[4096] = "";
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", tables[t]);
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            if (i) strcat(want, ",");
            strcat(want, sqlite3_column_name(st, i));
        }
        strcat(want, "\n");
        assert_true(csv_record(f, line, sizeof line));
        assert_string_equal(line, want);
        int rows = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            assert_true(csv_record(f, line, sizeof line));
            char first[64];
            snprintf(first, sizeof first, "%lld,", (long long)sqlite3_column_int64(st, 0));
            if (sqlite3_column_type(st, 0) == SQLITE_INTEGER && strncmp(line, first, strlen(first)))
                fail_msg("%s.csv row %d: '%.40s', the table's starts %s", tables[t], rows, line,
                         first);
            rows++;
        }
        assert_false(csv_record(f, line, sizeof line)); /* no more records than rows */
        assert_true(rows > 0);
        sqlite3_finalize(st);
        fclose(f);
    }
    sqlite3_close(db);
}

/* With replace (--force), what earlier results of another kind left (a
 * sweep's summary.csv, runs/, report.html, its lock) is gone once the run
 * completes; without it, files that are not results stay either way. */
static void test_replace_clears_other_results(void **state)
{
    struct fixture *fx = *state;
    struct ss_error err = {0};
    char dir[512], path[700];
    results_dir(fx, dir, sizeof dir);
    const char *olds[] = {"summary.csv", "report.html", ".lock", "notes.txt", "runs/3/stderr.log"};
    snprintf(path, sizeof path, "%s/runs/3", dir);
    char cmd[800];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    assert_int_equal(system(cmd), 0);
    for (size_t i = 0; i < sizeof olds / sizeof olds[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, olds[i]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
    }
    assert_int_equal(open_output(fx, dir, &err), SS_OK);
    fx->out.replace = 1;
    for (int d = 0; d < N_DAYS; d++)
        assert_int_equal(
            out_day(&fx->out, fx->rows[d], N_ROWS, fx->lrows[d], N_ROWS * N_LAYERS, &err), SS_OK);
    for (int a = 0; fx->snapshot && a < 10; a++)
        assert_int_equal(out_agent(&fx->out, &fx->agents[a], fx->degree[a], &err), SS_OK);
    if (out_close(&fx->out, &fx->run, &err) != SS_OK) fail_msg("out_close: %s", err.msg);
    char have[4096], want[1024];
    th_list_dir(dir, have, sizeof have);
    snprintf(want, sizeof want, "%s", finished_files(fx->snapshot));
    /* notes.txt sorts after layers.csv, before ratios.csv */
    char *at = strstr(want, "ratios.csv");
    memmove(at + strlen("notes.txt "), at, strlen(at) + 1);
    memcpy(at, "notes.txt ", strlen("notes.txt "));
    assert_string_equal(have, want);
}

static void test_abort_leaves_nothing(void **state)
{
    struct fixture *fx = *state;
    struct ss_error err = {0};
    struct output zero = {0};
    out_abort(&zero); /* never opened: nothing to do */

    assert_int_equal(open_output(fx, fx->dir, &err), SS_OK);
    assert_int_equal(out_day(&fx->out, fx->rows[0], N_ROWS, fx->lrows[0], N_ROWS * N_LAYERS, &err),
                     SS_OK);
    assert_only_temp_files(fx->dir, 0, fx->snapshot);
    out_abort(&fx->out);
    char have[4096];
    th_list_dir(fx->dir, have, sizeof have);
    assert_string_equal(have, "");
    out_abort(&fx->out); /* twice is harmless */
}

/* A second run into the same folder replaces the first run's files. */
static void test_rerun_replaces(void **state)
{
    struct fixture *fx = *state;
    write_three_days(fx, 0);
    fx->run.seed = 99;
    write_three_days(fx, 1);
    char dir[512];
    results_dir(fx, dir, sizeof dir);
    sqlite3 *db = th_open_results(dir);
    assert_int_equal(th_query_int(db, "SELECT seed FROM run"), 99);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily"), 9);
    sqlite3_close(db);
}

static void test_unwritable_folder(void **state)
{
    struct fixture *fx = *state;
    struct ss_error err = {0};
    char file[512], dir[600];
    snprintf(file, sizeof file, "%s/plain-file", fx->dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);

    snprintf(dir, sizeof dir, "%s/sub/results", file); /* under a regular file */
    assert_int_equal(open_output(fx, dir, &err), SS_EIO);
    assert_int_equal(err.code, SS_EIO);
    assert_non_null(strstr(err.msg, dir));
    assert_non_null(strstr(err.msg, "Not a directory"));
    assert_null(fx->out.db);

    memset(&err, 0, sizeof err);
    assert_int_equal(open_output(fx, file, &err), SS_EIO); /* the folder is a file */
    assert_non_null(strstr(err.msg, file));

    char have[4096];
    th_list_dir(fx->dir, have, sizeof have);
    assert_string_equal(have, "plain-file");
}

/* Out of order: rows before out_open, the run before out_open, an agent
 * without a snapshot opened. Each is refused, and nothing is written. */
static void test_out_of_order(void **state)
{
    struct fixture *fx = *state;
    struct ss_error err = {0};
    struct output never = {0};
    assert_int_equal(out_day(&never, fx->rows[0], N_ROWS, fx->lrows[0], N_ROWS * N_LAYERS, &err),
                     SS_EINTERNAL);
    assert_int_equal(out_close(&never, &fx->run, &err), SS_EINTERNAL);
    fx->snapshot = 0;
    assert_int_equal(open_output(fx, fx->dir, &err), SS_OK);
    assert_int_equal(out_agent(&fx->out, &fx->agents[0], fx->degree[0], &err), SS_EINTERNAL);
    out_abort(&fx->out);
    char have[4096];
    th_list_dir(fx->dir, have, sizeof have);
    assert_string_equal(have, "");
}

static void test_docs(void **state)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(out_write_docs(f), SS_OK);
    long size = ftell(f);
    fclose(f);
    assert_true(size > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sqlite_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_every_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_clears_other_results, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rerun_replaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
        cmocka_unit_test(test_docs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
