/*
 * network.h - the multilayer contact network (docs/model.md section 2).
 *
 * Each layer is an undirected graph stored in CSR form: 32-bit row offsets
 * and a flat array of 32-bit neighbour ids, each tie present in both rows. Rows
 * are sorted by neighbour id, with no self-loops and no duplicates, so the
 * structure is the same whatever the thread count that built it. Ties cut
 * during a run (ostracism) are overwritten with NET_CUT in both rows rather
 * than removed, so offsets never move.
 */
#ifndef NETWORK_H
#define NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "core/mem.h"
#include "scenario/params.h"
#include "world/population.h"
#include "scoresim.h"

/* 32 bits, not 64: the offsets are one array per layer of n + 1, so this
 * saves 4 bytes per agent per layer, and the seed's layers at 10^8 agents
 * (2.7e8, 8e8 and 6e8 entries) are far below the limit. */
typedef uint32_t net_off_t; /* index into a layer's adj array */

/* Most directed entries one layer can hold, counted before repeated ties
 * are merged (the CSR is built at that size, then compacted). One below
 * UINT32_MAX, so that off[n] + 1 and a loop's e + 1 never wrap. */
#define NET_MAX_ENTRIES (UINT32_MAX - 1u)

#define NET_CUT UINT32_MAX /* a cut tie in adj */

struct layer {
    char name[MAX_NAME]; /* as in the scenario */
    int generator;       /* enum generator */
    uint32_t n;          /* agents (rows) */
    net_off_t *off;      /* [n + 1] row offsets */
    uint32_t *adj;       /* [off[n]] neighbour ids, or NET_CUT */
    uint64_t n_entries;  /* off[n]: directed entries, twice the ties */
    uint64_t n_merged;   /* ties generated or listed more than once, merged into one */
};

struct network {
    uint32_t n_layers;              /* as params.network.n_layers */
    struct layer layer[MAX_LAYERS]; /* in scenario order */
};

/* Build every layer of p over pop into net (which must be zeroed). Edge
 * list paths are relative to base_dir (the scenario file's folder; "." for
 * the built-in scenario). threads is the team size of every parallel
 * region (the layers are the same for every count). Returns SS_OK,
 * SS_ENOMEM, SS_EIO or SS_EINPUT
 * (malformed edge list: file, line and column in err). On failure net is
 * safe to net_free. */
int net_build(struct network *net, const struct population *pop, const struct params *p,
              const char *base_dir, int threads, struct mem *m, struct ss_error *err);
void net_free(struct network *net, struct mem *m);
/* SS_OK if a layer named `layer` of `entries` directed entries fits in
 * net_off_t (at most NET_MAX_ENTRIES), else SS_EINPUT with err saying
 * which layer and what the limit is. Builders call it with the exact count
 * (computed in 64 bits) before they allocate adj. */
int net_check_entries(uint64_t entries, const char *layer, struct ss_error *err);
/* Read every edge list p's enabled layers name (paths relative to
 * base_dir) as net_build would, with the same errors, keeping only a
 * count of ties: what `check` does so that a file a run would refuse is
 * refused before it. SS_OK, or net_build's error for the first bad file. */
int net_check_edge_lists(const struct params *p, const char *base_dir, struct mem *m,
                         struct ss_error *err);
/* Bytes the layers will hold, and the extra peak while building (edge
 * lists are estimated from their file size). */
size_t net_estimate_bytes(const struct params *p, const char *base_dir);

#endif
