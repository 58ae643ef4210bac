/*
 * test_threads.c - simulations with different thread counts living in one
 * process. There is no process-wide OpenMP setting any more: every
 * parallel region of a sim states its own team size (run.threads), so two
 * sims of 1 and 2 threads can be created and stepped in turn, day 1 of A,
 * day 1 of B, day 2 of A, ..., and must still give the same bits as each
 * other and as sims of 1 and 2 threads run alone. Creating and stepping a
 * sim leaves the process's own OpenMP setting (omp_set_num_threads) as it
 * was, and each sim's agent pass really runs on its own team size.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The busy scenario (listings, internments, releases, protests, cuts and
 * court judgments within days), at a size that runs in a few seconds. */
static struct scenario *busy(void)
{
    return th_busy_scenario(th_sanitized() ? 2000 : 12000, th_sanitized() ? 35 : 60, NULL);
}

/* Every day's image of a sim run alone: [0] after creation (measured),
 * then [d] after day d. */
static struct th_image *run_alone(const struct scenario *s, int threads)
{
    struct sim *sim = th_sim(s, threads, 0);
    const int days = sim->world.p->days;
    struct th_image *im = calloc((size_t)days + 1, sizeof *im);
    assert_non_null(im);
    th_measure(sim);
    th_image_take(&im[0], sim);
    for (int d = 1; d <= days; d++) {
        th_step(sim);
        th_measure(sim);
        th_image_take(&im[d], sim);
    }
    sim_free(sim);
    return im;
}

static void free_images(struct th_image *im, int days)
{
    for (int d = 0; d <= days; d++) th_image_free(&im[d]);
    free(im);
}

/* Compare sim against the image taken alone on the same day. */
static void assert_as_alone(const struct sim *sim, const struct th_image *alone, const char *what)
{
    struct th_image now;
    th_image_take(&now, sim);
    th_image_assert_same(&now, alone, what);
    th_image_free(&now);
}

static void test_interleaved(void **state)
{
    omp_set_num_threads(3);
    struct scenario *s = busy();
    const int days = scn_params(s)->days;

    /* C and D: 1 and 2 threads, each run alone from start to end. */
    struct th_image *c = run_alone(s, 1), *d = run_alone(s, 2);
    for (int day = 0; day <= days; day++)
        th_image_assert_same(&c[day], &d[day], "1 thread alone against 2 threads alone");

    /* A and B: 1 and 2 threads, created together and stepped in turn. */
    struct sim *a = th_sim(s, 1, 0), *b = th_sim(s, 2, 0);
    assert_int_equal(a->run.threads, 1);
    assert_int_equal(b->run.threads, 2);
    assert_int_equal(a->eng.threads, 1);
    assert_int_equal(b->eng.threads, 2);
    th_measure(a);
    th_measure(b);
    th_assert_same_sims(a, b, "A (1 thread) against B (2 threads), interleaved");
    assert_as_alone(a, &c[0], "A (1 thread, interleaved) against C (1 thread, alone)");
    assert_as_alone(b, &d[0], "B (2 threads, interleaved) against D (2 threads, alone)");
    const int two = omp_get_num_procs() >= 2;
    int64_t listed = 0, interned = 0, protests = 0;
    for (int day = 1; day <= days; day++) {
        th_step(a);
        assert_int_equal(a->eng.team, 1);
        th_step(b);
        if (two) assert_int_equal(b->eng.team, 2);
        th_measure(a);
        th_measure(b);
        th_assert_same_sims(a, b, "A (1 thread) against B (2 threads), interleaved");
        assert_as_alone(a, &c[day], "A (1 thread, interleaved) against C (1 thread, alone)");
        assert_as_alone(b, &d[day], "B (2 threads, interleaved) against D (2 threads, alone)");
        const struct group_counts *t = &a->eng.counts.row[a->world.pop.n_groups];
        listed += t->sanctions[SA_LISTING];
        interned += t->sanctions[SA_INTERNMENT];
        protests += t->taken[ACT_PROTEST];
    }
    /* The sims changed nothing of the process's own setting. */
    assert_int_equal(omp_get_max_threads(), 3);
    /* The days were busy: the comparison had teeth. */
    assert_true(listed > 10 && interned > 5 && protests > 50);
    sim_free(a);
    sim_free(b);
    free_images(c, days);
    free_images(d, days);
    scn_free(s);
    assert_int_equal(omp_get_max_threads(), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interleaved),
    };
    return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
