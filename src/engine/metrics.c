/*
 * metrics.c - the daily figures of MODEL.md section 7 (see metrics.h): the
 * column tables that define the daily and daily_layer tables, the
 * measurement itself, and the Markdown reference of the output columns.
 *
 * Determinism: the agents are cut into fixed chunks (at most MET_BLOCK
 * agents, never spanning two groups) that depend only on the population,
 * never on the thread count. Each chunk's sums are stored, then added
 * serially in chunk order, so every figure is bit-identical for any number
 * of threads. Score percentiles come from histograms of integer counts:
 * each thread counts the chunks it measures into its own histogram, and
 * integer sums do not depend on which thread counted what. The largest
 * component is found with a concurrent union-find whose partition (and
 * root: the smallest id of each component) does not depend on the order in
 * which threads link ties.
 */
#include "engine/metrics.h"

#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "io/output.h"
#include "model/scoring.h"
#include "run/sim.h"

/* Agents per chunk: big enough that per-chunk overhead vanishes, small
 * enough that 2 x cores chunks exist from ~10^5 agents up. */
#define MET_BLOCK 16384
/* Days between largest-component measurements (MODEL.md: at least every 30). */
#define MET_COMPONENT_EVERY 30
/* Score histogram bins per point: bins of 0.1 point. */
#define MET_BINS_PER_POINT 10
/* At most this many bins (512 KiB per thread): a score range wider than
 * 13,107.1 points gets this many equal, wider bins instead. */
#define MET_MAX_BINS (1u << 17)
/* Score percentiles, in percent, in the order of met_row.score_p. */
static const int met_pct[MET_N_PCT] = {1, 10, 50, 90, 99};
#define MET_STR_(x) #x
#define MET_STR(x)  MET_STR_(x)

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
    int64_t ties[MAX_LAYERS];     /* live tie ends per layer */
    int64_t in_group[MAX_LAYERS]; /* of which the other end is in the group */
    int64_t cut;                  /* NET_CUT entries, all layers */
    int64_t in_largest;           /* agents in the largest component */
};

/* Running totals of the cumulative columns, per row. */
struct met_cum {
    int64_t sanctions;     /* all sanctions */
    int64_t wrongful;      /* wrongful sanctions */
    int64_t cross_context; /* cross-context sanctions */
    int64_t flights;       /* flights refused */
};

struct met_work {
    uint32_t n_chunks;                    /* chunks, in agent order */
    struct met_chunk *chunk;              /* [n_chunks] */
    uint32_t chunk_start[MAX_GROUPS + 1]; /* group g's chunks: [chunk_start[g], chunk_start[g+1]) */
    uint32_t n;                           /* agents the arrays below hold */
    _Atomic uint32_t *parent;             /* [n] union-find parents; parent[x] <= x (see
                                             met_components for what it holds after) */
    struct met_chunk *sum;                /* [n_rows] per-row totals of the chunks */
    uint32_t n_bins;                      /* score histogram bins */
    double bins_per_point;                /* bin k holds [min + k / bpp, min + (k + 1) / bpp) */
    int n_threads;                        /* threads that have a histogram */
    uint32_t *hist;                       /* [n_threads][n_bins] a thread's counts, one group */
    uint8_t *touched;                     /* [n_threads] the thread counted into its row */
    uint32_t *group_hist;                 /* [n_bins] the group's counts (n < 2^32) */
    uint32_t *all_hist;                   /* [n_bins] every agent's counts */
    double pct[MAX_GROUPS + 1][MET_N_PCT]; /* each row's percentiles */
    struct met_cum *cum;                   /* [n_rows] totals through cum_day */
    struct met_cum *cum_base;              /* [n_rows] totals through the day before cum_day */
    int cum_day;                           /* last day added into cum, -1 before any */
};

#define COL_I(s, f, d)                                                                             \
    {                                                                                              \
#f, MET_INT, offsetof(struct s, f), 0, d                                                   \
    }
#define COL_I32(s, f, d)                                                                           \
    {                                                                                              \
#f, MET_INT, offsetof(struct s, f), 1, d                                                   \
    }
#define COL_R(s, f, d)                                                                             \
    {                                                                                              \
#f, MET_REAL, offsetof(struct s, f), 0, d                                                  \
    }
/* Element i of met_row's int64_t (COL_AI) or double (COL_AR) array f. */
#define COL_AI(name, f, i, d)                                                                      \
    {                                                                                              \
        name, MET_INT, offsetof(struct met_row, f) + (size_t)(i) * sizeof(int64_t), 0, d           \
    }
#define COL_AR(name, f, i, d)                                                                      \
    {                                                                                              \
        name, MET_REAL, offsetof(struct met_row, f) + (size_t)(i) * sizeof(double), 0, d           \
    }

/* The actions of enum action (state.h): column suffix and what is counted.
 * Each gives a taken_ and an observed_ column. */
#define MET_ACTIONS(X)                                                                             \
    X(ACT_CRITICISE, criticise, "online criticisms")                                               \
    X(ACT_PROTEST, protest, "protest days (one per protester per day)")                            \
    X(ACT_MEET, meet, "tie ends active (a meeting counts once for each side)")                     \
    X(ACT_PAY, pay, "obligations falling due")                                                     \
    X(ACT_MISS, miss, "obligations not paid on time")                                              \
    X(ACT_CONFORM, conform, "conformity acts (volunteering, donations)")                           \
    X(ACT_TRAVEL, travel, "flight bookings")                                                       \
    X(ACT_SCHOOL, school, "school applications of children")                                       \
    X(ACT_JOB, job, "job changes")                                                                 \
    X(ACT_LOAN, loan, "loan requests")

/* The events of enum event (state.h): column suffix and what is scored.
 * Each gives a scored_ and a false_ column. */
#define MET_EVENTS(X)                                                                              \
    X(EV_MISSED_PAYMENT, missed_payment, "missed payments")                                        \
    X(EV_COURT_JUDGMENT, court_judgment, "court judgments")                                        \
    X(EV_CRITICISM, criticism, "online criticisms")                                                \
    X(EV_PROTEST, protest, "protests")                                                             \
    X(EV_ASSOCIATION, association,                                                                 \
      "contacts with a listed person, and household penalties of internees")                       \
    X(EV_CONFORMITY, conformity, "conformity acts")

/* Count each list: one enumerator per entry, then the number of entries. */
#define MET_COUNT(e, name, what) MET_COUNT_##e,
enum { MET_ACTIONS(MET_COUNT) MET_N_ACTIONS_LISTED };
enum { MET_EVENTS(MET_COUNT) MET_N_EVENTS_LISTED };
#undef MET_COUNT
_Static_assert((int)MET_N_ACTIONS_LISTED == (int)N_ACTIONS, "MET_ACTIONS must list every action");
_Static_assert((int)MET_N_EVENTS_LISTED == (int)N_EVENTS, "MET_EVENTS must list every event");

#define COL_ACTION(e, name, what)                                                                  \
    COL_AI("taken_" #name, taken, e, "taken today: " what),                                        \
        COL_AI("observed_" #name, observed, e,                                                     \
               "of those, seen by a surveillance channel (or checked) today: " what),
#define COL_EVENT(e, name, what)                                                                   \
    COL_AI("scored_" #name, scored, e, "scored today, true and false: " what),                     \
        COL_AI("false_" #name, false_scored, e,                                                    \
               "of those, scored against an agent who did not do it (false attributions): " what),

#define DOC_DAY        "day of the run: 0 is the initial state, then 1..days"
#define DOC_GROUP      "group index (as in the groups table), or -1 for all agents"
#define DOC_GROUP_NAME "the group's name, or 'all' for group -1"
#define DOC_PCT(p)                                                                                 \
    p " percentile of the reported score, to 0.1 point (see Score percentiles); NULL for no "      \
      "agents"
#define DOC_TIER(t) "agents whose reported score is in tier " t

const struct met_column met_daily_columns[] = {
    COL_I32(met_row, day, DOC_DAY),
    COL_I32(met_row, group, DOC_GROUP),
    {"group_name", MET_GROUP_NAME, offsetof(struct met_row, group), 1, DOC_GROUP_NAME},

    /* population */
    COL_I(met_row, agents, "agents in the group"),
    COL_I(met_row, children, "agents under 18"),
    COL_I(met_row, online, "adults who use social media"),
    COL_R(met_row, attitude_mean, "mean attitude (0 supports the system, 1 rejects it)"),
    COL_R(met_row, support_rate, "share of agents with attitude < 0.5"),
    COL_R(met_row, reliability_mean, "mean probability of paying on time"),
    COL_R(met_row, threshold_mean, "mean protest threshold, in the scenario's threshold unit"),
    COL_R(met_row, fear_mean, "mean fear (perceived risk, in [0,1])"),

    /* scores */
    COL_R(met_row, score_mean,
          "mean reported score (1000 + every sub-system's points, clamped, capped for capped "
          "groups)"),
    COL_AR("score_p1", score_p, 0, DOC_PCT("1st")),
    COL_AR("score_p10", score_p, 1, DOC_PCT("10th")),
    COL_AR("score_p50", score_p, 2, DOC_PCT("50th")),
    COL_AR("score_p90", score_p, 3, DOC_PCT("90th")),
    COL_AR("score_p99", score_p, 4, DOC_PCT("99th")),
    COL_AR("financial_mean", domain_mean, SUB_FINANCIAL,
           "mean financial domain score (governs loans)"),
    COL_AR("judicial_mean", domain_mean, SUB_JUDICIAL,
           "mean judicial domain score (governs the list)"),
    COL_AR("social_mean", domain_mean, SUB_SOCIAL,
           "mean social domain score (governs jobs and internment)"),
    COL_AI("tier_aaa", tier, TIER_AAA, DOC_TIER("AAA")),
    COL_AI("tier_aa", tier, TIER_AA, DOC_TIER("AA")),
    COL_AI("tier_a", tier, TIER_A, DOC_TIER("A")),
    COL_AI("tier_b", tier, TIER_B, DOC_TIER("B")),
    COL_AI("tier_c", tier, TIER_C, DOC_TIER("C")),
    COL_AI("tier_d", tier, TIER_D, DOC_TIER("D")),

    /* the list and sanctions */
    COL_I(met_row, listed, "agents on the public list at the end of the day"),
    COL_I(met_row, interned, "agents interned at the end of the day"),
    COL_I(met_row, ever_listed, "agents listed at least once so far"),
    COL_I(met_row, ever_sanctioned, "agents sanctioned at least once so far"),
    COL_I(met_row, listed_wrongfully,
          "agents on the list who have never been scored for a negative act they really did "
          "(listed on false attributions and association penalties alone)"),
    COL_AI("list_entries", sanction, SA_LISTING, "agents listed today"),
    COL_I(met_row, list_exits, "agents leaving the list today"),
    COL_I(met_row, releases, "internments ending today"),
    COL_AI("flights_refused", sanction, SA_TRAVEL, "flight bookings refused today (travel ban)"),
    COL_AI("school_refused", sanction, SA_SCHOOL,
           "school places refused today (children of listed parents)"),
    COL_AI("social_media_bans", sanction, SA_SOCIAL_MEDIA,
           "social media bans imposed today (with a listing)"),
    COL_AI("jobs_refused", sanction, SA_JOB, "jobs refused today (job restriction)"),
    COL_AI("loans_refused", sanction, SA_LOAN, "loans refused today (loan denial)"),
    COL_AI("internments", sanction, SA_INTERNMENT, "internments today"),
    COL_I(met_row, rewards, "rewards given today (tiers AA and AAA)"),
    COL_I(met_row, sanctions,
          "sanctions applied today, all kinds: list_entries + flights_refused + school_refused + "
          "social_media_bans + jobs_refused + loans_refused + internments"),
    COL_I(met_row, wrongful_sanctions,
          "of those, sanctions on agents never scored for a negative act they really did"),
    COL_I(met_row, cross_context_sanctions,
          "of those, cross-context sanctions: ones that would not have applied on the points "
          "of their own domain alone"),
    COL_R(met_row, cross_context_share, "cross_context_sanctions / sanctions; NULL if none"),
    COL_I(met_row, sanctions_cum, "sanctions from day 1 to this day"),
    COL_I(met_row, wrongful_sanctions_cum, "wrongful_sanctions from day 1 to this day"),
    COL_I(met_row, cross_context_sanctions_cum, "cross_context_sanctions from day 1 to this day"),
    COL_I(met_row, flights_refused_cum, "flights_refused from day 1 to this day"),

    /* actions */
    COL_I(met_row, protesters, "agents protesting today (protest size)"),
    /* clang-format off: it cannot see the commas inside the expansion */
    MET_ACTIONS(COL_ACTION)
    /* clang-format on */
    COL_I(met_row, criticism_would,
          "online criticisms that would have been posted today without fear or bans (the "
          "paired draw of MODEL.md section 3)"),
    COL_R(met_row, silence_ratio,
          "1 - taken_criticise / criticism_would: the share of criticism silenced by fear and "
          "bans; NULL if criticism_would is 0"),

    /* scored events */
    /* clang-format off */
    MET_EVENTS(COL_EVENT)
    /* clang-format on */

    /* network */
    COL_I(met_row, ties,
          "live tie ends held by the group's agents, all layers (a tie between two members "
          "counts twice)"),
    COL_R(met_row, degree_mean, "ties / agents: mean live degree, all layers"),
    COL_R(met_row, in_group_share,
          "share of those tie ends whose other end is in the same group (for 'all': share of "
          "tie ends joining two members of one group)"),
    COL_I(met_row, contacts,
          "tie ends active today, all layers (a meeting counts once for each side)"),
    COL_I(met_row, ties_cut,
          "tie ends held by the group's agents that ostracism has cut so far, all layers"),
    COL_R(met_row, largest_component_share,
          "share of the group's agents in the largest connected component of all layers' "
          "live ties; measured on day 0, every " MET_STR(MET_COMPONENT_EVERY) " days and on the "
                                                                              "last day, NULL on "
                                                                              "other days"),

    /* disparate impact */
    COL_R(met_row, listed_rate, "listed / agents"),
    COL_R(met_row, sanctioned_rate, "ever_sanctioned / agents"),
    COL_R(met_row, di_listed,
          "disparate impact of the list: listed_rate / the reference group's listed_rate (see "
          "Disparate impact); NULL for 'all' and when either rate is undefined or the "
          "reference's is 0"),
    COL_R(met_row, di_sanctioned,
          "disparate impact of sanctions: sanctioned_rate / the reference group's; NULL as for "
          "di_listed"),
};
const size_t met_n_daily_columns = sizeof met_daily_columns / sizeof met_daily_columns[0];

const struct met_column met_layer_columns[] = {
    COL_I32(met_layer_row, day, DOC_DAY),
    COL_I32(met_layer_row, group, DOC_GROUP),
    {"group_name", MET_GROUP_NAME, offsetof(struct met_layer_row, group), 1, DOC_GROUP_NAME},
    COL_I32(met_layer_row, layer, "layer index (as in the layers table)"),
    {"layer_name", MET_LAYER_NAME, offsetof(struct met_layer_row, layer), 1, "the layer's name"},
    COL_I(met_layer_row, ties, "live tie ends held by the group's agents in this layer"),
    COL_R(met_layer_row, degree_mean, "ties / agents of the group: mean live degree"),
    COL_R(met_layer_row, in_group_share,
          "share of those tie ends whose other end is in the same group"),
    COL_I(met_layer_row, contacts, "tie ends of this layer active today"),
};
const size_t met_n_layer_columns = sizeof met_layer_columns / sizeof met_layer_columns[0];

/* ---- allocation ------------------------------------------------------- */

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
static void met_constant_sums(struct met_work *w, const struct population *pop)
{
    int64_t nc = w->n_chunks;
#pragma omp parallel for schedule(dynamic, 1)
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

int met_init(struct metrics *met, struct sim *sim, struct ss_error *err)
{
    const struct population *pop = &sim->pop;
    struct mem *m = &sim->mem;
    uint32_t n_layers = sim->net.n_layers;
    memset(met, 0, sizeof *met);
    if (!sim->p) return err_msg(err, SS_EINTERNAL, "metrics: no parameters");
    if (pop->n_groups < 1 || pop->n_groups > MAX_GROUPS || n_layers > MAX_LAYERS ||
        pop->group_start[pop->n_groups] != pop->n)
        return err_msg(err, SS_EINTERNAL, "metrics: population groups are not contiguous");

    met->component_every = MET_COMPONENT_EVERY;
    met->ref_group = met_ref_group(sim->p, pop->n_groups);
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
    w->n_bins = met_bins(sim->p, &w->bins_per_point);
    w->n_threads = omp_get_max_threads();
    w->hist = mem_alloc_array(m, (size_t)w->n_threads * w->n_bins, sizeof *w->hist);
    w->touched = mem_calloc(m, (size_t)w->n_threads, sizeof *w->touched);
    w->group_hist = mem_alloc_array(m, w->n_bins, sizeof *w->group_hist);
    w->all_hist = mem_alloc_array(m, w->n_bins, sizeof *w->all_hist);
    w->cum = mem_calloc(m, met->n_rows, sizeof *w->cum);
    w->cum_base = mem_calloc(m, met->n_rows, sizeof *w->cum_base);
    w->cum_day = -1;
    if (!w->chunk || !w->sum || !w->parent || !w->hist || !w->touched || !w->group_hist ||
        !w->all_hist || !w->cum || !w->cum_base)
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
    met_constant_sums(w, pop);
    return SS_OK;

nomem:
    met_free(met, sim);
    return err_nomem(err, "allocating the metrics");
}

void met_free(struct metrics *met, struct sim *sim)
{
    struct mem *m = &sim->mem;
    struct met_work *w = met->work;
    if (w) {
        mem_free(m, w->chunk);
        mem_free(m, w->sum);
        mem_free(m, (void *)w->parent);
        mem_free(m, w->hist);
        mem_free(m, w->touched);
        mem_free(m, w->group_hist);
        mem_free(m, w->all_hist);
        mem_free(m, w->cum);
        mem_free(m, w->cum_base);
        mem_free(m, w);
    }
    mem_free(m, met->rows);
    mem_free(m, met->layer_rows);
    memset(met, 0, sizeof *met);
}

size_t met_estimate_bytes(const struct params *p)
{
    size_t rows = (size_t)p->population.groups.n + 1, layers = p->network.n_layers;
    size_t chunks = (size_t)p->population.agents / MET_BLOCK + p->population.groups.n;
    double bpp;
    size_t bins = met_bins(p, &bpp), threads = (size_t)omp_get_max_threads();
    return (size_t)p->population.agents * sizeof(uint32_t) + chunks * sizeof(struct met_chunk) +
           rows * (sizeof(struct met_row) + sizeof(struct met_chunk) + 2 * sizeof(struct met_cum)) +
           rows * layers * sizeof(struct met_layer_row) + sizeof(struct met_work) +
           (threads + 2) * bins * sizeof(uint32_t) + threads;
}

/* ---- largest component ------------------------------------------------ */

/* The root of x, halving the path on the way. Parents only ever move to
 * an ancestor, and an ancestor's id is never larger, so a racing halving
 * can at worst store an ancestor that is not the newest: still correct. */
static uint32_t met_find(_Atomic uint32_t *parent, uint32_t x)
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
static uint32_t met_root(_Atomic uint32_t *parent, uint32_t x)
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
static void met_union(_Atomic uint32_t *parent, uint32_t a, uint32_t b)
{
    for (;;) {
        a = met_find(parent, a);
        b = met_find(parent, b);
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

/* Find the largest connected component over all layers' live ties. Returns
 * the root (smallest id) of the largest one (of equal sizes, the one with
 * the smallest root) in *best and its size in *best_size, and leaves in
 * parent[x], for every agent x: the root of x's component if x is not a
 * root (then parent[x] < x), or x + its component's size - 1 if it is
 * (then parent[x] >= x); met_root_of reads it. */
static void met_components(struct met_work *w, const struct network *net, uint32_t n,
                           uint32_t *best, uint64_t *best_size)
{
    _Atomic uint32_t *parent = w->parent;
    int64_t nn = n;
#pragma omp parallel for schedule(static)
    for (int64_t x = 0; x < nn; x++)
        atomic_store_explicit(&parent[x], (uint32_t)x, memory_order_relaxed);

#pragma omp parallel for schedule(dynamic, 4096)
    for (int64_t x = 0; x < nn; x++) {
        uint32_t u = (uint32_t)x;
        for (uint32_t l = 0; l < net->n_layers; l++) {
            const struct layer *ly = &net->layer[l];
            if (u >= ly->n) continue;
            for (net_off_t e = ly->off[u]; e < ly->off[u + 1]; e++) {
                uint32_t v = ly->adj[e];
                if (v != NET_CUT && v > u) met_union(parent, u, v);
            }
        }
    }

#pragma omp parallel for schedule(static)
    for (int64_t x = 0; x < nn; x++)
        atomic_store_explicit(&parent[x], met_root(parent, (uint32_t)x), memory_order_relaxed);

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

/* The root of agent u's component, from parent[] as met_components leaves it. */
static inline uint32_t met_root_of(_Atomic uint32_t *parent, uint32_t u)
{
    uint32_t v = atomic_load_explicit(&parent[u], memory_order_relaxed);
    return v < u ? v : u;
}

/* ---- per-agent sums --------------------------------------------------- */

/* What every chunk's measurement reads. */
struct met_ctx {
    const struct params *p; /* scores, tiers, caps */
    const struct population *pop;
    const struct network *net;
    const struct state *st;   /* the state after the day */
    int kept;                 /* the network figures are kept (exposure.h): no edge scan */
    _Atomic uint32_t *parent; /* components, when largest != UINT32_MAX (met_root_of) */
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
 * met_components) and agents whose root is `largest` are counted. The
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
        s.attitude += pop->attitude[u];
        s.support += pop->attitude[u] < 0.5f;
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
        s.listed_wrongfully += (status & ST_LISTED) && !(history & HI_GENUINE);
        s.ever_listed += (history & HI_LISTED) != 0;
        s.ever_sanctioned += (history & HI_SANCTIONED) != 0;

        if (x->largest != UINT32_MAX) s.in_largest += met_root_of(x->parent, u) == x->largest;
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

/* The cumulative columns of day `day`: each new day adds its counts to the
 * totals through the last day measured; measuring that day again
 * recomputes from the same base, and day 0 starts over. */
static void met_cumulate(struct met_work *w, const struct day_counts *counts, uint32_t n_rows,
                         int day)
{
    if (day == 0)
        memset(w->cum_base, 0, n_rows * sizeof *w->cum_base);
    else if (day != w->cum_day)
        memcpy(w->cum_base, w->cum, n_rows * sizeof *w->cum);
    for (uint32_t r = 0; r < n_rows; r++) {
        const struct group_counts *gc = &counts->row[r];
        struct met_cum today = {.flights = gc->sanctions[SA_TRAVEL]};
        for (int k = 0; k < N_SANCTIONS; k++) {
            today.sanctions += gc->sanctions[k];
            today.wrongful += gc->wrongful[k];
            today.cross_context += gc->cross_context[k];
        }
        w->cum[r] = (struct met_cum){
            .sanctions = w->cum_base[r].sanctions + today.sanctions,
            .wrongful = w->cum_base[r].wrongful + today.wrongful,
            .cross_context = w->cum_base[r].cross_context + today.cross_context,
            .flights = w->cum_base[r].flights + today.flights,
        };
    }
    w->cum_day = day;
}

/* Whether st holds every array met_measure reads, for n agents. */
static int met_state_ready(const struct state *st, uint32_t n)
{
    if (n == 0) return 1;
    int ok = st->n == n && st->fear && st->status && st->history;
    for (int d = 0; d < N_SUBSYSTEMS; d++) ok = ok && st->ledger[d];
    return ok;
}

/* Row r's figures from its per-agent sums s and its day counts gc. */
static void met_fill_row(struct met_row *row, const struct met_chunk *s,
                         const struct group_counts *gc, const struct met_cum *cum,
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
    row->wrongful_sanctions_cum = cum->wrongful;
    row->cross_context_sanctions_cum = cum->cross_context;
    row->flights_refused_cum = cum->flights;

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

int met_measure(struct metrics *met, struct sim *sim, int day, struct ss_error *err)
{
    const struct population *pop = &sim->pop;
    const struct network *net = &sim->net;
    const struct params *p = sim->p;
    struct met_work *w = met->work;
    uint32_t n_layers = net->n_layers, n_groups = pop->n_groups;
    if (!w || !p || met->n_rows != n_groups + 1 || met->n_layer_rows != met->n_rows * n_layers ||
        w->n != pop->n)
        return err_msg(err, SS_EINTERNAL, "metrics: measured before met_init or after a change");
    if (!met_state_ready(&sim->st, pop->n))
        return err_msg(err, SS_EINTERNAL, "metrics: the agents' state is not allocated");

    int every = met->component_every;
    int measure_comp = day == 0 || (every > 0 && day % every == 0) || day == p->days;
    uint32_t largest = UINT32_MAX;
    uint64_t largest_size = 0;
    if (measure_comp && pop->n > 0) met_components(w, net, pop->n, &largest, &largest_size);

    /* Never more threads than have a histogram (the count may have been
     * raised since met_init). */
    int nt = omp_get_max_threads();
    if (nt > w->n_threads) nt = w->n_threads;
    struct met_ctx x = {
        .p = p,
        .pop = pop,
        .net = net,
        .st = &sim->st,
        .kept = sim->xp.enabled,
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
    if (sim->xp.enabled) /* the same integers a scan counts (expo_check) */
        for (uint32_t g = 0; g < n_groups; g++) {
            for (uint32_t l = 0; l < n_layers; l++) {
                int64_t t = sim->xp.net_ties[(size_t)g * n_layers + l];
                int64_t in = sim->xp.net_in_group[(size_t)g * n_layers + l];
                w->sum[g].ties[l] = t;
                w->sum[g].in_group[l] = in;
                w->sum[n_groups].ties[l] += t;
                w->sum[n_groups].in_group[l] += in;
            }
            w->sum[g].cut = sim->xp.net_cut[g];
            w->sum[n_groups].cut += sim->xp.net_cut[g];
        }
    met_cumulate(w, &sim->counts, met->n_rows, day);

    for (uint32_t r = 0; r < met->n_rows; r++) {
        const struct met_chunk *s = &w->sum[r];
        int all = r == n_groups;
        int64_t agents = all ? pop->n : pop->group_start[r + 1] - pop->group_start[r];
        struct met_row *row = &met->rows[r];
        int64_t ties = 0, in_group = 0, contacts = 0;
        for (uint32_t l = 0; l < n_layers; l++) {
            int64_t lc = sim->contacts ? sim->contacts[(size_t)r * n_layers + l] : 0;
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
        met_fill_row(row, s, &sim->counts.row[r], &w->cum[r], w->pct[r], agents);
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

/* ---- documentation ---------------------------------------------------- */

const char *met_sql_type(int type)
{
    switch (type) {
    case MET_INT:
        return "INTEGER";
    case MET_REAL:
        return "REAL";
    default:
        return "TEXT";
    }
}

int met_write_table_docs(FILE *f, const char *table, const char *intro,
                         const struct met_column *cols, size_t n)
{
    fprintf(f, "\n## %s\n\n%s\n\n| column | type | meaning |\n|---|---|---|\n", table, intro);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "| `%s` | %s | %s |\n", cols[i].name, met_sql_type(cols[i].type), cols[i].doc);
    return ferror(f) ? SS_EIO : SS_OK;
}

int met_write_docs(FILE *f)
{
    fputs("# Output reference\n"
          "\n"
          "<!-- Generated by `scoresim metrics --markdown` from the column tables in\n"
          "     src/engine/metrics.c and src/io/output.c; do not edit by hand. -->\n"
          "\n"
          "A run writes two files into its results folder: `results.sqlite` (the tables\n"
          "below) and `daily.csv` (the rows of the `daily` table, same columns, with a\n"
          "header line; an empty field is NULL). Both are written under temporary names\n"
          "and renamed when the run completes, so a file with the final name is always\n"
          "complete.\n"
          "\n"
          "The daily tables hold one row per day and group: group -1, named 'all', is\n"
          "every agent; day 0 is the initial state, before the first simulated day.\n"
          "NULL means not measured that day (or a mean over no agents). Counts of tie\n"
          "ends count a tie once at each end, so a tie between two members of a group\n"
          "counts twice for that group. Counts said to be of today (actions, scored\n"
          "events, sanctions) cover that day alone; the `_cum` columns add them up\n"
          "from day 1.\n"
          "\n"
          "**Score percentiles** are read from histograms of the reported score with\n"
          "bins of 0.1 point over [scoring.min, scoring.max] (the last bin holds\n"
          "scoring.max itself; a range wider than 13,107.1 points is cut into 131,072\n"
          "equal bins instead). The p-th percentile of n agents is the lower edge of the\n"
          "first bin where the cumulative count reaches ceil(p x n / 100): the score of\n"
          "the agent of that rank, rounded down to its bin (the median of 599.75 and\n"
          "1020 is 599.7). The counts are integers, so the figures do not depend on the\n"
          "number of threads.\n"
          "\n"
          "**Disparate impact** (MODEL.md section 7) divides each group's rate by the\n"
          "reference group's: the group with the largest share in `population.groups`\n"
          "(of equal shares, the first listed), the seed's majority. A ratio under 0.8\n"
          "or over 1.25 is the usual flag.\n",
          f);
    int rc = met_write_table_docs(
        f, "daily", "One row per day and group (MODEL.md section 7). Key: (`day`, `group`).",
        met_daily_columns, met_n_daily_columns);
    if (rc == SS_OK)
        rc = met_write_table_docs(
            f, "daily_layer",
            "One row per day, group and network layer. Key: (`day`, `group`, `layer`).",
            met_layer_columns, met_n_layer_columns);
    if (rc == SS_OK) rc = out_write_docs(f);
    return rc;
}
