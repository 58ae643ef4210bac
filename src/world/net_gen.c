/*
 * net_gen.c - the random network generators: Watts-Strogatz small worlds,
 * Barabasi-Albert scale-free graphs, Erdos-Renyi G(n, p); and the keyed
 * permutation that orders their members.
 *
 * Every draw is keyed by (seed, agent, setup day, RS_LAYER_BUILD + layer)
 * at a block chosen by what it is for, never by thread, so each generator
 * gives the same ties for any thread count; net_csr_build makes the rows
 * identical whatever order the ties were emitted in.
 */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "world/net_internal.h"

/* Redraws of a rewired tie's far end that hits the agent itself. */
#define WS_TRIES 32
/* Redraws of a Barabasi-Albert slot's target (self-loops, repeats). */
#define BA_TRIES 64
/* Special values of a Barabasi-Albert slot's target. Real targets are
 * arrival positions, below all three. */
#define BA_OFF   (UINT32_MAX - 2) /* a slot its node does not use */
#define BA_NONE  (UINT32_MAX - 1) /* no valid target within BA_TRIES: no tie */
#define BA_UNRES UINT32_MAX       /* not resolved yet */
/* Rank of a slot drawn from the global process. */
#define BA_GLOBAL UINT32_MAX
/* Slot j of a node draws from block (j + 1) << BA_SLOT_SHIFT of the node's
 * sequence (block 0 is the node's own draws), so every slot has its own
 * sequence whoever resolves it; slots per node stay below 1 << 15 so these
 * blocks stay under NET_KEY_BLOCK. */
#define BA_SLOT_SHIFT 16
#define BA_MAX_SLOTS  32767u
/* Arrival positions per block when ranking in-group slots. */
#define BA_BLOCK 16384u
/* Slots per chunk when resolving; chunks interleave the threads, so each
 * mostly finds the earlier slots it needs already resolved. */
#define BA_CHUNK 1024u

void net_perm_init(struct net_perm *f, uint32_t n, uint64_t seed, uint32_t entity, uint32_t stream)
{
    uint32_t bits = 2;
    while (bits < 32 && ((uint64_t)1 << bits) < n) bits++;
    bits += bits & 1;
    f->n = n;
    f->half = bits / 2;
    f->mask = (f->half >= 32 ? 0 : (1u << f->half)) - 1;
    struct rng r;
    net_rng_at(&r, seed, entity, stream, NET_KEY_BLOCK);
    for (int i = 0; i < 4; i++) {
        uint64_t hi = rng_u32(&r);
        f->key[i] = hi << 32 | rng_u32(&r);
    }
}

/* ---- Watts-Strogatz ---------------------------------------------------- */

/* One ring: the members of a layer (adults, or children, or online adults)
 * in workplace (school) order. The order takes the groups one after the
 * other, as agent ids do, so ring neighbours share a group; within a group
 * it follows a keyed permutation of the group's members, so that household
 * members (contiguous ids) are not put next to each other. */
struct ws_ring {
    uint32_t n;                      /* members */
    uint32_t *order;                 /* [n] agents in ring order */
    uint32_t gstart[MAX_GROUPS + 1]; /* group g holds order[gstart[g] .. gstart[g + 1]) */
};

struct ws_ctx {
    struct ws_ring ring[2]; /* adults (or the only ring), children */
    uint32_t n_rings;       /* rings in use */
    uint32_t half;          /* ties to each side: k / 2 */
    int threads;            /* team size of the parallel regions */
    double rewire;          /* probability a tie's far end is redrawn */
    double homophily;       /* probability a redrawn end comes from the own group */
    uint64_t seed;          /* rng key */
    uint32_t stream;        /* RS_LAYER_BUILD + layer */
};

/* Build ring number `ring` of the members selected by (mask, want). The
 * permutation of group g is keyed by entity ring * MAX_GROUPS + g. */
static int ws_ring_build(struct ws_ring *R, const struct population *pop, uint8_t mask,
                         uint8_t want, uint32_t ring, const struct ws_ctx *x, struct mem *m)
{
    struct net_members ms;
    const int threads = x->threads;
    if (net_members_select(&ms, pop, mask, want, threads, m)) return SS_ENOMEM;
    R->n = ms.n;
    memcpy(R->gstart, ms.gstart, sizeof R->gstart);
    R->order = mem_alloc_array(m, ms.n, sizeof *R->order);
    if (!R->order) {
        mem_free(m, ms.id);
        return SS_ENOMEM;
    }
    for (uint32_t g = 0; g < MAX_GROUPS; g++) {
        uint32_t g0 = ms.gstart[g], cnt = ms.gstart[g + 1] - g0;
        if (!cnt) continue;
        struct net_perm f;
        net_perm_init(&f, cnt, x->seed, ring * MAX_GROUPS + g, x->stream);
        uint32_t *order = R->order + g0;
        const uint32_t *id = ms.id + g0;
#pragma omp parallel for num_threads(threads) schedule(static)
        for (uint32_t l = 0; l < cnt; l++) order[l] = id[net_perm_apply(&f, l)];
    }
    mem_free(m, ms.id);
    return SS_OK;
}

/* The new far end of agent a's rewired tie: with probability homophily a
 * uniformly drawn member of a's own group in this ring (gs, gn: where that
 * group sits in the order and how many it has), otherwise a uniformly drawn
 * member of the whole ring, which may also be of a's group. So the share
 * of rewired ties that stay in group g is homophily + (1 - homophily) *
 * (g's share of the ring). A draw that hits a itself is redrawn; a group
 * of one has no one else to draw, and its members draw from the ring. */
static uint32_t ws_rewire(const struct ws_ring *R, struct rng *r, uint32_t a, uint32_t gs,
                          uint32_t gn, double homophily)
{
    for (int t = 0; t < WS_TRIES; t++) {
        int in = rng_uniform(r) < homophily;
        uint32_t b = in && gn >= 2 ? R->order[gs + rng_below(r, gn)] : R->order[rng_below(r, R->n)];
        if (b != a) return b;
    }
    return NET_CUT;
}

/* Item i is a position in the rings, ring 0 first. The member there ties
 * to the next `half` members in ring order (so each member has its k
 * nearest, counting those that tie to it); each tie is rewired with
 * probability rewire, keyed by the agent at its near end. */
static void ws_item(const void *vx, uint64_t i, struct net_sink *s)
{
    const struct ws_ctx *x = vx;
    const struct ws_ring *R = &x->ring[i >= x->ring[0].n];
    uint32_t pos = (uint32_t)(i >= x->ring[0].n ? i - x->ring[0].n : i), n = R->n;
    uint32_t a = R->order[pos], g = 0;
    while (pos >= R->gstart[g + 1]) g++; /* the ring is group-sorted: no lookup */
    uint32_t gs = R->gstart[g], gn = R->gstart[g + 1] - gs;
    struct rng r;
    net_rng_at(&r, x->seed, a, x->stream, 0);
    for (uint32_t d = 1; d <= x->half; d++) {
        uint64_t q = (uint64_t)pos + d;
        q = q < n ? q : q % n;
        double u = rng_uniform(&r);
        if (q == pos) continue; /* a ring shorter than k */
        uint32_t b = R->order[q];
        if (u < x->rewire) b = ws_rewire(R, &r, a, gs, gn, x->homophily);
        if (b != NET_CUT) net_emit(s, a, b);
    }
}

int net_gen_watts_strogatz(struct layer *L, const struct population *pop, const struct params *p,
                           uint32_t li, int threads, struct mem *m, struct ss_error *err,
                           const char *what)
{
    const struct layer_params *lp = &p->network.layers[li];
    if (lp->k < 0)
        return err_msg(err, SS_EINPUT, "network.%s.k: must be >= 0, got %d", lp->name, lp->k);
    struct ws_ctx x = {.half = (uint32_t)lp->k / 2, /* an odd k acts as k - 1 */
                       .threads = threads,
                       .rewire = lp->rewire,
                       .homophily = lp->homophily,
                       .seed = p->seed,
                       .stream = RS_LAYER_BUILD + li};
    int rc = SS_OK;
    if (lp->members == MEM_ALL) {
        /* adults in workplace order, children in school order */
        x.n_rings = 2;
        if (ws_ring_build(&x.ring[0], pop, POP_CHILD, 0, 0, &x, m) ||
            ws_ring_build(&x.ring[1], pop, POP_CHILD, POP_CHILD, 1, &x, m))
            rc = err_nomem(err, what);
    } else {
        uint8_t mask, want;
        net_members_mask(lp->members, &mask, &want);
        x.n_rings = 1;
        if (ws_ring_build(&x.ring[0], pop, mask, want, 0, &x, m)) rc = err_nomem(err, what);
    }
    struct net_gen gen = {ws_item, &x, (uint64_t)x.ring[0].n + x.ring[1].n, 2.0 * x.half, threads};
    if (!rc) rc = net_csr_build(L, &gen, m, err, what);
    mem_free(m, x.ring[0].order);
    mem_free(m, x.ring[1].order);
    return rc;
}

/* ---- Barabasi-Albert ----------------------------------------------------- */

/*
 * The copy model of Batagelj and Brandes (2005): node p arrives with m_p
 * edge slots; slot t's target is the node at a uniformly drawn endpoint of
 * an earlier slot (its source, or its target). Picking an endpoint
 * uniformly is picking a node with probability proportional to its degree:
 * preferential attachment. A slot's target is therefore a function of its
 * own keyed draws and of earlier slots' targets only, and any thread can
 * resolve any slot by recursing into the earlier slots it picked. Resolved
 * targets are memoised in tgt[]; two threads resolving the same slot
 * compute the same value, and relaxed atomic loads and stores keep those
 * concurrent writes of equal values free of data races.
 *
 * Nodes arrive in a keyed random order of the members (not in id order,
 * which is group-sorted: the oldest nodes become the hubs, and arriving
 * group by group would make every hub a member of the first group and
 * keep the first group's own slots entirely in-group).
 *
 * Mean degree z: m = z / 2 slots per node; when z / 2 is not an integer,
 * each node has floor(z / 2) or ceil(z / 2) slots, the latter with
 * probability frac(z / 2), so the mean is z / 2 and the mean degree z
 * (less the few ties dropped below). Slots are laid out mmax = ceil(z / 2)
 * per node; unused ones are marked BA_OFF and are no endpoints.
 *
 * Homophily: each slot is, with probability homophily, an in-group slot:
 * its target comes from a separate copy-model process of its group, over
 * the group's in-group slots in arrival order (endpoint drawn uniformly
 * among those of earlier in-group slots of the same group), so it always
 * lands in the own group. Otherwise it draws from the global process (all
 * earlier slots), which lands in group g with probability about g's share
 * of endpoints, itself g's share of members. So the share of a group's ties
 * that stay in the group is about homophily + (1 - homophily) * share.
 *
 * A drawn endpoint that is the node itself, a node it already targets, an
 * unused slot or a dropped tie is redrawn, up to BA_TRIES times; then the
 * slot is dropped (this happens only to the first few slots of a process,
 * which has no other endpoints yet, and seeds the growth: the sources of
 * dropped slots still count as endpoints).
 */
struct ba {
    int threads;                 /* team size of the parallel regions */
    uint32_t n;                  /* members */
    uint32_t mmax;               /* slots per node, used or not */
    uint32_t mlo;                /* floor(z / 2) */
    double frac;                 /* frac(z / 2): probability of a further slot */
    double homophily;            /* probability a slot is in-group */
    uint32_t n_slots;            /* n * mmax */
    uint32_t *at;                /* [n] agent at each arrival position */
    uint8_t *pg;                 /* [n] group of the agent at each arrival position */
    uint32_t *tgt;               /* [n_slots] target arrival position, or BA_OFF/NONE/UNRES */
    uint32_t *rank;              /* [n_slots] rank among the group's in-group slots, or BA_GLOBAL */
    uint32_t *inq;               /* in-group slot indices, group by group, in slot order */
    uint64_t gq[MAX_GROUPS + 1]; /* group g's in-group slots: inq[gq[g] .. gq[g + 1]) */
    uint64_t seed;               /* rng key */
    uint32_t stream;             /* RS_LAYER_BUILD + layer */
};

static inline uint32_t ba_load(uint32_t *x)
{
    uint32_t v;
#pragma omp atomic read
    v = *x;
    return v;
}

/* Slot t's sequence and the range of its picks: endpoints of the earlier
 * slots of its process (0: it has none). */
static uint64_t ba_start(const struct ba *b, uint32_t t, struct rng *r)
{
    uint32_t p = t / b->mmax, q = b->rank[t];
    net_rng_at(r, b->seed, b->at[p], b->stream, (t - p * b->mmax + 1) << BA_SLOT_SHIFT);
    return 2 * (uint64_t)(q == BA_GLOBAL ? t : q);
}

static uint32_t ba_resolve(const struct ba *b, uint32_t t);

/* Resolve unresolved slot t from its sequence r, whose first pick (in
 * [0, range)) has been drawn already. */
static uint32_t ba_settle(const struct ba *b, uint32_t t, struct rng *r, uint64_t range,
                          uint64_t pick)
{
    uint32_t p = t / b->mmax, first = p * b->mmax;
    /* the node's earlier slots, to refuse repeats */
    for (uint32_t s = first; s < t; s++) (void)ba_resolve(b, s);
    uint32_t q = b->rank[t], found = BA_NONE;
    const uint32_t *inq = q == BA_GLOBAL ? NULL : b->inq + b->gq[b->pg[p]];
    for (int tries = 0; range && tries < BA_TRIES; tries++) {
        if (tries) pick = rng_below64(r, range);
        /* in-group: an endpoint of the group's earlier in-group slots;
         * global: an endpoint of any earlier slot */
        uint32_t u = inq ? inq[pick / 2] : (uint32_t)(pick / 2), c;
        if (pick & 1) {
            c = ba_resolve(b, u);
            if (c >= BA_OFF) continue;
        } else {
            if (!inq && b->frac > 0 && ba_load(&b->tgt[u]) == BA_OFF) continue;
            c = u / b->mmax;
        }
        if (c == p) continue;
        int repeat = 0;
        for (uint32_t s = first; s < t && !repeat; s++) repeat = ba_load(&b->tgt[s]) == c;
        if (repeat) continue;
        found = c;
        break;
    }
#pragma omp atomic write
    b->tgt[t] = found;
    return found;
}

/* The target of slot t (an arrival position, or BA_NONE / BA_OFF). */
static uint32_t ba_resolve(const struct ba *b, uint32_t t)
{
    uint32_t v = ba_load(&b->tgt[t]);
    if (v != BA_UNRES) return v;
    struct rng r;
    uint64_t range = ba_start(b, t, &r);
    return ba_settle(b, t, &r, range, range ? rng_below64(&r, range) : 0);
}

#if defined(__GNUC__)
#define BA_PREFETCH(p) __builtin_prefetch(p)
#else
#define BA_PREFETCH(p) ((void)0)
#endif

/* Slots drawn ahead of their resolution (a power of two). */
#define BA_AHEAD 16

/* A slot whose first pick was drawn ahead. */
struct ba_ahead {
    struct rng r;   /* its sequence, after the first pick */
    uint64_t range; /* pick range; 0: nothing to pick from */
    uint64_t pick;  /* first pick */
};

/* Resolve slots [t0, t1) in order. Resolving is bound by two dependent
 * random loads (the picked in-group slot, then that slot's target); the
 * first pick of each slot does not depend on any resolution, so it is drawn
 * BA_AHEAD slots early and its memory prefetched in two steps, which
 * overlaps the loads of several slots. The results are those of
 * ba_resolve: only the timing of the draws changes. */
static void ba_resolve_range(const struct ba *b, uint32_t t0, uint32_t t1)
{
    struct ba_ahead A[BA_AHEAD];
    const uint32_t half = BA_AHEAD / 2;
    for (uint64_t t = t0; t < (uint64_t)t1 + BA_AHEAD; t++) {
        /* the stages run oldest first: the draw for t reuses the entry of
         * the slot resolved just before it */
        if (t >= (uint64_t)t0 + BA_AHEAD) { /* resolve */
            uint64_t s = t - BA_AHEAD;
            struct ba_ahead *a = &A[s % BA_AHEAD];
            if (ba_load(&b->tgt[s]) == BA_UNRES)
                (void)ba_settle(b, (uint32_t)s, &a->r, a->range, a->pick);
        }
        if (t >= (uint64_t)t0 + half && t - half < t1) { /* the picked slot's target */
            uint64_t s = t - half;
            struct ba_ahead *a = &A[s % BA_AHEAD];
            uint32_t q = b->rank[s];
            if (a->range && q != BA_GLOBAL && a->pick & 1)
                BA_PREFETCH(b->tgt + b->inq[b->gq[b->pg[s / b->mmax]] + a->pick / 2]);
        }
        if (t < t1) { /* draw the first pick; prefetch what it points at */
            struct ba_ahead *a = &A[t % BA_AHEAD];
            a->range = ba_start(b, (uint32_t)t, &a->r);
            if (a->range) {
                a->pick = rng_below64(&a->r, a->range);
                uint32_t q = b->rank[t];
                if (q != BA_GLOBAL)
                    BA_PREFETCH(b->inq + b->gq[b->pg[t / b->mmax]] + a->pick / 2);
                else if (a->pick & 1 || b->frac > 0)
                    BA_PREFETCH(b->tgt + a->pick / 2);
            }
        }
    }
}

/* Mark used slots and draw which are in-group (rank 0 for now). */
static void ba_init_slots(struct ba *b)
{
#pragma omp parallel for num_threads(b->threads) schedule(static)
    for (uint32_t p = 0; p < b->n; p++) {
        struct rng r;
        net_rng_at(&r, b->seed, b->at[p], b->stream, 0);
        uint32_t mp = b->mlo + (rng_uniform(&r) < b->frac);
        for (uint32_t j = 0; j < b->mmax; j++) {
            uint32_t t = p * b->mmax + j;
            if (j < mp) {
                b->tgt[t] = BA_UNRES;
                b->rank[t] = rng_uniform(&r) < b->homophily ? 0 : BA_GLOBAL;
            } else {
                b->tgt[t] = BA_OFF;
                b->rank[t] = BA_GLOBAL;
            }
        }
    }
}

/* List each group's in-group slots in slot order (inq, gq) and give each
 * its rank. Blocks of positions are counted, offset and filled in
 * parallel; the decomposition is fixed, so the lists are too. */
static int ba_rank_slots(struct ba *b, struct mem *m)
{
    uint32_t nb = (uint32_t)(((uint64_t)b->n + BA_BLOCK - 1) / BA_BLOCK);
    uint64_t *cnt = mem_calloc(m, (size_t)nb * MAX_GROUPS + 1, sizeof *cnt);
    if (!cnt) return SS_ENOMEM;
#pragma omp parallel for num_threads(b->threads) schedule(static)
    for (uint32_t k = 0; k < nb; k++) {
        uint32_t p1 = b->n - k * BA_BLOCK < BA_BLOCK ? b->n : (k + 1) * BA_BLOCK;
        uint64_t *c = cnt + (size_t)k * MAX_GROUPS;
        for (uint32_t p = k * BA_BLOCK; p < p1; p++) {
            uint32_t g = b->pg[p];
            for (uint32_t j = 0; j < b->mmax; j++) c[g] += b->rank[p * b->mmax + j] == 0;
        }
    }
    uint64_t total = 0;
    for (uint32_t g = 0; g < MAX_GROUPS; g++) {
        b->gq[g] = total;
        for (uint32_t k = 0; k < nb; k++) {
            uint64_t c = cnt[(size_t)k * MAX_GROUPS + g];
            cnt[(size_t)k * MAX_GROUPS + g] = total;
            total += c;
        }
    }
    b->gq[MAX_GROUPS] = total;
    b->inq = mem_alloc_array(m, total, sizeof *b->inq);
    if (!b->inq) {
        mem_free(m, cnt);
        return SS_ENOMEM;
    }
#pragma omp parallel for num_threads(b->threads) schedule(static)
    for (uint32_t k = 0; k < nb; k++) {
        uint32_t p1 = b->n - k * BA_BLOCK < BA_BLOCK ? b->n : (k + 1) * BA_BLOCK;
        uint64_t *c = cnt + (size_t)k * MAX_GROUPS;
        for (uint32_t p = k * BA_BLOCK; p < p1; p++) {
            uint32_t g = b->pg[p];
            for (uint32_t j = 0; j < b->mmax; j++) {
                uint32_t t = p * b->mmax + j;
                if (b->rank[t] != 0) continue;
                uint64_t w = c[g]++;
                b->inq[w] = t;
                b->rank[t] = (uint32_t)(w - b->gq[g]);
            }
        }
    }
    mem_free(m, cnt);
    return SS_OK;
}

/* Item p is the node at arrival position p: its resolved slots (whose
 * targets are agent ids by now). */
static void ba_item(const void *vb, uint64_t p, struct net_sink *s)
{
    const struct ba *b = vb;
    for (uint32_t t = (uint32_t)p * b->mmax, e = t + b->mmax; t < e; t++) {
        uint32_t v = b->tgt[t];
        if (v < BA_OFF) net_emit(s, b->at[p], v);
    }
}

int net_gen_barabasi_albert(struct layer *L, const struct population *pop, const struct params *p,
                            uint32_t li, int threads, struct mem *m, struct ss_error *err,
                            const char *what)
{
    const struct layer_params *lp = &p->network.layers[li];
    double half = lp->mean_degree / 2;
    if (!(half >= 0) || half > BA_MAX_SLOTS)
        return err_msg(err, SS_EINPUT, "network.%s.mean_degree: must be in [0, %u], got %g",
                       lp->name, 2 * BA_MAX_SLOTS, lp->mean_degree);
    struct ba b = {.threads = threads,
                   .mlo = (uint32_t)floor(half),
                   .homophily = lp->homophily,
                   .seed = p->seed,
                   .stream = RS_LAYER_BUILD + li};
    b.frac = half - b.mlo;
    b.mmax = b.mlo + (b.frac > 0);
    struct net_members ms;
    uint8_t mask, want;
    net_members_mask(lp->members, &mask, &want);
    if (net_members_select(&ms, pop, mask, want, threads, m)) return err_nomem(err, what);
    int rc = SS_OK;
    b.n = ms.n;
    if ((uint64_t)b.n * b.mmax >= BA_OFF) {
        rc = err_msg(err, SS_EINPUT,
                     "network.%s: %u members with mean degree %g need %llu edge slots; at most "
                     "%u are supported",
                     lp->name, b.n, lp->mean_degree, (unsigned long long)b.n * b.mmax, BA_OFF - 1);
        goto done;
    }
    b.n_slots = b.n * b.mmax;
    b.at = mem_alloc_array(m, b.n, sizeof *b.at);
    b.pg = mem_alloc_array(m, b.n, sizeof *b.pg);
    if (!b.at || !b.pg) goto nomem;
    struct net_perm f;
    net_perm_init(&f, b.n, b.seed, 0, b.stream);
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t i = 0; i < b.n; i++) {
        uint32_t k = net_perm_apply(&f, i), g = 0;
        while (k >= ms.gstart[g + 1]) g++; /* members are group-sorted: no lookup */
        b.at[i] = ms.id[k];
        b.pg[i] = (uint8_t)g;
    }
    mem_free(m, ms.id);
    ms.id = NULL;
    b.tgt = mem_alloc_array(m, b.n_slots, sizeof *b.tgt);
    b.rank = mem_alloc_array(m, b.n_slots, sizeof *b.rank);
    if (!b.tgt || !b.rank) goto nomem;
    ba_init_slots(&b);
    if (ba_rank_slots(&b, m)) goto nomem;
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (uint32_t k = 0; k < (b.n_slots + BA_CHUNK - 1) / BA_CHUNK; k++) {
        uint32_t t1 = b.n_slots - k * BA_CHUNK < BA_CHUNK ? b.n_slots : (k + 1) * BA_CHUNK;
        ba_resolve_range(&b, k * BA_CHUNK, t1);
    }
    /* targets as agent ids, once, rather than in both emitting passes */
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t t = 0; t < b.n_slots; t++)
        if (b.tgt[t] < BA_OFF) b.tgt[t] = b.at[b.tgt[t]];
    mem_free(m, b.rank);
    mem_free(m, b.inq);
    mem_free(m, b.pg);
    b.rank = b.inq = NULL;
    b.pg = NULL;
    struct net_gen gen = {ba_item, &b, b.n, 2.0 * b.mmax, threads};
    rc = net_csr_build(L, &gen, m, err, what);
    goto done;
nomem:
    rc = err_nomem(err, what);
done:
    mem_free(m, ms.id);
    mem_free(m, b.at);
    mem_free(m, b.pg);
    mem_free(m, b.tgt);
    mem_free(m, b.rank);
    mem_free(m, b.inq);
    return rc;
}

/* ---- Erdos-Renyi ------------------------------------------------------- */

struct er_ctx {
    struct net_members ms; /* members */
    double p;              /* tie probability */
    uint64_t seed;         /* rng key */
    uint32_t stream;       /* RS_LAYER_BUILD + layer */
};

/* Item i is member i: it draws its ties to members j > i by geometric
 * skips over the non-ties, keyed by its agent: O(ties) work. */
static void er_item(const void *vx, uint64_t i, struct net_sink *s)
{
    const struct er_ctx *x = vx;
    uint32_t n = x->ms.n;
    const uint32_t *id = x->ms.id;
    struct rng r;
    net_rng_at(&r, x->seed, id[i], x->stream, 0);
    uint64_t j = i;
    for (;;) {
        uint64_t skip = rng_geometric(&r, x->p);
        if (skip >= n - 1 - j) break;
        j += 1 + skip;
        net_emit(s, id[i], id[j]);
    }
}

int net_gen_erdos_renyi(struct layer *L, const struct population *pop, const struct params *p,
                        uint32_t li, int threads, struct mem *m, struct ss_error *err,
                        const char *what)
{
    const struct layer_params *lp = &p->network.layers[li];
    if (!(lp->mean_degree >= 0))
        return err_msg(err, SS_EINPUT, "network.%s.mean_degree: must be >= 0, got %g", lp->name,
                       lp->mean_degree);
    struct er_ctx x = {.seed = p->seed, .stream = RS_LAYER_BUILD + li};
    uint8_t mask, want;
    net_members_mask(lp->members, &mask, &want);
    if (net_members_select(&x.ms, pop, mask, want, threads, m)) return err_nomem(err, what);
    x.p = x.ms.n > 1 ? lp->mean_degree / (x.ms.n - 1) : 0;
    if (x.p > 1) x.p = 1;
    /* row i expects p (n - 1 - i) ties: p (n - 1) / 2 on average, twice over */
    struct net_gen gen = {er_item, &x, x.p > 0 ? x.ms.n : 0, x.p * (x.ms.n - 1.0), threads};
    int rc = net_csr_build(L, &gen, m, err, what);
    mem_free(m, x.ms.id);
    return rc;
}
