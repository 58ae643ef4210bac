/*
 * test_scoring.c - ledgers, scores, tiers and the group cap (MODEL.md
 * section 5, model/scoring.c): court judgments from observed missed
 * payments, cross-context listings under integration, recovery,
 * conformity points and tiers upward to the clamp, association penalties
 * (and the wrongful, cross-context sanctions they bring), the group cap in
 * its modes, and tiers at their boundaries. Exact tests on populations of 2 to 12 agents over the
 * quiet scenario (th_trial_quiet): every probability is 0 or 1 and every
 * distribution a constant or a list, so each day's scores, tiers,
 * listings, sanctions and counts are computed by hand in the test (float
 * ledgers with the same float operations as the code). Each mechanism is
 * tested on and off.
 *
 * Tests reach into the engine's internals (struct sim, struct world,
 * struct engine) on purpose: they check the state after each day, not
 * just the outputs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "model/scoring.h"

/* §5 court judgment: court.missed_payments (3) observed misses within
 * court.window days. With one obligation every 30 days, misses on days d,
 * d + 30, d + 60 span 61 days: a window of 61 gives a judgment on day
 * d + 60 (-450 judicial, score 550 < 600: listed the same day, not
 * wrongful, not cross-context); a window of 60 never does. */
static void test_court_window(void **state)
{
    for (int window = 60; window <= 61; window++) {
        struct th_trial r;
        th_trial_quiet(&r, 2);
        TH_TRIAL_SETS(&r, "population.reliability=[0, 1]", "sanctions.association.enabled=false");
        th_trial_set(&r, "scoring.court.window=%d", window);
        th_trial_start(&r);
        const int d = th_first_due_day(&r, 0);
        TH_FEQ(th_ledger(&r, SUB_FINANCIAL, 0), -10.0f);
        int judged_on = 0;
        while (r.sim->world.day < d + 125) {
            th_trial_day(&r);
            if (th_tot(&r)->scored[EV_COURT_JUDGMENT]) {
                TH_EQ(judged_on, 0);
                judged_on = r.sim->world.day;
                TH_EQ(th_tot(&r)->false_scored[EV_COURT_JUDGMENT], 0);
                TH_FEQ(th_ledger(&r, SUB_JUDICIAL, 0), -450.0f);
                TH_FEQ(th_dom(&r, 0, SUB_JUDICIAL), 550.0);
                TH_EQ(th_tier(&r, th_dom(&r, 0, SUB_JUDICIAL)), TIER_D);
                assert_true(th_status(&r, 0, ST_LISTED | ST_NEW_LISTED));
                TH_EQ(r.sim->world.st.listed_day[0], judged_on);
                TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 1);
                TH_EQ(th_tot(&r)->wrongful[SA_LISTING], 0);
                TH_EQ(th_tot(&r)->cross_context[SA_LISTING], 0);
                TH_EQ(th_status(&r, 0, ST_XCTX_LIST), 0);
            }
        }
        TH_EQ(judged_on, window == 61 ? d + 60 : 0);
        if (window == 60) {
            TH_FEQ(th_ledger(&r, SUB_JUDICIAL, 0), 0.0f);
            TH_EQ(th_status(&r, 0, ST_LISTED), 0);
        }
        TH_FEQ(th_ledger(&r, SUB_FINANCIAL, 0), -50.0f); /* misses on d, +30, +60, +90, +120 */
        TH_EQ(th_status(&r, 1, ST_LISTED), 0);
        th_trial_free(&r);
    }
}

/* §5 court judgment with court.missed_payments = 1: no miss ever waits
 * (the state keeps none per agent), and every observed miss is a judgment
 * on its own day: on d, d + 30 and d + 60. */
static void test_court_single_miss(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 2);
    TH_TRIAL_SETS(&r, "population.reliability=[0, 1]", "sanctions.association.enabled=false",
                  "scoring.court.missed_payments=1");
    th_trial_start(&r);
    TH_EQ(r.sim->world.st.n_misses, 0);
    const int d = th_first_due_day(&r, 0);
    int64_t judgments = th_tot(&r)->scored[EV_COURT_JUDGMENT];
    TH_EQ(judgments, 1);
    while (r.sim->world.day < d + 60) {
        th_trial_day(&r);
        TH_EQ(th_tot(&r)->scored[EV_COURT_JUDGMENT], th_tot(&r)->scored[EV_MISSED_PAYMENT]);
        TH_EQ(th_tot(&r)->false_scored[EV_COURT_JUDGMENT], 0);
        judgments += th_tot(&r)->scored[EV_COURT_JUDGMENT];
    }
    TH_EQ(judgments, 3);
    th_trial_free(&r);
}

/* §5 cross-context: a listing is cross-context when 1000 + L_judicial
 * alone would not list. Agent 0 misses a payment and criticises every day;
 * a judgment costs 350 on day 3. Judicial alone: 650, not listed. With
 * integration 1 the 30 financial and 60 social points bring it to 560:
 * listed, flagged, and the bans bound to the listing (social media,
 * travel) are cross-context too. At integration 0.5: 605, not listed. */
static void test_cross_context_listing(void **state)
{
    const double integration[3] = {0, 0.5, 1};
    for (int k = 0; k < 3; k++) {
        struct th_trial r;
        th_trial_quiet(&r, 2);
        TH_TRIAL_SETS(&r, "population.reliability=[0, 1]", "population.attitude=[1, 0]",
                      "behaviour.payment.period=1", "behaviour.criticise.rate=1",
                      "behaviour.travel.rate=1", "scoring.points.court_judgment=-350",
                      "sanctions.association.enabled=false");
        th_trial_set(&r, "scoring.integration=%g", integration[k]);
        th_trial_start(&r);
        th_trial_days(&r, 2);
        TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 0);
        TH_FEQ(th_dom(&r, 0, SUB_JUDICIAL), 1000 - integration[k] * 60);
        th_trial_day(&r);
        TH_EQ(th_tot(&r)->scored[EV_COURT_JUDGMENT], 1);
        TH_FEQ(th_dom(&r, 0, SUB_JUDICIAL), 650 - integration[k] * 90);
        TH_FEQ(score_own(r.sim->world.p, &r.sim->world.st, 0, SUB_JUDICIAL), 650);
        const int listed = k == 2;
        TH_EQ(th_status(&r, 0, ST_LISTED), listed);
        TH_EQ(th_status(&r, 0, ST_XCTX_LIST), listed);
        TH_EQ(th_tot(&r)->sanctions[SA_LISTING], listed);
        TH_EQ(th_tot(&r)->cross_context[SA_LISTING], listed);
        TH_EQ(th_tot(&r)->cross_context[SA_SOCIAL_MEDIA], listed);
        TH_EQ(th_tot(&r)->sanctions[SA_TRAVEL], listed); /* agent 0 books a flight every day */
        TH_EQ(th_tot(&r)->cross_context[SA_TRAVEL], listed);
        TH_EQ(th_tot(&r)->wrongful[SA_TRAVEL], 0);
        TH_EQ(th_tot(&r)->taken[ACT_TRAVEL], 2);
        th_trial_free(&r);
    }
}

/* §5 recovery: each ledger moves toward 0 by `recovery` of its value each
 * day, before the day's points (float ledger x float (1 - recovery)). One
 * protest day (trigger with leave 1) costs 50; at recovery 0.1 the score
 * climbs 950, 955, 959.5 (tier B), 963.55 (tier A). At the seed's 0.001,
 * 60 days match the same float arithmetic exactly. */
static void test_recovery(void **state)
{
    const double recovery[2] = {0.1, 0.001};
    for (int k = 0; k < 2; k++) {
        struct th_trial r;
        th_trial_quiet(&r, 2);
        TH_TRIAL_SETS(&r, "behaviour.protest.trigger.days=[1]", "behaviour.protest.trigger.ids=[0]",
                      "behaviour.protest.leave=1");
        th_trial_set(&r, "scoring.recovery=%g", recovery[k]);
        th_trial_start(&r);
        const float keep = (float)(1.0 - recovery[k]);
        float want = 0;
        for (int day = 1; day <= 60; day++) {
            th_trial_day(&r);
            want *= keep;
            want += (float)(day == 1 ? -50.0 : 0.0);
            TH_FEQ(th_ledger(&r, SUB_SOCIAL, 0), want);
            TH_FEQ(th_reported(&r, 0), 1000.0 + (double)want);
            if (k == 0 && day <= 4)
                TH_EQ(th_tier(&r, th_reported(&r, 0)), day < 4 ? TIER_B : TIER_A);
        }
        TH_EQ(th_tot(&r)->taken[ACT_PROTEST], 0);
        th_trial_free(&r);
    }
}

/* §3 conform, §5 +5 social, tiers upward and the clamp, §6 rewards at or
 * above rewards.from (1030, tier AA) on each travel and loan request.
 * Conformity rate 1 x (1 - attitude 0) = 1: +5 a day: 1025 on day 5 (A,
 * no reward), 1030 on day 6 (AA: a reward for the flight and one for the
 * loan), 1050 on day 10 (AAA), clamped at 1100 from day 20. A conformity
 * act is not a negative act: the agent stays "never genuinely scored". */
static void test_conformity_rewards(void **state)
{
    for (int rewards = 0; rewards <= 1; rewards++) {
        struct th_trial r;
        th_trial_quiet(&r, 2);
        TH_TRIAL_SETS(&r, "behaviour.conform.rate=1", "population.attitude=0",
                      "behaviour.travel.rate=1", "behaviour.loan.rate=1");
        th_trial_set(&r, "sanctions.rewards.enabled=%s", rewards ? "true" : "false");
        th_trial_start(&r);
        for (int day = 1; day <= 25; day++) {
            th_trial_day(&r);
            double s = 1000 + 5 * day > 1100 ? 1100 : 1000 + 5 * day;
            TH_EQ(th_tot(&r)->taken[ACT_CONFORM], 2);
            TH_EQ(th_tot(&r)->observed[ACT_CONFORM], 2);
            TH_EQ(th_tot(&r)->scored[EV_CONFORMITY], 2);
            TH_FEQ(th_ledger(&r, SUB_SOCIAL, 1), 5.0f * (float)day);
            TH_FEQ(th_reported(&r, 1), s);
            TH_FEQ(th_dom(&r, 1, SUB_SOCIAL), s);
            TH_EQ(th_tier(&r, s), day < 6 ? TIER_A : day < 10 ? TIER_AA : TIER_AAA);
            TH_EQ(th_tot(&r)->rewards, rewards && day >= 6 ? 4 : 0);
            TH_EQ(r.sim->world.st.history[1] & HI_GENUINE, 0);
        }
        th_trial_free(&r);
    }
}

/* §5 association: an observed contact with a listed person costs 5 social
 * points per meeting. Agent 0 of 3 (complete graph, daily contact) is
 * listed on day 3; from day 4 agents 1 and 2 each meet it once a day. The
 * penalty is not their own act (not genuine). Off: association disabled,
 * or contact 0 (no meeting). */
static void test_association(void **state)
{
    for (int variant = 0; variant < 3; variant++) {
        struct th_trial r;
        th_trial_quiet(&r, 3);
        TH_TRIAL_SETS(&r, "population.reliability=[0, 1, 1]", "behaviour.payment.period=1");
        if (variant == 1) th_trial_set(&r, "sanctions.association.enabled=false");
        if (variant == 2) th_trial_set(&r, "network.layers.c.contact=0");
        th_trial_start(&r);
        th_trial_days(&r, 3);
        assert_true(th_status(&r, 0, ST_LISTED));
        TH_EQ(th_tot(&r)->scored[EV_ASSOCIATION], 0);
        const int on = variant == 0;
        for (int t = 1; t <= 3; t++) {
            th_trial_day(&r);
            TH_EQ(th_tot(&r)->observed[ACT_MEET], on ? 2 : 0);
            TH_EQ(th_tot(&r)->scored[EV_ASSOCIATION], on ? 2 : 0);
            TH_EQ(th_tot(&r)->false_scored[EV_ASSOCIATION], 0);
            for (uint32_t i = 1; i < 3; i++) {
                TH_FEQ(th_ledger(&r, SUB_SOCIAL, i), on ? -5.0f * (float)t : 0.0f);
                TH_EQ(r.sim->world.st.history[i] & HI_GENUINE, 0);
            }
            TH_FEQ(th_ledger(&r, SUB_SOCIAL, 0), 0.0f);
            /* Contacts counted at both ends: 3 ties, or none at contact 0. */
            TH_EQ(th_tot(&r)->taken[ACT_MEET], variant == 2 ? 0 : 6);
        }
        th_trial_free(&r);
    }
}

/* §5 and §7, wrongful and cross-context by association: with integration 1
 * and 200 points per association, agents 1 and 2 (who did nothing) lose
 * their loans from day 4 (financial domain 800 < 850: wrongful and
 * cross-context) and are listed on day 6 (judicial domain 400 < 600:
 * wrongful, cross-context). Agent 0's own loan denial from day 3 is
 * cross-context (own financial 970) but not wrongful. */
static void test_association_wrongful_cross_context(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 3);
    TH_TRIAL_SETS(&r, "population.reliability=[0, 1, 1]", "behaviour.payment.period=1",
                  "scoring.integration=1", "scoring.points.association=-200",
                  "behaviour.loan.rate=1");
    th_trial_start(&r);
    th_trial_days(&r, 2);
    TH_EQ(th_tot(&r)->sanctions[SA_LOAN], 0);
    th_trial_day(&r); /* day 3: agent 0 judged (financial domain 1000 - 30 - 450 = 520) */
    TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 1);
    TH_EQ(th_tot(&r)->sanctions[SA_LOAN], 1);
    TH_EQ(th_tot(&r)->wrongful[SA_LOAN], 0);
    TH_EQ(th_tot(&r)->cross_context[SA_LOAN], 1);
    th_trial_day(&r); /* day 4: 1 and 2 met agent 0: -200 each */
    TH_FEQ(th_dom(&r, 1, SUB_FINANCIAL), 800);
    TH_EQ(th_tot(&r)->sanctions[SA_LOAN], 3);
    TH_EQ(th_tot(&r)->wrongful[SA_LOAN], 2);
    TH_EQ(th_tot(&r)->cross_context[SA_LOAN], 3);
    th_trial_day(&r); /* day 5: judicial 600: not below */
    TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 0);
    th_trial_day(&r); /* day 6: 400 */
    TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 2);
    TH_EQ(th_tot(&r)->wrongful[SA_LISTING], 2);
    TH_EQ(th_tot(&r)->cross_context[SA_LISTING], 2);
    TH_EQ(th_tot(&r)->sanctions[SA_SOCIAL_MEDIA], 2);
    TH_EQ(th_tot(&r)->wrongful[SA_SOCIAL_MEDIA], 2);
    th_trial_free(&r);
}

/* sanctions.association.window: a meeting with a listed contact costs
 * points only in the first `window` days of that contact's own listing.
 * As above (integration 1, 200 points per association), agent 0 is listed
 * on day 3 and agents 1 and 2, who meet it, on day 6. With a window of 3,
 * meeting agent 0 costs points on days 4-6 only, and meeting the other
 * two on days 7-9 only (counted from day 6, their own listing): 2 scored
 * meetings a day on days 4-6, 4 on days 7-9 (agent 0 meets both, each of
 * them meets the other), none from day 10 while all three stay listed.
 * With 0 (the seed), every meeting costs points: 6 a day from day 7. */
static void test_association_window(void **state)
{
    for (int window = 0; window <= 3; window += 3) {
        struct th_trial r;
        th_trial_quiet(&r, 3);
        TH_TRIAL_SETS(&r, "population.reliability=[0, 1, 1]", "behaviour.payment.period=1",
                      "scoring.integration=1", "scoring.points.association=-200");
        th_trial_set(&r, "sanctions.association.window=%d", window);
        th_trial_start(&r);
        float soc[3] = {0, 0, 0};
        for (int day = 1; day <= 12; day++) {
            th_trial_day(&r);
            const int64_t listings = th_tot(&r)->sanctions[SA_LISTING];
            TH_EQ(listings, day == 3 ? 1 : day == 6 ? 2 : 0);
            /* Meetings that cost points today, per agent. */
            int64_t met[3] = {0, 0, 0};
            if (day >= 4) met[1] = met[2] = window == 0 || day <= 6;
            if (day >= 7) {
                const int fresh = window == 0 || day <= 9;
                met[0] = 2 * fresh;
                met[1] += fresh;
                met[2] += fresh;
            }
            TH_EQ(th_tot(&r)->scored[EV_ASSOCIATION], met[0] + met[1] + met[2]);
            TH_EQ(th_tot(&r)->observed[ACT_MEET], met[0] + met[1] + met[2]);
            for (uint32_t i = 0; i < 3; i++) {
                soc[i] += -200.0f * (float)met[i];
                TH_FEQ(th_ledger(&r, SUB_SOCIAL, i), soc[i]);
                assert_true(day < 6 || th_status(&r, i, ST_LISTED));
            }
            /* The window gates points, not meetings: 3 ties, both ends. */
            TH_EQ(th_tot(&r)->taken[ACT_MEET], 6);
        }
        th_trial_free(&r);
    }
}

/* §5 group cap: capped groups' scores (every domain and the reported one)
 * never exceed the cap. Group b conforms every day (+5), group a never.
 * Fixed 1000: b stays at 1000 and gets no AA reward; mean: b is held at
 * the population mean of each score (over adults, uncapped, recomputed
 * daily); off: b rises freely. Group a is never capped. */
static void test_group_cap(void **state)
{
    const uint32_t n = 10;
    struct th_trial probe;
    th_trial_quiet(&probe, n);
    th_trial_set(&probe, "population.groups={a: 0.5, b: 0.5}");
    th_trial_start(&probe);
    double att[10];
    uint32_t nb = 0;
    for (uint32_t i = 0; i < n; i++) {
        att[i] = probe.sim->world.pop.group[i] == 1 ? 0 : 1;
        nb += probe.sim->world.pop.group[i] == 1;
    }
    assert_true(nb > 0 && nb < n);
    th_trial_free(&probe);

    for (int mode = 0; mode < 3; mode++) { /* fixed, mean, off */
        struct th_trial r;
        th_trial_quiet(&r, n);
        TH_TRIAL_SETS(&r, "population.groups={a: 0.5, b: 0.5}", "behaviour.conform.rate=1",
                      "behaviour.travel.rate=1", "scoring.group_cap.groups=[b]",
                      "scoring.group_cap.value=1000");
        th_trial_set(&r, "population.attitude=%s", th_yaml_list(att, n));
        th_trial_set(&r, "scoring.group_cap.enabled=%s", mode == 2 ? "false" : "true");
        th_trial_set(&r, "scoring.group_cap.mode=%s", mode == 0 ? "fixed" : "mean");
        th_trial_start(&r);
        for (int day = 1; day <= 8; day++) {
            th_trial_day(&r);
            const double uncapped = 1000 + 5 * day;
            /* The mean of the uncapped social score, summed in id order. */
            double sum = 0;
            for (uint32_t i = 0; i < n; i++) sum += att[i] == 0 ? uncapped : 1000;
            const double cap = mode == 0 ? 1000 : mode == 1 ? sum / n : 1100;
            for (uint32_t i = 0; i < n; i++) {
                if (att[i] == 1) {
                    TH_FEQ(th_reported(&r, i), 1000);
                    continue;
                }
                TH_FEQ(th_dom(&r, i, SUB_SOCIAL), uncapped < cap ? uncapped : cap);
                TH_FEQ(th_reported(&r, i), uncapped < cap ? uncapped : cap);
                TH_FEQ(th_dom(&r, i, SUB_FINANCIAL), 1000); /* the mean of 1000s */
                assert_true(th_dom(&r, i, SUB_JUDICIAL) <= r.sim->world.st.cap[SUB_JUDICIAL] ||
                            mode == 2);
            }
            if (mode < 2) TH_FEQ(r.sim->world.st.cap[SUB_SOCIAL], cap);
            /* Group b's flights are rewarded once its (capped) score is AA. */
            const double b_score = uncapped < cap ? uncapped : cap;
            TH_EQ(th_tot(&r)->rewards, b_score >= 1030 ? nb : 0);
        }
        th_trial_free(&r);
    }
}

/* §5 tiers at their boundaries and the clamp to [0, 1100]. */
static void test_tiers_and_clamp(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 1);
    th_trial_start(&r);
    const struct params *p = r.sim->world.p;
    const struct {
        double s;
        int t;
    } cases[] = {{1100, TIER_AAA},  {1050, TIER_AAA}, {1049.99, TIER_AA}, {1030, TIER_AA},
                 {1029.99, TIER_A}, {960, TIER_A},    {959.99, TIER_B},   {850, TIER_B},
                 {849.99, TIER_C},  {600, TIER_C},    {599.99, TIER_D},   {0, TIER_D}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        TH_EQ(score_tier(p, cases[k].s), cases[k].t);
    struct state *st = &r.sim->world.st;
    st->ledger[SUB_SOCIAL][0] = 500;
    TH_FEQ(score_reported(p, st, 0, 0), 1100);
    TH_FEQ(score_domain(p, st, 0, 0, SUB_SOCIAL), 1100);
    st->ledger[SUB_SOCIAL][0] = -5000;
    TH_FEQ(score_reported(p, st, 0, 0), 0);
    TH_FEQ(score_domain(p, st, 0, 0, SUB_SOCIAL), 0);
    st->ledger[SUB_SOCIAL][0] = 0;
    th_trial_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_court_window),
        cmocka_unit_test(test_court_single_miss),
        cmocka_unit_test(test_cross_context_listing),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_conformity_rewards),
        cmocka_unit_test(test_association),
        cmocka_unit_test(test_association_wrongful_cross_context),
        cmocka_unit_test(test_association_window),
        cmocka_unit_test(test_group_cap),
        cmocka_unit_test(test_tiers_and_clamp),
    };
    return cmocka_run_group_tests_name("scoring", tests, NULL, NULL);
}
