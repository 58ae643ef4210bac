/*
 * metrics.c - the daily figures of MODEL.md section 7 (see metrics.h): the
 * column tables that define the daily and daily_layer tables, the
 * measurement itself, and the Markdown reference of the output columns.
 *
 * Determinism: the agents are cut into fixed chunks (at most MET_BLOCK
 * agents, never spanning two groups) that depend only on the population,
 * never on the thread count. Each chunk's sums are stored, then added
 * serially in chunk order, so every figure is bit-identical for any number
 * of threads. The largest component is found with a concurrent union-find
 * whose partition (and root: the smallest id of each component) does not
 * depend on the order in which threads link ties.
 */
#include "metrics.h"

#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <string.h>

#include "error.h"
#include "mem.h"
#include "output.h"
#include "sim.h"

/* Agents per chunk: big enough that per-chunk overhead vanishes, small
 * enough that 2 x cores chunks exist from ~10^5 agents up. */
#define MET_BLOCK 16384
/* Days between largest-component measurements (MODEL.md: at least every 30). */
#define MET_COMPONENT_EVERY 30
#define MET_STR_(x)         #x
#define MET_STR(x)          MET_STR_(x)

/* A chunk of agents of one group and its sums for the day being measured.
 * Written only by the thread that measures the chunk. */
struct met_chunk {
    uint32_t start, end;          /* agents [start, end) */
    uint32_t group;               /* the group all of them are in */
    double attitude;              /* sum of attitude */
    double reliability;           /* sum of reliability */
    double threshold;             /* sum of threshold */
    int64_t support;              /* agents with attitude < 0.5 */
    int64_t children;             /* POP_CHILD agents */
    int64_t online;               /* POP_ONLINE agents */
    int64_t ties[MAX_LAYERS];     /* live tie ends per layer */
    int64_t in_group[MAX_LAYERS]; /* of which the other end is in the group */
    int64_t cut;                  /* NET_CUT entries, all layers */
    int64_t in_largest;           /* agents in the largest component */
};

struct met_work {
    uint32_t n_chunks;        /* chunks, in agent order */
    struct met_chunk *chunk;  /* [n_chunks] */
    uint32_t n;               /* agents the arrays below hold */
    _Atomic uint32_t *parent; /* [n] union-find parents; parent[x] <= x */
    uint32_t *size;           /* [n] component size, indexed by root */
    struct met_chunk *sum;    /* [n_rows] per-row totals of the chunks */
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

#define DOC_DAY        "day of the run: 0 is the initial state, then 1..days"
#define DOC_GROUP      "group index (as in the groups table), or -1 for all agents"
#define DOC_GROUP_NAME "the group's name, or 'all' for group -1"

const struct met_column met_daily_columns[] = {
    COL_I32(met_row, day, DOC_DAY),
    COL_I32(met_row, group, DOC_GROUP),
    {"group_name", MET_GROUP_NAME, offsetof(struct met_row, group), 1, DOC_GROUP_NAME},
    COL_I(met_row, agents, "agents in the group"),
    COL_I(met_row, children, "agents under 18"),
    COL_I(met_row, online, "adults who use social media"),
    COL_R(met_row, attitude_mean, "mean attitude (0 supports the system, 1 rejects it)"),
    COL_R(met_row, support_rate, "share of agents with attitude < 0.5"),
    COL_R(met_row, reliability_mean, "mean probability of paying on time"),
    COL_R(met_row, threshold_mean, "mean protest threshold, in the scenario's threshold unit"),
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
          "live ties; measured on day 0, every " MET_STR(
              MET_COMPONENT_EVERY) " days and on "
                                   "the last day, NULL on other days"),
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

int met_init(struct metrics *met, struct sim *sim, struct ss_error *err)
{
    const struct population *pop = &sim->pop;
    struct mem *m = &sim->mem;
    uint32_t n_layers = sim->net.n_layers;
    memset(met, 0, sizeof *met);
    if (pop->n_groups < 1 || pop->n_groups > MAX_GROUPS || n_layers > MAX_LAYERS ||
        pop->group_start[pop->n_groups] != pop->n)
        return err_msg(err, SS_EINTERNAL, "metrics: population groups are not contiguous");

    met->component_every = MET_COMPONENT_EVERY;
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
    w->size = mem_alloc_array(m, pop->n, sizeof *w->size);
    if (!w->chunk || !w->sum || !w->parent || !w->size) goto nomem;

    uint32_t c = 0;
    for (uint32_t g = 0; g < pop->n_groups; g++)
        for (uint64_t a = pop->group_start[g]; a < pop->group_start[g + 1]; a += MET_BLOCK) {
            uint64_t end =
                a + MET_BLOCK < pop->group_start[g + 1] ? a + MET_BLOCK : pop->group_start[g + 1];
            w->chunk[c++] =
                (struct met_chunk){.start = (uint32_t)a, .end = (uint32_t)end, .group = g};
        }
    return SS_OK;

nomem:
    met_free(met, sim);
    return err_nomem(err, "allocating the metrics");
}

void met_free(struct metrics *met, struct sim *sim)
{
    struct mem *m = &sim->mem;
    if (met->work) {
        mem_free(m, met->work->chunk);
        mem_free(m, met->work->sum);
        mem_free(m, (void *)met->work->parent);
        mem_free(m, met->work->size);
        mem_free(m, met->work);
    }
    mem_free(m, met->rows);
    mem_free(m, met->layer_rows);
    memset(met, 0, sizeof *met);
}

size_t met_estimate_bytes(const struct params *p)
{
    size_t rows = (size_t)p->pop.groups.n + 1, layers = p->net.n_layers;
    size_t chunks = (size_t)p->pop.agents / MET_BLOCK + p->pop.groups.n;
    return (size_t)p->pop.agents * 2 * sizeof(uint32_t) + chunks * sizeof(struct met_chunk) +
           rows * (sizeof(struct met_row) + sizeof(struct met_chunk)) +
           rows * layers * sizeof(struct met_layer_row) + sizeof(struct met_work);
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

/* Find the largest connected component over all layers' live ties. Leaves
 * parent[x] = the root (smallest id) of x's component for every agent and
 * returns the root of the largest one (of equal sizes, the one with the
 * smallest root) in *best and its size in *best_size. */
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

    /* Serial: one streaming pass; most agents share a handful of roots. */
    memset(w->size, 0, (size_t)n * sizeof *w->size);
    for (uint32_t x = 0; x < n; x++)
        w->size[atomic_load_explicit(&parent[x], memory_order_relaxed)]++;
    *best = 0;
    *best_size = 0;
    for (uint32_t x = 0; x < n; x++)
        if (w->size[x] > *best_size) {
            *best_size = w->size[x];
            *best = x;
        }
}

/* ---- per-agent sums --------------------------------------------------- */

/* Sum chunk c's agents. With largest != UINT32_MAX, parent[] holds every
 * agent's root and agents whose root is `largest` are counted. */
static void met_sum_chunk(struct met_chunk *c, const struct population *pop,
                          const struct network *net, _Atomic uint32_t *parent, uint32_t largest)
{
    struct met_chunk s = {.start = c->start, .end = c->end, .group = c->group};
    uint8_t g = (uint8_t)c->group;
    for (uint32_t u = c->start; u < c->end; u++) {
        s.attitude += pop->attitude[u];
        s.reliability += pop->reliability[u];
        s.threshold += pop->threshold[u];
        s.support += pop->attitude[u] < 0.5f;
        s.children += (pop->flags[u] & POP_CHILD) != 0;
        s.online += (pop->flags[u] & POP_ONLINE) != 0;
        if (largest != UINT32_MAX)
            s.in_largest += atomic_load_explicit(&parent[u], memory_order_relaxed) == largest;
        for (uint32_t l = 0; l < net->n_layers; l++) {
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
    t->support += c->support;
    t->children += c->children;
    t->online += c->online;
    for (int l = 0; l < MAX_LAYERS; l++) {
        t->ties[l] += c->ties[l];
        t->in_group[l] += c->in_group[l];
    }
    t->cut += c->cut;
    t->in_largest += c->in_largest;
}

/* a / b, or NaN (NULL in the output) when b is 0: a mean over no one. */
static double met_div(double a, int64_t b)
{
    return b ? a / (double)b : NAN;
}

int met_measure(struct metrics *met, struct sim *sim, int day, struct ss_error *err)
{
    const struct population *pop = &sim->pop;
    const struct network *net = &sim->net;
    struct met_work *w = met->work;
    uint32_t n_layers = net->n_layers, n_groups = pop->n_groups;
    if (!w || met->n_rows != n_groups + 1 || met->n_layer_rows != met->n_rows * n_layers ||
        w->n != pop->n)
        return err_msg(err, SS_EINTERNAL, "metrics: measured before met_init or after a change");

    int every = met->component_every;
    int measure_comp =
        day == 0 || (every > 0 && day % every == 0) || (sim->p && day == sim->p->days);
    uint32_t largest = UINT32_MAX;
    uint64_t largest_size = 0;
    if (measure_comp && pop->n > 0) met_components(w, net, pop->n, &largest, &largest_size);

    int64_t n_chunks = w->n_chunks;
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t c = 0; c < n_chunks; c++)
        met_sum_chunk(&w->chunk[c], pop, net, w->parent, largest);

    memset(w->sum, 0, met->n_rows * sizeof *w->sum);
    for (uint32_t c = 0; c < w->n_chunks; c++) {
        met_add(&w->sum[w->chunk[c].group], &w->chunk[c]);
        met_add(&w->sum[n_groups], &w->chunk[c]);
    }

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
            .agents = agents,
            .children = s->children,
            .online = s->online,
            .attitude_mean = met_div(s->attitude, agents),
            .support_rate = met_div((double)s->support, agents),
            .reliability_mean = met_div(s->reliability, agents),
            .threshold_mean = met_div(s->threshold, agents),
            .ties = ties,
            .degree_mean = met_div((double)ties, agents),
            .in_group_share = met_div((double)in_group, ties),
            .contacts = contacts,
            .ties_cut = s->cut,
            .largest_component_share = NAN,
        };
        if (largest != UINT32_MAX)
            row->largest_component_share =
                met_div(all ? (double)largest_size : (double)s->in_largest, agents);
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
          "     src/metrics.c and src/output.c; do not edit by hand. -->\n"
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
          "counts twice for that group.\n",
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
