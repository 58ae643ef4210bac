/*
 * state.c - allocation and initial values of the dynamic state, and the
 * day's tallies (see state.h).
 */
#include "world/state.h"

#include <string.h>

#include "core/error.h"
#include "model/surveillance.h"

size_t state_estimate_bytes(const struct params *p)
{
    size_t n = p->population.agents, blocks = (n + STATE_BLOCK - 1) / STATE_BLOCK;
    size_t misses =
        p->scoring.court.missed_payments > 0 ? (size_t)p->scoring.court.missed_payments - 1 : 0;
    size_t per_agent = sizeof(float) * (1 + N_SUBSYSTEMS) + 3 * sizeof(uint8_t) + sizeof(uint16_t) +
                       2 * sizeof(uint16_t) + misses * sizeof(uint16_t);
    return n * per_agent + blocks * (N_SUBSYSTEMS + 2) * sizeof(double);
}

int state_init(struct state *st, const struct params *p, const struct population *pop,
               struct mem *m, struct ss_error *err)
{
    const size_t n = pop->n;
    memset(st, 0, sizeof *st);
    st->n = pop->n;
    st->n_misses =
        p->scoring.court.missed_payments > 0 ? (uint32_t)p->scoring.court.missed_payments - 1 : 0;
    st->n_blocks = (pop->n + STATE_BLOCK - 1) / STATE_BLOCK;
    st->fear = mem_alloc_array(m, n, sizeof *st->fear);
    for (int d = 0; d < N_SUBSYSTEMS; d++) st->ledger[d] = mem_alloc_array(m, n, sizeof(float));
    st->status = mem_alloc_array(m, n, 1);
    st->history = mem_alloc_array(m, n, 1);
    st->watched = mem_alloc_array(m, n, 1);
    st->acts = mem_alloc_array(m, n, sizeof *st->acts);
    st->listed_day = mem_alloc_array(m, n, sizeof *st->listed_day);
    st->interned_until = mem_alloc_array(m, n, sizeof *st->interned_until);
    st->misses = mem_alloc_array(m, n * st->n_misses, sizeof *st->misses);
    st->cap_part = mem_alloc_array(m, (size_t)st->n_blocks * (N_SUBSYSTEMS + 2), sizeof(double));
    int ok = st->fear && st->status && st->history && st->watched && st->acts && st->listed_day &&
             st->interned_until && st->misses && st->cap_part;
    for (int d = 0; d < N_SUBSYSTEMS; d++) ok = ok && st->ledger[d];
    if (!ok) {
        state_free(st, m);
        return err_nomem(err, "allocating the agents' state");
    }
    /* First touch in parallel, so pages land near the threads that use them. */
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        st->fear[i] = 0;
        for (int d = 0; d < N_SUBSYSTEMS; d++) st->ledger[d][i] = 0;
        st->status[i] = st->history[i] = 0;
        st->acts[i] = 0;
        st->listed_day[i] = st->interned_until[i] = 0;
        for (uint32_t k = 0; k < st->n_misses; k++) st->misses[i * st->n_misses + k] = 0;
    }
    for (int d = 0; d <= N_SUBSYSTEMS; d++) st->cap[d] = p->scoring.max;
    surv_init_coverage(st, p, pop);
    return SS_OK;
}

void state_free(struct state *st, struct mem *m)
{
    mem_free(m, st->fear);
    for (int d = 0; d < N_SUBSYSTEMS; d++) mem_free(m, st->ledger[d]);
    mem_free(m, st->status);
    mem_free(m, st->history);
    mem_free(m, st->watched);
    mem_free(m, st->acts);
    mem_free(m, st->listed_day);
    mem_free(m, st->interned_until);
    mem_free(m, st->misses);
    mem_free(m, st->cap_part);
    memset(st, 0, sizeof *st);
}

/* The tallies are plain int64 fields: a row is an array of them. */
#define COUNTS_PER_ROW (sizeof(struct group_counts) / sizeof(int64_t))

void state_counts_add(struct day_counts *c, const struct day_counts *d, uint32_t n_groups)
{
    for (uint32_t g = 0; g <= n_groups; g++) {
        int64_t *x = (int64_t *)&c->row[g];
        const int64_t *y = (const int64_t *)&d->row[g];
        for (size_t k = 0; k < COUNTS_PER_ROW; k++) x[k] += y[k];
    }
}

void state_counts_total(struct day_counts *c, uint32_t n_groups)
{
    int64_t *all = (int64_t *)&c->row[n_groups];
    memset(all, 0, sizeof c->row[n_groups]);
    for (uint32_t g = 0; g < n_groups; g++) {
        const int64_t *y = (const int64_t *)&c->row[g];
        for (size_t k = 0; k < COUNTS_PER_ROW; k++) all[k] += y[k];
    }
}

void state_counts_clear(struct day_counts *c, uint32_t n_groups)
{
    c->n_rows = n_groups + 1;
    memset(c->row, 0, sizeof c->row);
}
