/*
 * state.c - allocation and initial values of the agents' dynamic state
 * (see state.h).
 */
#include "world/state.h"

#include <string.h>

#include "core/error.h"
#include "core/rng.h"

size_t state_estimate_bytes(const struct params *p)
{
    size_t n = p->population.agents;
    size_t misses =
        p->scoring.court.missed_payments > 0 ? (size_t)p->scoring.court.missed_payments - 1 : 0;
    size_t per_agent = sizeof(float) * (2 + N_SUBSYSTEMS) + 4 * sizeof(uint8_t) +
                       3 * sizeof(uint16_t) + sizeof(uint64_t) + misses * sizeof(uint16_t);
    return n * per_agent;
}

int state_init(struct state *st, const struct params *p, const struct population *pop, int threads,
               struct mem *m, struct ss_error *err)
{
    const size_t n = pop->n;
    memset(st, 0, sizeof *st);
    st->n = pop->n;
    st->n_misses =
        p->scoring.court.missed_payments > 0 ? (uint32_t)p->scoring.court.missed_payments - 1 : 0;
    st->attitude = mem_alloc_array(m, n, sizeof *st->attitude);
    st->fear = mem_alloc_array(m, n, sizeof *st->fear);
    for (int d = 0; d < N_SUBSYSTEMS; d++) st->ledger[d] = mem_alloc_array(m, n, sizeof(float));
    st->status = mem_alloc_array(m, n, 1);
    st->history = mem_alloc_array(m, n, 1);
    st->watched = mem_alloc_array(m, n, 1);
    st->listed_day = mem_alloc_array(m, n, sizeof *st->listed_day);
    st->interned_until = mem_alloc_array(m, n, sizeof *st->interned_until);
    st->misses = mem_alloc_array(m, n * st->n_misses, sizeof *st->misses);
    st->debt = mem_alloc_array(m, n, sizeof *st->debt);
    st->sanctioned = mem_alloc_array(m, n, sizeof *st->sanctioned);
    st->sanctioned_last = mem_alloc_array(m, n, sizeof *st->sanctioned_last);
    int ok = st->attitude && st->fear && st->status && st->history && st->watched &&
             st->listed_day && st->interned_until && st->misses && st->debt && st->sanctioned &&
             st->sanctioned_last;
    for (int d = 0; d < N_SUBSYSTEMS; d++) ok = ok && st->ledger[d];
    if (!ok) {
        state_free(st, m);
        return err_nomem(err, "allocating the agents' state");
    }
    const uint64_t seed = p->seed;
    const struct dist *att = &p->population.attitude;
    /* First touch in parallel, so pages land near the threads that use them. */
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < n; i++) {
        st->attitude[i] = pop_draw(att, seed, (uint32_t)i, RS_ATTITUDE);
        st->fear[i] = 0;
        for (int d = 0; d < N_SUBSYSTEMS; d++) st->ledger[d][i] = 0;
        st->status[i] = st->history[i] = st->watched[i] = 0;
        st->listed_day[i] = st->interned_until[i] = st->sanctioned_last[i] = 0;
        st->debt[i] = 0;
        st->sanctioned[i] = 0;
        for (uint32_t k = 0; k < st->n_misses; k++) st->misses[i * st->n_misses + k] = 0;
    }
    for (int d = 0; d <= N_SUBSYSTEMS; d++) st->cap[d] = p->scoring.max;
    return SS_OK;
}

void state_free(struct state *st, struct mem *m)
{
    mem_free(m, st->attitude);
    mem_free(m, st->fear);
    for (int d = 0; d < N_SUBSYSTEMS; d++) mem_free(m, st->ledger[d]);
    mem_free(m, st->status);
    mem_free(m, st->history);
    mem_free(m, st->watched);
    mem_free(m, st->listed_day);
    mem_free(m, st->interned_until);
    mem_free(m, st->misses);
    mem_free(m, st->debt);
    mem_free(m, st->sanctioned);
    mem_free(m, st->sanctioned_last);
    memset(st, 0, sizeof *st);
}
