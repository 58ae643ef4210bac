/*
 * harness_world.c - hand-made parameters, built networks and hand-made
 * worlds for the tests (see harness.h).
 */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

/* ---- hand-made parameters --------------------------------------------------- */

void th_set_groups(struct params *p, int n, const double *shares)
{
    static const char *names[4] = {"majority", "uyghur", "tibetan", "other_minority"};
    p->population.groups.n = (uint32_t)n;
    for (int g = 0; g < n; g++) {
        snprintf(p->population.groups.name[g], MAX_NAME, "%s", names[g]);
        p->population.groups.v[g] = shares[g];
    }
}

void th_seed_population(struct params *p, uint32_t n)
{
    static const double shares[4] = {.911, .008, .005, .076};
    memset(p, 0, sizeof *p);
    p->seed = 20240601;
    p->population.agents = n;
    th_set_groups(p, 4, shares);
    p->population.household_size = 3;
    p->population.child_share = .2;
    p->population.attitude = (struct dist){.kind = DIST_BETA, .a = 2, .b = 6};
    p->population.reliability = (struct dist){.kind = DIST_BETA, .a = 18, .b = 1};
    p->population.online_share = .75;
    p->population.threshold =
        (struct dist){.kind = DIST_NORMAL, .mean = .25, .sd = .12, .lo = 0, .hi = 1};
    p->population.start_score = 1000;
}

void th_seed_params(struct params *p, uint32_t n)
{
    th_seed_population(p, n);
    p->network.n_layers = 3;
    struct layer_params *l = p->network.layers;
    l[0] = (struct layer_params){
        .name = "household", .enabled = 1, .generator = GEN_HOUSEHOLD, .contact = 1};
    l[1] = (struct layer_params){.name = "work",
                                 .enabled = 1,
                                 .generator = GEN_WATTS_STROGATZ,
                                 .members = MEM_ALL,
                                 .contact = .5,
                                 .k = 8,
                                 .rewire = .1,
                                 .homophily = .8};
    l[2] = (struct layer_params){.name = "online",
                                 .enabled = 1,
                                 .generator = GEN_BARABASI_ALBERT,
                                 .members = MEM_ONLINE,
                                 .contact = .2,
                                 .mean_degree = 10,
                                 .homophily = .8};
}

/* ---- built networks --------------------------------------------------------- */

void th_one_layer(struct params *p, struct layer_params l)
{
    p->network.n_layers = 1;
    memset(p->network.layers, 0, sizeof p->network.layers);
    l.enabled = 1;
    p->network.layers[0] = l;
}

int th_build_threads(struct th_built *w, const struct params *p, int threads)
{
    memset(w, 0, sizeof *w);
    int rc = pop_build(&w->pop, p, threads, &w->m, &w->err);
    if (rc) return rc;
    return net_build(&w->net, &w->pop, p, TEST_DATA_DIR, threads, &w->m, &w->err);
}

int th_build(struct th_built *w, const struct params *p)
{
    return th_build_threads(w, p, 2);
}

void th_unbuild(struct th_built *w)
{
    net_free(&w->net, &w->m);
    pop_free(&w->pop, &w->m);
    assert_int_equal(w->m.live, 0);
}

uint32_t th_degree(const struct layer *L, uint32_t i)
{
    return (uint32_t)(L->off[i + 1] - L->off[i]);
}

int th_has_tie(const struct layer *L, uint32_t i, uint32_t j)
{
    const uint32_t *row = L->adj + L->off[i];
    uint32_t lo = 0, hi = th_degree(L, i);
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (row[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < th_degree(L, i) && row[lo] == j;
}

/* Offsets consistent; rows sorted, unique, without self-loops; symmetric. */
void th_check_csr(const struct layer *L, uint32_t n)
{
    assert_int_equal(L->n, n);
    assert_int_equal(L->off[0], 0);
    assert_int_equal(L->off[n], L->n_entries);
    for (uint32_t i = 0; i < n; i++) {
        assert_true(L->off[i] <= L->off[i + 1]);
        for (net_off_t k = L->off[i]; k < L->off[i + 1]; k++) {
            uint32_t j = L->adj[k];
            assert_true(j < n);
            assert_true(j != i);
            if (k > L->off[i]) assert_true(L->adj[k - 1] < j);
            assert_true(th_has_tie(L, j, i));
        }
    }
}

/* ---- hand-made worlds ------------------------------------------------------- */

void th_layer_from_edges(struct layer *ly, const char *name, uint32_t n, const uint32_t *u,
                         const uint32_t *v, const unsigned char *cut, size_t m)
{
    snprintf(ly->name, sizeof ly->name, "%s", name);
    ly->n = n;
    ly->off = calloc((size_t)n + 1, sizeof *ly->off);
    assert_non_null(ly->off);
    for (size_t i = 0; i < m; i++) {
        ly->off[u[i] + 1]++;
        ly->off[v[i] + 1]++;
    }
    for (uint32_t a = 0; a < n; a++) ly->off[a + 1] += ly->off[a];
    ly->n_entries = ly->off[n];
    ly->adj = malloc((ly->n_entries ? ly->n_entries : 1) * sizeof *ly->adj);
    net_off_t *fill = malloc(((size_t)n + 1) * sizeof *fill);
    assert_non_null(ly->adj);
    assert_non_null(fill);
    memcpy(fill, ly->off, ((size_t)n + 1) * sizeof *fill);
    for (size_t i = 0; i < m; i++) {
        int c = cut && cut[i];
        ly->adj[fill[u[i]]++] = c ? NET_CUT : v[i];
        ly->adj[fill[v[i]]++] = c ? NET_CUT : u[i];
    }
    free(fill);
}

/* calloc of count elements (at least one), or fail. */
static void *th_zeros(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size);
    assert_non_null(p);
    return p;
}

void th_hand_new(struct th_hand *h, uint32_t n_groups, const uint32_t *sizes, uint32_t n_layers)
{
    memset(h, 0, sizeof *h);
    h->p = th_zeros(1, sizeof *h->p);
    struct population *pop = &h->w.pop;
    pop->n_groups = n_groups;
    h->p->population.groups.n = n_groups;
    for (uint32_t g = 0; g < n_groups; g++) {
        pop->group_start[g + 1] = pop->group_start[g] + sizes[g];
        snprintf(h->p->population.groups.name[g], MAX_NAME, "g%u", g);
    }
    for (uint32_t g = n_groups + 1; g <= MAX_GROUPS; g++)
        pop->group_start[g] = pop->group_start[n_groups];
    const uint32_t n = pop->n = pop->group_start[n_groups];
    pop->group = th_zeros(n, 1);
    pop->flags = th_zeros(n, 1);
    h->rel = th_zeros(n, sizeof *h->rel);
    h->thr = th_zeros(n, sizeof *h->thr);
    pop->rel_dist = (struct dist){.kind = DIST_LIST, .values = h->rel, .n_values = n};
    pop->thr_dist = (struct dist){.kind = DIST_LIST, .values = h->thr, .n_values = n};
    for (uint32_t g = 0; g < n_groups; g++)
        for (uint32_t a = pop->group_start[g]; a < pop->group_start[g + 1]; a++)
            pop->group[a] = (uint8_t)g;
    /* The initial state: attitude 0 (the caller sets it), fear 0, ledgers
     * 0, nothing listed. */
    struct state *st = &h->w.st;
    st->n = n;
    st->attitude = th_zeros(n, sizeof *st->attitude);
    st->fear = th_zeros(n, sizeof *st->fear);
    st->status = th_zeros(n, 1);
    st->history = th_zeros(n, 1);
    st->debt = th_zeros(n, 1);
    for (int d = 0; d < N_SUBSYSTEMS; d++) st->ledger[d] = th_zeros(n, sizeof *st->ledger[d]);
    for (int d = 0; d <= N_SUBSYSTEMS; d++) st->cap[d] = 1100;
    /* The seed's scoring, but integration 0.5 so hand sums stay exact. */
    h->p->population.start_score = 1000;
    h->p->scoring.min = 0;
    h->p->scoring.max = 1100;
    h->p->scoring.integration = 0.5;
    static const double tier_min[N_TIERS] = {1050, 1030, 960, 850, 600, 0};
    memcpy(h->p->scoring.tiers, tier_min, sizeof tier_min);
    for (uint32_t g = 0; g < n_groups; g++)
        h->p->population.groups.v[g] = n ? (double)sizes[g] / n : 0;
    h->w.net.n_layers = n_layers;
    h->contacts = th_zeros((size_t)(n_groups + 1) * (n_layers ? n_layers : 1), sizeof *h->contacts);
    h->e.contacts = h->contacts;
    h->e.threads = 1;
    tally_clear(&h->e.counts, n_groups);
    h->p->days = 365;
    h->w.p = h->p;
}

int th_hand_met_init(struct th_hand *h, int threads, struct ss_error *err)
{
    return met_init(&h->met, &h->w, threads, &h->mem, err);
}

int th_hand_measure(struct th_hand *h, int day, struct ss_error *err)
{
    h->w.day = day;
    return met_measure(&h->met, &h->w, &h->e, err);
}

void th_hand_free(struct th_hand *h)
{
    met_free(&h->met, &h->mem);
    assert_int_equal(h->mem.live, 0);
    for (uint32_t l = 0; l < h->w.net.n_layers; l++) {
        free(h->w.net.layer[l].off);
        free(h->w.net.layer[l].adj);
    }
    free(h->w.pop.group);
    free(h->w.pop.flags);
    free(h->rel);
    free(h->thr);
    struct state *st = &h->w.st;
    free(st->attitude);
    free(st->fear);
    free(st->status);
    free(st->history);
    free(st->debt);
    for (int d = 0; d < N_SUBSYSTEMS; d++) free(st->ledger[d]);
    free(h->contacts);
    free(h->p);
    memset(h, 0, sizeof *h);
}

void th_hand_tiny(struct th_hand *h, int extra_cut)
{
    static const uint32_t sizes[] = {6, 4};
    th_hand_new(h, 2, sizes, 2);
    struct population *pop = &h->w.pop;
    static const float att[10] = {0.125f, 0.25f,  0.375f, 0.625f, 0.75f,
                                  0.5f,   0.875f, 0.5f,   0.25f,  0.75f};
    for (uint32_t a = 0; a < 10; a++) {
        h->w.st.attitude[a] = att[a];
        h->rel[a] = a == 0 ? 1.0 : 0.75;
        h->thr[a] = a == 9 ? 0.5 : 0.25;
    }
    pop->flags[2] = pop->flags[5] = pop->flags[9] = POP_CHILD;
    pop->flags[0] = pop->flags[1] = pop->flags[3] = pop->flags[6] = pop->flags[7] = POP_ONLINE;

    static const uint32_t hu[] = {0, 0, 1, 3, 3, 4, 6, 8}, hv[] = {1, 2, 2, 4, 5, 5, 7, 9};
    th_layer_from_edges(&h->w.net.layer[0], "home", 10, hu, hv, NULL, 8);
    static const uint32_t wu[] = {2, 5, 0, 1}, wv[] = {3, 6, 7, 8};
    unsigned char cut[] = {0, 0, 0, 1};
    if (extra_cut) cut[0] = cut[1] = 1;
    th_layer_from_edges(&h->w.net.layer[1], "work", 10, wu, wv, cut, 4);
    /* contacts[row * 2 + layer]: group 0, group 1, all */
    static const int64_t contacts[] = {5, 2, 3, 1, 8, 3};
    memcpy(h->contacts, contacts, sizeof contacts);
}

const struct met_column *th_col_named(const char *name)
{
    for (size_t i = 0; i < met_n_daily_columns; i++)
        if (!strcmp(met_daily_columns[i].name, name)) return &met_daily_columns[i];
    fail_msg("no daily column %s", name);
    return NULL;
}

int64_t th_col_int(const struct met_row *row, const char *name)
{
    const struct met_column *c = th_col_named(name);
    assert_int_equal(c->type, MET_INT);
    assert_int_equal(c->is_int32, 0);
    int64_t v;
    memcpy(&v, (const char *)row + c->offset, sizeof v);
    return v;
}

double th_col_real(const struct met_row *row, const char *name)
{
    const struct met_column *c = th_col_named(name);
    assert_int_equal(c->type, MET_REAL);
    double v;
    memcpy(&v, (const char *)row + c->offset, sizeof v);
    return v;
}
