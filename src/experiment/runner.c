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
#include <sys/types.h>
#include <unistd.h>

#include "core/sys.h"
#include "io/store.h"
#include "core/error.h"
#include "core/text.h"
#include "experiment/runner_internal.h"
#include "run/sim.h"
#include "scenario/params.h"

/* ---- files ------------------------------------------------------------ */

/* Delete the files in dir (a run's folder holds no subfolders), then dir.
 * A folder that is not there is fine. */
void runner_remove_run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    const struct dirent *e;
    char path[MAX_PATH + 300];
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

/* Take an exclusive lock on dir/.lock for the life of the returned
 * descriptor: two sweeps in one folder would run the same runs. */
int exp_lock_dir(const char *dir, int *fd_out, struct ss_error *err)
{
    char path[MAX_PATH + 16];
    snprintf(path, sizeof path, "%s/.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return err_msg(err, SS_EIO, "cannot create %s: %s", path, strerror(errno));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        int e = errno;
        close(fd);
        if (e == EACCES || e == EAGAIN)
            return err_msg(err, SS_EINPUT, "another sweep or comparison is running in %s", dir);
        return err_msg(err, SS_EIO, "cannot lock %s: %s", path, strerror(e));
    }
    *fd_out = fd;
    return SS_OK;
}

/* A default folder is usable when it holds no results, or this
 * experiment's (to resume or extend). */
static int dir_usable(const char *dir, void *ud)
{
    const struct exp_plan *pl = ud;
    char found[64], path[MAX_PATH + 32];
    if (!store_holds_results(dir, found, sizeof found)) return 1;
    snprintf(path, sizeof path, "%s/" STORE_DB_NAME, dir);
    struct ss_error ignored = {0};
    return access(path, F_OK) == 0 && exp_db_check(path, pl, &ignored) == SS_OK;
}

/* The results folder into x->dir: o->out_dir, or the default
 * results/sweep-<name>_<varied keys>[_<overrides>] (compare:
 * results/compare-<a>-vs-<b>[_<overrides>]), or the first of its numbered
 * siblings that holds no results or this experiment's. A given folder
 * that holds other results is refused, naming them, before anything is
 * written, unless force (the caller then clears it). *clear is set when it
 * must be cleared. */
static int choose_dir(struct exp_ctx *x, int *clear, struct ss_error *err)
{
    const struct exp_options *o = x->o;
    const struct exp_plan *pl = x->pl;
    *clear = 0;
    if (!o->out_dir) {
        char sets[128], base[MAX_PATH];
        text_sets_name(sets, sizeof sets, o->sets, o->n_sets, "seed");
        snprintf(base, sizeof base, "results/%.600s%s%s", pl->stem, sets[0] ? "_" : "", sets);
        return store_pick_dir(base, x->dir, sizeof x->dir, dir_usable, (void *)pl, err);
    }
    snprintf(x->dir, sizeof x->dir, "%s", o->out_dir);
    size_t n = strlen(x->dir);
    while (n > 1 && x->dir[n - 1] == '/') x->dir[--n] = '\0';
    char found[64], path[MAX_PATH + 32];
    if (!store_holds_results(x->dir, found, sizeof found)) return SS_OK;
    snprintf(path, sizeof path, "%s/" STORE_DB_NAME, x->dir);
    int rc = access(path, F_OK) == 0
                 ? exp_db_check(path, pl, err)
                 : err_msg(err, SS_EINPUT,
                           "%s holds other results (%s): use another --out folder, or add "
                           "--force to replace them",
                           x->dir, found);
    if (rc == SS_EINPUT && o->force) {
        err_clear(err);
        *clear = 1;
        return SS_OK;
    }
    return rc;
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
    struct exp_ctx x = {.o = o, .pl = pl};
    struct mem m = {0};
    int lock = -1, clear = 0;
    if (!o->scoresim || access(o->scoresim, X_OK) != 0)
        return err_msg(err, SS_EIO, "cannot run the scoresim binary '%s': %s",
                       o->scoresim ? o->scoresim : "(none given)",
                       o->scoresim ? strerror(errno) : "exp_options.scoresim is NULL");
    if (o->jobs < 0 || o->threads < 0)
        return err_msg(err, SS_EINPUT, "--jobs and --threads must not be negative");
    int rc = choose_dir(&x, &clear, err);
    if (rc != SS_OK) return rc;
    if (strlen(x.dir) + 40 >= sizeof x.dir)
        return err_msg(err, SS_EINPUT, "results folder path too long: %s", x.dir);
    snprintf(x.db_path, sizeof x.db_path, "%s/" STORE_DB_NAME, x.dir);

    rc = store_mkdirs(x.dir, err);
    if (rc == SS_OK) rc = exp_lock_dir(x.dir, &lock, err);
    if (rc == SS_OK && clear) {
        const char *keep[] = {".lock", NULL}; /* ours, held */
        rc = store_clear_results(x.dir, keep, err);
    }
    if (rc == SS_OK) rc = exp_db_open(&x.db, x.db_path, pl, err);
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
    int frc = exp_db_finish(x.db, pl, x.dir, n_done == pl->n_runs, err);
    if (frc == SS_OK && finish) frc = finish(x.db, pl, x.dir, n_done == pl->n_runs, ud, err);
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
                        (unsigned long long)exp_run_seed(pl, r), x.dir, r, why);
    }
    if (o->info)
        fprintf(o->info, "%s '%s': %d of %d %s done (%d %s x %d %s); results in %s\n",
                exp_kind_name(pl->kind), pl->name, n_done, pl->n_runs,
                plural(pl->n_runs, "run", "runs"), pl->n_points,
                plural(pl->n_points, "point", "points"), pl->replicates,
                plural(pl->replicates, "replicate", "replicates"), x.db_path);
    /* The folder goes back to a caller that took the default (to write a
     * report there, say). */
    if (o->out_used) snprintf(o->out_used, o->out_used_size, "%s", x.dir);
    if (rc == SS_EINTR)
        err_msg(err, SS_EINTR, "interrupted: %d of %d runs done; the same command resumes the rest",
                n_done, pl->n_runs);
    else if (n_failed)
        rc = err_msg(err, EXP_ERUNS,
                     "%d of %d runs failed (listed above); the same command retries them", n_failed,
                     pl->n_runs);
    else if (n_done != pl->n_runs)
        rc = err_msg(err, SS_EINTERNAL, "%d of %d runs done, yet none failed", n_done, pl->n_runs);

done:
    exp_db_close(x.db);
    if (lock >= 0) close(lock);
    if (x.dir[0]) {
        char runs[MAX_PATH + 8];
        snprintf(runs, sizeof runs, "%s/runs", x.dir);
        rmdir(runs); /* only if empty: failed and kept runs stay */
        remove_bases(&x);
    }
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
