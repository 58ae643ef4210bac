/*
 * test_behaviour.c - what agents do each day (docs/model.md section 3,
 * model/behaviour.c): criticism and its online condition, fear and
 * preference falsification, payments, attitude change, and switched-off
 * mechanisms that leave every other draw unchanged (the protest rule,
 * leaving and triggers are test_behaviour_protest.c's). Exact tests on populations of 2 to 12
 * agents over the quiet scenario (th_trial_quiet): every probability is 0 or 1 and every
 * distribution a constant or a list, so each day's scores, tiers,
 * listings, sanctions and counts are computed by hand in the test (float
 * ledgers with the same float operations as the code). Each mechanism is
 * tested on and off.
 *
 * Tests reach into the engine's internals (struct sim, struct world,
 * struct engine) on purpose: they check the state after each day, not
 * just the outputs.
 *
 * Then a naive reference of fear and the protest rule, checked agent by
 * agent against the engine on a seed-like scenario.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "harness.h"
#include "model/scoring.h"

/* §3 criticise, §4 internet, §5 points -20 social and tiers: with rate 1
 * and attitude 1 (and no fear) every online adult criticises every day;
 * coverage 1 and detect 1 see each one; the social ledger and reported
 * score fall by 20 a day; tier A holds down to exactly 960. */
static void test_criticism_scored_daily(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 3);
    TH_TRIAL_SETS(&r, "behaviour.criticise.rate=1", "population.attitude=1");
    th_trial_start(&r);
    const int want_tier[4] = {TIER_A, TIER_A, TIER_A, TIER_B}; /* 980, 960, 940 */
    for (int day = 1; day <= 3; day++) {
        th_trial_day(&r);
        TH_EQ(th_tot(&r)->would_criticise, 3);
        TH_EQ(th_tot(&r)->taken[ACT_CRITICISE], 3);
        TH_EQ(th_tot(&r)->observed[ACT_CRITICISE], 3);
        TH_EQ(th_tot(&r)->scored[EV_CRITICISM], 3);
        TH_EQ(th_tot(&r)->false_scored[EV_CRITICISM], 0);
        for (uint32_t i = 0; i < 3; i++) {
            TH_FEQ(th_ledger(&r, SUB_SOCIAL, i), -20.0f * (float)day);
            TH_FEQ(th_dom(&r, i, SUB_SOCIAL), 1000 - 20 * day);
            TH_FEQ(th_dom(&r, i, SUB_FINANCIAL), 1000); /* integration 0 */
            TH_FEQ(th_reported(&r, i), 1000 - 20 * day);
            TH_EQ(th_tier(&r, th_reported(&r, i)), want_tier[day]);
            assert_true(r.sim->world.st.history[i] & HI_GENUINE);
            assert_true(th_acted(&r, i, AC_CRITICISE | AC_WOULD_CRITICISE));
        }
    }
    th_trial_free(&r);
}

/* §3: criticism needs social media access; an agent offline neither
 * criticises nor counts as one who would. */
static void test_criticism_needs_online(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 3);
    TH_TRIAL_SETS(&r, "behaviour.criticise.rate=1", "population.attitude=1",
                  "population.online_share=0");
    th_trial_start(&r);
    th_trial_days(&r, 2);
    TH_EQ(th_tot(&r)->would_criticise, 0);
    TH_EQ(th_tot(&r)->taken[ACT_CRITICISE], 0);
    th_trial_free(&r);
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
        struct th_trial r;
        th_trial_quiet(&r, 3);
        TH_TRIAL_SETS(&r, "behaviour.criticise.rate=1", "population.attitude=1",
                      "population.start_score=600", "behaviour.fear.memory=1",
                      "behaviour.fear.proximity_weight=2", "behaviour.fear.sanctioned_weight=0",
                      "population.threshold=[0, 0.5, 2]", "scoring.points.criticism=0",
                      "scoring.points.protest=0");
        th_trial_set(&r, "behaviour.fear.enabled=%s", with_fear ? "true" : "false");
        th_trial_start(&r);
        th_trial_day(&r);
        for (uint32_t i = 0; i < 3; i++) TH_FEQ(r.sim->world.st.fear[i], with_fear ? 1.0f : 0.0f);
        TH_EQ(th_tot(&r)->would_criticise, 3);
        TH_EQ(th_tot(&r)->taken[ACT_CRITICISE], with_fear ? 0 : 3);
        /* Day 1: agent 0 (threshold 0) protests; threshold 0 x (1 + fear) is 0. */
        assert_true(th_acted(&r, 0, AC_PROTEST));
        assert_false(th_acted(&r, 1, AC_PROTEST));
        th_trial_day(&r);
        /* Day 2: agent 1 sees 1 of its 2 contacts protesting: share 0.5. */
        TH_EQ(th_acted(&r, 1, AC_PROTEST), !with_fear);
        TH_EQ(th_tot(&r)->would_criticise, 3);
        TH_EQ(th_tot(&r)->taken[ACT_CRITICISE], with_fear ? 0 : 3);
        /* Start 600 is tier C (boundary) and not listed (below 600 lists). */
        TH_EQ(th_tier(&r, th_dom(&r, 0, SUB_JUDICIAL)), TIER_C);
        TH_EQ(th_status(&r, 0, ST_LISTED), 0);
        th_trial_free(&r);
    }
}

/* §3: the two comparisons use one draw u: with fear f the agent criticises
 * iff u < rate x attitude x (1 - f). Fear 0.25 exactly: memory 0.5,
 * proximity (1000 - 800) / 400 = 0.5 with weight 1: 0.5 x 0 + 0.5 x 0.5. */
static void test_fear_paired_draw(void **state)
{
    const uint32_t n = 12;
    struct th_trial r;
    th_trial_quiet(&r, n);
    TH_TRIAL_SETS(&r, "behaviour.criticise.rate=1", "population.attitude=1",
                  "population.start_score=800", "behaviour.fear.enabled=true",
                  "behaviour.fear.memory=0.5", "behaviour.fear.proximity_weight=1",
                  "behaviour.fear.sanctioned_weight=0", "scoring.points.criticism=0");
    th_trial_start(&r);
    th_trial_day(&r);
    static struct beh_block blk;
    beh_block_draws(r.sim->world.p, 0, n, 1, &blk);
    int does = 0;
    for (uint32_t i = 0; i < n; i++) {
        TH_FEQ(r.sim->world.st.fear[i], 0.25f);
        /* Rate 1: every agent is a candidate; u decides. */
        int want = blk.u[BA_CRITICISE][i] < 0.75;
        assert_true(blk.cand[i] & BC_CRITICISE);
        TH_EQ(th_acted(&r, i, AC_CRITICISE), want);
        assert_true(th_acted(&r, i, AC_WOULD_CRITICISE));
        does += want;
    }
    TH_EQ(th_tot(&r)->taken[ACT_CRITICISE], does);
    TH_EQ(th_tot(&r)->would_criticise, n);
    assert_true(does > 0 && does < (int)n); /* the seed gives a mix: the test has teeth */
    /* Day 2: 0.5 x 0.25 + 0.5 x 0.5 = 0.375 (no points, proximity unchanged). */
    th_trial_day(&r);
    for (uint32_t i = 0; i < n; i++) TH_FEQ(r.sim->world.st.fear[i], 0.375f);
    th_trial_free(&r);
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
    struct th_trial r;
    th_trial_quiet(&r, 5);
    TH_TRIAL_SETS(&r, "behaviour.fear.enabled=true", "population.reliability=[0, 1, 1, 1, 1]",
                  "behaviour.payment.period=1", "sanctions.association.enabled=false");
    th_trial_start(&r);
    const float *fear = r.sim->world.st.fear;
    th_trial_day(&r); /* scores were all 1000 before day 1 */
    for (uint32_t i = 0; i < 5; i++) TH_FEQ(fear[i], 0.0f);
    th_trial_day(&r); /* agent 0: financial 990 before day 2: proximity 10/400 */
    float f0 = (float)((1 - 0.05) * 0.0 + 0.05 * (0.5 * (10.0 / 400.0)));
    TH_FEQ(fear[0], f0);
    TH_FEQ(fear[1], 0.0f);
    th_trial_day(&r); /* 980: proximity 20/400; listed at the end of day 3 */
    f0 = (float)((1 - 0.05) * f0 + 0.05 * (0.5 * (20.0 / 400.0)));
    TH_FEQ(fear[0], f0);
    assert_true(th_status(&r, 0, ST_LISTED));
    th_trial_day(&r); /* agent 0: judicial 550 <= 600: proximity 1; others: share 1/4 */
    f0 = (float)((1 - 0.05) * f0 + 0.05 * (0.5 * 1.0));
    TH_FEQ(fear[0], f0);
    float f1 = (float)((1 - 0.05) * 0.0 + 0.05 * (2.0 * 0.25));
    for (uint32_t i = 1; i < 5; i++) TH_FEQ(fear[i], f1);
    th_trial_day(&r);
    f0 = (float)((1 - 0.05) * f0 + 0.05 * 0.5);
    f1 = (float)((1 - 0.05) * f1 + 0.05 * 0.5);
    TH_FEQ(fear[0], f0);
    for (uint32_t i = 1; i < 5; i++) TH_FEQ(fear[i], f1);
    th_trial_free(&r);
}

/* §3 fear: the signal is capped at 1 (min(1, ...)): everyone listed gives
 * share 1, 2 x 1 = 2, so with memory 1 fear is exactly 1, never above. */
static void test_fear_signal_capped(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 4);
    TH_TRIAL_SETS(&r, "behaviour.fear.enabled=true", "behaviour.fear.memory=1",
                  "list.enter_below=1001", "list.exit_above=1100");
    th_trial_start(&r);
    th_trial_day(&r); /* listed at the end of day 1 */
    TH_FEQ(r.sim->world.st.fear[0], 0.0f);
    th_trial_day(&r);
    for (uint32_t i = 0; i < 4; i++) TH_FEQ(r.sim->world.st.fear[i], 1.0f);
    th_trial_free(&r);
}

/* §3 payments: each agent's obligation falls due every period days
 * (exactly once in each period, at a phase of its own), and is paid with
 * p = reliability: at 1 never missed, at 0 always. */
static void test_payment_schedule(void **state)
{
    const uint32_t n = 40;
    struct th_trial r;
    th_trial_quiet(&r, n);
    th_trial_set(
        &r, "population.reliability=%s",
        th_yaml_list((const double[40]){0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
                                        0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1},
                     n));
    TH_TRIAL_SETS(&r, "behaviour.payment.period=7", "sanctions.association.enabled=false");
    th_trial_start(&r);
    int due_day[40] = {0};
    for (int day = 1; day <= 21; day++) {
        th_trial_day(&r);
        int64_t due = 0, miss = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (!th_acted(&r, i, AC_PAY_DUE)) {
                assert_false(th_acted(&r, i, AC_MISS));
                continue;
            }
            due++;
            TH_EQ(th_acted(&r, i, AC_MISS), i % 2 == 0);
            miss += i % 2 == 0;
            if (due_day[i]) TH_EQ(day - due_day[i], 7); /* every 7 days exactly */
            due_day[i] = day;
        }
        TH_EQ(th_tot(&r)->taken[ACT_PAY], due);
        TH_EQ(th_tot(&r)->taken[ACT_MISS], miss);
        TH_EQ(th_tot(&r)->observed[ACT_MISS], miss);
        TH_EQ(th_tot(&r)->scored[EV_MISSED_PAYMENT], miss);
    }
    for (uint32_t i = 0; i < n; i++) assert_true(due_day[i] > 14); /* due in the last week too */
    th_trial_free(&r);
}

/* §3 attitude: +per_sanction for each sanction suffered, +per_reward for
 * each reward, +messaging each day, clipped to [0, 1]. Everyone is listed
 * on day 1 (listing and social media ban) and refused a flight every day;
 * the float arithmetic follows the code (per sanction a float add, then
 * the day's messaging and clip in double, stored as float). Then rewards:
 * start 1030, a flight and a loan a day: -0.01 twice a day, down to 0. */
static void test_attitude(void **state)
{
    struct th_trial r;
    th_trial_quiet(&r, 2);
    TH_TRIAL_SETS(&r, "behaviour.travel.rate=1", "list.enter_below=1001", "list.exit_above=1100",
                  "behaviour.attitude.per_sanction=0.05", "behaviour.attitude.messaging=-0.0002");
    th_trial_start(&r);
    float want = 0.5f;
    int clipped = 0;
    for (int day = 1; day <= 12; day++) {
        th_trial_day(&r);
        int sanctions = day == 1 ? 3 : 1;
        for (int k = 0; k < sanctions; k++) want += (float)0.05;
        double a = (double)want + -0.0002;
        want = (float)(a > 1 ? 1 : a);
        clipped |= a > 1;
        TH_FEQ(r.sim->world.st.attitude[0], want);
    }
    assert_true(clipped);
    TH_FEQ(r.sim->world.st.attitude[1], 1.0f);
    th_trial_free(&r);

    th_trial_quiet(&r, 2);
    TH_TRIAL_SETS(&r, "behaviour.travel.rate=1", "behaviour.loan.rate=1",
                  "population.start_score=1030", "population.attitude=0.05",
                  "behaviour.attitude.per_reward=-0.01", "behaviour.attitude.messaging=-0.0002");
    th_trial_start(&r);
    want = 0.05f;
    for (int day = 1; day <= 4; day++) {
        th_trial_day(&r);
        TH_EQ(th_tot(&r)->rewards, 4);
        for (int k = 0; k < 2; k++) want += (float)-0.01;
        double a = (double)want + -0.0002;
        want = (float)(a < 0 ? 0 : a);
        TH_FEQ(r.sim->world.st.attitude[0], want);
    }
    TH_FEQ(r.sim->world.st.attitude[0], 0.0f);
    th_trial_free(&r);
}

/* A switched-off mechanism leaves every other mechanism's draws unchanged
 * (each act has a fixed word of its own keyed by agent and day): with the
 * travel ban on and off, the same agents book flights, change jobs,
 * request loans and owe and miss payments on the same days, although the
 * ban changed attitudes (so criticism and conformity may differ). With
 * attitude change off as well, every act is the same but settling (and the
 * judgments that follow from a debt settled or not): a refused flight
 * presses a debtor to settle, by design (enforcement). Likewise switching
 * the cameras off leaves the payment channel's records unchanged. */
static void test_switches_keep_draws(void **state)
{
    const uint32_t n = th_sanitized() ? 600 : 2000;
    const int days = th_sanitized() ? 15 : 40;
    for (int frozen = 0; frozen <= 1; frozen++) {
        struct th_trial r[2];
        for (int ban = 0; ban <= 1; ban++) {
            th_trial_seed(&r[ban], n);
            TH_TRIAL_SETS(&r[ban], "behaviour.payment.period=2", "behaviour.travel.rate=0.05",
                          "behaviour.loan.rate=0.05", "behaviour.job_change.rate=1",
                          "sanctions.internment.enabled=false",
                          "behaviour.protest.trigger.days=[3]",
                          "behaviour.protest.trigger.share=0.2");
            if (frozen)
                TH_TRIAL_SETS(&r[ban], "behaviour.attitude.per_sanction=0",
                              "behaviour.attitude.per_reward=0", "behaviour.attitude.messaging=0");
            th_trial_set(&r[ban], "sanctions.travel_ban.enabled=%s", ban ? "true" : "false");
            th_trial_start_threads(&r[ban], 2);
        }
        int64_t refused = 0, att_differ = 0;
        const uint16_t fixed = AC_TRAVEL | AC_JOB | AC_LOAN | AC_PAY_DUE | AC_MISS;
        for (int day = 1; day <= days; day++) {
            th_trial_day(&r[0]);
            th_trial_day(&r[1]);
            refused += th_tot(&r[1])->sanctions[SA_TRAVEL];
            TH_EQ(th_tot(&r[0])->sanctions[SA_TRAVEL], 0);
            for (uint32_t i = 0; i < n; i++) {
                uint16_t mask = frozen ? (uint16_t) ~(AC_SETTLE | AC_JUDGED) : fixed;
                if ((r[0].sim->eng.acts[i] & mask) != (r[1].sim->eng.acts[i] & mask))
                    fail_msg("day %d agent %u: acts %#x vs %#x", day, i, r[0].sim->eng.acts[i],
                             r[1].sim->eng.acts[i]);
            }
        }
        for (uint32_t i = 0; i < n; i++)
            att_differ += r[0].sim->world.st.attitude[i] != r[1].sim->world.st.attitude[i];
        assert_true(refused > 0);                           /* the ban did bite */
        assert_true(frozen ? !att_differ : att_differ > 0); /* and changed attitudes */
        th_trial_free(&r[0]);
        th_trial_free(&r[1]);
    }

    struct th_trial r[2];
    for (int cams = 0; cams <= 1; cams++) {
        th_trial_quiet(&r[cams], n);
        TH_TRIAL_SETS(&r[cams], "population.reliability={dist: beta, a: 4, b: 1}",
                      "population.threshold=0", "behaviour.payment.period=3",
                      "surveillance.payment.coverage=0.7", "surveillance.payment.detect=0.8",
                      "surveillance.payment.false_attribution=0.01",
                      "surveillance.cameras.coverage=0.5", "surveillance.cameras.detect=0.5",
                      "surveillance.cameras.false_attribution=0.01");
        th_trial_set(&r[cams], "surveillance.cameras.enabled=%s", cams ? "true" : "false");
        th_trial_start(&r[cams]);
    }
    for (int day = 1; day <= 10; day++) {
        th_trial_day(&r[0]);
        th_trial_day(&r[1]);
        TH_EQ(th_tot(&r[0])->observed[ACT_MISS], th_tot(&r[1])->observed[ACT_MISS]);
        TH_EQ(th_tot(&r[0])->false_scored[EV_MISSED_PAYMENT],
              th_tot(&r[1])->false_scored[EV_MISSED_PAYMENT]);
        TH_EQ(th_tot(&r[0])->observed[ACT_PROTEST], 0);
        assert_true(th_tot(&r[1])->observed[ACT_PROTEST] > 0);
        for (uint32_t i = 0; i < n; i++)
            TH_FEQ(th_ledger(&r[0], SUB_FINANCIAL, i), th_ledger(&r[1], SUB_FINANCIAL, i));
    }
    th_trial_free(&r[0]);
    th_trial_free(&r[1]);
}

/* --- a naive reference of fear and the protest rule ------------------------- */

/* What the engine should decide for agent i today, computed the slow
 * obvious way from docs/model.md section 3 and the state at the end of
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
    const uint32_t n = th_sanitized() ? 1500 : 4000;
    const int days = th_sanitized() ? 25 : 50;
    struct th_trial r;
    th_trial_seed(&r, n);
    TH_TRIAL_SETS(&r, "behaviour.payment.period=3", "behaviour.protest.trigger.days=[2, 20]",
                  "behaviour.protest.trigger.share=0.3",
                  "behaviour.protest.trigger.min_attitude=0.3",
                  "population.groups={majority: 0.5, uyghur: 0.5}", "scoring.points.protest=-300",
                  "surveillance.cameras.false_attribution=0.002", "sanctions.ostracism.base=0.5");
    th_trial_start_threads(&r, 2);
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
        th_trial_day(&r);
        /* A random trigger draws only eligible adults (the draw itself is
         * the engine's: sim->eng.trig holds today's). */
        TH_EQ(sim->eng.trig.active, day == 2 || day == 20);
        if (sim->eng.trig.active) assert_true(sim->eng.trig.n > 0);
        for (uint32_t k = 0; sim->eng.trig.active && k < sim->eng.trig.n; k++) {
            uint32_t i = sim->eng.trig.ids[k];
            assert_true(!was_interned[i] && want[i].eligible &&
                        !(sim->world.pop.flags[i] & POP_CHILD));
        }
        for (uint32_t i = 0; i < n; i++) {
            if (was_interned[i]) {
                assert_false(th_acted(&r, i, AC_PROTEST));
                continue;
            }
            if (ref_triggered(&sim->eng.trig, i)) want[i].protest = 1;
            if (sim->world.st.fear[i] != want[i].fear)
                fail_msg("day %d agent %u: fear %.9g, reference %.9g", day, i,
                         sim->world.st.fear[i], want[i].fear);
            if (th_acted(&r, i, AC_PROTEST) != want[i].protest)
                fail_msg("day %d agent %u: protest %d, reference %d", day, i,
                         th_acted(&r, i, AC_PROTEST), want[i].protest);
        }
        free(was_interned);
        for (uint32_t g = 0; g <= sim->world.pop.n_groups; g++) {
            const struct group_counts *c = &sim->eng.counts.row[g];
            for (int e = 0; e < N_EVENTS; e++) assert_true(c->false_scored[e] <= c->scored[e]);
            for (int a = 0; a < N_ACTIONS; a++)
                if (a != ACT_MEET) assert_true(c->observed[a] <= c->taken[a]);
        }
        protests += th_tot(&r)->taken[ACT_PROTEST];
        interned += th_tot(&r)->sanctions[SA_INTERNMENT];
        listed += th_tot(&r)->sanctions[SA_LISTING];
    }
    for (uint32_t l = 0; l < sim->world.net.n_layers; l++)
        for (net_off_t e = 0; e < sim->world.net.layer[l].n_entries; e++)
            cut += sim->world.net.layer[l].adj[e] == NET_CUT;
    /* Every mechanism the reference depends on was exercised. */
    assert_true(protests > 0 && interned > 0 && listed > 0 && cut > 0);
    free(want);
    th_trial_free(&r);
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
        cmocka_unit_test(test_payment_schedule),
        cmocka_unit_test(test_attitude),
        cmocka_unit_test(test_switches_keep_draws),
        cmocka_unit_test(test_reference_fear_and_protest),
    };
    return cmocka_run_group_tests_name("behaviour", tests, NULL, NULL);
}
