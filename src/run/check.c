/*
 * check.c - what `scoresim check` reads beyond the scenario itself: every
 * input file a run would read before its first day, read by the same code
 * as the run's and refused with the run's own message, so that a scenario
 * `check` passes does not then fail to start.
 */
#include "core/error.h"
#include "core/mem.h"
#include "scenario/scenario.h"
#include "world/network.h"

int sim_check_inputs(const struct scenario *s, struct ss_error *err)
{
    /* the scenario's other input is its edge lists (the population and
     * the other layers are drawn from the seed, not read) */
    struct mem m = {0};
    return net_check_edge_lists(scn_params(s), scn_dir(s), &m, err);
}
