/*
 * test_checkpoint.c - a world on disk (world/checkpoint.c): written after
 * a busy stretch of days (listings, internments, cut ties, debts), read
 * back into a world built afresh from the same scenario, it equals the
 * original array by array; the engine rebuilt over it, the next days equal
 * those of the sim that never stopped; its header says what it is; and a
 * world of another scenario is refused. (Truncated, corrupt and foreign
 * files are refused in tests/cli_checkpoint.sh, which also kills and
 * resumes whole runs.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "scenario/scenario.h"
#include "world/checkpoint.h"

static void test_round_trip(void **state)
{
    const uint32_t n = th_sanitized() ? 2500 : 8000;
    const int first = 25, total = 45;
    struct scenario *s = th_busy_scenario(n, total, NULL);
    struct sim *a = th_sim(s, 2, 0);
    for (int d = 0; d < first; d++) th_step(a);
    char path[] = "/tmp/scoresim-ckpt-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct ss_error err = {0};
    assert_int_equal(ckpt_write(&a->world, path, scn_text(s), scn_dir(s), 7, &err), SS_OK);

    struct mem m = {0};
    struct ckpt_meta meta;
    assert_int_equal(ckpt_read_meta(path, &meta, &m, &err), SS_OK);
    assert_int_equal(meta.day, first);
    assert_int_equal(meta.agents, n);
    assert_int_equal(meta.every, 7);
    assert_string_equal(meta.scenario, scn_text(s));
    assert_string_equal(meta.version, SS_VERSION);
    ckpt_meta_free(&meta, &m);
    assert_int_equal(m.live, 0);

    /* the world of the same scenario, restored: the same arrays; the
     * engine over it; the next days as the sim that went on */
    struct sim *b = th_sim(s, 1, 0);
    world_free(&b->world, &b->mem);
    eng_free(&b->eng, &b->mem);
    met_free(&b->met, &b->mem);
    memset(&b->world, 0, sizeof b->world);
    assert_int_equal(world_build(&b->world, scn_params(s), scn_dir(s), 1, &b->mem, &err), SS_OK);
    assert_int_equal(ckpt_restore(path, &b->world, &err), SS_OK);
    assert_int_equal(b->world.day, first);
    assert_int_equal(eng_create(&b->eng, &b->world, 1, 0, &b->mem, &err), SS_OK);
    assert_int_equal(met_init(&b->met, &b->world, 1, &b->mem, &err), SS_OK);
    int64_t cut = 0, listed = 0, debts = 0;
    for (uint32_t l = 0; l < a->world.net.n_layers; l++)
        for (uint64_t e = 0; e < a->world.net.layer[l].n_entries; e++)
            cut += a->world.net.layer[l].adj[e] == NET_CUT;
    for (uint32_t i = 0; i < n; i++) {
        listed += (a->world.st.status[i] & ST_LISTED) != 0;
        debts += a->world.st.debt[i] != 0;
    }
    assert_true(cut > 0 && listed > 0 && debts > 0); /* the checkpoint had something to hold */
    for (int d = first; d < total; d++) {
        th_step(a);
        th_step(b);
        th_measure(a);
        th_measure(b);
        th_assert_same_sims(a, b, "after a checkpoint");
    }
    sim_free(a);
    sim_free(b);

    /* a world of another scenario does not take it */
    const char *more[] = {"population.household_size=2.5", NULL};
    struct scenario *o = th_busy_scenario(n, total, more);
    struct sim *c = th_sim(o, 1, 0);
    assert_int_equal(ckpt_restore(path, &c->world, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "does not fit this scenario"));
    sim_free(c);
    scn_free(o);
    scn_free(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests_name("checkpoint", tests, NULL, NULL);
}
