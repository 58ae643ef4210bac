/*
 * test_schedule.c - the calendar and the schedule (docs/model.md section 10,
 * docs/scenario.md "The schedule"): dates; the parameters in force on each
 * day (sets from their day on, ramps linear and then held, the derived
 * per-group coverage); printing a schedule back and reading it again;
 * --set schedule; a run in which the schedule switches a sanction on, opens
 * a surveillance channel wider and changes a layer's contact probability,
 * against the same days without it; the fast and the reference step still
 * identical under a schedule. The bad schedules are data files in
 * tests/data/bad (schedule_*.yaml), checked by test_scenario.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/text.h"
#include "harness.h"
#include "scenario/scenario.h"
#include "scenario/schedule.h"

#define GOOD TEST_DATA_DIR "/good/schedule.yaml"

static struct scenario *load(const char *path)
{
    struct scenario *s = NULL;
    struct ss_error err = {0};
    int rc = scn_load(&s, path, &err);
    if (!rc) rc = scn_finish(s, &err);
    if (rc) {
        ss_error_print(&err, stderr);
        fail_msg("cannot load %s", path);
    }
    return s;
}

static void test_dates(void **state)
{
    int32_t d = 0;
    char buf[TEXT_DATE_LEN];
    assert_int_equal(text_date_parse("1970-01-01", &d), 0);
    assert_int_equal(d, 0);
    assert_int_equal(text_date_parse("2013-10-01", &d), 0);
    assert_int_equal(d, 15979);
    assert_int_equal(text_date_parse("2000-02-29", &d), 0); /* a leap day of a century */
    assert_int_equal(text_date_parse("1900-02-29", &d), -1);
    assert_int_equal(text_date_parse("2013-13-01", &d), -1);
    assert_int_equal(text_date_parse("2013-10-1", &d), -1);
    assert_int_equal(text_date_parse("2013-10-01x", &d), -1);
    for (int32_t k = -354285; k <= 2932896; k += 997) { /* 1000-01-01 to 9999-12-31 */
        text_date_format(k, buf);
        assert_int_equal(text_date_parse(buf, &d), 0);
        assert_int_equal(d, k);
    }
    text_date_format(15979 + 365, buf);
    assert_string_equal(buf, "2014-10-01");
}

/* The parameters of each day of tests/data/good/schedule.yaml. */
static void test_params_at(void **state)
{
    struct scenario *s = load(GOOD);
    const struct params *p = scn_params(s);
    struct params at;
    assert_int_equal(p->start_date, 15979);
    assert_int_equal(p->schedule.n, 8);
    sched_params_at(p, 0, &at);
    assert_true(at.scoring.integration == 0.6);
    assert_int_equal(at.sanctions.travel_ban.enabled, 1);
    sched_params_at(p, 14, &at); /* 2013-10-14 */
    assert_true(at.scoring.integration == 0.6);
    sched_params_at(p, 15, &at);
    assert_true(at.scoring.integration == 0.2);
    assert_int_equal(at.sanctions.travel_ban.enabled, 0);
    /* the ramp: 0.2 on day 20 to 0.8 on day 51 (2013-11-20), then held */
    sched_params_at(p, 20, &at);
    assert_true(at.scoring.integration == 0.2);
    sched_params_at(p, 35, &at);
    assert_true(fabs(at.scoring.integration - (0.2 + 0.6 * 15.0 / 31.0)) < 1e-15);
    sched_params_at(p, 51, &at);
    assert_true(at.scoring.integration == 0.8);
    sched_params_at(p, 120, &at);
    assert_true(at.scoring.integration == 0.8);
    /* day 60: a channel's coverage (and its derived per-group shares, the
     * per-group overrides kept), a layer's contact, a choice and a number */
    sched_params_at(p, 59, &at);
    assert_true(at.surveillance[CH_CAMERAS].coverage == 0.5);
    assert_true(at.network.layers[2].contact == 0.2);
    sched_params_at(p, 60, &at);
    assert_true(at.surveillance[CH_CAMERAS].coverage == 0.9);
    for (uint32_t g = 0; g < at.population.groups.n; g++) {
        const char *name = at.population.groups.name[g];
        int minority = !strcmp(name, "uyghur") || !strcmp(name, "tibetan");
        assert_true(at.surveillance[CH_CAMERAS].coverage_g[g] == (minority ? 1.0 : 0.9));
    }
    assert_true(at.network.layers[2].contact == 0.05);
    assert_int_equal(at.scoring.group_cap.mode, CAP_FIXED);
    assert_true(at.scoring.group_cap.value == 900);
    assert_int_equal(at.sanctions.travel_ban.enabled, 0);
    sched_params_at(p, 90, &at);
    assert_int_equal(at.sanctions.travel_ban.enabled, 1);
    /* what changes when */
    assert_true(sched_changes(p, 15) && sched_changes(p, 36) && sched_changes(p, 60));
    assert_false(sched_changes(p, 14) || sched_changes(p, 52) || sched_changes(p, 61));
    scn_free(s);
}

/* Printed back, a schedule reads again into the same changes; --set
 * schedule replaces it; --set start_date gives dates their days. */
static void test_print_and_set(void **state)
{
    struct scenario *s = load(GOOD);
    char path[] = "/tmp/scoresim-schedule-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_int_equal(scn_print(s, f, 1), SS_OK);
    fclose(f);
    struct scenario *t = load(path);
    const struct schedule *a = &scn_params(s)->schedule, *b = &scn_params(t)->schedule;
    assert_int_equal(a->n, b->n);
    for (uint32_t i = 0; i < a->n; i++) {
        const struct sched_change *x = &a->c[i], *y = &b->c[i];
        assert_string_equal(x->key, y->key);
        assert_int_equal(x->entry, y->entry);
        assert_int_equal(x->ramp, y->ramp);
        assert_int_equal(x->day, y->day);
        assert_int_equal(x->day_to, y->day_to);
        assert_int_equal(x->date, y->date);
        assert_int_equal(x->date_to, y->date_to);
        assert_true(x->value == y->value && x->value_to == y->value_to);
        assert_int_equal(x->off, y->off);
    }
    unlink(path);
    scn_free(t);
    scn_free(s);

    struct ss_error err = {0};
    assert_int_equal(scn_load(&s, GOOD, &err), SS_OK);
    assert_int_equal(scn_set(s, "schedule=[{day: 5, set: {scoring.recovery: 0.01}}]", &err), SS_OK);
    assert_int_equal(scn_finish(s, &err), SS_OK);
    assert_int_equal(scn_params(s)->schedule.n, 1);
    struct params at;
    sched_params_at(scn_params(s), 5, &at);
    assert_true(at.scoring.recovery == 0.01);
    scn_free(s);
    /* a date moves with start_date */
    assert_int_equal(scn_load(&s, GOOD, &err), SS_OK);
    assert_int_equal(scn_set(s, "schedule=[{date: 2013-10-11, set: {scoring.recovery: 0}}]", &err),
                     SS_OK);
    assert_int_equal(scn_set(s, "start_date=2013-10-02", &err), SS_OK);
    assert_int_equal(scn_finish(s, &err), SS_OK);
    assert_int_equal(scn_params(s)->schedule.c[0].day, 10);
    scn_free(s);
    /* a bad --set schedule names the argument */
    assert_int_equal(scn_load(&s, GOOD, &err), SS_OK);
    assert_int_equal(scn_set(s, "schedule=[{day: 5, set: {days: 3}}]", &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "'days' cannot change during a run"));
    scn_free(s);
}

/* A run under a schedule: the travel ban switched on on day 25 refuses
 * flights only from then on; the cameras opened from 0.1 to 0.9 of the
 * majority on day 30 watch a wider set that holds every agent watched
 * before; integration 0 then 1 changes the listed. Against the same
 * scenario without the schedule, the days before the first change are
 * identical, bit for bit. */
static void test_run_under_schedule(void **state)
{
    const uint32_t n = th_sanitized() ? 3000 : 12000;
    const char *sets[] = {"behaviour.travel.rate=0.05",
                          "behaviour.payment.period=5",
                          "sanctions.travel_ban.enabled=false",
                          "surveillance.cameras.coverage=0.1",
                          "scoring.integration=0",
                          "schedule=[{day: 25, set: {sanctions.travel_ban.enabled: true}}, "
                          "{day: 30, set: {surveillance.cameras.coverage: 0.9}}, "
                          "{ramp: scoring.integration, from: {day: 32, value: 0}, "
                          "to: {day: 36, value: 1}}]",
                          NULL};
    struct scenario *s = th_scenario(n, 40, sets);
    sets[5] = NULL; /* the same without the schedule */
    struct scenario *u = th_scenario(n, 40, sets);
    struct sim *a = th_sim(s, 2, 0), *b = th_sim(u, 2, 0);
    uint8_t *watched = malloc(n);
    assert_non_null(watched);
    int64_t refused_before = 0, refused_after = 0, listed_differs = 0;
    for (int day = 1; day <= 40; day++) {
        if (day == 30) memcpy(watched, a->world.st.watched, n);
        th_step(a);
        th_step(b);
        th_measure(a);
        th_measure(b);
        const struct group_counts *t = &a->eng.counts.row[a->world.pop.n_groups];
        if (day < 25) {
            th_assert_same_sims(a, b, "before the first change");
            refused_before += t->sanctions[SA_TRAVEL];
        } else {
            refused_after += t->sanctions[SA_TRAVEL];
        }
        if (day == 30) {
            uint32_t more = 0;
            for (uint32_t i = 0; i < n; i++) {
                const uint8_t cam = 1u << CH_CAMERAS;
                if ((watched[i] & cam) && !(a->world.st.watched[i] & cam))
                    fail_msg("agent %u no longer watched by the cameras", i);
                more += !(watched[i] & cam) && (a->world.st.watched[i] & cam);
            }
            assert_true(more > n / 4);
        }
        if (day >= 36)
            listed_differs += a->met.rows[a->world.pop.n_groups].listed !=
                              b->met.rows[b->world.pop.n_groups].listed;
        assert_true(a->world.p->scoring.integration == (day < 32    ? 0
                                                        : day >= 36 ? 1
                                                                    : (day - 32) / 4.0));
    }
    assert_int_equal(refused_before, 0);
    assert_true(refused_after > 0);
    assert_true(listed_differs > 0);
    free(watched);
    sim_free(a);
    sim_free(b);
    scn_free(s);
    scn_free(u);
}

/* The fast and the reference step give the same bits under a schedule
 * that moves the things the fast step keeps: who is watched, the contact
 * probability of a layer (its binomial draws), association. */
static void test_fast_equals_reference(void **state)
{
    const uint32_t n = th_sanitized() ? 2500 : 10000;
    const char *more[] = {"schedule=[{day: 10, set: {network.layers.online.contact: 0.6, "
                          "surveillance.phone.coverage: 1}}, {day: 20, set: "
                          "{sanctions.association.enabled: false}}, {ramp: "
                          "scoring.integration, from: {day: 15, value: 0.9}, to: {day: 30, "
                          "value: 0.1}}]",
                          NULL};
    struct scenario *s = th_busy_scenario(n, th_sanitized() ? 35 : 60, more);
    struct sim *f = th_sim(s, 2, 0), *r = th_sim(s, 1, 1);
    assert_true(f->eng.xp.enabled && !r->eng.xp.enabled);
    for (int day = 1; day <= f->world.p->days; day++) {
        th_step(f);
        th_step(r);
        th_measure(f);
        th_measure(r);
        th_assert_same_sims(f, r, "fast against reference");
    }
    sim_free(f);
    sim_free(r);
    scn_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_params_at),
        cmocka_unit_test(test_print_and_set),
        cmocka_unit_test(test_run_under_schedule),
        cmocka_unit_test(test_fast_equals_reference),
    };
    return cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
}
