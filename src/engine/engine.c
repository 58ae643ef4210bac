/*
 * engine.c - setting up and freeing the engine, and starting a world (see
 * engine.h). The day step itself is step.c.
 */
#include "engine/engine.h"

#include <string.h>

#include "core/error.h"
#include "model/scoring.h"

static uint32_t eng_blocks(uint32_t n)
{
    return (uint32_t)(((uint64_t)n + STATE_BLOCK - 1) / STATE_BLOCK);
}

size_t eng_estimate_bytes(const struct params *p)
{
    size_t n = p->population.agents, blocks = eng_blocks(p->population.agents);
    size_t groups = p->population.groups.n + 1, layers = p->network.n_layers;
    /* acts, met_listed, status_before; the block sums; the contacts; the
     * kept counts. Per-thread scratch and triggers are small. */
    return n * (2 * sizeof(uint16_t) + sizeof(uint8_t)) + blocks * SCORE_CAP_PART * sizeof(double) +
           groups * (layers ? layers : 1) * sizeof(int64_t) + expo_estimate_bytes(p);
}

int eng_create(struct engine *e, const struct world *w, int threads, int reference, struct mem *m,
               struct ss_error *err)
{
    memset(e, 0, sizeof *e);
    const uint32_t n = w->pop.n, nl = w->net.n_layers;
    e->threads = threads > 0 ? threads : 1;
    e->n_blocks = eng_blocks(n);
    tally_clear(&e->counts, w->pop.n_groups);
    int rc = expo_init(&e->xp, w, reference, e->threads, m, err);
    if (rc == SS_OK) rc = beh_init(&e->trig, w, m, err);
    if (rc != SS_OK) goto fail;
    e->draw = mem_alloc_array(m, (size_t)e->threads, sizeof *e->draw);
    e->acts = mem_calloc(m, n, sizeof *e->acts);
    e->cap_part = mem_calloc(m, (size_t)e->n_blocks * SCORE_CAP_PART, sizeof *e->cap_part);
    e->contacts = mem_calloc(m, (size_t)(w->pop.n_groups + 1) * (nl ? nl : 1), sizeof *e->contacts);
    int ok = e->draw && e->acts && e->cap_part && e->contacts;
    if (ok && e->xp.enabled) {
        e->met_listed = mem_calloc(m, n, sizeof *e->met_listed);
        e->status_before = mem_calloc(m, n, sizeof *e->status_before);
        ok = e->met_listed && e->status_before;
    }
    if (ok) return SS_OK;
    rc = err_nomem(err, "allocating the engine's scratch");
fail:
    eng_free(e, m);
    return rc;
}

void eng_free(struct engine *e, struct mem *m)
{
    expo_free(&e->xp, m);
    beh_free(&e->trig, m);
    mem_free(m, e->draw);
    mem_free(m, e->acts);
    mem_free(m, e->met_listed);
    mem_free(m, e->status_before);
    mem_free(m, e->cap_part);
    mem_free(m, e->contacts);
    memset(e, 0, sizeof *e);
}

void eng_start(struct engine *e, struct world *w)
{
    surv_init_coverage(w, e->threads, w->st.watched);
    score_update_caps(w, e->threads, e->cap_part, w->st.cap);
}
