/*
 * runner.c - running a planned sweep or comparison (see experiment.h):
 * the results folder and its lock, the child processes, and what is
 * recorded when each ends.
 *
 * Each run is a real `scoresim run` child process, so a crash or an
 * out-of-memory in one run is that run's failure, never the sweep's. The
 * parent starts up to `jobs` children, polls them, and merges each finished
 * run into the experiment database in one transaction (experiment_db.c):
 * that database is the record of completion, so a sweep run again into the
 * same folder skips what is done and retries what failed.
 *
 * A comparison forked on day D (--fork-day) first runs, for each seed, A's
 * shared history to day D with a checkpoint there (out_dir/bases/<r>/);
 * then both A and B of that seed go on from it (`run --from`), so that
 * they differ only by what happens after D. A history that fails fails its
 * seed's two runs.
 *
 * This file holds the results folder (choosing it, its lock, tidying it)
 * and the entry points; the child processes are in runner_children.c
 * (runner_internal.h is what they share).
 */
#include "experiment/experiment.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "core/sys.h"
#include "io/stage.h"
#include "io/store.h"
#include "core/error.h"
#include "core/text.h"
#include "experiment/runner_internal.h"
#include "run/sim.h"
#include "scenario/params.h"

/* ---- files ------------------------------------------------------------ */

/* Delete the files in dir (a run's folder holds no subfolders), then dir.
 * A folder that is not there is fine. */
void runner_log_path(const char *dir, char *buf, size_t size)
{
    snprintf(buf, size, "%s.stderr.log", dir);
}

void runner_keep_log(const char *dir)
{
    char log[MAX_PATH + 64], kept[MAX_PATH + 64];
    runner_log_path(dir, log, sizeof log);
    snprintf(kept, sizeof kept, "%s/stderr.log", dir);
    if (access(log, F_OK) != 0) return;
    mkdir(dir, 0777); /* a failed run publishes no folder */
    rename(log, kept);
}

void runner_remove_run_dir(const char *dir)
{
    char path[MAX_PATH + 300];
    long pid;
    runner_log_path(dir, path, sizeof path);
    unlink(path);
    struct ss_error ignored = {0};
    if (stage_probe(dir, &pid) != STAGE_BUSY &&
        stage_path(dir, path, sizeof path, &ignored) == SS_OK)
        stage_remove_tree(path);
    DIR *d = opendir(dir);
    if (!d) return;
    const struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* ---- paths ------------------------------------------------------------ */

void runner_run_dir(const struct exp_ctx *x, int run, char *buf, size_t size)
{
    if (run < 0)
        snprintf(buf, size, "%s/bases/%d", x->dir, -1 - run);
    else
        snprintf(buf, size, "%s/runs/%d", x->dir, run);
}

/* The checkpoint of day fork_day of replicate rep's shared history. */
void runner_base_checkpoint(const struct exp_ctx *x, int rep, char *buf, size_t size)
{
    char dir[MAX_PATH + 32];
    runner_run_dir(x, -1 - rep, dir, sizeof dir);
    sim_checkpoint_path(buf, size, dir, x->pl->fork_day);
}

/* ---- the folder --------------------------------------------------------- */

/* Whether folder dir can take this experiment: *fresh 0 to go on with
 * its own (an interrupted one in the staging folder, or published results
 * to extend), 1 to start anew (nothing there, or with force other
 * results). SS_EINPUT saying why not otherwise. */
static int dir_state(const char *dir, const struct exp_plan *pl, int force, int *fresh,
                     struct ss_error *err)
{
    char stage[MAX_PATH], path[MAX_PATH + 32], found[64];
    long pid;
    *fresh = 1;
    int rc = stage_path(dir, stage, sizeof stage, err);
    if (rc != SS_OK) return rc;
    switch (stage_probe(dir, &pid)) {
    case STAGE_BUSY:
        return err_msg(err, SS_EINPUT, "%s is being written by another scoresim (process %ld)", dir,
                       pid);
    case STAGE_INTERRUPTED:
        /* an interrupted experiment: this one's goes on, another's only
         * goes with force */
        snprintf(path, sizeof path, "%s/" STORE_DB_NAME, stage);
        if (access(path, F_OK) == 0 && exp_db_check(path, pl, err) == SS_OK) {
            *fresh = 0;
            return SS_OK;
        }
        err_clear(err);
        if (!force)
            return err_msg(err, SS_EINPUT,
                           "%s holds another interrupted run or experiment (in %s): use another "
                           "--out folder, or add --force to replace it",
                           dir, stage);
        break;
    default:
        break;
    }
    if (!store_holds_results(dir, found, sizeof found)) return stage_target_ok(dir, 0, err);
    snprintf(path, sizeof path, "%s/" STORE_DB_NAME, dir);
    rc = access(path, F_OK) == 0 ? exp_db_check(path, pl, err)
                                 : err_msg(err, SS_EINPUT,
                                           "%s holds other results (%s): use another --out "
                                           "folder, or add --force to replace them",
                                           dir, found);
    if (rc == SS_OK) {
        *fresh = 0; /* this experiment's, published: extended */
        return SS_OK;
    }
    if (rc == SS_EINPUT && force) {
        err_clear(err);
        return stage_target_ok(dir, 1, err);
    }
    return rc;
}

/* A default folder is usable when it is free, or holds this experiment's
 * results (to resume or extend). */
static int dir_usable(const char *dir, void *ud)
{
    int fresh;
    struct ss_error ignored = {0};
    return dir_state(dir, ud, 0, &fresh, &ignored) == SS_OK;
}

/* The results folder into x->target: o->out_dir, or the default
 * results/sweep-<name>_<varied keys>[_<overrides>] (compare:
 * results/compare-<a>-vs-<b>[_<overrides>]), or the first of its numbered
 * siblings that is free or holds this experiment's. A given folder that
 * holds other results is refused, naming them, before anything is
 * written, unless force. *fresh: see dir_state. */
static int choose_dir(struct exp_ctx *x, int *fresh, struct ss_error *err)
{
    const struct exp_options *o = x->o;
    const struct exp_plan *pl = x->pl;
    if (!o->out_dir) {
        char sets[128], base[MAX_PATH];
        text_sets_name(sets, sizeof sets, o->sets, o->n_sets, "seed");
        snprintf(base, sizeof base, "results/%.600s%s%s", pl->stem, sets[0] ? "_" : "", sets);
        int rc = store_pick_dir(base, x->target, sizeof x->target, dir_usable, (void *)pl, err);
        return rc == SS_OK ? dir_state(x->target, pl, 0, fresh, err) : rc;
    }
    snprintf(x->target, sizeof x->target, "%s", o->out_dir);
    size_t n = strlen(x->target);
    while (n > 1 && x->target[n - 1] == '/') x->target[--n] = '\0';
    return dir_state(x->target, pl, o->force, fresh, err);
}

/* The folders of kept runs (--keep-runs, failed runs' logs) follow their
 * runs' new numbers when an experiment is extended: highest first, as no
 * number goes down. */
static void renumber_run_dirs(const struct exp_ctx *x)
{
    const struct exp_plan *pl = x->pl;
    int from = pl->replicates_before;
    if (from <= 0 || from >= pl->replicates) return;
    for (int r = pl->n_points * from - 1; r >= 0; r--) {
        char old[MAX_PATH + 32], new[MAX_PATH + 32];
        runner_run_dir(x, r, old, sizeof old);
        runner_run_dir(x, (r / from) * pl->replicates + r % from, new, sizeof new);
        if (access(old, F_OK) == 0) rename(old, new);
    }
}

/* "1 point" or "3 points". */
/* The shared histories every run of their seed is done with go, unless
 * the runs are kept; a failed history stays for its log. */
static void remove_bases(const struct exp_ctx *x)
{
    const struct exp_plan *pl = x->pl;
    if (!pl->fork_day || x->o->keep_runs || !x->done) return;
    for (int r = 0; r < pl->replicates; r++) {
        int all = !x->base_failed[r];
        for (int p = 0; p < pl->n_points; p++) all &= x->done[p * pl->replicates + r];
        char dir[MAX_PATH + 32];
        runner_run_dir(x, -1 - r, dir, sizeof dir);
        if (all) runner_remove_run_dir(dir);
    }
    char bases[MAX_PATH + 8];
    snprintf(bases, sizeof bases, "%s/bases", x->dir);
    rmdir(bases); /* only if empty */
}

static const char *plural(int n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

int exp_execute(const struct exp_options *o, struct exp_plan *pl, exp_finish_fn finish, void *ud,
                struct ss_error *err)
{
    struct exp_ctx x = {.o = o, .pl = pl, .stage = {.fd = -1}};
    struct mem m = {0};
    int fresh = 0, publish = 0;
    struct ss_error perr = {0};
    if (!o->scoresim || access(o->scoresim, X_OK) != 0)
        return err_msg(err, SS_EIO, "cannot run the scoresim binary '%s': %s",
                       o->scoresim ? o->scoresim : "(none given)",
                       o->scoresim ? strerror(errno) : "exp_options.scoresim is NULL");
    if (o->jobs < 0 || o->threads < 0)
        return err_msg(err, SS_EINPUT, "--jobs and --threads must not be negative");
    int rc = choose_dir(&x, &fresh, err);
    if (rc != SS_OK) return rc;
    if (strlen(x.target) + 60 >= sizeof x.target)
        return err_msg(err, SS_EINPUT, "results folder path too long: %s", x.target);
    /* Everything is written in the staging folder (an interrupted one goes
     * on, published results come back to be extended) and published whole
     * at the end. */
    rc = stage_open(&x.stage, x.target, STAGE_RESUMABLE, fresh, err);
    if (rc != SS_OK) {
        stage_keep(&x.stage);
        return rc;
    }
    snprintf(x.dir, sizeof x.dir, "%s", x.stage.dir);
    snprintf(x.db_path, sizeof x.db_path, "%s/" STORE_DB_NAME, x.dir);
    rc = exp_db_open(&x.db, x.db_path, pl, err);
    if (rc != SS_OK) goto done;
    renumber_run_dirs(&x);
    x.jobs = o->jobs ? o->jobs : 1;
    if (x.jobs > pl->n_runs) x.jobs = pl->n_runs;
    x.threads = o->threads ? o->threads : omp_get_num_procs() / x.jobs;
    if (x.threads < 1) x.threads = 1;
    x.done = mem_calloc(&m, (size_t)pl->n_runs, 1);
    x.child = mem_calloc(&m, (size_t)x.jobs, sizeof *x.child);
    x.base_ok = mem_calloc(&m, (size_t)pl->replicates, 1);
    x.base_failed = mem_calloc(&m, (size_t)pl->replicates, 1);
    if (!x.done || !x.child || !x.base_ok || !x.base_failed) {
        rc = err_nomem(err, "starting the runs");
        goto done;
    }
    rc = exp_db_done(x.db, pl, x.done, err);
    if (rc != SS_OK) goto done;
    for (int r = 0; r < pl->n_runs; r++) x.n_todo += !x.done[r];

    if (pl->fork_day) {
        /* the histories an earlier invocation finished are there to use */
        for (int r = 0; r < pl->replicates; r++) {
            char ck[MAX_PATH + 64];
            runner_base_checkpoint(&x, r, ck, sizeof ck);
            x.base_ok[r] = access(ck, R_OK) == 0;
        }
        x.phase = 0;
        rc = runner_run_all(&x, err);
    }
    x.phase = 1;
    if (rc == SS_OK) rc = runner_run_all(&x, err);
    if (rc != SS_OK && rc != SS_EINTR) goto done;

    int n_done = 0;
    for (int r = 0; r < pl->n_runs; r++) n_done += x.done[r];
    /* An interrupted experiment is not published: its summaries would be
     * rebuilt by the invocation that completes it, and building them now
     * could outlast the grace an interrupted command has (cli/main.c). */
    int frc = rc == SS_EINTR ? SS_OK : exp_db_finish(x.db, pl, x.dir, n_done == pl->n_runs, err);
    if (frc == SS_OK && finish && rc != SS_EINTR)
        frc = finish(x.db, pl, x.dir, n_done == pl->n_runs, ud, err);
    if (frc != SS_OK) {
        rc = frc;
        goto done;
    }
    /* What failed and why, from the record (a failure of an earlier
     * invocation that this one did not reach is listed too). */
    int n_failed = 0;
    for (int r = 0; r < pl->n_runs; r++) {
        if (x.done[r]) continue;
        char why[1100];
        int got = 0;
        frc = exp_db_run_error(x.db, r, why, sizeof why, &got, err);
        if (frc != SS_OK) {
            rc = frc;
            goto done;
        }
        if (!got) continue;
        n_failed++;
        runner_log_line(o, "run %d failed (%s, replicate %d, seed %llu; log in %s/runs/%d/): %s", r,
                        pl->label[r / pl->replicates], r % pl->replicates,
                        (unsigned long long)exp_run_seed(pl, r), n_done > 0 ? x.target : x.dir, r,
                        why);
    }
    if (o->info)
        fprintf(o->info,
                "%s '%s': %d of %d %s done (%d %s x %d %s); results in %s/" STORE_DB_NAME "\n",
                exp_kind_name(pl->kind), pl->name, n_done, pl->n_runs,
                plural(pl->n_runs, "run", "runs"), pl->n_points,
                plural(pl->n_points, "point", "points"), pl->replicates,
                plural(pl->replicates, "replicate", "replicates"), x.target);
    /* The folder goes back to a caller that took the default. */
    if (o->out_used) snprintf(o->out_used, o->out_used_size, "%s", x.target);
    if (rc == SS_EINTR)
        err_msg(err, SS_EINTR, "interrupted: %d of %d runs done; the same command resumes the rest",
                n_done, pl->n_runs);
    else if (n_failed)
        rc = err_msg(err, EXP_ERUNS,
                     "%d of %d runs failed (listed above); the same command retries them", n_failed,
                     pl->n_runs);
    else if (n_done != pl->n_runs)
        rc = err_msg(err, SS_EINTERNAL, "%d of %d runs done, yet none failed", n_done, pl->n_runs);
    /* what completed is published, failures and all (the record says
     * which failed; the same command retries them); with no run done there
     * is nothing to show, and the record waits for the same command */
    publish = rc == SS_OK || (rc == EXP_ERUNS && n_done > 0);

done:
    exp_db_close(x.db);
    if (x.dir[0]) {
        char runs[MAX_PATH + 8];
        snprintf(runs, sizeof runs, "%s/runs", x.dir);
        rmdir(runs); /* only if empty: failed and kept runs stay */
        remove_bases(&x);
    }
    if (publish) {
        /* the report shows what completed, also when some runs failed */
        int prc = o->report ? rep_write(x.dir, &perr) : SS_OK;
        if (prc == SS_OK) prc = stage_publish(&x.stage, 1, &perr);
        if (prc != SS_OK) {
            *err = perr;
            rc = prc;
        }
    }
    stage_keep(&x.stage); /* unpublished: an interrupted experiment goes on later */
    mem_free(&m, x.done);
    mem_free(&m, x.child);
    mem_free(&m, x.base_ok);
    mem_free(&m, x.base_failed);
    return rc;
}

/* Plan with make_plan, then run the plan. */
static int plan_and_execute(const struct exp_options *o, struct ss_error *err,
                            int (*make_plan)(struct exp_plan **, const struct exp_options *,
                                             struct ss_error *))
{
    struct exp_plan *pl = NULL;
    int rc = make_plan(&pl, o, err);
    if (rc == SS_OK) rc = exp_execute(o, pl, NULL, NULL, err);
    exp_plan_free(pl);
    return rc;
}

int exp_sweep(const struct exp_options *o, struct ss_error *err)
{
    return plan_and_execute(o, err, exp_plan_sweep);
}

int exp_compare(const struct exp_options *o, struct ss_error *err)
{
    return plan_and_execute(o, err, exp_plan_compare);
}
