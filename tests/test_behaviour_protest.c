/*
 * test_behaviour_protest.c - the protest rule and its triggers (docs/model.md
 * section 3, model/behaviour.c): the threshold chain and its exact
 * joining day, contacts that do not count, leaving, no spontaneous
 * protest, trigger ids, shares and counts. Exact tests on a handful of
 * agents over the quiet scenario (th_trial_quiet), as in
 * test_behaviour.c, which holds the rest of what agents do each day and
 * the naive reference of fear and the protest rule.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "harness.h"
#include "model/scoring.h"

/* §3 protest: joins when the share of contacts protesting yesterday >=
 * threshold; §4 cameras; §5 -50 per protest day. Thresholds 0, 0.3, 0.6,
 * 0.9 on a complete graph of 4 (3 contacts each): one more joins each day
 * (shares 0, 1/3, 2/3, 1), and with leave 0 nobody leaves. */
static void test_protest_threshold_chain(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 4);
    th_trial_set(&r, "population.threshold=[0, 0.3, 0.6, 0.9]");
    th_trial_start(&r);
    for (int day = 1; day <= 6; day++) {
        th_trial_day(&r);
        int want = day < 4 ? day : 4;
        TH_EQ(th_tot(&r)->taken[ACT_PROTEST], want);
        TH_EQ(th_tot(&r)->observed[ACT_PROTEST], want);
        TH_EQ(th_tot(&r)->scored[EV_PROTEST], want);
        for (uint32_t i = 0; i < 4; i++) {
            TH_EQ(th_acted(&r, i, AC_PROTEST), (int)i < want);
            TH_EQ(th_status(&r, i, ST_PROTEST), (int)i < want);
            int days_protested = day - (int)i > 0 ? day - (int)i : 0;
            TH_FEQ(th_ledger(&r, SUB_SOCIAL, i), -50.0f * (float)days_protested);
        }
    }
    th_trial_free(&r);
}

/* Agents that join on day 2 when agents 0 .. k-1 of a complete graph of
 * d + 1 are triggered on day 1: each other agent sees k of its d contacts
 * protesting. With `listed`, agent k alone has threshold t (a list; the
 * others 2, never met); else every agent has the constant t. */
static int joined_on_day_2(double t, uint32_t d, uint32_t k, int listed, int reference)
{
    struct th_trial r;
    double thr[64], ids[64];
    assert_true(d + 1 <= 64 && k <= d);
    th_trial_quiet(&r, d + 1);
    for (uint32_t i = 0; i <= d; i++) thr[i] = i == k ? t : 2;
    for (uint32_t i = 0; i < k; i++) ids[i] = i;
    if (listed)
        th_trial_set(&r, "population.threshold=%s", th_yaml_list(thr, d + 1));
    else
        th_trial_set(&r, "population.threshold=%.17g", t);
    th_trial_set(&r, "behaviour.protest.trigger.days=%s", k ? "[1]" : "[]");
    th_trial_set(&r, "behaviour.protest.trigger.ids=%s", th_yaml_list(ids, k));
    th_finish(r.s);
    r.sim = th_sim(r.s, 1, reference);
    th_trial_day(&r);
    TH_EQ(th_tot(&r)->taken[ACT_PROTEST], k);
    th_trial_day(&r);
    int joined = (int)th_tot(&r)->taken[ACT_PROTEST] - (int)k;
    th_trial_free(&r);
    return joined;
}

/* §3 protest: a share of contacts equal to the configured threshold meets
 * it exactly (docs/model.md: "joins if the share ... >= threshold"). Stored
 * as a float, 0.1, 0.2 and 0.3 were a little larger than 1/10, 1/5 and 3/10,
 * and such an agent did not join. Each case: k of d contacts protesting
 * meets threshold t, k - 1 of d does not; as a constant threshold and as a
 * list, in the fast and the reference step. 0.55 of 20 is the case where
 * threshold x contacts would round wrong (11.000000000000002). */
static void test_protest_threshold_exact(void **state)
{
    static const struct {
        double t;
        uint32_t d, k;
    } cases[] = {{0.1, 10, 1}, {0.1, 20, 2}, {0.1, 30, 3}, {0.2, 5, 1},    {0.2, 10, 2},
                 {0.3, 10, 3}, {0.3, 20, 6}, {0.7, 10, 7}, {0.55, 20, 11}, {0.6, 5, 3}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double t = cases[c].t;
        uint32_t d = cases[c].d, k = cases[c].k;
        for (int listed = 0; listed <= 1; listed++) {
            for (int reference = 0; reference <= 1; reference++) {
                /* a constant: everyone not triggered joins, or no one */
                int all = listed ? 1 : (int)(d + 1 - k);
                int got = joined_on_day_2(t, d, k, listed, reference);
                if (got != all)
                    fail_msg("threshold %g (%s, %s step): %u of %u contacts protesting: %d "
                             "joined, expected %d",
                             t, listed ? "listed" : "constant", reference ? "reference" : "fast", k,
                             d, got, all);
                got = joined_on_day_2(t, d, k - 1, listed, reference);
                if (got != 0)
                    fail_msg("threshold %g (%s, %s step): %u of %u contacts protesting: %d "
                             "joined, expected none",
                             t, listed ? "listed" : "constant", reference ? "reference" : "fast",
                             k - 1, d, got);
            }
        }
    }
}

/* The protest rule counts ties, not meetings (docs/model.md, "Ties, not
 * meetings"): the threshold chain of test_protest_threshold_chain over a
 * layer whose ties never meet (contact 0) joins one agent a day all the
 * same, and no one meets anyone. */
static void test_protest_ignores_contact(void **state)
{
    for (int reference = 0; reference <= 1; reference++) {
        struct th_trial r;
        th_trial_quiet(&r, 4);
        TH_TRIAL_SETS(&r, "population.threshold=[0, 0.3, 0.6, 0.9]", "network.layers.c.contact=0");
        th_finish(r.s);
        r.sim = th_sim(r.s, 1, reference);
        for (int day = 1; day <= 5; day++) {
            th_trial_day(&r);
            TH_EQ(th_tot(&r)->taken[ACT_PROTEST], day < 4 ? day : 4);
            TH_EQ(th_tot(&r)->taken[ACT_MEET], 0);
        }
        th_trial_free(&r);
    }
}

/* §3 protest leave: a protester leaves each day with p = leave; at 1 it
 * leaves the day after joining, and (threshold 0) rejoins the day after
 * that. At 0 it never leaves. */
static void test_protest_leave(void **state)
{
    for (int leave = 0; leave <= 1; leave++) {
        struct th_trial r;
        th_trial_quiet(&r, 2);
        th_trial_set(&r, "population.threshold=[0, 2]");
        th_trial_set(&r, "behaviour.protest.leave=%d", leave);
        th_trial_start(&r);
        for (int day = 1; day <= 6; day++) {
            th_trial_day(&r);
            TH_EQ(th_acted(&r, 0, AC_PROTEST), leave ? day % 2 : 1);
            TH_EQ(th_acted(&r, 1, AC_PROTEST), 0);
        }
        th_trial_free(&r);
    }
}

/* §3 protest, the seed's reading (docs/model.md, "Who starts a protest"):
 * with protest.spontaneous off, a threshold of 0 does not make an agent
 * protest alone; it joins as soon as one contact protests. Agent 2 is
 * triggered on day 2; agents 0 and 1 (threshold 0) follow on day 3. */
static void test_protest_not_spontaneous(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 3);
    TH_TRIAL_SETS(&r, "behaviour.protest.spontaneous=false", "population.threshold=[0, 0, 2]",
                  "behaviour.protest.trigger.days=[2]", "behaviour.protest.trigger.ids=[2]");
    th_trial_start(&r);
    th_trial_day(&r);
    TH_EQ(th_tot(&r)->taken[ACT_PROTEST], 0);
    th_trial_day(&r);
    TH_EQ(th_tot(&r)->taken[ACT_PROTEST], 1);
    assert_true(th_acted(&r, 2, AC_PROTEST));
    th_trial_day(&r);
    TH_EQ(th_tot(&r)->taken[ACT_PROTEST], 3);
    th_trial_free(&r);
}

/* §3 / §9 exogenous triggers by id: exactly those agents protest on the
 * trigger day, whatever their attitude; with leave 0 they stay. */
static void test_trigger_ids(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 5);
    TH_TRIAL_SETS(&r, "behaviour.protest.trigger.days=[2]", "behaviour.protest.trigger.ids=[1, 3]",
                  "population.attitude=0");
    th_trial_start(&r);
    th_trial_day(&r);
    TH_EQ(th_tot(&r)->taken[ACT_PROTEST], 0);
    for (int day = 2; day <= 3; day++) {
        th_trial_day(&r);
        TH_EQ(th_tot(&r)->taken[ACT_PROTEST], 2);
        for (uint32_t i = 0; i < 5; i++) TH_EQ(th_acted(&r, i, AC_PROTEST), i == 1 || i == 3);
    }
    th_trial_free(&r);
}

/* §3 / §9 triggers: share 1 sets every eligible agent (attitude above
 * min_attitude: 4 of 6 here) protesting, share 0.5 exactly half of them
 * (share x eligible, rounded at random, is a whole 2), and count k exactly
 * k of them; the drawn ones are eligible. */
static void test_trigger_share_and_count(void **state)
{
    const double att[6] = {0.9, 0.1, 0.9, 0.8, 0.5, 0.95};
    for (int variant = 0; variant < 3; variant++) {
        struct th_trial r;
        th_trial_quiet(&r, 6);
        th_trial_set(&r, "population.attitude=%s", th_yaml_list(att, 6));
        TH_TRIAL_SETS(&r, "behaviour.protest.trigger.days=[1]",
                      "behaviour.protest.trigger.min_attitude=0.5");
        th_trial_set(&r, "behaviour.protest.trigger.%s",
                     variant == 0   ? "share=1"
                     : variant == 1 ? "count=2"
                                    : "share=0.5");
        th_trial_start(&r);
        th_trial_day(&r);
        TH_EQ(th_tot(&r)->taken[ACT_PROTEST], variant == 0 ? 4 : 2);
        for (uint32_t i = 0; i < 6; i++) {
            int eligible = att[i] > 0.5;
            if (variant)
                assert_true(!th_acted(&r, i, AC_PROTEST) || eligible);
            else
                TH_EQ(th_acted(&r, i, AC_PROTEST), eligible);
        }
        th_trial_free(&r);
    }
}

/* §3 triggers: a share that is a whole number of the eligible as
 * configured takes exactly that number on every trigger day, though
 * share x eligible rounds off it in double (0.07 x 100 is
 * 7.000000000000001); a share that is not whole (0.075 x 100) takes 7 or
 * 8, 7.5 on average. Over 20 seeds x 5 days. */
static void test_trigger_share_exact(void **state)
{
    int64_t total = 0, days = 0;
    for (int share = 0; share < 2; share++) {
        for (uint64_t seed = 1; seed <= 20; seed++) {
            struct th_trial r;
            th_trial_quiet(&r, 100);
            TH_TRIAL_SETS(&r, "population.attitude=0.9",
                          "behaviour.protest.trigger.min_attitude=0.5",
                          "behaviour.protest.trigger.days=[1, 2, 3, 4, 5]");
            th_trial_set(&r, "behaviour.protest.trigger.share=%s", share ? "0.075" : "0.07");
            th_trial_set(&r, "seed=%llu", (unsigned long long)seed);
            th_trial_start(&r);
            for (int day = 1; day <= 5; day++) {
                th_trial_day(&r);
                TH_EQ(r.sim->eng.trig.eligible, 100);
                if (!share) {
                    TH_EQ(r.sim->eng.trig.n, 7);
                } else {
                    assert_true(r.sim->eng.trig.n == 7 || r.sim->eng.trig.n == 8);
                    total += r.sim->eng.trig.n;
                    days++;
                }
            }
            th_trial_free(&r);
        }
    }
    /* 100 days, each 8 with p = 1/2: the mean is 7.5 +- 0.05 (sd); 4 sd */
    assert_true(fabs((double)total / (double)days - 7.5) < 0.2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protest_threshold_chain),
        cmocka_unit_test(test_protest_threshold_exact),
        cmocka_unit_test(test_protest_ignores_contact),
        cmocka_unit_test(test_protest_leave),
        cmocka_unit_test(test_protest_not_spontaneous),
        cmocka_unit_test(test_trigger_ids),
        cmocka_unit_test(test_trigger_share_and_count),
        cmocka_unit_test(test_trigger_share_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
