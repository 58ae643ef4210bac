/*
 * runner_children.c - the child processes of a sweep or comparison: each run
 * a real `scoresim run` (fork and exec, armed to die with the sweep), up to
 * `jobs` at once, polled, and merged into the experiment database when it
 * ends (a failure logged with the last line of its log); progress and time
 * left; on a stop request, SIGTERM to every child, SIGKILL after a short
 * grace, and every child reaped before returning. Apart from the folder
 * and the entry points (runner.c) because this is the part that deals with
 * processes and signals.
 */

#define _GNU_SOURCE /* Linux's process calls: pipe2, gettid (for prctl, below) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/sys.h"
#include "core/text.h"
#include "experiment/experiment.h"
#include "experiment/runner_internal.h"
#include "io/store.h"
#include "run/sim.h"
#include "scenario/params.h"

extern char **environ; /* POSIX: the environment, passed to every run */

/* Seconds to wait for runs told to stop (SIGTERM: they stop at their next
 * check, within moments) before killing them. Short: an interrupted
 * command is ended within 3 s (main.c's alarm), and the sweep is to have
 * reaped its runs by then, not to leave them behind. */
#define EXP_STOP_GRACE 1.0
/* Poll interval for finished runs, in nanoseconds. */
#define EXP_POLL_NS 10000000L

/* The last non-blank line of a file, at most size - 1 bytes of it. */
static void last_line(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) return;
    char tail[4096];
    long len = 0;
    if (fseek(f, 0, SEEK_END) == 0) len = ftell(f);
    long from = len > (long)sizeof tail - 1 ? len - (long)sizeof tail + 1 : 0;
    size_t k = 0;
    if (len > 0 && fseek(f, from, SEEK_SET) == 0) k = fread(tail, 1, sizeof tail - 1, f);
    fclose(f);
    tail[k] = '\0';
    /* A progress bar's carriage returns count as line ends. */
    while (k > 0 && (tail[k - 1] == '\n' || tail[k - 1] == '\r' || tail[k - 1] == ' ')) k--;
    tail[k] = '\0';
    size_t s = k;
    while (s > 0 && tail[s - 1] != '\n' && tail[s - 1] != '\r') s--;
    size_t keep = k - s < size - 1 ? k - s : size - 1;
    memcpy(buf, tail + s, keep);
    buf[keep] = '\0';
}

/* In the child, between fork and exec: only async-signal-safe calls (the
 * parent may have other threads). Reports an errno on `report` and ends
 * the child if anything fails; never returns. */
static void child_exec(const char *bin, char *const *argv, const char *log, pid_t parent,
                       int report)
{
    /* Default dispositions and nothing blocked, whatever the parent had (a
     * run installs its own SIGINT and SIGTERM handlers after exec), and
     * before the death signal is armed, so that it kills even here. */
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    const int sigs[] = {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGALRM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* SIGTERM, not SIGKILL, when the sweep dies: a run told to stop ends
     * within moments on its own (exit 130, nothing complete-looking left)
     * and tidies its folder as it goes, where SIGKILL would leave a
     * half-written one for the next invocation to clean; a run cannot
     * ignore it (the handler only asks it to stop). The signal survives
     * exec (the binary is not set-user-ID). */
    int e = 0;
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) e = errno;
    /* The sweep may have died before prctl: then nothing would ever fire,
     * and the child would run on as an orphan. */
    if (!e && getppid() != parent) _exit(127);
    int fd = e ? -1 : open("/dev/null", O_RDWR);
    if (!e && (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0)) e = errno;
    if (fd > 1) close(fd);
    fd = e ? -1 : open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (!e && (fd < 0 || dup2(fd, 2) < 0)) e = errno;
    if (fd > 2) close(fd);
    if (!e) execve(bin, argv, environ);
    if (!e) e = errno;
    /* one write of an int to a pipe is atomic; nothing to do if it fails */
    ssize_t ignored = write(report, &e, sizeof e);
    (void)ignored;
    _exit(127);
}

/* Start bin with argv as a child that dies with us: stdin and stdout on
 * /dev/null, stderr into log, default signal handling and nothing
 * blocked. Returns 0 or the errno of what failed (exec's included).
 *
 * Not posix_spawn: the child must arm PR_SET_PDEATHSIG before exec, so
 * that a sweep killed outright (kill -9, the OOM killer) takes its runs
 * with it instead of leaving them to run on, reparented to init. That
 * signal fires when the *thread* that forked ends, not the process: this
 * must be called from the main thread, which lives as long as the
 * process (the runner's loop runs there; it starts no threads). */
static int start_child(const char *bin, char *const *argv, const char *log, pid_t *pid)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) return errno;
    const pid_t parent = getpid();
    const pid_t p = fork();
    if (p < 0) {
        int e = errno;
        close(pfd[0]);
        close(pfd[1]);
        return e;
    }
    if (p == 0) {
        close(pfd[0]);
        child_exec(bin, argv, log, parent, pfd[1]);
    }
    close(pfd[1]);
    /* The pipe closes on a successful exec (O_CLOEXEC): end of file then,
     * an errno if the child failed before it. */
    int e = 0;
    ssize_t n;
    do n = read(pfd[0], &e, sizeof e);
    while (n < 0 && errno == EINTR);
    close(pfd[0]);
    if (n == (ssize_t)sizeof e && e) {
        int status;
        while (waitpid(p, &status, 0) < 0 && errno == EINTR) {
        }
        return e;
    }
    *pid = p;
    return 0;
}

/* Start `scoresim run` for one run: the point's scenario file, the sets,
 * the point's values and the replicate's seed as --set overrides (checked
 * the same way as in the plan), its own folder, stdout to /dev/null and
 * stderr to the folder's stderr.log. A shared history (run < 0) is A's
 * run to the fork day with a checkpoint there; a forked run goes on from
 * its replicate's history, to its own last day. */
static int spawn_run(struct exp_ctx *x, struct exp_child *c, int run, struct ss_error *err)
{
    const struct exp_plan *pl = x->pl;
    struct mem m = {0};
    const int base = run < 0, rep = base ? -1 - run : run % pl->replicates;
    const int point = base ? 0 : run / pl->replicates;
    char dir[MAX_PATH + 32], log[MAX_PATH + 64], seed[48], threads[16], days[32], every[16];
    char from[MAX_PATH + 64];
    runner_run_dir(x, run, dir, sizeof dir);
    runner_log_path(dir, log, sizeof log);
    snprintf(seed, sizeof seed, "seed=%llu",
             (unsigned long long)pl->base_seed + (unsigned long long)rep);
    snprintf(threads, sizeof threads, "%d", x->threads);
    /* only a fork sets days, and only a compare forks: pl->days holds its
     * two points' (a sweep's point may be any) */
    days[0] = '\0';
    if (pl->fork_day) snprintf(days, sizeof days, "days=%d", base ? pl->fork_day : pl->days[point]);
    snprintf(every, sizeof every, "%d", pl->fork_day);
    runner_base_checkpoint(x, rep, from, sizeof from);
    runner_remove_run_dir(dir); /* what a killed earlier attempt left */
    /* the run publishes its folder itself (whole or absent); its log is
     * beside it until it ends */
    char parent[MAX_PATH + 32];
    snprintf(parent, sizeof parent, "%.*s", (int)(strrchr(dir, '/') - dir), dir);
    int rc = store_mkdirs(parent, err);
    if (rc) return rc;

    size_t n_args = 16 + 2 * ((size_t)pl->n_sets + (size_t)pl->n_sets_b + (size_t)pl->n_axes + 1);
    char **argv = mem_calloc(&m, n_args, sizeof *argv);
    char **kv = mem_calloc(&m, (size_t)pl->n_axes + 1, sizeof *kv);
    if (!argv || !kv) {
        mem_free(&m, argv);
        mem_free(&m, kv);
        return err_nomem(err, "starting a run");
    }
    size_t k = 0;
    const char *file = pl->file[pl->kind == EXP_COMPARE ? point : 0];
    argv[k++] = (char *)x->o->scoresim;
    argv[k++] = "run";
    if (file) argv[k++] = (char *)file;
    for (int i = 0; i < pl->n_sets; i++) argv[k++] = "--set", argv[k++] = (char *)pl->sets[i];
    for (int i = 0; point == 1 && i < pl->n_sets_b; i++)
        argv[k++] = "--set", argv[k++] = (char *)pl->sets_b[i];
    for (int a = 0; a < pl->n_axes && rc == SS_OK; a++) {
        if (!(kv[a] = exp_point_set(&m, pl, point, a, err))) rc = SS_ENOMEM;
        argv[k++] = "--set", argv[k++] = kv[a];
    }
    argv[k++] = "--set", argv[k++] = seed;
    if (pl->fork_day) argv[k++] = "--set", argv[k++] = days;
    if (base) argv[k++] = "--checkpoint-every", argv[k++] = every;
    if (pl->fork_day && !base) argv[k++] = "--from", argv[k++] = from;
    argv[k++] = "--out", argv[k++] = dir;
    argv[k++] = "--threads", argv[k++] = threads;
    argv[k++] = "--quiet";
    argv[k] = NULL;

    int e = rc == SS_OK ? start_child(x->o->scoresim, argv, log, &c->pid) : 0;
    if (rc == SS_OK && e) {
        c->pid = 0;
        rc = err_msg(err, SS_EIO, "cannot start %s: %s", x->o->scoresim, strerror(e));
    }
    if (rc != SS_OK) runner_remove_run_dir(dir);
    if (rc == SS_OK) {
        c->run = run;
        c->started = sys_now();
    }
    for (int a = 0; a < pl->n_axes; a++) mem_free(&m, kv[a]);
    mem_free(&m, kv);
    mem_free(&m, argv);
    return rc;
}

void runner_log_line(const struct exp_options *o, const char *fmt, ...)
{
    if (!o->log) return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(o->log, fmt, ap);
    va_end(ap);
    fputc('\n', o->log);
    fflush(o->log);
}

/* "about M:SS left" for the runs not finished yet, from the pace so far,
 * into buf. */
static void time_left(const struct exp_ctx *x, char *buf, size_t size)
{
    int left = x->n_todo - x->n_finished;
    double t = sys_now() - x->started;
    if (left <= 0)
        snprintf(buf, size, "none left");
    else if (x->n_finished == 0)
        snprintf(buf, size, "%d left, time left not known yet", left);
    else {
        int s = (int)(t / x->n_finished * left + 0.5);
        snprintf(buf, size, "%d left, about %d:%02d", left, s / 60, s % 60);
    }
}

/* A child ended with wait status `status`. A successful run is merged; a
 * failed one (or one whose results cannot be merged) is recorded with the
 * last line of its stderr, its folder kept for its log; only a failure to
 * record that is the experiment's, returned. While stopping, a run that did
 * not succeed was stopped by us: nothing is recorded, its folder removed. */
/* Why a child that ended with `status` did not succeed, from its exit and
 * the last line of its stderr.log, into why. */
static void child_failure(const struct exp_ctx *x, int run, int status, char *why, size_t size)
{
    char dir[MAX_PATH + 32], path[MAX_PATH + 64], line[800];
    runner_run_dir(x, run, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/stderr.log", dir);
    last_line(path, line, sizeof line);
    if (WIFSIGNALED(status))
        snprintf(why, size, "killed by signal %d (%s)%s%s", WTERMSIG(status),
                 strsignal(WTERMSIG(status)), line[0] ? ": " : "", line);
    else if (line[0])
        snprintf(why, size, "%s (exit status %d)", line, WEXITSTATUS(status));
    else
        snprintf(why, size, "exit status %d, no message", WEXITSTATUS(status));
}

/* A shared history ended. Its checkpoint is what its seed's runs need; a
 * history that failed (not one we stopped) fails both of them, recorded
 * with its reason. */
static int reap_base(struct exp_ctx *x, struct exp_child *c, int status, int stopping,
                     struct ss_error *err)
{
    const struct exp_plan *pl = x->pl;
    int rep = -1 - c->run;
    double wall = sys_now() - c->started;
    char path[MAX_PATH + 64], why[1200] = "", msg[1400], dir[MAX_PATH + 32];
    c->pid = 0;
    runner_run_dir(x, c->run, dir, sizeof dir);
    if (!stopping) runner_keep_log(dir);
    runner_base_checkpoint(x, rep, path, sizeof path);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (access(path, R_OK) == 0) {
            x->base_ok[rep] = 1;
            if (x->o->progress) {
                runner_log_line(
                    x->o, "shared history of replicate %d, seed %llu, to day %d done (%.1f s)", rep,
                    (unsigned long long)pl->base_seed + (unsigned long long)rep, pl->fork_day,
                    wall);
                x->last_line = sys_now();
            }
            return SS_OK;
        }
        snprintf(why, sizeof why, "exited 0 without writing %s", path);
    } else if (stopping) {
        return SS_OK;
    } else {
        child_failure(x, c->run, status, why, sizeof why);
    }
    x->base_failed[rep] = 1;
    snprintf(msg, sizeof msg, "its shared history to day %d failed (log in %s/bases/%d/): %s",
             pl->fork_day, x->dir, rep, why);
    int rc = SS_OK;
    for (int p = 0; p < pl->n_points && rc == SS_OK; p++) {
        int run = p * pl->replicates + rep;
        if (x->done[run]) continue;
        rc = exp_db_fail(x->db, pl, run, msg, wall, err);
        x->n_finished++;
    }
    if (x->o->progress) {
        runner_log_line(x->o, "FAILED: the shared history of replicate %d: %s", rep, why);
        x->last_line = sys_now();
    }
    return rc;
}

static int reap(struct exp_ctx *x, struct exp_child *c, int status, int stopping,
                struct ss_error *err)
{
    if (c->run < 0) return reap_base(x, c, status, stopping, err);
    const struct exp_plan *pl = x->pl;
    int run = c->run, point = run / pl->replicates, rep = run % pl->replicates;
    unsigned long long seed = (unsigned long long)exp_run_seed(pl, run);
    double wall = sys_now() - c->started;
    char dir[MAX_PATH + 32], path[MAX_PATH + 64], why[1200] = "";
    c->pid = 0;
    runner_run_dir(x, run, dir, sizeof dir);
    if (!stopping) runner_keep_log(dir);
    snprintf(path, sizeof path, "%s/" STORE_DB_NAME, dir);
    struct stat st;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (stat(path, &st) != 0)
            snprintf(why, sizeof why, "exited 0 without writing %s", STORE_DB_NAME);
        else if (exp_db_merge(x->db, pl, run, path, err) != SS_OK)
            snprintf(why, sizeof why, "its results could not be merged: %s", err->msg);
        if (!why[0]) {
            x->done[run] = 1;
            if (!x->o->keep_runs) runner_remove_run_dir(dir);
            x->n_finished++;
            if (x->o->progress) {
                char left[64];
                time_left(x, left, sizeof left);
                runner_log_line(x->o, "[%d/%d] done: %s, replicate %d, seed %llu (%.1f s); %s",
                                x->n_finished, x->n_todo, pl->label[point], rep, seed, wall, left);
                x->last_line = sys_now();
            }
            return SS_OK;
        }
    } else if (stopping) {
        runner_remove_run_dir(dir);
        return SS_OK;
    } else {
        child_failure(x, run, status, why, sizeof why);
    }
    int rc = exp_db_fail(x->db, pl, run, why, wall, err);
    x->n_finished++;
    if (x->o->progress) {
        char left[64];
        time_left(x, left, sizeof left);
        runner_log_line(x->o, "[%d/%d] FAILED: %s, replicate %d, seed %llu: %s; %s", x->n_finished,
                        x->n_todo, pl->label[point], rep, seed, why, left);
        x->last_line = sys_now();
    }
    return rc;
}

static void signal_all(struct exp_ctx *x, int sig)
{
    for (int j = 0; j < x->jobs; j++)
        if (x->child[j].pid > 0) kill(x->child[j].pid, sig);
}

/* The k-th task of the phase as a run id (a shared history: -1 - its
 * replicate), or INT_MIN when it has nothing left to do. */
static int task(const struct exp_ctx *x, int k)
{
    const struct exp_plan *pl = x->pl;
    if (x->phase == 0) {
        int left = 0;
        for (int p = 0; p < pl->n_points; p++) left |= !x->done[p * pl->replicates + k];
        return left && !x->base_ok[k] ? -1 - k : INT_MIN;
    }
    if (x->done[k] || (pl->fork_day && !x->base_ok[k % pl->replicates])) return INT_MIN;
    return k;
}

/* Run every task of the phase not yet done (phase 1: every run; 0: the
 * shared histories they need), `jobs` at a time, until all have finished
 * or the caller cancels or the experiment fails. Returns SS_OK, SS_EINTR,
 * or the first error (children are then stopped and awaited). */
int runner_run_all(struct exp_ctx *x, struct ss_error *err)
{
    /* start_child ties each child's life to this thread's */
    if ((pid_t)syscall(SYS_gettid) != getpid())
        return err_msg(err, SS_EINTERNAL,
                       "a sweep's runs must be started from the process's main thread");
    const struct exp_plan *pl = x->pl;
    const int n_tasks = x->phase ? pl->n_runs : pl->replicates;
    int next = 0, running = 0, stopping = 0, killed = 0, rc = SS_OK;
    double stop_at = 0;
    struct ss_error later; /* errors after the first */
    for (;;) {
        if (!stopping && x->o->cancel && *x->o->cancel) {
            stopping = 1;
            rc = SS_EINTR;
        }
        while (!stopping && next < n_tasks && running < x->jobs) {
            const int run = task(x, next);
            if (run == INT_MIN) {
                next++;
                continue;
            }
            struct exp_child *c = NULL;
            for (int j = 0; j < x->jobs && !c; j++)
                if (x->child[j].pid == 0) c = &x->child[j];
            if (!c) break;
            if (!x->started) x->started = x->last_line = sys_now();
            int r = spawn_run(x, c, run, err);
            if (r) {
                rc = r;
                stopping = 1;
                break;
            }
            if (x->o->progress && x->o->progress_every == 0 && run >= 0) {
                runner_log_line(x->o, "started: %s, replicate %d, seed %llu",
                                pl->label[run / pl->replicates], run % pl->replicates,
                                (unsigned long long)exp_run_seed(pl, run));
                x->last_line = sys_now();
            } else if (x->o->progress && x->o->progress_every == 0) {
                runner_log_line(x->o, "started: the shared history of replicate %d, to day %d",
                                -1 - run, pl->fork_day);
                x->last_line = sys_now();
            }
            next++;
            running++;
        }
        /* Off a terminal, a status line when none was written for a while:
         * a log file shows the sweep is alive. */
        if (x->o->progress && x->o->progress_every > 0 && !stopping && x->started > 0 &&
            sys_now() - x->last_line >= x->o->progress_every) {
            char left[64];
            time_left(x, left, sizeof left);
            int s = (int)(sys_now() - x->started);
            runner_log_line(x->o, "%d of %d runs finished, %d running, %d:%02d so far; %s",
                            x->n_finished, x->n_todo, running, s / 60, s % 60, left);
            x->last_line = sys_now();
        }
        if (stopping && stop_at == 0) {
            stop_at = sys_now();
            signal_all(x, SIGTERM);
        }
        if (running == 0 && (stopping || next >= n_tasks)) break;

        int reaped = 0;
        for (int j = 0; j < x->jobs; j++) {
            struct exp_child *c = &x->child[j];
            if (c->pid <= 0) continue;
            int status = 0;
            pid_t w = waitpid(c->pid, &status, WNOHANG);
            if (w == 0 || (w < 0 && errno == EINTR)) continue;
            running--;
            reaped++;
            int r;
            if (w < 0) {
                r = err_msg(stopping ? &later : err, SS_EINTERNAL, "lost run %d: waitpid: %s",
                            c->run, strerror(errno));
                c->pid = 0;
            } else {
                /* A Ctrl-C reaches the runs too, and one may end before
                 * this loop has seen the flag: it was stopped, not failed. */
                int stopped = stopping || (x->o->cancel && *x->o->cancel);
                r = reap(x, c, status, stopped, stopping ? &later : err);
            }
            if (r && !stopping) {
                rc = r;
                stopping = 1;
                stop_at = sys_now();
                signal_all(x, SIGTERM);
            }
        }
        if (stopping && !killed && sys_now() - stop_at > EXP_STOP_GRACE) {
            signal_all(x, SIGKILL);
            killed = 1;
        }
        if (!reaped) {
            struct timespec ts = {0, EXP_POLL_NS};
            nanosleep(&ts, NULL);
        }
    }
    return rc;
}
