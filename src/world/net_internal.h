/*
 * net_internal.h - what the network files share among themselves
 * (network.c: layers, CSR assembly, member lists; net_gen.c: the random
 * generators; net_edgelist.c: edge list files). Not part of any other
 * module's interface: network.h is the public face.
 *
 * A generator emits each undirected tie once, twice over: a counting pass
 * (degrees) and a filling pass (neighbours), with the same keyed draws both
 * times, so the layer's ties are never all held in an edge buffer. Its
 * work is cut into items (an agent, a ring position, a tie read) that any
 * thread can generate in any order; net_csr_build sorts and deduplicates
 * every row, which makes the result independent of that order.
 */
#ifndef NET_INTERNAL_H
#define NET_INTERNAL_H

#include <assert.h>
#include <stdint.h>

#include "world/network.h"
#include "core/rng.h"

/* Block of rng.h's counter index (c3) where per-layer keys are drawn (the
 * Feistel keys of an order). Tie draws keyed by an agent start at block 0
 * and never come near it. */
#define NET_KEY_BLOCK 0x80000000u

enum net_pass { NET_COUNT, NET_FILL };

/* A CSR under construction. */
struct net_csr {
    uint32_t n;     /* rows */
    net_off_t *off; /* NET_COUNT: off[i + 1] counts row i; NET_FILL: off[i] is row i's cursor */
    uint32_t *adj;  /* NET_FILL: the entries */
    int pass;       /* enum net_pass */
    uint64_t total; /* NET_COUNT: entries counted, in 64 bits (a row's 32-bit count can wrap) */
};

/* One thread's buffer of directed entries for the current round; see
 * net_csr_build. */
struct net_sink {
    uint64_t *e;       /* entries, row << 32 | neighbour */
    uint32_t n;        /* entries used */
    uint32_t cap;      /* room */
    struct net_csr *c; /* where entries go directly when the buffer is full */
};

/* Apply the directed entry u -> v to c at once (atomically: any thread). */
void net_direct(struct net_csr *c, uint32_t u, uint32_t v);

/* Emit the undirected tie u - v (u != v): both directed entries. */
static inline void net_emit(struct net_sink *s, uint32_t u, uint32_t v)
{
    assert(u != v && u < s->c->n && v < s->c->n);
    if (s->cap - s->n >= 2) {
        s->e[s->n++] = (uint64_t)u << 32 | v;
        s->e[s->n++] = (uint64_t)v << 32 | u;
    } else {
        net_direct(s->c, u, v);
        net_direct(s->c, v, u);
    }
}

/* A generator: item(ctx, i, sink) emits the ties of item i, for i in
 * [0, n_items), the same ties on every call. */
struct net_gen {
    void (*item)(const void *ctx, uint64_t i, struct net_sink *s); /* emits item i's ties */
    const void *ctx;                                               /* the generator's state */
    uint64_t n_items;                                              /* items */
    double per_item; /* directed entries an item emits: at most, or on average */
    int threads;     /* team size of the build's parallel regions */
};

/* Build L->off and L->adj (L->n and L->name set) from g: count,
 * prefix-sum, fill, then sort and deduplicate each row. On failure returns
 * SS_ENOMEM with err set ("out of memory while <what>"), or SS_EINPUT if
 * g emits more than NET_MAX_ENTRIES entries (found by the counting pass,
 * before adj is allocated); L is then safe to free. */
int net_csr_build(struct layer *L, const struct net_gen *g, struct mem *m, struct ss_error *err,
                  const char *what);

/* The members of a layer, in agent id order (which is group order). */
struct net_members {
    uint32_t n;                      /* members */
    uint32_t *id;                    /* [n] agent ids, ascending */
    uint32_t gstart[MAX_GROUPS + 1]; /* group g is id[gstart[g] .. gstart[g + 1]) */
};

/* Agents a with (pop->flags[a] & mask) == want. Returns SS_OK or
 * SS_ENOMEM (without setting err); free ms->id with mem_free. */
int net_members_select(struct net_members *ms, const struct population *pop, uint8_t mask,
                       uint8_t want, int threads, struct mem *m);
/* The (mask, want) pair for an enum members value. */
void net_members_mask(int members, uint8_t *mask, uint8_t *want);

/* A keyed pseudo-random permutation of [0, n) computable in O(1) per
 * element without memory: a 4-round balanced Feistel network on the
 * smallest even number of bits that covers n, with cycle walking (on
 * average at most 4 Feistel evaluations per element). */
struct net_perm {
    uint32_t n;      /* domain size */
    uint32_t half;   /* bits in each Feistel half */
    uint32_t mask;   /* (1 << half) - 1 */
    uint64_t key[4]; /* round keys */
};

void net_perm_init(struct net_perm *f, uint32_t n, uint64_t seed, uint32_t entity, uint32_t stream);

static inline uint32_t net_perm_round(uint64_t key, uint32_t x)
{
    uint64_t z = ((uint64_t)x + key) * 0x9E3779B97F4A7C15ull;
    z ^= z >> 29;
    z *= 0xBF58476D1CE4E5B9ull;
    z ^= z >> 32;
    return (uint32_t)z;
}

static inline uint32_t net_perm_apply(const struct net_perm *f, uint32_t x)
{
    if (f->n <= 1) return x;
    do {
        uint32_t l = x >> f->half, r = x & f->mask;
        for (int i = 0; i < 4; i++) {
            uint32_t t = l ^ (net_perm_round(f->key[i], r) & f->mask);
            l = r;
            r = t;
        }
        x = l << f->half | r;
    } while (x >= f->n);
    return x;
}

/* Start a keyed sequence at block `block` of (seed, entity, setup day,
 * stream): lets one entity own several independent sequences. */
static inline void net_rng_at(struct rng *r, uint64_t seed, uint32_t entity, uint32_t stream,
                              uint32_t block)
{
    rng_init(r, seed, entity, RNG_SETUP_DAY, stream);
    r->ctr[3] = block;
}

/* Generators (net_gen.c). li is the layer index (its rng stream is
 * RS_LAYER_BUILD + li); threads is the team size of their parallel
 * regions (the layer is the same for every count); `what` names the layer
 * for out-of-memory errors. */
int net_gen_watts_strogatz(struct layer *L, const struct population *pop, const struct params *p,
                           uint32_t li, int threads, struct mem *m, struct ss_error *err,
                           const char *what);
int net_gen_barabasi_albert(struct layer *L, const struct population *pop, const struct params *p,
                            uint32_t li, int threads, struct mem *m, struct ss_error *err,
                            const char *what);
int net_gen_erdos_renyi(struct layer *L, const struct population *pop, const struct params *p,
                        uint32_t li, int threads, struct mem *m, struct ss_error *err,
                        const char *what);

/* Edge lists (net_edgelist.c). */
int net_edge_list_read(struct layer *L, const struct population *pop, const struct layer_params *lp,
                       const char *base_dir, int threads, struct mem *m, struct ss_error *err,
                       const char *what);
/* The ties of the edge list text[0 .. len) (any bytes), read line by line
 * as a file's are (net_check_edge_lists' way: counted in *ties, not kept):
 * for the fuzzer. label names the text in errors; ids must be below
 * agents. */
int net_edge_list_parse(const char *text, size_t len, const char *label, uint32_t agents,
                        struct mem *m, uint64_t *ties, struct ss_error *err);
/* Bytes the reader holds whatever the file's size (buffer, a first chunk
 * of ties), for net_estimate_bytes. */
#define NET_EDGE_LIST_FIXED ((1 << 20) + (1 << 19))
/* The path of lp->file resolved against base_dir, into buf. Returns 0, or
 * -1 if it does not fit. */
int net_edge_list_path(char *buf, size_t size, const char *base_dir, const char *file);

#endif
