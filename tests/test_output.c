/*
 * test_output.c - results.sqlite and daily.csv (output.c): written into a
 * fresh temporary folder from a hand-built 10-agent world, then read back
 * with SQLite and as text; the temporary names before out_close, nothing
 * left behind by out_abort, and I/O errors that name the path.
 *
 * The struct sim is built by hand and only met_* and out_* are called.
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/metrics.h"
#include "io/output.h"
#include "scenario/scenario.h"
#include "run/sim.h"

#ifdef SS_TEST_STUBS
/* Only for building this file without the rest of the library:
 * gcc ... -DSS_TEST_STUBS src/metrics.c src/output.c src/mem.c src/error.c
 * tests/test_output.c. The CMake build links the real ones. */
size_t sim_peak_rss(void)
{
    return 12345;
}
double sim_now(void)
{
    return 0.0;
}
const char *scn_text(const struct scenario *s)
{
    return "name: stub\n";
}
const char *scn_name(const struct scenario *s)
{
    return "stub";
}
#endif

/* The world of test_metrics.c's tiny_world, smaller: 10 agents, groups
 * 0-5 and 6-9 (the second named with a comma, to be quoted in the CSV),
 * a home layer of cliques and a work layer with one cut tie. */
struct world {
    struct sim sim;       /* built by hand */
    struct params p;      /* names, seed, days */
    struct scenario *scn; /* the real default scenario, or NULL with stubs */
    uint8_t group[10], flags[10];
    uint32_t hh_start[5];   /* households {0,1,2} {3,4,5} {6,7} {8,9} */
    double reliability[10]; /* the list reliability is drawn from */
    float attitude[10];
    net_off_t off[2][11];    /* CSR offsets per layer */
    uint32_t adj[2][16];     /* CSR entries per layer */
    int64_t contacts[3 * 2]; /* [row][layer] */
    float fear[10], ledger[N_SUBSYSTEMS][10];
    uint8_t status[10], history[10];
    char dir[256]; /* mkdtemp folder */
};

static void layer_set(struct layer *ly, const char *name, int generator, net_off_t *off,
                      uint32_t *adj, const uint32_t *u, const uint32_t *v, const int *cut, size_t m)
{
    snprintf(ly->name, sizeof ly->name, "%s", name);
    ly->generator = generator;
    ly->contact = 0.5;
    ly->n = 10;
    memset(off, 0, 11 * sizeof *off);
    for (size_t i = 0; i < m; i++) {
        off[u[i] + 1]++;
        off[v[i] + 1]++;
    }
    for (int a = 0; a < 10; a++) off[a + 1] += off[a];
    net_off_t fill[11];
    memcpy(fill, off, sizeof fill);
    for (size_t i = 0; i < m; i++) {
        adj[fill[u[i]]++] = cut[i] ? NET_CUT : v[i];
        adj[fill[v[i]]++] = cut[i] ? NET_CUT : u[i];
    }
    ly->off = off;
    ly->adj = adj;
    ly->n_entries = off[10];
}

static int world_setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    struct sim *sim = &w->sim;
    struct population *pop = &sim->world.pop;
    snprintf(w->p.name, sizeof w->p.name, "tiny");
    w->p.seed = 7;
    w->p.days = 10;
    w->p.population.groups.n = 2;
    snprintf(w->p.population.groups.name[0], MAX_NAME, "majority");
    snprintf(w->p.population.groups.name[1], MAX_NAME, "other, \"minority\"");
    w->p.population.groups.v[0] = 0.6;
    w->p.population.groups.v[1] = 0.4;
#ifdef SS_TEST_STUBS
    sim->scn = (const struct scenario *)w; /* any non-NULL pointer: the stubs ignore it */
#else
    struct ss_error err = {0};
    assert_int_equal(scn_new_default(&w->scn, &err), SS_OK);
    assert_int_equal(scn_finish(w->scn, &err), SS_OK); /* scn_text is set by scn_finish */
    sim->scn = w->scn;
#endif
    sim->world.p = &w->p;
    sim->run.threads = 1;
    sim->run.started = 1700000000; /* 2023-11-14T22:13:20Z */
    sim->run.finished = 1700000060;
    sim->run.build_seconds = 1.5;
    sim->run.run_seconds = 2.5;
    sim->run.wall_seconds = 4.0;
    sim->run.estimate_bytes = 1000;

    pop->n = 10;
    pop->n_groups = 2;
    pop->group_start[1] = 6;
    pop->group_start[2] = 10;
    pop->group = w->group;
    pop->flags = w->flags;
    pop->n_households = 4;
    pop->hh_start = w->hh_start;
    pop->attitude = w->attitude;
    pop->rel_dist = (struct dist){.kind = DIST_LIST, .values = w->reliability, .n_values = 10};
    pop->thr_dist = (struct dist){.kind = DIST_CONSTANT, .value = 0.25};
    static const uint32_t hh_start[5] = {0, 3, 6, 8, 10};
    memcpy(w->hh_start, hh_start, sizeof hh_start);
    for (int a = 0; a < 10; a++) {
        w->group[a] = a >= 6;
        w->attitude[a] = 0.125f * (float)(a % 8);
        w->reliability[a] = 0.75;
    }
    w->flags[9] = POP_CHILD;
    w->flags[0] = POP_ONLINE;

    /* The state: agent 3 listed on judicial points (score 500, tier D),
     * agent 7 interned, agent 1 at 1050 (tier AAA); integration 0, so each
     * domain score is 1000 + its own points. */
    w->p.population.start_score = 1000;
    w->p.scoring.min = 0;
    w->p.scoring.max = 1100;
    static const double tier_min[N_TIERS] = {1050, 1030, 960, 850, 600, 0};
    memcpy(w->p.scoring.tiers, tier_min, sizeof tier_min);
    struct state *st = &sim->world.st;
    st->n = 10;
    st->fear = w->fear;
    st->status = w->status;
    st->history = w->history;
    for (int d = 0; d < N_SUBSYSTEMS; d++) st->ledger[d] = w->ledger[d];
    w->ledger[SUB_JUDICIAL][3] = -500;
    w->ledger[SUB_SOCIAL][1] = 50;
    w->fear[3] = 0.5f;
    w->status[3] = ST_LISTED;
    w->history[3] = HI_LISTED | HI_SANCTIONED;
    w->status[7] = ST_INTERNED;
    w->history[7] = HI_INTERNED | HI_SANCTIONED | HI_GENUINE;

    static const uint32_t hu[] = {0, 0, 1, 3, 3, 4, 6, 8}, hv[] = {1, 2, 2, 4, 5, 5, 7, 9};
    static const int hcut[8] = {0};
    static const uint32_t wu[] = {2, 5, 0, 1}, wv[] = {3, 6, 7, 8};
    static const int wcut[] = {0, 0, 0, 1};
    sim->world.net.n_layers = 2;
    layer_set(&sim->world.net.layer[0], "home", GEN_HOUSEHOLD, w->off[0], w->adj[0], hu, hv, hcut,
              8);
    layer_set(&sim->world.net.layer[1], "work", GEN_WATTS_STROGATZ, w->off[1], w->adj[1], wu, wv,
              wcut, 4);
    sim->eng.contacts = w->contacts;

    struct ss_error e = {0};
    assert_int_equal(met_init(&sim->met, sim, &e), SS_OK);
    snprintf(w->dir, sizeof w->dir, "/tmp/scoresim-test-output-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    *state = w;
    return 0;
}

/* Remove the folder and everything in it (two levels are enough here). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static int world_teardown(void **state)
{
    struct world *w = *state;
    out_abort(&w->sim.out);
    met_free(&w->sim.met, &w->sim);
    assert_int_equal(w->sim.mem.live, 0);
    remove_tree(w->dir);
#ifndef SS_TEST_STUBS
    scn_free(w->scn);
#endif
    free(w);
    return 0;
}

/* The names in dir, sorted, joined by spaces. */
static void list_dir(const char *dir, char *out, size_t size)
{
    char names[16][256];
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 16)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (i) strncat(out, " ", size - strlen(out) - 1);
        strncat(out, names[i], size - strlen(out) - 1);
    }
}

/* Only the two temporary names, each with our pid (and, with previous,
 * the finished files of an earlier run, untouched until the rename). */
static void assert_only_temp_files(const char *dir, int previous)
{
    char have[4096], want[512];
    list_dir(dir, have, sizeof have);
    snprintf(want, sizeof want, ".daily.csv.tmp-%ld .results.sqlite.tmp-%ld%s", (long)getpid(),
             (long)getpid(), previous ? " daily.csv results.sqlite" : "");
    assert_string_equal(have, want);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The first column of the first row as text ("NULL" for NULL). */
static void query_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, size, "%s", t ? (const char *)t : "NULL");
    sqlite3_finalize(st);
}

/* Open, three days, close; previous: a run already finished there. */
static void write_three_days(struct world *w, int previous)
{
    struct sim *sim = &w->sim;
    struct ss_error err = {0};
    char dir[512];
    snprintf(dir, sizeof dir, "%s/a/b", w->dir); /* parents are created */
    if (out_open(&sim->run.out, sim, dir, &err) != SS_OK) fail_msg("out_open: %s", err.msg);
    assert_only_temp_files(dir, previous);
    for (int day = 0; day < 3; day++) {
        for (int i = 0; i < 6; i++) w->contacts[i] = day * 10 + i;
        /* a flight refused in group 0 on each day after day 0 */
        memset(&sim->eng.counts, 0, sizeof sim->eng.counts);
        sim->eng.counts.row[0].sanctions[SA_TRAVEL] = sim->eng.counts.row[2].sanctions[SA_TRAVEL] =
            day > 0;
        assert_int_equal(met_measure(&sim->met, sim, day, &err), SS_OK);
        if (out_day(&sim->run.out, sim, &err) != SS_OK) fail_msg("out_day: %s", err.msg);
    }
    assert_only_temp_files(dir, previous);
    if (out_close(&sim->run.out, sim, &err) != SS_OK) fail_msg("out_close: %s", err.msg);
    char have[4096];
    list_dir(dir, have, sizeof have);
    assert_string_equal(have, "daily.csv results.sqlite");
    /* after out_close, out_abort must not touch the finished files */
    out_abort(&sim->run.out);
    list_dir(dir, have, sizeof have);
    assert_string_equal(have, "daily.csv results.sqlite");
}

static void test_sqlite_tables(void **state)
{
    struct world *w = *state;
    w->sim.opt.snapshot = 1;
    write_three_days(w, 0);
    char path[512], text[256];
    snprintf(path, sizeof path, "%s/a/b/results.sqlite", w->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);

    assert_int_equal(query_int(db, "SELECT count(*) FROM run"), 1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM groups"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM layers"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily"), 3 * 3);
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily_layer"), 3 * 3 * 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM agents"), 10);
    assert_int_equal(query_int(db, "SELECT count(*) FROM agent_degree"), 20);

    /* run */
    query_text(db, "SELECT version FROM run", text, sizeof text);
    assert_string_equal(text, SS_VERSION);
    query_text(db, "SELECT name FROM run", text, sizeof text);
    assert_string_equal(text, scn_name(w->sim.scn));
    query_text(db, "SELECT scenario FROM run", text, sizeof text);
    assert_true(strlen(text) > 0);
    query_text(db, "SELECT started FROM run", text, sizeof text);
    assert_string_equal(text, "2023-11-14T22:13:20Z");
    query_text(db, "SELECT finished FROM run", text, sizeof text);
    assert_string_equal(text, "2023-11-14T22:14:20Z");
    assert_int_equal(query_int(db, "SELECT seed FROM run"), 7);
    assert_int_equal(query_int(db, "SELECT days FROM run"), 10);
    assert_int_equal(query_int(db, "SELECT agents FROM run"), 10);
    assert_int_equal(query_int(db, "SELECT estimate_bytes FROM run"), 1000);
    assert_int_equal(query_int(db, "SELECT wall_seconds = 4.0 FROM run"), 1);
    assert_true(query_int(db, "SELECT peak_memory_bytes FROM run") > 0);
    assert_true(query_int(db, "SELECT host_cores FROM run") >= 1);

    /* groups and layers */
    query_text(db, "SELECT name FROM groups WHERE \"group\" = 1", text, sizeof text);
    assert_string_equal(text, "other, \"minority\"");
    assert_int_equal(query_int(db, "SELECT agents FROM groups WHERE \"group\" = 0"), 6);
    query_text(db, "SELECT generator FROM layers WHERE layer = 1", text, sizeof text);
    assert_string_equal(text, "watts_strogatz");
    assert_int_equal(query_int(db, "SELECT ties FROM layers WHERE layer = 1"), 4);
    assert_int_equal(query_int(db, "SELECT mean_degree = 1.6 FROM layers WHERE layer = 0"), 1);

    /* daily: group_name right after group, 'all' for -1, NULL for NaN */
    query_text(db, "SELECT name FROM pragma_table_info('daily') WHERE cid = 1", text, sizeof text);
    assert_string_equal(text, "group");
    query_text(db, "SELECT name FROM pragma_table_info('daily') WHERE cid = 2", text, sizeof text);
    assert_string_equal(text, "group_name");
    assert_int_equal(query_int(db, "SELECT count(*) FROM pragma_table_info('daily')"),
                     (int64_t)met_n_daily_columns);
    query_text(db, "SELECT group_name FROM daily WHERE day = 1 AND \"group\" = -1", text,
               sizeof text);
    assert_string_equal(text, "all");
    assert_int_equal(query_int(db, "SELECT agents FROM daily WHERE day = 2 AND \"group\" = -1"),
                     10);
    assert_int_equal(query_int(db, "SELECT contacts FROM daily WHERE day = 2 AND \"group\" = 0"),
                     20 + 21);
    assert_int_equal(query_int(db, "SELECT ties_cut FROM daily WHERE day = 0 AND \"group\" = -1"),
                     2);
    assert_int_equal(query_int(db, "SELECT largest_component_share = 0.8 FROM daily "
                                   "WHERE day = 0 AND \"group\" = -1"),
                     1);
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily WHERE day > 0 AND "
                                   "largest_component_share IS NULL"),
                     6);
    assert_int_equal(query_int(db, "SELECT typeof(attitude_mean) = 'real' FROM daily "
                                   "WHERE day = 0 AND \"group\" = 1"),
                     1);

    /* the new daily columns: scores, tiers, the list, sums, NULLs */
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily WHERE score_p50 = 1000 AND "
                                   "score_p1 = CASE \"group\" WHEN 1 THEN 1000 ELSE 500 END"),
                     9);
    assert_int_equal(query_int(db, "SELECT tier_d FROM daily WHERE day = 1 AND \"group\" = 0"), 1);
    assert_int_equal(query_int(db, "SELECT tier_aaa FROM daily WHERE day = 1 AND \"group\" = -1"),
                     1);
    assert_int_equal(query_int(db, "SELECT listed + interned FROM daily WHERE day = 2 AND "
                                   "\"group\" = -1"),
                     2);
    assert_int_equal(query_int(db, "SELECT flights_refused_cum FROM daily WHERE day = 2 AND "
                                   "\"group\" = 0"),
                     2);
    assert_int_equal(query_int(db, "SELECT sanctions FROM daily WHERE day = 2 AND \"group\" = 1"),
                     0);
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily WHERE silence_ratio IS NULL"),
                     9); /* no criticism would have been posted */
    /* disparate impact against group 0 (the larger share): NULL for 'all' */
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily WHERE di_listed IS NULL AND "
                                   "di_sanctioned IS NULL"),
                     3);
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily WHERE di_listed IS NULL AND "
                                   "\"group\" = -1"),
                     3);
    assert_int_equal(query_int(db, "SELECT di_listed = 0.0 AND di_sanctioned = (1.0 / 4) / (1.0 / "
                                   "6) FROM daily WHERE day = 1 AND \"group\" = 1"),
                     1);
    /* a share of 0 where there were sanctions (days 1, 2; group 0 and all) */
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily WHERE cross_context_share = 0"), 4);
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily WHERE cross_context_share IS NULL"),
                     5);
    assert_int_equal(query_int(db, "SELECT judicial_mean = 950 AND fear_mean = 0.05 FROM daily "
                                   "WHERE day = 0 AND \"group\" = -1"),
                     1);

    /* daily_layer */
    query_text(db,
               "SELECT layer_name FROM daily_layer WHERE day = 0 AND \"group\" = 1 "
               "AND layer = 1",
               text, sizeof text);
    assert_string_equal(text, "work");
    assert_int_equal(query_int(db, "SELECT ties FROM daily_layer WHERE day = 0 AND "
                                   "\"group\" = -1 AND layer = 0"),
                     16);
    assert_int_equal(query_int(db, "SELECT contacts FROM daily_layer WHERE day = 1 AND "
                                   "\"group\" = -1 AND layer = 1"),
                     15);

    /* agents */
    assert_int_equal(query_int(db, "SELECT degree FROM agents WHERE id = 0"), 3);
    assert_int_equal(query_int(db, "SELECT degree FROM agents WHERE id = 1"), 2);
    assert_int_equal(query_int(db, "SELECT child FROM agents WHERE id = 9"), 1);
    assert_int_equal(query_int(db, "SELECT \"group\" FROM agents WHERE id = 9"), 1);
    assert_int_equal(query_int(db, "SELECT degree FROM agent_degree WHERE id = 0 AND layer = 1"),
                     1);
    assert_int_equal(query_int(db, "SELECT score = 500 AND judicial = 500 AND financial = 1000 "
                                   "AND social = 1000 AND fear = 0.5 AND listed = 1 AND "
                                   "interned = 0 AND ever_sanctioned = 1 AND genuine = 0 "
                                   "FROM agents WHERE id = 3"),
                     1);
    assert_int_equal(query_int(db, "SELECT listed = 0 AND interned = 1 AND genuine = 1 "
                                   "FROM agents WHERE id = 7"),
                     1);
    assert_int_equal(query_int(db, "SELECT score = 1050 AND social = 1050 AND fear = 0 "
                                   "FROM agents WHERE id = 1"),
                     1);
    assert_int_equal(query_int(db, "SELECT typeof(score) = 'real' FROM agents WHERE id = 0"), 1);
    assert_int_equal(query_int(db, "SELECT degree FROM agent_degree WHERE id = 8 AND layer = 1"),
                     0);
    sqlite3_close(db);
}

/* Split a CSV line (RFC 4180 quoting, no embedded newlines) into its
 * fields, unquoted, in buf; returns the count. */
static int csv_fields(const char *line, char fields[][64], int max)
{
    int n = 0, in_q = 0;
    size_t k = 0;
    for (const char *c = line;; c++) {
        if (*c == '"') {
            if (in_q && c[1] == '"') {
                if (n < max && k < 63) fields[n][k++] = '"';
                c++;
            } else {
                in_q = !in_q;
            }
        } else if ((*c == ',' && !in_q) || *c == '\n' || *c == '\0') {
            if (n < max) fields[n][k] = '\0';
            n++;
            k = 0;
            if (*c != ',') break;
        } else if (n < max && k < 63) {
            fields[n][k++] = *c;
        }
    }
    return n;
}

static int col_index(const char *name)
{
    for (size_t i = 0; i < met_n_daily_columns; i++)
        if (!strcmp(met_daily_columns[i].name, name)) return (int)i;
    fail_msg("no daily column %s", name);
    return -1;
}

static void test_csv(void **state)
{
    struct world *w = *state;
    write_three_days(w, 0);
    char path[512];
    snprintf(path, sizeof path, "%s/a/b/daily.csv", w->dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char line[65536], want[65536];
    static char fields[512][64];
    want[0] = '\0';
    for (size_t i = 0; i < met_n_daily_columns; i++) {
        if (i) strcat(want, ",");
        strcat(want, met_daily_columns[i].name);
    }
    strcat(want, "\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, want);

    int largest = col_index("largest_component_share"), p50 = col_index("score_p50");
    int cum = col_index("flights_refused_cum");
    int rows = 0, quoted = 0, all = 0, empty_largest = 0;
    while (fgets(line, sizeof line, f)) {
        rows++;
        assert_non_null(strchr(line, '\n'));
        assert_int_equal(csv_fields(line, fields, 512), (int)met_n_daily_columns);
        quoted += !strcmp(fields[2], "other, \"minority\"") &&
                  strstr(line, ",\"other, \"\"minority\"\"\",");
        all += !strcmp(fields[1], "-1") && !strcmp(fields[2], "all");
        empty_largest += fields[largest][0] == '\0'; /* NULL largest component */
        assert_string_equal(fields[p50], "1000");
        if (!strcmp(fields[0], "0") && !strcmp(fields[1], "-1"))
            assert_string_equal(fields[largest], "0.80000000000000004");
        if (!strcmp(fields[0], "2") && !strcmp(fields[1], "-1"))
            assert_string_equal(fields[cum], "2");
    }
    fclose(f);
    assert_int_equal(rows, 3 * 3);
    assert_int_equal(quoted, 3);
    assert_int_equal(all, 3);
    assert_int_equal(empty_largest, 6); /* days 1 and 2 */
}

static void test_abort_leaves_nothing(void **state)
{
    struct world *w = *state;
    struct sim *sim = &w->sim;
    struct ss_error err = {0};
    struct output zero = {0};
    out_abort(&zero); /* never opened: nothing to do */

    assert_int_equal(out_open(&sim->run.out, sim, w->dir, &err), SS_OK);
    assert_int_equal(met_measure(&sim->met, sim, 0, &err), SS_OK);
    assert_int_equal(out_day(&sim->run.out, sim, &err), SS_OK);
    assert_only_temp_files(w->dir, 0);
    out_abort(&sim->run.out);
    char have[4096];
    list_dir(w->dir, have, sizeof have);
    assert_string_equal(have, "");
    out_abort(&sim->run.out); /* twice is harmless */
}

/* A second run into the same folder replaces the first run's files. */
static void test_rerun_replaces(void **state)
{
    struct world *w = *state;
    write_three_days(w, 0);
    w->p.seed = 99;
    write_three_days(w, 1);
    char path[512];
    snprintf(path, sizeof path, "%s/a/b/results.sqlite", w->dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(query_int(db, "SELECT seed FROM run"), 99);
    assert_int_equal(query_int(db, "SELECT count(*) FROM daily"), 9);
    sqlite3_close(db);
}

static void test_unwritable_folder(void **state)
{
    struct world *w = *state;
    struct sim *sim = &w->sim;
    struct ss_error err = {0};
    char file[512], dir[600];
    snprintf(file, sizeof file, "%s/plain-file", w->dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);

    snprintf(dir, sizeof dir, "%s/sub/results", file); /* under a regular file */
    assert_int_equal(out_open(&sim->run.out, sim, dir, &err), SS_EIO);
    assert_int_equal(err.code, SS_EIO);
    assert_non_null(strstr(err.msg, dir));
    assert_non_null(strstr(err.msg, "Not a directory"));
    assert_null(sim->run.out.db);

    memset(&err, 0, sizeof err);
    assert_int_equal(out_open(&sim->run.out, sim, file, &err), SS_EIO); /* the folder is a file */
    assert_non_null(strstr(err.msg, file));

    char have[4096];
    list_dir(w->dir, have, sizeof have);
    assert_string_equal(have, "plain-file");
}

static void test_docs(void **state)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(out_write_docs(f), SS_OK);
    long size = ftell(f);
    fclose(f);
    assert_true(size > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sqlite_tables, world_setup, world_teardown),
        cmocka_unit_test_setup_teardown(test_csv, world_setup, world_teardown),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, world_setup, world_teardown),
        cmocka_unit_test_setup_teardown(test_rerun_replaces, world_setup, world_teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_folder, world_setup, world_teardown),
        cmocka_unit_test(test_docs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
