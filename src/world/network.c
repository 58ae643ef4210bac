/*
 * network.c - the multilayer contact network (docs/model.md section 2).
 *
 * Owns net_build, net_free and net_estimate_bytes; the CSR assembly every
 * generator goes through (count, prefix-sum, fill, sort and deduplicate
 * each row, compact); member lists; and the two generators that need no
 * randomness (household cliques, complete graphs). The random generators
 * are in net_gen.c, edge list files in net_edgelist.c.
 */
#include "world/network.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <omp.h>

#include "core/error.h"
#include "world/net_internal.h"

/* Agents per block when selecting members, rows per block when compacting:
 * fixed, so the decomposition never depends on the thread count. */
#define NET_BLOCK 65536u
/* Rows up to this long are sorted by insertion, longer ones by heapsort. */
#define NET_SHORT_ROW 32
/* Directed entries generated per round, all threads together (8 bytes
 * each, held twice): a layer is built in about NET_ROUNDS rounds, each of
 * at least NET_ROUND_MIN and at most NET_ROUND entries. More rounds cost
 * little (each streams over the offsets once) and bound the buffers. */
#define NET_ROUNDS    8
#define NET_ROUND_MIN (1u << 18)
#define NET_ROUND     (1u << 24)
/* At most this many row buckets per round; each is applied by one thread. */
#define NET_BUCKETS 1024u
/* After deduplication, adj is shrunk when more than 1/NET_SHRINK of its
 * entries were duplicates (edge lists that list each tie both ways). */
#define NET_SHRINK 8

/* ---- member lists ------------------------------------------------------ */

void net_members_mask(int members, uint8_t *mask, uint8_t *want)
{
    switch (members) {
    case MEM_ADULTS:
        *mask = POP_CHILD, *want = 0;
        break;
    case MEM_ONLINE:
        *mask = POP_ONLINE, *want = POP_ONLINE;
        break;
    default: /* MEM_ALL */
        *mask = 0, *want = 0;
        break;
    }
}

/* First index of sorted a[0..n) holding a value >= x. */
static uint32_t net_lower_bound(const uint32_t *a, uint32_t n, uint32_t x)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (a[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int net_members_select(struct net_members *ms, const struct population *pop, uint8_t mask,
                       uint8_t want, int threads, struct mem *m)
{
    memset(ms, 0, sizeof *ms);
    uint32_t n = pop->n, nb = (uint32_t)(((uint64_t)n + NET_BLOCK - 1) / NET_BLOCK);
    uint32_t *start = mem_alloc_array(m, (size_t)nb + 1, sizeof *start);
    if (!start) return SS_ENOMEM;
    const uint8_t *flags = pop->flags;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t b = 0; b < nb; b++) {
        uint32_t a1 = n - b * NET_BLOCK < NET_BLOCK ? n : (b + 1) * NET_BLOCK, c = 0;
        for (uint32_t a = b * NET_BLOCK; a < a1; a++) c += (flags[a] & mask) == want;
        start[b] = c;
    }
    uint32_t total = 0;
    for (uint32_t b = 0; b < nb; b++) {
        uint32_t c = start[b];
        start[b] = total;
        total += c;
    }
    ms->id = mem_alloc_array(m, total, sizeof *ms->id);
    if (!ms->id) {
        mem_free(m, start);
        return SS_ENOMEM;
    }
    ms->n = total;
    uint32_t *id = ms->id;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t b = 0; b < nb; b++) {
        uint32_t a1 = n - b * NET_BLOCK < NET_BLOCK ? n : (b + 1) * NET_BLOCK, w = start[b];
        for (uint32_t a = b * NET_BLOCK; a < a1; a++)
            if ((flags[a] & mask) == want) id[w++] = a;
    }
    mem_free(m, start);
    for (uint32_t g = 0; g <= MAX_GROUPS; g++)
        ms->gstart[g] = net_lower_bound(id, total, pop->group_start[g]);
    return SS_OK;
}

/* ---- CSR assembly ------------------------------------------------------ */

/* Sift a[i] down the max-heap a[0..n). */
static void net_sift(uint32_t *a, size_t i, size_t n)
{
    uint32_t x = a[i];
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && a[c + 1] > a[c]) c++;
        if (a[c] <= x) break;
        a[i] = a[c];
    }
    a[i] = x;
}

/* Sort a row: insertion sort when short, else heapsort (in place, no
 * allocation, O(n log n) whatever the input: an edge list can hold any
 * order). */
static void net_sort_row(uint32_t *a, size_t n)
{
    if (n > NET_SHORT_ROW) {
        for (size_t i = n / 2; i-- > 0;) net_sift(a, i, n);
        for (size_t k = n - 1; k > 0; k--) {
            uint32_t t = a[0];
            a[0] = a[k];
            a[k] = t;
            net_sift(a, 0, k);
        }
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > x) a[j] = a[j - 1], j--;
        a[j] = x;
    }
}

/* Remove the NET_CUT-marked tails of every row and close the gaps. Rows
 * are compacted within fixed blocks in parallel, then the blocks are moved
 * down in order (memmove handles the overlap). */
static int net_compact(struct layer *L, int threads, struct mem *m)
{
    uint32_t n = L->n, nb = (uint32_t)(((uint64_t)n + NET_BLOCK - 1) / NET_BLOCK);
    net_off_t *off = L->off;
    uint32_t *adj = L->adj;
    net_off_t *bstart = mem_alloc_array(m, (size_t)nb + 1, sizeof *bstart);
    net_off_t *kept = mem_alloc_array(m, (size_t)nb + 1, sizeof *kept);
    if (!bstart || !kept) {
        mem_free(m, bstart);
        mem_free(m, kept);
        return SS_ENOMEM;
    }
    for (uint32_t b = 0; b < nb; b++) bstart[b] = off[(size_t)b * NET_BLOCK];
    bstart[nb] = off[n];
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t b = 0; b < nb; b++) {
        uint32_t i0 = b * NET_BLOCK, i1 = n - i0 < NET_BLOCK ? n : i0 + NET_BLOCK;
        net_off_t w = bstart[b], s = bstart[b];
        for (uint32_t i = i0; i < i1; i++) {
            /* read row i's old end before anything overwrites it */
            net_off_t e = i + 1 < i1 ? off[i + 1] : bstart[b + 1];
            off[i] = w;
            while (s < e && adj[s] != NET_CUT) adj[w++] = adj[s++];
            s = e;
        }
        kept[b] = w - bstart[b];
    }
    net_off_t total = 0;
    for (uint32_t b = 0; b < nb; b++) {
        if (total != bstart[b]) memmove(adj + total, adj + bstart[b], kept[b] * sizeof *adj);
        net_off_t c = kept[b];
        kept[b] = total; /* now: the block's new start */
        total += c;
    }
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t b = 0; b < nb; b++) {
        uint32_t i0 = b * NET_BLOCK, i1 = n - i0 < NET_BLOCK ? n : i0 + NET_BLOCK;
        for (uint32_t i = i0; i < i1; i++) off[i] = off[i] - bstart[b] + kept[b];
    }
    off[n] = total;
    mem_free(m, bstart);
    mem_free(m, kept);
    return SS_OK;
}

/* Sort every row, drop repeated neighbours, compact; set n_entries and
 * n_merged. Self-loops never reach here (generators do not emit them and
 * the edge list reader rejects them). */
static int net_csr_finish(struct layer *L, int threads, struct mem *m, struct ss_error *err,
                          const char *what)
{
    uint32_t n = L->n;
    net_off_t *off = L->off;
    uint32_t *adj = L->adj;
    uint64_t removed = 0;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 4096) reduction(+ : removed)
    for (uint32_t i = 0; i < n; i++) {
        net_off_t s = off[i], e = off[i + 1];
        if (e - s < 2) continue;
        net_sort_row(adj + s, e - s);
        net_off_t w = s + 1;
        for (net_off_t x = s + 1; x < e; x++)
            if (adj[x] != adj[w - 1]) adj[w++] = adj[x];
        removed += e - w;
        for (net_off_t x = w; x < e; x++) adj[x] = NET_CUT;
    }
    if (removed) {
        if (net_compact(L, threads, m)) return err_nomem(err, what);
        if (removed > off[n] / (NET_SHRINK - 1)) {
            /* a failed shrink leaves the larger block in place: not an error */
            uint32_t *q = mem_realloc(m, L->adj, off[n] * sizeof *q);
            if (q) L->adj = q;
        }
    }
    L->n_entries = off[n];
    L->n_merged = removed / 2;
    return SS_OK;
}

void net_direct(struct net_csr *c, uint32_t u, uint32_t v)
{
    if (c->pass == NET_COUNT) {
#pragma omp atomic update
        c->off[u + 1]++;
#pragma omp atomic update
        c->total++;
    } else {
        net_off_t pos;
#pragma omp atomic capture
        pos = c->off[u]++;
        c->adj[pos] = v;
    }
}

/* The buffers of the rounds of one net_csr_build. */
struct net_rounds {
    int nt;           /* threads the buffers are cut for */
    uint32_t cap;     /* entries per thread and round */
    uint32_t shift;   /* row bucket = row >> shift */
    uint32_t nb;      /* row buckets */
    uint64_t *src;    /* [nt * cap] each thread's generated entries */
    uint64_t *dst;    /* [nt * cap] the round's entries, bucket by bucket */
    uint32_t *cnt;    /* [nt * nb] entries per thread and bucket, then scatter cursors */
    uint64_t *bstart; /* [nb + 1] where each bucket's entries start in dst */
};

/* One round: generate items [i0, i1) into per-thread buffers, partition
 * the entries by row bucket, then let one thread apply each bucket. A
 * bucket's rows span little memory (its slice of off and adj stays in
 * cache), and no two threads touch the same row, so there are no atomics
 * and no scattered writes over the whole layer. */
static void net_round(const struct net_gen *g, uint64_t i0, uint64_t i1, struct net_rounds *B,
                      struct net_csr *c)
{
    uint32_t nb = B->nb, sh = 32 + B->shift;
#pragma omp parallel num_threads(B->nt)
    {
        int t = omp_get_thread_num(), team = omp_get_num_threads();
        struct net_sink s = {B->src + (size_t)t * B->cap, 0, B->cap, c};
#pragma omp for schedule(static)
        for (uint64_t i = i0; i < i1; i++) g->item(g->ctx, i, &s);
        uint32_t *cnt = B->cnt + (size_t)t * nb;
        memset(cnt, 0, nb * sizeof *cnt);
        for (uint32_t k = 0; k < s.n; k++) cnt[s.e[k] >> sh]++;
#pragma omp barrier
#pragma omp single
        {
            uint64_t run = 0;
            for (uint32_t b = 0; b < nb; b++) {
                B->bstart[b] = run;
                for (int u = 0; u < team; u++) {
                    uint32_t x = B->cnt[(size_t)u * nb + b];
                    B->cnt[(size_t)u * nb + b] = (uint32_t)run;
                    run += x;
                }
            }
            B->bstart[nb] = run;
            if (c->pass == NET_COUNT) c->total += run;
        }
        for (uint32_t k = 0; k < s.n; k++) B->dst[cnt[s.e[k] >> sh]++] = s.e[k];
#pragma omp barrier
        net_off_t *off = c->off;
        uint32_t *adj = c->adj;
#pragma omp for schedule(dynamic, 1)
        for (uint32_t b = 0; b < nb; b++) {
            const uint64_t *e = B->dst + B->bstart[b], *end = B->dst + B->bstart[b + 1];
            if (c->pass == NET_COUNT)
                for (; e < end; e++) off[(*e >> 32) + 1]++;
            else
                for (; e < end; e++) adj[off[*e >> 32]++] = (uint32_t)*e;
        }
    }
}

/* Run every item through rounds of at most nt * cap entries (expected). */
static void net_pass(const struct net_gen *g, struct net_rounds *B, struct net_csr *c)
{
    double fit = 0.8 * (double)B->cap * B->nt / (g->per_item > 1 ? g->per_item : 1);
    uint64_t step = fit < 1 ? 1 : (uint64_t)fit;
    for (uint64_t i0 = 0; i0 < g->n_items; i0 += step)
        net_round(g, i0, g->n_items - i0 < step ? g->n_items : i0 + step, B, c);
}

int net_csr_build(struct layer *L, const struct net_gen *g, struct mem *m, struct ss_error *err,
                  const char *what)
{
    uint32_t n = L->n;
    struct net_rounds B = {.nt = g->threads > 0 ? g->threads : 1};
    /* rounds of about 1/NET_ROUNDS of the layer: buffers of about half
     * the size of adj, within [NET_ROUND_MIN, NET_ROUND] entries */
    double round = (double)g->n_items * g->per_item / NET_ROUNDS;
    round = round < NET_ROUND_MIN ? NET_ROUND_MIN : round > NET_ROUND ? NET_ROUND : round;
    B.cap = (uint32_t)(round / B.nt) + 64;
    while (((uint64_t)n >> B.shift) >= NET_BUCKETS) B.shift++;
    B.nb = (uint32_t)(n >> B.shift) + 1;
    int rc = SS_ENOMEM; /* until both passes are done */
    L->off = mem_calloc(m, (size_t)n + 1, sizeof *L->off);
    B.src = mem_alloc_array(m, (size_t)B.nt * B.cap, sizeof *B.src);
    B.dst = mem_alloc_array(m, (size_t)B.nt * B.cap, sizeof *B.dst);
    B.cnt = mem_alloc_array(m, (size_t)B.nt * B.nb, sizeof *B.cnt);
    B.bstart = mem_alloc_array(m, (size_t)B.nb + 1, sizeof *B.bstart);
    if (!L->off || !B.src || !B.dst || !B.cnt || !B.bstart) goto done;
    struct net_csr c = {n, L->off, NULL, NET_COUNT, 0};
    net_pass(g, &B, &c);
    /* Only the 64-bit total tells whether the layer fits: past 2^32 a
     * row's count may have wrapped. Within the limit no row or prefix sum
     * can wrap, so the sums below stay in 32 bits. */
    if (net_check_entries(c.total, L->name, err)) {
        rc = SS_EINPUT;
        goto done;
    }
    net_off_t *off = L->off;
    for (uint32_t i = 0; i < n; i++) off[i + 1] += off[i];
    assert(off[n] == c.total);
    L->adj = mem_alloc_array(m, off[n], sizeof *L->adj);
    if (!L->adj) goto done;
    c.adj = L->adj;
    c.pass = NET_FILL;
    net_pass(g, &B, &c);
    /* each cursor now holds its row's end: shift back to starts */
    assert(n == 0 || off[n - 1] == off[n]);
    memmove(off + 1, off, (size_t)n * sizeof *off);
    off[0] = 0;
    rc = SS_OK;
done:
    mem_free(m, B.src);
    mem_free(m, B.dst);
    mem_free(m, B.cnt);
    mem_free(m, B.bstart);
    if (rc == SS_ENOMEM) return err_nomem(err, what);
    if (rc) return rc;
    return net_csr_finish(L, g->threads, m, err, what);
}

/* ---- generators without randomness -------------------------------------- */

/* Rows with no ties at all (a disabled layer, or no members). */
static int net_empty(struct layer *L, struct mem *m, struct ss_error *err, const char *what)
{
    L->off = mem_calloc(m, (size_t)L->n + 1, sizeof *L->off);
    L->adj = mem_alloc(m, 0);
    if (!L->off || !L->adj) return err_nomem(err, what);
    return SS_OK;
}

/* Cliques of each household; every member takes part whatever the layer's
 * members setting says (a household is its own membership). Rows come out
 * sorted and unique, so no finishing pass is needed. */
static int net_household(struct layer *L, const struct population *pop, int threads, struct mem *m,
                         struct ss_error *err, const char *what)
{
    uint32_t n = pop->n;
    const uint32_t *hs = pop->hh_start;
    /* s (s - 1) entries per household of s, summed in 64 bits */
    uint64_t total = 0;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : total)
    for (uint32_t k = 0; k < pop->n_households; k++) {
        uint64_t s = hs[k + 1] - hs[k];
        total += s * (s - 1);
    }
    if (net_check_entries(total, L->name, err)) return SS_EINPUT;
    L->off = mem_alloc_array(m, (size_t)n + 1, sizeof *L->off);
    if (!L->off) return err_nomem(err, what);
    net_off_t *off = L->off;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t k = 0; k < pop->n_households; k++)
        for (uint32_t a = hs[k]; a < hs[k + 1]; a++) off[a + 1] = hs[k + 1] - hs[k] - 1;
    off[0] = 0;
    for (uint32_t i = 0; i < n; i++) off[i + 1] += off[i];
    L->adj = mem_alloc_array(m, off[n], sizeof *L->adj);
    if (!L->adj) return err_nomem(err, what);
    uint32_t *adj = L->adj;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (uint32_t k = 0; k < pop->n_households; k++)
        for (uint32_t a = hs[k]; a < hs[k + 1]; a++) {
            net_off_t w = off[a];
            for (uint32_t b = hs[k]; b < hs[k + 1]; b++)
                if (b != a) adj[w++] = b;
        }
    L->n_entries = off[n];
    return SS_OK;
}

/* Every pair of members. The memory estimate is what guards against
 * absurd sizes; here an impossible allocation is simply out of memory,
 * and a count past NET_MAX_ENTRIES is refused before allocating. */
static int net_complete(struct layer *L, const struct population *pop,
                        const struct layer_params *lp, int threads, struct mem *m,
                        struct ss_error *err, const char *what)
{
    struct net_members ms;
    uint8_t mask, want;
    net_members_mask(lp->members, &mask, &want);
    if (net_members_select(&ms, pop, mask, want, threads, m)) return err_nomem(err, what);
    uint32_t n = pop->n, nm = ms.n;
    const uint32_t *id = ms.id;
    int rc = SS_OK;
    if (net_check_entries(nm ? (uint64_t)nm * (nm - 1) : 0, L->name, err)) {
        rc = SS_EINPUT;
        goto done;
    }
    L->off = mem_calloc(m, (size_t)n + 1, sizeof *L->off);
    if (!L->off) goto nomem;
    net_off_t *off = L->off;
    for (uint32_t i = 0; i < nm; i++) off[id[i] + 1] = nm - 1;
    for (uint32_t i = 0; i < n; i++) off[i + 1] += off[i];
    L->adj = mem_alloc_array(m, off[n], sizeof *L->adj);
    if (!L->adj) goto nomem;
    uint32_t *adj = L->adj;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 64)
    for (uint32_t i = 0; i < nm; i++) {
        uint32_t *row = adj + off[id[i]];
        memcpy(row, id, (size_t)i * sizeof *row);
        memcpy(row + i, id + i + 1, (size_t)(nm - i - 1) * sizeof *row);
    }
    L->n_entries = off[n];
    goto done;
nomem:
    rc = err_nomem(err, what);
done:
    mem_free(m, ms.id);
    return rc;
}

/* ---- the public calls ---------------------------------------------------- */

int net_build(struct network *net, const struct population *pop, const struct params *p,
              const char *base_dir, int threads, struct mem *m, struct ss_error *err)
{
    if (p->network.n_layers > MAX_LAYERS)
        return err_msg(err, SS_EINPUT, "network: at most %d layers, got %u", MAX_LAYERS,
                       p->network.n_layers);
    net->n_layers = p->network.n_layers;
    for (uint32_t li = 0; li < p->network.n_layers; li++) {
        const struct layer_params *lp = &p->network.layers[li];
        struct layer *L = &net->layer[li];
        memcpy(L->name, lp->name, MAX_NAME);
        L->name[MAX_NAME - 1] = '\0';
        L->generator = lp->generator;
        L->n = pop->n;
        char what[MAX_NAME + 32];
        snprintf(what, sizeof what, "building the %s layer", L->name);
        int rc;
        if (!lp->enabled) {
            rc = net_empty(L, m, err, what);
        } else {
            switch (lp->generator) {
            case GEN_HOUSEHOLD:
                rc = net_household(L, pop, threads, m, err, what);
                break;
            case GEN_WATTS_STROGATZ:
                rc = net_gen_watts_strogatz(L, pop, p, li, threads, m, err, what);
                break;
            case GEN_BARABASI_ALBERT:
                rc = net_gen_barabasi_albert(L, pop, p, li, threads, m, err, what);
                break;
            case GEN_ERDOS_RENYI:
                rc = net_gen_erdos_renyi(L, pop, p, li, threads, m, err, what);
                break;
            case GEN_COMPLETE:
                rc = net_complete(L, pop, lp, threads, m, err, what);
                break;
            case GEN_EDGE_LIST:
                rc = net_edge_list_read(L, pop, lp, base_dir, threads, m, err, what);
                break;
            default:
                rc = err_msg(err, SS_EINPUT, "network.%s: unknown generator %d", L->name,
                             lp->generator);
            }
        }
        if (rc) return rc;
    }
    return SS_OK;
}

int net_check_entries(uint64_t entries, const char *layer, struct ss_error *err)
{
    if (entries <= NET_MAX_ENTRIES) return SS_OK;
    return err_msg(err, SS_EINPUT,
                   "network.%s: the layer would hold %llu directed entries (two per tie, "
                   "repeated ties counted before they are merged); a layer holds at most %u "
                   "(32-bit row offsets); lower its degree or its members",
                   layer, (unsigned long long)entries, (unsigned)NET_MAX_ENTRIES);
}

void net_free(struct network *net, struct mem *m)
{
    if (!net) return;
    for (uint32_t li = 0; li < MAX_LAYERS; li++) {
        mem_free(m, net->layer[li].off);
        mem_free(m, net->layer[li].adj);
    }
    memset(net, 0, sizeof *net);
}

/* Bytes as a size_t, saturating. */
static size_t net_bytes(double x)
{
    return x >= (double)SIZE_MAX ? SIZE_MAX : x <= 0 ? 0 : (size_t)x;
}

/* The round buffers net_csr_build holds for a layer of this many entries. */
static double net_round_bytes(double entries)
{
    double round = entries / NET_ROUNDS;
    round = round < NET_ROUND_MIN ? NET_ROUND_MIN : round > NET_ROUND ? NET_ROUND : round;
    return 2 * 8 * round + 4 * (NET_BUCKETS + 1) * 8.0;
}

size_t net_estimate_bytes(const struct params *p, const char *base_dir)
{
    double n = p->population.agents,
           mu = p->population.household_size >= 1 ? p->population.household_size : 1;
    double adults = n * (1 - p->population.child_share);
    double held = 0, peak = 0;
    for (uint32_t li = 0; li < p->network.n_layers && li < MAX_LAYERS; li++) {
        const struct layer_params *lp = &p->network.layers[li];
        double nm = lp->members == MEM_ADULTS   ? adults
                    : lp->members == MEM_ONLINE ? adults * p->population.online_share
                                                : n;
        double entries = 0, build = 0; /* directed entries held; extra bytes while building */
        if (lp->enabled) switch (lp->generator) {
            case GEN_HOUSEHOLD: /* E[s(s-1)] / E[s] per agent, s = 1 + Poisson(mu - 1) */
                entries = n * (mu * mu - 1) / mu;
                break;
            case GEN_WATTS_STROGATZ: /* member list and order, then the order */
                /* k / 2 ties to each side: an odd k acts as k - 1 */
                entries = nm * (lp->k - lp->k % 2);
                build = fmax(8 * nm, 4 * nm + net_round_bytes(entries));
                break;
            case GEN_BARABASI_ALBERT: {
                /* resolving: arrival order and groups, slot targets, ranks,
                 * group lists; then arrival order and targets */
                double slots = nm * ceil(lp->mean_degree / 2);
                entries = 2 * slots;
                build = fmax(9 * nm + slots * (8 + 4 * lp->homophily),
                             4 * nm + 4 * slots + net_round_bytes(entries));
                break;
            }
            case GEN_ERDOS_RENYI:
                entries = nm * lp->mean_degree;
                build = 4 * nm + net_round_bytes(entries);
                break;
            case GEN_COMPLETE:
                entries = nm * (nm - 1);
                build = 4 * nm;
                break;
            case GEN_EDGE_LIST: { /* ~8 bytes a line: an upper-ish bound on ties */
                char path[2 * MAX_PATH];
                struct stat st;
                double lines = 0;
                if (!net_edge_list_path(path, sizeof path, base_dir, lp->file) && !stat(path, &st))
                    lines = (double)st.st_size / 8 + 1;
                entries = 2 * lines;
                build = 8 * lines + NET_EDGE_LIST_FIXED + net_round_bytes(entries);
                break;
            }
            }
        held += sizeof(net_off_t) * (n + 1) + sizeof(uint32_t) * entries;
        if (build > peak) peak = build;
    }
    /* 5% for what the model leaves out (compaction tables, rounding) */
    return net_bytes(1.05 * (held + peak));
}
