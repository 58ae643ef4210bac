/*
 * test_granovetter.c - the classical results of docs/model.md section 9.
 *
 * With scoring, surveillance and sanctions off (no channel records
 * anything, so no point is ever scored; every sanction, association,
 * ostracism, rewards and the cap are switched off), fear off and protesters
 * never leaving, the protest rule of docs/model.md section 3 is Granovetter's
 * threshold model on a complete graph and Watts' cascade model on a random
 * graph. This file checks that the engine reproduces:
 *
 *  (a) Granovetter (1978): 100 agents with thresholds 0, 1, ..., 99 (in
 *      agents) all join; moving the agent with threshold 1 to 2 stops the
 *      riot at one.
 *  (b) Granovetter: thresholds Normal(25, sigma) on 100 agents: the mean
 *      outcome is small for sigma well below 12.2 and nearly everyone well
 *      above; across sigma it follows an independent implementation of the
 *      model; at 1000 agents the jump is sharp around 12.2%.
 *  (c) Watts (2002): a uniform threshold phi = 0.18 (as a share of
 *      neighbours) and one random seed on Erdos-Renyi graphs: global
 *      cascades are frequent inside the cascade window (mean degree z = 4),
 *      absent below it (z = 1) and above it (z = 16).
 *
 * Mapping Granovetter's "threshold in agents" onto the engine. Granovetter
 * defines a threshold as the number of *other* people who must act before
 * the person does (threshold 0: the instigator, who acts alone; threshold
 * 1: acts once one other person acts). On a complete graph of N agents each
 * agent's contacts are the N - 1 others, and a contact is seen protesting
 * if it protested yesterday; an agent that has not joined is not among the
 * protesters, so the number of protesting contacts it sees is exactly the
 * number of others who have joined. Hence threshold_unit: count with the
 * thresholds unchanged is Granovetter's model, with no +1 or -1 for the
 * agent itself. (In the share unit the same threshold would be k / 99, which
 * invites floating-point ties at exact multiples; the count unit compares
 * integers with the thresholds exactly.) Granovetter's threshold-0
 * instigators act on their own: behaviour.protest.spontaneous is on.
 *
 * Should normal thresholds be rounded? No. With counts, an agent with
 * threshold x joins once at least x others have, i.e. once the count r >=
 * x, i.e. r >= ceil(x): the comparison of an integer count with a real
 * threshold already is the discrete model, and the number joining at count
 * r is the number of thresholds <= r, the empirical CDF F(r). Granovetter's
 * 12.2 is where the equilibrium r = N F(r) with F the Normal(25, sigma) CDF
 * stops being near 0, computed exactly this way (iterating r <- 100 F(r)
 * from 0 jumps between sigma = 12.2 and 12.25). Rounding to the nearest
 * integer would join at r >= x - 0.5, lowering every threshold by half an
 * agent on average and moving the jump below 12.0. Negative draws are
 * clipped to 0 (lo: 0), which is what a negative threshold would do anyway
 * (it is met by 0 others); the clip range's upper end must be raised (its
 * default, hi: 1, is for shares).
 *
 * The dynamics are synchronous (everyone sees yesterday's protesters), which
 * does not change the final size: the rule is monotone and nobody leaves,
 * so the final set is the smallest fixed point whatever the order.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* docs/model.md section 9's setting: every scoring, surveillance and sanction
 * mechanism off, fear off, protesters never leave, one group of adults in
 * single households, no other act. The caller adds the network, the
 * thresholds and any trigger. */
static struct scenario *classical(uint32_t agents, uint64_t seed)
{
    static const char *const sets[] = {
        "days=32767", /* the most: the runs step until they come to rest */
        "population.groups={a: 1.0}",
        "population.household_size=1",
        "population.child_share=0",
        "population.attitude=1",
        "population.reliability=1",
        "behaviour.criticise.rate=0",
        "behaviour.conform.rate=0",
        "behaviour.travel.rate=0",
        "behaviour.job_change.rate=0",
        "behaviour.loan.rate=0",
        "behaviour.protest.leave=0",
        "behaviour.protest.trigger.days=[]",
        "behaviour.fear.enabled=false",
        "surveillance.payment.enabled=false",
        "surveillance.internet.enabled=false",
        "surveillance.cameras.enabled=false",
        "surveillance.phone.enabled=false",
        "scoring.group_cap.enabled=false",
        "sanctions.travel_ban.enabled=false",
        "sanctions.school_ban.enabled=false",
        "sanctions.social_media_ban.enabled=false",
        "sanctions.job_restriction.enabled=false",
        "sanctions.loan_denial.enabled=false",
        "sanctions.rewards.enabled=false",
        "sanctions.internment.enabled=false",
        "sanctions.association.enabled=false",
        "sanctions.ostracism.enabled=false",
        NULL,
    };
    struct scenario *s = NULL;
    struct ss_error err = {0};
    assert_int_equal(scn_new_default(&s, &err), SS_OK);
    th_sets(s, sets);
    th_set(s, "population.agents=%u", agents);
    th_set(s, "seed=%llu", (unsigned long long)seed);
    return s;
}

static struct sim *start(struct scenario *s)
{
    th_finish(s);
    return th_sim(s, 1, 0);
}

/* Step until the number of protesters stops changing (a fixed point: nobody
 * leaves, so the same count is the same set) or max_days pass. Returns the
 * final number of protesters; sizes[d - 1] gets day d's (if sizes). */
static int64_t run_to_rest(struct sim *sim, int max_days, int64_t *sizes)
{
    int64_t prev = -1;
    for (int day = 1; day <= max_days; day++) {
        th_step(sim);
        const struct group_counts *all = &sim->eng.counts.row[sim->world.pop.n_groups];
        int64_t now = all->taken[ACT_PROTEST];
        /* Nothing else happens in this setting. */
        assert_int_equal(all->scored[EV_PROTEST] + all->sanctions[SA_LISTING], 0);
        if (sizes) sizes[day - 1] = now;
        if (now == prev) return now;
        assert_true(now > prev); /* monotone: nobody leaves */
        prev = now;
    }
    fail_msg("no fixed point within %d days", max_days);
    return -1;
}

/* (a) Granovetter's uniform distribution of thresholds 0, 1, ..., 99 (in
 * agents, on a complete graph of 100): day by day one more joins (day d:
 * the d agents with thresholds below d), and all 100 end up protesting.
 * With the agent of threshold 1 moved to 2, only the instigator protests.
 * The same in the share unit, with thresholds (k - 0.5) / 99 (between the
 * shares (k - 1) / 99 and k / 99, so no floating-point tie): the units
 * agree. Without spontaneous protest (the seed's reading) nobody starts. */
static void test_uniform_thresholds(void **state)
{
    double th[100];
    int64_t sizes[200];
    for (int variant = 0; variant < 4; variant++) {
        const int share = variant == 2;
        for (int k = 0; k < 100; k++) th[k] = share ? (k ? (k - 0.5) / 99.0 : 0) : k;
        if (variant == 1) th[1] = 2;
        struct scenario *s = classical(100, 1);
        th_set(s, "network.layers={c: {generator: complete}}");
        th_set(s, "population.threshold_unit=%s", share ? "share" : "count");
        th_set(s, "population.threshold=%s", th_yaml_list(th, 100));
        th_set(s, "behaviour.protest.spontaneous=%s", variant == 3 ? "false" : "true");
        struct sim *sim = start(s);
        assert_int_equal(sim->world.net.layer[0].n_entries, 100 * 99);
        int64_t final = run_to_rest(sim, 200, sizes);
        if (variant == 1) {
            assert_int_equal(final, 1);
            assert_int_equal(sim->world.st.status[0] & ST_PROTEST, ST_PROTEST);
        } else if (variant == 3) {
            assert_int_equal(final, 0);
        } else {
            assert_int_equal(final, 100);
            for (int d = 1; d <= 100; d++) assert_int_equal(sizes[d - 1], d);
        }
        sim_free(sim);
        scn_free(s);
    }
}

/* One run with thresholds Normal(mean, sd) (count unit, clipped at 0) on a
 * complete graph of n agents; returns the final number of protesters. */
static int64_t normal_run(uint32_t n, double mean, double sd, uint64_t seed)
{
    struct scenario *s = classical(n, seed);
    th_set(s, "network.layers={c: {generator: complete}}");
    th_set(s, "population.threshold_unit=count");
    th_set(s, "behaviour.protest.spontaneous=true");
    th_set(s, "population.threshold={dist: normal, mean: %.17g, sd: %.17g, lo: 0, hi: 1e9}", mean,
           sd);
    struct sim *sim = start(s);
    int64_t final = run_to_rest(sim, 10 * (int)n, NULL);
    sim_free(sim);
    scn_free(s);
    return final;
}

/* (b) Granovetter's normal thresholds, mean 25, on 100 agents: the mean
 * final size over many seeds, for sigma from 6 to 20. Granovetter's jump
 * at sigma = 12.2 is the infinite-crowd equilibrium; with 100 agents each
 * run either stalls near the start or takes (nearly) everyone, and the
 * share that take everyone rises from about 0 at sigma 10 to about 1 at
 * 18, a fifth of the way at 12.2. The reference means come from an
 * independent implementation of the same model (Python, 40,000 runs per
 * sigma, thresholds as counts of others, no rounding, clipped at 0): the
 * engine's mean must lie within 5 standard errors of each. And the
 * qualitative result: small (< 5 of 100) at sigma <= 10, nearly everyone
 * (> 95) at sigma >= 18. */
static void test_normal_thresholds(void **state)
{
    static const struct {
        double sigma, mean, sd; /* reference mean final size and its spread across runs */
    } ref[] = {{6, 0.001, 0.037},      {8, 0.096, 0.329},    {10, 1.101, 5.599},
               {12.2, 22.104, 38.955}, {14, 63.762, 46.557}, {16, 91.035, 27.774},
               {18, 98.386, 12.213},   {20, 99.675, 5.413}};
    const int seeds = th_sanitized() ? 60 : 500;
    double prev = -1;
    for (size_t k = 0; k < sizeof ref / sizeof ref[0]; k++) {
        double sum = 0;
        for (int seed = 1; seed <= seeds; seed++)
            sum += (double)normal_run(100, 25, ref[k].sigma, seed);
        const double mean = sum / seeds;
        /* 5 standard errors of this mean, plus the reference's own (40,000
         * runs), plus 0.05 for the reference's rounding. */
        const double tol = 5 * ref[k].sd * sqrt(1.0 / seeds + 1.0 / 40000) + 0.05;
        printf("  sigma %5.1f: mean final size %6.2f (reference %6.2f +- %.2f)\n", ref[k].sigma,
               mean, ref[k].mean, tol);
        if (fabs(mean - ref[k].mean) > tol)
            fail_msg("sigma %g: mean final size %g, reference %g +- %g", ref[k].sigma, mean,
                     ref[k].mean, tol);
        if (ref[k].sigma <= 10) assert_true(mean < 5);
        if (ref[k].sigma >= 18) assert_true(mean > 95);
        assert_true(mean >= prev); /* more spread, bigger crowds */
        prev = mean;
    }
}

/* (b) The jump itself, sharper with a larger crowd: 1000 agents with
 * thresholds Normal(250, 1000 x s) (Granovetter's setting scaled by 10).
 * At s = 0.11, below 0.122, every run stalls under 5% of the crowd; at s =
 * 0.135, above it, nearly every run takes nearly everyone (the reference
 * model: 98% of runs). */
static void test_normal_thresholds_jump(void **state)
{
    const uint32_t n = 1000;
    const int seeds = th_sanitized() ? 4 : 10;
    int global_low = 0, global_high = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        int64_t low = normal_run(n, 250, 110, seed), high = normal_run(n, 250, 135, seed);
        assert_true(low < 50);
        global_low += low > 900;
        global_high += high > 900;
    }
    assert_int_equal(global_low, 0);
    assert_true(global_high >= seeds - 2);
}

/* One Watts run: an Erdos-Renyi graph of n agents with mean degree z, a
 * uniform threshold phi (share of neighbours), one seed agent drawn at
 * random on day 1. Returns the final number of protesters. */
static int64_t watts_run(uint32_t n, double z, double phi, uint64_t seed)
{
    struct scenario *s = classical(n, seed);
    th_set(s, "network.layers={er: {generator: erdos_renyi, mean_degree: %g}}", z);
    th_set(s, "population.threshold_unit=share");
    th_set(s, "population.threshold=%.17g", phi);
    th_set(s, "behaviour.protest.spontaneous=false");
    th_set(s, "behaviour.protest.trigger.days=[1]");
    th_set(s, "behaviour.protest.trigger.count=1");
    th_set(s, "behaviour.protest.trigger.min_attitude=0");
    struct sim *sim = start(s);
    int64_t final = run_to_rest(sim, 32767, NULL);
    sim_free(sim);
    scn_free(s);
    return final;
}

/* (c) Watts (2002), Fig. 1: with phi = 0.18 an agent is vulnerable (one
 * active neighbour suffices) if its degree is at most 5. At z = 1 the graph
 * has no giant component, and at z = 16 almost nobody is vulnerable: no
 * global cascade. At z = 4 the vulnerable agents percolate and most single
 * seeds set off a global cascade (the reference model: 83% of runs at 10^4
 * agents, 90% at 2000). Cascade sizes are bimodal inside the window, so
 * "global" is taken as more than half the agents. */
static void test_watts_cascade_window(void **state)
{
    const uint32_t n = th_sanitized() ? 2000 : 10000;
    const int seeds = th_sanitized() ? 20 : 50;
    const double z[3] = {1, 4, 16};
    int global[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++)
        for (int seed = 1; seed <= seeds; seed++)
            global[k] += watts_run(n, z[k], 0.18, (uint64_t)seed) > n / 2;
    printf("  global cascades in %d seeds: z=1: %d, z=4: %d, z=16: %d\n", seeds, global[0],
           global[1], global[2]);
    assert_int_equal(global[0], 0);
    assert_int_equal(global[2], 0);
    assert_true(global[1] >= seeds * 6 / 10); /* expected ~0.85; 0.6 is > 5 sd below */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_thresholds),
        cmocka_unit_test(test_normal_thresholds),
        cmocka_unit_test(test_normal_thresholds_jump),
        cmocka_unit_test(test_watts_cascade_window),
    };
    return cmocka_run_group_tests_name("granovetter", tests, NULL, NULL);
}
