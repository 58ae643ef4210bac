/*
 * sim.c - the driver: building a run (world, engine, measurement), the day
 * loop (step, measure, write) and the results it hands to the output.
 *
 * sim_create checks that the scenario fits in memory, then builds the world
 * and the engine over it and starts the model (eng_start); sim_run measures
 * day 0, steps through the days and streams each day's rows to the output,
 * then writes the snapshot and the run's own row. The output sees rows and
 * a description of the run, never the simulation.
 */
#include "run/sim.h"

#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/sys.h"
#include "core/text.h"
#include "io/stage.h"
#include "io/store.h"
#include "model/scoring.h"
#include "scenario/scenario.h"
#include "scenario/schedule.h"
#include "world/checkpoint.h"

/* The team size a run with these options uses. */
static int sim_threads(const struct sim_options *o)
{
    return o && o->threads > 0 ? o->threads : omp_get_num_procs();
}

static size_t sim_estimate_threads(const struct scenario *s, int threads)
{
    const struct params *p = scn_params(s);
    /* The fixed part covers the program, SQLite's cache and thread stacks. */
    size_t fixed = (size_t)64 << 20;
    return world_estimate_bytes(p, scn_dir(s)) + eng_estimate_bytes(p) +
           met_estimate_bytes(p, threads) + fixed;
}

size_t sim_estimate_bytes(const struct scenario *s)
{
    return sim_estimate_threads(s, sim_threads(NULL));
}

/* A default folder is usable when it could take a published folder
 * without replacing anything, and nobody is writing it or left a run in
 * it to resume. */
static int sim_dir_free(const char *dir, void *ud)
{
    (void)ud;
    long pid;
    int st = stage_probe(dir, &pid);
    struct ss_error ignored = {0};
    return (st == STAGE_NONE || st == STAGE_STALE) && stage_target_ok(dir, 0, &ignored) == SS_OK;
}

/* The results folder: out_dir as given (refused if it holds results and
 * force is not set, or files that are not scoresim's, or a run being
 * written or left to resume), or results/<name>-<seed>[_<overrides>][_N],
 * the name and overrides reduced to characters that are safe in a file
 * name on every system: a name may hold any text. */
static int sim_choose_out_dir(struct run *run, const struct params *p, struct ss_error *err)
{
    const struct sim_options *o = &run->opt;
    if (o->out_dir) {
        int k = snprintf(run->out_dir, sizeof run->out_dir, "%s", o->out_dir);
        if (k < 0 || (size_t)k >= sizeof run->out_dir)
            return err_msg(err, SS_EINPUT, "results folder path too long: %s", o->out_dir);
        if (run->resumed) return SS_OK; /* sim_resume checked it */
        long pid;
        switch (stage_probe(run->out_dir, &pid)) {
        case STAGE_BUSY:
            return err_msg(err, SS_EINPUT, "%s is being written by another scoresim (process %ld)",
                           run->out_dir, pid);
        case STAGE_INTERRUPTED:
            if (!o->force)
                return err_msg(err, SS_EINPUT,
                               "%s holds an interrupted run: go on with it with 'scoresim resume "
                               "%s', or add --force to replace it",
                               run->out_dir, run->out_dir);
            break;
        default:
            break;
        }
        return stage_target_ok(run->out_dir, o->force, err);
    }
    char safe[sizeof p->name], sets[128], base[MAX_PATH];
    text_safe_name(safe, sizeof safe, p->name);
    text_sets_name(sets, sizeof sets, o->sets, o->sets ? o->n_sets : 0, "seed");
    snprintf(base, sizeof base, "results/%s-%llu%s%s", safe, (unsigned long long)p->seed,
             sets[0] ? "_" : "", sets);
    return store_pick_dir(base, run->out_dir, sizeof run->out_dir, sim_dir_free, NULL, err);
}

static void sim_human_bytes(char *out, size_t n, size_t bytes)
{
    if (bytes >= ((size_t)1 << 30))
        snprintf(out, n, "%.1f GiB", (double)bytes / (double)((size_t)1 << 30));
    else
        snprintf(out, n, "%.0f MiB", (double)bytes / (double)((size_t)1 << 20));
}

int sim_setup(struct sim *sim, const struct scenario *s, const struct sim_options *o,
              struct ss_error *err)
{
    struct run *run = &sim->run;
    const struct params *p = scn_params(s);
    sim->scn = s;
    if (o) run->opt = *o;
    run->fork_day = -1;
    run->threads = sim_threads(o);
    time(&run->started);
    run->stage.fd = -1;
    /* the staging folder now, so that a folder that cannot be made is
     * said before any work; a resumed run goes on in its own. A default
     * folder another run took since it was chosen is passed over. */
    int rc = SS_OK;
    for (int tries = 0; tries < 100; tries++) {
        rc = sim_choose_out_dir(run, p, err);
        if (rc == SS_OK)
            rc = stage_open(&run->stage, run->out_dir,
                            run->opt.checkpoint_every > 0 ? STAGE_RESUMABLE : STAGE_ONCE,
                            !run->resumed, err);
        long pid;
        if (rc == SS_OK || run->opt.out_dir || stage_probe(run->out_dir, &pid) != STAGE_BUSY) break;
        err_clear(err);
    }
    if (rc != SS_OK) return rc;

    run->estimate_bytes = sim_estimate_threads(s, run->threads);
    size_t limit = run->opt.memory_limit ? run->opt.memory_limit : sys_available_bytes();
    if (run->estimate_bytes > limit) {
        char need[32], have[32];
        sim_human_bytes(need, sizeof need, run->estimate_bytes);
        sim_human_bytes(have, sizeof have, limit);
        return err_msg(err, SS_EINPUT,
                       "this scenario needs about %s (%zu bytes, estimated) but only %s is "
                       "available; lower population.agents or the networks' degrees",
                       need, run->estimate_bytes, have);
    }
    return SS_OK;
}

int sim_build(struct sim *sim, const char *ckpt, struct ss_error *err)
{
    struct run *run = &sim->run;
    struct world *w = &sim->world;
    double t0 = sys_now();
    sys_test_point("build");
    int rc = world_build(w, scn_params(sim->scn), scn_dir(sim->scn), run->threads, &sim->mem, err);
    if (rc == SS_OK && ckpt) {
        /* the state of the checkpoint's day, and the parameters of that day */
        rc = ckpt_restore(ckpt, w, err);
        if (rc == SS_OK) sched_params_at(w->base, w->day, &w->params);
    }
    if (rc == SS_OK)
        rc = eng_create(&sim->eng, w, run->threads, run->opt.reference, &sim->mem, err);
    if (rc == SS_OK && !ckpt) eng_start(&sim->eng, w);
    if (rc == SS_OK) rc = met_init(&sim->met, w, run->threads, &sim->mem, err);
    run->build_seconds = sys_now() - t0;
    return rc;
}

int sim_create(struct sim **out, const struct scenario *s, const struct sim_options *o,
               struct ss_error *err)
{
    *out = NULL;
    struct sim *sim = calloc(1, sizeof *sim);
    if (!sim) return err_nomem(err, "creating the simulation");
    int rc = sim_setup(sim, s, o, err);
    if (rc == SS_OK) rc = sim_build(sim, NULL, err);
    if (rc != SS_OK) {
        sim_free(sim);
        return rc;
    }
    *out = sim;
    return SS_OK;
}

/* A run that ends unpublished: one with checkpoints (or resumed from
 * them) keeps its staging folder to go on from; no part of another stays.
 * Nothing to do after a publish. */
static void sim_unpublished(struct sim *sim)
{
    struct run *run = &sim->run;
    if (run->out.durable || run->resumed) {
        out_suspend(&run->out);
        stage_keep(&run->stage);
    } else {
        out_abort(&run->out);
        stage_discard(&run->stage);
    }
}

void sim_free(struct sim *sim)
{
    if (!sim) return;
    sim_unpublished(sim);
    met_free(&sim->met, &sim->mem);
    eng_free(&sim->eng, &sim->mem);
    world_free(&sim->world, &sim->mem);
    scn_free(sim->own_scn);
    free(sim);
}

const struct scenario *sim_scenario(const struct sim *sim)
{
    return sim->scn;
}

const char *sim_out_dir(const struct sim *sim)
{
    return sim->run.out_dir;
}

/* Pass one warning on, or count it past the limit. */
static void sim_warn(struct run *run, const char *msg)
{
    if (!run->opt.warn) return;
    if (++run->warnings <= SIM_MAX_WARNINGS) run->opt.warn(run->opt.warn_ud, msg);
}

/* A trigger day that took fewer agents than the trigger asks for: the
 * model records what it asked and could take (beh_prepare_day); saying so
 * is the run's. */
static void sim_warn_trigger(struct sim *sim)
{
    const struct beh_trigger *t = &sim->eng.trig;
    const struct params *p = sim->world.p;
    if (!beh_trigger_short(t, p)) return;
    char msg[512], took[48];
    const int day = sim->world.day;
    const double att = p->behaviour.protest.trigger.min_attitude;
    if (t->eligible)
        snprintf(took, sizeof took, "it took the %" PRIu32 " it could", t->eligible);
    else
        snprintf(took, sizeof took, "it took none");
    if (p->behaviour.protest.trigger.ids.n)
        snprintf(msg, sizeof msg,
                 "day %d: the protest trigger names %" PRIu32
                 " agents (behaviour.protest.trigger.ids), but %" PRIu32
                 " of them are children or interned, who take no part: %s",
                 day, t->asked, t->asked - t->eligible, took);
    else if (p->behaviour.protest.trigger.count && t->eligible)
        snprintf(msg, sizeof msg,
                 "day %d: the protest trigger asks for %" PRIu32
                 " agents (behaviour.protest.trigger.count), but %" PRIu32
                 " are eligible (adults, not interned, attitude above %g): %s",
                 day, t->asked, t->eligible, att, took);
    else if (p->behaviour.protest.trigger.count)
        snprintf(msg, sizeof msg,
                 "day %d: the protest trigger asks for %" PRIu32
                 " agent%s (behaviour.protest.trigger.count), but none is eligible (adults, not "
                 "interned, attitude above %g): %s",
                 day, t->asked, t->asked == 1 ? "" : "s", att, took);
    else
        snprintf(msg, sizeof msg,
                 "day %d: the protest trigger asks for a share (%g) of the eligible agents "
                 "(adults, not interned, attitude above %g), but none is eligible: it took none",
                 day, p->behaviour.protest.trigger.share, att);
    sim_warn(&sim->run, msg);
}

int sim_step(struct sim *sim, struct ss_error *err)
{
    int rc = eng_step(&sim->eng, &sim->world, err);
    if (rc == SS_OK) sim_warn_trigger(sim);
    return rc;
}

int sim_measure(struct sim *sim, struct ss_error *err)
{
    return met_measure(&sim->met, &sim->world, &sim->eng, err);
}

/* ---- what the output is handed ----------------------------------------- */

void sim_static_rows(const struct sim *sim, struct out_group *groups, struct out_layer *layers)
{
    const struct world *w = &sim->world;
    const struct params *p = w->p;
    for (uint32_t g = 0; g < w->pop.n_groups; g++)
        groups[g] = (struct out_group){
            .group = g,
            .name = p->population.groups.name[g],
            .share = p->population.groups.v[g],
            .agents = w->pop.group_start[g + 1] - w->pop.group_start[g],
        };
    for (uint32_t l = 0; l < w->net.n_layers; l++) {
        const struct layer *L = &w->net.layer[l];
        layers[l] = (struct out_layer){
            .layer = l,
            .name = L->name,
            .generator = out_generator_name(L->generator),
            .contact = p->network.layers[l].contact,
            .ties = (int64_t)(L->n_entries / 2),
            .mean_degree = w->pop.n ? (double)L->n_entries / w->pop.n : NAN,
        };
    }
}

/* One change's values as text, in the three slots of txt. */
static void sim_change_row(const struct params *base, const struct sched_change *c,
                           struct out_change *row, char (*txt)[SCHED_VALUE_LEN])
{
    const int32_t start = base->start_date;
    struct params before;
    sched_params_at(base, c->day - 1, &before);
    sched_value_text(c, sched_value_in(&before, c), txt[0]);
    sched_value_text(c, c->value, txt[1]);
    sched_value_text(c, c->value_to, txt[2]);
    *row = (struct out_change){
        .day = c->day,
        .date = start == PARAMS_NO_DATE ? PARAMS_NO_DATE : start + c->day - 1,
        .day_to = c->ramp ? c->day_to : INT64_MIN,
        .date_to = c->ramp && start != PARAMS_NO_DATE ? start + c->day_to - 1 : PARAMS_NO_DATE,
        .key = c->key,
        .kind = c->ramp ? "ramp" : "set",
        .value_before = txt[0],
        .value = txt[1],
        .value_to = c->ramp ? txt[2] : NULL,
    };
}

int sim_schedule_rows(struct sim *sim, struct out_change **rows, uint32_t *n_rows,
                      struct ss_error *err)
{
    const struct params *base = sim->world.base;
    const struct schedule *sc = &base->schedule;
    *rows = NULL;
    *n_rows = 0;
    uint32_t n = 0;
    /* a horizon shortened by --days ends before the later changes: they
     * never happen, so they are not the run's */
    while (n < sc->n && sc->order && sc->c[sc->order[n]].day <= base->days) n++;
    if (n == 0) return SS_OK;
    /* one block: the rows, then each row's three value texts */
    const size_t each = sizeof(struct out_change) + 3 * SCHED_VALUE_LEN;
    char *block = mem_alloc_array(&sim->mem, n, each);
    if (!block) return err_nomem(err, "listing the schedule");
    struct out_change *out = (struct out_change *)(void *)block;
    char(*txt)[SCHED_VALUE_LEN] = (char(*)[SCHED_VALUE_LEN])(block + n * sizeof *out);
    for (uint32_t k = 0; k < n; k++)
        sim_change_row(base, &sc->c[sc->order[k]], &out[k], txt + 3 * k);
    *rows = out;
    *n_rows = n;
    return SS_OK;
}

/* Open the output with the groups, layers and schedule tables of the world. */
static int sim_open_output(struct sim *sim, struct ss_error *err)
{
    struct out_group groups[MAX_GROUPS];
    struct out_layer layers[MAX_LAYERS];
    struct out_change *changes = NULL;
    uint32_t n_changes = 0;
    sim_static_rows(sim, groups, layers);
    int rc = sim_schedule_rows(sim, &changes, &n_changes, err);
    if (rc == SS_OK)
        rc = out_open(&sim->run.out, sim->run.stage.dir, groups, sim->world.pop.n_groups, layers,
                      sim->world.net.n_layers, changes, n_changes, sim->run.opt.snapshot,
                      sim->run.opt.checkpoint_every > 0, err);
    mem_free(&sim->mem, changes);
    return rc;
}

static int sim_measure_and_write(struct sim *sim, struct ss_error *err)
{
    int rc = sim_measure(sim, err);
    if (rc == SS_OK)
        rc = out_day(&sim->run.out, sim->met.rows, sim->met.n_rows, sim->met.layer_rows,
                     sim->met.n_layer_rows, err);
    return rc;
}

/* Every agent's final state (the agents and agent_degree tables). */
static int sim_write_snapshot(struct sim *sim, struct ss_error *err)
{
    const struct world *w = &sim->world;
    const struct population *pop = &w->pop;
    const struct network *net = &w->net;
    const struct state *st = &w->st;
    const struct params *p = w->p;
    int rc = SS_OK;
    for (uint32_t a = 0; a < pop->n && rc == SS_OK; a++) {
        int64_t deg[MAX_LAYERS] = {0}, total = 0;
        for (uint32_t l = 0; l < net->n_layers; l++) {
            const struct layer *ly = &net->layer[l];
            if (a >= ly->n) continue;
            for (net_off_t e = ly->off[a]; e < ly->off[a + 1]; e++) deg[l] += ly->adj[e] != NET_CUT;
            total += deg[l];
        }
        const uint8_t g = pop->group[a];
        struct out_agent row = {
            .id = a,
            .group = g,
            .household = pop_household(pop, a),
            .child = (pop->flags[a] & POP_CHILD) != 0,
            .online = (pop->flags[a] & POP_ONLINE) != 0,
            .attitude = st->attitude[a],
            .reliability = pop_reliability(pop, a),
            .threshold = pop_threshold(pop, a),
            .degree = total,
            .fear = st->fear[a],
            .score = score_reported(p, st, a, g),
            .financial = score_domain(p, st, a, g, SUB_FINANCIAL),
            .judicial = score_domain(p, st, a, g, SUB_JUDICIAL),
            .social = score_domain(p, st, a, g, SUB_SOCIAL),
            .listed = (st->status[a] & ST_LISTED) != 0,
            .interned = (st->status[a] & ST_INTERNED) != 0,
            .ever_sanctioned = (st->history[a] & HI_SANCTIONED) != 0,
            .genuine = (st->history[a] & HI_GENUINE) != 0,
        };
        rc = out_agent(&sim->run.out, &row, deg, err);
    }
    return rc;
}

/* "YYYY-MM-DDTHH:MM:SSZ" into buf, or NULL for an unset time. */
static const char *sim_iso_time(time_t t, char *buf, size_t size)
{
    return t ? text_iso_utc(buf, size, t) : NULL;
}

/* The run table's row, and close the output. */
static int sim_close_output(struct sim *sim, struct ss_error *err)
{
    const struct run *run = &sim->run;
    char started[32], finished[32];
    const struct out_run row = {
        .name = scn_name(sim->scn),
        .scenario = scn_text(sim->scn),
        .seed = (int64_t)sim->world.p->seed,
        .days = sim->world.p->days,
        .agents = sim->world.pop.n,
        .threads = run->threads,
        .version = SS_VERSION,
        .started = sim_iso_time(run->started, started, sizeof started),
        .finished = sim_iso_time(run->finished, finished, sizeof finished),
        .build_seconds = run->build_seconds,
        .run_seconds = run->run_seconds,
        .wall_seconds = run->wall_seconds,
        .peak_memory_bytes = (int64_t)sys_peak_rss(),
        .alloc_peak_bytes = (int64_t)sim->mem.peak,
        .estimate_bytes = (int64_t)run->estimate_bytes,
        .host_cores = omp_get_num_procs(),
        .fork_day = run->fork_day >= 0 ? run->fork_day : INT64_MIN,
        .fork_from = run->fork_day >= 0 ? run->fork_from : NULL,
    };
    return out_close(&sim->run.out, &row, err);
}

int sim_run(struct sim *sim, struct ss_error *err)
{
    struct run *run = &sim->run;
    const int days = sim->world.p->days;
    const int every = run->opt.checkpoint_every;
    double t0 = sys_now();
    int rc = SS_OK;
    if (!run->resumed) {
        rc = sim_open_output(sim, err);
        if (rc == SS_OK && run->fork_day >= 0)
            rc = sim_copy_base(sim, err); /* the days through the fork, as the base had them */
        else if (rc == SS_OK)
            rc = sim_measure_and_write(sim, err); /* day 0: the initial state */
        /* the folder is this run's now (free, or --force): checkpoints of
         * a run it replaces must not pass for this one's */
        if (rc == SS_OK) sim_clear_checkpoints(run->stage.dir);
    }
    const int first = sim->world.day;
    double t_loop = sys_now();
    while (rc == SS_OK && sim->world.day < days) {
        if (run->opt.cancel && *run->opt.cancel) {
            if (run->out.durable)
                rc = err_msg(err, SS_EINTR,
                             "interrupted on day %d of %d; go on from the last checkpoint with "
                             "'scoresim resume %s'",
                             sim->world.day, days, run->out_dir);
            else
                rc = err_msg(err, SS_EINTR, "interrupted on day %d of %d; no results were kept",
                             sim->world.day, days);
            break;
        }
        rc = sim_step(sim, err);
        if (rc == SS_OK) rc = sim_measure_and_write(sim, err);
        if (rc == SS_OK && every > 0 && sim->world.day % every == 0) rc = sim_checkpoint(sim, err);
        if (rc == SS_OK && run->opt.progress) {
            double dt = sys_now() - t_loop;
            double rate = dt > 0 ? (double)sim->world.pop.n * (sim->world.day - first) / dt : 0.0;
            run->opt.progress(run->opt.progress_ud, sim->world.day, days, rate);
        }
    }
    if (run->opt.warn && run->warnings > SIM_MAX_WARNINGS) {
        char msg[128];
        int more = run->warnings - SIM_MAX_WARNINGS;
        snprintf(msg, sizeof msg, "%d more warning%s like those above not shown", more,
                 more == 1 ? "" : "s");
        run->opt.warn(run->opt.warn_ud, msg);
    }
    run->run_seconds = sys_now() - t0;
    run->wall_seconds = run->build_seconds + run->run_seconds;
    time(&run->finished);
    if (rc == SS_OK && run->opt.snapshot) rc = sim_write_snapshot(sim, err);
    if (rc == SS_OK) rc = sim_close_output(sim, err);
    if (rc == SS_OK && run->opt.report) rc = rep_write(run->stage.dir, err);
    if (rc == SS_OK) rc = stage_publish(&run->stage, run->opt.force, err);
    if (rc != SS_OK) sim_unpublished(sim);
    return rc;
}
