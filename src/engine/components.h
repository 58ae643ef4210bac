/*
 * components.h - the largest connected component of the network's live
 * ties (MODEL.md section 7), found with a concurrent union-find whose
 * partition, and root (the smallest id of each component), do not depend
 * on the order in which threads link ties. An interned agent meets no one,
 * so its ties join nothing: it is a component of its own.
 */
#ifndef COMPONENTS_H
#define COMPONENTS_H

#include <stdatomic.h>
#include <stdint.h>

#include "world/network.h"
#include "world/state.h"

/* Find the largest connected component over all layers' live ties of n
 * agents, with `threads` threads, using parent[0 .. n) as workspace; a tie
 * with an end whose status[] has ST_INTERNED does not count (status may be
 * NULL: every tie counts). Returns the root (smallest id) of the largest
 * one (of equal sizes, the one with the smallest root) in *best and its
 * size in *best_size, and leaves in parent[] what comp_root_of reads. */
void comp_largest(_Atomic uint32_t *parent, const struct network *net, const uint8_t *status,
                  uint32_t n, int threads, uint32_t *best, uint64_t *best_size);

/* The root of agent u's component, from parent[] as comp_largest leaves
 * it: for every agent x, parent[x] is the root of x's component if x is
 * not a root (then parent[x] < x), or x + its component's size - 1 if it
 * is (then parent[x] >= x). */
static inline uint32_t comp_root_of(_Atomic uint32_t *parent, uint32_t u)
{
    uint32_t v = atomic_load_explicit(&parent[u], memory_order_relaxed);
    return v < u ? v : u;
}

#endif
