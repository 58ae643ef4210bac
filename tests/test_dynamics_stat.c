/*
 * test_dynamics_stat.c - statistical tests of the day step at 10^5 agents
 * (2 x 10^4 under the sanitizers), docs/model.md sections 3 and 4: behaviour
 * rates, coverage and detection per channel and group, the phone channel's
 * meetings with listed people, false attribution, leaving a protest.
 * Fixed seeds, so deterministic: observed counts lie within 5 standard
 * deviations of the configured probabilities (binomial, or sums of
 * independent Bernoullis whose exact variance the test computes).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "model/scoring.h"

/* |x - mean| <= 5 standard deviations (a false alarm about 1 in 1.7e6). */
static void within_5sd(const char *what, double x, double mean, double var)
{
    double sd = sqrt(var);
    if (!(fabs(x - mean) <= 5 * sd + 1e-9))
        fail_msg("%s: observed %.1f, expected %.1f +- 5 x %.2f", what, x, mean, sd);
}

/* The probability a word w < p x 2^32 has: what the engine really uses. */
static double p32(double p)
{
    return p <= 0 ? 0 : floor(p * 4294967296.0) / 4294967296.0;
}

static uint32_t stat_agents(void)
{
    return th_sanitized() ? 20000 : 100000;
}

/* A seed-like population (households of mean 3, children 0.2, attitudes
 * Beta(2, 6), reliabilities Beta(18, 1), online 0.75) on a household
 * network only, over the quiet defaults. */
static void stat_new(struct th_trial *r)
{
    th_trial_quiet(r, stat_agents());
    TH_TRIAL_SETS(r, "population.household_size=3", "population.child_share=0.2",
                  "population.attitude={dist: beta, a: 2, b: 6}",
                  "population.reliability={dist: beta, a: 18, b: 1}",
                  "population.online_share=0.75", "network.layers={h: {generator: household}}");
}

/* §3 rates: criticism (would, and does without fear: the same draws),
 * conformity 0.005 x (1 - attitude), travel 0.003, loans 0.01, job
 * changes 0.1 a year, and missed payments 1 - reliability among due
 * obligations, over 4 days; each is a sum of independent Bernoulli draws
 * whose exact mean and variance the test adds up agent by agent. */
static void test_stat_behaviour_rates(void **state)
{
    struct th_trial r;
    stat_new(&r);
    TH_TRIAL_SETS(&r, "behaviour.criticise.rate=0.02", "behaviour.conform.rate=0.005",
                  "behaviour.travel.rate=0.003", "behaviour.loan.rate=0.01",
                  "behaviour.job_change.rate=0.1", "surveillance.internet.enabled=false",
                  "surveillance.payment.enabled=false");
    th_trial_start_threads(&r, 2);
    const struct population *pop = &r.sim->world.pop;
    const float *attitude = r.sim->world.st.attitude;
    const int days = 4;
    double crit_m = 0, crit_v = 0, conf_m = 0, conf_v = 0, adults = 0;
    for (uint32_t i = 0; i < pop->n; i++) {
        if (pop->flags[i] & POP_CHILD) continue;
        adults += 1;
        double pc = (pop->flags[i] & POP_ONLINE) ? p32(0.02 * attitude[i]) : 0;
        double pf = p32(0.005 * (1.0 - attitude[i]));
        crit_m += pc, crit_v += pc * (1 - pc);
        conf_m += pf, conf_v += pf * (1 - pf);
    }
    double would = 0, does = 0, conform = 0, travel = 0, loan = 0, job = 0;
    double miss = 0, miss_m = 0, miss_v = 0;
    for (int day = 1; day <= days; day++) {
        th_trial_day(&r);
        would += (double)th_tot(&r)->would_criticise;
        does += (double)th_tot(&r)->taken[ACT_CRITICISE];
        conform += (double)th_tot(&r)->taken[ACT_CONFORM];
        travel += (double)th_tot(&r)->taken[ACT_TRAVEL];
        loan += (double)th_tot(&r)->taken[ACT_LOAN];
        job += (double)th_tot(&r)->taken[ACT_JOB];
        miss += (double)th_tot(&r)->taken[ACT_MISS];
        for (uint32_t i = 0; i < pop->n; i++)
            if (th_acted(&r, i, AC_PAY_DUE)) {
                double q = 1 - p32(pop_reliability(pop, i));
                miss_m += q, miss_v += q * (1 - q);
            }
    }
    within_5sd("would criticise", would, days * crit_m, days * crit_v);
    TH_EQ(does, would); /* no fear, no listing: the same draws */
    within_5sd("conform", conform, days * conf_m, days * conf_v);
    double pt = p32(0.003), pl = p32(0.01), pj = p32(0.1 / 365);
    within_5sd("travel", travel, days * adults * pt, days * adults * pt * (1 - pt));
    within_5sd("loan", loan, days * adults * pl, days * adults * pl * (1 - pl));
    within_5sd("job change", job, days * adults * pj, days * adults * pj * (1 - pj));
    within_5sd("missed payments", miss, miss_m, miss_v);
    assert_true(miss_m > 100); /* enough due payments to mean something */
    th_trial_free(&r);
}

/* §4 coverage and detection, per channel and group, with the seed's
 * coverages (payment 0.9; internet 0.8, cameras 0.5, both 1.0 for uyghur)
 * and detection (0.99, 0.7, 0.6). Each agent is watched with p = its
 * group's coverage (a fixed draw); on day 1 every online adult criticises,
 * every adult protests (threshold 0) and every due payment is missed, each
 * act seen with p = coverage x detect, independently across agents:
 * observed ~ Binomial(taken, coverage x detect). */
static void test_stat_detection(void **state)
{
    struct th_trial r;
    stat_new(&r);
    TH_TRIAL_SETS(
        &r, "population.groups={majority: 0.6, uyghur: 0.4}", "population.attitude=1",
        "population.reliability=0", "population.threshold=0", "behaviour.criticise.rate=1",
        "surveillance.payment.coverage=0.9", "surveillance.payment.detect=0.99",
        "surveillance.internet.coverage=0.8", "surveillance.internet.coverage_by_group={uyghur: 1}",
        "surveillance.internet.detect=0.7", "surveillance.cameras.coverage=0.5",
        "surveillance.cameras.coverage_by_group={uyghur: 1}", "surveillance.cameras.detect=0.6");
    th_trial_start_threads(&r, 2);
    const struct population *pop = &r.sim->world.pop;
    assert_int_equal(pop->n_groups, 2);
    const double cov[2][3] = {{0.9, 0.8, 0.5}, {0.9, 1.0, 1.0}}, det[3] = {0.99, 0.7, 0.6};
    const int act[3] = {ACT_MISS, ACT_CRITICISE, ACT_PROTEST};
    for (uint32_t g = 0; g < 2; g++) {
        /* Children are never watched (they take no scored actions); each
         * adult is watched with p = its group's coverage. */
        double ng = 0;
        for (uint32_t i = pop->group_start[g]; i < pop->group_start[g + 1]; i++)
            ng += !(pop->flags[i] & POP_CHILD);
        for (int ch = 0; ch < 3; ch++) {
            double watched = 0;
            for (uint32_t i = pop->group_start[g]; i < pop->group_start[g + 1]; i++) {
                if (pop->flags[i] & POP_CHILD) assert_int_equal(r.sim->world.st.watched[i], 0);
                watched += r.sim->world.st.watched[i] >> ch & 1u;
            }
            char what[64];
            snprintf(what, sizeof what, "group %u channel %d watched", g, ch);
            double pw = p32(cov[g][ch]);
            within_5sd(what, watched, ng * pw, ng * pw * (1 - pw));
        }
    }
    th_trial_day(&r);
    for (uint32_t g = 0; g < 2; g++) {
        const struct group_counts *c = &r.sim->eng.counts.row[g];
        for (int ch = 0; ch < 3; ch++) {
            double taken = (double)c->taken[act[ch]], q = cov[g][ch] * det[ch];
            char what[64];
            snprintf(what, sizeof what, "group %u channel %d observed", g, ch);
            assert_true(taken > 100);
            within_5sd(what, (double)c->observed[act[ch]], taken * q, taken * q * (1 - q));
        }
    }
    th_trial_free(&r);
}

/* §4 the phone channel and meetings with listed people: everyone is
 * listed at the end of day 1 (enter_below 1001); on day 2 each agent meets
 * each household member (contact 1), and each meeting is seen with p =
 * detect if the phone channel (alone here) watches the agent (coverage
 * 0.6, 1.0 for uyghur). Per agent the count is watched x Binomial(m,
 * detect): the test adds its exact mean and variance. */
static void test_stat_phone_association(void **state)
{
    struct th_trial r;
    stat_new(&r);
    TH_TRIAL_SETS(&r, "population.groups={majority: 0.6, uyghur: 0.4}", "population.child_share=0",
                  "list.enter_below=1001", "list.exit_above=1100",
                  "surveillance.payment.enabled=false", "surveillance.internet.enabled=false",
                  "surveillance.cameras.enabled=false", "surveillance.phone.coverage=0.6",
                  "surveillance.phone.coverage_by_group={uyghur: 1}",
                  "surveillance.phone.detect=0.8");
    th_trial_start_threads(&r, 2);
    th_trial_day(&r);
    th_trial_day(&r);
    const struct population *pop = &r.sim->world.pop;
    const double cov[2] = {0.6, 1.0}, d = 0.8;
    for (uint32_t g = 0; g < 2; g++) {
        double mean = 0, var = 0;
        for (uint32_t i = pop->group_start[g]; i < pop->group_start[g + 1]; i++) {
            uint32_t h = pop_household(pop, i);
            double m = pop->hh_start[h + 1] - pop->hh_start[h] - 1;
            double c = p32(cov[g]);
            mean += c * m * d;
            var += c * (m * d * (1 - d) + m * m * d * d) - (c * m * d) * (c * m * d);
        }
        char what[64];
        snprintf(what, sizeof what, "group %u phone meetings observed", g);
        within_5sd(what, (double)r.sim->eng.counts.row[g].observed[ACT_MEET], mean, var);
        TH_EQ(r.sim->eng.counts.row[g].scored[EV_ASSOCIATION],
              r.sim->eng.counts.row[g].observed[ACT_MEET]);
    }
    th_trial_free(&r);
}

/* §4 false attribution: per watched agent per day and channel, p = the
 * channel's rate (0.01 here): false_scored of each channel's event ~
 * Binomial(watched x days, rate), per group. */
static void test_stat_false_attribution(void **state)
{
    struct th_trial r;
    stat_new(&r);
    TH_TRIAL_SETS(
        &r, "population.groups={majority: 0.6, uyghur: 0.4}", "surveillance.payment.coverage=0.9",
        "surveillance.internet.coverage=0.8", "surveillance.internet.coverage_by_group={uyghur: 1}",
        "surveillance.cameras.coverage=0.5", "surveillance.cameras.coverage_by_group={uyghur: 1}",
        "surveillance.phone.coverage=0.6", "surveillance.phone.coverage_by_group={uyghur: 1}",
        "surveillance.payment.false_attribution=0.01",
        "surveillance.internet.false_attribution=0.01",
        "surveillance.cameras.false_attribution=0.01", "surveillance.phone.false_attribution=0.01");
    th_trial_start_threads(&r, 2);
    const int days = 3, ev[4] = {EV_MISSED_PAYMENT, EV_CRITICISM, EV_PROTEST, EV_ASSOCIATION};
    int64_t got[2][4] = {{0}};
    for (int day = 1; day <= days; day++) {
        th_trial_day(&r);
        for (uint32_t g = 0; g < 2; g++)
            for (int ch = 0; ch < 4; ch++)
                got[g][ch] += r.sim->eng.counts.row[g].false_scored[ev[ch]];
    }
    const struct population *pop = &r.sim->world.pop;
    const double q = p32(0.01);
    for (uint32_t g = 0; g < 2; g++)
        for (int ch = 0; ch < 4; ch++) {
            double watched = 0;
            for (uint32_t i = pop->group_start[g]; i < pop->group_start[g + 1]; i++)
                watched += r.sim->world.st.watched[i] >> ch & 1u;
            char what[64];
            snprintf(what, sizeof what, "group %u channel %d false records", g, ch);
            within_5sd(what, (double)got[g][ch], days * watched * q, days * watched * q * (1 - q));
        }
    th_trial_free(&r);
}

/* §3 protest leave: everyone eligible is triggered on day 1 (share 1); no
 * one can join by threshold; each day each protester stays with p = 0.7:
 * protesters(t) ~ Binomial(protesters(t - 1), 0.7). */
static void test_stat_protest_leave(void **state)
{
    struct th_trial r;
    stat_new(&r);
    TH_TRIAL_SETS(&r, "population.attitude=0.5", "behaviour.protest.leave=0.3",
                  "behaviour.protest.trigger.days=[1]", "behaviour.protest.trigger.share=1",
                  "behaviour.protest.trigger.min_attitude=0", "surveillance.cameras.enabled=false");
    th_trial_start_threads(&r, 2);
    th_trial_day(&r);
    double prev = (double)th_tot(&r)->taken[ACT_PROTEST], adults = 0;
    for (uint32_t i = 0; i < r.sim->world.pop.n; i++)
        adults += !(r.sim->world.pop.flags[i] & POP_CHILD);
    TH_EQ(prev, adults);
    const double stay = 1 - p32(0.3);
    for (int day = 2; day <= 4; day++) {
        th_trial_day(&r);
        double now = (double)th_tot(&r)->taken[ACT_PROTEST];
        within_5sd("protesters staying", now, prev * stay, prev * stay * (1 - stay));
        prev = now;
    }
    th_trial_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stat_behaviour_rates),
        cmocka_unit_test(test_stat_detection),
        cmocka_unit_test(test_stat_phone_association),
        cmocka_unit_test(test_stat_false_attribution),
        cmocka_unit_test(test_stat_protest_leave),
    };
    return cmocka_run_group_tests_name("dynamics_stat", tests, NULL, NULL);
}
