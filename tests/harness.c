/*
 * harness.c - what the cmocka tests share (see harness.h): files, SQLite,
 * scenarios and sims, trials, images of a day. Hand-made parameters,
 * networks and worlds are harness_world.c's.
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

struct scenario *th_scn_default(void)
{
    struct scenario *s;
    struct ss_error err = {0};
    assert_int_equal(scn_new_default(&s, &err), SS_OK);
    return s;
}

int th_load_finish(const char *path, struct scenario **s, struct ss_error *err)
{
    int rc = scn_load(s, path, err);
    if (rc) return rc;
    rc = scn_finish(*s, err);
    if (rc) {
        scn_free(*s);
        *s = NULL;
    }
    return rc;
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
        "behaviour.rail.rate=0",
        "enforcement.enabled=false",
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
    im->debt = th_dup(st->debt, n);
    im->sanctioned = th_dup(st->sanctioned, n * sizeof *st->sanctioned);
    im->sanctioned_last = th_dup(st->sanctioned_last, n * sizeof *st->sanctioned_last);
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
    free(im->debt);
    free(im->sanctioned);
    free(im->sanctioned_last);
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
    TH_SAME("debt", x->debt, y->debt, n);
    TH_SAME("sanctioned", x->sanctioned, y->sanctioned, n);
    TH_SAME("sanctioned_last", x->sanctioned_last, y->sanctioned_last, n);
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
