/*
 * harness.c - what the cmocka tests share (see harness.h).
 */
#include "harness.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/scoring.h"

/* ---- environment -------------------------------------------------------- */

int th_sanitized(void)
{
    return getenv("SCORESIM_SANITIZED") != NULL;
}

/* ---- files ---------------------------------------------------------------- */

void th_tmpdir(char *buf, size_t size, const char *tag)
{
    int k = snprintf(buf, size, "/tmp/scoresim-%s-XXXXXX", tag);
    assert_true(k > 0 && (size_t)k < size);
    assert_non_null(mkdtemp(buf));
}

int th_remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    char path[4096];
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            rc |= th_remove_tree(path);
        else
            rc |= unlink(path);
    }
    closedir(d);
    return rc | rmdir(dir);
}

static int th_cmp_name(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

void th_list_dir(const char *dir, char *out, size_t size)
{
    char names[32][256];
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            assert_true(n < 32);
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
        }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], th_cmp_name);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i) strncat(out, " ", size - strlen(out) - 1);
        strncat(out, names[i], size - strlen(out) - 1);
    }
}

int th_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

int th_file_exists(const char *dir, const char *name)
{
    char p[4096];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

char *th_read_stream(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (size_t k; (k = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += k;
        if (cap - n < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    assert_false(ferror(f));
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

char *th_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *s = th_read_stream(f, len);
    fclose(f);
    return s;
}

/* ---- SQLite --------------------------------------------------------------- */

sqlite3 *th_open_results(const char *dir)
{
    char p[4096];
    sqlite3 *db = NULL;
    snprintf(p, sizeof p, "%s/results.sqlite", dir);
    if (sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("cannot open %s: %s", p, db ? sqlite3_errmsg(db) : "?");
    return db;
}

/* sql prepared and stepped to its first row. */
static sqlite3_stmt *th_first_row(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_step(st) != SQLITE_ROW) fail_msg("%s: no row", sql);
    return st;
}

int64_t th_query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = th_first_row(db, sql);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

double th_query_real(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = th_first_row(db, sql);
    double v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

void th_query_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
    sqlite3_stmt *st = th_first_row(db, sql);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, size, "%s", t ? (const char *)t : "NULL");
    sqlite3_finalize(st);
}

/* ---- scenarios and sims ------------------------------------------------- */

static void th_vset(struct scenario *s, const char *fmt, va_list ap)
{
    static char buf[1 << 16];
    vsnprintf(buf, sizeof buf, fmt, ap);
    struct ss_error err = {0};
    if (scn_set(s, buf, &err) != SS_OK) {
        ss_error_print(&err, stderr);
        fail_msg("--set %s failed", buf);
    }
}

void th_set(struct scenario *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    th_vset(s, fmt, ap);
    va_end(ap);
}

void th_sets(struct scenario *s, const char *const *sets)
{
    for (int k = 0; sets && sets[k]; k++) th_set(s, "%s", sets[k]);
}

void th_finish(struct scenario *s)
{
    struct ss_error err = {0};
    if (scn_finish(s, &err) != SS_OK) {
        ss_error_print(&err, stderr);
        fail_msg("scn_finish failed");
    }
}

struct scenario *th_scenario(uint32_t agents, int days, const char *const *sets)
{
    struct ss_error err = {0};
    struct scenario *s = NULL;
    assert_int_equal(scn_new_default(&s, &err), SS_OK);
    th_set(s, "population.agents=%u", agents);
    th_set(s, "days=%d", days);
    th_sets(s, sets);
    th_finish(s);
    return s;
}

const char *const th_busy[] = {
    "behaviour.payment.period=3",
    "behaviour.protest.trigger.days=[5, 30]",
    "behaviour.protest.trigger.share=0.3",
    "behaviour.protest.trigger.min_attitude=0.3",
    "population.groups={majority: 0.5, uyghur: 0.5}",
    "scoring.points.protest=-300",
    "surveillance.cameras.false_attribution=0.002",
    "sanctions.ostracism.base=0.3",
    "sanctions.internment.days=10",
    NULL,
};

struct scenario *th_busy_scenario(uint32_t agents, int days, const char *const *more)
{
    struct ss_error err = {0};
    struct scenario *s = NULL;
    assert_int_equal(scn_new_default(&s, &err), SS_OK);
    th_set(s, "population.agents=%u", agents);
    th_set(s, "days=%d", days);
    th_sets(s, th_busy);
    th_sets(s, more);
    th_finish(s);
    return s;
}

struct sim *th_sim_create(const struct scenario *s, const struct sim_options *o)
{
    struct ss_error err = {0};
    struct sim *sim = NULL;
    if (sim_create(&sim, s, o, &err) != SS_OK) {
        ss_error_print(&err, stderr);
        fail_msg("sim_create failed");
    }
    return sim;
}

struct sim *th_sim(const struct scenario *s, int threads, int reference)
{
    struct sim_options o = {.threads = threads, .reference = reference};
    return th_sim_create(s, &o);
}

void th_step(struct sim *sim)
{
    struct ss_error err = {0};
    if (sim_step(sim, &err) != SS_OK) {
        ss_error_print(&err, stderr);
        fail_msg("sim_step failed on day %d", sim->world.day + 1);
    }
}

void th_measure(struct sim *sim)
{
    struct ss_error err = {0};
    if (sim_measure(sim, &err) != SS_OK) {
        ss_error_print(&err, stderr);
        fail_msg("sim_measure failed after day %d", sim->world.day);
    }
}

void th_run_into(const struct scenario *s, int threads, const char *out_dir)
{
    struct sim_options o = {.threads = threads, .out_dir = out_dir};
    struct sim *sim = th_sim_create(s, &o);
    struct ss_error err = {0};
    int rc = sim_run(sim, &err);
    if (rc != SS_OK) ss_error_print(&err, stderr);
    assert_int_equal(rc, SS_OK);
    sim_free(sim);
}

const char *th_yaml_list(const double *v, uint32_t n)
{
    static char buf[1 << 15];
    size_t k = 0;
    k += (size_t)snprintf(buf + k, sizeof buf - k, "[");
    for (uint32_t i = 0; i < n && k < sizeof buf; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%.17g", i ? ", " : "", v[i]);
    assert_true(k + 2 <= sizeof buf);
    snprintf(buf + k, sizeof buf - k, "]");
    return buf;
}

/* ---- trials ----------------------------------------------------------------- */

void th_trial_seed(struct th_trial *r, uint32_t agents)
{
    struct ss_error err = {0};
    memset(r, 0, sizeof *r);
    assert_int_equal(scn_new_default(&r->s, &err), SS_OK);
    th_set(r->s, "population.agents=%u", agents);
}

void th_trial_quiet(struct th_trial *r, uint32_t agents)
{
    static const char *const quiet[] = {
        "days=1000",
        "population.groups={a: 1.0}",
        "population.household_size=1",
        "population.child_share=0",
        "population.attitude=0.5",
        "population.reliability=1",
        "population.online_share=1",
        "population.threshold=2",
        "population.threshold_unit=share",
        "network.layers={c: {generator: complete, contact: 1}}",
        "behaviour.criticise.rate=0",
        "behaviour.conform.rate=0",
        "behaviour.travel.rate=0",
        "behaviour.payment.period=30",
        "behaviour.job_change.rate=0",
        "behaviour.loan.rate=0",
        "behaviour.protest.leave=0",
        "behaviour.protest.spontaneous=true",
        "behaviour.protest.trigger.days=[]",
        "behaviour.fear.enabled=false",
        "behaviour.attitude.per_sanction=0",
        "behaviour.attitude.per_reward=0",
        "behaviour.attitude.messaging=0",
        "scoring.integration=0",
        "scoring.recovery=0",
        "scoring.group_cap.enabled=false",
        "sanctions.ostracism.enabled=false",
        NULL,
    };
    static const char *const channels[] = {"payment", "internet", "cameras", "phone"};
    struct ss_error err = {0};
    memset(r, 0, sizeof *r);
    assert_int_equal(scn_new_default(&r->s, &err), SS_OK);
    th_sets(r->s, quiet);
    for (int c = 0; c < 4; c++) {
        th_set(r->s, "surveillance.%s.coverage=1", channels[c]);
        th_set(r->s, "surveillance.%s.coverage_by_group={}", channels[c]);
        th_set(r->s, "surveillance.%s.detect=1", channels[c]);
        th_set(r->s, "surveillance.%s.false_attribution=0", channels[c]);
    }
    th_set(r->s, "population.agents=%u", agents);
}

void th_trial_set(struct th_trial *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    th_vset(r->s, fmt, ap);
    va_end(ap);
}

void th_trial_start_threads(struct th_trial *r, int threads)
{
    th_finish(r->s);
    struct sim_options o = {.threads = threads};
    r->sim = th_sim_create(r->s, &o);
}

void th_trial_start(struct th_trial *r)
{
    th_trial_start_threads(r, 1);
}

void th_trial_free(struct th_trial *r)
{
    sim_free(r->sim);
    scn_free(r->s);
    memset(r, 0, sizeof *r);
}

void th_trial_day(struct th_trial *r)
{
    th_step(r->sim);
}

void th_trial_days(struct th_trial *r, int n)
{
    for (int k = 0; k < n; k++) th_trial_day(r);
}

const struct group_counts *th_tot(const struct th_trial *r)
{
    return &r->sim->eng.counts.row[r->sim->world.pop.n_groups];
}

float th_ledger(const struct th_trial *r, int d, uint32_t i)
{
    return r->sim->world.st.ledger[d][i];
}

double th_dom(const struct th_trial *r, uint32_t i, int d)
{
    return score_domain(r->sim->world.p, &r->sim->world.st, i, r->sim->world.pop.group[i], d);
}

double th_reported(const struct th_trial *r, uint32_t i)
{
    return score_reported(r->sim->world.p, &r->sim->world.st, i, r->sim->world.pop.group[i]);
}

int th_tier(const struct th_trial *r, double s)
{
    return score_tier(r->sim->world.p, s);
}

int th_status(const struct th_trial *r, uint32_t i, unsigned bit)
{
    return (r->sim->world.st.status[i] & bit) != 0;
}

int th_acted(const struct th_trial *r, uint32_t i, unsigned bit)
{
    return (r->sim->eng.acts[i] & bit) != 0;
}

int th_first_due_day(struct th_trial *r, uint32_t i)
{
    for (int k = 0; k < r->sim->world.p->behaviour.payment.period; k++) {
        th_trial_day(r);
        if (th_acted(r, i, AC_PAY_DUE)) return r->sim->world.day;
    }
    fail_msg("agent %u never due", i);
    return -1;
}

/* ---- images ----------------------------------------------------------------- */

static void *th_dup(const void *p, size_t bytes)
{
    void *q = malloc(bytes ? bytes : 1);
    assert_non_null(q);
    if (bytes) memcpy(q, p, bytes);
    return q;
}

void th_image_take(struct th_image *im, const struct sim *sim)
{
    const struct world *w = &sim->world;
    const struct state *st = &w->st;
    const size_t n = w->pop.n;
    memset(im, 0, sizeof *im);
    im->n = w->pop.n;
    im->n_misses = st->n_misses;
    im->n_groups = w->pop.n_groups;
    im->n_layers = w->net.n_layers;
    im->n_rows = sim->met.n_rows;
    im->n_layer_rows = sim->met.n_layer_rows;
    im->day = w->day;
    im->status = th_dup(st->status, n);
    im->history = th_dup(st->history, n);
    im->watched = th_dup(st->watched, n);
    im->attitude = th_dup(st->attitude, n * sizeof *st->attitude);
    im->fear = th_dup(st->fear, n * sizeof *st->fear);
    for (int d = 0; d < N_SUBSYSTEMS; d++)
        im->ledger[d] = th_dup(st->ledger[d], n * sizeof *st->ledger[d]);
    im->listed_day = th_dup(st->listed_day, n * sizeof *st->listed_day);
    im->interned_until = th_dup(st->interned_until, n * sizeof *st->interned_until);
    im->misses = th_dup(st->misses, n * st->n_misses * sizeof *st->misses);
    im->acts = th_dup(sim->eng.acts, n * sizeof *sim->eng.acts);
    memcpy(im->cap, st->cap, sizeof im->cap);
    for (uint32_t l = 0; l < w->net.n_layers; l++) {
        im->n_entries[l] = w->net.layer[l].n_entries;
        im->adj[l] = th_dup(w->net.layer[l].adj, im->n_entries[l] * sizeof(uint32_t));
    }
    im->counts = sim->eng.counts;
    memcpy(im->totals, w->totals, sizeof im->totals);
    im->contacts =
        th_dup(sim->eng.contacts, (size_t)(im->n_groups + 1) * im->n_layers * sizeof(int64_t));
    im->rows = th_dup(sim->met.rows, im->n_rows * sizeof *im->rows);
    im->layer_rows = th_dup(sim->met.layer_rows, im->n_layer_rows * sizeof *im->layer_rows);
}

void th_image_free(struct th_image *im)
{
    free(im->status);
    free(im->history);
    free(im->watched);
    free(im->attitude);
    free(im->fear);
    for (int d = 0; d < N_SUBSYSTEMS; d++) free(im->ledger[d]);
    free(im->listed_day);
    free(im->interned_until);
    free(im->misses);
    free(im->acts);
    for (uint32_t l = 0; l < im->n_layers; l++) free(im->adj[l]);
    free(im->contacts);
    free(im->rows);
    free(im->layer_rows);
    memset(im, 0, sizeof *im);
}

/* Fail naming the part unless count elements of a and b are the same bits. */
#define TH_SAME(part, a, b, count)                                                                 \
    do {                                                                                           \
        size_t bytes_ = (size_t)(count) * sizeof *(a);                                             \
        if (bytes_ && memcmp((a), (b), bytes_) != 0) {                                             \
            size_t k_ = 0;                                                                         \
            while (memcmp((const char *)(a) + k_ * sizeof *(a),                                    \
                          (const char *)(b) + k_ * sizeof *(b), sizeof *(a)) == 0)                 \
                k_++;                                                                              \
            fail_msg("%s, day %d: %s differs first at element %zu", what, x->day, part, k_);       \
        }                                                                                          \
    } while (0)

void th_image_assert_same(const struct th_image *x, const struct th_image *y, const char *what)
{
    assert_int_equal(x->day, y->day);
    assert_int_equal(x->n, y->n);
    assert_int_equal(x->n_misses, y->n_misses);
    assert_int_equal(x->n_groups, y->n_groups);
    assert_int_equal(x->n_layers, y->n_layers);
    assert_int_equal(x->n_rows, y->n_rows);
    assert_int_equal(x->n_layer_rows, y->n_layer_rows);
    const uint32_t n = x->n;
    TH_SAME("status", x->status, y->status, n);
    TH_SAME("history", x->history, y->history, n);
    TH_SAME("watched", x->watched, y->watched, n);
    TH_SAME("attitude", x->attitude, y->attitude, n);
    TH_SAME("fear", x->fear, y->fear, n);
    for (int d = 0; d < N_SUBSYSTEMS; d++) TH_SAME("a ledger", x->ledger[d], y->ledger[d], n);
    TH_SAME("listed_day", x->listed_day, y->listed_day, n);
    TH_SAME("interned_until", x->interned_until, y->interned_until, n);
    TH_SAME("misses", x->misses, y->misses, (size_t)n * x->n_misses);
    TH_SAME("acts", x->acts, y->acts, n);
    TH_SAME("cap", x->cap, y->cap, N_SUBSYSTEMS + 1);
    for (uint32_t l = 0; l < x->n_layers; l++) {
        assert_int_equal(x->n_entries[l], y->n_entries[l]);
        TH_SAME("a layer's ties", x->adj[l], y->adj[l], x->n_entries[l]);
    }
    TH_SAME("counts", x->counts.row, y->counts.row, x->n_groups + 1);
    TH_SAME("totals", x->totals, y->totals, x->n_groups + 1);
    TH_SAME("contacts", x->contacts, y->contacts, (size_t)(x->n_groups + 1) * x->n_layers);
    TH_SAME("rows", x->rows, y->rows, x->n_rows);
    TH_SAME("layer rows", x->layer_rows, y->layer_rows, x->n_layer_rows);
}

void th_assert_same_sims(const struct sim *a, const struct sim *b, const char *what)
{
    struct th_image x, y;
    th_image_take(&x, a);
    th_image_take(&y, b);
    th_image_assert_same(&x, &y, what);
    th_image_free(&x);
    th_image_free(&y);
}

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
