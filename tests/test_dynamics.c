/*
 * test_dynamics.c - the day step against MODEL.md sections 3 to 6.
 *
 * Part 1: exact tests on populations of 2 to 12 agents. Every probability
 * is 0 or 1 and every distribution a constant or a list, so each day's
 * scores, tiers, listings, sanctions and counts are computed by hand in the
 * test (float ledgers with the same float operations as the code). Each
 * mechanism is tested on and off.
 * Part 2: a naive reference of fear and the protest rule, checked agent by
 * agent against the engine on a small seed-like scenario.
 * Part 3: statistical tests at 10^5 agents (fixed seeds, so deterministic):
 * observed counts lie within 5 standard deviations of the configured
 * probabilities (binomial, or sums of independent Bernoullis whose exact
 * variance the test computes).
 *
 * Tests reach into the engine's internals (struct sim, struct state) on
 * purpose: they check the state after each day, not just the outputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "scenario/scenario.h"
#include "model/scoring.h"
#include "run/sim.h"

/* --- helpers ---------------------------------------------------------------- */

static int sanitized(void)
{
    return getenv("SCORESIM_SANITIZED") != NULL;
}

/* One scenario and its simulation. */
struct trial {
    struct scenario *s; /* owned */
    struct sim *sim;    /* owned; NULL until run_start */
};

static void run_set(struct trial *r, const char *fmt, ...)
{
    static char buf[1 << 16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    struct ss_error err = {0};
    if (scn_set(r->s, buf, &err) != SS_OK) {
        ss_error_print(&err, stderr);
        fail_msg("--set %s failed", buf);
    }
}

/* A scenario in which nothing happens unless a test turns it on: one group,
 * single-adult households, everyone online, attitude 0.5, every rate 0,
 * every payment paid, no protest (threshold 2 as a share can never be
 * met; a threshold of 0, where a test sets one, makes an instigator as in
 * Granovetter: protest.spontaneous is on, see test_protest_not_spontaneous
 * for the seed's setting), fear and attitude change off, every channel
 * watching everyone and
 * seeing everything without error, no integration, recovery or cap, no
 * ostracism. The network is one complete layer with daily contact. The
 * sanctions keep their seed settings (on). */
static void run_new(struct trial *r, uint32_t agents)
{
    static const char *const quiet[] = {
        "days=1000",
        "population.groups={a: 1.0}",
        "population.household_size=1",
        "population.child_share=0",
        "population.attitude=0.5",
        "population.reliability=1",
        "population.online_share=1",
        "population.threshold=2",
        "population.threshold_unit=share",
        "network.layers={c: {generator: complete, contact: 1}}",
        "behaviour.criticise.rate=0",
        "behaviour.conform.rate=0",
        "behaviour.travel.rate=0",
        "behaviour.payment.period=30",
        "behaviour.job_change.rate=0",
        "behaviour.loan.rate=0",
        "behaviour.protest.leave=0",
        "behaviour.protest.spontaneous=true",
        "behaviour.protest.trigger.days=[]",
        "behaviour.fear.enabled=false",
        "behaviour.attitude.per_sanction=0",
        "behaviour.attitude.per_reward=0",
        "behaviour.attitude.messaging=0",
        "scoring.integration=0",
        "scoring.recovery=0",
        "scoring.group_cap.enabled=false",
        "sanctions.ostracism.enabled=false",
        NULL,
    };
    static const char *const channels[] = {"payment", "internet", "cameras", "phone"};
    struct ss_error err = {0};
    memset(r, 0, sizeof *r);
    assert_int_equal(scn_new_default(&r->s, &err), SS_OK);
    for (int k = 0; quiet[k]; k++) run_set(r, "%s", quiet[k]);
    for (int c = 0; c < 4; c++) {
        run_set(r, "surveillance.%s.coverage=1", channels[c]);
        run_set(r, "surveillance.%s.coverage_by_group={}", channels[c]);
        run_set(r, "surveillance.%s.detect=1", channels[c]);
        run_set(r, "surveillance.%s.false_attribution=0", channels[c]);
    }
    run_set(r, "population.agents=%u", agents);
}

/* Several settings at once: RUN_SETS(r, "a=1", "b=2"). */
static void run_sets(struct trial *r, const char *const *sets)
{
    for (int k = 0; sets[k]; k++) run_set(r, "%s", sets[k]);
}
#define RUN_SETS(r, ...) run_sets((r), (const char *const[]){__VA_ARGS__, NULL})

static void run_start_threads(struct trial *r, int threads)
{
    struct ss_error err = {0};
    if (scn_finish(r->s, &err) != SS_OK) {
        ss_error_print(&err, stderr);
        fail_msg("scn_finish failed");
    }
    struct sim_options o = {.threads = threads};
    if (sim_create(&r->sim, r->s, &o, &err) != SS_OK) {
        ss_error_print(&err, stderr);
        fail_msg("sim_create failed");
    }
}

static void run_start(struct trial *r)
{
    run_start_threads(r, 1);
}

static void run_free(struct trial *r)
{
    sim_free(r->sim);
    scn_free(r->s);
    memset(r, 0, sizeof *r);
}

static void run_day(struct trial *r)
{
    struct ss_error err = {0};
    if (sim_step(r->sim, &err) != SS_OK) {
        ss_error_print(&err, stderr);
        fail_msg("sim_step failed on day %d", r->sim->world.day + 1);
    }
}

static void run_days(struct trial *r, int n)
{
    for (int k = 0; k < n; k++) run_day(r);
}

/* Today's counts, all agents. */
static const struct group_counts *tot(const struct trial *r)
{
    return &r->sim->eng.counts.row[r->sim->world.pop.n_groups];
}

static float ledger(const struct trial *r, int d, uint32_t i)
{
    return r->sim->world.st.ledger[d][i];
}

static double dom(const struct trial *r, uint32_t i, int d)
{
    return score_domain(r->sim->world.p, &r->sim->world.st, i, r->sim->world.pop.group[i], d);
}

static double reported(const struct trial *r, uint32_t i)
{
    return score_reported(r->sim->world.p, &r->sim->world.st, i, r->sim->world.pop.group[i]);
}

static int tier(const struct trial *r, double s)
{
    return score_tier(r->sim->world.p, s);
}

static int status(const struct trial *r, uint32_t i, unsigned bit)
{
    return (r->sim->world.st.status[i] & bit) != 0;
}

static int acted(const struct trial *r, uint32_t i, unsigned bit)
{
    return (r->sim->eng.acts[i] & bit) != 0;
}

/* Integer equality with the values in the message. */
#define EQ(got, want)                                                                              \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        if (g_ != w_) fail_msg("%s = %lld, expected %lld (%s)", #got, g_, w_, #want);              \
    } while (0)

/* Exact floating equality (the test repeats the code's float arithmetic). */
#define FEQ(got, want)                                                                             \
    do {                                                                                           \
        double g_ = (double)(got), w_ = (double)(want);                                            \
        if (!(g_ == w_)) fail_msg("%s = %.9g, expected %.9g (%s)", #got, g_, w_, #want);           \
    } while (0)

/* A list of values as YAML. */
static const char *yaml_list(const double *v, uint32_t n)
{
    static char buf[1 << 15];
    size_t k = 0;
    k += (size_t)snprintf(buf + k, sizeof buf - k, "[");
    for (uint32_t i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%.17g", i ? ", " : "", v[i]);
    snprintf(buf + k, sizeof buf - k, "]");
    return buf;
}

/* The first day in [from, from + period) on which agent i's obligation
 * falls due, found by stepping (the due days come from a hash). */
static int first_due_day(struct trial *r, uint32_t i)
{
    for (int k = 0; k < r->sim->world.p->behaviour.payment.period; k++) {
        run_day(r);
        if (acted(r, i, AC_PAY_DUE)) return r->sim->world.day;
    }
    fail_msg("agent %u never due", i);
    return -1;
}

/* --- part 1: exact tests ------------------------------------------------------ */

/* §3 criticise, §4 internet, §5 points -20 social and tiers: with rate 1
 * and attitude 1 (and no fear) every online adult criticises every day;
 * coverage 1 and detect 1 see each one; the social ledger and reported
 * score fall by 20 a day; tier A holds down to exactly 960. */
static void test_criticism_scored_daily(void **state)
{
    struct trial r;
    run_new(&r, 3);
    RUN_SETS(&r, "behaviour.criticise.rate=1", "population.attitude=1");
    run_start(&r);
    const int want_tier[4] = {TIER_A, TIER_A, TIER_A, TIER_B}; /* 980, 960, 940 */
    for (int day = 1; day <= 3; day++) {
        run_day(&r);
        EQ(tot(&r)->would_criticise, 3);
        EQ(tot(&r)->taken[ACT_CRITICISE], 3);
        EQ(tot(&r)->observed[ACT_CRITICISE], 3);
        EQ(tot(&r)->scored[EV_CRITICISM], 3);
        EQ(tot(&r)->false_scored[EV_CRITICISM], 0);
        for (uint32_t i = 0; i < 3; i++) {
            FEQ(ledger(&r, SUB_SOCIAL, i), -20.0f * (float)day);
            FEQ(dom(&r, i, SUB_SOCIAL), 1000 - 20 * day);
            FEQ(dom(&r, i, SUB_FINANCIAL), 1000); /* integration 0 */
            FEQ(reported(&r, i), 1000 - 20 * day);
            EQ(tier(&r, reported(&r, i)), want_tier[day]);
            assert_true(r.sim->world.st.history[i] & HI_GENUINE);
            assert_true(acted(&r, i, AC_CRITICISE | AC_WOULD_CRITICISE));
        }
    }
    run_free(&r);
}

/* §3: criticism needs social media access; an agent offline neither
 * criticises nor counts as one who would. */
static void test_criticism_needs_online(void **state)
{
    struct trial r;
    run_new(&r, 3);
    RUN_SETS(&r, "behaviour.criticise.rate=1", "population.attitude=1",
             "population.online_share=0");
    run_start(&r);
    run_days(&r, 2);
    EQ(tot(&r)->would_criticise, 0);
    EQ(tot(&r)->taken[ACT_CRITICISE], 0);
    run_free(&r);
}

/* §3 fear and preference falsification: with fear 1 every agent would
 * criticise (u < 0.02 x attitude, here rate 1 x 1) and none does. Fear 1
 * comes from proximity 1 (start score 600 = proximity_bottom), weight 2
 * and memory 1: fear = min(1, 2 x 1) = 1 on day 1. The same fear raises
 * the protest threshold: a threshold 0.5 with half the contacts
 * protesting is met without fear and not with fear 1 (needs 0.5 x 2). */
static void test_fear_silences(void **state)
{
    for (int with_fear = 0; with_fear <= 1; with_fear++) {
        struct trial r;
        run_new(&r, 3);
        RUN_SETS(&r, "behaviour.criticise.rate=1", "population.attitude=1",
                 "population.start_score=600", "behaviour.fear.memory=1",
                 "behaviour.fear.proximity_weight=2", "behaviour.fear.sanctioned_weight=0",
                 "population.threshold=[0, 0.5, 2]", "scoring.points.criticism=0",
                 "scoring.points.protest=0");
        run_set(&r, "behaviour.fear.enabled=%s", with_fear ? "true" : "false");
        run_start(&r);
        run_day(&r);
        for (uint32_t i = 0; i < 3; i++) FEQ(r.sim->world.st.fear[i], with_fear ? 1.0f : 0.0f);
        EQ(tot(&r)->would_criticise, 3);
        EQ(tot(&r)->taken[ACT_CRITICISE], with_fear ? 0 : 3);
        /* Day 1: agent 0 (threshold 0) protests; threshold 0 x (1 + fear) is 0. */
        assert_true(acted(&r, 0, AC_PROTEST));
        assert_false(acted(&r, 1, AC_PROTEST));
        run_day(&r);
        /* Day 2: agent 1 sees 1 of its 2 contacts protesting: share 0.5. */
        EQ(acted(&r, 1, AC_PROTEST), !with_fear);
        EQ(tot(&r)->would_criticise, 3);
        EQ(tot(&r)->taken[ACT_CRITICISE], with_fear ? 0 : 3);
        /* Start 600 is tier C (boundary) and not listed (below 600 lists). */
        EQ(tier(&r, dom(&r, 0, SUB_JUDICIAL)), TIER_C);
        EQ(status(&r, 0, ST_LISTED), 0);
        run_free(&r);
    }
}

/* §3: the two comparisons use one draw u: with fear f the agent criticises
 * iff u < rate x attitude x (1 - f). Fear 0.25 exactly: memory 0.5,
 * proximity (1000 - 800) / 400 = 0.5 with weight 1: 0.5 x 0 + 0.5 x 0.5. */
static void test_fear_paired_draw(void **state)
{
    const uint32_t n = 12;
    struct trial r;
    run_new(&r, n);
    RUN_SETS(&r, "behaviour.criticise.rate=1", "population.attitude=1",
             "population.start_score=800", "behaviour.fear.enabled=true",
             "behaviour.fear.memory=0.5", "behaviour.fear.proximity_weight=1",
             "behaviour.fear.sanctioned_weight=0", "scoring.points.criticism=0");
    run_start(&r);
    run_day(&r);
    static struct beh_block blk;
    beh_block_draws(r.sim->world.p, 0, n, 1, &blk);
    int does = 0;
    for (uint32_t i = 0; i < n; i++) {
        FEQ(r.sim->world.st.fear[i], 0.25f);
        /* Rate 1: every agent is a candidate; u decides. */
        int want = blk.u[BA_CRITICISE][i] < 0.75;
        assert_true(blk.cand[i] & BC_CRITICISE);
        EQ(acted(&r, i, AC_CRITICISE), want);
        assert_true(acted(&r, i, AC_WOULD_CRITICISE));
        does += want;
    }
    EQ(tot(&r)->taken[ACT_CRITICISE], does);
    EQ(tot(&r)->would_criticise, n);
    assert_true(does > 0 && does < (int)n); /* the seed gives a mix: the test has teeth */
    /* Day 2: 0.5 x 0.25 + 0.5 x 0.5 = 0.375 (no points, proximity unchanged). */
    run_day(&r);
    for (uint32_t i = 0; i < n; i++) FEQ(r.sim->world.st.fear[i], 0.375f);
    run_free(&r);
}

/* §3 fear, exact: fear <- (1 - 0.05) fear + 0.05 min(1, 2 share + 0.5
 * proximity), share = listed or interned contacts / contacts, proximity
 * from the lowest domain score (0 at 1000, 1 at 600). Agent 0 of 5 (a
 * complete graph) misses a payment every day: its financial score falls
 * 10 a day, it is judged and listed on day 3; from day 4 its 4 contacts
 * see a share of 1/4 listed. Association points are off to keep the
 * contacts' proximity at 0. */
static void test_fear_formula(void **state)
{
    struct trial r;
    run_new(&r, 5);
    RUN_SETS(&r, "behaviour.fear.enabled=true", "population.reliability=[0, 1, 1, 1, 1]",
             "behaviour.payment.period=1", "sanctions.association.enabled=false");
    run_start(&r);
    const float *fear = r.sim->world.st.fear;
    run_day(&r); /* scores were all 1000 before day 1 */
    for (uint32_t i = 0; i < 5; i++) FEQ(fear[i], 0.0f);
    run_day(&r); /* agent 0: financial 990 before day 2: proximity 10/400 */
    float f0 = (float)((1 - 0.05) * 0.0 + 0.05 * (0.5 * (10.0 / 400.0)));
    FEQ(fear[0], f0);
    FEQ(fear[1], 0.0f);
    run_day(&r); /* 980: proximity 20/400; listed at the end of day 3 */
    f0 = (float)((1 - 0.05) * f0 + 0.05 * (0.5 * (20.0 / 400.0)));
    FEQ(fear[0], f0);
    assert_true(status(&r, 0, ST_LISTED));
    run_day(&r); /* agent 0: judicial 550 <= 600: proximity 1; others: share 1/4 */
    f0 = (float)((1 - 0.05) * f0 + 0.05 * (0.5 * 1.0));
    FEQ(fear[0], f0);
    float f1 = (float)((1 - 0.05) * 0.0 + 0.05 * (2.0 * 0.25));
    for (uint32_t i = 1; i < 5; i++) FEQ(fear[i], f1);
    run_day(&r);
    f0 = (float)((1 - 0.05) * f0 + 0.05 * 0.5);
    f1 = (float)((1 - 0.05) * f1 + 0.05 * 0.5);
    FEQ(fear[0], f0);
    for (uint32_t i = 1; i < 5; i++) FEQ(fear[i], f1);
    run_free(&r);
}

/* §3 fear: the signal is capped at 1 (min(1, ...)): everyone listed gives
 * share 1, 2 x 1 = 2, so with memory 1 fear is exactly 1, never above. */
static void test_fear_signal_capped(void **state)
{
    struct trial r;
    run_new(&r, 4);
    RUN_SETS(&r, "behaviour.fear.enabled=true", "behaviour.fear.memory=1", "list.enter_below=1001",
             "list.exit_above=1100");
    run_start(&r);
    run_day(&r); /* listed at the end of day 1 */
    FEQ(r.sim->world.st.fear[0], 0.0f);
    run_day(&r);
    for (uint32_t i = 0; i < 4; i++) FEQ(r.sim->world.st.fear[i], 1.0f);
    run_free(&r);
}

/* §6 social media ban: a listed agent posts nothing, so it criticises no
 * more, but its would-criticise draw still counts (the silence of §7
 * includes bans). The ban is counted with the listing. Off: the listed
 * agent goes on criticising. Listing here: enter_below 1001 lists
 * everyone at the end of day 1. */
static void test_social_media_ban(void **state)
{
    for (int ban = 0; ban <= 1; ban++) {
        struct trial r;
        run_new(&r, 3);
        RUN_SETS(&r, "behaviour.criticise.rate=1", "population.attitude=1", "list.enter_below=1001",
                 "list.exit_above=1100", "sanctions.association.enabled=false");
        run_set(&r, "sanctions.social_media_ban.enabled=%s", ban ? "true" : "false");
        run_start(&r);
        run_day(&r);
        EQ(tot(&r)->taken[ACT_CRITICISE], 3); /* listed after acting */
        EQ(tot(&r)->sanctions[SA_LISTING], 3);
        EQ(tot(&r)->sanctions[SA_SOCIAL_MEDIA], ban ? 3 : 0);
        EQ(tot(&r)->wrongful[SA_LISTING], 0); /* each was scored for its criticism */
        EQ(tot(&r)->cross_context[SA_LISTING], 0);
        for (int day = 2; day <= 3; day++) {
            run_day(&r);
            EQ(tot(&r)->would_criticise, 3);
            EQ(tot(&r)->taken[ACT_CRITICISE], ban ? 0 : 3);
            EQ(tot(&r)->sanctions[SA_LISTING], 0);
            EQ(tot(&r)->sanctions[SA_SOCIAL_MEDIA], 0);
            FEQ(ledger(&r, SUB_SOCIAL, 0), ban ? -20.0f : -20.0f * (float)day);
        }
        run_free(&r);
    }
}

/* §3 protest: joins when the share of contacts protesting yesterday >=
 * threshold; §4 cameras; §5 -50 per protest day. Thresholds 0, 0.3, 0.6,
 * 0.9 on a complete graph of 4 (3 contacts each): one more joins each day
 * (shares 0, 1/3, 2/3, 1), and with leave 0 nobody leaves. */
static void test_protest_threshold_chain(void **state)
{
    struct trial r;
    run_new(&r, 4);
    run_set(&r, "population.threshold=[0, 0.3, 0.6, 0.9]");
    run_start(&r);
    for (int day = 1; day <= 6; day++) {
        run_day(&r);
        int want = day < 4 ? day : 4;
        EQ(tot(&r)->taken[ACT_PROTEST], want);
        EQ(tot(&r)->observed[ACT_PROTEST], want);
        EQ(tot(&r)->scored[EV_PROTEST], want);
        for (uint32_t i = 0; i < 4; i++) {
            EQ(acted(&r, i, AC_PROTEST), (int)i < want);
            EQ(status(&r, i, ST_PROTEST), (int)i < want);
            int days_protested = day - (int)i > 0 ? day - (int)i : 0;
            FEQ(ledger(&r, SUB_SOCIAL, i), -50.0f * (float)days_protested);
        }
    }
    run_free(&r);
}

/* §3 protest leave: a protester leaves each day with p = leave; at 1 it
 * leaves the day after joining, and (threshold 0) rejoins the day after
 * that. At 0 it never leaves. */
static void test_protest_leave(void **state)
{
    for (int leave = 0; leave <= 1; leave++) {
        struct trial r;
        run_new(&r, 2);
        run_set(&r, "population.threshold=[0, 2]");
        run_set(&r, "behaviour.protest.leave=%d", leave);
        run_start(&r);
        for (int day = 1; day <= 6; day++) {
            run_day(&r);
            EQ(acted(&r, 0, AC_PROTEST), leave ? day % 2 : 1);
            EQ(acted(&r, 1, AC_PROTEST), 0);
        }
        run_free(&r);
    }
}

/* §3 protest, the seed's reading (docs/model.md, "Who starts a protest"):
 * with protest.spontaneous off, a threshold of 0 does not make an agent
 * protest alone; it joins as soon as one contact protests. Agent 2 is
 * triggered on day 2; agents 0 and 1 (threshold 0) follow on day 3. */
static void test_protest_not_spontaneous(void **state)
{
    struct trial r;
    run_new(&r, 3);
    RUN_SETS(&r, "behaviour.protest.spontaneous=false", "population.threshold=[0, 0, 2]",
             "behaviour.protest.trigger.days=[2]", "behaviour.protest.trigger.ids=[2]");
    run_start(&r);
    run_day(&r);
    EQ(tot(&r)->taken[ACT_PROTEST], 0);
    run_day(&r);
    EQ(tot(&r)->taken[ACT_PROTEST], 1);
    assert_true(acted(&r, 2, AC_PROTEST));
    run_day(&r);
    EQ(tot(&r)->taken[ACT_PROTEST], 3);
    run_free(&r);
}

/* §3 / §9 exogenous triggers by id: exactly those agents protest on the
 * trigger day, whatever their attitude; with leave 0 they stay. */
static void test_trigger_ids(void **state)
{
    struct trial r;
    run_new(&r, 5);
    RUN_SETS(&r, "behaviour.protest.trigger.days=[2]", "behaviour.protest.trigger.ids=[1, 3]",
             "population.attitude=0");
    run_start(&r);
    run_day(&r);
    EQ(tot(&r)->taken[ACT_PROTEST], 0);
    for (int day = 2; day <= 3; day++) {
        run_day(&r);
        EQ(tot(&r)->taken[ACT_PROTEST], 2);
        for (uint32_t i = 0; i < 5; i++) EQ(acted(&r, i, AC_PROTEST), i == 1 || i == 3);
    }
    run_free(&r);
}

/* §3 / §9 triggers: share 1 sets every eligible agent (attitude above
 * min_attitude: 4 of 6 here) protesting, share 0.5 exactly half of them
 * (share x eligible, rounded at random, is a whole 2), and count k exactly
 * k of them; the drawn ones are eligible. */
static void test_trigger_share_and_count(void **state)
{
    const double att[6] = {0.9, 0.1, 0.9, 0.8, 0.5, 0.95};
    for (int variant = 0; variant < 3; variant++) {
        struct trial r;
        run_new(&r, 6);
        run_set(&r, "population.attitude=%s", yaml_list(att, 6));
        RUN_SETS(&r, "behaviour.protest.trigger.days=[1]",
                 "behaviour.protest.trigger.min_attitude=0.5");
        run_set(&r, "behaviour.protest.trigger.%s",
                variant == 0   ? "share=1"
                : variant == 1 ? "count=2"
                               : "share=0.5");
        run_start(&r);
        run_day(&r);
        EQ(tot(&r)->taken[ACT_PROTEST], variant == 0 ? 4 : 2);
        for (uint32_t i = 0; i < 6; i++) {
            int eligible = att[i] > 0.5;
            if (variant)
                assert_true(!acted(&r, i, AC_PROTEST) || eligible);
            else
                EQ(acted(&r, i, AC_PROTEST), eligible);
        }
        run_free(&r);
    }
}

/* §3 payments: each agent's obligation falls due every period days
 * (exactly once in each period, at a phase of its own), and is paid with
 * p = reliability: at 1 never missed, at 0 always. */
static void test_payment_schedule(void **state)
{
    const uint32_t n = 40;
    struct trial r;
    run_new(&r, n);
    run_set(
        &r, "population.reliability=%s",
        yaml_list((const double[40]){0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
                                     0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1},
                  n));
    RUN_SETS(&r, "behaviour.payment.period=7", "sanctions.association.enabled=false");
    run_start(&r);
    int due_day[40] = {0};
    for (int day = 1; day <= 21; day++) {
        run_day(&r);
        int64_t due = 0, miss = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (!acted(&r, i, AC_PAY_DUE)) {
                assert_false(acted(&r, i, AC_MISS));
                continue;
            }
            due++;
            EQ(acted(&r, i, AC_MISS), i % 2 == 0);
            miss += i % 2 == 0;
            if (due_day[i]) EQ(day - due_day[i], 7); /* every 7 days exactly */
            due_day[i] = day;
        }
        EQ(tot(&r)->taken[ACT_PAY], due);
        EQ(tot(&r)->taken[ACT_MISS], miss);
        EQ(tot(&r)->observed[ACT_MISS], miss);
        EQ(tot(&r)->scored[EV_MISSED_PAYMENT], miss);
    }
    for (uint32_t i = 0; i < n; i++) assert_true(due_day[i] > 14); /* due in the last week too */
    run_free(&r);
}

/* §5 court judgment: court.missed_payments (3) observed misses within
 * court.window days. With one obligation every 30 days, misses on days d,
 * d + 30, d + 60 span 61 days: a window of 61 gives a judgment on day
 * d + 60 (-450 judicial, score 550 < 600: listed the same day, not
 * wrongful, not cross-context); a window of 60 never does. */
static void test_court_window(void **state)
{
    for (int window = 60; window <= 61; window++) {
        struct trial r;
        run_new(&r, 2);
        RUN_SETS(&r, "population.reliability=[0, 1]", "sanctions.association.enabled=false");
        run_set(&r, "scoring.court.window=%d", window);
        run_start(&r);
        const int d = first_due_day(&r, 0);
        FEQ(ledger(&r, SUB_FINANCIAL, 0), -10.0f);
        int judged_on = 0;
        while (r.sim->world.day < d + 125) {
            run_day(&r);
            if (tot(&r)->scored[EV_COURT_JUDGMENT]) {
                EQ(judged_on, 0);
                judged_on = r.sim->world.day;
                EQ(tot(&r)->false_scored[EV_COURT_JUDGMENT], 0);
                FEQ(ledger(&r, SUB_JUDICIAL, 0), -450.0f);
                FEQ(dom(&r, 0, SUB_JUDICIAL), 550.0);
                EQ(tier(&r, dom(&r, 0, SUB_JUDICIAL)), TIER_D);
                assert_true(status(&r, 0, ST_LISTED | ST_NEW_LISTED));
                EQ(r.sim->world.st.listed_day[0], judged_on);
                EQ(tot(&r)->sanctions[SA_LISTING], 1);
                EQ(tot(&r)->wrongful[SA_LISTING], 0);
                EQ(tot(&r)->cross_context[SA_LISTING], 0);
                EQ(status(&r, 0, ST_XCTX_LIST), 0);
            }
        }
        EQ(judged_on, window == 61 ? d + 60 : 0);
        if (window == 60) {
            FEQ(ledger(&r, SUB_JUDICIAL, 0), 0.0f);
            EQ(status(&r, 0, ST_LISTED), 0);
        }
        FEQ(ledger(&r, SUB_FINANCIAL, 0), -50.0f); /* misses on d, +30, +60, +90, +120 */
        EQ(status(&r, 1, ST_LISTED), 0);
        run_free(&r);
    }
}

/* §5 court judgment with court.missed_payments = 1: no miss ever waits
 * (the state keeps none per agent), and every observed miss is a judgment
 * on its own day: on d, d + 30 and d + 60. */
static void test_court_single_miss(void **state)
{
    struct trial r;
    run_new(&r, 2);
    RUN_SETS(&r, "population.reliability=[0, 1]", "sanctions.association.enabled=false",
             "scoring.court.missed_payments=1");
    run_start(&r);
    EQ(r.sim->world.st.n_misses, 0);
    const int d = first_due_day(&r, 0);
    int64_t judgments = tot(&r)->scored[EV_COURT_JUDGMENT];
    EQ(judgments, 1);
    while (r.sim->world.day < d + 60) {
        run_day(&r);
        EQ(tot(&r)->scored[EV_COURT_JUDGMENT], tot(&r)->scored[EV_MISSED_PAYMENT]);
        EQ(tot(&r)->false_scored[EV_COURT_JUDGMENT], 0);
        judgments += tot(&r)->scored[EV_COURT_JUDGMENT];
    }
    EQ(judgments, 3);
    run_free(&r);
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
        struct trial r;
        run_new(&r, 2);
        RUN_SETS(&r, "population.reliability=[0, 1]", "population.attitude=[1, 0]",
                 "behaviour.payment.period=1", "behaviour.criticise.rate=1",
                 "behaviour.travel.rate=1", "scoring.points.court_judgment=-350",
                 "sanctions.association.enabled=false");
        run_set(&r, "scoring.integration=%g", integration[k]);
        run_start(&r);
        run_days(&r, 2);
        EQ(tot(&r)->sanctions[SA_LISTING], 0);
        FEQ(dom(&r, 0, SUB_JUDICIAL), 1000 - integration[k] * 60);
        run_day(&r);
        EQ(tot(&r)->scored[EV_COURT_JUDGMENT], 1);
        FEQ(dom(&r, 0, SUB_JUDICIAL), 650 - integration[k] * 90);
        FEQ(score_own(r.sim->world.p, &r.sim->world.st, 0, SUB_JUDICIAL), 650);
        const int listed = k == 2;
        EQ(status(&r, 0, ST_LISTED), listed);
        EQ(status(&r, 0, ST_XCTX_LIST), listed);
        EQ(tot(&r)->sanctions[SA_LISTING], listed);
        EQ(tot(&r)->cross_context[SA_LISTING], listed);
        EQ(tot(&r)->cross_context[SA_SOCIAL_MEDIA], listed);
        EQ(tot(&r)->sanctions[SA_TRAVEL], listed); /* agent 0 books a flight every day */
        EQ(tot(&r)->cross_context[SA_TRAVEL], listed);
        EQ(tot(&r)->wrongful[SA_TRAVEL], 0);
        EQ(tot(&r)->taken[ACT_TRAVEL], 2);
        run_free(&r);
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
        struct trial r;
        run_new(&r, 2);
        RUN_SETS(&r, "population.reliability=[0, 1]", "scoring.points.court_judgment=-600",
                 "scoring.recovery=0.5", "sanctions.association.enabled=false",
                 "scoring.court.window=90");
        run_set(&r, "list.min_days=%d", min_days[k]);
        run_start(&r);
        const int d = first_due_day(&r, 0);
        while (r.sim->world.day < d + 60) run_day(&r);
        EQ(tot(&r)->sanctions[SA_LISTING], 1);
        FEQ(dom(&r, 0, SUB_JUDICIAL), 400);
        const int listed_on = r.sim->world.day, exit_on = listed_on + (k ? 5 : 3);
        const double want[6] = {400, 700, 850, 925, 962.5, 981.25};
        for (int t = 1; t <= 5; t++) {
            run_day(&r);
            FEQ(dom(&r, 0, SUB_JUDICIAL), want[t]);
            EQ(tot(&r)->list_exits, r.sim->world.day == exit_on);
            EQ(status(&r, 0, ST_LISTED), r.sim->world.day < exit_on);
        }
        run_free(&r);
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
        struct trial r;
        run_new(&r, 2);
        RUN_SETS(&r, "behaviour.protest.trigger.days=[1]", "behaviour.protest.trigger.ids=[0]",
                 "behaviour.protest.leave=1");
        run_set(&r, "scoring.recovery=%g", recovery[k]);
        run_start(&r);
        const float keep = (float)(1.0 - recovery[k]);
        float want = 0;
        for (int day = 1; day <= 60; day++) {
            run_day(&r);
            want *= keep;
            want += (float)(day == 1 ? -50.0 : 0.0);
            FEQ(ledger(&r, SUB_SOCIAL, 0), want);
            FEQ(reported(&r, 0), 1000.0 + (double)want);
            if (k == 0 && day <= 4) EQ(tier(&r, reported(&r, 0)), day < 4 ? TIER_B : TIER_A);
        }
        EQ(tot(&r)->taken[ACT_PROTEST], 0);
        run_free(&r);
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
        struct trial r;
        run_new(&r, 2);
        RUN_SETS(&r, "behaviour.conform.rate=1", "population.attitude=0", "behaviour.travel.rate=1",
                 "behaviour.loan.rate=1");
        run_set(&r, "sanctions.rewards.enabled=%s", rewards ? "true" : "false");
        run_start(&r);
        for (int day = 1; day <= 25; day++) {
            run_day(&r);
            double s = 1000 + 5 * day > 1100 ? 1100 : 1000 + 5 * day;
            EQ(tot(&r)->taken[ACT_CONFORM], 2);
            EQ(tot(&r)->observed[ACT_CONFORM], 2);
            EQ(tot(&r)->scored[EV_CONFORMITY], 2);
            FEQ(ledger(&r, SUB_SOCIAL, 1), 5.0f * (float)day);
            FEQ(reported(&r, 1), s);
            FEQ(dom(&r, 1, SUB_SOCIAL), s);
            EQ(tier(&r, s), day < 6 ? TIER_A : day < 10 ? TIER_AA : TIER_AAA);
            EQ(tot(&r)->rewards, rewards && day >= 6 ? 4 : 0);
            EQ(r.sim->world.st.history[1] & HI_GENUINE, 0);
        }
        run_free(&r);
    }
}

/* §6 rewards by score: at or above rewards.from (start 1030), each flight
 * and each loan is rewarded; 1029 gets nothing. */
static void test_rewards_boundary(void **state)
{
    for (int start = 1029; start <= 1030; start++) {
        struct trial r;
        run_new(&r, 3);
        RUN_SETS(&r, "behaviour.travel.rate=1", "behaviour.loan.rate=1");
        run_set(&r, "population.start_score=%d", start);
        run_start(&r);
        run_days(&r, 2);
        EQ(tot(&r)->rewards, start == 1030 ? 6 : 0);
        EQ(tot(&r)->sanctions[SA_LOAN], 0);
        run_free(&r);
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
        struct trial r;
        run_new(&r, 3);
        RUN_SETS(&r, "population.reliability=[0, 1, 1]", "behaviour.payment.period=1");
        if (variant == 1) run_set(&r, "sanctions.association.enabled=false");
        if (variant == 2) run_set(&r, "network.layers.c.contact=0");
        run_start(&r);
        run_days(&r, 3);
        assert_true(status(&r, 0, ST_LISTED));
        EQ(tot(&r)->scored[EV_ASSOCIATION], 0);
        const int on = variant == 0;
        for (int t = 1; t <= 3; t++) {
            run_day(&r);
            EQ(tot(&r)->observed[ACT_MEET], on ? 2 : 0);
            EQ(tot(&r)->scored[EV_ASSOCIATION], on ? 2 : 0);
            EQ(tot(&r)->false_scored[EV_ASSOCIATION], 0);
            for (uint32_t i = 1; i < 3; i++) {
                FEQ(ledger(&r, SUB_SOCIAL, i), on ? -5.0f * (float)t : 0.0f);
                EQ(r.sim->world.st.history[i] & HI_GENUINE, 0);
            }
            FEQ(ledger(&r, SUB_SOCIAL, 0), 0.0f);
            /* Contacts counted at both ends: 3 ties, or none at contact 0. */
            EQ(tot(&r)->taken[ACT_MEET], variant == 2 ? 0 : 6);
        }
        run_free(&r);
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
    struct trial r;
    run_new(&r, 3);
    RUN_SETS(&r, "population.reliability=[0, 1, 1]", "behaviour.payment.period=1",
             "scoring.integration=1", "scoring.points.association=-200", "behaviour.loan.rate=1");
    run_start(&r);
    run_days(&r, 2);
    EQ(tot(&r)->sanctions[SA_LOAN], 0);
    run_day(&r); /* day 3: agent 0 judged (financial domain 1000 - 30 - 450 = 520) */
    EQ(tot(&r)->sanctions[SA_LISTING], 1);
    EQ(tot(&r)->sanctions[SA_LOAN], 1);
    EQ(tot(&r)->wrongful[SA_LOAN], 0);
    EQ(tot(&r)->cross_context[SA_LOAN], 1);
    run_day(&r); /* day 4: 1 and 2 met agent 0: -200 each */
    FEQ(dom(&r, 1, SUB_FINANCIAL), 800);
    EQ(tot(&r)->sanctions[SA_LOAN], 3);
    EQ(tot(&r)->wrongful[SA_LOAN], 2);
    EQ(tot(&r)->cross_context[SA_LOAN], 3);
    run_day(&r); /* day 5: judicial 600: not below */
    EQ(tot(&r)->sanctions[SA_LISTING], 0);
    run_day(&r); /* day 6: 400 */
    EQ(tot(&r)->sanctions[SA_LISTING], 2);
    EQ(tot(&r)->wrongful[SA_LISTING], 2);
    EQ(tot(&r)->cross_context[SA_LISTING], 2);
    EQ(tot(&r)->sanctions[SA_SOCIAL_MEDIA], 2);
    EQ(tot(&r)->wrongful[SA_SOCIAL_MEDIA], 2);
    run_free(&r);
}

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
            struct trial r;
            run_new(&r, 3);
            run_set(&r, "surveillance.%s.false_attribution=1", name[ch]);
            run_set(&r, "surveillance.%s.coverage=%d", name[ch], covered);
            run_set(&r, "behaviour.travel.rate=1");
            run_start(&r);
            for (int day = 1; day <= 3; day++) {
                run_day(&r);
                for (int e = 0; e < N_EVENTS; e++) {
                    int64_t want = e == ev[ch] && covered ? 3 : 0;
                    if (e == EV_COURT_JUDGMENT && ch == 0 && covered && day == 3) want = 3;
                    EQ(tot(&r)->false_scored[e], want);
                    EQ(tot(&r)->scored[e], want);
                }
                for (int a = 0; a < N_ACTIONS; a++) {
                    EQ(tot(&r)->observed[a], 0);
                    if (a != ACT_TRAVEL && a != ACT_MEET && a != ACT_PAY) EQ(tot(&r)->taken[a], 0);
                }
                for (uint32_t i = 0; i < 3; i++) {
                    FEQ(ledger(&r, sub[ch], i), covered ? pts[ch] * (float)day : 0.0f);
                    EQ(r.sim->world.st.history[i] & HI_GENUINE, 0);
                }
            }
            const int listed = ch == 0 && covered;
            EQ(tot(&r)->sanctions[SA_LISTING], listed ? 3 : 0);
            EQ(tot(&r)->wrongful[SA_LISTING], listed ? 3 : 0);
            EQ(tot(&r)->sanctions[SA_TRAVEL], listed ? 3 : 0);
            EQ(tot(&r)->wrongful[SA_TRAVEL], listed ? 3 : 0);
            run_free(&r);
        }
    }
}

/* §4 false attribution, all four channels at once: one false event per
 * channel per watched agent per day. */
static void test_false_attribution_all_channels(void **state)
{
    struct trial r;
    run_new(&r, 4);
    RUN_SETS(&r, "surveillance.payment.false_attribution=1",
             "surveillance.internet.false_attribution=1",
             "surveillance.cameras.false_attribution=1", "surveillance.phone.false_attribution=1");
    run_start(&r);
    run_day(&r);
    EQ(tot(&r)->false_scored[EV_MISSED_PAYMENT], 4);
    EQ(tot(&r)->false_scored[EV_CRITICISM], 4);
    EQ(tot(&r)->false_scored[EV_PROTEST], 4);
    EQ(tot(&r)->false_scored[EV_ASSOCIATION], 4);
    FEQ(ledger(&r, SUB_SOCIAL, 2), -75.0f);
    FEQ(ledger(&r, SUB_FINANCIAL, 2), -10.0f);
    run_free(&r);
}

/* §7: events counted as falsely scored were scored. With association off a
 * false phone record costs nothing, so it must not be counted as a false
 * score either (false_scored <= scored for every event). */
static void test_false_association_not_scored_when_off(void **state)
{
    struct trial r;
    run_new(&r, 3);
    RUN_SETS(&r, "surveillance.phone.false_attribution=1", "sanctions.association.enabled=false");
    run_start(&r);
    run_day(&r);
    EQ(tot(&r)->scored[EV_ASSOCIATION], 0);
    EQ(tot(&r)->false_scored[EV_ASSOCIATION], 0);
    FEQ(ledger(&r, SUB_SOCIAL, 0), 0.0f);
    run_free(&r);
}

/* §6 travel ban: a listed agent's flight bookings are refused and counted
 * (here everyone is listed at the end of day 1 by enter_below 1001, and
 * books a flight every day; refused the same day: the list is checked at
 * booking). Off: flights go ahead, nothing counted. */
static void test_travel_ban(void **state)
{
    for (int ban = 0; ban <= 1; ban++) {
        struct trial r;
        run_new(&r, 4);
        RUN_SETS(&r, "behaviour.travel.rate=1", "list.enter_below=1001", "list.exit_above=1100");
        run_set(&r, "sanctions.travel_ban.enabled=%s", ban ? "true" : "false");
        run_start(&r);
        for (int day = 1; day <= 3; day++) {
            run_day(&r);
            EQ(tot(&r)->taken[ACT_TRAVEL], 4);
            EQ(tot(&r)->sanctions[SA_TRAVEL], ban ? 4 : 0);
            EQ(tot(&r)->wrongful[SA_TRAVEL], ban ? 4 : 0); /* never scored for anything */
            EQ(tot(&r)->rewards, 0);
        }
        run_free(&r);
    }
}

/* §6 school ban: on school.day each child applies; a child whose household
 * has a listed adult is refused (not wrongful: the parent really missed
 * payments; not cross-context). Other children are admitted. Off: nobody
 * is refused. The day recurs every 365 days. */
static void test_school_ban(void **state)
{
    const uint32_t n = 12;
    struct trial probe;
    run_new(&probe, n);
    RUN_SETS(&probe, "population.household_size=2", "population.child_share=0.5");
    run_start(&probe);
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
    run_free(&probe);

    for (int ban = 0; ban <= 1; ban++) {
        struct trial r;
        run_new(&r, n);
        RUN_SETS(&r, "population.household_size=2", "population.child_share=0.5",
                 "behaviour.payment.period=1", "behaviour.school.day=5",
                 "sanctions.association.enabled=false");
        run_set(&r, "population.reliability=%s", yaml_list(rel, n));
        run_set(&r, "sanctions.school_ban.enabled=%s", ban ? "true" : "false");
        run_start(&r);
        for (int day = 1; day <= 370; day++) {
            run_day(&r);
            const int school = day == 5 || day == 370;
            EQ(tot(&r)->taken[ACT_SCHOOL], school ? kids : 0);
            EQ(tot(&r)->sanctions[SA_SCHOOL], school && ban ? kids_listed : 0);
            EQ(tot(&r)->wrongful[SA_SCHOOL], 0);
            EQ(tot(&r)->cross_context[SA_SCHOOL], 0);
            if (day == 3) EQ(tot(&r)->sanctions[SA_LISTING], adults_listed);
        }
        run_free(&r);
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
        struct trial r;
        run_new(&r, n);
        RUN_SETS(&r, "behaviour.job_change.rate=1", "behaviour.loan.rate=1");
        run_set(&r, "population.start_score=%d", variant == 1 ? 850 : 849);
        if (variant == 2)
            RUN_SETS(&r, "sanctions.job_restriction.enabled=false",
                     "sanctions.loan_denial.enabled=false");
        run_start(&r);
        const int on = variant == 0;
        int64_t jobs = 0;
        for (int day = 1; day <= days; day++) {
            run_day(&r);
            jobs += tot(&r)->taken[ACT_JOB];
            EQ(tot(&r)->sanctions[SA_JOB], on ? tot(&r)->taken[ACT_JOB] : 0);
            EQ(tot(&r)->wrongful[SA_JOB], on ? tot(&r)->taken[ACT_JOB] : 0);
            EQ(tot(&r)->cross_context[SA_JOB], 0);
            EQ(tot(&r)->taken[ACT_LOAN], n);
            EQ(tot(&r)->sanctions[SA_LOAN], on ? n : 0);
            EQ(tot(&r)->cross_context[SA_LOAN], 0);
        }
        assert_true(jobs > 0); /* rate 1 a year: about 10 in a year of 10 agents */
        run_free(&r);
    }
}

/* The first household of at least two members in an n-agent population
 * built with the given override: its agents are [*lo, *hi). */
static void first_shared_household(uint32_t n, const char *set, uint32_t *lo, uint32_t *hi)
{
    struct trial probe;
    run_new(&probe, n);
    RUN_SETS(&probe, set);
    run_start(&probe);
    const struct population *pop = &probe.sim->world.pop;
    uint32_t h = 0;
    while (h < pop->n_households && pop->hh_start[h + 1] - pop->hh_start[h] < 2) h++;
    assert_true(h < pop->n_households);
    *lo = pop->hh_start[h];
    *hi = pop->hh_start[h + 1];
    run_free(&probe);
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
        struct trial r;
        run_new(&r, n);
        RUN_SETS(&r, "population.household_size=3",
                 "network.layers={h: {generator: household}, c: {generator: complete}}",
                 "behaviour.criticise.rate=1", "scoring.points.criticism=-700",
                 "scoring.recovery=0.5", "sanctions.internment.days=3");
        run_set(&r, "population.attitude=%s", yaml_list(att, n));
        run_set(&r, "sanctions.internment.groups=%s", variant == 2 ? "[]" : "[a]");
        if (variant == 1) run_set(&r, "sanctions.internment.enabled=false");
        run_start(&r);
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
            run_day(&r);
            const int acts = !on || day == 1 || day == 5;
            EQ(status(&r, x, ST_INTERNED), on ? day != 4 : 0);
            EQ(acted(&r, x, AC_CRITICISE), acts);
            EQ(tot(&r)->taken[ACT_CRITICISE], acts);
            EQ(tot(&r)->sanctions[SA_INTERNMENT], on && (day == 1 || day == 5));
            EQ(tot(&r)->wrongful[SA_INTERNMENT], 0);
            EQ(tot(&r)->releases, on && day == 4);
            EQ(tot(&r)->scored[EV_ASSOCIATION], on && (day == 1 || day == 5) ? others : 0);
            /* Meetings follow the state at the start of the day. */
            const int interned_before = on && day >= 2 && day <= 4;
            EQ(tot(&r)->taken[ACT_MEET], interned_before ? without_x : all_ends);
            if (on && day <= 3) EQ(r.sim->world.st.interned_until[x], 3);
        }
        /* The household members' penalty: -5 on day 1, halved 4 times,
         * then -5 again on day 5; nobody else pays. */
        for (uint32_t i = 0; i < n; i++) {
            float want = 0;
            if (on && i != x && i >= hh_lo && i < hh_hi)
                want = -5.0f * 0.5f * 0.5f * 0.5f * 0.5f - 5.0f;
            if (i != x) FEQ(ledger(&r, SUB_SOCIAL, i), want);
        }
        run_free(&r);
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
        struct trial r;
        run_new(&r, n);
        RUN_SETS(&r, "population.household_size=2", "behaviour.payment.period=1",
                 "network.layers={h: {generator: household}, c: {generator: complete}}");
        run_set(&r, "population.reliability=%s", yaml_list(rel, n));
        run_set(&r, "sanctions.ostracism.enabled=%s", variant == 2 ? "false" : "true");
        run_set(&r, "sanctions.ostracism.base=%d", variant == 0 ? 1 : 0);
        run_set(&r, "sanctions.ostracism.fear_weight=%d", variant == 3 ? 1 : 0);
        if (variant == 3)
            RUN_SETS(&r, "population.start_score=600", "behaviour.fear.enabled=true",
                     "behaviour.fear.memory=1", "behaviour.fear.proximity_weight=2",
                     "sanctions.association.enabled=false");
        run_start(&r);
        const struct layer *hh = &r.sim->world.net.layer[0], *c = &r.sim->world.net.layer[1];
        assert_int_equal(hh->generator, GEN_HOUSEHOLD);
        const int64_t ends = (int64_t)hh->n_entries + (int64_t)c->n_entries;
        run_days(&r, 3);
        assert_true(status(&r, x, ST_NEW_LISTED));
        if (variant == 3)
            for (uint32_t i = 0; i < n; i++) FEQ(r.sim->world.st.fear[i], 1.0f);
        const int cut = variant == 0 || variant == 3;
        int64_t cut_ends = 0;
        for (uint32_t i = 0; i < n; i++)
            for (net_off_t e = c->off[i]; e < c->off[i + 1]; e++) {
                int is_cut = c->adj[e] == NET_CUT;
                cut_ends += is_cut;
                if (i == x) EQ(is_cut, cut);
            }
        EQ(cut_ends, cut ? 2 * (n - 1) : 0);
        for (net_off_t e = 0; e < hh->n_entries; e++) assert_true(hh->adj[e] != NET_CUT);
        /* Day 3's meetings were counted before its cuts; day 4's after. */
        EQ(tot(&r)->taken[ACT_MEET], ends);
        if (variant == 3) { /* association is off here */
            run_free(&r);
            continue;
        }
        run_day(&r); /* day 4: who meets x, and pays for it */
        EQ(tot(&r)->taken[ACT_MEET], ends - cut_ends);
        /* Household members meet x in both layers unless the other tie is cut. */
        const int64_t members = hh_hi - hh_lo - 1, strangers = n - 1 - members;
        EQ(tot(&r)->scored[EV_ASSOCIATION], cut ? members : 2 * members + strangers);
        for (uint32_t i = 0; i < n; i++)
            if (i != x) {
                int household = i >= hh_lo && i < hh_hi;
                float want = household ? (cut ? -5.0f : -10.0f) : (cut ? 0.0f : -5.0f);
                FEQ(ledger(&r, SUB_SOCIAL, i), want);
            }
        run_free(&r);
    }
}

/* §3 attitude: +per_sanction for each sanction suffered, +per_reward for
 * each reward, +messaging each day, clipped to [0, 1]. Everyone is listed
 * on day 1 (listing and social media ban) and refused a flight every day;
 * the float arithmetic follows the code (per sanction a float add, then
 * the day's messaging and clip in double, stored as float). Then rewards:
 * start 1030, a flight and a loan a day: -0.01 twice a day, down to 0. */
static void test_attitude(void **state)
{
    struct trial r;
    run_new(&r, 2);
    RUN_SETS(&r, "behaviour.travel.rate=1", "list.enter_below=1001", "list.exit_above=1100",
             "behaviour.attitude.per_sanction=0.05", "behaviour.attitude.messaging=-0.0002");
    run_start(&r);
    float want = 0.5f;
    int clipped = 0;
    for (int day = 1; day <= 12; day++) {
        run_day(&r);
        int sanctions = day == 1 ? 3 : 1;
        for (int k = 0; k < sanctions; k++) want += (float)0.05;
        double a = (double)want + -0.0002;
        want = (float)(a > 1 ? 1 : a);
        clipped |= a > 1;
        FEQ(r.sim->world.st.attitude[0], want);
    }
    assert_true(clipped);
    FEQ(r.sim->world.st.attitude[1], 1.0f);
    run_free(&r);

    run_new(&r, 2);
    RUN_SETS(&r, "behaviour.travel.rate=1", "behaviour.loan.rate=1", "population.start_score=1030",
             "population.attitude=0.05", "behaviour.attitude.per_reward=-0.01",
             "behaviour.attitude.messaging=-0.0002");
    run_start(&r);
    want = 0.05f;
    for (int day = 1; day <= 4; day++) {
        run_day(&r);
        EQ(tot(&r)->rewards, 4);
        for (int k = 0; k < 2; k++) want += (float)-0.01;
        double a = (double)want + -0.0002;
        want = (float)(a < 0 ? 0 : a);
        FEQ(r.sim->world.st.attitude[0], want);
    }
    FEQ(r.sim->world.st.attitude[0], 0.0f);
    run_free(&r);
}

/* §5 group cap: capped groups' scores (every domain and the reported one)
 * never exceed the cap. Group b conforms every day (+5), group a never.
 * Fixed 1000: b stays at 1000 and gets no AA reward; mean: b is held at
 * the population mean of each score (over adults, uncapped, recomputed
 * daily); off: b rises freely. Group a is never capped. */
static void test_group_cap(void **state)
{
    const uint32_t n = 10;
    struct trial probe;
    run_new(&probe, n);
    run_set(&probe, "population.groups={a: 0.5, b: 0.5}");
    run_start(&probe);
    double att[10];
    uint32_t nb = 0;
    for (uint32_t i = 0; i < n; i++) {
        att[i] = probe.sim->world.pop.group[i] == 1 ? 0 : 1;
        nb += probe.sim->world.pop.group[i] == 1;
    }
    assert_true(nb > 0 && nb < n);
    run_free(&probe);

    for (int mode = 0; mode < 3; mode++) { /* fixed, mean, off */
        struct trial r;
        run_new(&r, n);
        RUN_SETS(&r, "population.groups={a: 0.5, b: 0.5}", "behaviour.conform.rate=1",
                 "behaviour.travel.rate=1", "scoring.group_cap.groups=[b]",
                 "scoring.group_cap.value=1000");
        run_set(&r, "population.attitude=%s", yaml_list(att, n));
        run_set(&r, "scoring.group_cap.enabled=%s", mode == 2 ? "false" : "true");
        run_set(&r, "scoring.group_cap.mode=%s", mode == 0 ? "fixed" : "mean");
        run_start(&r);
        for (int day = 1; day <= 8; day++) {
            run_day(&r);
            const double uncapped = 1000 + 5 * day;
            /* The mean of the uncapped social score, summed in id order. */
            double sum = 0;
            for (uint32_t i = 0; i < n; i++) sum += att[i] == 0 ? uncapped : 1000;
            const double cap = mode == 0 ? 1000 : mode == 1 ? sum / n : 1100;
            for (uint32_t i = 0; i < n; i++) {
                if (att[i] == 1) {
                    FEQ(reported(&r, i), 1000);
                    continue;
                }
                FEQ(dom(&r, i, SUB_SOCIAL), uncapped < cap ? uncapped : cap);
                FEQ(reported(&r, i), uncapped < cap ? uncapped : cap);
                FEQ(dom(&r, i, SUB_FINANCIAL), 1000); /* the mean of 1000s */
                assert_true(dom(&r, i, SUB_JUDICIAL) <= r.sim->world.st.cap[SUB_JUDICIAL] ||
                            mode == 2);
            }
            if (mode < 2) FEQ(r.sim->world.st.cap[SUB_SOCIAL], cap);
            /* Group b's flights are rewarded once its (capped) score is AA. */
            const double b_score = uncapped < cap ? uncapped : cap;
            EQ(tot(&r)->rewards, b_score >= 1030 ? nb : 0);
        }
        run_free(&r);
    }
}

/* §5 tiers at their boundaries and the clamp to [0, 1100]. */
static void test_tiers_and_clamp(void **state)
{
    struct trial r;
    run_new(&r, 1);
    run_start(&r);
    const struct params *p = r.sim->world.p;
    const struct {
        double s;
        int t;
    } cases[] = {{1100, TIER_AAA},  {1050, TIER_AAA}, {1049.99, TIER_AA}, {1030, TIER_AA},
                 {1029.99, TIER_A}, {960, TIER_A},    {959.99, TIER_B},   {850, TIER_B},
                 {849.99, TIER_C},  {600, TIER_C},    {599.99, TIER_D},   {0, TIER_D}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        EQ(score_tier(p, cases[k].s), cases[k].t);
    struct state *st = &r.sim->world.st;
    st->ledger[SUB_SOCIAL][0] = 500;
    FEQ(score_reported(p, st, 0, 0), 1100);
    FEQ(score_domain(p, st, 0, 0, SUB_SOCIAL), 1100);
    st->ledger[SUB_SOCIAL][0] = -5000;
    FEQ(score_reported(p, st, 0, 0), 0);
    FEQ(score_domain(p, st, 0, 0, SUB_SOCIAL), 0);
    st->ledger[SUB_SOCIAL][0] = 0;
    run_free(&r);
}

/* A switched-off mechanism leaves every other mechanism's draws unchanged
 * (each act has a fixed word of its own keyed by agent and day): with the
 * travel ban on and off, the same agents book flights, change jobs,
 * request loans and owe and miss payments on the same days, although the
 * ban changed attitudes (so criticism and conformity may differ). With
 * attitude change off as well, every act is the same. Likewise switching
 * the cameras off leaves the payment channel's records unchanged. */
static void test_switches_keep_draws(void **state)
{
    const uint32_t n = sanitized() ? 600 : 2000;
    const int days = sanitized() ? 15 : 40;
    for (int frozen = 0; frozen <= 1; frozen++) {
        struct trial r[2];
        for (int ban = 0; ban <= 1; ban++) {
            struct ss_error err = {0};
            memset(&r[ban], 0, sizeof r[ban]);
            assert_int_equal(scn_new_default(&r[ban].s, &err), SS_OK);
            run_set(&r[ban], "population.agents=%u", n);
            RUN_SETS(&r[ban], "behaviour.payment.period=2", "behaviour.travel.rate=0.05",
                     "behaviour.loan.rate=0.05", "behaviour.job_change.rate=1",
                     "sanctions.internment.enabled=false", "behaviour.protest.trigger.days=[3]",
                     "behaviour.protest.trigger.share=0.2");
            if (frozen)
                RUN_SETS(&r[ban], "behaviour.attitude.per_sanction=0",
                         "behaviour.attitude.per_reward=0", "behaviour.attitude.messaging=0");
            run_set(&r[ban], "sanctions.travel_ban.enabled=%s", ban ? "true" : "false");
            run_start_threads(&r[ban], 2);
        }
        int64_t refused = 0, att_differ = 0;
        const uint16_t fixed = AC_TRAVEL | AC_JOB | AC_LOAN | AC_PAY_DUE | AC_MISS;
        for (int day = 1; day <= days; day++) {
            run_day(&r[0]);
            run_day(&r[1]);
            refused += tot(&r[1])->sanctions[SA_TRAVEL];
            EQ(tot(&r[0])->sanctions[SA_TRAVEL], 0);
            for (uint32_t i = 0; i < n; i++) {
                uint16_t mask = frozen ? (uint16_t)0xFFFF : fixed;
                if ((r[0].sim->eng.acts[i] & mask) != (r[1].sim->eng.acts[i] & mask))
                    fail_msg("day %d agent %u: acts %#x vs %#x", day, i, r[0].sim->eng.acts[i],
                             r[1].sim->eng.acts[i]);
            }
        }
        for (uint32_t i = 0; i < n; i++)
            att_differ += r[0].sim->world.st.attitude[i] != r[1].sim->world.st.attitude[i];
        assert_true(refused > 0);                           /* the ban did bite */
        assert_true(frozen ? !att_differ : att_differ > 0); /* and changed attitudes */
        run_free(&r[0]);
        run_free(&r[1]);
    }

    struct trial r[2];
    for (int cams = 0; cams <= 1; cams++) {
        run_new(&r[cams], n);
        RUN_SETS(&r[cams], "population.reliability={dist: beta, a: 4, b: 1}",
                 "population.threshold=0", "behaviour.payment.period=3",
                 "surveillance.payment.coverage=0.7", "surveillance.payment.detect=0.8",
                 "surveillance.payment.false_attribution=0.01", "surveillance.cameras.coverage=0.5",
                 "surveillance.cameras.detect=0.5", "surveillance.cameras.false_attribution=0.01");
        run_set(&r[cams], "surveillance.cameras.enabled=%s", cams ? "true" : "false");
        run_start(&r[cams]);
    }
    for (int day = 1; day <= 10; day++) {
        run_day(&r[0]);
        run_day(&r[1]);
        EQ(tot(&r[0])->observed[ACT_MISS], tot(&r[1])->observed[ACT_MISS]);
        EQ(tot(&r[0])->false_scored[EV_MISSED_PAYMENT],
           tot(&r[1])->false_scored[EV_MISSED_PAYMENT]);
        EQ(tot(&r[0])->observed[ACT_PROTEST], 0);
        assert_true(tot(&r[1])->observed[ACT_PROTEST] > 0);
        for (uint32_t i = 0; i < n; i++)
            FEQ(ledger(&r[0], SUB_FINANCIAL, i), ledger(&r[1], SUB_FINANCIAL, i));
    }
    run_free(&r[0]);
    run_free(&r[1]);
}

/* --- part 2: a naive reference of fear and the protest rule ------------------ */

/* What the engine should decide for agent i today, computed the slow
 * obvious way from MODEL.md section 3 and the state at the end of
 * yesterday, in docs/model.md's reading: contacts are counted per tie (a
 * contact in two layers counts twice); interned contacts count for the
 * sanctioned share but are not there to be seen protesting (they are
 * removed from all contact); without protest.spontaneous, joining needs at
 * least one protesting contact. Triggers are left to the caller. */
struct ref_day {
    float fear;   /* fear after today's update */
    int protest;  /* protests today, triggers aside */
    int eligible; /* may be drawn by a random trigger */
};

static struct ref_day ref_agent(const struct sim *sim, uint32_t i, uint32_t day)
{
    const struct params *p = sim->world.p;
    const struct state *st = &sim->world.st;
    struct ref_day out = {st->fear[i], 0, 0};
    double ties = 0, sanctioned = 0, present = 0, protesting = 0;
    for (uint32_t l = 0; l < sim->world.net.n_layers; l++) {
        const struct layer *ly = &sim->world.net.layer[l];
        for (net_off_t e = ly->off[i]; e < ly->off[i + 1]; e++) {
            uint32_t j = ly->adj[e];
            if (j == NET_CUT) continue;
            ties += 1;
            sanctioned += (st->status[j] & (ST_LISTED | ST_INTERNED)) != 0;
            if (st->status[j] & ST_INTERNED) continue;
            present += 1;
            protesting += (st->status[j] & ST_PROTEST) != 0;
        }
    }
    if (p->behaviour.fear.enabled) {
        double low = 1e300;
        for (int d = 0; d < N_SUBSYSTEMS; d++) {
            double s = score_domain(p, st, i, sim->world.pop.group[i], d);
            low = s < low ? s : low;
        }
        double top = p->behaviour.fear.proximity_top, bottom = p->behaviour.fear.proximity_bottom;
        double prox = low >= top ? 0 : low <= bottom ? 1 : (top - low) / (top - bottom);
        double share = ties > 0 ? sanctioned / ties : 0;
        double signal =
            p->behaviour.fear.sanctioned_weight * share + p->behaviour.fear.proximity_weight * prox;
        signal = signal < 1 ? signal : 1;
        out.fear = (float)((1 - p->behaviour.fear.memory) * (double)st->fear[i] +
                           p->behaviour.fear.memory * signal);
    }
    if (sim->world.pop.flags[i] & POP_CHILD) return out;
    uint32_t c[4] = {i, day, RS_LEAVE, 0}, w[4];
    rng_block(p->seed, c, w);
    const uint64_t u = w[0];
    if (st->status[i] & ST_PROTEST) {
        out.protest = !(u < (uint64_t)(p->behaviour.protest.leave * 4294967296.0));
    } else {
        double seen = p->population.threshold_unit == THRESH_COUNT ? protesting
                      : present > 0                                ? protesting / present
                                                                   : 0;
        out.protest = (protesting > 0 || p->behaviour.protest.spontaneous) &&
                      seen >= (double)pop_threshold(&sim->world.pop, i) * (1.0 + (double)out.fear);
    }
    out.eligible = sim->world.st.attitude[i] > p->behaviour.protest.trigger.min_attitude;
    return out;
}

static int ref_triggered(const struct beh_trigger *t, uint32_t i)
{
    if (!t->active) return 0;
    for (uint32_t k = 0; k < t->n; k++)
        if (t->ids[k] == i) return 1;
    return 0;
}

/* §3 fear and protest, agent by agent, against the naive reference, on a
 * seed-like scenario where listings, internments, ostracism and protests
 * all happen: every non-interned agent's fear (bit for bit) and protest
 * decision match, every day. Also §7's accounting: false_scored never
 * exceeds scored, and observed never exceeds taken. */
static void test_reference_fear_and_protest(void **state)
{
    const uint32_t n = sanitized() ? 1500 : 4000;
    const int days = sanitized() ? 25 : 50;
    struct trial r;
    struct ss_error err = {0};
    memset(&r, 0, sizeof r);
    assert_int_equal(scn_new_default(&r.s, &err), SS_OK);
    run_set(&r, "population.agents=%u", n);
    RUN_SETS(&r, "behaviour.payment.period=3", "behaviour.protest.trigger.days=[2, 20]",
             "behaviour.protest.trigger.share=0.3", "behaviour.protest.trigger.min_attitude=0.3",
             "population.groups={majority: 0.5, uyghur: 0.5}", "scoring.points.protest=-300",
             "surveillance.cameras.false_attribution=0.002", "sanctions.ostracism.base=0.5");
    run_start_threads(&r, 2);
    struct sim *sim = r.sim;
    struct ref_day *want = calloc(n, sizeof *want);
    assert_non_null(want);
    int64_t protests = 0, interned = 0, listed = 0, cut = 0;
    for (int day = 1; day <= days; day++) {
        for (uint32_t i = 0; i < n; i++)
            if (!(sim->world.st.status[i] & ST_INTERNED))
                want[i] = ref_agent(sim, i, (uint32_t)day);
        uint8_t *was_interned = malloc(n);
        assert_non_null(was_interned);
        for (uint32_t i = 0; i < n; i++)
            was_interned[i] = (sim->world.st.status[i] & ST_INTERNED) != 0;
        run_day(&r);
        /* A random trigger draws only eligible adults (the draw itself is
         * the engine's: sim->eng.trig holds today's). */
        EQ(sim->eng.trig.active, day == 2 || day == 20);
        if (sim->eng.trig.active) assert_true(sim->eng.trig.n > 0);
        for (uint32_t k = 0; sim->eng.trig.active && k < sim->eng.trig.n; k++) {
            uint32_t i = sim->eng.trig.ids[k];
            assert_true(!was_interned[i] && want[i].eligible &&
                        !(sim->world.pop.flags[i] & POP_CHILD));
        }
        for (uint32_t i = 0; i < n; i++) {
            if (was_interned[i]) {
                assert_false(acted(&r, i, AC_PROTEST));
                continue;
            }
            if (ref_triggered(&sim->eng.trig, i)) want[i].protest = 1;
            if (sim->world.st.fear[i] != want[i].fear)
                fail_msg("day %d agent %u: fear %.9g, reference %.9g", day, i,
                         sim->world.st.fear[i], want[i].fear);
            if (acted(&r, i, AC_PROTEST) != want[i].protest)
                fail_msg("day %d agent %u: protest %d, reference %d", day, i,
                         acted(&r, i, AC_PROTEST), want[i].protest);
        }
        free(was_interned);
        for (uint32_t g = 0; g <= sim->world.pop.n_groups; g++) {
            const struct group_counts *c = &sim->eng.counts.row[g];
            for (int e = 0; e < N_EVENTS; e++) assert_true(c->false_scored[e] <= c->scored[e]);
            for (int a = 0; a < N_ACTIONS; a++)
                if (a != ACT_MEET) assert_true(c->observed[a] <= c->taken[a]);
        }
        protests += tot(&r)->taken[ACT_PROTEST];
        interned += tot(&r)->sanctions[SA_INTERNMENT];
        listed += tot(&r)->sanctions[SA_LISTING];
    }
    for (uint32_t l = 0; l < sim->world.net.n_layers; l++)
        for (net_off_t e = 0; e < sim->world.net.layer[l].n_entries; e++)
            cut += sim->world.net.layer[l].adj[e] == NET_CUT;
    /* Every mechanism the reference depends on was exercised. */
    assert_true(protests > 0 && interned > 0 && listed > 0 && cut > 0);
    free(want);
    run_free(&r);
}

/* --- part 3: statistical tests at 10^5 agents ------------------------------------ */

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
    return sanitized() ? 20000 : 100000;
}

/* A seed-like population (households of mean 3, children 0.2, attitudes
 * Beta(2, 6), reliabilities Beta(18, 1), online 0.75) on a household
 * network only, over the quiet defaults. */
static void stat_new(struct trial *r)
{
    run_new(r, stat_agents());
    RUN_SETS(r, "population.household_size=3", "population.child_share=0.2",
             "population.attitude={dist: beta, a: 2, b: 6}",
             "population.reliability={dist: beta, a: 18, b: 1}", "population.online_share=0.75",
             "network.layers={h: {generator: household}}");
}

/* §3 rates: criticism (would, and does without fear: the same draws),
 * conformity 0.005 x (1 - attitude), travel 0.003, loans 0.01, job
 * changes 0.1 a year, and missed payments 1 - reliability among due
 * obligations, over 4 days; each is a sum of independent Bernoulli draws
 * whose exact mean and variance the test adds up agent by agent. */
static void test_stat_behaviour_rates(void **state)
{
    struct trial r;
    stat_new(&r);
    RUN_SETS(&r, "behaviour.criticise.rate=0.02", "behaviour.conform.rate=0.005",
             "behaviour.travel.rate=0.003", "behaviour.loan.rate=0.01",
             "behaviour.job_change.rate=0.1", "surveillance.internet.enabled=false",
             "surveillance.payment.enabled=false");
    run_start_threads(&r, 2);
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
        run_day(&r);
        would += (double)tot(&r)->would_criticise;
        does += (double)tot(&r)->taken[ACT_CRITICISE];
        conform += (double)tot(&r)->taken[ACT_CONFORM];
        travel += (double)tot(&r)->taken[ACT_TRAVEL];
        loan += (double)tot(&r)->taken[ACT_LOAN];
        job += (double)tot(&r)->taken[ACT_JOB];
        miss += (double)tot(&r)->taken[ACT_MISS];
        for (uint32_t i = 0; i < pop->n; i++)
            if (acted(&r, i, AC_PAY_DUE)) {
                double q = 1 - p32(pop_reliability(pop, i));
                miss_m += q, miss_v += q * (1 - q);
            }
    }
    within_5sd("would criticise", would, days * crit_m, days * crit_v);
    EQ(does, would); /* no fear, no listing: the same draws */
    within_5sd("conform", conform, days * conf_m, days * conf_v);
    double pt = p32(0.003), pl = p32(0.01), pj = p32(0.1 / 365);
    within_5sd("travel", travel, days * adults * pt, days * adults * pt * (1 - pt));
    within_5sd("loan", loan, days * adults * pl, days * adults * pl * (1 - pl));
    within_5sd("job change", job, days * adults * pj, days * adults * pj * (1 - pj));
    within_5sd("missed payments", miss, miss_m, miss_v);
    assert_true(miss_m > 100); /* enough due payments to mean something */
    run_free(&r);
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
    struct trial r;
    stat_new(&r);
    RUN_SETS(
        &r, "population.groups={majority: 0.6, uyghur: 0.4}", "population.attitude=1",
        "population.reliability=0", "population.threshold=0", "behaviour.criticise.rate=1",
        "surveillance.payment.coverage=0.9", "surveillance.payment.detect=0.99",
        "surveillance.internet.coverage=0.8", "surveillance.internet.coverage_by_group={uyghur: 1}",
        "surveillance.internet.detect=0.7", "surveillance.cameras.coverage=0.5",
        "surveillance.cameras.coverage_by_group={uyghur: 1}", "surveillance.cameras.detect=0.6");
    run_start_threads(&r, 2);
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
    run_day(&r);
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
    run_free(&r);
}

/* §4 the phone channel and meetings with listed people: everyone is
 * listed at the end of day 1 (enter_below 1001); on day 2 each agent meets
 * each household member (contact 1), and each meeting is seen with p =
 * detect if the phone channel (alone here) watches the agent (coverage
 * 0.6, 1.0 for uyghur). Per agent the count is watched x Binomial(m,
 * detect): the test adds its exact mean and variance. */
static void test_stat_phone_association(void **state)
{
    struct trial r;
    stat_new(&r);
    RUN_SETS(&r, "population.groups={majority: 0.6, uyghur: 0.4}", "population.child_share=0",
             "list.enter_below=1001", "list.exit_above=1100", "surveillance.payment.enabled=false",
             "surveillance.internet.enabled=false", "surveillance.cameras.enabled=false",
             "surveillance.phone.coverage=0.6", "surveillance.phone.coverage_by_group={uyghur: 1}",
             "surveillance.phone.detect=0.8");
    run_start_threads(&r, 2);
    run_day(&r);
    run_day(&r);
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
        EQ(r.sim->eng.counts.row[g].scored[EV_ASSOCIATION],
           r.sim->eng.counts.row[g].observed[ACT_MEET]);
    }
    run_free(&r);
}

/* §4 false attribution: per watched agent per day and channel, p = the
 * channel's rate (0.01 here): false_scored of each channel's event ~
 * Binomial(watched x days, rate), per group. */
static void test_stat_false_attribution(void **state)
{
    struct trial r;
    stat_new(&r);
    RUN_SETS(
        &r, "population.groups={majority: 0.6, uyghur: 0.4}", "surveillance.payment.coverage=0.9",
        "surveillance.internet.coverage=0.8", "surveillance.internet.coverage_by_group={uyghur: 1}",
        "surveillance.cameras.coverage=0.5", "surveillance.cameras.coverage_by_group={uyghur: 1}",
        "surveillance.phone.coverage=0.6", "surveillance.phone.coverage_by_group={uyghur: 1}",
        "surveillance.payment.false_attribution=0.01",
        "surveillance.internet.false_attribution=0.01",
        "surveillance.cameras.false_attribution=0.01", "surveillance.phone.false_attribution=0.01");
    run_start_threads(&r, 2);
    const int days = 3, ev[4] = {EV_MISSED_PAYMENT, EV_CRITICISM, EV_PROTEST, EV_ASSOCIATION};
    int64_t got[2][4] = {{0}};
    for (int day = 1; day <= days; day++) {
        run_day(&r);
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
    run_free(&r);
}

/* §3 protest leave: everyone eligible is triggered on day 1 (share 1); no
 * one can join by threshold; each day each protester stays with p = 0.7:
 * protesters(t) ~ Binomial(protesters(t - 1), 0.7). */
static void test_stat_protest_leave(void **state)
{
    struct trial r;
    stat_new(&r);
    RUN_SETS(&r, "population.attitude=0.5", "behaviour.protest.leave=0.3",
             "behaviour.protest.trigger.days=[1]", "behaviour.protest.trigger.share=1",
             "behaviour.protest.trigger.min_attitude=0", "surveillance.cameras.enabled=false");
    run_start_threads(&r, 2);
    run_day(&r);
    double prev = (double)tot(&r)->taken[ACT_PROTEST], adults = 0;
    for (uint32_t i = 0; i < r.sim->world.pop.n; i++)
        adults += !(r.sim->world.pop.flags[i] & POP_CHILD);
    EQ(prev, adults);
    const double stay = 1 - p32(0.3);
    for (int day = 2; day <= 4; day++) {
        run_day(&r);
        double now = (double)tot(&r)->taken[ACT_PROTEST];
        within_5sd("protesters staying", now, prev * stay, prev * stay * (1 - stay));
        prev = now;
    }
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_criticism_scored_daily),
        cmocka_unit_test(test_criticism_needs_online),
        cmocka_unit_test(test_fear_silences),
        cmocka_unit_test(test_fear_paired_draw),
        cmocka_unit_test(test_fear_formula),
        cmocka_unit_test(test_fear_signal_capped),
        cmocka_unit_test(test_social_media_ban),
        cmocka_unit_test(test_protest_threshold_chain),
        cmocka_unit_test(test_protest_leave),
        cmocka_unit_test(test_protest_not_spontaneous),
        cmocka_unit_test(test_trigger_ids),
        cmocka_unit_test(test_trigger_share_and_count),
        cmocka_unit_test(test_payment_schedule),
        cmocka_unit_test(test_court_window),
        cmocka_unit_test(test_court_single_miss),
        cmocka_unit_test(test_cross_context_listing),
        cmocka_unit_test(test_list_exit),
        cmocka_unit_test(test_recovery),
        cmocka_unit_test(test_conformity_rewards),
        cmocka_unit_test(test_rewards_boundary),
        cmocka_unit_test(test_association),
        cmocka_unit_test(test_association_wrongful_cross_context),
        cmocka_unit_test(test_false_attribution),
        cmocka_unit_test(test_false_attribution_all_channels),
        cmocka_unit_test(test_false_association_not_scored_when_off),
        cmocka_unit_test(test_travel_ban),
        cmocka_unit_test(test_school_ban),
        cmocka_unit_test(test_job_and_loan_by_score),
        cmocka_unit_test(test_internment),
        cmocka_unit_test(test_ostracism),
        cmocka_unit_test(test_attitude),
        cmocka_unit_test(test_group_cap),
        cmocka_unit_test(test_tiers_and_clamp),
        cmocka_unit_test(test_switches_keep_draws),
        cmocka_unit_test(test_reference_fear_and_protest),
        cmocka_unit_test(test_stat_behaviour_rates),
        cmocka_unit_test(test_stat_detection),
        cmocka_unit_test(test_stat_phone_association),
        cmocka_unit_test(test_stat_false_attribution),
        cmocka_unit_test(test_stat_protest_leave),
    };
    return cmocka_run_group_tests_name("dynamics", tests, NULL, NULL);
}
