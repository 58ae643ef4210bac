/*
 * test_experiment_db.c - the experiment database (experiment_db.c,
 * summary.c) on small hand-made databases: the summary, comparison and
 * differences tables computed by hand, extending replicates, and refusal
 * of a different experiment in the same folder. The statistics, the plans
 * and a real sweep are test_experiment.c's.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/metrics.h"
#include "experiment/experiment.h"
#include "harness.h"
#include "harness_experiment.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the database ------------------------------------------------------- */

static void test_summary_hand_made(void **state)
{
    char dir[64], path[128];
    th_tmpdir(dir, sizeof dir, "exp");
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    const char *vary[] = {"days=1,2"};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    assert_int_equal(th_exp_plan(&pl, vary, 1, NULL, 0, 4, &err), SS_OK);
    sqlite3 *db = NULL;
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);

    /* Point 0: four done replicates; point 1: two done, one failed (whose
     * stray row must not count) and one never run. */
    th_exp_exec_sql(db,
                    "INSERT INTO runs VALUES (0, 0, 0, 1, 'done', NULL, 1, 1),"
                    "(1, 0, 1, 2, 'done', NULL, 1, 1), (2, 0, 2, 3, 'done', NULL, 1, 1),"
                    "(3, 0, 3, 4, 'done', NULL, 1, 1), (4, 1, 0, 1, 'done', NULL, 1, 1),"
                    "(5, 1, 1, 2, 'done', NULL, 1, 1), (6, 1, 2, 3, 'failed', 'boom', 1, NULL)");
    th_exp_exec_sql(db, "INSERT INTO daily (run, day, \"group\", group_name, agents, fear_mean, "
                        "score_p1) VALUES "
                        "(0, 0, -1, 'all', 100, 1, 10), (1, 0, -1, 'all', 100, 2, NULL),"
                        "(2, 0, -1, 'all', 100, 3, 30), (3, 0, -1, 'all', 100, 4, 50),"
                        "(4, 0, -1, 'all', 100, 10, 1), (5, 0, -1, 'all', 100, 20, 1),"
                        "(6, 0, -1, 'all', 100, 1000, 1)");
    assert_int_equal(exp_db_finish(db, pl, dir, 0, &err), SS_OK);
    /* Twice: the summary is rebuilt, not appended to. */
    assert_int_equal(exp_db_finish(db, pl, dir, 0, &err), SS_OK);

    assert_true(th_exp_query_real(db, "SELECT count(*) FROM summary") == 2.0 * th_exp_n_metrics());
    const char *at =
        "FROM summary WHERE point = %d AND \"group\" = -1 AND day = 0 AND metric = '%s'";
    char q[256];
#define S(col, p, m)                                                                               \
    (snprintf(q, sizeof q, "SELECT " col " %s", at), th_exp_query_real(db, q, p, m))
    assert_true(S("n", 0, "fear_mean") == 4);
    assert_true(fabs(S("mean", 0, "fear_mean") - 2.5) < 1e-12);
    assert_true(fabs(S("sd", 0, "fear_mean") - 1.2909944487358056) < 1e-12);
    assert_true(fabs(S("ci_low", 0, "fear_mean") - (2.5 - 3.182446305 * 0.6454972244)) < 1e-8);
    assert_true(fabs(S("ci_high", 0, "fear_mean") - (2.5 + 3.182446305 * 0.6454972244)) < 1e-8);
    /* NULLs are skipped: 10, 30, 50. */
    assert_true(S("n", 0, "score_p1") == 3);
    assert_true(fabs(S("mean", 0, "score_p1") - 30) < 1e-12);
    assert_true(fabs(S("sd", 0, "score_p1") - 20) < 1e-12);
    assert_true(fabs(S("ci_high", 0, "score_p1") - (30 + 49.682754235)) < 1e-8);
    /* Constant: zero width. */
    assert_true(S("mean", 0, "agents") == 100 && S("ci_low", 0, "agents") == 100);
    /* Never measured: n 0, NULL mean. */
    assert_true(S("n", 0, "listed") == 0);
    assert_true(isnan(S("mean", 0, "listed")));
    /* Point 1: only the two done runs (10, 20). */
    assert_true(S("n", 1, "fear_mean") == 2);
    assert_true(fabs(S("mean", 1, "fear_mean") - 15) < 1e-12);
    assert_true(fabs(S("ci_low", 1, "fear_mean") - (15 - 12.706204736 * 5)) < 1e-7);
#undef S
    snprintf(q, sizeof q, "SELECT count(*) FROM summary WHERE group_name = 'all'");
    assert_true(th_exp_query_real(db, q) == 2.0 * th_exp_n_metrics());
    assert_true(isnan(th_exp_query_real(db, "SELECT finished FROM experiment")));
    assert_int_equal(exp_db_finish(db, pl, dir, 1, &err), SS_OK);
    assert_false(isnan(th_exp_query_real(db, "SELECT length(finished) FROM experiment")));

    exp_db_close(db);
    exp_plan_free(pl);
    assert_int_equal(th_remove_tree(dir), 0);
}

static void test_comparison_hand_made(void **state)
{
    char dir[64], a[128], b[128], path[128];
    th_tmpdir(dir, sizeof dir, "exp");
    snprintf(a, sizeof a, "%s/a.yaml", dir);
    snprintf(b, sizeof b, "%s/b.yaml", dir);
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    th_exp_write_file(a, "name: a\nseed: 5\n");
    th_exp_write_file(b, "name: b\nseed: 9\nscoring:\n  integration: 0.2\n");
    struct exp_options o = {.scenario = a, .scenario_b = b, .replicates = 3};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    assert_int_equal(exp_plan_compare(&pl, &o, &err), SS_OK);
    assert_string_equal(pl->name, "a-vs-b");
    assert_true(pl->base_seed == 5); /* A's seed, for both */
    assert_string_equal(pl->label[0], "A");
    assert_string_equal(pl->label[1], "B");
    assert_non_null(strstr(pl->scenario_b, "seed: 5"));
    sqlite3 *db = NULL;
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    /* A: 1, 2, 3; B: 2, 4, (failed). B numbers the group differently:
     * pairs are matched by group name. */
    th_exp_exec_sql(db, "INSERT INTO runs VALUES (0, 0, 0, 5, 'done', NULL, 1, 1),"
                        "(1, 0, 1, 6, 'done', NULL, 1, 1), (2, 0, 2, 7, 'done', NULL, 1, 1),"
                        "(3, 1, 0, 5, 'done', NULL, 1, 1), (4, 1, 1, 6, 'done', NULL, 1, 1),"
                        "(5, 1, 2, 7, 'failed', 'boom', 1, NULL)");
    th_exp_exec_sql(db, "INSERT INTO daily (run, day, \"group\", group_name, fear_mean) VALUES "
                        "(0, 3, 0, 'x', 1), (1, 3, 0, 'x', 2), (2, 3, 0, 'x', 3),"
                        "(3, 3, 1, 'x', 2), (4, 3, 1, 'x', 4)");
    assert_int_equal(exp_db_finish(db, pl, dir, 0, &err), SS_OK);
    const char *at = "FROM comparison WHERE \"group\" = 0 AND day = 3 AND metric = 'fear_mean'";
    char q[256];
#define C(col) (snprintf(q, sizeof q, "SELECT " col " %s", at), th_exp_query_real(db, q))
    assert_true(C("n") == 2);
    assert_true(fabs(C("mean_a") - 1.5) < 1e-12);
    assert_true(fabs(C("mean_b") - 3.0) < 1e-12);
    assert_true(fabs(C("diff") - 1.5) < 1e-12);
    /* Differences 1 and 2: sd 1/sqrt(2), se 0.5. */
    assert_true(fabs(C("ci_low") - (1.5 - 12.706204736 * 0.5)) < 1e-7);
    assert_true(fabs(C("ci_high") - (1.5 + 12.706204736 * 0.5)) < 1e-7);
#undef C
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM comparison") == th_exp_n_metrics());
    /* The summary has both points. */
    assert_true(th_exp_query_real(db, "SELECT mean FROM summary WHERE point = 1 AND metric = "
                                      "'fear_mean'") == 3.0);
    exp_db_close(db);
    exp_plan_free(pl);
    assert_int_equal(th_remove_tree(dir), 0);
}

/* A finished 2-replicate experiment asked again for 3: its runs keep their
 * rows under their new numbers (run = point x 3 + replicate), the new
 * replicate is to do, and it is no longer finished; asked for none, a plan
 * takes the folder's 3. */
static void test_extend_replicates(void **state)
{
    char dir[64], path[128];
    th_tmpdir(dir, sizeof dir, "exp");
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    const char *vary[] = {"days=1,2"};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    sqlite3 *db = NULL;
    assert_int_equal(th_exp_plan(&pl, vary, 1, NULL, 0, 2, &err), SS_OK);
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    assert_int_equal(pl->replicates_before, 0);
    th_exp_exec_sql(db, "INSERT INTO runs VALUES (0, 0, 0, 1, 'done', NULL, 1, 1),"
                        "(1, 0, 1, 2, 'done', NULL, 1, 1), (2, 1, 0, 1, 'done', NULL, 1, 1),"
                        "(3, 1, 1, 2, 'done', NULL, 1, 1)");
    th_exp_exec_sql(db, "INSERT INTO daily (run, day, \"group\", group_name, fear_mean) VALUES "
                        "(0, 0, -1, 'all', 0), (1, 0, -1, 'all', 10), (2, 0, -1, 'all', 20),"
                        "(3, 0, -1, 'all', 30)");
    /* each run's own groups and layers, told apart by their agents and ties */
    th_exp_exec_sql(db, "INSERT INTO groups (run, \"group\", name, share, agents) VALUES "
                        "(0, 0, 'g', 1, 100), (1, 0, 'g', 1, 101), (2, 0, 'g', 1, 102),"
                        "(3, 0, 'g', 1, 103);"
                        "INSERT INTO layers (run, layer, name, ties) VALUES (0, 0, 'l', 200),"
                        "(1, 0, 'l', 201), (2, 0, 'l', 202), (3, 0, 'l', 203)");
    assert_int_equal(exp_db_finish(db, pl, dir, 1, &err), SS_OK);
    exp_db_close(db);
    exp_plan_free(pl);

    assert_int_equal(th_exp_plan(&pl, vary, 1, NULL, 0, 3, &err), SS_OK);
    if (exp_db_open(&db, path, pl, &err) != SS_OK) fail_msg("extending: %s", err.msg);
    assert_int_equal(pl->replicates_before, 2);
    assert_int_equal(pl->n_runs, 6);
    assert_true(th_exp_query_real(db, "SELECT replicates FROM experiment") == 3);
    assert_true(isnan(th_exp_query_real(db, "SELECT finished FROM experiment")));
    const double want[][3] = {{0, 0, 0}, {1, 1, 10}, {3, 0, 20}, {4, 1, 30}};
    for (size_t i = 0; i < N_OF(want); i++) {
        int run = (int)want[i][0];
        assert_true(th_exp_query_real(db, "SELECT replicate FROM runs WHERE run = %d", run) ==
                    want[i][1]);
        assert_true(th_exp_query_real(db, "SELECT fear_mean FROM daily WHERE run = %d", run) ==
                    want[i][2]);
        assert_true(th_exp_query_real(db, "SELECT agents FROM groups WHERE run = %d", run) ==
                    100 + i);
        assert_true(th_exp_query_real(db, "SELECT ties FROM layers WHERE run = %d", run) ==
                    200 + i);
    }
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM runs") == 4);
    unsigned char done[6];
    assert_int_equal(exp_db_done(db, pl, done, &err), SS_OK);
    const unsigned char want_done[6] = {1, 1, 0, 1, 1, 0};
    assert_memory_equal(done, want_done, 6);
    exp_db_close(db);
    exp_plan_free(pl);

    /* Not asked: the folder's number; asked for as many: nothing changes. */
    assert_int_equal(th_exp_plan(&pl, vary, 1, NULL, 0, 0, &err), SS_OK);
    assert_int_equal(pl->replicates, EXP_DEFAULT_REPLICATES);
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    assert_int_equal(pl->replicates, 3);
    assert_int_equal(pl->n_runs, 6);
    assert_true(th_exp_query_real(db, "SELECT fear_mean FROM daily WHERE run = 4") == 30);
    exp_db_close(db);
    exp_plan_free(pl);
    assert_int_equal(th_remove_tree(dir), 0);
}

/* A database of an earlier version kept one run's groups and layers (the
 * first merged, without saying which): opened again, they are replaced by
 * the tables of every run, empty until runs are merged; the rest stays. */
static void test_older_groups_replaced(void **state)
{
    char dir[64], path[128];
    th_tmpdir(dir, sizeof dir, "exp");
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    const char *vary[] = {"days=1,2"};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    sqlite3 *db = NULL;
    assert_int_equal(th_exp_plan(&pl, vary, 1, NULL, 0, 1, &err), SS_OK);
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    th_exp_exec_sql(db, "DROP TABLE groups; DROP TABLE layers;"
                        "CREATE TABLE groups (\"group\" INTEGER, name TEXT, share REAL, agents "
                        "INTEGER, PRIMARY KEY(\"group\"));"
                        "CREATE TABLE layers (layer INTEGER, name TEXT, PRIMARY KEY(layer));"
                        "INSERT INTO groups VALUES (0, 'g', 1, 100); INSERT INTO layers VALUES "
                        "(0, 'l');"
                        "INSERT INTO runs VALUES (0, 0, 0, 1, 'done', NULL, 1, 1)");
    exp_db_close(db);
    if (exp_db_open(&db, path, pl, &err) != SS_OK) fail_msg("reopening: %s", err.msg);
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM pragma_table_info('groups') WHERE "
                                      "name = 'run'") == 1);
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM pragma_table_info('layers') WHERE "
                                      "name = 'run'") == 1);
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM groups") == 0);
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM layers") == 0);
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM runs WHERE status = 'done'") == 1);
    exp_db_close(db);
    exp_plan_free(pl);
    assert_int_equal(th_remove_tree(dir), 0);
}

/* The differences of a sweep against its baseline point, paired by
 * replicate, by hand; the baseline is recorded, and kept by an invocation
 * that names none. */
static void test_differences_hand_made(void **state)
{
    char dir[64], path[128];
    th_tmpdir(dir, sizeof dir, "exp");
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    const char *vary[] = {"days=1,2,3"};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    sqlite3 *db = NULL;
    assert_int_equal(th_exp_plan_baseline(&pl, vary, 1, "days=2", &err), SS_OK);
    assert_int_equal(pl->baseline, 1);
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    th_exp_exec_sql(db, "INSERT INTO runs VALUES (0, 0, 0, 1, 'done', NULL, 1, 1),"
                        "(1, 0, 1, 2, 'done', NULL, 1, 1), (2, 1, 0, 1, 'done', NULL, 1, 1),"
                        "(3, 1, 1, 2, 'done', NULL, 1, 1), (4, 2, 0, 1, 'done', NULL, 1, 1),"
                        "(5, 2, 1, 2, 'done', NULL, 1, 1)");
    th_exp_exec_sql(db, "INSERT INTO daily (run, day, \"group\", group_name, fear_mean) VALUES "
                        "(0, 4, -1, 'all', 1), (1, 4, -1, 'all', 2), (2, 4, -1, 'all', 10),"
                        "(3, 4, -1, 'all', 20), (4, 4, -1, 'all', 13), (5, 4, -1, 'all', 26)");
    assert_int_equal(exp_db_finish(db, pl, dir, 1, &err), SS_OK);
    const char *at = "FROM differences WHERE point = %d AND \"group\" = -1 AND day = 4 AND "
                     "metric = 'fear_mean'";
    char q[256];
#define D(col, p) (snprintf(q, sizeof q, "SELECT " col " %s", at), th_exp_query_real(db, q, p))
    assert_true(D("n", 2) == 2);
    assert_true(fabs(D("mean_baseline", 2) - 15) < 1e-12);
    assert_true(fabs(D("mean", 2) - 19.5) < 1e-12);
    assert_true(fabs(D("diff", 2) - 4.5) < 1e-12);
    /* differences 3 and 6: sd 3/sqrt(2), se 1.5 */
    assert_true(fabs(D("ci_low", 2) - (4.5 - 12.706204736 * 1.5)) < 1e-7);
    assert_true(fabs(D("ci_high", 2) - (4.5 + 12.706204736 * 1.5)) < 1e-7);
    assert_true(fabs(D("diff", 0) - -13.5) < 1e-12);
    assert_true(isnan(D("diff", 1))); /* no row for the baseline itself */
#undef D
    assert_true(th_exp_query_real(db, "SELECT baseline FROM experiment") == 1);
    exp_db_close(db);
    exp_plan_free(pl);
    /* again without --baseline: the recorded one is used */
    assert_int_equal(th_exp_plan_baseline(&pl, vary, 1, NULL, &err), SS_OK);
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    assert_int_equal(pl->baseline, 1);
    exp_db_close(db);
    exp_plan_free(pl);
    assert_int_equal(th_remove_tree(dir), 0);
}

static void expect_other_experiment(const char *path, struct exp_plan *pl, const char *what)
{
    sqlite3 *db = NULL;
    struct ss_error err = {0};
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_EINPUT);
    assert_null(db);
    if (!strstr(err.msg, what)) fail_msg("'%s' lacks '%s'", err.msg, what);
    exp_plan_free(pl);
}

static void test_refuse_other_experiment(void **state)
{
    char dir[64], path[128], other[128];
    th_tmpdir(dir, sizeof dir, "exp");
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    const char *vary[] = {"days=1,2"}, *vary2[] = {"days=1,3"}, *vary3[] = {"days=1,2,3"};
    const char *sets[] = {"scoring.integration=0.5"}, *seed[] = {"seed=7"};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    sqlite3 *db = NULL;
    assert_int_equal(th_exp_plan(&pl, vary, 1, NULL, 0, 3, &err), SS_OK);
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    exp_db_close(db);
    /* The same experiment opens again. */
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    exp_db_close(db);
    exp_plan_free(pl);

    assert_int_equal(th_exp_plan(&pl, vary, 1, NULL, 0, 2, &err), SS_OK);
    expect_other_experiment(path, pl,
                            "it has 3 replicates, this asks for 2: an experiment can gain "
                            "replicates, not lose them");
    /* The read-only check says the same, and accepts what open accepts. */
    assert_int_equal(th_exp_plan(&pl, vary, 1, NULL, 0, 2, &err), SS_OK);
    assert_int_equal(exp_db_check(path, pl, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "it has 3 replicates, this asks for 2"));
    exp_plan_free(pl);
    assert_int_equal(th_exp_plan(&pl, vary, 1, NULL, 0, 3, &err), SS_OK);
    assert_int_equal(exp_db_check(path, pl, &err), SS_OK);
    exp_plan_free(pl);
    assert_int_equal(th_exp_plan(&pl, vary2, 1, NULL, 0, 3, &err), SS_OK);
    expect_other_experiment(path, pl, "its point 1 is 'days=2', here 'days=3'");
    assert_int_equal(th_exp_plan(&pl, vary3, 1, NULL, 0, 3, &err), SS_OK);
    expect_other_experiment(path, pl, "it has 2 points, this has 3");
    assert_int_equal(th_exp_plan(&pl, vary, 1, sets, 1, 3, &err), SS_OK);
    expect_other_experiment(path, pl, "its scenario differs at line");
    assert_int_equal(th_exp_plan(&pl, vary, 1, seed, 1, 3, &err), SS_OK);
    expect_other_experiment(path, pl, "its scenario differs");
    const char *vary4[] = {"scoring.integration=0,1"};
    assert_int_equal(th_exp_plan(&pl, vary4, 1, NULL, 0, 3, &err), SS_OK);
    expect_other_experiment(path, pl,
                            "it varies [\"days\"], this varies [\"scoring.integration\"]");

    /* Nothing was changed by the refusals. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_true(th_exp_query_real(db, "SELECT replicates FROM experiment") == 3);
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM points") == 2);
    sqlite3_close(db);

    /* A single run's results are not an experiment's. */
    snprintf(other, sizeof other, "%s/run.sqlite", dir);
    assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
    th_exp_exec_sql(db, "CREATE TABLE run (name TEXT)");
    sqlite3_close(db);
    assert_int_equal(th_exp_plan(&pl, vary, 1, NULL, 0, 3, &err), SS_OK);
    expect_other_experiment(other, pl, "not a sweep's or a comparison's");
    assert_int_equal(th_remove_tree(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_hand_made),
        cmocka_unit_test(test_comparison_hand_made),
        cmocka_unit_test(test_refuse_other_experiment),
        cmocka_unit_test(test_extend_replicates),
        cmocka_unit_test(test_differences_hand_made),
        cmocka_unit_test(test_older_groups_replaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
