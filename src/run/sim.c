/*
 * sim.c - the simulation object and the day loop.
 *
 * sim_create checks that the scenario fits in memory, then builds the
 * population and the networks; sim_run measures day 0, steps through the
 * days and streams each day's figures to the output. The day step is a
 * pipeline of phases: the day's meetings (exposure.c); each agent acts, is
 * observed and scored (behaviour.c, surveillance.c, scoring.c); the caps
 * are recomputed; each household's members are listed, sanctioned and
 * rewarded (sanctions.c); what changed is pushed to the contacts' counts;
 * ties to the newly listed are cut. Every phase reads only what the
 * previous one finished, every random draw in a phase is keyed by (seed,
 * agent, block, tie or cell, day, stream), and every sum is of integers or
 * over fixed blocks, so a day gives the same bits with any number of
 * threads.
 *
 * Two steps share every rule: the fast one reads kept contact counts
 * (exposure.h) and fuses the caps' sums into the agent pass; the
 * reference one (sim_options.reference) recounts by scanning every tie of
 * every agent, as the model reads. The tests run both and compare bits.
 */
#include "run/sim.h"

#include <assert.h>
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/error.h"
#include "core/rng.h"
#include "model/sanctions.h"
#include "scenario/scenario.h"
#include "model/scoring.h"
#include "model/surveillance.h"

double sim_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

size_t sim_peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (size_t)ru.ru_maxrss * 1024u; /* Linux reports KiB */
}

/* Memory the run may use: MemAvailable, which counts reclaimable cache
 * (what a user can actually get), else physical memory. */
static size_t sim_available_bytes(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        static const char key[] = "MemAvailable:";
        char line[256];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, key, sizeof key - 1) != 0) continue;
            const char *num = line + sizeof key - 1;
            while (*num == ' ' || *num == '\t') num++;
            if (*num < '0' || *num > '9') continue; /* strtoull would take a sign */
            char *end;
            errno = 0;
            unsigned long long kb = strtoull(num, &end, 10);
            if (errno == ERANGE || strncmp(end, " kB", 3) != 0) continue;
            fclose(f);
            return kb > SIZE_MAX / 1024u ? SIZE_MAX : (size_t)kb * 1024u;
        }
        fclose(f);
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (size_t)pages * (size_t)page : SIZE_MAX;
}

size_t sim_estimate_bytes(const struct scenario *s)
{
    const struct params *p = scn_params(s);
    size_t groups = p->population.groups.n + 1,
           layers = p->network.n_layers ? p->network.n_layers : 1;
    /* Today's rows and counters are tiny next to the agents; the fixed
     * part covers the program, SQLite's cache and thread stacks. */
    size_t fixed = (size_t)64 << 20;
    return pop_estimate_bytes(p) + net_estimate_bytes(p, scn_dir(s)) + met_estimate_bytes(p) +
           state_estimate_bytes(p) + expo_estimate_bytes(p) + groups * layers * sizeof(int64_t) +
           fixed;
}

/* results/<name>-<seed>, with the name reduced to characters that are safe
 * in a file name on every system: a name may hold any text. */
static void sim_default_out_dir(char *out, size_t n, const struct params *p)
{
    char safe[sizeof p->name];
    size_t j = 0;
    for (size_t i = 0; p->name[i] && j + 1 < sizeof safe; i++) {
        char c = p->name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
        safe[j++] = ok ? c : '_';
    }
    safe[j] = '\0';
    if (j == 0 || safe[0] == '.') safe[0] = '_', safe[j ? j : 1] = '\0';
    snprintf(out, n, "results/%s-%llu", safe, (unsigned long long)p->seed);
}

static void sim_human_bytes(char *out, size_t n, size_t bytes)
{
    if (bytes >= ((size_t)1 << 30))
        snprintf(out, n, "%.1f GiB", (double)bytes / (double)((size_t)1 << 30));
    else
        snprintf(out, n, "%.0f MiB", (double)bytes / (double)((size_t)1 << 20));
}

int sim_create(struct sim **out, const struct scenario *s, const struct sim_options *o,
               struct ss_error *err)
{
    *out = NULL;
    struct sim *sim = calloc(1, sizeof *sim);
    if (!sim) return err_nomem(err, "creating the simulation");
    sim->scn = s;
    sim->p = scn_params(s);
    if (o) sim->opt = *o;
    sim->threads = sim->opt.threads > 0 ? sim->opt.threads : omp_get_num_procs();
    omp_set_num_threads(sim->threads);
    time(&sim->started);
    if (sim->opt.out_dir)
        snprintf(sim->out_dir, sizeof sim->out_dir, "%s", sim->opt.out_dir);
    else
        sim_default_out_dir(sim->out_dir, sizeof sim->out_dir, sim->p);

    sim->estimate_bytes = sim_estimate_bytes(s);
    size_t limit = sim->opt.memory_limit ? sim->opt.memory_limit : sim_available_bytes();
    if (sim->estimate_bytes > limit) {
        char need[32], have[32];
        sim_human_bytes(need, sizeof need, sim->estimate_bytes);
        sim_human_bytes(have, sizeof have, limit);
        size_t est = sim->estimate_bytes;
        free(sim);
        return err_msg(err, SS_EINPUT,
                       "this scenario needs about %s (%zu bytes, estimated) but only %s is "
                       "available; lower population.agents or the networks' degrees",
                       need, est, have);
    }

    double t0 = sim_now();
    int rc = pop_build(&sim->pop, sim->p, &sim->mem, err);
    if (rc == SS_OK) rc = net_build(&sim->net, &sim->pop, sim->p, scn_dir(s), &sim->mem, err);
    if (rc == SS_OK) {
        size_t cells =
            (size_t)(sim->pop.n_groups + 1) * (sim->net.n_layers ? sim->net.n_layers : 1);
        sim->contacts = mem_calloc(&sim->mem, cells, sizeof *sim->contacts);
        if (!sim->contacts) rc = err_nomem(err, "allocating the daily counters");
    }
    if (rc == SS_OK) rc = state_init(&sim->st, sim->p, &sim->pop, &sim->mem, err);
    if (rc == SS_OK) rc = beh_init(&sim->trig, sim, &sim->mem, err);
    if (rc == SS_OK) rc = expo_init(sim, err);
    if (rc == SS_OK) {
        sim->blk = mem_alloc_array(&sim->mem, (size_t)sim->threads, sizeof *sim->blk);
        if (!sim->blk) rc = err_nomem(err, "allocating the per-thread draws");
    }
    if (rc == SS_OK) {
        score_update_caps(sim);
        state_counts_clear(&sim->counts, sim->pop.n_groups);
        rc = met_init(&sim->met, sim, err);
    }
    sim->build_seconds = sim_now() - t0;
    if (rc != SS_OK) {
        sim_free(sim);
        return rc;
    }
    *out = sim;
    return SS_OK;
}

void sim_free(struct sim *sim)
{
    if (!sim) return;
    out_abort(&sim->out);
    met_free(&sim->met, sim);
    beh_free(&sim->trig, &sim->mem);
    mem_free(&sim->mem, sim->blk);
    expo_free(sim);
    state_free(&sim->st, &sim->mem);
    mem_free(&sim->mem, sim->contacts);
    net_free(&sim->net, &sim->mem);
    pop_free(&sim->pop, &sim->mem);
    free(sim);
}

const char *sim_out_dir(const struct sim *sim)
{
    return sim->out_dir;
}

/* Act, observe and score, block by block of STATE_BLOCK agents: each
 * agent's phases touch only its own fields and read what its contacts
 * were at the end of yesterday. */
static void sim_phase_agents(struct sim *sim, uint32_t day)
{
    const uint32_t n = sim->pop.n, ng = sim->pop.n_groups;
    const uint32_t nblocks = sim->st.n_blocks;
    const int fast = sim->xp.enabled;
    struct state *st = &sim->st;
#pragma omp parallel num_threads(sim->threads)
    {
        struct day_counts local;
        state_counts_clear(&local, ng);
        struct beh_block *blk = &sim->blk[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 4)
        for (uint32_t b = 0; b < nblocks; b++) {
            uint32_t lo = b * STATE_BLOCK, hi = lo + STATE_BLOCK < n ? lo + STATE_BLOCK : n;
            beh_block_draws(sim, lo, hi, day, blk);
            for (uint32_t i = lo; i < hi; i++) {
                struct group_counts *gc = &local.row[sim->pop.group[i]];
                struct agent_day a = {0};
                if (!(st->status[i] & ST_INTERNED)) {
                    struct beh_exposure x;
                    if (fast)
                        expo_get(sim, i, &x);
                    else
                        beh_expose(sim, i, day, &x);
                    beh_agent(sim, &sim->trig, blk, i, day, &x, &a, gc);
                    surv_agent(sim->p, st, i, day, blk->cand[i - lo], &a, gc);
                }
                score_agent(sim, i, day, &a, gc);
                st->acts[i] = a.acts;
            }
            if (fast) score_cap_block(sim, b); /* while the block's scores are in cache */
        }
#pragma omp critical
        state_counts_add(&sim->counts, &local, ng);
    }
}

/* The list and sanctions, household by household. */
static void sim_phase_households(struct sim *sim, uint32_t day)
{
    const uint32_t nh = sim->pop.n_households, ng = sim->pop.n_groups;
#pragma omp parallel
    {
        struct day_counts local;
        state_counts_clear(&local, ng);
#pragma omp for schedule(dynamic, 1024)
        for (uint32_t h = 0; h < nh; h++) sanc_household(sim, h, day, &local);
#pragma omp critical
        state_counts_add(&sim->counts, &local, ng);
    }
}

#ifndef NDEBUG
/* The model's invariants, checked after every day in a debug build. */
static void sim_check_invariants(const struct sim *sim, uint32_t day)
{
    const struct params *p = sim->p;
    const struct state *st = &sim->st;
    int64_t listed[MAX_GROUPS + 1] = {0};
    for (uint32_t i = 0; i < sim->pop.n; i++) {
        const uint8_t g = sim->pop.group[i], s = st->status[i];
        for (int d = 0; d < N_SUBSYSTEMS; d++) {
            double x = score_domain(p, st, i, g, d);
            assert(x >= p->scoring.min && x <= p->scoring.max);
        }
        double r = score_reported(p, st, i, g);
        assert(r >= p->scoring.min && r <= p->scoring.max);
        assert(st->fear[i] >= 0 && st->fear[i] <= 1);
        assert(sim->pop.attitude[i] >= 0 && sim->pop.attitude[i] <= 1);
        /* The list matches its rules: an unlisted agent is above the entry
         * line (unless a household member's internment cost it points after
         * the decision), and a listed one has not yet met the exit rule. */
        double jud = score_domain(p, st, i, g, SUB_JUDICIAL);
        if (s & ST_LISTED) {
            listed[g]++;
            assert(st->listed_day[i] <= (int32_t)day);
            assert(!(jud > p->list.exit_above &&
                     (int32_t)day - st->listed_day[i] >= p->list.min_days && !(s & ST_NEW_LISTED)));
        } else {
            int hh_penalty = 0;
            uint32_t h = pop_household(&sim->pop, i);
            for (uint32_t k = sim->pop.hh_start[h]; k < sim->pop.hh_start[h + 1]; k++)
                hh_penalty |= (st->status[k] & ST_NEW_INTERNED) != 0;
            assert(jud >= p->list.enter_below || hh_penalty);
        }
        /* Interned agents are removed from all contact: they did nothing.
         * Fix: except an agent interned today, which acted in the agent
         * pass before the household pass interned it. */
        if (s & ST_INTERNED) {
            assert(st->interned_until[i] >= (int32_t)day);
            assert((s & ST_NEW_INTERNED) ||
                   (!(st->acts[i] & AC_MASK & ~AC_SCHOOL) && !(s & ST_PROTEST)));
        }
    }
    /* Counts add up across groups. */
    const struct day_counts *c = &sim->counts;
    int64_t sanctions = 0;
    for (uint32_t g = 0; g < sim->pop.n_groups; g++) sanctions += c->row[g].sanctions[SA_LISTING];
    assert(sanctions == c->row[sim->pop.n_groups].sanctions[SA_LISTING]);
    (void)listed;
}
#endif

int sim_step(struct sim *sim, struct ss_error *err)
{
    const uint32_t day = (uint32_t)sim->day + 1, ng = sim->pop.n_groups;
    state_counts_clear(&sim->counts, ng);
    beh_prepare_day(&sim->trig, sim, day);
    expo_meet(sim, day);        /* who meets whom, from yesterday's state */
    sim_phase_agents(sim, day); /* act, observe, score */
    if (sim->xp.enabled)
        score_caps_finish(sim); /* the group cap follows today's scores */
    else
        score_update_caps(sim);
    sim_phase_households(sim, day); /* list, sanction, reward */
    expo_propagate(sim);            /* contacts see the changes */
    sanc_ostracism(sim, day);       /* contacts of the newly listed cut ties */
    state_counts_total(&sim->counts, ng);
    sim->day = (int)day;
#ifndef NDEBUG
    sim_check_invariants(sim, day);
    int rc = expo_check(sim, err);
    if (rc != SS_OK) return rc;
#else
    (void)err;
#endif
    return SS_OK;
}

static int sim_measure_and_write(struct sim *sim, struct ss_error *err)
{
    int rc = met_measure(&sim->met, sim, sim->day, err);
    if (rc == SS_OK) rc = out_day(&sim->out, sim, err);
    return rc;
}

int sim_run(struct sim *sim, struct ss_error *err)
{
    const int days = sim->p->days;
    double t0 = sim_now();
    int rc = out_open(&sim->out, sim, sim->out_dir, err);
    if (rc == SS_OK) rc = sim_measure_and_write(sim, err); /* day 0: the initial state */
    double t_loop = sim_now();
    while (rc == SS_OK && sim->day < days) {
        if (sim->opt.cancel && *sim->opt.cancel) {
            rc = err_msg(err, SS_EINTR, "interrupted on day %d of %d; no results were kept",
                         sim->day, days);
            break;
        }
        rc = sim_step(sim, err);
        if (rc == SS_OK) rc = sim_measure_and_write(sim, err);
        if (rc == SS_OK && sim->opt.progress) {
            double dt = sim_now() - t_loop;
            double rate = dt > 0 ? (double)sim->pop.n * sim->day / dt : 0.0;
            sim->opt.progress(sim->opt.progress_ud, sim->day, days, rate);
        }
    }
    sim->run_seconds = sim_now() - t0;
    sim->wall_seconds = sim->build_seconds + sim->run_seconds;
    time(&sim->finished);
    if (rc == SS_OK) rc = out_close(&sim->out, sim, err);
    if (rc != SS_OK) out_abort(&sim->out);
    return rc;
}
