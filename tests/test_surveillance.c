/*
 * test_surveillance.c - the channels that watch the population (docs/model.md
 * section 4, model/surveillance.c): false attribution by each channel and
 * by all at once, what it costs and what follows from it (a false court
 * judgment, a wrongful listing), and a false association record that
 * scores nothing when association is off. Exact tests on populations of 2 to 12 agents over the
 * quiet scenario (th_trial_quiet): every probability is 0 or 1 and every
 * distribution a constant or a list, so each day's scores, tiers,
 * listings, sanctions and counts are computed by hand in the test (float
 * ledgers with the same float operations as the code). Each mechanism is
 * tested on and off.
 *
 * Tests reach into the engine's internals (struct sim, struct world,
 * struct engine) on purpose: they check the state after each day, not
 * just the outputs.
 *
 * Coverage and detection rates are test_dynamics_stat.c's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "model/scoring.h"

/* §4 false attribution: at rate 1 a channel records its main negative act
 * against every agent it watches, once a day: payment a missed payment
 * (-10 financial), internet a criticism (-20), cameras a protest (-50),
 * phone an association (-5). Nothing was done (taken and observed stay 0).
 * Three false misses bring a false court judgment on day 3 and a wrongful
 * listing, and the travel refusal that follows is wrongful too. Coverage 0:
 * nothing. */
static void test_false_attribution(void **state)
{
    static const char *const name[4] = {"payment", "internet", "cameras", "phone"};
    const int ev[4] = {EV_MISSED_PAYMENT, EV_CRITICISM, EV_PROTEST, EV_ASSOCIATION};
    const int sub[4] = {SUB_FINANCIAL, SUB_SOCIAL, SUB_SOCIAL, SUB_SOCIAL};
    const float pts[4] = {-10, -20, -50, -5};
    for (int ch = 0; ch < 4; ch++) {
        for (int covered = 0; covered <= 1; covered++) {
            struct th_trial r;
            th_trial_quiet(&r, 3);
            th_trial_set(&r, "surveillance.%s.false_attribution=1", name[ch]);
            th_trial_set(&r, "surveillance.%s.coverage=%d", name[ch], covered);
            th_trial_set(&r, "behaviour.travel.rate=1");
            th_trial_start(&r);
            for (int day = 1; day <= 3; day++) {
                th_trial_day(&r);
                for (int e = 0; e < N_EVENTS; e++) {
                    int64_t want = e == ev[ch] && covered ? 3 : 0;
                    if (e == EV_COURT_JUDGMENT && ch == 0 && covered && day == 3) want = 3;
                    TH_EQ(th_tot(&r)->false_scored[e], want);
                    TH_EQ(th_tot(&r)->scored[e], want);
                }
                for (int a = 0; a < N_ACTIONS; a++) {
                    TH_EQ(th_tot(&r)->observed[a], 0);
                    if (a != ACT_TRAVEL && a != ACT_MEET && a != ACT_PAY)
                        TH_EQ(th_tot(&r)->taken[a], 0);
                }
                for (uint32_t i = 0; i < 3; i++) {
                    TH_FEQ(th_ledger(&r, sub[ch], i), covered ? pts[ch] * (float)day : 0.0f);
                    TH_EQ(r.sim->world.st.history[i] & HI_GENUINE, 0);
                }
            }
            const int listed = ch == 0 && covered;
            TH_EQ(th_tot(&r)->sanctions[SA_LISTING], listed ? 3 : 0);
            TH_EQ(th_tot(&r)->wrongful[SA_LISTING], listed ? 3 : 0);
            TH_EQ(th_tot(&r)->sanctions[SA_TRAVEL], listed ? 3 : 0);
            TH_EQ(th_tot(&r)->wrongful[SA_TRAVEL], listed ? 3 : 0);
            th_trial_free(&r);
        }
    }
}

/* §4 false attribution, all four channels at once: one false event per
 * channel per watched agent per day. */
static void test_false_attribution_all_channels(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 4);
    TH_TRIAL_SETS(
        &r, "surveillance.payment.false_attribution=1", "surveillance.internet.false_attribution=1",
        "surveillance.cameras.false_attribution=1", "surveillance.phone.false_attribution=1");
    th_trial_start(&r);
    th_trial_day(&r);
    TH_EQ(th_tot(&r)->false_scored[EV_MISSED_PAYMENT], 4);
    TH_EQ(th_tot(&r)->false_scored[EV_CRITICISM], 4);
    TH_EQ(th_tot(&r)->false_scored[EV_PROTEST], 4);
    TH_EQ(th_tot(&r)->false_scored[EV_ASSOCIATION], 4);
    TH_FEQ(th_ledger(&r, SUB_SOCIAL, 2), -75.0f);
    TH_FEQ(th_ledger(&r, SUB_FINANCIAL, 2), -10.0f);
    th_trial_free(&r);
}

/* §7: events counted as falsely scored were scored. With association off a
 * false phone record costs nothing, so it must not be counted as a false
 * score either (false_scored <= scored for every event). */
static void test_false_association_not_scored_when_off(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 3);
    TH_TRIAL_SETS(&r, "surveillance.phone.false_attribution=1",
                  "sanctions.association.enabled=false");
    th_trial_start(&r);
    th_trial_day(&r);
    TH_EQ(th_tot(&r)->scored[EV_ASSOCIATION], 0);
    TH_EQ(th_tot(&r)->false_scored[EV_ASSOCIATION], 0);
    TH_FEQ(th_ledger(&r, SUB_SOCIAL, 0), 0.0f);
    th_trial_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_false_attribution),
        cmocka_unit_test(test_false_attribution_all_channels),
        cmocka_unit_test(test_false_association_not_scored_when_off),
    };
    return cmocka_run_group_tests_name("surveillance", tests, NULL, NULL);
}
