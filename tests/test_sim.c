/*
 * test_sim.c - the whole pipeline through the public API: a run's results
 * are read back from SQLite and CSV; results are bit-identical for 1 and 2
 * threads; a scenario too large for the memory limit is refused before
 * anything is built; an interrupted run leaves no finished-looking file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <omp.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/scenario.h"
#include "run/sim.h"

/* Sanitizers slow everything ~10x: keep the sizes honest but small. */
static uint32_t test_agents(void)
{
    return getenv("SCORESIM_SANITIZED") ? 4000 : 30000;
}

static struct scenario *seed_scenario(uint32_t agents, int days)
{
    struct ss_error err = {0};
    struct scenario *s = NULL;
    char a[64], d[64];
    snprintf(a, sizeof a, "population.agents=%u", agents);
    snprintf(d, sizeof d, "days=%d", days);
    assert_int_equal(scn_new_default(&s, &err), SS_OK);
    assert_int_equal(scn_set(s, a, &err), SS_OK);
    assert_int_equal(scn_set(s, d, &err), SS_OK);
    assert_int_equal(scn_finish(s, &err), SS_OK);
    return s;
}

static void make_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/scoresim-test-XXXXXX");
    assert_non_null(mkdtemp(buf));
}

static int file_exists(const char *dir, const char *name)
{
    char p[2048];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void run_into(const struct scenario *s, int threads, const char *dir)
{
    struct sim_options o = {.threads = threads, .out_dir = dir};
    struct ss_error err = {0};
    struct sim *sim = NULL;
    int rc = sim_create(&sim, s, &o, &err);
    if (rc != SS_OK) ss_error_print(&err, stderr);
    assert_int_equal(rc, SS_OK);
    rc = sim_run(sim, &err);
    if (rc != SS_OK) ss_error_print(&err, stderr);
    assert_int_equal(rc, SS_OK);
    sim_free(sim);
}

static sqlite3 *open_results(const char *dir)
{
    char p[2048];
    sqlite3 *db = NULL;
    snprintf(p, sizeof p, "%s/results.sqlite", dir);
    assert_int_equal(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    return db;
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static double query_real(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Run, then read everything back. */
static void test_end_to_end(void **state)
{
    const int days = 12;
    const uint32_t agents = test_agents();
    struct scenario *s = seed_scenario(agents, days);
    char dir[256];
    make_tmpdir(dir, sizeof dir);
    run_into(s, 2, dir);
    assert_true(file_exists(dir, "results.sqlite"));
    assert_true(file_exists(dir, "daily.csv"));
    assert_int_equal(count_entries(dir), 2); /* no temporary file left behind */

    sqlite3 *db = open_results(dir);
    assert_int_equal(query_int(db, "SELECT count(*) FROM run"), 1);
    assert_int_equal(query_int(db, "SELECT seed FROM run"), 1);
    assert_int_equal(query_int(db, "SELECT agents FROM run"), agents);
    assert_int_equal(query_int(db, "SELECT days FROM run"), days);
    assert_true(query_int(db, "SELECT peak_memory_bytes FROM run") > 1000000);
    assert_true(query_real(db, "SELECT wall_seconds FROM run") > 0);
    assert_true(query_int(db, "SELECT length(scenario) FROM run") > 1000);
    assert_int_equal(query_int(db, "SELECT count(*) FROM run WHERE version = '" SS_VERSION "'"), 1);
    /* One row per day (0..days) and group (4 groups and 'all'). */
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily"), (days + 1) * 5);
    assert_int_equal(query_int(db, "SELECT count(DISTINCT day) FROM daily"), days + 1);
    /* The groups add up to the total, every day. */
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily a WHERE a.\"group\" = -1 AND "
                                   "a.agents != (SELECT sum(b.agents) FROM daily b WHERE "
                                   "b.day = a.day AND b.\"group\" >= 0)"),
                     0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily a WHERE a.\"group\" = -1 AND "
                                   "a.contacts != (SELECT sum(b.contacts) FROM daily b WHERE "
                                   "b.day = a.day AND b.\"group\" >= 0)"),
                     0);
    assert_int_equal(query_int(db, "SELECT agents FROM daily WHERE day = 0 AND \"group\" = -1"),
                     agents);
    /* Household contacts happen every day, so every day after 0 has some;
     * the daily contact share of the work layer is near its 0.5. */
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily WHERE day > 0 AND "
                                   "\"group\" = -1 AND contacts <= 0"),
                     0);
    double share = query_real(db, "SELECT 1.0 * sum(d.contacts) / sum(d.ties) FROM "
                                  "daily_layer d JOIN layers l ON d.layer = l.layer "
                                  "WHERE l.name = 'work' AND d.day > 0 AND d.\"group\" = -1");
    assert_true(share > 0.49 && share < 0.51);
    sqlite3_close(db);

    /* The CSV has a header and the same rows. */
    char p[512], line[8192];
    snprintf(p, sizeof p, "%s/daily.csv", dir);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    int rows = 0;
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "day,"));
    while (fgets(line, sizeof line, f)) rows++;
    fclose(f);
    assert_int_equal(rows, (days + 1) * 5);
    scn_free(s);
}

/* Every table, every column, bit for bit, with 1 and 2 threads. */
static void compare_tables(const char *a, const char *b, const char *sql)
{
    sqlite3 *da = open_results(a), *dbb = open_results(b);
    sqlite3_stmt *sa = NULL, *sb = NULL;
    assert_int_equal(sqlite3_prepare_v2(da, sql, -1, &sa, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(dbb, sql, -1, &sb, NULL), SQLITE_OK);
    int rows = 0;
    for (;;) {
        int ra = sqlite3_step(sa), rb = sqlite3_step(sb);
        assert_int_equal(ra, rb);
        if (ra != SQLITE_ROW) break;
        rows++;
        int nc = sqlite3_column_count(sa);
        for (int c = 0; c < nc; c++) {
            int ta = sqlite3_column_type(sa, c);
            assert_int_equal(ta, sqlite3_column_type(sb, c));
            if (ta == SQLITE_FLOAT) {
                double x = sqlite3_column_double(sa, c), y = sqlite3_column_double(sb, c);
                assert_memory_equal(&x, &y, sizeof x);
            } else if (ta == SQLITE_INTEGER) {
                assert_int_equal(sqlite3_column_int64(sa, c), sqlite3_column_int64(sb, c));
            } else if (ta == SQLITE_TEXT) {
                assert_string_equal((const char *)sqlite3_column_text(sa, c),
                                    (const char *)sqlite3_column_text(sb, c));
            }
        }
    }
    assert_true(rows > 0);
    sqlite3_finalize(sa);
    sqlite3_finalize(sb);
    sqlite3_close(da);
    sqlite3_close(dbb);
}

static void test_thread_count_independence(void **state)
{
    struct scenario *s = seed_scenario(test_agents(), 31);
    char d1[256], d2[256];
    make_tmpdir(d1, sizeof d1);
    make_tmpdir(d2, sizeof d2);
    run_into(s, 1, d1);
    run_into(s, 2, d2);
    compare_tables(d1, d2, "SELECT * FROM daily ORDER BY day, \"group\"");
    compare_tables(d1, d2, "SELECT * FROM daily_layer ORDER BY day, \"group\", layer");
    compare_tables(d1, d2, "SELECT * FROM layers ORDER BY layer");
    compare_tables(d1, d2, "SELECT * FROM groups ORDER BY \"group\"");
    scn_free(s);
}

/* The population and networks themselves, array by array. */
static void test_build_thread_independence(void **state)
{
    struct scenario *s = seed_scenario(test_agents(), 1);
    struct sim *a = NULL, *b = NULL;
    struct ss_error err = {0};
    struct sim_options o1 = {.threads = 1}, o2 = {.threads = 2};
    assert_int_equal(sim_create(&a, s, &o1, &err), SS_OK);
    assert_int_equal(sim_create(&b, s, &o2, &err), SS_OK);
    uint32_t n = a->world.pop.n;
    assert_int_equal(n, b->world.pop.n);
    assert_memory_equal(a->world.pop.group, b->world.pop.group, n);
    assert_memory_equal(a->world.pop.flags, b->world.pop.flags, n);
    assert_memory_equal(a->world.st.attitude, b->world.st.attitude, n * sizeof(float));
    assert_memory_equal(a->world.st.watched, b->world.st.watched, n);
    assert_int_equal(a->world.pop.n_households, b->world.pop.n_households);
    assert_memory_equal(a->world.pop.hh_start, b->world.pop.hh_start,
                        ((size_t)a->world.pop.n_households + 1) * sizeof *a->world.pop.hh_start);
    assert_int_equal(a->world.net.n_layers, b->world.net.n_layers);
    for (uint32_t l = 0; l < a->world.net.n_layers; l++) {
        assert_int_equal(a->world.net.layer[l].n_entries, b->world.net.layer[l].n_entries);
        assert_memory_equal(a->world.net.layer[l].off, b->world.net.layer[l].off,
                            (n + 1) * sizeof(net_off_t));
        assert_memory_equal(a->world.net.layer[l].adj, b->world.net.layer[l].adj,
                            a->world.net.layer[l].n_entries * sizeof(uint32_t));
    }
    sim_free(a);
    sim_free(b);
    scn_free(s);
}

static void test_memory_refusal(void **state)
{
    struct scenario *s = seed_scenario(1000000, 1);
    struct sim_options o = {.memory_limit = 1 << 20};
    struct sim *sim = NULL;
    struct ss_error err = {0};
    assert_int_equal(sim_create(&sim, s, &o, &err), SS_EINPUT);
    assert_null(sim);
    assert_non_null(strstr(err.msg, "needs about"));
    assert_non_null(strstr(err.msg, "available"));
    /* The estimate is honest: not below what the build will hold. */
    assert_true(sim_estimate_bytes(s) > (size_t)1000000 * 40);
    scn_free(s);
}

static void test_interrupted_run_leaves_nothing(void **state)
{
    struct scenario *s = seed_scenario(2000, 30);
    char dir[256];
    make_tmpdir(dir, sizeof dir);
    volatile sig_atomic_t cancel = 1;
    struct sim_options o = {.threads = 1, .out_dir = dir, .cancel = &cancel};
    struct sim *sim = NULL;
    struct ss_error err = {0};
    assert_int_equal(sim_create(&sim, s, &o, &err), SS_OK);
    assert_int_equal(sim_run(sim, &err), SS_EINTR);
    sim_free(sim);
    assert_int_equal(count_entries(dir), 0);
    scn_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_end_to_end),
        cmocka_unit_test(test_thread_count_independence),
        cmocka_unit_test(test_build_thread_independence),
        cmocka_unit_test(test_memory_refusal),
        cmocka_unit_test(test_interrupted_run_leaves_nothing),
    };
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
