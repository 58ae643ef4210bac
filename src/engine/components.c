/*
 * components.c - the largest connected component by concurrent union-find
 * (see components.h).
 */
#include "engine/components.h"

/* The root of x, halving the path on the way. Parents only ever move to
 * an ancestor, and an ancestor's id is never larger, so a racing halving
 * can at worst store an ancestor that is not the newest: still correct. */
static uint32_t comp_find(_Atomic uint32_t *parent, uint32_t x)
{
    for (;;) {
        uint32_t px = atomic_load_explicit(&parent[x], memory_order_relaxed);
        if (px == x) return x;
        uint32_t gx = atomic_load_explicit(&parent[px], memory_order_relaxed);
        if (gx != px) atomic_store_explicit(&parent[x], gx, memory_order_relaxed);
        x = gx;
    }
}

/* The root of x, without writing: for the final labelling pass, where
 * each thread writes only its own agents' entries. A halving store there
 * could overwrite a root another thread just stored with an older ancestor. */
static uint32_t comp_root(_Atomic uint32_t *parent, uint32_t x)
{
    for (;;) {
        uint32_t px = atomic_load_explicit(&parent[x], memory_order_relaxed);
        if (px == x) return x;
        x = px;
    }
}

/* Join the components of a and b: the larger root is linked under the
 * smaller, by compare-and-swap so that only a root is ever relinked. The
 * root of each component is therefore its smallest id, whatever the order
 * of the unions. */
static void comp_union(_Atomic uint32_t *parent, uint32_t a, uint32_t b)
{
    for (;;) {
        a = comp_find(parent, a);
        b = comp_find(parent, b);
        if (a == b) return;
        if (a < b) {
            uint32_t t = a;
            a = b;
            b = t;
        }
        uint32_t expect = a;
        if (atomic_compare_exchange_weak_explicit(&parent[a], &expect, b, memory_order_relaxed,
                                                  memory_order_relaxed))
            return;
    }
}

void comp_largest(_Atomic uint32_t *parent, const struct network *net, const uint8_t *status,
                  uint32_t n, int threads, uint32_t *best, uint64_t *best_size)
{
    int64_t nn = n;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t x = 0; x < nn; x++)
        atomic_store_explicit(&parent[x], (uint32_t)x, memory_order_relaxed);

#pragma omp parallel for num_threads(threads) schedule(dynamic, 4096)
    for (int64_t x = 0; x < nn; x++) {
        uint32_t u = (uint32_t)x;
        if (status && (status[u] & ST_INTERNED)) continue;
        for (uint32_t l = 0; l < net->n_layers; l++) {
            const struct layer *ly = &net->layer[l];
            if (u >= ly->n) continue;
            for (net_off_t e = ly->off[u]; e < ly->off[u + 1]; e++) {
                uint32_t v = ly->adj[e];
                if (v != NET_CUT && v > u && !(status && (status[v] & ST_INTERNED)))
                    comp_union(parent, u, v);
            }
        }
    }

#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t x = 0; x < nn; x++)
        atomic_store_explicit(&parent[x], comp_root(parent, (uint32_t)x), memory_order_relaxed);

    /* Component sizes without a size array (4 bytes per agent saved): each
     * root's own slot counts its component. Serial, in id order: a root is
     * the smallest id of its component, so it is visited (parent[r] == r,
     * a count of 1) before any member, whose visit adds one to it. A
     * component rooted at r has at most n - r members, so the count
     * r + size - 1 stays below n, and a root's slot, >= r, stays apart
     * from a member's, < its own id. */
    for (uint32_t x = 0; x < n; x++) {
        uint32_t r = atomic_load_explicit(&parent[x], memory_order_relaxed);
        if (r < x)
            atomic_store_explicit(&parent[r],
                                  atomic_load_explicit(&parent[r], memory_order_relaxed) + 1,
                                  memory_order_relaxed);
    }
    *best = 0;
    *best_size = 0;
    for (uint32_t x = 0; x < n; x++) {
        uint32_t v = atomic_load_explicit(&parent[x], memory_order_relaxed);
        if (v >= x && (uint64_t)(v - x) + 1 > *best_size) {
            *best_size = (uint64_t)(v - x) + 1;
            *best = x;
        }
    }
}
