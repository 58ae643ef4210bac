/*
 * restore.c - runs that outlive their process: checkpoints written into
 * the results folder, a killed run resumed from its newest one, and a
 * counterfactual fork that goes on from a checkpoint under another policy.
 *
 * A checkpoint of day D (world/checkpoint.h) is written after day D's rows,
 * once the output has committed them, so that a resumed run cuts the
 * partial results back to day D and writes days D + 1 on as an
 * uninterrupted run would have (the CSVs are written from the finished
 * database, at the end, like any run's): every draw is
 * keyed by agent and day, and everything the checkpoint does not hold is
 * rebuilt from the scenario, so the tables come out the same, bit for bit.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "io/store.h"
#include "run/sim.h"
#include "scenario/scenario.h"
#include "world/checkpoint.h"

#define CKPT_PREFIX "checkpoint-"
#define CKPT_SUFFIX ".ckpt"
#define CKPT_KEEP   2 /* checkpoints kept in a results folder */

/* The day of a checkpoint's file name, or -1 if name is not one. */
static int ckpt_name_day(const char *name)
{
    size_t np = strlen(CKPT_PREFIX), ns = strlen(CKPT_SUFFIX), n = strlen(name);
    if (n <= np + ns || strncmp(name, CKPT_PREFIX, np) || strcmp(name + n - ns, CKPT_SUFFIX))
        return -1;
    int day = 0;
    for (size_t i = np; i < n - ns; i++) {
        if (name[i] < '0' || name[i] > '9' || day > 100000) return -1;
        day = day * 10 + (name[i] - '0');
    }
    return day;
}

/* The days of the checkpoints in dir, newest first, at most max; returns
 * how many (-1 if dir cannot be read). */
static int ckpt_list(const char *dir, int *days, int max)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    for (struct dirent *de; (de = readdir(d));) {
        int day = ckpt_name_day(de->d_name);
        if (day < 0 || (n == max && day <= days[max - 1])) continue;
        int k = n < max ? n++ : max - 1;
        days[k] = day;
        for (; k > 0 && days[k - 1] < days[k]; k--) {
            int t = days[k - 1];
            days[k - 1] = days[k];
            days[k] = t;
        }
    }
    closedir(d);
    return n;
}

void sim_checkpoint_path(char *buf, size_t size, const char *dir, int day)
{
    snprintf(buf, size, "%s/" CKPT_PREFIX "%06d" CKPT_SUFFIX, dir, day);
}

void sim_clear_checkpoints(const char *dir)
{
    char path[MAX_PATH + 64];
    int days[64], n;
    while ((n = ckpt_list(dir, days, 64)) > 0)
        for (int k = 0; k < n; k++) {
            sim_checkpoint_path(path, sizeof path, dir, days[k]);
            if (unlink(path) != 0) return;
        }
}

int sim_checkpoint(struct sim *sim, struct ss_error *err)
{
    const struct run *run = &sim->run;
    int rc = out_checkpoint(&sim->run.out, err);
    if (rc != SS_OK) return rc;
    char path[MAX_PATH + 128];
    sim_checkpoint_path(path, sizeof path, run->stage.dir, sim->world.day);
    rc = ckpt_write(&sim->world, path, scn_text(sim->scn), scn_dir(sim->scn),
                    run->opt.checkpoint_every, err);
    if (rc != SS_OK) return rc;
    /* only now, with the new one in place, the older ones go */
    int days[64];
    int n = ckpt_list(run->stage.dir, days, 64);
    for (int k = CKPT_KEEP; k < n; k++) {
        sim_checkpoint_path(path, sizeof path, run->stage.dir, days[k]);
        unlink(path);
    }
    return SS_OK;
}

/* A new zeroed sim, or NULL (with err) when out of memory. */
static struct sim *sim_alloc(struct ss_error *err)
{
    struct sim *sim = calloc(1, sizeof *sim);
    if (!sim) err_nomem(err, "creating the simulation");
    return sim;
}

/* The newest checkpoint of dir into path. */
static int ckpt_newest(const char *dir, char *path, size_t size, struct ss_error *err)
{
    int days[1];
    int n = ckpt_list(dir, days, 1);
    if (n < 0)
        return err_msg(err, SS_EINPUT, "cannot read the results folder %s: %s", dir,
                       strerror(errno));
    if (n == 0)
        return err_msg(err, SS_EINPUT,
                       "%s holds no checkpoint to resume from (a run writes them with "
                       "--checkpoint-every DAYS)",
                       dir);
    sim_checkpoint_path(path, size, dir, days[0]);
    return SS_OK;
}

/* The scenario text of the checkpoint at path (its folder dir), loaded as
 * its run ran it. The text was checked when that run began; a run
 * shortened on the command line (--days) holds schedule changes past its
 * last day, which only a horizon given as an override allows: the horizon
 * is given again as one. */
static int ckpt_scenario_load(struct scenario **out, const char *text, const char *path,
                              const char *dir, struct ss_error *err)
{
    int rc = scn_load_text(out, NULL, text, path, dir, err);
    if (rc != SS_OK) return rc;
    char days[32];
    snprintf(days, sizeof days, "days=%d", scn_params(*out)->days);
    rc = scn_set(*out, days, err);
    if (rc != SS_OK) {
        scn_free(*out);
        *out = NULL;
    }
    return rc;
}

int sim_checkpoint_scenario(struct scenario **out, const char *checkpoint, struct ss_error *err)
{
    struct mem m = {0};
    struct ckpt_meta meta;
    *out = NULL;
    int rc = ckpt_read_meta(checkpoint, &meta, &m, err);
    if (rc != SS_OK) return rc;
    rc = ckpt_scenario_load(out, meta.scenario, checkpoint, meta.dir, err);
    ckpt_meta_free(&meta, &m);
    return rc;
}

/* SS_OK if the two effective scenarios are the same text, else SS_EINPUT
 * quoting the first line that differs. */
static int same_scenario(const char *ckpt, const char *a, const struct scenario *b,
                         struct ss_error *err)
{
    const char *x = a, *y = scn_text(b);
    int line = 1;
    while (*x && *x == *y) line += *x++ == '\n', y++;
    if (!*x && !*y) return SS_OK;
    const char *lx = x, *ly = y;
    while (lx > a && lx[-1] != '\n') lx--;
    while (ly > scn_text(b) && ly[-1] != '\n') ly--;
    return err_msg(err, SS_EINPUT,
                   "the checkpoint %s is of another scenario than %s: line %d of the effective "
                   "scenario is '%.*s' there and '%.*s' here",
                   ckpt, scn_path(b)[0] ? scn_path(b) : "the one given", line,
                   (int)strcspn(lx, "\n"), lx, (int)strcspn(ly, "\n"), ly);
}

/* The staging folder of the interrupted run whose results folder is dir,
 * into buf; SS_EINPUT saying why there is none to go on with. */
static int sim_resume_stage(const char *dir, char *buf, size_t size, struct ss_error *err)
{
    int rc = stage_path(dir, buf, size, err);
    if (rc != SS_OK) return rc;
    long pid;
    char found[64];
    switch (stage_probe(dir, &pid)) {
    case STAGE_INTERRUPTED:
        return SS_OK;
    case STAGE_BUSY:
        return err_msg(err, SS_EINPUT, "%s is being written by a running scoresim (process %ld)",
                       dir, pid);
    case STAGE_STALE:
        return err_msg(err, SS_EINPUT,
                       "the run into %s was stopped before its end, and it wrote no "
                       "checkpoints (run --checkpoint-every): nothing to go on from",
                       dir);
    default:
        if (store_holds_results(dir, found, sizeof found))
            return err_msg(err, SS_EINPUT,
                           "%s holds finished results, not an interrupted run: nothing to "
                           "resume",
                           dir);
        return err_msg(err, SS_EINPUT,
                       "%s holds no checkpoint to resume from: no interrupted run of it (%s) "
                       "was found; was it finished elsewhere, or cleaned?",
                       dir, buf);
    }
}

int sim_resume(struct sim **out, const char *dir, const struct scenario *expect,
               const struct sim_options *o, struct ss_error *err)
{
    *out = NULL;
    char path[MAX_PATH + 64], stage[MAX_PATH];
    int rc = sim_resume_stage(dir, stage, sizeof stage, err);
    if (rc == SS_OK) rc = ckpt_newest(stage, path, sizeof path, err);
    if (rc != SS_OK) return rc;
    struct mem m = {0};
    struct ckpt_meta meta;
    rc = ckpt_read_meta(path, &meta, &m, err);
    if (rc != SS_OK) return rc;
    if (expect && (rc = same_scenario(path, meta.scenario, expect, err)) != SS_OK) {
        ckpt_meta_free(&meta, &m);
        return rc;
    }
    struct sim *sim = sim_alloc(err);
    struct scenario *s = NULL;
    if (!sim) rc = SS_ENOMEM;
    if (rc == SS_OK) rc = ckpt_scenario_load(&s, meta.scenario, path, meta.dir, err);
    if (rc == SS_OK) rc = scn_finish(s, err);
    if (rc != SS_OK) {
        scn_free(s);
        free(sim);
        ckpt_meta_free(&meta, &m);
        return rc;
    }
    sim->own_scn = s;
    /* the run's own settings; the caller's threads, progress, cancellation */
    struct sim_options opt = o ? *o : (struct sim_options){0};
    opt.out_dir = dir;
    opt.checkpoint_every = meta.every > 0 ? meta.every : 1; /* as the run did */
    opt.force = 1;        /* the folder holds this run's own partial results */
    sim->run.resumed = 1; /* its staging folder goes on, whatever happens */
    rc = sim_setup(sim, s, &opt, err);
    if (rc == SS_OK) rc = sim_build(sim, path, err);
    struct out_group groups[MAX_GROUPS];
    struct out_layer layers[MAX_LAYERS];
    struct out_change *changes = NULL;
    uint32_t n_changes = 0;
    if (rc == SS_OK) {
        sim_static_rows(sim, groups, layers);
        rc = sim_schedule_rows(sim, &changes, &n_changes, err);
    }
    if (rc == SS_OK)
        rc = out_resume(&sim->run.out, sim->run.stage.dir, groups, sim->world.pop.n_groups, layers,
                        sim->world.net.n_layers, changes, n_changes, sim->world.day,
                        &sim->run.opt.snapshot, err);
    mem_free(&sim->mem, changes);
    ckpt_meta_free(&meta, &m);
    if (rc != SS_OK) {
        sim_free(sim);
        return rc;
    }
    *out = sim;
    return SS_OK;
}

int sim_fork(struct sim **out, const char *checkpoint, const struct scenario *s,
             const struct sim_options *o, struct ss_error *err)
{
    *out = NULL;
    struct scenario *base = NULL;
    int rc = sim_checkpoint_scenario(&base, checkpoint, err);
    if (rc == SS_OK) rc = scn_finish(base, err);
    if (rc == SS_OK) rc = scn_same_structure(base, s, err);
    scn_free(base);
    if (rc != SS_OK) return rc;
    struct sim *sim = sim_alloc(err);
    if (!sim) return SS_ENOMEM;
    rc = sim_setup(sim, s, o, err);
    if (rc == SS_OK) rc = sim_build(sim, checkpoint, err);
    if (rc == SS_OK && sim->world.day >= sim->world.p->days)
        rc = err_msg(err, SS_EINPUT,
                     "the checkpoint is of day %d, and the scenario ends on day %d: nothing is "
                     "left to run",
                     sim->world.day, sim->world.p->days);
    if (rc != SS_OK) {
        sim_free(sim);
        return rc;
    }
    sim->run.fork_day = sim->world.day;
    snprintf(sim->run.fork_from, sizeof sim->run.fork_from, "%s", checkpoint);
    *out = sim;
    return SS_OK;
}

/* The folder of a file path, into buf. */
static void ckpt_folder(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, size, ".");
    else
        snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

int sim_copy_base(struct sim *sim, struct ss_error *err)
{
    const struct run *run = &sim->run;
    struct mem m = {0};
    struct ckpt_meta meta;
    int rc = ckpt_read_meta(run->fork_from, &meta, &m, err);
    if (rc != SS_OK) return rc;
    char dir[MAX_PATH], db[MAX_PATH + 64];
    ckpt_folder(run->fork_from, dir, sizeof dir);
    /* the base's results: finished, or still partial */
    snprintf(db, sizeof db, "%s/" STORE_DB_NAME, dir);
    if (access(db, R_OK) != 0) snprintf(db, sizeof db, "%s/" STORE_PARTIAL_NAME, dir);
    rc = out_copy_days(&sim->run.out, db, meta.day, err);
    ckpt_meta_free(&meta, &m);
    return rc;
}
