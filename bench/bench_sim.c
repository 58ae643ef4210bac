/*
 * bench_sim.c - one benchmark run of the seed scenario, and its
 * speed-of-light kernel. Not part of the tests (tests/cli_bench.sh runs it
 * once, small, to check that its line is well formed).
 *
 * usage: bench_sim [--agents N] [--days D] [--threads T] [--set KEY=VALUE]...
 *                  [--no-split] [--no-sol] [--reference] [--estimate] [--stream MIB]
 *                  [--checkpoint PATH]
 *
 * Builds the seed scenario through the library (scn_new_default, scn_set,
 * sim_create), then runs its days as sim_run does but without output files:
 * sim_step, then met_measure, each timed on its own. Then, over the same
 * population, state and networks, it runs the speed-of-light kernel, timed
 * for the same number of days: the smallest loop that reads every per-agent byte
 * the model holds once and every directed edge entry once per day, writes
 * one field per agent, in parallel like the model. Its time is what the
 * day would cost if the model did nothing but stream its memory; the ratio
 * model / kernel says how far the model is from that bound. Two variants
 * add what exposure to contacts cannot avoid with this layout: the status
 * byte of each entry's neighbour, in address order (gather) and agent by
 * agent, row by row (rows). Every kernel day is the same work, so a kernel
 * runs at most BENCH_SOL_DAYS days and reports its median day times days.
 *
 * Prints one line, "bench_sim" then space-separated key=value pairs:
 * sizes, the day step used (step=fast, or reference with --reference:
 * the plain step that rescans every tie, sim_options.reference) and the
 * estimate, build seconds (pop_s, net_s on their own;
 * build_s all of sim_create), the day loop (step_s, measure_s, run_s,
 * agent_days_per_s, s_per_day), memory (peak_rss; hook_peak and hook_live
 * from the allocation hook; B_* bytes per agent in all and by array),
 * edge entries (entries, per layer, B_entry: adj and offsets per entry),
 * cpu_util (CPU time of the day loop over wall x threads), and per kernel
 * (sol, solg, solr) seconds, agent-days/s, GB/s and the model's ratio.
 * --estimate prints sim_estimate_bytes and builds nothing; --stream MIB
 * prints the read bandwidth of a plain parallel sum over MIB mebibytes
 * (the machine's bound, for comparison). --checkpoint PATH writes the
 * world at the end of the run to PATH (world/checkpoint.h), reads its
 * header back (the checksum reads the whole file) and restores it into the
 * same world, and adds ckpt_bytes, B_ckpt (bytes per agent), ckpt_write_s
 * (synced to disk), ckpt_meta_s and ckpt_restore_s; the file is removed
 * after. Exit status: 0 done, 1 failed,
 * 2 bad option.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "scenario/scenario.h"
#include "scoresim.h"
#include "core/sys.h"
#include "model/scoring.h"
#include "run/sim.h"
#include "world/checkpoint.h"

#define BENCH_MAX_SETS 32
/* Agents per block of the kernel: the model's SIM_BLOCK. */
#define BENCH_BLOCK 4096u
/* The kernel runs (and times) at most this many days; see bench_sol_run. */
#define BENCH_SOL_DAYS 7

struct bench_opts {
    unsigned long long agents;       /* population.agents */
    int days;                        /* days to run */
    int threads;                     /* OpenMP threads; 0 = all cores */
    const char *set[BENCH_MAX_SETS]; /* extra --set overrides */
    int n_set;                       /* entries in set */
    int split;                       /* time pop_build and net_build on their own first */
    int sol;                         /* run the speed-of-light kernel */
    int estimate;                    /* print the estimate only */
    int reference;                   /* the plain reference day step (sim_options.reference) */
    unsigned long long stream_mib;   /* > 0: the read-bandwidth probe only */
    const char *checkpoint;          /* time a checkpoint written to this path */
};

/* What --checkpoint measured. */
struct bench_ckpt {
    long long bytes;  /* the file's size */
    double write_s;   /* ckpt_write: serialise, checksum, sync, rename */
    double meta_s;    /* ckpt_read_meta: the whole file read and checked */
    double restore_s; /* ckpt_restore into the same world */
};

/* Bytes of each array of a built sim, from the arrays' lengths. */
struct bench_bytes {
    size_t pop;       /* population arrays, hh_start included */
    size_t state;     /* state arrays, block sums included */
    size_t off;       /* every layer's row offsets */
    size_t adj;       /* every layer's neighbour ids */
    size_t trig;      /* the protest trigger's id list */
    size_t expo;      /* the fast step's kept contact counts (exposure.h) */
    size_t live;      /* the allocation hook's live bytes */
    size_t peak;      /* the allocation hook's peak bytes (build buffers included) */
    size_t other;     /* live - the above: metrics work arrays, counters */
    size_t agent_rd;  /* per-agent bytes the kernel reads (pop + state per agent) */
    uint64_t entries; /* directed edge entries, all layers */
};

/* What the kernel measured. */
struct bench_sol {
    double seconds; /* all days */
    double bytes;   /* bytes touched per day */
    uint64_t sink;  /* accumulated, so nothing is elided */
};

static int bench_usage(void)
{
    fputs("usage: bench_sim [--agents N] [--days D] [--threads T] [--set KEY=VALUE]...\n"
          "                 [--no-split] [--no-sol] [--reference] [--estimate] [--stream MIB]\n"
          "                 [--checkpoint PATH]\n",
          stderr);
    return 2;
}

static int bench_parse_ull(const char *s, unsigned long long *out)
{
    char *end;
    if (!s || *s < '0' || *s > '9') return -1;
    double v = strtod(s, &end); /* accepts 1e7 */
    if (*end || v < 0 || v > 4e9) return -1;
    *out = (unsigned long long)llround(v);
    return 0;
}

static int bench_parse(struct bench_opts *o, int argc, char **argv)
{
    *o = (struct bench_opts){.agents = 100000, .days = 30, .threads = 0, .split = 1, .sol = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long x;
        if (!strcmp(a, "--agents") && !bench_parse_ull(v, &x) && x > 0) {
            o->agents = x, i++;
        } else if (!strcmp(a, "--days") && !bench_parse_ull(v, &x) && x > 0 && x <= 100000) {
            o->days = (int)x, i++;
        } else if (!strcmp(a, "--threads") && !bench_parse_ull(v, &x) && x <= 1024) {
            o->threads = (int)x, i++;
        } else if (!strcmp(a, "--set") && v && o->n_set < BENCH_MAX_SETS) {
            o->set[o->n_set++] = v, i++;
        } else if (!strcmp(a, "--stream") && !bench_parse_ull(v, &x) && x > 0) {
            o->stream_mib = x, i++;
        } else if (!strcmp(a, "--checkpoint") && v && *v) {
            o->checkpoint = v;
            i++;
        } else if (!strcmp(a, "--no-split")) {
            o->split = 0;
        } else if (!strcmp(a, "--no-sol")) {
            o->sol = 0;
        } else if (!strcmp(a, "--reference")) {
            o->reference = 1;
        } else if (!strcmp(a, "--estimate")) {
            o->estimate = 1;
        } else {
            fprintf(stderr, "bench_sim: bad option '%s'\n", a);
            return -1;
        }
    }
    return 0;
}

/* The seed scenario with agents, days and the extra overrides. */
static int bench_scenario(struct scenario **out, const struct bench_opts *o, struct ss_error *err)
{
    char kv[128];
    int rc = scn_new_default(out, err);
    if (rc == SS_OK) {
        snprintf(kv, sizeof kv, "population.agents=%llu", o->agents);
        rc = scn_set(*out, kv, err);
    }
    if (rc == SS_OK) {
        snprintf(kv, sizeof kv, "days=%d", o->days);
        rc = scn_set(*out, kv, err);
    }
    for (int k = 0; rc == SS_OK && k < o->n_set; k++) rc = scn_set(*out, o->set[k], err);
    if (rc == SS_OK) rc = scn_finish(*out, err);
    if (rc != SS_OK) {
        scn_free(*out);
        *out = NULL;
    }
    return rc;
}

/* Build the population, then the networks, on their own (a scratch
 * allocation hook, freed at once) to time each; sim_create then builds
 * everything again. */
static int bench_split_build(const struct scenario *s, int threads, double *pop_s, double *net_s,
                             struct ss_error *err)
{
    struct mem m = {0};
    struct population pop;
    struct network net;
    memset(&pop, 0, sizeof pop);
    memset(&net, 0, sizeof net);
    double t0 = sys_now();
    int rc = pop_build(&pop, scn_params(s), threads, &m, err);
    double t1 = sys_now();
    if (rc == SS_OK) rc = net_build(&net, &pop, scn_params(s), scn_dir(s), threads, &m, err);
    double t2 = sys_now();
    *pop_s = t1 - t0;
    *net_s = t2 - t1;
    net_free(&net, &m);
    pop_free(&pop, &m);
    return rc;
}

static void bench_count_bytes(const struct sim *sim, struct bench_bytes *b)
{
    const struct world *w = &sim->world;
    const struct engine *e = &sim->eng;
    const size_t n = w->pop.n;
    const struct state *st = &w->st;
    memset(b, 0, sizeof *b);
    /* household, reliability and threshold are not stored (population.h) */
    size_t pop_agent = sizeof *w->pop.group + sizeof *w->pop.flags;
    size_t st_agent = sizeof *st->attitude + sizeof *st->fear + N_SUBSYSTEMS * sizeof(float) +
                      sizeof *st->status + sizeof *st->history + sizeof *st->watched +
                      sizeof *st->listed_day + sizeof *st->interned_until +
                      st->n_misses * sizeof *st->misses + sizeof *st->debt +
                      sizeof *st->sanctioned + sizeof *st->sanctioned_last;
    /* the engine's per-agent scratch (B_state counts it: it is a day's
     * state) and kept counts (B_expo) */
    size_t eng_agent =
        sizeof *e->acts + (e->xp.enabled ? sizeof *e->met_listed + sizeof *e->status_before : 0);
    size_t xp_agent = e->xp.enabled ? 4 * sizeof *e->xp.ties : 0;
    b->agent_rd = pop_agent + st_agent + eng_agent + xp_agent;
    b->expo = n * xp_agent;
    b->pop = n * pop_agent + ((size_t)w->pop.n_households + 1) * sizeof *w->pop.hh_start;
    b->state = n * (st_agent + eng_agent) + (size_t)e->n_blocks * SCORE_CAP_PART * sizeof(double);
    for (uint32_t l = 0; l < w->net.n_layers; l++) {
        b->off += ((size_t)w->net.layer[l].n + 1) * sizeof(net_off_t);
        b->adj += w->net.layer[l].n_entries * sizeof(uint32_t);
        b->entries += w->net.layer[l].n_entries;
    }
    b->trig = (size_t)e->trig.cap * sizeof *e->trig.ids;
    b->live = sim->mem.live;
    b->peak = sim->mem.peak;
    size_t known = b->pop + b->state + b->off + b->adj + b->trig + b->expo;
    b->other = b->live > known ? b->live - known : 0;
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Kinds of speed-of-light kernel. */
enum bench_sol_kind {
    SOL_STREAM, /* every byte once, in address order: the memory bound */
    SOL_GATHER, /* ... and the status of each entry's neighbour, as exposure needs */
    SOL_ROWS    /* the gather agent by agent, row by row, as the model's agent pass walks it */
};

/* One block's per-agent arrays: each byte read once, fear written. */
static uint64_t bench_sol_agents(struct sim *sim, uint32_t lo, uint32_t hi)
{
    const struct population *pop = &sim->world.pop;
    struct state *st = &sim->world.st;
    const struct engine *e = &sim->eng;
    const uint32_t cm = st->n_misses;
    uint32_t a = 0;
    float f = 0;
    for (uint32_t i = lo; i < hi; i++) {
        a ^= (uint32_t)pop->group[i] ^ pop->flags[i] ^ st->status[i] ^ st->history[i] ^
             st->watched[i] ^ e->acts[i] ^ (uint32_t)st->listed_day[i] ^
             (uint32_t)st->interned_until[i] ^ st->debt[i] ^ (uint32_t)st->sanctioned[i] ^
             st->sanctioned_last[i];
        if (e->xp.enabled)
            a ^= (uint32_t)e->xp.ties[i] ^ e->xp.listed[i] ^ e->xp.interned[i] ^
                 e->xp.protesting[i] ^ e->met_listed[i] ^ e->status_before[i];
        f += st->attitude[i];
        for (int s = 0; s < N_SUBSYSTEMS; s++) f += st->ledger[s][i];
        /* Written back in place: fear stays in [0,1]. */
        st->fear[i] *= 0.5f;
    }
    for (size_t k = (size_t)lo * cm; k < (size_t)hi * cm; k++) a ^= (uint32_t)st->misses[k];
    return a + (uint64_t)(f > 1e30f);
}

/* One block's edge entries, all layers: every offset and adj entry once. */
static uint64_t bench_sol_edges(const struct sim *sim, uint32_t lo, uint32_t hi, int kind)
{
    const uint8_t *status = sim->world.st.status;
    uint64_t a = 0;
    for (uint32_t l = 0; l < sim->world.net.n_layers; l++) {
        const struct layer *ly = &sim->world.net.layer[l];
        for (uint32_t i = lo; i <= hi; i++) a += ly->off[i];
        const uint32_t *adj = ly->adj;
        if (kind == SOL_STREAM) {
            for (net_off_t e = ly->off[lo]; e < ly->off[hi]; e++) a += adj[e];
        } else if (kind == SOL_GATHER) {
            for (net_off_t e = ly->off[lo]; e < ly->off[hi]; e++)
                if (adj[e] != NET_CUT) a += status[adj[e]];
        } else {
            for (uint32_t i = lo; i < hi; i++) {
                uint32_t c = 0;
                for (net_off_t e = ly->off[i]; e < ly->off[i + 1]; e++)
                    if (adj[e] != NET_CUT) c += status[adj[e]] & ST_LISTED;
                a += c;
            }
        }
    }
    return a;
}

/* The speed-of-light kernel of the given kind, `days` times: per block of
 * BENCH_BLOCK agents (split statically over the threads), read each
 * population and state byte once from the model's own arrays, write fear,
 * then read every offset and edge entry of the block's rows once. At most
 * BENCH_SOL_DAYS days are run, each timed; seconds is the median day times
 * days. */
static void bench_sol_run(struct sim *sim, int days, int kind, struct bench_sol *out)
{
    const struct population *pop = &sim->world.pop;
    const uint32_t n = pop->n, nh = pop->n_households;
    const uint32_t nb = (n + BENCH_BLOCK - 1) / BENCH_BLOCK;
    uint64_t sink = 0;
    double day_s[BENCH_SOL_DAYS];
    const int timed = days < BENCH_SOL_DAYS ? days : BENCH_SOL_DAYS;
    for (int d = 0; d < timed; d++) {
        double t0 = sys_now();
        uint64_t acc = 0;
#pragma omp parallel num_threads(sim->run.threads) reduction(+ : acc)
        {
#pragma omp for schedule(static) nowait
            for (uint32_t b = 0; b < nb; b++) {
                uint32_t lo = b * BENCH_BLOCK, hi = lo + BENCH_BLOCK < n ? lo + BENCH_BLOCK : n;
                acc += bench_sol_agents(sim, lo, hi);
                acc += bench_sol_edges(sim, lo, hi, kind);
            }
#pragma omp for schedule(static)
            for (uint32_t h = 0; h <= nh; h++) acc += pop->hh_start[h] & 1u;
        }
        sink += acc;
        day_s[d] = sys_now() - t0;
    }
    /* Every day is the same work: the median day, robust to another
     * process taking a core for a moment, stands for each. */
    qsort(day_s, (size_t)timed, sizeof *day_s, bench_cmp_double);
    out->seconds = day_s[timed / 2] * days;
    out->sink = sink;
    struct bench_bytes bb;
    bench_count_bytes(sim, &bb);
    /* Read: per-agent arrays, hh_start, offsets, adj; written: fear. */
    double bytes = (double)n * (double)(bb.agent_rd + sizeof *sim->world.st.fear) +
                   ((double)nh + 1) * sizeof *pop->hh_start + (double)bb.off + (double)bb.adj;
    if (kind != SOL_STREAM) bytes += (double)bb.entries; /* a status byte per entry, at best */
    out->bytes = bytes;
}

/* One kernel's keys: seconds, agent-days/s, GB/s touched, and the
 * model's time over the kernel's (with and without measurement). */
static void bench_print_sol(const char *name, const struct bench_sol *k, double agent_days,
                            int days, double run_s, double step_s)
{
    printf(" %s_s=%.3f %s_agent_days_per_s=%.4g %s_gbps=%.2f %s_ratio=%.2f %s_step_ratio=%.2f",
           name, k->seconds, name, agent_days / k->seconds, name,
           k->bytes * days / k->seconds / 1e9, name, run_s / k->seconds, name, step_s / k->seconds);
}

/* Write the world to o->checkpoint, read its header back, restore it into
 * the same world, timing each; the file is removed after. */
static int bench_checkpoint(struct sim *sim, const char *path, struct bench_ckpt *out,
                            struct ss_error *err)
{
    struct ckpt_meta meta = {0};
    double t0 = sys_now();
    int rc = ckpt_write(&sim->world, path, scn_text(sim->scn), scn_dir(sim->scn), 0, err);
    double t1 = sys_now();
    if (rc == SS_OK) rc = ckpt_read_meta(path, &meta, &sim->mem, err);
    double t2 = sys_now();
    if (rc == SS_OK) rc = ckpt_restore(path, &sim->world, err);
    double t3 = sys_now();
    ckpt_meta_free(&meta, &sim->mem);
    FILE *fp = rc == SS_OK ? fopen(path, "rb") : NULL;
    if (fp && fseek(fp, 0, SEEK_END) == 0) out->bytes = ftell(fp);
    if (fp) fclose(fp);
    remove(path);
    out->write_s = t1 - t0;
    out->meta_s = t2 - t1;
    out->restore_s = t3 - t2;
    return rc;
}

/* User + system CPU seconds of this process so far. */
static double bench_cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

/* Read bandwidth of a plain parallel sum over mib MiB: best of 5. */
static int bench_stream(unsigned long long mib, int threads)
{
    if (threads <= 0) threads = omp_get_num_procs();
    size_t n = (size_t)mib * (1u << 20) / sizeof(uint64_t);
    uint64_t *a = malloc(n * sizeof *a);
    if (!a) {
        fprintf(stderr, "bench_sim: cannot allocate %llu MiB\n", mib);
        return 1;
    }
#pragma omp parallel for num_threads(threads) schedule(static)
    for (size_t i = 0; i < n; i++) a[i] = i;
    double best = 1e30;
    uint64_t sink = 0;
    for (int r = 0; r < 5; r++) {
        uint64_t s = 0;
        double t0 = sys_now();
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : s)
        for (size_t i = 0; i < n; i++) s += a[i];
        double t = sys_now() - t0;
        if (t < best) best = t;
        sink += s;
    }
    free(a);
    printf("bench_stream mib=%llu threads=%d read_gbps=%.2f sink=%llu\n", mib, threads,
           (double)n * sizeof(uint64_t) / best / 1e9, (unsigned long long)(sink & 0xff));
    return 0;
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    if (bench_parse(&o, argc, argv) != 0) return bench_usage();
    if (o.stream_mib) return bench_stream(o.stream_mib, o.threads);

    struct ss_error err = {0};
    struct scenario *scn = NULL;
    struct sim *sim = NULL;
    if (bench_scenario(&scn, &o, &err) != SS_OK) {
        ss_error_print(&err, stderr);
        return 2;
    }
    if (o.estimate) {
        printf("bench_estimate agents=%llu estimate_bytes=%zu\n", o.agents,
               sim_estimate_bytes(scn));
        scn_free(scn);
        return 0;
    }
    double pop_s = 0, net_s = 0;
    int rc = SS_OK;
    const int threads = o.threads > 0 ? o.threads : omp_get_num_procs();
    if (o.split) rc = bench_split_build(scn, threads, &pop_s, &net_s, &err);
    struct sim_options so = {.threads = o.threads, .reference = o.reference};
    if (rc == SS_OK) rc = sim_create(&sim, scn, &so, &err);
    if (rc != SS_OK) {
        ss_error_print(&err, stderr);
        scn_free(scn);
        return rc == SS_EINPUT ? 2 : 1;
    }

    /* The days, as sim_run runs them, without output: day 0 measured
     * first, then step and measure per day. */
    double t = sys_now(), cpu0 = bench_cpu_seconds(), wall0 = t;
    rc = sim_measure(sim, &err);
    double measure0_s = sys_now() - t, step_s = 0, measure_s = 0;
    while (rc == SS_OK && sim->world.day < o.days) {
        t = sys_now();
        rc = sim_step(sim, &err);
        double t1 = sys_now();
        if (rc == SS_OK) rc = sim_measure(sim, &err);
        step_s += t1 - t;
        measure_s += sys_now() - t1;
    }
    if (rc != SS_OK) {
        ss_error_print(&err, stderr);
        sim_free(sim);
        scn_free(scn);
        return 1;
    }
    const double run_s = step_s + measure_s, ad = (double)sim->world.pop.n * o.days;
    /* Share of the threads' time the day loop got: below ~0.95, something
     * else was running on the machine. */
    const double cpu_util = (bench_cpu_seconds() - cpu0) / ((sys_now() - wall0) * sim->run.threads);

    struct bench_bytes bb;
    bench_count_bytes(sim, &bb);
    struct bench_ckpt ck = {0};
    if (o.checkpoint && bench_checkpoint(sim, o.checkpoint, &ck, &err) != SS_OK) {
        ss_error_print(&err, stderr);
        sim_free(sim);
        scn_free(scn);
        return 1;
    }
    struct bench_sol sol = {0}, solg = {0}, solr = {0};
    if (o.sol) {
        bench_sol_run(sim, o.days, SOL_STREAM, &sol);
        bench_sol_run(sim, o.days, SOL_GATHER, &solg);
        bench_sol_run(sim, o.days, SOL_ROWS, &solr);
    }
    const double nn = (double)sim->world.pop.n, ne = bb.entries ? (double)bb.entries : 1.0;
    printf("bench_sim agents=%u days=%d threads=%d step=%s estimate_bytes=%zu"
           " pop_s=%.3f net_s=%.3f build_s=%.3f"
           " step_s=%.3f measure_s=%.3f measure0_s=%.3f run_s=%.3f"
           " agent_days_per_s=%.4g step_agent_days_per_s=%.4g s_per_day=%.4g"
           " peak_rss=%zu hook_peak=%zu hook_live=%zu"
           " B_agent=%.2f B_agent_peak=%.2f B_agent_rss=%.2f B_agent_ex_adj=%.2f"
           " B_pop=%.2f B_state=%.2f B_off=%.2f B_adj=%.2f B_trig=%.2f B_expo=%.2f B_other=%.2f"
           " entries=%llu entries_per_agent=%.3f B_entry=%.3f cpu_util=%.2f",
           sim->world.pop.n, o.days, sim->run.threads, sim->eng.xp.enabled ? "fast" : "reference",
           sim->run.estimate_bytes, pop_s, net_s, sim->run.build_seconds, step_s, measure_s,
           measure0_s, run_s, ad / run_s, ad / step_s, run_s / o.days, sys_peak_rss(), bb.peak,
           bb.live, bb.live / nn, bb.peak / nn, sys_peak_rss() / nn, (bb.live - bb.adj) / nn,
           bb.pop / nn, bb.state / nn, bb.off / nn, bb.adj / nn, bb.trig / nn, bb.expo / nn,
           bb.other / nn, (unsigned long long)bb.entries, bb.entries / nn,
           (double)(bb.adj + bb.off) / ne, cpu_util);
    for (uint32_t l = 0; l < sim->world.net.n_layers; l++)
        printf(" entries_l%u=%llu", l, (unsigned long long)sim->world.net.layer[l].n_entries);
    if (o.checkpoint)
        printf(
            " ckpt_bytes=%lld B_ckpt=%.2f ckpt_write_s=%.3f ckpt_meta_s=%.3f ckpt_restore_s=%.3f",
            ck.bytes, (double)ck.bytes / nn, ck.write_s, ck.meta_s, ck.restore_s);
    if (o.sol) {
        bench_print_sol("sol", &sol, ad, o.days, run_s, step_s);
        bench_print_sol("solg", &solg, ad, o.days, run_s, step_s);
        bench_print_sol("solr", &solr, ad, o.days, run_s, step_s);
        printf(" sink=%llu", (unsigned long long)((sol.sink ^ solg.sink ^ solr.sink) & 0xff));
    }
    printf("\n");
    sim_free(sim);
    scn_free(scn);
    return 0;
}
