/*
 * test_fastpath.c - the fast day step against the plain reference step.
 *
 * The reference step (sim_options.reference) recounts what every agent
 * sees by scanning every tie every day and sums the caps in a pass of its
 * own; the fast step keeps contact counts up to date (exposure.c) and
 * fuses the caps' sums into the agent pass. On scenarios where listings,
 * internments, releases, protests, cuts and court judgments all happen,
 * both are stepped side by side (the fast one on 2 threads, the reference
 * on 1) and compared after every day: every per-agent array, every tie,
 * the day's counts and contacts, and every measured figure, bit for bit.
 * A degree too large for the kept counts runs the reference step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* Step both sims through every day of s, measuring and comparing daily;
 * returns what happened, so the caller can check the test had teeth. */
struct happened {
    int64_t listed, interned, releases, protest_days, cut_ends, judgments, meetings_listed;
    int64_t settled_exits, rail_refused;
};

static struct happened step_both(const struct scenario *s)
{
    struct sim *f = th_sim(s, 2, 0), *r = th_sim(s, 1, 1);
    assert_true(f->eng.xp.enabled);
    assert_false(r->eng.xp.enabled);
    struct ss_error err = {0};
    struct happened h = {0};
    th_measure(f);
    th_measure(r);
    th_assert_same_sims(f, r, "fast step (2 threads) against the reference (1)");
    for (int day = 1; day <= f->world.p->days; day++) {
        th_step(f);
        th_step(r);
        th_measure(f);
        th_measure(r);
        /* The kept counts equal a recount (also done by debug builds). */
        assert_int_equal(expo_check(&f->eng.xp, &f->world, 2, &err), SS_OK);
        th_assert_same_sims(f, r, "fast step (2 threads) against the reference (1)");
        const struct group_counts *t = &f->eng.counts.row[f->world.pop.n_groups];
        h.listed += t->sanctions[SA_LISTING];
        h.interned += t->sanctions[SA_INTERNMENT];
        h.releases += t->releases;
        h.protest_days += t->taken[ACT_PROTEST];
        h.judgments += t->scored[EV_COURT_JUDGMENT];
        h.settled_exits += t->exits_settled;
        h.rail_refused += t->sanctions[SA_RAIL];
        h.meetings_listed += t->observed[ACT_MEET];
    }
    h.cut_ends = f->met.rows[f->world.pop.n_groups].ties_cut;
    sim_free(f);
    sim_free(r);
    return h;
}

/* Seed rules with everything turned up: two large protest triggers, half
 * the population in an internment group, heavy ostracism, frequent
 * payments (court judgments) and false camera records. */
static void test_busy_scenario(void **state)
{
    struct scenario *s =
        th_busy_scenario(th_sanitized() ? 2500 : 12000, th_sanitized() ? 40 : 70, NULL);
    struct happened h = step_both(s);
    assert_true(h.listed > 50 && h.interned > 20 && h.releases > 0);
    assert_true(h.protest_days > 100 && h.cut_ends > 50 && h.judgments > 10);
    assert_true(h.settled_exits > 0 && h.rail_refused > 0);
    assert_true(h.meetings_listed > 10);
    scn_free(s);
}

/* The busy scenario with association points limited to the first days
 * of each listing (sanctions.association.window): both steps gate the
 * same meetings by the listed end's listing day. */
static void test_association_window_both_steps(void **state)
{
    const char *more[] = {"sanctions.association.window=4", NULL};
    struct scenario *s =
        th_busy_scenario(th_sanitized() ? 2500 : 12000, th_sanitized() ? 40 : 70, more);
    struct happened h = step_both(s);
    assert_true(h.listed > 50 && h.meetings_listed > 10);
    scn_free(s);
}

/* Other rule variants: thresholds as counts with spontaneous protest, a
 * fixed group cap, association penalties off, and a denser network. */
static void test_rule_variants(void **state)
{
    const char *sets[] = {"population.threshold_unit=count",
                          "population.threshold={dist: normal, mean: 2, sd: 1, lo: 0, hi: 5}",
                          "behaviour.protest.spontaneous=true",
                          "behaviour.protest.leave=0.6",
                          "scoring.points.protest=-200",
                          "scoring.group_cap.mode=fixed",
                          "sanctions.association.enabled=false",
                          "network.layers.online.mean_degree=30",
                          "sanctions.ostracism.base=0.5",
                          NULL};
    struct scenario *s = th_scenario(th_sanitized() ? 2000 : 8000, th_sanitized() ? 30 : 50, sets);
    struct happened h = step_both(s);
    assert_true(h.listed > 20 && h.protest_days > 100 && h.cut_ends > 20);
    scn_free(s);
}

/* The seed scenario itself, as shipped. */
static void test_seed_scenario(void **state)
{
    struct scenario *s =
        th_scenario(th_sanitized() ? 2500 : 20000, th_sanitized() ? 75 : 130, NULL);
    struct happened h = step_both(s);
    assert_true(h.judgments > 0);
    scn_free(s);
}

/* A degree above the 16-bit counts (a star of 66,000 leaves, from an edge
 * list) runs the reference step, and runs. */
static void test_large_degree_falls_back(void **state)
{
    char path[] = "/tmp/scoresim-star-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    const uint32_t leaves = EXPO_MAX_DEGREE + 465u;
    for (uint32_t k = 1; k <= leaves; k++) fprintf(f, "0 %u\n", k);
    assert_int_equal(fclose(f), 0);
    char layers[256];
    snprintf(layers, sizeof layers, "network.layers={star: {generator: edge_list, file: %s}}",
             path);
    const char *sets[] = {layers, NULL};
    struct scenario *s = th_scenario(leaves + 1, 3, sets);
    struct sim *sim = th_sim(s, 2, 0);
    assert_false(sim->eng.xp.enabled);
    for (int day = 1; day <= 3; day++) th_step(sim);
    sim_free(sim);
    scn_free(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_scenario),
        cmocka_unit_test(test_association_window_both_steps),
        cmocka_unit_test(test_rule_variants),
        cmocka_unit_test(test_seed_scenario),
        cmocka_unit_test(test_large_degree_falls_back),
    };
    return cmocka_run_group_tests_name("fastpath", tests, NULL, NULL);
}
