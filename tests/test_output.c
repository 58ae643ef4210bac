/*
 * test_output.c - what results.sqlite and the CSV of each of its tables
 * hold (output.c, store.c): rows handed to out_open / out_day / out_agent
 * / out_close by the test, as the driver (run/sim.c) hands them, written
 * into a fresh temporary folder and read back with SQLite and as text:
 * every column of every daily row comes back as it was given (NULL for
 * NaN, reals with all their bits) in both files; the static tables (the
 * schedule's changes too), the snapshot and the run row; every table's
 * CSV holds its rows. The folder's life (temporary names, abort, replace,
 * errors) is test_output_files.c's.
 *
 * The rows (harness_output.c) describe a 10-agent world of two groups
 * (0-5 and 6-9, the second named with a comma and quotes, to be quoted in
 * the CSV) and two layers, as the measurement would have measured it over
 * three days; the measurement itself is test_metrics*.c's, the snapshot's
 * rows test_sim.c's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "harness_output.h"
#include "io/output.h"

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
            const struct th_out_given v = th_out_given_value(col, row);
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
                if (th_out_bits(v.x) != th_out_bits(y))
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
    th_out_write_three_days(fx, 0);
    char dir[512], text[256];
    th_out_results_dir(fx, dir, sizeof dir);
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
    const struct th_out_given v = th_out_given_value(col, row);
    char want[64];
    if (v.kind == MET_INT) {
        snprintf(want, sizeof want, "%lld", (long long)v.i);
        if (strcmp(field, want) != 0) fail_msg("CSV %s: '%s', given %s", col->name, field, want);
    } else if (v.kind == MET_REAL && isnan(v.x)) {
        if (field[0]) fail_msg("CSV %s: '%s', given NaN (empty)", col->name, field);
    } else if (v.kind == MET_REAL) {
        double y = strtod(field, NULL);
        if (!field[0] || th_out_bits(v.x) != th_out_bits(y))
            fail_msg("CSV %s: '%s', given %.17g", col->name, field, v.x);
    } else {
        assert_string_equal(field, v.text);
    }
}

static void test_csv(void **state)
{
    struct fixture *fx = *state;
    th_out_write_three_days(fx, 0);
    char dir[512], path[600];
    th_out_results_dir(fx, dir, sizeof dir);
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
    th_out_write_three_days(fx, 0);
    char dir[512], path[600], line[65536];
    th_out_results_dir(fx, dir, sizeof dir);
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
        cmocka_unit_test_setup_teardown(test_sqlite_tables, th_out_setup, th_out_teardown),
        cmocka_unit_test_setup_teardown(test_csv, th_out_setup, th_out_teardown),
        cmocka_unit_test_setup_teardown(test_csv_every_table, th_out_setup, th_out_teardown),
        cmocka_unit_test(test_docs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
