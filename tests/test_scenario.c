/*
 * test_scenario.c - the scenario module: seed defaults, the good scenarios
 * of tests/data/good, print -> load round trips, --set, docs/scenario.md
 * being current, and allocation failure injection. Bad input (the cases
 * of tests/data/bad, refused --set arguments) is test_scenario_errors.c's.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "scenario/scenario.h"
#include "scenario/scenario_impl.h" /* white box: the allocation count of the hook */

#define GOOD_DIR TEST_DATA_DIR "/good"

/* --- helpers ------------------------------------------------------------------ */

static struct scenario *must_load(const char *path)
{
    struct scenario *s;
    struct ss_error err = {0};
    int rc = th_load_finish(path, &s, &err);
    if (rc) {
        ss_error_print(&err, stderr);
        fail_msg("cannot load %s", path);
    }
    return s;
}

static void must_set(struct scenario *s, const char *arg)
{
    struct ss_error err = {0};
    if (scn_set(s, arg, &err)) {
        ss_error_print(&err, stderr);
        fail_msg("--set %s failed", arg);
    }
}

static void must_finish(struct scenario *s)
{
    struct ss_error err = {0};
    if (scn_finish(s, &err)) {
        ss_error_print(&err, stderr);
        fail_msg("scn_finish failed");
    }
}

/* The parameters with owned pointers cleared, so two can be compared byte
 * for byte (both scenarios are zeroed when made, padding included). */
static void plain(const struct params *p, struct params *q)
{
    memcpy(q, p, sizeof *q);
    q->population.attitude.values = q->population.reliability.values =
        q->population.threshold.values = NULL;
    q->behaviour.protest.trigger.days.v = q->behaviour.protest.trigger.ids.v = NULL;
    q->schedule.c = NULL; /* compared change by change */
    q->schedule.order = NULL;
}

static void assert_dist_values_equal(const struct dist *a, const struct dist *b)
{
    assert_int_equal(a->n_values, b->n_values);
    if (a->n_values) assert_memory_equal(a->values, b->values, a->n_values * sizeof(double));
}

static void assert_ints_equal(const struct int_list *a, const struct int_list *b)
{
    assert_int_equal(a->n, b->n);
    if (a->n) assert_memory_equal(a->v, b->v, a->n * sizeof(int64_t));
}

static void assert_params_equal(const struct params *a, const struct params *b)
{
    static struct params pa, pb;
    plain(a, &pa);
    plain(b, &pb);
    const unsigned char *x = (const unsigned char *)&pa, *y = (const unsigned char *)&pb;
    for (size_t i = 0; i < sizeof pa; i++)
        if (x[i] != y[i]) fail_msg("struct params differs at byte offset %zu", i);
    assert_dist_values_equal(&a->population.attitude, &b->population.attitude);
    assert_dist_values_equal(&a->population.reliability, &b->population.reliability);
    assert_dist_values_equal(&a->population.threshold, &b->population.threshold);
    assert_ints_equal(&a->behaviour.protest.trigger.days, &b->behaviour.protest.trigger.days);
    assert_ints_equal(&a->behaviour.protest.trigger.ids, &b->behaviour.protest.trigger.ids);
    /* changes alike but for where they were written (src, line, col) */
    assert_int_equal(a->schedule.n, b->schedule.n);
    for (uint32_t i = 0; i < a->schedule.n; i++) {
        const struct sched_change *x = &a->schedule.c[i], *y = &b->schedule.c[i];
        assert_string_equal(x->key, y->key);
        assert_int_equal(x->entry, y->entry);
        assert_int_equal(x->ramp, y->ramp);
        assert_int_equal(x->day, y->day);
        assert_int_equal(x->day_to, y->day_to);
        assert_int_equal(x->date, y->date);
        assert_int_equal(x->date_to, y->date_to);
        assert_true(x->value == y->value && x->value_to == y->value_to);
        assert_int_equal(x->type, y->type);
        assert_int_equal(x->off, y->off);
        assert_ptr_equal(x->names, y->names);
        assert_int_equal(a->schedule.order[i], b->schedule.order[i]);
    }
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* Print s (with or without comments) into a scratch tree that mirrors
 * tests/data (good/ and edges/, so relative edge list paths still resolve),
 * load it back and compare everything. */
static void assert_round_trip(const struct scenario *s, int comments)
{
    char dir[64], good[96], edges[96], file[128], edge[128];
    th_tmpdir(dir, sizeof dir, "scn-rt");
    snprintf(good, sizeof good, "%s/good", dir);
    snprintf(edges, sizeof edges, "%s/edges", dir);
    snprintf(file, sizeof file, "%s/rt.yaml", good);
    snprintf(edge, sizeof edge, "%s/tiny.txt", edges);
    assert_int_equal(mkdir(good, 0700), 0);
    assert_int_equal(mkdir(edges, 0700), 0);
    copy_file(TEST_DATA_DIR "/edges/tiny.txt", edge);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    assert_int_equal(scn_print(s, f, comments), SS_OK);
    assert_int_equal(fclose(f), 0);

    struct scenario *t = must_load(file);
    assert_params_equal(scn_params(s), scn_params(t));
    assert_string_equal(scn_text(s), scn_text(t));
    scn_free(t);
    assert_int_equal(th_remove_tree(dir), 0);
}

static int group_of(const struct params *p, const char *name)
{
    for (uint32_t g = 0; g < p->population.groups.n; g++)
        if (!strcmp(p->population.groups.name[g], name)) return (int)g;
    fail_msg("no group %s", name);
    return -1;
}

/* --- defaults ------------------------------------------------------------------- */

static void test_defaults(void **state)
{
    struct scenario *s = th_scn_default();
    must_finish(s);
    const struct params *p = scn_params(s);
    assert_string_equal(scn_name(s), "seed");
    assert_string_equal(scn_path(s), "");
    assert_string_equal(scn_dir(s), ".");
    assert_true(p->seed == 1);
    assert_int_equal(p->days, 365);
    assert_int_equal(p->population.agents, 100000);
    assert_int_equal(p->population.groups.n, 4);
    assert_string_equal(p->population.groups.name[1], "uyghur");
    assert_true(p->population.groups.v[0] == 0.911 && p->population.groups.v[1] == 0.008);
    assert_true(p->population.groups.v[2] == 0.005 && p->population.groups.v[3] == 0.076);
    assert_true(p->population.household_size == 3.0 && p->population.child_share == 0.2);
    assert_int_equal(p->population.attitude.kind, DIST_BETA);
    assert_true(p->population.attitude.a == 2 && p->population.attitude.b == 6);
    assert_true(p->population.reliability.a == 18 && p->population.reliability.b == 1);
    assert_int_equal(p->population.threshold.kind, DIST_NORMAL);
    assert_true(p->population.threshold.mean == 0.25 && p->population.threshold.sd == 0.12);
    assert_true(p->population.threshold.lo == 0 && p->population.threshold.hi == 1);
    assert_int_equal(p->population.threshold_unit, THRESH_SHARE);
    assert_true(p->population.online_share == 0.75 && p->population.start_score == 1000);

    assert_int_equal(p->network.n_layers, 3);
    assert_string_equal(p->network.layers[0].name, "household");
    assert_int_equal(p->network.layers[0].generator, GEN_HOUSEHOLD);
    assert_true(p->network.layers[0].contact == 1.0);
    assert_int_equal(p->network.layers[1].generator, GEN_WATTS_STROGATZ);
    assert_int_equal(p->network.layers[1].k, 8);
    assert_true(p->network.layers[1].rewire == 0.1 && p->network.layers[1].homophily == 0.8);
    assert_true(p->network.layers[1].contact == 0.5);
    assert_int_equal(p->network.layers[2].generator, GEN_BARABASI_ALBERT);
    assert_int_equal(p->network.layers[2].members, MEM_ONLINE);
    assert_true(p->network.layers[2].mean_degree == 10 && p->network.layers[2].contact == 0.2);

    assert_true(p->behaviour.criticise.rate == 0.02 && p->behaviour.conform.rate == 0.005);
    assert_int_equal(p->behaviour.payment.period, 30);
    assert_int_equal(p->behaviour.school.day, 240);
    assert_int_equal(p->behaviour.protest.trigger.days.n, 1);
    assert_int_equal(p->behaviour.protest.trigger.days.v[0], 120);
    assert_true(p->behaviour.protest.trigger.share == 0.001 && p->behaviour.protest.leave == 0.3);
    assert_int_equal(p->behaviour.protest.trigger.ids.n, 0);
    assert_true(p->behaviour.fear.enabled && p->behaviour.fear.memory == 0.05);
    assert_true(p->behaviour.attitude.messaging == -0.0002);

    int uy = group_of(p, "uyghur"), ti = group_of(p, "tibetan"), ma = group_of(p, "majority");
    assert_true(p->surveillance[CH_PAYMENT].coverage_g[uy] == 0.9);
    assert_true(p->surveillance[CH_INTERNET].coverage_g[uy] == 1.0);
    assert_true(p->surveillance[CH_INTERNET].coverage_g[ma] == 0.8);
    assert_true(p->surveillance[CH_CAMERAS].coverage_g[ti] == 1.0);
    assert_true(p->surveillance[CH_CAMERAS].coverage_g[ma] == 0.5);
    assert_true(p->surveillance[CH_CAMERAS].false_attribution == 1e-4);
    assert_true(p->surveillance[CH_PHONE].detect == 0.8);
    assert_true(p->surveillance[CH_PAYMENT].detect == 0.99);

    assert_true(p->scoring.integration == 0.6 && p->scoring.recovery == 0.001);
    assert_true(p->scoring.min == 0 && p->scoring.max == 1100);
    assert_true(p->scoring.tiers[TIER_AAA] == 1050 && p->scoring.tiers[TIER_AA] == 1030);
    assert_true(p->scoring.tiers[TIER_A] == 960 && p->scoring.tiers[TIER_B] == 850);
    assert_true(p->scoring.tiers[TIER_C] == 600 && p->scoring.tiers[TIER_D] == 0);
    assert_true(p->scoring.points.court_judgment == -450 && p->scoring.points.conformity == 5);
    assert_true(p->scoring.points.missed_payment == -10 && p->scoring.points.criticism == -20);
    assert_int_equal(p->scoring.court.missed_payments, 3);
    assert_int_equal(p->scoring.court.window, 90);
    assert_int_equal(p->scoring.group_cap.groups.mask, (1u << uy) | (1u << ti));
    assert_int_equal(p->scoring.group_cap.mode, CAP_MEAN);
    assert_true(p->list.enter_below == 600 && p->list.exit_above == 850);
    assert_int_equal(p->list.min_days, 180);
    assert_int_equal(p->sanctions.internment.groups.mask, (1u << uy) | (1u << ti));
    assert_true(p->sanctions.internment.below == 400 &&
                p->sanctions.internment.household_penalty == -5);
    assert_true(p->sanctions.ostracism.base == 0.05 && p->sanctions.ostracism.fear_weight == 0.3);
    assert_true(p->sanctions.travel_ban.enabled && p->sanctions.rewards.enabled);
    assert_true(p->sanctions.rewards.from == 1030);
    assert_true(strstr(scn_text(s), "agents: 100000\n") != NULL);
    scn_free(s);
}

/* --- good scenarios ---------------------------------------------------------------- */

static void test_granovetter(void **state)
{
    struct scenario *s = must_load(GOOD_DIR "/granovetter.yaml");
    const struct params *p = scn_params(s);
    assert_string_equal(scn_name(s), "granovetter");
    assert_int_equal(p->population.agents, 100);
    assert_int_equal(p->population.groups.n, 1);
    assert_true(p->population.child_share == 0);
    assert_int_equal(p->network.n_layers, 1);
    assert_int_equal(p->network.layers[0].generator, GEN_COMPLETE);
    assert_int_equal(p->population.threshold.kind, DIST_LIST);
    assert_int_equal(p->population.threshold.n_values, 100);
    for (uint32_t i = 0; i < 100; i++) assert_true(p->population.threshold.values[i] == i);
    assert_int_equal(p->population.threshold_unit, THRESH_COUNT);
    for (int c = 0; c < N_CHANNELS; c++) {
        assert_false(p->surveillance[c].enabled);
        assert_int_equal(p->surveillance[c].coverage_by_group.n, 0); /* seed names dropped */
    }
    assert_false(p->behaviour.fear.enabled);
    assert_false(p->scoring.group_cap.enabled);
    assert_int_equal(p->scoring.group_cap.groups.n, 0);
    assert_int_equal(p->scoring.group_cap.groups.mask, 0);
    assert_int_equal(p->sanctions.internment.groups.mask, 0);
    assert_true(p->behaviour.protest.leave == 0);
    assert_int_equal(p->behaviour.protest.trigger.ids.n, 1);
    assert_int_equal(p->behaviour.protest.trigger.ids.v[0], 0);
    assert_false(p->sanctions.travel_ban.enabled || p->sanctions.internment.enabled);
    assert_false(p->sanctions.association.enabled || p->sanctions.ostracism.enabled);
    scn_free(s);
}

static void test_erdos_renyi(void **state)
{
    struct scenario *s = must_load(GOOD_DIR "/erdos_renyi.yaml");
    const struct params *p = scn_params(s);
    assert_string_equal(scn_name(s), "erdos_renyi"); /* no name key: the file's */
    assert_string_equal(scn_path(s), GOOD_DIR "/erdos_renyi.yaml");
    assert_string_equal(scn_dir(s), GOOD_DIR);
    assert_int_equal(p->network.n_layers, 1); /* the disabled one is dropped */
    assert_string_equal(p->network.layers[0].name, "random");
    assert_int_equal(p->network.layers[0].generator, GEN_ERDOS_RENYI);
    assert_true(p->network.layers[0].mean_degree == 4);
    assert_int_equal(p->population.threshold.kind, DIST_NORMAL);
    assert_true(p->population.threshold.mean == 0.18 && p->population.threshold.sd == 0.05);
    assert_true(p->population.threshold.lo == 0 &&
                p->population.threshold.hi == 1); /* clip default */
    assert_int_equal(p->behaviour.protest.trigger.count, 10);
    scn_free(s);
}

static void test_edge_list(void **state)
{
    struct scenario *s = must_load(GOOD_DIR "/edge_list.yaml");
    const struct params *p = scn_params(s);
    assert_int_equal(p->network.n_layers, 1);
    assert_int_equal(p->network.layers[0].generator, GEN_EDGE_LIST);
    assert_string_equal(p->network.layers[0].file, "../edges/tiny.txt");
    assert_int_equal(p->population.attitude.kind, DIST_CONSTANT);
    assert_true(p->population.attitude.value == 0.9);
    assert_int_equal(p->population.reliability.kind, DIST_UNIFORM);
    assert_true(p->population.reliability.lo == 0.5 && p->population.reliability.hi == 1);
    scn_free(s);
}

/* Group rules with names of the seed's groups still validate when a
 * scenario has other groups; names it wrote are kept and resolved. */
static void test_other_groups(void **state)
{
    struct scenario *s = th_scn_default();
    must_set(s, "population.groups={a: 0.25, b: 0.75}");
    must_set(s, "surveillance.cameras.coverage_by_group={b: 0.3}");
    must_finish(s);
    const struct params *p = scn_params(s);
    assert_int_equal(p->surveillance[CH_INTERNET].coverage_by_group.n, 0);
    assert_true(p->surveillance[CH_INTERNET].coverage_g[0] == 0.8);
    assert_true(p->surveillance[CH_CAMERAS].coverage_g[0] == 0.5);
    assert_true(p->surveillance[CH_CAMERAS].coverage_g[1] == 0.3);
    assert_int_equal(p->scoring.group_cap.groups.n, 0);
    assert_int_equal(p->sanctions.internment.groups.mask, 0);
    assert_round_trip(s, 0);
    scn_free(s);
}

/* --- round trips ---------------------------------------------------------------------- */

/* Thresholds counted in contacts are not clipped to the [0, 1] that suits
 * shares, unless the user writes a clip; shares keep it. */
static void test_count_threshold_clip(void **state)
{
    struct scenario *s = th_scn_default();
    must_set(s, "population.agents=50");
    must_set(s, "population.threshold_unit=count");
    must_set(s, "population.threshold={dist: normal, mean: 5, sd: 2}");
    must_finish(s);
    assert_true(scn_params(s)->population.threshold.hi == 50);
    scn_free(s);
    s = th_scn_default();
    must_set(s, "population.threshold_unit=count");
    must_set(s, "population.threshold={dist: normal, mean: 5, sd: 2, hi: 7}");
    must_finish(s);
    assert_true(scn_params(s)->population.threshold.hi == 7);
    scn_free(s);
    s = th_scn_default();
    must_finish(s);
    assert_true(scn_params(s)->population.threshold.hi == 1);
    scn_free(s);
}

static void test_round_trip_default(void **state)
{
    struct scenario *s = th_scn_default();
    must_finish(s);
    assert_round_trip(s, 0);
    assert_round_trip(s, 1);
    scn_free(s);
}

static void test_round_trip_good(void **state)
{
    static const char *const files[] = {"granovetter.yaml", "erdos_renyi.yaml", "edge_list.yaml",
                                        "schedule.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", GOOD_DIR, files[i]);
        struct scenario *s = must_load(path);
        assert_round_trip(s, 0);
        assert_round_trip(s, 1);
        scn_free(s);
    }
}

static void test_round_trip_set(void **state)
{
    struct scenario *s = th_scn_default();
    must_set(s, "population.agents=5");
    must_set(s,
             "population.threshold={dist: list, values: [0.1, 0.2, 0.30000000000000004, 1e-9, 3]}");
    must_set(s, "population.attitude={dist: uniform, lo: 0.1, hi: 0.7}");
    must_set(s, "population.reliability=0.95");
    must_set(s, "name=odd <name> & \"quotes\" \\ back");
    must_set(s, "seed=18446744073709551615");
    must_set(s, "behaviour.protest.trigger.days=[10, 20]");
    must_set(s, "behaviour.protest.trigger.ids=[0, 4]");
    must_set(s, "network.layers.work.generator=erdos_renyi");
    must_set(s, "network.layers.extra.generator=complete");
    must_set(s, "network.layers.online.enabled=false");
    must_set(s, "surveillance.phone.false_attribution=0.1234567890123");
    must_finish(s);
    const struct params *p = scn_params(s);
    assert_int_equal(p->network.n_layers, 3);
    assert_string_equal(p->network.layers[2].name, "extra");
    assert_int_equal(p->network.layers[1].k, 8); /* reset to the template: no longer applies */
    assert_string_equal(scn_name(s), "odd <name> & \"quotes\" \\ back");
    assert_round_trip(s, 0);
    assert_round_trip(s, 1);
    scn_free(s);
}

/* --- --set ---------------------------------------------------------------------------- */

static void test_set_ok(void **state)
{
    struct scenario *s = th_scn_default();
    must_set(s, "population.agents=1000");
    must_set(s, "  days = 400 ");
    must_set(s, "behaviour.protest.trigger.days=[10,20]");
    must_set(s, "network.layers.work.k=12");
    must_set(s, "network.layers.ring.generator=watts_strogatz");
    must_set(s, "network.layers.ring.k=4");
    must_set(s, "population.attitude.a=3");
    must_set(s, "population.groups.majority=0.9");
    must_set(s, "population.groups.uyghur=0.019");
    must_set(s, "surveillance.cameras.coverage_by_group.other_minority=0.7");
    must_set(s, "surveillance={payment: {enabled: false}}");
    must_set(s, "scoring.group_cap.groups=[uyghur]");
    must_set(s, "sanctions.internment={enabled: false}");
    must_finish(s);
    const struct params *p = scn_params(s);
    assert_int_equal(p->population.agents, 1000);
    assert_int_equal(p->days, 400);
    assert_int_equal(p->behaviour.protest.trigger.days.n, 2);
    assert_int_equal(p->behaviour.protest.trigger.days.v[1], 20);
    assert_int_equal(p->network.layers[1].k, 12);
    assert_int_equal(p->network.n_layers, 4);
    assert_int_equal(p->network.layers[3].k, 4);
    assert_true(p->network.layers[3].contact == 1.0); /* template */
    assert_true(p->population.attitude.a == 3 && p->population.attitude.b == 6);
    assert_true(p->population.groups.v[0] == 0.9 && p->population.groups.v[1] == 0.019);
    assert_true(p->surveillance[CH_CAMERAS].coverage_g[3] == 0.7);
    assert_true(p->surveillance[CH_CAMERAS].coverage_g[1] == 1.0);
    assert_false(p->surveillance[CH_PAYMENT].enabled);
    assert_true(p->surveillance[CH_PAYMENT].coverage == 0.9); /* a fixed family is overlaid */
    assert_int_equal(p->scoring.group_cap.groups.mask, 1u << 1);
    assert_false(p->sanctions.internment.enabled);
    assert_true(p->sanctions.internment.below == 400);
    scn_free(s);
}

/* Trigger days past the last day: an error where the days were written
 * past the horizon (tests/data/bad/trigger_after_run.yaml for a file;
 * here --set), kept and counted by scn_triggers_after past a horizon
 * shortened on the command line, in an effective scenario read back (a
 * checkpoint's) and for the seed's own day in a file that runs fewer days. */
static void test_trigger_days_in_run(void **state)
{
    struct ss_error err = {0};
    struct scenario *s = th_scn_default();
    /* --set days=50: the seed's day 120 is kept, and never comes */
    assert_int_equal(scn_set(s, "days=50", &err), SS_OK);
    assert_int_equal(scn_finish(s, &err), SS_OK);
    assert_int_equal(scn_triggers_after(s), 1);
    /* read back from its effective text (what a checkpoint holds) */
    struct scenario *back = NULL;
    assert_int_equal(scn_load_text(&back, NULL, scn_text(s), "a checkpoint", ".", &err), SS_OK);
    assert_int_equal(scn_finish(back, &err), SS_OK);
    assert_int_equal(scn_triggers_after(back), 1);
    scn_free(back);
    scn_free(s);
    /* days written on the command line past the horizon: an error there */
    s = th_scn_default();
    assert_int_equal(scn_set(s, "days=50", &err), SS_OK);
    assert_int_equal(scn_set(s, "behaviour.protest.trigger.days=[10, 60]", &err), SS_OK);
    assert_int_equal(scn_finish(s, &err), SS_EINPUT);
    assert_string_equal(err.file, "--set behaviour.protest.trigger.days=[10, 60]");
    assert_string_equal(err.msg, "'behaviour.protest.trigger.days' holds day 60, after the last "
                                 "day of the run (days 1 to 50)");
    scn_free(s);
    /* within the run: none after */
    s = th_scn_default();
    assert_int_equal(scn_set(s, "behaviour.protest.trigger.days=[1, 365]", &err), SS_OK);
    assert_int_equal(scn_finish(s, &err), SS_OK);
    assert_int_equal(scn_triggers_after(s), 0);
    scn_free(s);
    /* a file of 100 days that leaves the seed's trigger day: kept, counted */
    assert_int_equal(scn_load_text(&s, NULL, "days: 100\n", "a file", ".", &err), SS_OK);
    s->effective = 0; /* as scn_load reads a file */
    assert_int_equal(scn_finish(s, &err), SS_OK);
    assert_int_equal(scn_triggers_after(s), 1);
    scn_free(s);
}

/* --- docs ------------------------------------------------------------------------------- */

static void test_docs_current(void **state)
{
    char *made = NULL;
    size_t made_len = 0, have_len = 0;
    FILE *f = open_memstream(&made, &made_len);
    assert_non_null(f);
    assert_int_equal(scn_write_docs(f), SS_OK);
    fclose(f);
    char *have = th_slurp(SOURCE_DIR "/docs/scenario.md", &have_len);
    int same = have && have_len == made_len && !memcmp(have, made, made_len);
    free(have);
    free(made);
    if (!same)
        fail_msg("docs/scenario.md is out of date with the parameter table; regenerate it: "
                 "./build/scoresim scenario --markdown > docs/scenario.md");
}

/* --- allocation failure ------------------------------------------------------------------ */

/* Fail each allocation in turn while loading, overriding and finishing a
 * good scenario: every failure is reported as SS_ENOMEM, none crashes or
 * leaks (under ASan), and the last run allocates fewer than fail_at. */
static void test_alloc_failures(void **state)
{
    static const char *const sets[] = {"network.layers.extra.generator=complete",
                                       "behaviour.protest.trigger.days=[1, 2, 3]",
                                       "population.threshold=[0, 0.1, 0.2, 0.3, 0.4]"};
    static const char *const files[] = {"granovetter.yaml", "edge_list.yaml"};
    for (size_t fi = 0; fi < 2; fi++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", GOOD_DIR, files[fi]);
        for (long n = 1;; n++) {
            struct scenario *s = NULL;
            struct ss_error err = {0};
            int rc = scn_load_mem(&s, path, n, &err);
            for (size_t i = 0; !rc && fi == 1 && i < 3; i++) rc = scn_set(s, sets[i], &err);
            if (!rc) rc = scn_finish(s, &err);
            if (rc) {
                if (rc != SS_ENOMEM || err.code != SS_ENOMEM)
                    fail_msg("fail_at %ld: rc %d: %s", n, rc, err.msg);
                scn_free(s);
                continue;
            }
            assert_true(s->mem.count < n); /* no failure was swallowed */
            scn_free(s);
            assert_true(n > 10);
            break;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_granovetter),
        cmocka_unit_test(test_erdos_renyi),
        cmocka_unit_test(test_edge_list),
        cmocka_unit_test(test_other_groups),
        cmocka_unit_test(test_round_trip_default),
        cmocka_unit_test(test_round_trip_good),
        cmocka_unit_test(test_round_trip_set),
        cmocka_unit_test(test_set_ok),
        cmocka_unit_test(test_trigger_days_in_run),
        cmocka_unit_test(test_docs_current),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_count_threshold_clip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
