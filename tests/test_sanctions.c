/*
 * test_sanctions.c - the public list, sanctions, rewards and ostracism
 * (docs/model.md section 6, model/sanctions.c): the social media ban, leaving
 * the list, rewards at their boundary, travel and school bans, jobs and
 * loans refused by score, internment, ostracism; and the world's
 * cumulative totals, which must equal the sum of the days' counts. Exact tests on populations of 2
 * to 12 agents over the quiet scenario (th_trial_quiet): every probability is 0 or 1 and every
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

/* §6 social media ban: a listed agent posts nothing, so it criticises no
 * more, but its would-criticise draw still counts (the silence of §7
 * includes bans). The ban is counted with the listing. Off: the listed
 * agent goes on criticising. Listing here: enter_below 1001 lists
 * everyone at the end of day 1. */
static void test_social_media_ban(void **state)
{
    for (int ban = 0; ban <= 1; ban++) {
        struct th_trial r;
        th_trial_quiet(&r, 3);
        TH_TRIAL_SETS(&r, "behaviour.criticise.rate=1", "population.attitude=1",
                      "list.enter_below=1001", "list.exit_above=1100",
                      "sanctions.association.enabled=false");
        th_trial_set(&r, "sanctions.social_media_ban.enabled=%s", ban ? "true" : "false");
        th_trial_start(&r);
        th_trial_day(&r);
        TH_EQ(th_tot(&r)->taken[ACT_CRITICISE], 3); /* listed after acting */
        TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 3);
        TH_EQ(th_tot(&r)->sanctions[SA_SOCIAL_MEDIA], ban ? 3 : 0);
        TH_EQ(th_tot(&r)->wrongful[SA_LISTING], 0); /* each was scored for its criticism */
        TH_EQ(th_tot(&r)->cross_context[SA_LISTING], 0);
        for (int day = 2; day <= 3; day++) {
            th_trial_day(&r);
            TH_EQ(th_tot(&r)->would_criticise, 3);
            TH_EQ(th_tot(&r)->taken[ACT_CRITICISE], ban ? 0 : 3);
            TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 0);
            TH_EQ(th_tot(&r)->sanctions[SA_SOCIAL_MEDIA], 0);
            TH_FEQ(th_ledger(&r, SUB_SOCIAL, 0), ban ? -20.0f : -20.0f * (float)day);
        }
        th_trial_free(&r);
    }
}

/* §6 list exit: back above exit_above (strictly) and listed for at least
 * min_days. A judgment of -600 lists at 400; recovery 0.5 halves the
 * ledger daily (exact in float): 700, 850 (not above), 925. With min_days
 * 0 it leaves on the third day after; with min_days 5 on the fifth. */
static void test_list_exit(void **state)
{
    const int min_days[2] = {0, 5};
    for (int k = 0; k < 2; k++) {
        struct th_trial r;
        th_trial_quiet(&r, 2);
        TH_TRIAL_SETS(&r, "population.reliability=[0, 1]", "scoring.points.court_judgment=-600",
                      "scoring.recovery=0.5", "sanctions.association.enabled=false",
                      "scoring.court.window=90");
        th_trial_set(&r, "list.min_days=%d", min_days[k]);
        th_trial_start(&r);
        const int d = th_first_due_day(&r, 0);
        while (r.sim->world.day < d + 60) th_trial_day(&r);
        TH_EQ(th_tot(&r)->sanctions[SA_LISTING], 1);
        TH_FEQ(th_dom(&r, 0, SUB_JUDICIAL), 400);
        const int listed_on = r.sim->world.day, exit_on = listed_on + (k ? 5 : 3);
        const double want[6] = {400, 700, 850, 925, 962.5, 981.25};
        for (int t = 1; t <= 5; t++) {
            th_trial_day(&r);
            TH_FEQ(th_dom(&r, 0, SUB_JUDICIAL), want[t]);
            TH_EQ(th_tot(&r)->list_exits, r.sim->world.day == exit_on);
            TH_EQ(th_status(&r, 0, ST_LISTED), r.sim->world.day < exit_on);
        }
        th_trial_free(&r);
    }
}

/* §6 rewards by score: at or above rewards.from (start 1030), each flight
 * and each loan is rewarded; 1029 gets nothing. */
static void test_rewards_boundary(void **state)
{
    for (int start = 1029; start <= 1030; start++) {
        struct th_trial r;
        th_trial_quiet(&r, 3);
        TH_TRIAL_SETS(&r, "behaviour.travel.rate=1", "behaviour.loan.rate=1");
        th_trial_set(&r, "population.start_score=%d", start);
        th_trial_start(&r);
        th_trial_days(&r, 2);
        TH_EQ(th_tot(&r)->rewards, start == 1030 ? 6 : 0);
        TH_EQ(th_tot(&r)->sanctions[SA_LOAN], 0);
        th_trial_free(&r);
    }
}

/* §6 travel ban: a listed agent's flight bookings are refused and counted
 * (here everyone is listed at the end of day 1 by enter_below 1001, and
 * books a flight every day; refused the same day: the list is checked at
 * booking). Off: flights go ahead, nothing counted. */
static void test_travel_ban(void **state)
{
    for (int ban = 0; ban <= 1; ban++) {
        struct th_trial r;
        th_trial_quiet(&r, 4);
        TH_TRIAL_SETS(&r, "behaviour.travel.rate=1", "list.enter_below=1001",
                      "list.exit_above=1100");
        th_trial_set(&r, "sanctions.travel_ban.enabled=%s", ban ? "true" : "false");
        th_trial_start(&r);
        for (int day = 1; day <= 3; day++) {
            th_trial_day(&r);
            TH_EQ(th_tot(&r)->taken[ACT_TRAVEL], 4);
            TH_EQ(th_tot(&r)->sanctions[SA_TRAVEL], ban ? 4 : 0);
            TH_EQ(th_tot(&r)->wrongful[SA_TRAVEL], ban ? 4 : 0); /* never scored for anything */
            TH_EQ(th_tot(&r)->rewards, 0);
        }
        th_trial_free(&r);
    }
}

/* §6 school ban: on school.day each child applies; a child whose household
 * has a listed adult is refused (not wrongful: the parent really missed
 * payments; not cross-context). Other children are admitted. Off: nobody
 * is refused. The day recurs every 365 days. */
static void test_school_ban(void **state)
{
    const uint32_t n = 12;
    struct th_trial probe;
    th_trial_quiet(&probe, n);
    TH_TRIAL_SETS(&probe, "population.household_size=2", "population.child_share=0.5");
    th_trial_start(&probe);
    const struct population *pop = &probe.sim->world.pop;
    /* Adults of every other household with children miss payments. */
    double rel[12];
    int kids_listed = 0, kids = 0, hh_with_kids = 0, adults_listed = 0;
    for (uint32_t h = 0; h < pop->n_households; h++) {
        int k = 0;
        for (uint32_t i = pop->hh_start[h]; i < pop->hh_start[h + 1]; i++)
            k += (pop->flags[i] & POP_CHILD) != 0;
        int listed = k > 0 && hh_with_kids++ % 2 == 0;
        for (uint32_t i = pop->hh_start[h]; i < pop->hh_start[h + 1]; i++) {
            rel[i] = listed && !(pop->flags[i] & POP_CHILD) ? 0 : 1;
            adults_listed += rel[i] == 0;
        }
        kids += k;
        kids_listed += listed ? k : 0;
    }
    assert_true(kids_listed > 0 && kids > kids_listed); /* both cases occur */
    th_trial_free(&probe);

    for (int ban = 0; ban <= 1; ban++) {
        struct th_trial r;
        th_trial_quiet(&r, n);
        TH_TRIAL_SETS(&r, "population.household_size=2", "population.child_share=0.5",
                      "behaviour.payment.period=1", "behaviour.school.day=5",
                      "sanctions.association.enabled=false");
        th_trial_set(&r, "population.reliability=%s", th_yaml_list(rel, n));
        th_trial_set(&r, "sanctions.school_ban.enabled=%s", ban ? "true" : "false");
        th_trial_start(&r);
        for (int day = 1; day <= 370; day++) {
            th_trial_day(&r);
            const int school = day == 5 || day == 370;
            TH_EQ(th_tot(&r)->taken[ACT_SCHOOL], school ? kids : 0);
            TH_EQ(th_tot(&r)->sanctions[SA_SCHOOL], school && ban ? kids_listed : 0);
            TH_EQ(th_tot(&r)->wrongful[SA_SCHOOL], 0);
            TH_EQ(th_tot(&r)->cross_context[SA_SCHOOL], 0);
            if (day == 3) TH_EQ(th_tot(&r)->sanctions[SA_LISTING], adults_listed);
        }
        th_trial_free(&r);
    }
}

/* §6 job restriction and loan denial by domain score: below 850 (tier C
 * or below) of the social (jobs) and financial (loans) domain. Start 849:
 * every job change and every loan request is refused (and, as no point
 * was ever scored against the agents, wrongful); start 850: none. Off:
 * none refused, the acts unchanged. */
static void test_job_and_loan_by_score(void **state)
{
    const int n = 10, days = 365;
    for (int variant = 0; variant < 3; variant++) {
        struct th_trial r;
        th_trial_quiet(&r, n);
        TH_TRIAL_SETS(&r, "behaviour.job_change.rate=1", "behaviour.loan.rate=1");
        th_trial_set(&r, "population.start_score=%d", variant == 1 ? 850 : 849);
        if (variant == 2)
            TH_TRIAL_SETS(&r, "sanctions.job_restriction.enabled=false",
                          "sanctions.loan_denial.enabled=false");
        th_trial_start(&r);
        const int on = variant == 0;
        int64_t jobs = 0;
        for (int day = 1; day <= days; day++) {
            th_trial_day(&r);
            jobs += th_tot(&r)->taken[ACT_JOB];
            TH_EQ(th_tot(&r)->sanctions[SA_JOB], on ? th_tot(&r)->taken[ACT_JOB] : 0);
            TH_EQ(th_tot(&r)->wrongful[SA_JOB], on ? th_tot(&r)->taken[ACT_JOB] : 0);
            TH_EQ(th_tot(&r)->cross_context[SA_JOB], 0);
            TH_EQ(th_tot(&r)->taken[ACT_LOAN], n);
            TH_EQ(th_tot(&r)->sanctions[SA_LOAN], on ? n : 0);
            TH_EQ(th_tot(&r)->cross_context[SA_LOAN], 0);
        }
        assert_true(jobs > 0); /* rate 1 a year: about 10 in a year of 10 agents */
        th_trial_free(&r);
    }
}

/* The first household of at least two members in an n-agent population
 * built with the given override: its agents are [*lo, *hi). */
static void first_shared_household(uint32_t n, const char *set, uint32_t *lo, uint32_t *hi)
{
    struct th_trial probe;
    th_trial_quiet(&probe, n);
    TH_TRIAL_SETS(&probe, set);
    th_trial_start(&probe);
    const struct population *pop = &probe.sim->world.pop;
    uint32_t h = 0;
    while (h < pop->n_households && pop->hh_start[h + 1] - pop->hh_start[h] < 2) h++;
    assert_true(h < pop->n_households);
    *lo = pop->hh_start[h];
    *hi = pop->hh_start[h + 1];
    th_trial_free(&probe);
}

/* §6 internment: an agent of a named group whose social score falls below
 * 400 is removed from all contact for internment.days: no acts, no
 * contacts; each household member takes the association penalty (-5) on
 * the day. Criticism costs 700 here, so the critic (the first member of a
 * household of at least 2) is interned on day 1 (until day 3, 3 days).
 * Recovery 0.5 brings its social score back to 912.5 on day 4, when it is
 * released (its ties count as contacts again from day 5, as meetings
 * follow the state at the start of the day); on day 5 it criticises and
 * is interned again. Off (switch, or group not named): never interned. */
static void test_internment(void **state)
{
    const uint32_t n = 6;
    uint32_t hh_lo, hh_hi;
    first_shared_household(n, "population.household_size=3", &hh_lo, &hh_hi);
    const uint32_t x = hh_lo;
    const int64_t others = hh_hi - hh_lo - 1;
    double att[6];
    for (uint32_t i = 0; i < n; i++) att[i] = i == x ? 1 : 0;

    for (int variant = 0; variant < 3; variant++) {
        struct th_trial r;
        th_trial_quiet(&r, n);
        TH_TRIAL_SETS(&r, "population.household_size=3",
                      "network.layers={h: {generator: household}, c: {generator: complete}}",
                      "behaviour.criticise.rate=1", "scoring.points.criticism=-700",
                      "scoring.recovery=0.5", "sanctions.internment.days=3");
        th_trial_set(&r, "population.attitude=%s", th_yaml_list(att, n));
        th_trial_set(&r, "sanctions.internment.groups=%s", variant == 2 ? "[]" : "[a]");
        if (variant == 1) th_trial_set(&r, "sanctions.internment.enabled=false");
        th_trial_start(&r);
        const int on = variant == 0;
        /* Tie ends per day: every tie of both layers, or those without x. */
        int64_t all_ends = 0, without_x = 0;
        for (uint32_t l = 0; l < r.sim->world.net.n_layers; l++) {
            all_ends += (int64_t)r.sim->world.net.layer[l].n_entries;
            without_x += (int64_t)r.sim->world.net.layer[l].n_entries -
                         2 * (int64_t)(r.sim->world.net.layer[l].off[x + 1] -
                                       r.sim->world.net.layer[l].off[x]);
        }
        for (int day = 1; day <= 5; day++) {
            th_trial_day(&r);
            const int acts = !on || day == 1 || day == 5;
            TH_EQ(th_status(&r, x, ST_INTERNED), on ? day != 4 : 0);
            TH_EQ(th_acted(&r, x, AC_CRITICISE), acts);
            TH_EQ(th_tot(&r)->taken[ACT_CRITICISE], acts);
            TH_EQ(th_tot(&r)->sanctions[SA_INTERNMENT], on && (day == 1 || day == 5));
            TH_EQ(th_tot(&r)->wrongful[SA_INTERNMENT], 0);
            TH_EQ(th_tot(&r)->releases, on && day == 4);
            TH_EQ(th_tot(&r)->scored[EV_ASSOCIATION], on && (day == 1 || day == 5) ? others : 0);
            /* Meetings follow the state at the start of the day. */
            const int interned_before = on && day >= 2 && day <= 4;
            TH_EQ(th_tot(&r)->taken[ACT_MEET], interned_before ? without_x : all_ends);
            if (on && day <= 3) TH_EQ(r.sim->world.st.interned_until[x], 3);
        }
        /* The household members' penalty: -5 on day 1, halved 4 times,
         * then -5 again on day 5; nobody else pays. */
        for (uint32_t i = 0; i < n; i++) {
            float want = 0;
            if (on && i != x && i >= hh_lo && i < hh_hi)
                want = -5.0f * 0.5f * 0.5f * 0.5f * 0.5f - 5.0f;
            if (i != x) TH_FEQ(th_ledger(&r, SUB_SOCIAL, i), want);
        }
        th_trial_free(&r);
    }
}

/* §6 ostracism: each contact of a newly listed agent cuts the tie with p =
 * base + fear_weight x fear. Base 1: every non-household tie of the newly
 * listed agent is cut at both ends (household ties are kept), and from
 * then on only its household members meet it (and pay for the meeting).
 * Base 0 and weight 1 with every contact's fear at 1 (start score 600 =
 * proximity 1, weight 2, memory 1) cuts them all too: the probability
 * grows with the contact's own fear. Base 0 (fear 0), or the switch off:
 * nothing is cut. */
static void test_ostracism(void **state)
{
    const uint32_t n = 8;
    uint32_t hh_lo, hh_hi;
    first_shared_household(n, "population.household_size=2", &hh_lo, &hh_hi);
    const uint32_t x = hh_lo;
    double rel[8];
    for (uint32_t i = 0; i < n; i++) rel[i] = i == x ? 0 : 1;

    for (int variant = 0; variant < 4; variant++) {
        struct th_trial r;
        th_trial_quiet(&r, n);
        TH_TRIAL_SETS(&r, "population.household_size=2", "behaviour.payment.period=1",
                      "network.layers={h: {generator: household}, c: {generator: complete}}");
        th_trial_set(&r, "population.reliability=%s", th_yaml_list(rel, n));
        th_trial_set(&r, "sanctions.ostracism.enabled=%s", variant == 2 ? "false" : "true");
        th_trial_set(&r, "sanctions.ostracism.base=%d", variant == 0 ? 1 : 0);
        th_trial_set(&r, "sanctions.ostracism.fear_weight=%d", variant == 3 ? 1 : 0);
        if (variant == 3)
            TH_TRIAL_SETS(&r, "population.start_score=600", "behaviour.fear.enabled=true",
                          "behaviour.fear.memory=1", "behaviour.fear.proximity_weight=2",
                          "sanctions.association.enabled=false");
        th_trial_start(&r);
        const struct layer *hh = &r.sim->world.net.layer[0], *c = &r.sim->world.net.layer[1];
        assert_int_equal(hh->generator, GEN_HOUSEHOLD);
        const int64_t ends = (int64_t)hh->n_entries + (int64_t)c->n_entries;
        th_trial_days(&r, 3);
        assert_true(th_status(&r, x, ST_NEW_LISTED));
        if (variant == 3)
            for (uint32_t i = 0; i < n; i++) TH_FEQ(r.sim->world.st.fear[i], 1.0f);
        const int cut = variant == 0 || variant == 3;
        int64_t cut_ends = 0;
        for (uint32_t i = 0; i < n; i++)
            for (net_off_t e = c->off[i]; e < c->off[i + 1]; e++) {
                int is_cut = c->adj[e] == NET_CUT;
                cut_ends += is_cut;
                if (i == x) TH_EQ(is_cut, cut);
            }
        TH_EQ(cut_ends, cut ? 2 * (n - 1) : 0);
        for (net_off_t e = 0; e < hh->n_entries; e++) assert_true(hh->adj[e] != NET_CUT);
        /* Day 3's meetings were counted before its cuts; day 4's after. */
        TH_EQ(th_tot(&r)->taken[ACT_MEET], ends);
        if (variant == 3) { /* association is off here */
            th_trial_free(&r);
            continue;
        }
        th_trial_day(&r); /* day 4: who meets x, and pays for it */
        TH_EQ(th_tot(&r)->taken[ACT_MEET], ends - cut_ends);
        /* Household members meet x in both layers unless the other tie is cut. */
        const int64_t members = hh_hi - hh_lo - 1, strangers = n - 1 - members;
        TH_EQ(th_tot(&r)->scored[EV_ASSOCIATION], cut ? members : 2 * members + strangers);
        for (uint32_t i = 0; i < n; i++)
            if (i != x) {
                int household = i >= hh_lo && i < hh_hi;
                float want = household ? (cut ? -5.0f : -10.0f) : (cut ? 0.0f : -5.0f);
                TH_FEQ(th_ledger(&r, SUB_SOCIAL, i), want);
            }
        th_trial_free(&r);
    }
}

/* The world's cumulative totals (world.h) are the sums of the days'
 * counts: after each day, for every group row and all agents, the totals
 * of sanctions (every kind), wrongful sanctions, cross-context sanctions
 * and refused flights equal the test's own sums of that row's daily
 * counts so far, and the measured rows' *_cum columns equal them. The
 * busy scenario (th_busy) with flights, loans and false payment records,
 * so that every kind of total grows. */
static void test_totals_sum_daily_counts(void **state)
{
    const char *more[] = {"behaviour.travel.rate=0.05", "behaviour.loan.rate=0.05",
                          "surveillance.payment.false_attribution=0.002", NULL};
    struct scenario *s = th_busy_scenario(th_sanitized() ? 1500 : 4000, 30, more);
    struct sim *sim = th_sim(s, 2, 0);
    const uint32_t ng = sim->world.pop.n_groups;
    struct world_totals want[MAX_GROUPS + 1];
    memset(want, 0, sizeof want);
    th_measure(sim); /* day 0: nothing yet */
    for (uint32_t r = 0; r <= ng; r++) {
        const struct met_row *row = &sim->met.rows[r];
        TH_EQ(row->sanctions_cum + row->wrongful_sanctions_cum + row->cross_context_sanctions_cum +
                  row->flights_refused_cum,
              0);
    }
    for (int day = 1; day <= sim->world.p->days; day++) {
        th_step(sim);
        th_measure(sim);
        for (uint32_t r = 0; r <= ng; r++) {
            const struct group_counts *c = &sim->eng.counts.row[r];
            for (int k = 0; k < N_SANCTIONS; k++) {
                want[r].sanctions += c->sanctions[k];
                want[r].wrongful_sanctions += c->wrongful[k];
                want[r].cross_context_sanctions += c->cross_context[k];
            }
            want[r].flights_refused += c->sanctions[SA_TRAVEL];
            const struct world_totals *t = &sim->world.totals[r];
            TH_EQ(t->sanctions, want[r].sanctions);
            TH_EQ(t->wrongful_sanctions, want[r].wrongful_sanctions);
            TH_EQ(t->cross_context_sanctions, want[r].cross_context_sanctions);
            TH_EQ(t->flights_refused, want[r].flights_refused);
            const struct met_row *row = &sim->met.rows[r];
            TH_EQ(row->sanctions_cum, want[r].sanctions);
            TH_EQ(row->wrongful_sanctions_cum, want[r].wrongful_sanctions);
            TH_EQ(row->cross_context_sanctions_cum, want[r].cross_context_sanctions);
            TH_EQ(row->flights_refused_cum, want[r].flights_refused);
        }
    }
    /* The group rows add up to all agents', and every total grew: the
     * test had teeth. */
    struct world_totals sum = {0};
    for (uint32_t g = 0; g < ng; g++) {
        sum.sanctions += want[g].sanctions;
        sum.wrongful_sanctions += want[g].wrongful_sanctions;
        sum.cross_context_sanctions += want[g].cross_context_sanctions;
        sum.flights_refused += want[g].flights_refused;
    }
    TH_EQ(sum.sanctions, want[ng].sanctions);
    TH_EQ(sum.wrongful_sanctions, want[ng].wrongful_sanctions);
    TH_EQ(sum.cross_context_sanctions, want[ng].cross_context_sanctions);
    TH_EQ(sum.flights_refused, want[ng].flights_refused);
    printf("  totals after %d days: %lld sanctions, %lld wrongful, %lld cross-context, %lld "
           "flights refused\n",
           sim->world.day, (long long)want[ng].sanctions, (long long)want[ng].wrongful_sanctions,
           (long long)want[ng].cross_context_sanctions, (long long)want[ng].flights_refused);
    assert_true(want[ng].sanctions > want[ng].wrongful_sanctions);
    assert_true(want[ng].wrongful_sanctions > 0 && want[ng].cross_context_sanctions > 0);
    assert_true(want[ng].flights_refused > 0);
    sim_free(sim);
    scn_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_social_media_ban),
        cmocka_unit_test(test_list_exit),
        cmocka_unit_test(test_rewards_boundary),
        cmocka_unit_test(test_travel_ban),
        cmocka_unit_test(test_school_ban),
        cmocka_unit_test(test_job_and_loan_by_score),
        cmocka_unit_test(test_internment),
        cmocka_unit_test(test_ostracism),
        cmocka_unit_test(test_totals_sum_daily_counts),
    };
    return cmocka_run_group_tests_name("sanctions", tests, NULL, NULL);
}
