/*
 * harness.h - what the cmocka tests share (tests/harness.c, linked into
 * every tests/test_*.c as the test_harness library). Prefix th_.
 *
 *  - the environment: whether the suite runs under the sanitizers;
 *  - files: temporary folders, listing and removing them, reading a file;
 *  - SQLite: one value of a query on a results database;
 *  - scenarios and sims: --set lines that must succeed, a finished
 *    scenario, a sim created, stepped and measured that must not fail;
 *  - trials (struct th_trial): a scenario and its sim, built over the
 *    "quiet" settings in which nothing happens unless a test turns it on,
 *    with accessors for what a day left behind (the model's tests);
 *  - images (struct th_image): a copy of everything a day leaves in a sim,
 *    compared bit for bit (the fast against the reference step, thread
 *    counts against each other);
 *  - hand-made parameters and worlds: the seed scenario's population and
 *    layers filled by hand (no scenario.c), and a struct world built array
 *    by array with a zeroed engine (the measurement's tests).
 *
 * Every helper fails the running test (cmocka) rather than return an
 * error, unless it says otherwise.
 */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "engine/engine.h"
#include "engine/metrics.h"
#include "run/sim.h"
#include "scenario/params.h"
#include "scenario/scenario.h"
#include "world/world.h"

/* ---- environment -------------------------------------------------------- */

/* Whether the suite runs under ASan/UBSan (SCORESIM_SANITIZED is set by
 * `make test-asan`): tests then shrink their sizes, as everything runs
 * about 10x slower. */
int th_sanitized(void);

/* ---- files ---------------------------------------------------------------- */

/* A fresh folder /tmp/scoresim-<tag>-XXXXXX into buf (size >= 64). */
void th_tmpdir(char *buf, size_t size, const char *tag);
/* Remove dir and everything below it; 0 on success. */
int th_remove_tree(const char *dir);
/* The names in dir (not . and ..), sorted, joined by single spaces. */
void th_list_dir(const char *dir, char *out, size_t size);
/* Entries in dir, or -1 if it cannot be opened. */
int th_count_entries(const char *dir);
/* Whether dir/name exists. */
int th_file_exists(const char *dir, const char *name);
/* The whole of f from where it stands, NUL-terminated (free it); its length
 * in *len if len. */
char *th_read_stream(FILE *f, size_t *len);
/* The whole file, NUL-terminated (free it), or NULL if it cannot be
 * opened; its length in *len if len. */
char *th_slurp(const char *path, size_t *len);

/* ---- SQLite --------------------------------------------------------------- */

/* dir/results.sqlite, read-only. */
sqlite3 *th_open_results(const char *dir);
/* The first column of the first row (there must be one). */
int64_t th_query_int(sqlite3 *db, const char *sql);
double th_query_real(sqlite3 *db, const char *sql);
/* ... as text into out ("NULL" for NULL). */
void th_query_text(sqlite3 *db, const char *sql, char *out, size_t size);

/* ---- scenarios and sims ------------------------------------------------- */

/* scn_set of the formatted assignment, or fail the test naming it. */
void th_set(struct scenario *s, const char *fmt, ...);
/* Each of a NULL-terminated list of assignments. */
void th_sets(struct scenario *s, const char *const *sets);
#define TH_SETS(s, ...) th_sets((s), (const char *const[]){__VA_ARGS__, NULL})
/* scn_finish, or fail. */
void th_finish(struct scenario *s);
/* The seed scenario, not finished, or fail. */
struct scenario *th_scn_default(void);
/* scn_load then scn_finish of path: SS_OK, or the error (err) with *s NULL. */
int th_load_finish(const char *path, struct scenario **s, struct ss_error *err);
/* The seed scenario with population.agents and days set, then sets (a
 * NULL-terminated list, or NULL), finished. */
struct scenario *th_scenario(uint32_t agents, int days, const char *const *sets);
/* Seed rules with everything turned up (test_fastpath's busy scenario):
 * two large protest triggers, half the population in an internment group,
 * heavy ostracism, frequent payments (court judgments) and false camera
 * records, so that listings, internments, releases, protests, cuts and
 * judgments all happen within days. NULL-terminated. */
extern const char *const th_busy[];
/* The seed scenario with population.agents and days set, then th_busy,
 * then more (a NULL-terminated list, or NULL), finished. */
struct scenario *th_busy_scenario(uint32_t agents, int days, const char *const *more);
/* sim_create with o (NULL: defaults), or fail printing the error. */
struct sim *th_sim_create(const struct scenario *s, const struct sim_options *o);
/* ... with only threads and reference set. */
struct sim *th_sim(const struct scenario *s, int threads, int reference);
/* sim_step, or fail naming the day. */
void th_step(struct sim *sim);
/* sim_measure, or fail. */
void th_measure(struct sim *sim);
/* sim_create, sim_run and sim_free into out_dir, or fail. */
void th_run_into(const struct scenario *s, int threads, const char *out_dir);
/* A list of values as YAML ("[0.5, 1]"), in a static buffer. */
const char *th_yaml_list(const double *v, uint32_t n);

/* ---- trials: the model's tests -------------------------------------------- */

/* One scenario and its simulation. */
struct th_trial {
    struct scenario *s; /* owned */
    struct sim *sim;    /* owned; NULL until th_trial_start */
};

/* A scenario in which nothing happens unless a test turns it on: one group,
 * single-adult households, everyone online, attitude 0.5, every rate 0,
 * every payment paid, no protest (threshold 2 as a share can never be
 * met; a threshold of 0, where a test sets one, makes an instigator as in
 * Granovetter: protest.spontaneous is on, see test_protest_not_spontaneous
 * for the seed's setting), fear and attitude change off, every channel
 * watching everyone and seeing everything without error, no integration,
 * recovery or cap, no ostracism. The network is one complete layer with
 * daily contact. The sanctions keep their seed settings (on). */
void th_trial_quiet(struct th_trial *r, uint32_t agents);
/* The seed scenario with population.agents set (nothing quietened). */
void th_trial_seed(struct th_trial *r, uint32_t agents);
/* th_set on the trial's scenario. */
void th_trial_set(struct th_trial *r, const char *fmt, ...);
#define TH_TRIAL_SETS(r, ...) th_sets((r)->s, (const char *const[]){__VA_ARGS__, NULL})
/* Finish the scenario and create the sim (1 thread, or threads). */
void th_trial_start(struct th_trial *r);
void th_trial_start_threads(struct th_trial *r, int threads);
void th_trial_free(struct th_trial *r);
/* Step one day, or n days. */
void th_trial_day(struct th_trial *r);
void th_trial_days(struct th_trial *r, int n);
/* Today's counts, all agents. */
const struct group_counts *th_tot(const struct th_trial *r);
/* Agent i's ledger of sub-system d. */
float th_ledger(const struct th_trial *r, int d, uint32_t i);
/* Agent i's domain score d, and reported score (with the cap). */
double th_dom(const struct th_trial *r, uint32_t i, int d);
double th_reported(const struct th_trial *r, uint32_t i);
/* The tier of score s. */
int th_tier(const struct th_trial *r, double s);
/* Whether agent i has a status bit, or did an act (AC_*) today. */
int th_status(const struct th_trial *r, uint32_t i, unsigned bit);
int th_acted(const struct th_trial *r, uint32_t i, unsigned bit);
/* The first day in [from, from + period) on which agent i's obligation
 * falls due, found by stepping (the due days come from a hash). */
int th_first_due_day(struct th_trial *r, uint32_t i);

/* Integer equality with the values in the message. */
#define TH_EQ(got, want)                                                                           \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        if (g_ != w_) fail_msg("%s = %lld, expected %lld (%s)", #got, g_, w_, #want);              \
    } while (0)

/* Exact floating equality (the test repeats the code's float arithmetic). */
#define TH_FEQ(got, want)                                                                          \
    do {                                                                                           \
        double g_ = (double)(got), w_ = (double)(want);                                            \
        if (!(g_ == w_)) fail_msg("%s = %.9g, expected %.9g (%s)", #got, g_, w_, #want);           \
    } while (0)

/* ---- images: a day's results, bit for bit ------------------------------- */

/* A copy of everything a day leaves in a sim: every per-agent array of the
 * state, the caps, today's acts, every layer's ties, today's counts and
 * contacts, the totals, the day, and the measured rows (as the sim holds
 * them: measure first). */
struct th_image {
    uint32_t n, n_misses, n_groups, n_layers, n_rows, n_layer_rows;
    int day;
    uint8_t *status, *history, *watched;
    float *attitude, *fear, *ledger[N_SUBSYSTEMS];
    uint16_t *listed_day, *interned_until, *misses, *acts, *sanctioned_last;
    uint8_t *debt;
    uint64_t *sanctioned;
    double cap[N_SUBSYSTEMS + 1];
    uint32_t *adj[MAX_LAYERS];
    uint64_t n_entries[MAX_LAYERS];
    struct day_counts counts;
    struct world_totals totals[MAX_GROUPS + 1];
    int64_t *contacts;
    struct met_row *rows;
    struct met_layer_row *layer_rows;
};

/* Copy sim into im (free it with th_image_free). */
void th_image_take(struct th_image *im, const struct sim *sim);
void th_image_free(struct th_image *im);
/* Fail, naming the first part that differs, unless a and b are the same
 * bit for bit; what says which pair is compared. */
void th_image_assert_same(const struct th_image *a, const struct th_image *b, const char *what);
/* The same for two live sims. */
void th_assert_same_sims(const struct sim *a, const struct sim *b, const char *what);

/* ---- hand-made parameters --------------------------------------------------- */

/* The seed scenario's groups (majority, uyghur, tibetan, other_minority;
 * the first n of them) with the given shares. */
void th_set_groups(struct params *p, int n, const double *shares);
/* p zeroed, then the seed scenario's population over n agents, filled by
 * hand (no layers). */
void th_seed_population(struct params *p, uint32_t n);
/* th_seed_population and the seed's three layers (household, work,
 * online). */
void th_seed_params(struct params *p, uint32_t n);

/* ---- built networks: the generators' tests ------------------------------- */

/* A population and its layers, built by the generators. */
struct th_built {
    struct mem m;          /* every allocation */
    struct population pop; /* agents */
    struct network net;    /* layers */
    struct ss_error err;   /* the last error */
};

/* p with its layers replaced by the one layer l (enabled). */
void th_one_layer(struct params *p, struct layer_params l);
/* pop_build and net_build of p with `threads` threads (th_build: 2), edge
 * list paths relative to tests/data; returns the first failure's status,
 * the error in w->err. w is safe to th_unbuild either way. */
int th_build_threads(struct th_built *w, const struct params *p, int threads);
int th_build(struct th_built *w, const struct params *p);
/* Free what th_build built; every allocation must be back. */
void th_unbuild(struct th_built *w);
/* Agent i's entries in layer L (cut ones included). */
uint32_t th_degree(const struct layer *L, uint32_t i);
/* Whether row i of L holds j (a binary search: rows are sorted). */
int th_has_tie(const struct layer *L, uint32_t i, uint32_t j);
/* L's CSR over n agents: offsets consistent; rows sorted, unique, without
 * self-loops; symmetric. */
void th_check_csr(const struct layer *L, uint32_t n);

/* ---- hand-made worlds: the measurement's tests ----------------------------- */

/* A world built array by array (no generator), a zeroed engine whose
 * counts and contacts the test fills (xp.enabled 0: the network figures
 * are scanned), and metrics over them. */
struct th_hand {
    struct world w;     /* w.p points at p */
    struct params *p;   /* owned; the test changes it */
    struct engine e;    /* zeroed; e.contacts = contacts */
    struct metrics met; /* th_hand_met_init */
    struct mem mem;     /* the metrics' allocations */
    int64_t *contacts;  /* [(n_groups + 1) * n_layers] */
    double *rel, *thr;  /* [n] the lists reliability and threshold are drawn from */
};

/* Build layer ly over n agents from m undirected edges (u[i], v[i]); the
 * edges with cut[i] set (cut may be NULL) are stored as NET_CUT at both
 * ends. Free ly->off and ly->adj with free(). */
void th_layer_from_edges(struct layer *ly, const char *name, uint32_t n, const uint32_t *u,
                         const uint32_t *v, const unsigned char *cut, size_t m);
/* A world of n_groups groups of the given sizes and n_layers empty
 * layers (the caller fills them with th_layer_from_edges); attributes,
 * state and counts zero; scoring as the seed's but integration 0.5 (so
 * hand sums stay exact), caps 1100, days 365. */
void th_hand_new(struct th_hand *h, uint32_t n_groups, const uint32_t *sizes, uint32_t n_layers);
/* met_init with threads threads; returns its status. */
int th_hand_met_init(struct th_hand *h, int threads, struct ss_error *err);
/* met_measure of the world as it is after day `day`; returns its status. */
int th_hand_measure(struct th_hand *h, int day, struct ss_error *err);
/* Free everything (the metrics too: every allocation of h->mem must be
 * back). */
void th_hand_free(struct th_hand *h);

/* The 10-agent world of the measurement's tests. Group 0 = agents 0-5,
 * group 1 = agents 6-9. Layer 0 (home): cliques {0,1,2} {3,4,5} {6,7}
 * {8,9}. Layer 1 (work): 2-3, 5-6, 0-7, and 1-8 cut. extra_cut: also cut
 * 2-3 and 5-6 (the work layer then joins nothing but 0-7). Attitudes,
 * reliabilities, thresholds, children and online agents as in
 * th_hand_tiny's body; contacts {5, 2, 3, 1, 8, 3} ([row][layer]). */
void th_hand_tiny(struct th_hand *h, int extra_cut);

/* The daily column called name (a test failure if there is none), and an
 * INTEGER or REAL column of row read through the column table, as the
 * output reads it. */
const struct met_column *th_col_named(const char *name);
int64_t th_col_int(const struct met_row *row, const char *name);
double th_col_real(const struct met_row *row, const char *name);

#endif
