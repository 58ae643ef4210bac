/*
 * test_experiment.c - sweeps and comparisons (experiment.c,
 * experiment_db.c): Student's t quantiles against closed forms and tables;
 * mean, sd and confidence interval of a hand-computed case; the order of
 * the factorial and the checks of --vary; the summary and comparison
 * tables built from small hand-made experiment databases; refusal of a
 * different experiment in the same folder; and a small real sweep through
 * the scoresim binary (children, merge, resume, cancel).
 */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "experiment/experiment.h"
#include "harness.h"
#include "engine/metrics.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* The first column of the first row of a query, as a double (NAN if NULL
 * or no row). */
static double query_real(sqlite3 *db, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    double v = NAN;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int n_metrics(void)
{
    int k = 0;
    for (size_t i = 0; i < met_n_daily_columns; i++) {
        const struct met_column *c = &met_daily_columns[i];
        k += (c->type == MET_INT || c->type == MET_REAL) && strcmp(c->name, "day") &&
             strcmp(c->name, "group");
    }
    return k;
}

/* ---- statistics -------------------------------------------------------- */

static void test_t_quantile_known_values(void **state)
{
    /* The brief's table values, to their 4 decimals. */
    assert_true(fabs(exp_t_quantile(0.975, 1) - 12.7062) < 1e-4);
    assert_true(fabs(exp_t_quantile(0.975, 4) - 2.7764) < 1e-4);
    assert_true(fabs(exp_t_quantile(0.975, 29) - 2.0452) < 1e-4);
    /* Published tables, to their 6 decimals. */
    assert_true(fabs(exp_t_quantile(0.975, 3) - 3.182446) < 1e-6);
    assert_true(fabs(exp_t_quantile(0.995, 10) - 3.169273) < 1e-6);
    assert_true(fabs(exp_t_quantile(0.95, 5) - 2.015048) < 1e-6);
    assert_true(fabs(exp_t_quantile(0.975, 100) - 1.983972) < 1e-6);
    /* Many degrees of freedom: the normal quantile 1.959964. */
    assert_true(fabs(exp_t_quantile(0.975, 1e6) - 1.959966) < 1e-5);
}

static void test_t_quantile_closed_forms(void **state)
{
    const double ps[] = {0.55, 0.6, 0.75, 0.9, 0.975, 0.995, 0.9999};
    for (size_t i = 0; i < N_OF(ps); i++) {
        double p = ps[i];
        /* df 1: Cauchy; df 2: (2p - 1) / sqrt(2p(1 - p)); df 4: by cosines. */
        double t1 = tan(acos(-1.0) * (p - 0.5));
        double t2 = (2 * p - 1) / sqrt(2 * p * (1 - p));
        double a = 4 * p * (1 - p), q = cos(acos(sqrt(a)) / 3) / sqrt(a);
        double t4 = 2 * sqrt(q - 1);
        assert_true(fabs(exp_t_quantile(p, 1) / t1 - 1) < 1e-10);
        assert_true(fabs(exp_t_quantile(p, 2) / t2 - 1) < 1e-10);
        assert_true(fabs(exp_t_quantile(p, 4) / t4 - 1) < 1e-10);
        /* Symmetry. */
        assert_true(exp_t_quantile(1 - p, 7) == -exp_t_quantile(p, 7));
    }
    assert_true(exp_t_quantile(0.5, 3) == 0.0);
    assert_true(isnan(exp_t_quantile(0.0, 3)));
    assert_true(isnan(exp_t_quantile(1.0, 3)));
    assert_true(isnan(exp_t_quantile(0.9, 0)));
}

static void test_stat_hand_computed(void **state)
{
    const double x[] = {1, 2, 3, 4};
    struct exp_stat s;
    exp_stat_of(x, 4, exp_t_quantile(0.975, 3), &s);
    assert_int_equal(s.n, 4);
    assert_true(fabs(s.mean - 2.5) < 1e-15);
    /* sd = sqrt(5/3), se = sd / 2, half width = t(0.975; 3) x se. */
    assert_true(fabs(s.sd - 1.2909944487358056) < 1e-12);
    assert_true(fabs(s.ci_low - (2.5 - 3.182446305 * 0.6454972244)) < 1e-8);
    assert_true(fabs(s.ci_high - (2.5 + 3.182446305 * 0.6454972244)) < 1e-8);

    exp_stat_of(x + 2, 1, NAN, &s);
    assert_int_equal(s.n, 1);
    assert_true(s.mean == 3.0);
    assert_true(isnan(s.sd) && isnan(s.ci_low) && isnan(s.ci_high));
    exp_stat_of(x, 0, NAN, &s);
    assert_true(isnan(s.mean));

    /* Equal values: no spread, a zero-width interval. */
    const double same[] = {7, 7, 7};
    exp_stat_of(same, 3, exp_t_quantile(0.975, 2), &s);
    assert_true(s.sd == 0.0 && s.ci_low == 7.0 && s.ci_high == 7.0);
}

/* ---- plans ------------------------------------------------------------- */

static int plan(struct exp_plan **pl, const char *const *vary, int n_vary, const char *const *sets,
                int n_sets, int reps, struct ss_error *err)
{
    struct exp_options o = {
        .vary = vary, .n_vary = n_vary, .sets = sets, .n_sets = n_sets, .replicates = reps};
    return exp_plan_sweep(pl, &o, err);
}

static void test_factorial_order(void **state)
{
    const char *vary[] = {"days=5,6", "population.agents = 100, 200 ,300"};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    assert_int_equal(plan(&pl, vary, 2, NULL, 0, 3, &err), SS_OK);
    assert_int_equal(pl->n_points, 6);
    assert_int_equal(pl->n_runs, 18);
    assert_string_equal(pl->varied, "[\"days\", \"population.agents\"]");
    /* The last key varies fastest. */
    const char *labels[] = {"days=5, population.agents=100", "days=5, population.agents=200",
                            "days=5, population.agents=300", "days=6, population.agents=100",
                            "days=6, population.agents=200", "days=6, population.agents=300"};
    for (int p = 0; p < 6; p++) assert_string_equal(pl->label[p], labels[p]);
    assert_string_equal(pl->params[4], "{\"days\": \"6\", \"population.agents\": \"200\"}");
    assert_string_equal(exp_point_value(pl, 4, 0), "6");
    assert_string_equal(exp_point_value(pl, 4, 1), "200");
    assert_string_equal(pl->name, "seed");
    assert_true(pl->base_seed == 1);
    exp_plan_free(pl);

    /* Commas inside braces and quotes do not split values; the base seed
     * comes from the sets. */
    const char *vary2[] = {"population.groups={a: 0.5, b: 0.5},{a: 0.25, b: 0.75}",
                           "name=\"x, y\",'z'"};
    const char *sets[] = {"seed=41"};
    assert_int_equal(plan(&pl, vary2, 2, sets, 1, 2, &err), SS_OK);
    assert_int_equal(pl->n_points, 4);
    assert_string_equal(pl->axis[0].values[1], "{a: 0.25, b: 0.75}");
    assert_string_equal(pl->axis[1].values[0], "\"x, y\"");
    assert_string_equal(
        pl->params[0], "{\"population.groups\": \"{a: 0.5, b: 0.5}\", \"name\": \"\\\"x, y\\\"\"}");
    assert_true(pl->base_seed == 41);
    exp_plan_free(pl);
}

/* Listed points (a calibration's wave): each point its own values, in
 * order, repeats allowed; not the factorial. */
static void test_listed_points(void **state)
{
    const char *keys[] = {"scoring.integration", "population.agents"};
    const char *values[] = {"0.25", "100", "0.5", "300", "0.25", "100"};
    const char *sets[] = {"seed=7"};
    struct exp_options o = {.sets = sets, .n_sets = 1, .replicates = 2};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    assert_int_equal(exp_plan_points(&pl, &o, keys, 2, values, 3, &err), SS_OK);
    assert_int_equal(pl->n_points, 3);
    assert_int_equal(pl->n_runs, 6);
    assert_int_equal(pl->kind, EXP_SWEEP);
    assert_string_equal(pl->varied, "[\"scoring.integration\", \"population.agents\"]");
    assert_string_equal(pl->label[1], "scoring.integration=0.5, population.agents=300");
    assert_string_equal(pl->label[2], "scoring.integration=0.25, population.agents=100");
    assert_string_equal(pl->params[1],
                        "{\"scoring.integration\": \"0.5\", \"population.agents\": \"300\"}");
    assert_string_equal(exp_point_value(pl, 1, 1), "300");
    char *kv = exp_point_set(&pl->mem, pl, 2, 0, &err);
    assert_string_equal(kv, "scoring.integration=0.25");
    mem_free(&pl->mem, kv);
    assert_true(pl->base_seed == 7);
    exp_plan_free(pl);

    /* more runs than an experiment holds */
    o.replicates = EXP_MAX_RUNS;
    assert_int_equal(exp_plan_points(&pl, &o, keys, 2, values, 3, &err), SS_EINPUT);
    assert_null(pl);
}

static void expect_refused(const char *vary, const char *what)
{
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    const char *v[] = {vary};
    assert_int_equal(plan(&pl, v, 1, NULL, 0, 2, &err), SS_EINPUT);
    assert_null(pl);
    if (!strstr(err.msg, what)) fail_msg("--vary %s: '%s' lacks '%s'", vary, err.msg, what);
}

static void test_vary_refused(void **state)
{
    expect_refused("scoring.integration=0,0.5,2",
                   "point 2 (scoring.integration=2; points 0 to 2) is invalid");
    expect_refused("scoring.integrashun=0,1", "point 0 (scoring.integrashun=0; points 0 to 1)");
    /* Ranges: the step, the order, the count, and each value through the
     * scenario's own checks. */
    expect_refused("scoring.integration=0:1:0", "0:1:0: the step must be above 0");
    expect_refused("scoring.integration=0:1:-0.1", "the step must be above 0");
    expect_refused("scoring.integration=1:0:0.1", "1:0:0.1: LO is above HI");
    expect_refused("days=1:100000:1", "1:100000:1 makes 100000 values, more than 1000");
    expect_refused("scoring.integration=0:1.5:0.5",
                   "point 3 (scoring.integration=1.5; points 0 to 3) is invalid");
    expect_refused("days=1:3:1,2", "value '2' is listed twice");
    expect_refused("seed=1,2", "use --replicates");
    expect_refused("days=1,,2", "empty value");
    expect_refused("days=1,2,1", "'1' is listed twice");
    expect_refused("days", "expected KEY=V1,V2");
    expect_refused("=1,2", "missing key");

    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    const char *twice[] = {"days=1,2", "days=3"};
    assert_int_equal(plan(&pl, twice, 2, NULL, 0, 2, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "varied twice"));
    const char *ok[] = {"days=1"};
    assert_int_equal(plan(&pl, ok, 1, NULL, 0, -1, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "--replicates"));
}

static void test_vary_range(void **state)
{
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    /* Decimals as written (no 0.30000000000000004); HI included; a range
     * beside plain values. */
    const char *v1[] = {"scoring.integration=0:0.6:0.1"};
    assert_int_equal(plan(&pl, v1, 1, NULL, 0, 1, &err), SS_OK);
    assert_int_equal(pl->n_points, 7);
    const char *want[] = {"0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6"};
    for (int p = 0; p < 7; p++) assert_string_equal(exp_point_value(pl, p, 0), want[p]);
    exp_plan_free(pl);
    const char *v2[] = {"days=5:20:5, 30", "scoring.integration=0.25:0.75:0.25"};
    assert_int_equal(plan(&pl, v2, 2, NULL, 0, 1, &err), SS_OK);
    assert_int_equal(pl->axis[0].n, 5);
    assert_string_equal(pl->axis[0].values[3], "20");
    assert_string_equal(pl->axis[0].values[4], "30");
    assert_int_equal(pl->axis[1].n, 3);
    assert_string_equal(pl->axis[1].values[2], "0.75");
    assert_string_equal(pl->label[14], "days=30, scoring.integration=0.75");
    exp_plan_free(pl);
    /* A step that does not land on HI stops before it. */
    const char *v3[] = {"days=1:10:4"};
    assert_int_equal(plan(&pl, v3, 1, NULL, 0, 1, &err), SS_OK);
    assert_int_equal(pl->n_points, 3);
    assert_string_equal(pl->label[2], "days=9");
    exp_plan_free(pl);
}

static int plan_baseline(struct exp_plan **pl, const char *const *vary, int n_vary,
                         const char *baseline, struct ss_error *err)
{
    struct exp_options o = {.vary = vary, .n_vary = n_vary, .replicates = 2, .baseline = baseline};
    return exp_plan_sweep(pl, &o, err);
}

static void test_baseline_point(void **state)
{
    const char *vary[] = {"days=5,6", "scoring.integration=0,0.5,1"};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    /* by number, by every key, by the value written otherwise (0.50) */
    assert_int_equal(plan_baseline(&pl, vary, 2, "4", &err), SS_OK);
    assert_int_equal(pl->baseline, 4);
    exp_plan_free(pl);
    assert_int_equal(plan_baseline(&pl, vary, 2, "days=6, scoring.integration=0.50", &err), SS_OK);
    assert_int_equal(pl->baseline, 4);
    exp_plan_free(pl);
    assert_int_equal(plan_baseline(&pl, vary, 2, NULL, &err), SS_OK);
    assert_int_equal(pl->baseline, -1);
    exp_plan_free(pl);
    /* one key of two names 2 points: refused, as are unknown keys, values
     * and numbers */
    const char *bad[][2] = {
        {"scoring.integration=0", "2 points have these values (the first is 0, 'days=5, "
                                  "scoring.integration=0')"},
        {"days=7", "no point of the sweep has these values"},
        {"seed=1", "'seed' is not a varied key"},
        {"6", "the sweep's points are 0 to 5"},
        {"integration", "expected a point number or KEY=VALUE"},
    };
    for (size_t i = 0; i < N_OF(bad); i++) {
        assert_int_equal(plan_baseline(&pl, vary, 2, bad[i][0], &err), SS_EINPUT);
        assert_null(pl);
        if (!strstr(err.msg, bad[i][1])) fail_msg("--baseline %s: '%s'", bad[i][0], err.msg);
    }
}

/* ---- the database ------------------------------------------------------- */

static void test_summary_hand_made(void **state)
{
    char dir[64], path[128];
    th_tmpdir(dir, sizeof dir, "exp");
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    const char *vary[] = {"days=1,2"};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    assert_int_equal(plan(&pl, vary, 1, NULL, 0, 4, &err), SS_OK);
    sqlite3 *db = NULL;
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);

    /* Point 0: four done replicates; point 1: two done, one failed (whose
     * stray row must not count) and one never run. */
    exec_sql(db, "INSERT INTO runs VALUES (0, 0, 0, 1, 'done', NULL, 1, 1),"
                 "(1, 0, 1, 2, 'done', NULL, 1, 1), (2, 0, 2, 3, 'done', NULL, 1, 1),"
                 "(3, 0, 3, 4, 'done', NULL, 1, 1), (4, 1, 0, 1, 'done', NULL, 1, 1),"
                 "(5, 1, 1, 2, 'done', NULL, 1, 1), (6, 1, 2, 3, 'failed', 'boom', 1, NULL)");
    exec_sql(db, "INSERT INTO daily (run, day, \"group\", group_name, agents, fear_mean, "
                 "score_p1) VALUES "
                 "(0, 0, -1, 'all', 100, 1, 10), (1, 0, -1, 'all', 100, 2, NULL),"
                 "(2, 0, -1, 'all', 100, 3, 30), (3, 0, -1, 'all', 100, 4, 50),"
                 "(4, 0, -1, 'all', 100, 10, 1), (5, 0, -1, 'all', 100, 20, 1),"
                 "(6, 0, -1, 'all', 100, 1000, 1)");
    assert_int_equal(exp_db_finish(db, pl, dir, 0, &err), SS_OK);
    /* Twice: the summary is rebuilt, not appended to. */
    assert_int_equal(exp_db_finish(db, pl, dir, 0, &err), SS_OK);

    assert_true(query_real(db, "SELECT count(*) FROM summary") == 2.0 * n_metrics());
    const char *at =
        "FROM summary WHERE point = %d AND \"group\" = -1 AND day = 0 AND metric = '%s'";
    char q[256];
#define S(col, p, m) (snprintf(q, sizeof q, "SELECT " col " %s", at), query_real(db, q, p, m))
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
    assert_true(query_real(db, q) == 2.0 * n_metrics());
    assert_true(isnan(query_real(db, "SELECT finished FROM experiment")));
    assert_int_equal(exp_db_finish(db, pl, dir, 1, &err), SS_OK);
    assert_false(isnan(query_real(db, "SELECT length(finished) FROM experiment")));

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
    write_file(a, "name: a\nseed: 5\n");
    write_file(b, "name: b\nseed: 9\nscoring:\n  integration: 0.2\n");
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
    exec_sql(db, "INSERT INTO runs VALUES (0, 0, 0, 5, 'done', NULL, 1, 1),"
                 "(1, 0, 1, 6, 'done', NULL, 1, 1), (2, 0, 2, 7, 'done', NULL, 1, 1),"
                 "(3, 1, 0, 5, 'done', NULL, 1, 1), (4, 1, 1, 6, 'done', NULL, 1, 1),"
                 "(5, 1, 2, 7, 'failed', 'boom', 1, NULL)");
    exec_sql(db, "INSERT INTO daily (run, day, \"group\", group_name, fear_mean) VALUES "
                 "(0, 3, 0, 'x', 1), (1, 3, 0, 'x', 2), (2, 3, 0, 'x', 3),"
                 "(3, 3, 1, 'x', 2), (4, 3, 1, 'x', 4)");
    assert_int_equal(exp_db_finish(db, pl, dir, 0, &err), SS_OK);
    const char *at = "FROM comparison WHERE \"group\" = 0 AND day = 3 AND metric = 'fear_mean'";
    char q[256];
#define C(col) (snprintf(q, sizeof q, "SELECT " col " %s", at), query_real(db, q))
    assert_true(C("n") == 2);
    assert_true(fabs(C("mean_a") - 1.5) < 1e-12);
    assert_true(fabs(C("mean_b") - 3.0) < 1e-12);
    assert_true(fabs(C("diff") - 1.5) < 1e-12);
    /* Differences 1 and 2: sd 1/sqrt(2), se 0.5. */
    assert_true(fabs(C("ci_low") - (1.5 - 12.706204736 * 0.5)) < 1e-7);
    assert_true(fabs(C("ci_high") - (1.5 + 12.706204736 * 0.5)) < 1e-7);
#undef C
    assert_true(query_real(db, "SELECT count(*) FROM comparison") == n_metrics());
    /* The summary has both points. */
    assert_true(query_real(db, "SELECT mean FROM summary WHERE point = 1 AND metric = "
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
    assert_int_equal(plan(&pl, vary, 1, NULL, 0, 2, &err), SS_OK);
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    assert_int_equal(pl->replicates_before, 0);
    exec_sql(db, "INSERT INTO runs VALUES (0, 0, 0, 1, 'done', NULL, 1, 1),"
                 "(1, 0, 1, 2, 'done', NULL, 1, 1), (2, 1, 0, 1, 'done', NULL, 1, 1),"
                 "(3, 1, 1, 2, 'done', NULL, 1, 1)");
    exec_sql(db, "INSERT INTO daily (run, day, \"group\", group_name, fear_mean) VALUES "
                 "(0, 0, -1, 'all', 0), (1, 0, -1, 'all', 10), (2, 0, -1, 'all', 20),"
                 "(3, 0, -1, 'all', 30)");
    assert_int_equal(exp_db_finish(db, pl, dir, 1, &err), SS_OK);
    exp_db_close(db);
    exp_plan_free(pl);

    assert_int_equal(plan(&pl, vary, 1, NULL, 0, 3, &err), SS_OK);
    if (exp_db_open(&db, path, pl, &err) != SS_OK) fail_msg("extending: %s", err.msg);
    assert_int_equal(pl->replicates_before, 2);
    assert_int_equal(pl->n_runs, 6);
    assert_true(query_real(db, "SELECT replicates FROM experiment") == 3);
    assert_true(isnan(query_real(db, "SELECT finished FROM experiment")));
    const double want[][3] = {{0, 0, 0}, {1, 1, 10}, {3, 0, 20}, {4, 1, 30}};
    for (size_t i = 0; i < N_OF(want); i++) {
        int run = (int)want[i][0];
        assert_true(query_real(db, "SELECT replicate FROM runs WHERE run = %d", run) == want[i][1]);
        assert_true(query_real(db, "SELECT fear_mean FROM daily WHERE run = %d", run) ==
                    want[i][2]);
    }
    assert_true(query_real(db, "SELECT count(*) FROM runs") == 4);
    unsigned char done[6];
    assert_int_equal(exp_db_done(db, pl, done, &err), SS_OK);
    const unsigned char want_done[6] = {1, 1, 0, 1, 1, 0};
    assert_memory_equal(done, want_done, 6);
    exp_db_close(db);
    exp_plan_free(pl);

    /* Not asked: the folder's number; asked for as many: nothing changes. */
    assert_int_equal(plan(&pl, vary, 1, NULL, 0, 0, &err), SS_OK);
    assert_int_equal(pl->replicates, EXP_DEFAULT_REPLICATES);
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    assert_int_equal(pl->replicates, 3);
    assert_int_equal(pl->n_runs, 6);
    assert_true(query_real(db, "SELECT fear_mean FROM daily WHERE run = 4") == 30);
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
    assert_int_equal(plan_baseline(&pl, vary, 1, "days=2", &err), SS_OK);
    assert_int_equal(pl->baseline, 1);
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    exec_sql(db, "INSERT INTO runs VALUES (0, 0, 0, 1, 'done', NULL, 1, 1),"
                 "(1, 0, 1, 2, 'done', NULL, 1, 1), (2, 1, 0, 1, 'done', NULL, 1, 1),"
                 "(3, 1, 1, 2, 'done', NULL, 1, 1), (4, 2, 0, 1, 'done', NULL, 1, 1),"
                 "(5, 2, 1, 2, 'done', NULL, 1, 1)");
    exec_sql(db, "INSERT INTO daily (run, day, \"group\", group_name, fear_mean) VALUES "
                 "(0, 4, -1, 'all', 1), (1, 4, -1, 'all', 2), (2, 4, -1, 'all', 10),"
                 "(3, 4, -1, 'all', 20), (4, 4, -1, 'all', 13), (5, 4, -1, 'all', 26)");
    assert_int_equal(exp_db_finish(db, pl, dir, 1, &err), SS_OK);
    const char *at = "FROM differences WHERE point = %d AND \"group\" = -1 AND day = 4 AND "
                     "metric = 'fear_mean'";
    char q[256];
#define D(col, p) (snprintf(q, sizeof q, "SELECT " col " %s", at), query_real(db, q, p))
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
    assert_true(query_real(db, "SELECT baseline FROM experiment") == 1);
    exp_db_close(db);
    exp_plan_free(pl);
    /* again without --baseline: the recorded one is used */
    assert_int_equal(plan_baseline(&pl, vary, 1, NULL, &err), SS_OK);
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
    assert_int_equal(plan(&pl, vary, 1, NULL, 0, 3, &err), SS_OK);
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    exp_db_close(db);
    /* The same experiment opens again. */
    assert_int_equal(exp_db_open(&db, path, pl, &err), SS_OK);
    exp_db_close(db);
    exp_plan_free(pl);

    assert_int_equal(plan(&pl, vary, 1, NULL, 0, 2, &err), SS_OK);
    expect_other_experiment(path, pl,
                            "it has 3 replicates, this asks for 2: an experiment can gain "
                            "replicates, not lose them");
    /* The read-only check says the same, and accepts what open accepts. */
    assert_int_equal(plan(&pl, vary, 1, NULL, 0, 2, &err), SS_OK);
    assert_int_equal(exp_db_check(path, pl, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "it has 3 replicates, this asks for 2"));
    exp_plan_free(pl);
    assert_int_equal(plan(&pl, vary, 1, NULL, 0, 3, &err), SS_OK);
    assert_int_equal(exp_db_check(path, pl, &err), SS_OK);
    exp_plan_free(pl);
    assert_int_equal(plan(&pl, vary2, 1, NULL, 0, 3, &err), SS_OK);
    expect_other_experiment(path, pl, "its point 1 is 'days=2', here 'days=3'");
    assert_int_equal(plan(&pl, vary3, 1, NULL, 0, 3, &err), SS_OK);
    expect_other_experiment(path, pl, "it has 2 points, this has 3");
    assert_int_equal(plan(&pl, vary, 1, sets, 1, 3, &err), SS_OK);
    expect_other_experiment(path, pl, "its scenario differs at line");
    assert_int_equal(plan(&pl, vary, 1, seed, 1, 3, &err), SS_OK);
    expect_other_experiment(path, pl, "its scenario differs");
    const char *vary4[] = {"scoring.integration=0,1"};
    assert_int_equal(plan(&pl, vary4, 1, NULL, 0, 3, &err), SS_OK);
    expect_other_experiment(path, pl,
                            "it varies [\"days\"], this varies [\"scoring.integration\"]");

    /* Nothing was changed by the refusals. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_true(query_real(db, "SELECT replicates FROM experiment") == 3);
    assert_true(query_real(db, "SELECT count(*) FROM points") == 2);
    sqlite3_close(db);

    /* A single run's results are not an experiment's. */
    snprintf(other, sizeof other, "%s/run.sqlite", dir);
    assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
    exec_sql(db, "CREATE TABLE run (name TEXT)");
    sqlite3_close(db);
    assert_int_equal(plan(&pl, vary, 1, NULL, 0, 3, &err), SS_OK);
    expect_other_experiment(other, pl, "not a sweep's or a comparison's");
    assert_int_equal(th_remove_tree(dir), 0);
}

/* ---- a real sweep ------------------------------------------------------- */

static void test_sweep_end_to_end(void **state)
{
    char dir[64], out[128], db_path[160], runs[160];
    th_tmpdir(dir, sizeof dir, "exp");
    snprintf(out, sizeof out, "%s/sweep", dir);
    snprintf(db_path, sizeof db_path, "%s/results.sqlite", out);
    snprintf(runs, sizeof runs, "%s/runs", out);
    int agents = getenv("SCORESIM_SANITIZED") ? 1000 : 2000, days = 10;
    char a[64], d[64];
    snprintf(a, sizeof a, "population.agents=%d", agents);
    snprintf(d, sizeof d, "days=%d", days);
    const char *sets[] = {a, d};
    const char *vary[] = {"scoring.integration=0,1"};
    struct exp_options o = {.scoresim = SCORESIM_BIN,
                            .sets = sets,
                            .n_sets = 2,
                            .vary = vary,
                            .n_vary = 1,
                            .replicates = 2,
                            .jobs = 2,
                            .threads = 1,
                            .out_dir = out};
    struct ss_error err = {0};
    int rc = exp_sweep(&o, &err);
    if (rc != SS_OK) fail_msg("exp_sweep: %s", err.msg);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_true(query_real(db, "SELECT count(*) FROM runs WHERE status = 'done'") == 4);
    double rows = query_real(db, "SELECT count(*) FROM daily");
    double groups = query_real(db, "SELECT count(*) FROM groups");
    assert_true(rows == 4.0 * (days + 1) * (groups + 1));
    assert_true(query_real(db, "SELECT count(*) FROM summary") ==
                2.0 * (days + 1) * (groups + 1) * n_metrics());
    assert_true(query_real(db, "SELECT count(*) FROM layers") > 0);
    double seeds = query_real(db, "SELECT sum(seed) FROM runs");
    assert_true(seeds == 2 * (1 + 2)); /* seeds 1, 2 at both points */
    double wall = query_real(db, "SELECT sum(wall_seconds) FROM runs");
    sqlite3_close(db);
    struct stat st;
    assert_true(stat(runs, &st) != 0); /* merged runs' folders are removed */

    /* Again: everything is done, nothing is redone. */
    rc = exp_sweep(&o, &err);
    if (rc != SS_OK) fail_msg("exp_sweep again: %s", err.msg);
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_true(query_real(db, "SELECT sum(wall_seconds) FROM runs") == wall);
    assert_true(query_real(db, "SELECT count(*) FROM daily") == rows);
    sqlite3_close(db);

    /* Cancelled before it starts: SS_EINTR, nothing reported done. */
    volatile sig_atomic_t cancel = 1;
    snprintf(out, sizeof out, "%s/cancelled", dir);
    o.out_dir = out;
    o.cancel = &cancel;
    assert_int_equal(exp_sweep(&o, &err), SS_EINTR);
    assert_non_null(strstr(err.msg, "0 of 4 runs done"));
    snprintf(db_path, sizeof db_path, "%s/results.sqlite", out);
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_true(query_real(db, "SELECT count(*) FROM runs") == 0);
    assert_true(query_real(db, "SELECT count(*) FROM summary") == 0);
    sqlite3_close(db);

    /* A missing binary is reported, not crashed on. */
    o.scoresim = "/nonexistent/scoresim";
    o.cancel = NULL;
    assert_int_equal(exp_sweep(&o, &err), SS_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/scoresim"));
    assert_int_equal(th_remove_tree(dir), 0);
}

/* A run that crashes (here a wrapper around the binary that kills itself
 * for seed 2) and one that exits 0 leaving results that are not a database
 * (seed 3) are recorded as failed, with why, and listed on the log; the
 * other run completes, and the status is EXP_ERUNS. */
static void test_sweep_failing_runs(void **state)
{
    char dir[64], out[128], wrapper[128], db_path[160], logged[4096] = "";
    th_tmpdir(dir, sizeof dir, "exp");
    snprintf(out, sizeof out, "%s/sweep", dir);
    snprintf(wrapper, sizeof wrapper, "%s/crashy", dir);
    snprintf(db_path, sizeof db_path, "%s/results.sqlite", out);
    char script[1024];
    snprintf(script, sizeof script,
             "#!/bin/sh\n"
             "case \"$*\" in\n"
             "*seed=2*) echo about to crash >&2; kill -SEGV $$;;\n"
             "*seed=3*) while [ \"$1\" != --out ]; do shift; done\n"
             "  echo garbage > \"$2/results.sqlite\"; exit 0;;\n"
             "esac\n"
             "exec '%s' \"$@\"\n",
             SCORESIM_BIN);
    write_file(wrapper, script);
    assert_int_equal(chmod(wrapper, 0755), 0);
    const char *sets[] = {"population.agents=1000", "days=3"};
    FILE *log = tmpfile();
    assert_non_null(log);
    char used[1100] = "";
    struct exp_options o = {.scoresim = wrapper,
                            .sets = sets,
                            .n_sets = 2,
                            .replicates = 4,
                            .threads = 1,
                            .out_dir = out,
                            .out_used = used,
                            .out_used_size = sizeof used,
                            .log = log};
    struct ss_error err = {0};
    assert_int_equal(exp_sweep(&o, &err), EXP_ERUNS);
    assert_non_null(strstr(err.msg, "2 of 4 runs failed"));
    assert_string_equal(used, out);
    rewind(log);
    size_t k = fread(logged, 1, sizeof logged - 1, log);
    logged[k] = '\0';
    fclose(log);
    if (!strstr(logged, "run 1 failed (base, replicate 1, seed 2;") ||
        !strstr(logged, "killed by signal 11") ||
        !strstr(logged, "run 2 failed (base, replicate 2, seed 3;") ||
        !strstr(logged, "its results could not be merged"))
        fail_msg("log: %s", logged);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_true(query_real(db, "SELECT count(*) FROM runs WHERE status = 'done'") == 2);
    assert_true(query_real(db, "SELECT count(*) FROM runs WHERE run = 2 AND status = 'failed' "
                               "AND error LIKE 'its results could not be merged: %%'") == 1);
    assert_true(query_real(db, "SELECT count(*) FROM runs WHERE run = 1 AND status = 'failed' "
                               "AND error = 'killed by signal 11 (Segmentation fault): about "
                               "to crash'") == 1);
    assert_true(query_real(db, "SELECT count(*) FROM daily WHERE run IN (1, 2)") == 0);
    assert_true(query_real(db, "SELECT max(n) FROM summary") == 2);
    sqlite3_close(db);
    assert_int_equal(th_remove_tree(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_t_quantile_known_values),
        cmocka_unit_test(test_t_quantile_closed_forms),
        cmocka_unit_test(test_stat_hand_computed),
        cmocka_unit_test(test_factorial_order),
        cmocka_unit_test(test_listed_points),
        cmocka_unit_test(test_vary_refused),
        cmocka_unit_test(test_vary_range),
        cmocka_unit_test(test_baseline_point),
        cmocka_unit_test(test_summary_hand_made),
        cmocka_unit_test(test_comparison_hand_made),
        cmocka_unit_test(test_refuse_other_experiment),
        cmocka_unit_test(test_extend_replicates),
        cmocka_unit_test(test_differences_hand_made),
        cmocka_unit_test(test_sweep_end_to_end),
        cmocka_unit_test(test_sweep_failing_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
