/*
 * test_experiment.c - sweeps and comparisons (plan.c, schedule.c,
 * summary.c): Student's t quantiles against closed forms and tables;
 * mean, sd and confidence interval of a hand-computed case; the order of
 * the factorial and the checks of --vary; and a small real sweep through
 * the scoresim binary (children, merge, resume, cancel). The tables built
 * from hand-made experiment databases, and the refusal of a different
 * experiment in the same folder, are test_experiment_db.c's.
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
#include "harness_experiment.h"
#include "engine/metrics.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

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

static void test_factorial_order(void **state)
{
    const char *vary[] = {"days=5,6", "population.agents = 100, 200 ,300"};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    assert_int_equal(th_exp_plan(&pl, vary, 2, NULL, 0, 3, &err), SS_OK);
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
    assert_int_equal(th_exp_plan(&pl, vary2, 2, sets, 1, 2, &err), SS_OK);
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
    assert_int_equal(th_exp_plan(&pl, v, 1, NULL, 0, 2, &err), SS_EINPUT);
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
    assert_int_equal(th_exp_plan(&pl, twice, 2, NULL, 0, 2, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "varied twice"));
    const char *ok[] = {"days=1"};
    assert_int_equal(th_exp_plan(&pl, ok, 1, NULL, 0, -1, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "--replicates"));
}

static void test_vary_range(void **state)
{
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    /* Decimals as written (no 0.30000000000000004); HI included; a range
     * beside plain values. */
    const char *v1[] = {"scoring.integration=0:0.6:0.1"};
    assert_int_equal(th_exp_plan(&pl, v1, 1, NULL, 0, 1, &err), SS_OK);
    assert_int_equal(pl->n_points, 7);
    const char *want[] = {"0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6"};
    for (int p = 0; p < 7; p++) assert_string_equal(exp_point_value(pl, p, 0), want[p]);
    exp_plan_free(pl);
    const char *v2[] = {"days=5:20:5, 30", "scoring.integration=0.25:0.75:0.25"};
    assert_int_equal(th_exp_plan(&pl, v2, 2, NULL, 0, 1, &err), SS_OK);
    assert_int_equal(pl->axis[0].n, 5);
    assert_string_equal(pl->axis[0].values[3], "20");
    assert_string_equal(pl->axis[0].values[4], "30");
    assert_int_equal(pl->axis[1].n, 3);
    assert_string_equal(pl->axis[1].values[2], "0.75");
    assert_string_equal(pl->label[14], "days=30, scoring.integration=0.75");
    exp_plan_free(pl);
    /* A step that does not land on HI stops before it. */
    const char *v3[] = {"days=1:10:4"};
    assert_int_equal(th_exp_plan(&pl, v3, 1, NULL, 0, 1, &err), SS_OK);
    assert_int_equal(pl->n_points, 3);
    assert_string_equal(pl->label[2], "days=9");
    exp_plan_free(pl);
}

static void test_baseline_point(void **state)
{
    const char *vary[] = {"days=5,6", "scoring.integration=0,0.5,1"};
    struct exp_plan *pl = NULL;
    struct ss_error err = {0};
    /* by number, by every key, by the value written otherwise (0.50) */
    assert_int_equal(th_exp_plan_baseline(&pl, vary, 2, "4", &err), SS_OK);
    assert_int_equal(pl->baseline, 4);
    exp_plan_free(pl);
    assert_int_equal(th_exp_plan_baseline(&pl, vary, 2, "days=6, scoring.integration=0.50", &err),
                     SS_OK);
    assert_int_equal(pl->baseline, 4);
    exp_plan_free(pl);
    assert_int_equal(th_exp_plan_baseline(&pl, vary, 2, NULL, &err), SS_OK);
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
        assert_int_equal(th_exp_plan_baseline(&pl, vary, 2, bad[i][0], &err), SS_EINPUT);
        assert_null(pl);
        if (!strstr(err.msg, bad[i][1])) fail_msg("--baseline %s: '%s'", bad[i][0], err.msg);
    }
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
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM runs WHERE status = 'done'") == 4);
    double rows = th_exp_query_real(db, "SELECT count(*) FROM daily");
    double groups = th_exp_query_real(db, "SELECT count(*) FROM groups WHERE run = 0");
    assert_true(rows == 4.0 * (days + 1) * (groups + 1));
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM summary") ==
                2.0 * (days + 1) * (groups + 1) * th_exp_n_metrics());
    /* every run's own groups and layers */
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM groups") == 4.0 * groups);
    assert_true(th_exp_query_real(db, "SELECT count(DISTINCT run) FROM layers") == 4.0);
    double seeds = th_exp_query_real(db, "SELECT sum(seed) FROM runs");
    assert_true(seeds == 2 * (1 + 2)); /* seeds 1, 2 at both points */
    double wall = th_exp_query_real(db, "SELECT sum(wall_seconds) FROM runs");
    sqlite3_close(db);
    struct stat st;
    assert_true(stat(runs, &st) != 0); /* merged runs' folders are removed */

    /* Again: everything is done, nothing is redone. */
    rc = exp_sweep(&o, &err);
    if (rc != SS_OK) fail_msg("exp_sweep again: %s", err.msg);
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_true(th_exp_query_real(db, "SELECT sum(wall_seconds) FROM runs") == wall);
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM daily") == rows);
    sqlite3_close(db);

    /* Cancelled before it starts: SS_EINTR, nothing reported done, and
     * nothing published: the record waits in the staging folder for the
     * same command. */
    volatile sig_atomic_t cancel = 1;
    snprintf(out, sizeof out, "%s/cancelled", dir);
    o.out_dir = out;
    o.cancel = &cancel;
    assert_int_equal(exp_sweep(&o, &err), SS_EINTR);
    assert_non_null(strstr(err.msg, "0 of 4 runs done"));
    assert_true(stat(out, &st) != 0);
    snprintf(db_path, sizeof db_path, "%s/.cancelled.partial/results.sqlite", dir);
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM runs") == 0);
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM summary") == 0);
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
             "  mkdir -p \"$2\"; echo garbage > \"$2/results.sqlite\"; exit 0;;\n"
             "esac\n"
             "exec '%s' \"$@\"\n",
             SCORESIM_BIN);
    th_exp_write_file(wrapper, script);
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
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM runs WHERE status = 'done'") == 2);
    assert_true(th_exp_query_real(db,
                                  "SELECT count(*) FROM runs WHERE run = 2 AND status = 'failed' "
                                  "AND error LIKE 'its results could not be merged: %%'") == 1);
    assert_true(th_exp_query_real(db,
                                  "SELECT count(*) FROM runs WHERE run = 1 AND status = 'failed' "
                                  "AND error = 'killed by signal 11 (Segmentation fault): about "
                                  "to crash'") == 1);
    assert_true(th_exp_query_real(db, "SELECT count(*) FROM daily WHERE run IN (1, 2)") == 0);
    assert_true(th_exp_query_real(db, "SELECT max(n) FROM summary") == 2);
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
        cmocka_unit_test(test_sweep_end_to_end),
        cmocka_unit_test(test_sweep_failing_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
