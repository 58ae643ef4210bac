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
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario/scenario.h"
#include "run/sim.h"

static int sanitized(void)
{
    return getenv("SCORESIM_SANITIZED") != NULL;
}

static struct scenario *scenario_with(uint32_t agents, int days, const char *const *sets)
{
    struct ss_error err = {0};
    struct scenario *s = NULL;
    char a[64], d[64];
    snprintf(a, sizeof a, "population.agents=%u", agents);
    snprintf(d, sizeof d, "days=%d", days);
    assert_int_equal(scn_new_default(&s, &err), SS_OK);
    assert_int_equal(scn_set(s, a, &err), SS_OK);
    assert_int_equal(scn_set(s, d, &err), SS_OK);
    for (int k = 0; sets && sets[k]; k++) {
        int rc = scn_set(s, sets[k], &err);
        if (rc != SS_OK) ss_error_print(&err, stderr);
        assert_int_equal(rc, SS_OK);
    }
    assert_int_equal(scn_finish(s, &err), SS_OK);
    return s;
}

static struct sim *create(const struct scenario *s, int threads, int reference)
{
    struct sim_options o = {.threads = threads, .reference = reference};
    struct ss_error err = {0};
    struct sim *sim = NULL;
    int rc = sim_create(&sim, s, &o, &err);
    if (rc != SS_OK) ss_error_print(&err, stderr);
    assert_int_equal(rc, SS_OK);
    return sim;
}

#define SAME(a, b, count) assert_memory_equal((a), (b), (size_t)(count) * sizeof *(a))

/* Everything the day left behind, in both sims. */
static void compare(const struct sim *f, const struct sim *r, int day)
{
    const uint32_t n = f->world.pop.n;
    const struct state *a = &f->world.st, *b = &r->world.st;
    SAME(a->status, b->status, n);
    SAME(a->history, b->history, n);
    SAME(a->fear, b->fear, n);
    for (int d = 0; d < N_SUBSYSTEMS; d++) SAME(a->ledger[d], b->ledger[d], n);
    SAME(a->attitude, b->attitude, n);
    SAME(a->listed_day, b->listed_day, n);
    SAME(a->interned_until, b->interned_until, n);
    SAME(a->misses, b->misses, (size_t)n * a->n_misses);
    SAME(a->cap, b->cap, N_SUBSYSTEMS + 1);
    SAME(a->watched, b->watched, n);
    SAME(f->eng.acts, r->eng.acts, n);
    const struct network *fn = &f->world.net, *rn = &r->world.net;
    for (uint32_t l = 0; l < fn->n_layers; l++)
        SAME(fn->layer[l].adj, rn->layer[l].adj, fn->layer[l].n_entries);
    const uint32_t ng = f->world.pop.n_groups;
    for (uint32_t g = 0; g <= ng; g++)
        assert_memory_equal(&f->eng.counts.row[g], &r->eng.counts.row[g],
                            sizeof f->eng.counts.row[g]);
    SAME(f->world.totals, r->world.totals, ng + 1);
    assert_int_equal(f->world.day, r->world.day);
    SAME(f->eng.contacts, r->eng.contacts, (size_t)(ng + 1) * fn->n_layers);
    SAME(f->met.rows, r->met.rows, f->met.n_rows);
    SAME(f->met.layer_rows, r->met.layer_rows, f->met.n_layer_rows);
    (void)day;
}

/* Step both sims through every day of s, measuring and comparing daily;
 * returns what happened, so the caller can check the test had teeth. */
struct happened {
    int64_t listed, interned, releases, protest_days, cut_ends, judgments, meetings_listed;
};

static struct happened step_both(const struct scenario *s)
{
    struct sim *f = create(s, 2, 0), *r = create(s, 1, 1);
    assert_true(f->eng.xp.enabled);
    assert_false(r->eng.xp.enabled);
    struct ss_error err = {0};
    struct happened h = {0};
    assert_int_equal(sim_measure(f, &err), SS_OK);
    assert_int_equal(sim_measure(r, &err), SS_OK);
    compare(f, r, 0);
    for (int day = 1; day <= f->world.p->days; day++) {
        int rc = sim_step(f, &err);
        if (rc != SS_OK) ss_error_print(&err, stderr);
        assert_int_equal(rc, SS_OK);
        assert_int_equal(sim_step(r, &err), SS_OK);
        assert_int_equal(sim_measure(f, &err), SS_OK);
        assert_int_equal(sim_measure(r, &err), SS_OK);
        /* The kept counts equal a recount (also done by debug builds). */
        assert_int_equal(expo_check(&f->eng.xp, &f->world, 2, &err), SS_OK);
        compare(f, r, day);
        const struct group_counts *t = &f->eng.counts.row[f->world.pop.n_groups];
        h.listed += t->sanctions[SA_LISTING];
        h.interned += t->sanctions[SA_INTERNMENT];
        h.releases += t->releases;
        h.protest_days += t->taken[ACT_PROTEST];
        h.judgments += t->scored[EV_COURT_JUDGMENT];
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
    const char *sets[] = {"behaviour.payment.period=3",
                          "behaviour.protest.trigger.days=[5, 30]",
                          "behaviour.protest.trigger.share=0.3",
                          "behaviour.protest.trigger.min_attitude=0.3",
                          "population.groups={majority: 0.5, uyghur: 0.5}",
                          "scoring.points.protest=-300",
                          "surveillance.cameras.false_attribution=0.002",
                          "sanctions.ostracism.base=0.3",
                          "sanctions.internment.days=10",
                          NULL};
    struct scenario *s = scenario_with(sanitized() ? 2500 : 12000, sanitized() ? 40 : 70, sets);
    struct happened h = step_both(s);
    assert_true(h.listed > 50 && h.interned > 20 && h.releases > 0);
    assert_true(h.protest_days > 100 && h.cut_ends > 50 && h.judgments > 10);
    assert_true(h.meetings_listed > 10);
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
    struct scenario *s = scenario_with(sanitized() ? 2000 : 8000, sanitized() ? 30 : 50, sets);
    struct happened h = step_both(s);
    assert_true(h.listed > 20 && h.protest_days > 100 && h.cut_ends > 20);
    scn_free(s);
}

/* The seed scenario itself, as shipped. */
static void test_seed_scenario(void **state)
{
    struct scenario *s = scenario_with(sanitized() ? 2500 : 20000, sanitized() ? 75 : 130, NULL);
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
    struct scenario *s = scenario_with(leaves + 1, 3, sets);
    struct sim *sim = create(s, 2, 0);
    assert_false(sim->eng.xp.enabled);
    struct ss_error err = {0};
    for (int day = 1; day <= 3; day++) assert_int_equal(sim_step(sim, &err), SS_OK);
    sim_free(sim);
    scn_free(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_busy_scenario),
        cmocka_unit_test(test_rule_variants),
        cmocka_unit_test(test_seed_scenario),
        cmocka_unit_test(test_large_degree_falls_back),
    };
    return cmocka_run_group_tests_name("fastpath", tests, NULL, NULL);
}
