/*
 * metrics.c - measuring the daily figures of MODEL.md section 7 (see
 * metrics.h): per-agent sums, score percentiles, the network figures.
 *
 * Determinism: the agents are cut into fixed chunks (at most MET_BLOCK
 * agents, never spanning two groups) that depend only on the population,
 * never on the thread count. Each chunk's sums are stored, then added
 * serially in chunk order, so every figure is bit-identical for any number
 * of threads. Score percentiles come from histograms of integer counts:
 * each thread counts the chunks it measures into its own histogram, and
 * integer sums do not depend on which thread counted what. The largest
 * component comes from components.c.
 */
#include "engine/metrics.h"

#include <math.h>
#include <omp.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "engine/components.h"
#include "engine/engine.h"
#include "model/scoring.h"

/* Agents per chunk: big enough that per-chunk overhead vanishes, small
 * enough that 2 x cores chunks exist from ~10^5 agents up. */
#define MET_BLOCK 16384
/* Score histogram bins per point: bins of 0.1 point. */
#define MET_BINS_PER_POINT 10
/* At most this many bins (512 KiB per thread): a score range wider than
 * 13,107.1 points gets this many equal, wider bins instead. */
#define MET_MAX_BINS (1u << 17)
/* Score percentiles, in percent, in the order of met_row.score_p. */
static const int met_pct[MET_N_PCT] = {1, 10, 50, 90, 99};

/* A chunk of agents of one group and its sums for the day being measured.
 * Written only by the thread that measures the chunk. */
struct met_chunk {
    uint32_t start, end;          /* agents [start, end) */
    uint32_t group;               /* the group all of them are in */
    double attitude;              /* sum of attitude */
    double reliability;           /* sum of reliability (constant: summed once, at met_init) */
    double threshold;             /* sum of threshold (likewise) */
    double fear;                  /* sum of fear */
    double score;                 /* sum of the reported score */
    double domain[N_SUBSYSTEMS];  /* sum of each domain score */
    int64_t support;              /* agents with attitude < 0.5 */
    int64_t children;             /* POP_CHILD agents */
    int64_t online;               /* POP_ONLINE agents */
    int64_t tier[N_TIERS];        /* agents per tier of the reported score */
    int64_t listed;               /* ST_LISTED */
    int64_t interned;             /* ST_INTERNED */
    int64_t ever_listed;          /* HI_LISTED */
    int64_t ever_sanctioned;      /* HI_SANCTIONED */
    int64_t listed_wrongfully;    /* ST_LISTED without HI_GENUINE */
    int64_t protesters;           /* ST_PROTEST */
    int64_t unpaid;               /* agents with an unpaid judgment */
    int64_t ties[MAX_LAYERS];     /* live tie ends per layer */
    int64_t in_group[MAX_LAYERS]; /* of which the other end is in the group */
    int64_t cut;                  /* NET_CUT entries, all layers */
    int64_t in_largest;           /* agents in the largest component */
};

struct met_work {
    uint32_t n_chunks;                    /* chunks, in agent order */
    struct met_chunk *chunk;              /* [n_chunks] */
    uint32_t chunk_start[MAX_GROUPS + 1]; /* group g's chunks: [chunk_start[g], chunk_start[g+1]) */
    uint32_t n;                           /* agents the arrays below hold */
    _Atomic uint32_t *parent;             /* [n] union-find workspace (components.h) */
    struct met_chunk *sum;                /* [n_rows] per-row totals of the chunks */
    uint32_t n_bins;                      /* score histogram bins */
    double bins_per_point;                /* bin k holds [min + k / bpp, min + (k + 1) / bpp) */
    int n_threads;                        /* threads that have a histogram */
    uint32_t *hist;                       /* [n_threads][n_bins] a thread's counts, one group */
    uint8_t *touched;                     /* [n_threads] the thread counted into its row */
    uint32_t *group_hist;                 /* [n_bins] the group's counts (n < 2^32) */
    uint32_t *all_hist;                   /* [n_bins] every agent's counts */
    double pct[MAX_GROUPS + 1][MET_N_PCT]; /* each row's percentiles */
};

/* Chunks a population with these group sizes is cut into. */
static uint32_t met_count_chunks(const struct population *pop)
{
    uint32_t c = 0;
    for (uint32_t g = 0; g < pop->n_groups; g++) {
        uint32_t size = pop->group_start[g + 1] - pop->group_start[g];
        c += (uint32_t)(((uint64_t)size + MET_BLOCK - 1) / MET_BLOCK);
    }
    return c;
}

/* Histogram bins for p's score range and their scale (bins per point):
 * 0.1-point bins and one for the maximum itself, or MET_MAX_BINS equal
 * bins over a very wide range. */
static uint32_t met_bins(const struct params *p, double *bins_per_point)
{
    double range = p->scoring.max - p->scoring.min;
    *bins_per_point = MET_BINS_PER_POINT;
    if (!(range > 0)) return 1;
    if (range * MET_BINS_PER_POINT < MET_MAX_BINS - 1)
        return (uint32_t)floor(range * MET_BINS_PER_POINT) + 1;
    *bins_per_point = (MET_MAX_BINS - 1) / range;
    return MET_MAX_BINS;
}

/* The group with the largest share the scenario asks for (of equal
 * shares, the lowest index): the reference of disparate impact, as the
 * majority is in MODEL.md section 7. Shares, not the agents each group
 * got, so the choice does not move with rounding. */
static uint32_t met_ref_group(const struct params *p, uint32_t n_groups)
{
    uint32_t ref = 0;
    for (uint32_t g = 1; g < n_groups; g++)
        if (p->population.groups.v[g] > p->population.groups.v[ref]) ref = g;
    return ref;
}

/* The sums of the attributes that never change (reliability, threshold),
 * per chunk: drawn again on each read (population.h), so summed once here,
 * agent by agent in the same order as met_sum_chunk's other sums. */
static void met_constant_sums(struct met_work *w, const struct population *pop, int threads)
{
    int64_t nc = w->n_chunks;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (int64_t k = 0; k < nc; k++) {
        struct met_chunk *c = &w->chunk[k];
        double rel = 0, thr = 0;
        for (uint32_t u = c->start; u < c->end; u++) {
            rel += pop_reliability(pop, u);
            thr += pop_threshold(pop, u);
        }
        c->reliability = rel;
        c->threshold = thr;
    }
}

int met_init(struct metrics *met, const struct world *world, int threads, struct mem *m,
             struct ss_error *err)
{
    const struct population *pop = &world->pop;
    uint32_t n_layers = world->net.n_layers;
    memset(met, 0, sizeof *met);
    if (!world->p) return err_msg(err, SS_EINTERNAL, "metrics: no parameters");
    if (pop->n_groups < 1 || pop->n_groups > MAX_GROUPS || n_layers > MAX_LAYERS ||
        pop->group_start[pop->n_groups] != pop->n)
        return err_msg(err, SS_EINTERNAL, "metrics: population groups are not contiguous");

    met->component_every = MET_COMPONENT_EVERY;
    met->ref_group = met_ref_group(world->p, pop->n_groups);
    met->n_rows = pop->n_groups + 1;
    met->n_layer_rows = met->n_rows * n_layers;
    met->rows = mem_calloc(m, met->n_rows, sizeof *met->rows);
    met->layer_rows = mem_calloc(m, met->n_layer_rows, sizeof *met->layer_rows);
    struct met_work *w = met->work = mem_calloc(m, 1, sizeof *met->work);
    if (!met->rows || !met->layer_rows || !w) goto nomem;

    w->n_chunks = met_count_chunks(pop);
    w->chunk = mem_calloc(m, w->n_chunks, sizeof *w->chunk);
    w->sum = mem_calloc(m, met->n_rows, sizeof *w->sum);
    w->n = pop->n;
    w->parent = mem_alloc_array(m, pop->n, sizeof *w->parent);
    w->n_bins = met_bins(world->p, &w->bins_per_point);
    w->n_threads = threads > 0 ? threads : 1;
    w->hist = mem_alloc_array(m, (size_t)w->n_threads * w->n_bins, sizeof *w->hist);
    w->touched = mem_calloc(m, (size_t)w->n_threads, sizeof *w->touched);
    w->group_hist = mem_alloc_array(m, w->n_bins, sizeof *w->group_hist);
    w->all_hist = mem_alloc_array(m, w->n_bins, sizeof *w->all_hist);
    if (!w->chunk || !w->sum || !w->parent || !w->hist || !w->touched || !w->group_hist ||
        !w->all_hist)
        goto nomem;

    uint32_t c = 0;
    for (uint32_t g = 0; g < pop->n_groups; g++) {
        w->chunk_start[g] = c;
        for (uint64_t a = pop->group_start[g]; a < pop->group_start[g + 1]; a += MET_BLOCK) {
            uint64_t end =
                a + MET_BLOCK < pop->group_start[g + 1] ? a + MET_BLOCK : pop->group_start[g + 1];
            w->chunk[c++] =
                (struct met_chunk){.start = (uint32_t)a, .end = (uint32_t)end, .group = g};
        }
    }
    w->chunk_start[pop->n_groups] = c;
    met_constant_sums(w, pop, w->n_threads);
    return SS_OK;

nomem:
    met_free(met, m);
    return err_nomem(err, "allocating the metrics");
}

void met_free(struct metrics *met, struct mem *m)
{
    struct met_work *w = met->work;
    if (w) {
        mem_free(m, w->chunk);
        mem_free(m, w->sum);
        mem_free(m, (void *)w->parent);
        mem_free(m, w->hist);
        mem_free(m, w->touched);
        mem_free(m, w->group_hist);
        mem_free(m, w->all_hist);
        mem_free(m, w);
    }
    mem_free(m, met->rows);
    mem_free(m, met->layer_rows);
    memset(met, 0, sizeof *met);
}

size_t met_estimate_bytes(const struct params *p, int threads)
{
    size_t rows = (size_t)p->population.groups.n + 1, layers = p->network.n_layers;
    size_t chunks = (size_t)p->population.agents / MET_BLOCK + p->population.groups.n;
    double bpp;
    size_t bins = met_bins(p, &bpp), nt = threads > 0 ? (size_t)threads : 1;
    return (size_t)p->population.agents * sizeof(uint32_t) + chunks * sizeof(struct met_chunk) +
           rows * (sizeof(struct met_row) + sizeof(struct met_chunk)) +
           rows * layers * sizeof(struct met_layer_row) + sizeof(struct met_work) +
           (nt + 2) * bins * sizeof(uint32_t) + nt;
}

/* What every chunk's measurement reads. */
struct met_ctx {
    const struct params *p; /* scores, tiers, caps */
    const struct population *pop;
    const struct network *net;
    const struct state *st;   /* the state after the day */
    int kept;                 /* the network figures are kept (exposure.h): no edge scan */
    _Atomic uint32_t *parent; /* components, when largest != UINT32_MAX (comp_root_of) */
    uint32_t largest;         /* root of the largest component, or UINT32_MAX */
    uint32_t n_bins;          /* histogram bins */
    double bins_per_point;    /* histogram scale */
};

/* The histogram bin of score s (clamped to the first and last bin). */
static inline uint32_t met_bin(const struct met_ctx *x, double s)
{
    double k = floor((s - x->p->scoring.min) * x->bins_per_point);
    if (!(k > 0)) return 0;
    if (k >= x->n_bins - 1) return x->n_bins - 1;
    return (uint32_t)k;
}

/* Sum chunk c's agents, and count their reported scores into hist. With
 * largest != UINT32_MAX, parent[] holds every agent's component (see
 * comp_largest) and agents whose root is `largest` are counted. The
 * constant sums (reliability, threshold) are kept from met_init. */
static void met_sum_chunk(struct met_chunk *c, const struct met_ctx *x, uint32_t *hist)
{
    const struct population *pop = x->pop;
    const struct network *net = x->net;
    const struct state *st = x->st;
    struct met_chunk s = {.start = c->start,
                          .end = c->end,
                          .group = c->group,
                          .reliability = c->reliability,
                          .threshold = c->threshold};
    uint8_t g = (uint8_t)c->group;
    for (uint32_t u = c->start; u < c->end; u++) {
        s.attitude += st->attitude[u];
        s.support += st->attitude[u] < 0.5f;
        s.children += (pop->flags[u] & POP_CHILD) != 0;
        s.online += (pop->flags[u] & POP_ONLINE) != 0;

        double score = score_reported(x->p, st, u, g);
        s.score += score;
        s.tier[score_tier(x->p, score)]++;
        hist[met_bin(x, score)]++;
        for (int d = 0; d < N_SUBSYSTEMS; d++) s.domain[d] += score_domain(x->p, st, u, g, d);
        s.fear += st->fear[u];
        unsigned status = st->status[u], history = st->history[u];
        s.listed += (status & ST_LISTED) != 0;
        s.interned += (status & ST_INTERNED) != 0;
        s.protesters += (status & ST_PROTEST) != 0;
        s.unpaid += st->debt[u] != 0;
        s.listed_wrongfully += (status & ST_LISTED) && !(history & HI_GENUINE);
        s.ever_listed += (history & HI_LISTED) != 0;
        s.ever_sanctioned += (history & HI_SANCTIONED) != 0;

        if (x->largest != UINT32_MAX) s.in_largest += comp_root_of(x->parent, u) == x->largest;
        for (uint32_t l = 0; l < net->n_layers && !x->kept; l++) {
            const struct layer *ly = &net->layer[l];
            if (u >= ly->n) continue;
            for (net_off_t e = ly->off[u]; e < ly->off[u + 1]; e++) {
                uint32_t v = ly->adj[e];
                if (v == NET_CUT) {
                    s.cut++;
                } else {
                    s.ties[l]++;
                    s.in_group[l] += pop->group[v] == g;
                }
            }
        }
    }
    *c = s;
}

/* Add chunk c into the running total t (in chunk order: the order fixes the
 * floating-point result). */
static void met_add(struct met_chunk *t, const struct met_chunk *c)
{
    t->attitude += c->attitude;
    t->reliability += c->reliability;
    t->threshold += c->threshold;
    t->fear += c->fear;
    t->score += c->score;
    for (int d = 0; d < N_SUBSYSTEMS; d++) t->domain[d] += c->domain[d];
    t->support += c->support;
    t->children += c->children;
    t->online += c->online;
    for (int k = 0; k < N_TIERS; k++) t->tier[k] += c->tier[k];
    t->listed += c->listed;
    t->interned += c->interned;
    t->ever_listed += c->ever_listed;
    t->ever_sanctioned += c->ever_sanctioned;
    t->listed_wrongfully += c->listed_wrongfully;
    t->protesters += c->protesters;
    t->unpaid += c->unpaid;
    for (int l = 0; l < MAX_LAYERS; l++) {
        t->ties[l] += c->ties[l];
        t->in_group[l] += c->in_group[l];
    }
    t->cut += c->cut;
    t->in_largest += c->in_largest;
}

/* Measure group g's chunks with up to nt threads: each thread counts the
 * scores of the chunks it takes into its own histogram (zeroed on its
 * first chunk), then the threads' counts are summed bin by bin into
 * group_hist and added to all_hist. */
static void met_measure_group(struct met_work *w, const struct met_ctx *x, uint32_t g, int nt)
{
    int64_t c0 = w->chunk_start[g], c1 = w->chunk_start[g + 1], n_bins = w->n_bins;
#pragma omp parallel num_threads(nt)
    {
        int t = omp_get_thread_num(), team = omp_get_num_threads();
        uint32_t *h = w->hist + (size_t)t * w->n_bins;
        w->touched[t] = 0;
#pragma omp for schedule(dynamic, 1)
        for (int64_t c = c0; c < c1; c++) {
            if (!w->touched[t]) {
                memset(h, 0, (size_t)w->n_bins * sizeof *h);
                w->touched[t] = 1;
            }
            met_sum_chunk(&w->chunk[c], x, h);
        }
        /* the implicit barrier: every thread's counts are in */
#pragma omp for schedule(static)
        for (int64_t k = 0; k < n_bins; k++) {
            uint32_t sum = 0;
            for (int u = 0; u < team; u++)
                if (w->touched[u]) sum += w->hist[(size_t)u * w->n_bins + k];
            w->group_hist[k] = sum;
            w->all_hist[k] += sum;
        }
    }
}

/* The percentiles met_pct of n scores in [min, max] counted in hist: for
 * p percent, the lower edge of the first bin where the cumulative count
 * reaches ceil(p x n / 100) (integer arithmetic, so exact). NaN when n is
 * 0. */
static void met_percentiles(const struct met_work *w, const uint32_t *hist, uint64_t n, double min,
                            double max, double *out)
{
    uint64_t cum = 0;
    uint32_t k = 0;
    for (int i = 0; i < MET_N_PCT; i++) {
        if (n == 0) {
            out[i] = NAN;
            continue;
        }
        uint64_t rank = ((uint64_t)met_pct[i] * n + 99) / 100;
        while (k < w->n_bins && cum + hist[k] < rank) cum += hist[k++];
        double edge = min + (double)(k < w->n_bins ? k : w->n_bins - 1) / w->bins_per_point;
        out[i] = edge < max ? edge : max; /* wide bins: the last edge may round above max */
    }
}

/* a / b, or NaN (NULL in the output) when b is 0: a mean over no one. */
static double met_div(double a, int64_t b)
{
    return b ? a / (double)b : NAN;
}

/* a / b for two rates; NaN when b is 0 (or either is NaN). */
static double met_ratio(double a, double b)
{
    return b != 0 ? a / b : NAN;
}

/* Whether st holds every array met_measure reads, for n agents. */
static int met_state_ready(const struct state *st, uint32_t n)
{
    if (n == 0) return 1;
    int ok = st->n == n && st->attitude && st->fear && st->status && st->history && st->debt;
    for (int d = 0; d < N_SUBSYSTEMS; d++) ok = ok && st->ledger[d];
    return ok;
}

/* Row r's figures from its per-agent sums s and its day counts gc. */
static void met_fill_row(struct met_row *row, const struct met_chunk *s,
                         const struct group_counts *gc, const struct world_totals *cum,
                         const double *pct, int64_t agents)
{
    row->agents = agents;
    row->children = s->children;
    row->online = s->online;
    row->attitude_mean = met_div(s->attitude, agents);
    row->support_rate = met_div((double)s->support, agents);
    row->reliability_mean = met_div(s->reliability, agents);
    row->threshold_mean = met_div(s->threshold, agents);
    row->fear_mean = met_div(s->fear, agents);

    row->score_mean = met_div(s->score, agents);
    memcpy(row->score_p, pct, sizeof row->score_p);
    for (int d = 0; d < N_SUBSYSTEMS; d++) row->domain_mean[d] = met_div(s->domain[d], agents);
    memcpy(row->tier, s->tier, sizeof row->tier);

    row->listed = s->listed;
    row->interned = s->interned;
    row->ever_listed = s->ever_listed;
    row->ever_sanctioned = s->ever_sanctioned;
    row->listed_wrongfully = s->listed_wrongfully;
    row->list_exits = gc->list_exits;
    row->list_exits_settled = gc->exits_settled;
    row->list_exits_recovered = gc->exits_recovered;
    row->list_exits_expired = gc->exits_expired;
    row->list_exit_days_mean = met_div((double)gc->exit_days, gc->list_exits);
    row->unpaid_judgments = s->unpaid;
    row->settlements = gc->settlements;
    row->settlements_coerced = gc->settlements_coerced;
    row->releases = gc->releases;
    memcpy(row->sanction, gc->sanctions, sizeof row->sanction);
    row->rewards = gc->rewards;
    for (int k = 0; k < N_SANCTIONS; k++) {
        row->sanctions += gc->sanctions[k];
        row->wrongful_sanctions += gc->wrongful[k];
        row->cross_context_sanctions += gc->cross_context[k];
    }
    row->cross_context_share = met_div((double)row->cross_context_sanctions, row->sanctions);
    row->sanctions_cum = cum->sanctions;
    row->wrongful_sanctions_cum = cum->wrongful_sanctions;
    row->cross_context_sanctions_cum = cum->cross_context_sanctions;
    row->flights_refused_cum = cum->flights_refused;
    row->rail_refused_cum = cum->rail_refused;
    row->list_exits_cum = cum->list_exits;
    row->settlements_cum = cum->settlements;

    row->protesters = s->protesters;
    memcpy(row->taken, gc->taken, sizeof row->taken);
    memcpy(row->observed, gc->observed, sizeof row->observed);
    row->criticism_would = gc->would_criticise;
    row->silence_ratio = gc->would_criticise
                             ? 1.0 - (double)gc->taken[ACT_CRITICISE] / (double)gc->would_criticise
                             : NAN;
    memcpy(row->scored, gc->scored, sizeof row->scored);
    memcpy(row->false_scored, gc->false_scored, sizeof row->false_scored);

    row->listed_rate = met_div((double)s->listed, agents);
    row->sanctioned_rate = met_div((double)s->ever_sanctioned, agents);
}

int met_measure(struct metrics *met, const struct world *world, const struct engine *e,
                struct ss_error *err)
{
    const struct population *pop = &world->pop;
    const struct network *net = &world->net;
    const struct params *p = world->p;
    const int day = world->day;
    struct met_work *w = met->work;
    uint32_t n_layers = net->n_layers, n_groups = pop->n_groups;
    if (!w || !p || met->n_rows != n_groups + 1 || met->n_layer_rows != met->n_rows * n_layers ||
        w->n != pop->n)
        return err_msg(err, SS_EINTERNAL, "metrics: measured before met_init or after a change");
    if (!met_state_ready(&world->st, pop->n))
        return err_msg(err, SS_EINTERNAL, "metrics: the agents' state is not allocated");

    int every = met->component_every;
    int measure_comp = day == 0 || (every > 0 && day % every == 0) || day == p->days;
    uint32_t largest = UINT32_MAX;
    uint64_t largest_size = 0;
    const int nt = w->n_threads;
    if (measure_comp && pop->n > 0)
        comp_largest(w->parent, net, world->st.status, pop->n, nt, &largest, &largest_size);

    struct met_ctx x = {
        .p = p,
        .pop = pop,
        .net = net,
        .st = &world->st,
        .kept = e->xp.enabled,
        .parent = w->parent,
        .largest = largest,
        .n_bins = w->n_bins,
        .bins_per_point = w->bins_per_point,
    };
    memset(w->all_hist, 0, (size_t)w->n_bins * sizeof *w->all_hist);
    for (uint32_t g = 0; g < n_groups; g++) {
        met_measure_group(w, &x, g, nt);
        met_percentiles(w, w->group_hist, pop->group_start[g + 1] - pop->group_start[g],
                        p->scoring.min, p->scoring.max, w->pct[g]);
    }
    met_percentiles(w, w->all_hist, pop->n, p->scoring.min, p->scoring.max, w->pct[n_groups]);

    memset(w->sum, 0, met->n_rows * sizeof *w->sum);
    for (uint32_t c = 0; c < w->n_chunks; c++) {
        met_add(&w->sum[w->chunk[c].group], &w->chunk[c]);
        met_add(&w->sum[n_groups], &w->chunk[c]);
    }
    if (e->xp.enabled) /* the same integers a scan counts (expo_check) */
        for (uint32_t g = 0; g < n_groups; g++) {
            for (uint32_t l = 0; l < n_layers; l++) {
                int64_t t = e->xp.net_ties[(size_t)g * n_layers + l];
                int64_t in = e->xp.net_in_group[(size_t)g * n_layers + l];
                w->sum[g].ties[l] = t;
                w->sum[g].in_group[l] = in;
                w->sum[n_groups].ties[l] += t;
                w->sum[n_groups].in_group[l] += in;
            }
            w->sum[g].cut = e->xp.net_cut[g];
            w->sum[n_groups].cut += e->xp.net_cut[g];
        }

    for (uint32_t r = 0; r < met->n_rows; r++) {
        const struct met_chunk *s = &w->sum[r];
        int all = r == n_groups;
        int64_t agents = all ? pop->n : pop->group_start[r + 1] - pop->group_start[r];
        struct met_row *row = &met->rows[r];
        int64_t ties = 0, in_group = 0, contacts = 0;
        for (uint32_t l = 0; l < n_layers; l++) {
            int64_t lc = e->contacts ? e->contacts[(size_t)r * n_layers + l] : 0;
            met->layer_rows[(size_t)r * n_layers + l] = (struct met_layer_row){
                .day = day,
                .group = all ? -1 : (int32_t)r,
                .layer = (int32_t)l,
                .ties = s->ties[l],
                .degree_mean = met_div((double)s->ties[l], agents),
                .in_group_share = met_div((double)s->in_group[l], s->ties[l]),
                .contacts = lc,
            };
            ties += s->ties[l];
            in_group += s->in_group[l];
            contacts += lc;
        }
        *row = (struct met_row){
            .day = day,
            .date = p->start_date == PARAMS_NO_DATE ? PARAMS_NO_DATE : p->start_date + day - 1,
            .group = all ? -1 : (int32_t)r,
            .ties = ties,
            .degree_mean = met_div((double)ties, agents),
            .in_group_share = met_div((double)in_group, ties),
            .contacts = contacts,
            .ties_cut = s->cut,
            .largest_component_share = NAN,
            .di_listed = NAN,
            .di_sanctioned = NAN,
        };
        met_fill_row(row, s, &e->counts.row[r], &world->totals[r], w->pct[r], agents);
        if (largest != UINT32_MAX)
            row->largest_component_share =
                met_div(all ? (double)largest_size : (double)s->in_largest, agents);
    }

    /* Disparate impact: each group's rates over the reference group's. */
    const struct met_row *ref = &met->rows[met->ref_group];
    for (uint32_t g = 0; g < n_groups; g++) {
        met->rows[g].di_listed = met_ratio(met->rows[g].listed_rate, ref->listed_rate);
        met->rows[g].di_sanctioned = met_ratio(met->rows[g].sanctioned_rate, ref->sanctioned_rate);
    }
    return SS_OK;
}
