/*
 * exposure.c - kept counts of what agents see of their contacts, and the
 * day's meetings (see exposure.h).
 *
 * Counts change by atomic adds: two agents whose state changes on the same
 * day may share a contact, and integer adds commute, so the counts are the
 * same whatever the order. Cuts are accounted once per tie: the end that
 * wins the compare-and-swap on the lower id's entry does it.
 */
#include "engine/exposure.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/rng.h"

#define EXPO_BLOCK 4096u

/* Index of the unordered group pair (g, h) of layer l in free_ties. */
static inline size_t expo_cell(uint32_t l, uint32_t g, uint32_t h)
{
    uint32_t a = g < h ? g : h, b = g < h ? h : g;
    return ((size_t)l * MAX_GROUPS + a) * MAX_GROUPS + b;
}

#define EXPO_CELLS ((size_t)MAX_LAYERS * MAX_GROUPS * MAX_GROUPS)

/* The counts a scan of the state gives (one agent's part of a recount). */
struct expo_row {
    uint32_t ties, listed, interned, protesting;
};

static void expo_count_row(const struct world *w, uint32_t i, struct expo_row *r, int64_t *cells,
                           int64_t *net_ties, int64_t *net_in_group, int64_t *net_cut)
{
    const uint8_t *status = w->st.status;
    const uint8_t *group = w->pop.group;
    const uint32_t gi = group[i], nl = w->net.n_layers;
    const int free_i = !(state_visible(status[i]) & (VIS_LISTED | VIS_INTERNED));
    memset(r, 0, sizeof *r);
    for (uint32_t l = 0; l < nl; l++) {
        const struct layer *ly = &w->net.layer[l];
        for (net_off_t e = ly->off[i]; e < ly->off[i + 1]; e++) {
            uint32_t j = ly->adj[e];
            if (j == NET_CUT) {
                net_cut[gi]++;
                continue;
            }
            unsigned v = state_visible(status[j]);
            r->ties++;
            r->listed += (v & VIS_LISTED) != 0;
            r->interned += (v & VIS_INTERNED) != 0;
            r->protesting += (v & VIS_PROTEST) != 0;
            net_ties[(size_t)gi * nl + l]++;
            net_in_group[(size_t)gi * nl + l] += group[j] == gi;
            if (j > i && free_i && !(v & (VIS_LISTED | VIS_INTERNED)))
                cells[expo_cell(l, gi, group[j])]++;
        }
    }
}

/* Recount everything into the given arrays (per agent: n entries each;
 * cells, net_*: zeroed here). */
static void expo_recount(const struct world *w, int threads, uint16_t *ties, uint16_t *listed,
                         uint16_t *interned, uint16_t *protesting, int64_t *cells,
                         int64_t *net_ties, int64_t *net_in_group, int64_t *net_cut)
{
    const uint32_t n = w->pop.n, ng = w->pop.n_groups, nl = w->net.n_layers;
    memset(cells, 0, EXPO_CELLS * sizeof *cells);
    memset(net_ties, 0, (size_t)ng * nl * sizeof *net_ties);
    memset(net_in_group, 0, (size_t)ng * nl * sizeof *net_in_group);
    memset(net_cut, 0, (size_t)ng * sizeof *net_cut);
#pragma omp parallel num_threads(threads)
    {
        int64_t lc[EXPO_CELLS], lt[MAX_GROUPS * MAX_LAYERS], lg[MAX_GROUPS * MAX_LAYERS],
            lx[MAX_GROUPS];
        memset(lc, 0, sizeof lc);
        memset(lt, 0, sizeof lt);
        memset(lg, 0, sizeof lg);
        memset(lx, 0, sizeof lx);
#pragma omp for schedule(dynamic, EXPO_BLOCK)
        for (uint32_t i = 0; i < n; i++) {
            struct expo_row r;
            expo_count_row(w, i, &r, lc, lt, lg, lx);
            ties[i] = (uint16_t)r.ties;
            listed[i] = (uint16_t)r.listed;
            interned[i] = (uint16_t)r.interned;
            protesting[i] = (uint16_t)r.protesting;
        }
#pragma omp critical
        {
            for (size_t k = 0; k < EXPO_CELLS; k++) cells[k] += lc[k];
            for (size_t k = 0; k < (size_t)ng * nl; k++) {
                net_ties[k] += lt[k];
                net_in_group[k] += lg[k];
            }
            for (uint32_t g = 0; g < ng; g++) net_cut[g] += lx[g];
        }
    }
}

int expo_init(struct exposure *xp, const struct world *w, int reference, int threads, struct mem *m,
              struct ss_error *err)
{
    memset(xp, 0, sizeof *xp);
    if (reference) return SS_OK;
    const uint32_t n = w->pop.n, ng = w->pop.n_groups, nl = w->net.n_layers;
    /* The counts are 16-bit: a larger degree (possible in an edge list)
     * runs the reference step, which counts in 32 bits. */
    uint64_t max_degree = 0;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(max : max_degree)
    for (uint32_t i = 0; i < n; i++) {
        uint64_t d = 0;
        for (uint32_t l = 0; l < nl; l++) d += w->net.layer[l].off[i + 1] - w->net.layer[l].off[i];
        if (d > max_degree) max_degree = d;
    }
    if (max_degree > EXPO_MAX_DEGREE) return SS_OK;
    xp->ties = mem_alloc_array(m, n, sizeof *xp->ties);
    xp->listed = mem_alloc_array(m, n, sizeof *xp->listed);
    xp->interned = mem_alloc_array(m, n, sizeof *xp->interned);
    xp->protesting = mem_alloc_array(m, n, sizeof *xp->protesting);
    xp->free_ties = mem_calloc(m, EXPO_CELLS, sizeof *xp->free_ties);
    xp->net_ties = mem_calloc(m, (size_t)ng * (nl ? nl : 1), sizeof *xp->net_ties);
    xp->net_in_group = mem_calloc(m, (size_t)ng * (nl ? nl : 1), sizeof *xp->net_in_group);
    xp->net_cut = mem_calloc(m, ng ? ng : 1, sizeof *xp->net_cut);
    if ((n && (!xp->ties || !xp->listed || !xp->interned || !xp->protesting)) || !xp->free_ties ||
        !xp->net_ties || !xp->net_in_group || !xp->net_cut) {
        expo_free(xp, m);
        return err_nomem(err, "allocating the contact counts");
    }
    expo_recount(w, threads, xp->ties, xp->listed, xp->interned, xp->protesting, xp->free_ties,
                 xp->net_ties, xp->net_in_group, xp->net_cut);
    xp->enabled = 1;
    return SS_OK;
}

size_t expo_estimate_bytes(const struct params *p)
{
    return (size_t)p->population.agents * 4 * sizeof(uint16_t) + EXPO_CELLS * sizeof(int64_t);
}

void expo_free(struct exposure *xp, struct mem *m)
{
    mem_free(m, xp->ties);
    mem_free(m, xp->listed);
    mem_free(m, xp->interned);
    mem_free(m, xp->protesting);
    mem_free(m, xp->free_ties);
    mem_free(m, xp->net_ties);
    mem_free(m, xp->net_in_group);
    mem_free(m, xp->net_cut);
    memset(xp, 0, sizeof *xp);
}

void expo_get(const struct exposure *xp, uint16_t *met_listed, uint32_t i, struct beh_exposure *x)
{
    assert(xp->enabled && met_listed);
    x->ties = xp->ties[i];
    x->met_listed = met_listed[i];
    met_listed[i] = 0; /* consumed: the array is all zero again after the agent pass */
    x->sanctioned = (uint32_t)xp->listed[i] + xp->interned[i];
    x->present = (uint32_t)xp->ties[i] - xp->interned[i];
    x->protesting = xp->protesting[i];
}

/* ---- meetings ---------------------------------------------------------- */

/* Reference: agent i's ties to higher ids, both ends present. A tie with a
 * listed end is drawn on its own (its draw also decides association
 * meetings, beh_expose); the others are counted into cells for the
 * binomial draw. */
static void expo_meet_scan(const struct world *w, uint32_t i, uint32_t day,
                           int64_t ends[MAX_LAYERS][MAX_GROUPS], int64_t *cells)
{
    const uint8_t *status = w->st.status, *group = w->pop.group;
    const unsigned vi = state_visible(status[i]);
    if (vi & VIS_INTERNED) return;
    for (uint32_t l = 0; l < w->net.n_layers; l++) {
        const struct layer *ly = &w->net.layer[l];
        if (!(w->p->network.layers[l].contact > 0)) continue;
        for (net_off_t e = ly->off[i]; e < ly->off[i + 1]; e++) {
            uint32_t j = ly->adj[e];
            if (j == NET_CUT || j < i) continue;
            unsigned vj = state_visible(status[j]);
            if (vj & VIS_INTERNED) continue;
            if ((vi | vj) & VIS_LISTED) {
                if (beh_tie_active(w, l, i, j, day)) {
                    ends[l][group[i]]++;
                    ends[l][group[j]]++;
                }
            } else {
                cells[expo_cell(l, group[i], group[j])]++;
            }
        }
    }
}

/* Fast: listed agent i's ties, drawn once each (a tie between two listed
 * agents from its lower end); each contact present meets i if active. */
static void expo_meet_push(const struct world *w, uint32_t i, uint32_t day, uint16_t *met,
                           int64_t ends[MAX_LAYERS][MAX_GROUPS])
{
    const uint8_t *status = w->st.status, *group = w->pop.group;
    const int assoc =
        w->p->sanctions.association.enabled && beh_assoc_counts(w->p, w->st.listed_day[i], day);
    for (uint32_t l = 0; l < w->net.n_layers; l++) {
        const struct layer *ly = &w->net.layer[l];
        if (!(w->p->network.layers[l].contact > 0)) continue;
        for (net_off_t e = ly->off[i]; e < ly->off[i + 1]; e++) {
            uint32_t j = ly->adj[e];
            if (j == NET_CUT) continue;
            unsigned vj = state_visible(status[j]);
            if (vj & VIS_INTERNED) continue;
            if (!beh_tie_active(w, l, i, j, day)) continue;
            if (assoc) __atomic_fetch_add(&met[j], 1, __ATOMIC_RELAXED);
            if (!(vj & VIS_LISTED) || i < j) {
                ends[l][group[i]]++;
                ends[l][group[j]]++;
            }
        }
    }
}

/* The binomial part: today's active ties among the free ties of each
 * layer and group pair, one keyed draw per cell. */
static void expo_meet_cells(const struct world *w, uint32_t day, const int64_t *cells,
                            int64_t ends[MAX_LAYERS][MAX_GROUPS])
{
    const uint32_t ng = w->pop.n_groups;
    for (uint32_t l = 0; l < w->net.n_layers; l++) {
        const double p = w->p->network.layers[l].contact;
        if (!(p > 0)) continue;
        for (uint32_t g = 0; g < ng; g++)
            for (uint32_t h = g; h < ng; h++) {
                int64_t c = cells[expo_cell(l, g, h)];
                if (c <= 0) continue;
                int64_t k = c;
                if (p < 1.0) {
                    struct rng r;
                    rng_init(&r, w->p->seed, g * MAX_GROUPS + h, day, RS_CONTACT_CELL + l);
                    k = (int64_t)rng_binomial(&r, p, (uint64_t)c);
                }
                ends[l][g] += k;
                ends[l][h] += k;
            }
    }
}

void expo_meet(const struct exposure *xp, const struct world *w, uint32_t day, int threads,
               uint16_t *met_listed, int64_t *contacts, struct day_counts *counts)
{
    const uint32_t n = w->pop.n, ng = w->pop.n_groups, nl = w->net.n_layers;
    const int fast = xp->enabled;
    assert(day >= 1 && (!fast || met_listed));
    memset(contacts, 0, (size_t)(ng + 1) * nl * sizeof *contacts);
    if (nl == 0) return;
    int64_t ends[MAX_LAYERS][MAX_GROUPS];
    memset(ends, 0, sizeof ends);
    int64_t scan_cells[EXPO_CELLS];
    memset(scan_cells, 0, sizeof scan_cells);
    const int64_t *cells = fast ? xp->free_ties : scan_cells;
    const uint32_t nblocks = (n + EXPO_BLOCK - 1) / EXPO_BLOCK;
#pragma omp parallel num_threads(threads)
    {
        int64_t le[MAX_LAYERS][MAX_GROUPS], lc[EXPO_CELLS];
        memset(le, 0, sizeof le);
        if (!fast) memset(lc, 0, sizeof lc);
#pragma omp for schedule(dynamic, 4)
        for (uint32_t b = 0; b < nblocks; b++) {
            uint32_t lo = b * EXPO_BLOCK, hi = lo + EXPO_BLOCK < n ? lo + EXPO_BLOCK : n;
            for (uint32_t i = lo; i < hi; i++) {
                if (fast) {
                    if (state_visible(w->st.status[i]) & VIS_LISTED)
                        expo_meet_push(w, i, day, met_listed, le);
                } else {
                    expo_meet_scan(w, i, day, le, lc);
                }
            }
        }
#pragma omp critical
        {
            for (uint32_t l = 0; l < nl; l++)
                for (uint32_t g = 0; g < ng; g++) ends[l][g] += le[l][g];
            if (!fast)
                for (size_t k = 0; k < EXPO_CELLS; k++) scan_cells[k] += lc[k];
        }
    }
    expo_meet_cells(w, day, cells, ends);
    for (uint32_t g = 0; g < ng; g++)
        for (uint32_t l = 0; l < nl; l++) {
            contacts[(size_t)g * nl + l] = ends[l][g];
            contacts[(size_t)ng * nl + l] += ends[l][g];
            counts->row[g].taken[ACT_MEET] += ends[l][g];
        }
}

/* ---- keeping the counts ------------------------------------------------ */

static inline void expo_add16(uint16_t *x, int d)
{
    if (d) __atomic_fetch_add(x, (uint16_t)d, __ATOMIC_RELAXED);
}

static inline void expo_add64(int64_t *x, int64_t d)
{
    if (d) __atomic_fetch_add(x, d, __ATOMIC_RELAXED);
}

static inline int expo_is_free(unsigned v)
{
    return !(v & (VIS_LISTED | VIS_INTERNED));
}

/* Push agent i's change of visible state, if any, along its rows. */
static void expo_push_change(struct exposure *xp, const struct world *w,
                             const uint8_t *status_before, uint32_t i)
{
    const uint8_t *status = w->st.status, *group = w->pop.group;
    const unsigned vo = state_visible(status_before[i]), vn = state_visible(status[i]);
    if (vo == vn) return;
    const int dl = (int)((vn & VIS_LISTED) != 0) - (int)((vo & VIS_LISTED) != 0);
    const int di = (int)((vn & VIS_INTERNED) != 0) - (int)((vo & VIS_INTERNED) != 0);
    const int dp = (int)((vn & VIS_PROTEST) != 0) - (int)((vo & VIS_PROTEST) != 0);
    const int fo = expo_is_free(vo), fn = expo_is_free(vn);
    for (uint32_t l = 0; l < w->net.n_layers; l++) {
        const struct layer *ly = &w->net.layer[l];
        for (net_off_t e = ly->off[i]; e < ly->off[i + 1]; e++) {
            uint32_t j = ly->adj[e];
            if (j == NET_CUT) continue;
            expo_add16(&xp->listed[j], dl);
            expo_add16(&xp->interned[j], di);
            expo_add16(&xp->protesting[j], dp);
            /* The free-tie count of the pair: if both ends changed, the
             * lower id accounts for the tie. */
            const unsigned vjo = state_visible(status_before[j]), vjn = state_visible(status[j]);
            if (vjo != vjn && j < i) continue;
            int was = fo && expo_is_free(vjo);
            int is = fn && expo_is_free(vjn);
            expo_add64(&xp->free_ties[expo_cell(l, group[i], group[j])], is - was);
        }
    }
}

void expo_propagate(struct exposure *xp, const struct world *w, const uint8_t *status_before,
                    int threads)
{
    assert(xp->enabled && status_before);
    const uint8_t *status = w->st.status;
    const uint32_t n = w->pop.n, n8 = (uint32_t)(((uint64_t)n + 7) / 8);
    /* In groups of 8 agents: most agents' status did not move at all, and
     * one 64-bit comparison skips 8 of them. */
#pragma omp parallel for num_threads(threads) schedule(dynamic, EXPO_BLOCK / 8)
    for (uint32_t k = 0; k < n8; k++) {
        const uint32_t lo = k * 8, hi = n - lo < 8 ? n : lo + 8;
        if (hi - lo == 8) {
            uint64_t a, b;
            memcpy(&a, status_before + lo, sizeof a);
            memcpy(&b, status + lo, sizeof b);
            if (a == b) continue;
        }
        for (uint32_t i = lo; i < hi; i++) expo_push_change(xp, w, status_before, i);
    }
}

void expo_on_cut(void *cutter, uint32_t l, uint32_t i, uint32_t j)
{
    const struct expo_cutter *c = cutter;
    struct exposure *xp = c->xp;
    assert(i != j && l < c->w->net.n_layers && i < c->w->pop.n && j < c->w->pop.n);
    if (!xp->enabled) return;
    const uint8_t *status = c->w->st.status, *group = c->w->pop.group;
    const uint32_t nl = c->w->net.n_layers, gi = group[i], gj = group[j];
    const unsigned vi = state_visible(status[i]), vj = state_visible(status[j]);
    expo_add16(&xp->ties[i], -1);
    expo_add16(&xp->ties[j], -1);
    expo_add16(&xp->listed[i], -(int)((vj & VIS_LISTED) != 0));
    expo_add16(&xp->interned[i], -(int)((vj & VIS_INTERNED) != 0));
    expo_add16(&xp->protesting[i], -(int)((vj & VIS_PROTEST) != 0));
    expo_add16(&xp->listed[j], -(int)((vi & VIS_LISTED) != 0));
    expo_add16(&xp->interned[j], -(int)((vi & VIS_INTERNED) != 0));
    expo_add16(&xp->protesting[j], -(int)((vi & VIS_PROTEST) != 0));
    if (expo_is_free(vi) && expo_is_free(vj)) expo_add64(&xp->free_ties[expo_cell(l, gi, gj)], -1);
    expo_add64(&xp->net_ties[(size_t)gi * nl + l], -1);
    expo_add64(&xp->net_ties[(size_t)gj * nl + l], -1);
    if (gi == gj) expo_add64(&xp->net_in_group[(size_t)gi * nl + l], -2);
    expo_add64(&xp->net_cut[gi], 1);
    expo_add64(&xp->net_cut[gj], 1);
}

int expo_check(const struct exposure *xp, const struct world *w, int threads, struct ss_error *err)
{
    if (!xp->enabled) return SS_OK;
    const uint32_t n = w->pop.n, ng = w->pop.n_groups, nl = w->net.n_layers;
    /* A hook of its own: the check is a debug aid and must not move the
     * run's allocation figures. */
    struct mem m = {0};
    uint16_t *c = mem_alloc_array(&m, (size_t)4 * (n ? n : 1), sizeof *c);
    int64_t *cells = mem_alloc_array(&m, EXPO_CELLS, sizeof *cells);
    int64_t *net = mem_alloc_array(&m, (size_t)2 * ng * (nl ? nl : 1) + ng + 1, sizeof *net);
    if (!c || !cells || !net) {
        mem_free(&m, c);
        mem_free(&m, cells);
        mem_free(&m, net);
        return err_nomem(err, "checking the contact counts");
    }
    int64_t *nt = net, *ni = net + (size_t)ng * nl, *nc = ni + (size_t)ng * nl;
    expo_recount(w, threads, c, c + n, c + 2 * (size_t)n, c + 3 * (size_t)n, cells, nt, ni, nc);
    int rc = SS_OK;
    for (uint32_t i = 0; i < n && rc == SS_OK; i++)
        if (c[i] != xp->ties[i] || c[n + i] != xp->listed[i] ||
            c[2 * (size_t)n + i] != xp->interned[i] || c[3 * (size_t)n + i] != xp->protesting[i])
            rc = err_msg(err, SS_EINTERNAL,
                         "agent %u: kept contact counts %u/%u/%u/%u, recount %u/%u/%u/%u", i,
                         xp->ties[i], xp->listed[i], xp->interned[i], xp->protesting[i], c[i],
                         c[n + i], c[2 * (size_t)n + i], c[3 * (size_t)n + i]);
    for (size_t k = 0; k < EXPO_CELLS && rc == SS_OK; k++)
        if (cells[k] != xp->free_ties[k])
            rc = err_msg(err, SS_EINTERNAL, "free ties cell %zu: kept %lld, recount %lld", k,
                         (long long)xp->free_ties[k], (long long)cells[k]);
    for (size_t k = 0; k < (size_t)ng * nl && rc == SS_OK; k++)
        if (nt[k] != xp->net_ties[k] || ni[k] != xp->net_in_group[k])
            rc = err_msg(err, SS_EINTERNAL, "network figures of cell %zu differ", k);
    for (uint32_t g = 0; g < ng && rc == SS_OK; g++)
        if (nc[g] != xp->net_cut[g])
            rc = err_msg(err, SS_EINTERNAL, "cut entries of group %u differ", g);
    mem_free(&m, c);
    mem_free(&m, cells);
    mem_free(&m, net);
    return rc;
}
