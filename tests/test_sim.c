/*
 * test_sim.c - the whole pipeline through the public API: a run's results
 * are read back from SQLite and CSV; results are bit-identical for 1 and 2
 * threads; a scenario too large for the memory limit is refused before
 * anything is built; an interrupted run leaves no finished-looking file;
 * the snapshot's rows are the world the run left (the driver builds them,
 * run/sim.c; test_output.c checks that rows reach the files).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "model/scoring.h"

/* Sanitizers slow everything ~10x: keep the sizes honest but small. */
static uint32_t test_agents(void)
{
    return th_sanitized() ? 4000 : 30000;
}

/* Run, then read everything back. */
static void test_end_to_end(void **state)
{
    const int days = 12;
    const uint32_t agents = test_agents();
    struct scenario *s = th_scenario(agents, days, NULL);
    char dir[256];
    th_tmpdir(dir, sizeof dir, "test-sim");
    th_run_into(s, 2, dir);
    assert_true(th_file_exists(dir, "results.sqlite"));
    assert_true(th_file_exists(dir, "daily.csv"));
    /* a CSV per table, the manifest, no temporary file left behind */
    char have[1024];
    th_list_dir(dir, have, sizeof have);
    assert_string_equal(have,
                        ".scoresim daily.csv daily_layer.csv groups.csv layers.csv ratios.csv "
                        "results.sqlite run.csv schedule.csv");

    sqlite3 *db = th_open_results(dir);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM run"), 1);
    assert_int_equal(th_query_int(db, "SELECT seed FROM run"), 1);
    assert_int_equal(th_query_int(db, "SELECT agents FROM run"), agents);
    assert_int_equal(th_query_int(db, "SELECT days FROM run"), days);
    assert_true(th_query_int(db, "SELECT peak_memory_bytes FROM run") > 1000000);
    assert_true(th_query_real(db, "SELECT wall_seconds FROM run") > 0);
    assert_true(th_query_int(db, "SELECT length(scenario) FROM run") > 1000);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM run WHERE version = '" SS_VERSION "'"),
                     1);
    /* The driver's part of the run row: the times in ISO 8601 UTC, the
     * thread count, the machine's processors, the allocation peak. */
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM run WHERE started GLOB "
                                      "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:"
                                      "[0-5][0-9]:[0-6][0-9]Z' AND finished GLOB "
                                      "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:"
                                      "[0-5][0-9]:[0-6][0-9]Z' AND finished >= started"),
                     1);
    assert_int_equal(th_query_int(db, "SELECT threads FROM run"), 2);
    assert_true(th_query_int(db, "SELECT host_cores FROM run") >= 1);
    assert_true(th_query_int(db, "SELECT alloc_peak_bytes FROM run") > 1000000);
    assert_true(th_query_int(db, "SELECT estimate_bytes >= alloc_peak_bytes FROM run"));
    /* One row per day (0..days) and group (4 groups and 'all'). */
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily"), (days + 1) * 5);
    assert_int_equal(th_query_int(db, "SELECT count(DISTINCT day) FROM daily"), days + 1);
    /* The groups add up to the total, every day. */
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily a WHERE a.\"group\" = -1 AND "
                                      "a.agents != (SELECT sum(b.agents) FROM daily b WHERE "
                                      "b.day = a.day AND b.\"group\" >= 0)"),
                     0);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily a WHERE a.\"group\" = -1 AND "
                                      "a.contacts != (SELECT sum(b.contacts) FROM daily b WHERE "
                                      "b.day = a.day AND b.\"group\" >= 0)"),
                     0);
    assert_int_equal(th_query_int(db, "SELECT agents FROM daily WHERE day = 0 AND \"group\" = -1"),
                     agents);
    /* Household contacts happen every day, so every day after 0 has some;
     * the daily contact share of the work layer is near its 0.5. */
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily WHERE day > 0 AND "
                                      "\"group\" = -1 AND contacts <= 0"),
                     0);
    double share = th_query_real(db, "SELECT 1.0 * sum(d.contacts) / sum(d.ties) FROM "
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
    assert_int_equal(th_remove_tree(dir), 0);
    scn_free(s);
}

/* Every table, every column, bit for bit, with 1 and 2 threads. */
static void compare_tables(const char *a, const char *b, const char *sql)
{
    sqlite3 *da = th_open_results(a), *dbb = th_open_results(b);
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
    struct scenario *s = th_scenario(test_agents(), 31, NULL);
    char d1[256], d2[256];
    th_tmpdir(d1, sizeof d1, "test-sim");
    th_tmpdir(d2, sizeof d2, "test-sim");
    th_run_into(s, 1, d1);
    th_run_into(s, 2, d2);
    compare_tables(d1, d2, "SELECT * FROM daily ORDER BY day, \"group\"");
    compare_tables(d1, d2, "SELECT * FROM daily_layer ORDER BY day, \"group\", layer");
    compare_tables(d1, d2, "SELECT * FROM layers ORDER BY layer");
    compare_tables(d1, d2, "SELECT * FROM groups ORDER BY \"group\"");
    assert_int_equal(th_remove_tree(d1), 0);
    assert_int_equal(th_remove_tree(d2), 0);
    scn_free(s);
}

/* The population and networks themselves, array by array. */
static void test_build_thread_independence(void **state)
{
    struct scenario *s = th_scenario(test_agents(), 1, NULL);
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
    struct scenario *s = th_scenario(1000000, 1, NULL);
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
    struct scenario *s = th_scenario(2000, 30, NULL);
    char dir[256];
    th_tmpdir(dir, sizeof dir, "test-sim");
    volatile sig_atomic_t cancel = 1;
    struct sim_options o = {.threads = 1, .out_dir = dir, .cancel = &cancel};
    struct sim *sim = NULL;
    struct ss_error err = {0};
    assert_int_equal(sim_create(&sim, s, &o, &err), SS_OK);
    assert_int_equal(sim_run(sim, &err), SS_EINTR);
    sim_free(sim);
    assert_int_equal(th_count_entries(dir), 0);
    assert_int_equal(th_remove_tree(dir), 0);
    scn_free(s);
}

/* The snapshot (the agents and agent_degree tables) is the world as the
 * run left it, agent by agent: each row as the driver builds it from the
 * population, the state and the live ties, checked here against the same
 * world before the sim is freed. A scenario where agents are listed,
 * interned and ostracised, so the rows differ. */
static void test_snapshot(void **state)
{
    const char *sets[] = {"behaviour.payment.period=3",
                          "behaviour.protest.trigger.days=[3]",
                          "behaviour.protest.trigger.share=0.3",
                          "population.groups={majority: 0.5, uyghur: 0.5}",
                          "scoring.points.protest=-300",
                          "sanctions.ostracism.base=0.3",
                          NULL};
    struct scenario *s = th_scenario(th_sanitized() ? 1500 : 4000, 20, sets);
    char dir[256];
    th_tmpdir(dir, sizeof dir, "test-sim");
    struct sim_options o = {.threads = 2, .out_dir = dir, .snapshot = 1};
    struct sim *sim = th_sim_create(s, &o);
    struct ss_error err = {0};
    int rc = sim_run(sim, &err);
    if (rc != SS_OK) ss_error_print(&err, stderr);
    assert_int_equal(rc, SS_OK);

    const struct world *w = &sim->world;
    const struct params *p = w->p;
    const struct state *st = &w->st;
    const uint32_t n = w->pop.n, nl = w->net.n_layers;
    sqlite3 *db = th_open_results(dir);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM agents"), n);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM agent_degree"), (int64_t)n * nl);
    sqlite3_stmt *q = NULL, *qd = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id, \"group\", household, child, online, "
                                        "attitude, reliability, threshold, degree, fear, score, "
                                        "financial, judicial, social, listed, interned, "
                                        "ever_sanctioned, genuine FROM agents ORDER BY id",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id, layer, degree FROM agent_degree "
                                        "ORDER BY id, layer",
                                        -1, &qd, NULL),
                     SQLITE_OK);
    int64_t listed = 0, interned = 0, cut = 0;
    for (uint32_t a = 0; a < n; a++) {
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        const uint8_t g = w->pop.group[a];
        int64_t total = 0;
        for (uint32_t l = 0; l < nl; l++) {
            const struct layer *ly = &w->net.layer[l];
            int64_t deg = 0;
            for (net_off_t e = ly->off[a]; e < ly->off[a + 1]; e++) {
                deg += ly->adj[e] != NET_CUT;
                cut += ly->adj[e] == NET_CUT;
            }
            total += deg;
            assert_int_equal(sqlite3_step(qd), SQLITE_ROW);
            assert_int_equal(sqlite3_column_int64(qd, 0), a);
            assert_int_equal(sqlite3_column_int64(qd, 1), l);
            assert_int_equal(sqlite3_column_int64(qd, 2), deg);
        }
        const int64_t ints[] = {a, g, pop_household(&w->pop, a), (w->pop.flags[a] & POP_CHILD) != 0,
                                (w->pop.flags[a] & POP_ONLINE) != 0};
        for (int c = 0; c < 5; c++) assert_int_equal(sqlite3_column_int64(q, c), ints[c]);
        const double reals[] = {st->attitude[a], pop_reliability(&w->pop, a),
                                pop_threshold(&w->pop, a)};
        for (int c = 0; c < 3; c++) assert_true(sqlite3_column_double(q, 5 + c) == reals[c]);
        assert_int_equal(sqlite3_column_int64(q, 8), total);
        const double scores[] = {
            st->fear[a], score_reported(p, st, a, g), score_domain(p, st, a, g, SUB_FINANCIAL),
            score_domain(p, st, a, g, SUB_JUDICIAL), score_domain(p, st, a, g, SUB_SOCIAL)};
        for (int c = 0; c < 5; c++)
            if (sqlite3_column_double(q, 9 + c) != scores[c])
                fail_msg("agent %u column %d: %.17g, the world has %.17g", a, 9 + c,
                         sqlite3_column_double(q, 9 + c), scores[c]);
        const int64_t flags[] = {
            (st->status[a] & ST_LISTED) != 0, (st->status[a] & ST_INTERNED) != 0,
            (st->history[a] & HI_SANCTIONED) != 0, (st->history[a] & HI_GENUINE) != 0};
        for (int c = 0; c < 4; c++) assert_int_equal(sqlite3_column_int64(q, 14 + c), flags[c]);
        listed += flags[0];
        interned += flags[1];
    }
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    assert_int_equal(sqlite3_step(qd), SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_finalize(qd);
    sqlite3_close(db);
    assert_true(listed > 0 && interned > 0 && cut > 0); /* the rows differ */
    sim_free(sim);
    assert_int_equal(th_remove_tree(dir), 0);
    scn_free(s);
}

/* The warnings a run passes on (sim_options.warn), kept in order. */
struct warned {
    int n;             /* calls */
    char msg[16][512]; /* the first 16 */
};

static void keep_warning(void *ud, const char *msg)
{
    struct warned *w = ud;
    if (w->n < 16) snprintf(w->msg[w->n], sizeof w->msg[0], "%s", msg);
    w->n++;
}

/* Run trial r's scenario (finished here) for its days, keeping warnings. */
static void run_warned(struct th_trial *r, struct warned *w)
{
    char dir[256];
    th_tmpdir(dir, sizeof dir, "test-sim");
    th_finish(r->s);
    memset(w, 0, sizeof *w);
    struct sim_options o = {
        .threads = 1, .out_dir = dir, .force = 1, .warn = keep_warning, .warn_ud = w};
    r->sim = th_sim_create(r->s, &o);
    struct ss_error err = {0};
    assert_int_equal(sim_run(r->sim, &err), SS_OK);
    th_trial_free(r);
    assert_int_equal(th_remove_tree(dir), 0);
}

/* A protest trigger that takes fewer agents than it asks for is said, by
 * day and with what it could take: a count beyond the eligible, ids that
 * name a child, a share with no one eligible; one that takes all it asks
 * for is not. Past SIM_MAX_WARNINGS a run only counts them, and says how
 * many it left out at its end. */
static void test_trigger_warnings(void **state)
{
    const double att[6] = {0.9, 0.1, 0.9, 0.1, 0.1, 0.1};
    struct th_trial r;
    struct warned w;

    th_trial_quiet(&r, 6);
    th_trial_set(&r, "population.attitude=%s", th_yaml_list(att, 6));
    TH_TRIAL_SETS(&r, "days=5", "behaviour.protest.trigger.days=[2, 4]",
                  "behaviour.protest.trigger.min_attitude=0.5",
                  "behaviour.protest.trigger.count=5");
    run_warned(&r, &w);
    TH_EQ(w.n, 2);
    assert_string_equal(w.msg[0], "day 2: the protest trigger asks for 5 agents "
                                  "(behaviour.protest.trigger.count), but 2 are eligible (adults, "
                                  "not interned, attitude above 0.5): it took the 2 it could");
    assert_non_null(strstr(w.msg[1], "day 4: "));

    th_trial_quiet(&r, 6);
    th_trial_set(&r, "population.attitude=%s", th_yaml_list(att, 6));
    TH_TRIAL_SETS(&r, "days=5", "behaviour.protest.trigger.days=[2]",
                  "behaviour.protest.trigger.min_attitude=0.5",
                  "behaviour.protest.trigger.count=2");
    run_warned(&r, &w);
    TH_EQ(w.n, 0);

    th_trial_quiet(&r, 6);
    TH_TRIAL_SETS(&r, "days=5", "behaviour.protest.trigger.days=[3]",
                  "behaviour.protest.trigger.min_attitude=0.95",
                  "behaviour.protest.trigger.share=0.001");
    run_warned(&r, &w);
    TH_EQ(w.n, 1);
    assert_string_equal(w.msg[0], "day 3: the protest trigger asks for a share (0.001) of the "
                                  "eligible agents (adults, not interned, attitude above 0.95), "
                                  "but none is eligible: it took none");

    /* ids: a child takes no part (households of 4, half of them children) */
    th_trial_quiet(&r, 40);
    TH_TRIAL_SETS(&r, "population.household_size=4", "population.child_share=0.5");
    th_trial_start(&r);
    uint32_t child = 0;
    while (child < 40 && !(r.sim->world.pop.flags[child] & POP_CHILD)) child++;
    assert_true(child < 40);
    th_trial_free(&r);
    th_trial_quiet(&r, 40);
    TH_TRIAL_SETS(&r, "population.household_size=4", "population.child_share=0.5", "days=3",
                  "behaviour.protest.trigger.days=[1]");
    th_trial_set(&r, "behaviour.protest.trigger.ids=[%u, %u]", child == 0 ? 1u : 0u, child);
    run_warned(&r, &w);
    TH_EQ(w.n, 1);
    assert_string_equal(w.msg[0], "day 1: the protest trigger names 2 agents "
                                  "(behaviour.protest.trigger.ids), but 1 of them are children or "
                                  "interned, who take no part: it took the 1 it could");

    /* 12 short days: 10 said, then how many were not */
    th_trial_quiet(&r, 6);
    TH_TRIAL_SETS(&r, "days=12",
                  "behaviour.protest.trigger.days=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]",
                  "behaviour.protest.trigger.count=1");
    run_warned(&r, &w);
    TH_EQ(w.n, SIM_MAX_WARNINGS + 1);
    assert_string_equal(w.msg[0], "day 1: the protest trigger asks for 1 agent "
                                  "(behaviour.protest.trigger.count), but none is eligible "
                                  "(adults, not interned, attitude above 0.7): it took none");
    assert_non_null(strstr(w.msg[SIM_MAX_WARNINGS - 1], "day 10: "));
    assert_string_equal(w.msg[SIM_MAX_WARNINGS], "2 more warnings like those above not shown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_end_to_end),
        cmocka_unit_test(test_thread_count_independence),
        cmocka_unit_test(test_build_thread_independence),
        cmocka_unit_test(test_memory_refusal),
        cmocka_unit_test(test_interrupted_run_leaves_nothing),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_trigger_warnings),
    };
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
