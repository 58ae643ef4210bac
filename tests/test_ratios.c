/*
 * test_ratios.c - disparate impact with its counts (io/ratios.c): Katz's
 * interval of a ratio of pooled counts, by hand, for one run and for runs
 * that disagree (the dispersion factor); a count of 0 and a reference of
 * 0; an interval that is never below zero and always holds its ratio,
 * over every small count; and the ratios table built from a hand-made
 * experiment database (pooling per point, matching groups by name, failed
 * runs left out) and from a real run's results.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "io/ratios.h"

#define Z RATIO_Z975

static void assert_close(double got, double want, const char *what)
{
    if (!(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want))))
        fail_msg("%s = %.17g, expected %.17g", what, got, want);
}

static void test_one_run_by_hand(void **state)
{
    /* 5 of 100 against 20 of 1000: ratio 2.5, v = (1/5 - 1/100) + (1/20 -
     * 1/1000) = 0.239. */
    const int64_t x[] = {5}, n[] = {100}, y[] = {20}, k[] = {1000};
    struct ratio_stat s;
    ratio_of(x, n, y, k, 1, &s);
    assert_int_equal(s.a, 5);
    assert_int_equal(s.n1, 100);
    assert_int_equal(s.c, 20);
    assert_int_equal(s.n0, 1000);
    assert_close(s.ratio, 2.5, "ratio");
    assert_close(s.ci_low, 2.5 * exp(-Z * sqrt(0.239)), "ci_low");
    assert_close(s.ci_high, 2.5 * exp(Z * sqrt(0.239)), "ci_high");
    assert_true(s.phi1 == 1.0 && s.phi0 == 1.0);
    assert_int_equal(s.low_count, 1); /* 5 listed: below 10 */

    const int64_t x2[] = {50}, y2[] = {200}, k2[] = {10000};
    ratio_of(x2, n, y2, k2, 1, &s);
    assert_int_equal(s.low_count, 0);
    assert_close(s.ratio, 25.0, "ratio of 50/100 to 200/10000");
}

static void test_zero_and_undefined(void **state)
{
    struct ratio_stat s;
    /* none of the group: 0, from 0, the high end from half an agent */
    const int64_t x[] = {0}, n[] = {800}, y[] = {20}, k[] = {1000};
    ratio_of(x, n, y, k, 1, &s);
    assert_true(s.ratio == 0.0 && s.ci_low == 0.0);
    double v = (1 / 0.5 - 1 / 800.0) + (1 / 20.0 - 1 / 1000.0);
    assert_close(s.ci_high, (0.5 / 800) / 0.02 * exp(Z * sqrt(v)), "ci_high with 0");
    assert_int_equal(s.low_count, 1);
    /* none of the reference: undefined */
    const int64_t y0[] = {0};
    ratio_of(n, n, y0, k, 1, &s);
    assert_true(isnan(s.ratio) && isnan(s.ci_low) && isnan(s.ci_high));
    assert_int_equal(s.low_count, 1);
    /* no agents */
    const int64_t none[] = {0};
    ratio_of(none, none, y, k, 1, &s);
    assert_true(isnan(s.ratio));
}

/* Three runs of 1000 agents whose counts 10, 30, 20 disagree far more than
 * binomial sampling of p = 0.02 would: chi^2 = (100 + 100 + 0) / (20 x
 * 0.98), phi = chi^2 / 2; the reference's equal counts give phi 1. */
static void test_dispersion_by_hand(void **state)
{
    const int64_t x[] = {10, 30, 20}, n[] = {1000, 1000, 1000};
    const int64_t y[] = {100, 100, 100}, k[] = {1000, 1000, 1000};
    struct ratio_stat s;
    ratio_of(x, n, y, k, 3, &s);
    double phi = 200.0 / (20 * 0.98) / 2;
    assert_close(s.phi1, phi, "phi1");
    assert_true(s.phi0 == 1.0);
    assert_close(s.ratio, 0.2, "ratio");
    double v = phi * (1 / 60.0 - 1 / 3000.0) + (1 / 300.0 - 1 / 3000.0);
    assert_close(s.ci_low, 0.2 * exp(-Z * sqrt(v)), "ci_low");
    assert_close(s.ci_high, 0.2 * exp(Z * sqrt(v)), "ci_high");

    /* Runs that agree less than sampling would keep phi at 1, and the
     * interval of three runs pooled is narrower than one run's. */
    const int64_t same[] = {20, 20, 20};
    ratio_of(same, n, y, k, 3, &s);
    assert_true(s.phi1 == 1.0);
    struct ratio_stat one;
    ratio_of(same, n, y, k, 1, &one);
    assert_close(s.ratio, one.ratio, "pooled equal runs");
    assert_true(s.ci_high - s.ci_low < one.ci_high - one.ci_low);
}

/* The case: ratios from 1-6 listed agents. Over every small count
 * and a few sizes, the interval holds the ratio, is never below zero, and
 * low_count is set exactly below 10. */
static void test_never_below_zero(void **state)
{
    const int64_t sizes[] = {50, 800, 8209};
    for (int64_t a = 0; a <= 40; a++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            for (int64_t c = 1; c <= 40; c += 3) {
                const int64_t x[] = {a}, n[] = {sizes[i]}, y[] = {c}, k[] = {10000};
                if (a > sizes[i]) continue;
                struct ratio_stat s;
                ratio_of(x, n, y, k, 1, &s);
                if (!(s.ci_low >= 0.0 && s.ci_low <= s.ratio && s.ratio <= s.ci_high))
                    fail_msg("a %lld of %lld, c %lld: %g (%g to %g)", (long long)a,
                             (long long)sizes[i], (long long)c, s.ratio, s.ci_low, s.ci_high);
                assert_int_equal(s.low_count, a < 10 || c < 10);
            }
}

static void exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
}

/* An experiment's tables by hand: two points of two runs each (and a failed
 * run whose rows must not count), groups 'maj' (the reference, largest
 * share) and 'min'; point 1 numbers its groups the other way round; point
 * 2 (one run) gives 'min' the larger share, so it is that point's
 * reference. Each run has its own groups rows, as an experiment's. */
static void test_table_from_an_experiment(void **state)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    exec_sql(db, "CREATE TABLE groups (run INTEGER, \"group\" INTEGER, name TEXT, share REAL,"
                 " agents INTEGER);"
                 "INSERT INTO groups VALUES (0, 0, 'maj', 0.9, 900), (0, 1, 'min', 0.1, 100),"
                 " (1, 0, 'maj', 0.9, 900), (1, 1, 'min', 0.1, 100),"
                 " (2, 0, 'min', 0.1, 100), (2, 1, 'maj', 0.9, 900),"
                 " (3, 0, 'min', 0.1, 100), (3, 1, 'maj', 0.9, 900),"
                 " (5, 0, 'maj', 0.4, 400), (5, 1, 'min', 0.6, 600);"
                 "CREATE TABLE runs (run INTEGER, point INTEGER, replicate INTEGER, seed INTEGER,"
                 " status TEXT);"
                 "INSERT INTO runs VALUES (0, 0, 0, 1, 'done'), (1, 0, 1, 2, 'done'),"
                 " (2, 1, 0, 1, 'done'), (3, 1, 1, 2, 'done'), (4, 1, 2, 3, 'failed'),"
                 " (5, 2, 0, 1, 'done');"
                 "CREATE TABLE daily (run INTEGER, day INTEGER, \"group\" INTEGER, group_name TEXT,"
                 " agents INTEGER, listed INTEGER, ever_sanctioned INTEGER);"
                 "INSERT INTO daily VALUES"
                 " (0, 5, -1, 'all', 1000, 99, 99), (0, 5, 0, 'maj', 900, 18, 40),"
                 " (0, 5, 1, 'min', 100, 3, 6), (1, 5, 0, 'maj', 900, 27, 50),"
                 " (1, 5, 1, 'min', 100, 1, 9),"
                 " (2, 5, 1, 'maj', 900, 30, 60), (2, 5, 0, 'min', 100, 0, 10),"
                 " (3, 5, 1, 'maj', 900, 30, 60), (3, 5, 0, 'min', 100, 0, 10),"
                 " (4, 5, 1, 'maj', 900, 1, 1), (4, 5, 0, 'min', 100, 99, 99),"
                 " (5, 5, 0, 'maj', 400, 4, 8), (5, 5, 1, 'min', 600, 12, 12)");
    struct ss_error err = {0};
    exec_sql(db, "BEGIN");
    if (ratios_build(db, 1, &err) != SS_OK) fail_msg("ratios_build: %s", err.msg);
    exec_sql(db, "COMMIT");
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM ratios"), 6);
    assert_int_equal(
        th_query_int(db, "SELECT count(*) FROM ratios WHERE group_name = 'maj' AND point < 2"), 0);
    /* point 0, listed: (3 + 1) / 200 against (18 + 27) / 1800 = 0.8 */
    const char *p0 = "FROM ratios WHERE point = 0 AND metric = 'di_listed' AND day = 5";
    char q[256];
    snprintf(q, sizeof q,
             "SELECT count || ',' || agents || ',' || ref_count || ',' || ref_agents "
             "|| ',' || runs || ',' || low_count || ',' || \"group\" %s",
             p0);
    char text[128];
    th_query_text(db, q, text, sizeof text);
    assert_string_equal(text, "4,200,45,1800,2,1,1");
    snprintf(q, sizeof q, "SELECT ratio %s", p0);
    assert_close(th_query_real(db, q), 0.8, "pooled ratio");
    /* the dispersion by hand: counts 3 and 1 of 100 around 0.02 */
    double phi1 = ((1.0 * 1.0) / (2 * 0.98) + (1.0 * 1.0) / (2 * 0.98)) / 1;
    double phi0 = ((18 - 22.5) * (18 - 22.5) + (27 - 22.5) * (27 - 22.5)) / (22.5 * 0.975);
    snprintf(q, sizeof q, "SELECT dispersion %s", p0);
    assert_close(th_query_real(db, q), phi1, "dispersion");
    snprintf(q, sizeof q, "SELECT ref_dispersion %s", p0);
    assert_close(th_query_real(db, q), phi0, "ref_dispersion");
    double v = phi1 * (1 / 4.0 - 1 / 200.0) + phi0 * (1 / 45.0 - 1 / 1800.0);
    snprintf(q, sizeof q, "SELECT ci_low %s", p0);
    assert_close(th_query_real(db, q), 0.8 * exp(-Z * sqrt(v)), "ci_low");
    /* point 1 (groups numbered the other way, the failed run left out):
     * none of min listed, ratio 0 from 0; sanctioned (10+10)/200 against
     * 120/1800 = 1.5 */
    assert_true(th_query_real(db, "SELECT ratio FROM ratios WHERE point = 1 AND metric = "
                                  "'di_listed'") == 0.0);
    assert_true(th_query_real(db, "SELECT ci_low FROM ratios WHERE point = 1 AND metric = "
                                  "'di_listed'") == 0.0);
    /* numbered as point 1 numbers it */
    assert_int_equal(th_query_int(db, "SELECT \"group\" FROM ratios WHERE point = 1 LIMIT 1"), 0);
    assert_close(th_query_real(db, "SELECT ratio FROM ratios WHERE point = 1 AND metric = "
                                   "'di_sanctioned'"),
                 1.5, "point 1 sanctioned");
    assert_int_equal(th_query_int(db, "SELECT runs FROM ratios WHERE point = 1 AND metric = "
                                      "'di_sanctioned'"),
                     2);
    /* point 2: its own reference, 'min'; listed (4 / 400) / (12 / 600) = 0.5 */
    th_query_text(db,
                  "SELECT group_concat(group_name || ':' || \"group\") FROM ratios WHERE point = 2",
                  text, sizeof text);
    assert_string_equal(text, "maj:0,maj:0");
    assert_close(th_query_real(db, "SELECT ratio FROM ratios WHERE point = 2 AND metric = "
                                   "'di_listed'"),
                 0.5, "point 2 listed, against its own reference");
    /* built again: replaced, not appended */
    exec_sql(db, "BEGIN");
    assert_int_equal(ratios_build(db, 1, &err), SS_OK);
    exec_sql(db, "COMMIT");
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM ratios"), 6);
    sqlite3_close(db);
}

/* A real run's results: one ratios row per day, group but the reference
 * and metric, agreeing with the daily table's own di columns and counts. */
static void test_table_of_a_run(void **state)
{
    const int days = 6;
    struct scenario *s = th_scenario(th_sanitized() ? 1500 : 3000, days, NULL);
    char dir[256];
    th_tmpdir(dir, sizeof dir, "test-ratios");
    th_run_into(s, 1, dir);
    sqlite3 *db = th_open_results(dir);
    int64_t groups = th_query_int(db, "SELECT count(*) FROM groups");
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM ratios"),
                     (days + 1) * (groups - 1) * 2);
    assert_int_equal(th_query_int(db,
                                  "SELECT count(*) FROM ratios r JOIN daily d ON d.day = r.day "
                                  "AND d.\"group\" = r.\"group\" WHERE r.runs != 1 OR "
                                  "r.agents != d.agents OR (r.metric = 'di_listed' AND "
                                  "r.count != d.listed) OR (r.metric = 'di_sanctioned' AND "
                                  "r.count != d.ever_sanctioned) OR (r.metric = 'di_listed' AND "
                                  "abs(coalesce(r.ratio, -1) - coalesce(d.di_listed, -1)) > "
                                  "1e-12) OR r.ci_low < 0"),
                     0);
    sqlite3_close(db);
    char have[1024];
    th_list_dir(dir, have, sizeof have);
    assert_non_null(strstr(have, "ratios.csv"));
    assert_int_equal(th_remove_tree(dir), 0);
    scn_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_run_by_hand),          cmocka_unit_test(test_zero_and_undefined),
        cmocka_unit_test(test_dispersion_by_hand),       cmocka_unit_test(test_never_below_zero),
        cmocka_unit_test(test_table_from_an_experiment), cmocka_unit_test(test_table_of_a_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
