/*
 * test_enforcement.c - what the list is for (docs/model.md section 6a,
 * docs/model.md "Enforcement"): unpaid judgments as debts, settlement and
 * its sanction pressure, credit repair and the exits it opens, expiry,
 * coerced settlements, the rail channel of the travel ban, sub-system
 * coverage, and the sanction window each agent keeps.
 *
 * Exact tests run over the quiet scenario (th_trial_quiet) on one or two
 * agents, where every probability is 0 or 1: one agent with reliability 0
 * and court.missed_payments 1 is judged on each day its payment falls due
 * (every 30 days), so its debts, its listing and its settlement can be
 * followed day by day. Statistical tests at 10^5 agents compare the daily
 * settlements with the probabilities the rule gives.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "model/scoring.h"

/* One debtor: judged on each due day (every 30 days), -450 judicial
 * points a judgment, -10 financial a miss, no social media ban (so the
 * listing is the one sanction of the listing day). */
static void debtor(struct th_trial *r, uint32_t agents)
{
    th_trial_quiet(r, agents);
    TH_TRIAL_SETS(r, "population.reliability=0", "scoring.court.missed_payments=1",
                  "sanctions.social_media_ban.enabled=false", "enforcement.enabled=true",
                  "enforcement.settlement.base=0", "enforcement.settlement.pressure=0");
}

static uint8_t debt(const struct th_trial *r, uint32_t i)
{
    return r->sim->world.st.debt[i];
}

/* A judgment is a debt; with base 1 the debtor settles the next day: its
 * debt and its judicial points go at once (credit repair), and it leaves
 * the list that day although list.min_days (180) has not passed. The
 * settlement is coerced: it was listed. The financial points of the miss
 * stay. */
static void test_settle_repairs_credit(void **state)
{
    struct th_trial r;
    debtor(&r, 1);
    th_trial_set(&r, "enforcement.settlement.base=1");
    th_trial_start(&r);
    int d0 = th_first_due_day(&r, 0);
    TH_EQ(th_tot(&r)->scored[EV_COURT_JUDGMENT], 1);
    TH_EQ(debt(&r, 0), 1);
    TH_EQ(th_status(&r, 0, ST_LISTED), 1);
    TH_FEQ(th_ledger(&r, SUB_JUDICIAL, 0), -450.0f);
    TH_EQ(th_tot(&r)->settlements, 0); /* not on the day of the judgment: no debt yet at dawn */
    th_trial_day(&r);
    TH_EQ(th_acted(&r, 0, AC_SETTLE), 1);
    TH_EQ(th_tot(&r)->settlements, 1);
    TH_EQ(th_tot(&r)->settlements_coerced, 1);
    TH_EQ(debt(&r, 0), 0);
    TH_FEQ(th_ledger(&r, SUB_JUDICIAL, 0), 0.0f);
    TH_FEQ(th_ledger(&r, SUB_FINANCIAL, 0), -10.0f);
    TH_EQ(th_status(&r, 0, ST_LISTED), 0);
    TH_EQ(th_tot(&r)->list_exits, 1);
    TH_EQ(th_tot(&r)->exits_settled, 1);
    TH_EQ(th_tot(&r)->exits_recovered + th_tot(&r)->exits_expired, 0);
    TH_EQ(th_tot(&r)->exit_days, 1);
    /* Nothing more to settle until the next judgment, 30 days on. */
    for (int day = d0 + 2; day < d0 + 30; day++) {
        th_trial_day(&r);
        TH_EQ(th_tot(&r)->settlements, 0);
        TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 0);
    }
    th_trial_day(&r);
    TH_EQ(debt(&r, 0), 1);
    TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 1);
    struct metrics *met = &r.sim->met;
    th_measure(r.sim);
    TH_EQ(met->rows[1].settlements_cum, 1);
    TH_EQ(met->rows[1].list_exits_cum, 1);
    TH_EQ(met->rows[1].unpaid_judgments, 1);
    th_trial_free(&r);
}

/* Without base or pressure nobody settles: debts add up (a judgment every
 * 30 days), the listing stays (no recovery, so the judicial score never
 * comes back), and enforcement off changes nothing here but that judgments
 * are still debts that cannot be settled. */
static void test_no_settlement(void **state)
{
    for (int on = 0; on <= 1; on++) {
        struct th_trial r;
        debtor(&r, 1);
        th_trial_set(&r, "enforcement.enabled=%s", on ? "true" : "false");
        th_trial_set(&r, "enforcement.settlement.base=%s", on ? "0" : "1");
        th_trial_start(&r);
        int d0 = th_first_due_day(&r, 0);
        for (int day = d0 + 1; day <= d0 + 60; day++) {
            th_trial_day(&r);
            TH_EQ(th_tot(&r)->settlements, 0);
            TH_EQ(th_status(&r, 0, ST_LISTED), 1);
        }
        TH_EQ(debt(&r, 0), 3);
        TH_FEQ(th_ledger(&r, SUB_JUDICIAL, 0), -1350.0f + 0.0f);
        th_trial_free(&r);
    }
}

/* list.max_days: an unsettled listing expires after that many days (exit
 * cause expired, days on the list counted), and is not renewed for the
 * same debt although the judicial score is still below the entry line; a
 * new judgment lists the agent again. */
static void test_expiry(void **state)
{
    struct th_trial r;
    debtor(&r, 1);
    th_trial_set(&r, "list.max_days=5");
    th_trial_start(&r);
    int d0 = th_first_due_day(&r, 0);
    for (int day = d0 + 1; day < d0 + 5; day++) {
        th_trial_day(&r);
        TH_EQ(th_status(&r, 0, ST_LISTED), 1);
    }
    th_trial_day(&r); /* d0 + 5 */
    TH_EQ(th_status(&r, 0, ST_LISTED), 0);
    TH_EQ(th_status(&r, 0, ST_EXPIRED), 1);
    TH_EQ(th_tot(&r)->exits_expired, 1);
    TH_EQ(th_tot(&r)->exit_days, 5);
    TH_EQ(debt(&r, 0), 1);
    assert_true(th_dom(&r, 0, SUB_JUDICIAL) < 600);
    for (int day = d0 + 6; day < d0 + 30; day++) {
        th_trial_day(&r);
        TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 0);
    }
    th_trial_day(&r); /* d0 + 30: the next judgment */
    TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 1);
    TH_EQ(th_status(&r, 0, ST_EXPIRED), 0);
    TH_EQ(debt(&r, 0), 2);
    th_trial_free(&r);
}

/* Pressure: with base 0 and pressure 1, a debtor settles only after a
 * sanction. Listed (one sanction on the day of the judgment), it settles
 * the next day. Never listed (list.enter_below 0) and never sanctioned,
 * it never settles; sanctioned by loan refusals instead, it settles the
 * day after its judgment, coerced (a sanction within the window), not
 * listed. */
static void test_pressure(void **state)
{
    for (int kind = 0; kind < 3; kind++) {
        struct th_trial r;
        debtor(&r, 1);
        th_trial_set(&r, "enforcement.settlement.pressure=1");
        if (kind > 0) th_trial_set(&r, "list.enter_below=0");
        if (kind == 2)
            TH_TRIAL_SETS(&r, "behaviour.loan.rate=1", "sanctions.loan_denial.below=2000");
        th_trial_start(&r);
        int d0 = th_first_due_day(&r, 0);
        TH_EQ(debt(&r, 0), 1);
        th_trial_day(&r);
        TH_EQ(th_tot(&r)->settlements, kind == 1 ? 0 : 1);
        TH_EQ(th_tot(&r)->settlements_coerced, kind == 1 ? 0 : 1);
        TH_EQ(th_tot(&r)->exits_settled, kind == 0 ? 1 : 0);
        if (kind == 1) {
            th_trial_days(&r, 20);
            TH_EQ(debt(&r, 0), 1);
            TH_EQ(r.sim->world.day, d0 + 21);
        }
        th_trial_free(&r);
    }
}

/* The window of sanctions each agent keeps (state_sanction_add,
 * state_sanctions_before): the sanctions of the `window` days before
 * today count, today's do not; a day holds at most 3; slots older than 32
 * days are cleared when the word is next written. */
static void test_sanction_window(void **state)
{
    uint64_t w = 0;
    uint16_t last = 0;
    TH_EQ(state_sanctions_before(w, last, 10, 30), 0);
    state_sanction_add(&w, &last, 5);
    state_sanction_add(&w, &last, 5);
    state_sanction_add(&w, &last, 7);
    TH_EQ(state_sanctions_before(w, last, 5, 30), 0); /* today's do not count */
    TH_EQ(state_sanctions_before(w, last, 6, 30), 2);
    TH_EQ(state_sanctions_before(w, last, 8, 30), 3);
    TH_EQ(state_sanctions_before(w, last, 8, 1), 1);   /* day 7 only */
    TH_EQ(state_sanctions_before(w, last, 8, 2), 1);   /* days 6-7 */
    TH_EQ(state_sanctions_before(w, last, 8, 3), 3);   /* days 5-7 */
    TH_EQ(state_sanctions_before(w, last, 36, 30), 1); /* days 6-35: day 7 */
    TH_EQ(state_sanctions_before(w, last, 38, 30), 0);
    /* Four on one day count as three (2 bits a day). */
    for (int k = 0; k < 4; k++) state_sanction_add(&w, &last, 9);
    TH_EQ(state_sanctions_before(w, last, 10, 1), 3);
    /* 32 days on, the slot of day 9 is day 41's: stale counts are cleared. */
    state_sanction_add(&w, &last, 41);
    TH_EQ(state_sanctions_before(w, last, 42, 31), 1);
    TH_EQ(state_sanctions_before(w, last, 42, 1), 1);
    /* After a gap of more than 32 days everything is forgotten. */
    state_sanction_add(&w, &last, 100);
    TH_EQ(state_sanctions_before(w, last, 101, 31), 1);
    TH_EQ(last, 100);
}

/* Credit repair is not an exit by itself: with integration 1 and -200
 * financial points a miss, the judicial domain score after settling is
 * 1000 - 200 = 800, under the exit line (850): the agent stays listed,
 * its debt paid. */
static void test_repair_under_the_line(void **state)
{
    struct th_trial r;
    debtor(&r, 1);
    TH_TRIAL_SETS(&r, "enforcement.settlement.base=1", "scoring.integration=1",
                  "scoring.points.missed_payment=-200");
    th_trial_start(&r);
    th_first_due_day(&r, 0);
    TH_FEQ(th_dom(&r, 0, SUB_JUDICIAL), 350.0);
    th_trial_day(&r);
    TH_EQ(th_tot(&r)->settlements, 1);
    TH_EQ(debt(&r, 0), 0);
    TH_FEQ(th_dom(&r, 0, SUB_JUDICIAL), 800.0);
    TH_EQ(th_status(&r, 0, ST_LISTED), 1);
    TH_EQ(th_tot(&r)->list_exits, 0);
    th_trial_free(&r);
}

/* The rail channel of the travel ban: every booking of a listed adult is
 * refused (counted apart from flights, and as a sanction), unless
 * travel_ban.rail is off; an unlisted adult in tier AA or above gets
 * priority (a reward). */
static void test_rail(void **state)
{
    for (int rail = 0; rail <= 1; rail++) {
        struct th_trial r;
        th_trial_quiet(&r, 2);
        TH_TRIAL_SETS(&r, "behaviour.rail.rate=1", "list.enter_below=1001", "list.exit_above=1100",
                      "sanctions.social_media_ban.enabled=false");
        th_trial_set(&r, "sanctions.travel_ban.rail=%s", rail ? "true" : "false");
        th_trial_start(&r);
        /* listed on day 1 by the household pass, which then decides the
         * day's bookings with the new listing, as for flights */
        th_trial_day(&r);
        TH_EQ(th_tot(&r)->taken[ACT_RAIL], 2);
        TH_EQ(th_tot(&r)->sanctions[SA_RAIL], rail ? 2 : 0);
        for (int day = 2; day <= 4; day++) {
            th_trial_day(&r);
            TH_EQ(th_tot(&r)->taken[ACT_RAIL], 2);
            TH_EQ(th_tot(&r)->sanctions[SA_RAIL], rail ? 2 : 0);
            TH_EQ(th_tot(&r)->sanctions[SA_TRAVEL], 0);
        }
        th_measure(r.sim);
        TH_EQ(r.sim->met.rows[1].rail_refused_cum, rail ? 8 : 0);
        th_trial_free(&r);
    }
    struct th_trial r;
    th_trial_quiet(&r, 1);
    TH_TRIAL_SETS(&r, "behaviour.rail.rate=1", "population.start_score=1030");
    th_trial_start(&r);
    th_trial_day(&r);
    TH_EQ(th_tot(&r)->rewards, 1);
    th_trial_free(&r);
}

/* Sub-system coverage: outside the judicial sub-system a debtor is never
 * judged (no debt, no listing); outside the financial one its misses cost
 * no points but still go to court; outside the social one criticism costs
 * nothing. */
static void test_coverage(void **state)
{
    static const char *const keys[] = {"judicial", "financial", "social"};
    for (int k = 0; k < 3; k++) {
        struct th_trial r;
        debtor(&r, 1);
        TH_TRIAL_SETS(&r, "behaviour.criticise.rate=1", "population.attitude=1");
        th_trial_set(&r, "scoring.coverage.%s=0", keys[k]);
        th_trial_start(&r);
        th_first_due_day(&r, 0);
        TH_EQ(debt(&r, 0), k == 0 ? 0 : 1);
        TH_EQ(th_status(&r, 0, ST_LISTED), k == 0 ? 0 : 1);
        TH_FEQ(th_ledger(&r, SUB_FINANCIAL, 0), k == 1 ? 0.0f : -10.0f);
        TH_EQ(th_ledger(&r, SUB_SOCIAL, 0) < 0, k != 2);
        th_trial_free(&r);
    }
}

/* Coverage shares at 10^5 agents: the share covered matches the coverage
 * within sampling error, and a larger coverage covers every agent a
 * smaller one does (the sets are nested: raising a coverage by schedule
 * only adds agents). */
static void test_stat_coverage_nested(void **state)
{
    struct th_trial r[2];
    const uint32_t n = th_sanitized() ? 20000 : 100000;
    for (int k = 0; k < 2; k++) {
        th_trial_quiet(&r[k], 1);
        TH_TRIAL_SETS(&r[k], "network.layers={h: {generator: household}}");
        th_trial_set(&r[k], "population.agents=%u", n);
        th_trial_set(&r[k], "scoring.coverage.social=%s", k ? "0.6" : "0.3");
        th_trial_start(&r[k]);
    }
    uint32_t c03 = 0, c06 = 0;
    for (uint32_t i = 0; i < n; i++) {
        int a = score_covered(&r[0].sim->world, i, SUB_SOCIAL);
        int b = score_covered(&r[1].sim->world, i, SUB_SOCIAL);
        c03 += a, c06 += b;
        if (a && !b) fail_msg("agent %u covered at 0.3, not at 0.6", i);
        TH_EQ(score_covered(&r[0].sim->world, i, SUB_JUDICIAL), 1);
    }
    for (int k = 0; k < 2; k++) {
        double p = k ? 0.6 : 0.3, got = k ? c06 : c03;
        double z = (got - p * n) / sqrt(n * p * (1 - p));
        if (fabs(z) > 5) fail_msg("coverage %.1f: %.0f of %u covered (z = %.1f)", p, got, n, z);
        th_trial_free(&r[k]);
    }
}

/* The settlement rate at 10^5 agents. Nobody is listed (enter_below 0)
 * and nothing else sanctions, so each debtor settles each day with
 * probability base (0.002) alone: the day's settlements are a binomial
 * draw over the day's debtors at dawn (unpaid_judgments of the day
 * before). Then with a listing (one sanction) the first 30 days press
 * harder: base + pressure = 0.012 a day; an agent listed on the day of its
 * judgment settles within those 30 days with probability
 * 1 - (1 - 0.012)^30, checked agent by agent. */
static void test_stat_settlement(void **state)
{
    const uint32_t n = th_sanitized() ? 20000 : 100000;
    for (int listed = 0; listed <= 1; listed++) {
        struct th_trial r;
        debtor(&r, 1);
        TH_TRIAL_SETS(&r, "network.layers={h: {generator: household}}",
                      "enforcement.settlement.base=0.002", "enforcement.settlement.pressure=0.01",
                      "scoring.court.missed_payments=1");
        th_trial_set(&r, "population.agents=%u", n);
        if (!listed) th_trial_set(&r, "list.enter_below=0");
        th_trial_start_threads(&r, 2);
        const int days = 75;
        double got = 0, mean = 0, var = 0;
        uint16_t *judged = calloc(n, sizeof *judged), *settled = calloc(n, sizeof *settled);
        assert_non_null(judged);
        assert_non_null(settled);
        double q = 0.002;
        int64_t debtors = 0;
        for (int day = 1; day <= days; day++) {
            th_trial_day(&r);
            got += (double)th_tot(&r)->settlements;
            mean += q * (double)debtors, var += q * (1 - q) * (double)debtors;
            debtors = 0;
            for (uint32_t i = 0; i < n; i++) {
                if (!judged[i] && r.sim->world.st.debt[i]) judged[i] = (uint16_t)day;
                if (!settled[i] && th_acted(&r, i, AC_SETTLE)) settled[i] = (uint16_t)day;
                debtors += r.sim->world.st.debt[i] != 0;
            }
        }
        if (!listed) {
            double z = (got - mean) / sqrt(var);
            if (fabs(z) > 5) fail_msg("settlements %.0f, expected %.1f (z = %.1f)", got, mean, z);
        } else {
            /* agents judged (and listed) in the first 30 days: followed 30 days */
            double k = 0, m = 0;
            const double p30 = 1 - pow(1 - 0.012, 30);
            for (uint32_t i = 0; i < n; i++) {
                if (!judged[i] || judged[i] > 30) continue;
                m += 1;
                k += settled[i] && settled[i] <= judged[i] + 30;
            }
            double z = (k - p30 * m) / sqrt(m * p30 * (1 - p30));
            if (m < n / 2 || fabs(z) > 5)
                fail_msg("%.0f of %.0f settled within 30 days, expected %.1f (z = %.1f)", k, m,
                         p30 * m, z);
        }
        free(judged);
        free(settled);
        th_trial_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settle_repairs_credit),
        cmocka_unit_test(test_no_settlement),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_pressure),
        cmocka_unit_test(test_sanction_window),
        cmocka_unit_test(test_repair_under_the_line),
        cmocka_unit_test(test_rail),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_stat_coverage_nested),
        cmocka_unit_test(test_stat_settlement),
    };
    return cmocka_run_group_tests_name("enforcement", tests, NULL, NULL);
}
