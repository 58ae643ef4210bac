/*
 * world.c - building and freeing the world (see world.h).
 */
#include "world/world.h"

#include <string.h>

#include "scenario/schedule.h"

int world_build(struct world *w, const struct params *p, const char *base_dir, int threads,
                struct mem *m, struct ss_error *err)
{
    w->base = p;
    sched_params_at(p, 0, &w->params);
    w->p = &w->params;
    w->day = 0;
    memset(w->totals, 0, sizeof w->totals);
    int rc = pop_build(&w->pop, w->p, threads, m, err);
    if (rc == SS_OK) rc = net_build(&w->net, &w->pop, w->p, base_dir, threads, m, err);
    if (rc == SS_OK) rc = state_init(&w->st, w->p, &w->pop, threads, m, err);
    return rc;
}

void world_free(struct world *w, struct mem *m)
{
    state_free(&w->st, m);
    net_free(&w->net, m);
    pop_free(&w->pop, m);
}

size_t world_estimate_bytes(const struct params *p, const char *base_dir)
{
    return pop_estimate_bytes(p) + net_estimate_bytes(p, base_dir) + state_estimate_bytes(p);
}
