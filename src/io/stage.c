/*
 * stage.c - results folders that are whole or absent (see stage.h): the
 * staging folder beside a target, its lock, the sweep of what dead
 * processes left, the manifest, and the one rename that publishes.
 *
 * Why a folder and not a file at a time: a run writes results.sqlite, a
 * CSV per table and report.html. Renaming them one by one leaves moments
 * where a folder holds one run's database beside another run's report, and
 * a reader cannot tell. Renaming the folder is one step; replacing a folder
 * is one step too on Linux (renameat2 RENAME_EXCHANGE), the old one is
 * removed after.
 */
#define _GNU_SOURCE /* flock, renameat2, nftw */
#include "io/stage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sys.h"
#include "io/store.h"
#include "scoresim.h" /* SS_VERSION */

#define STAGE_LOCK ".lock"
#define STAGE_SIGN "scoresim-stage"

/* ---- paths ------------------------------------------------------------- */

/* Split target (trailing slashes dropped) into its parent folder and its
 * last component. 0 if it has no last component a folder can have. */
static int stage_split(const char *target, char *parent, size_t psize, char *base, size_t bsize)
{
    char t[1100];
    size_t n = strlen(target);
    if (n == 0 || n >= sizeof t) return 0;
    memcpy(t, target, n + 1);
    while (n > 1 && t[n - 1] == '/') t[--n] = '\0';
    const char *slash = strrchr(t, '/');
    const char *b = slash ? slash + 1 : t;
    if (!*b || !strcmp(b, ".") || !strcmp(b, "..")) return 0;
    if (strlen(b) + 1 > bsize) return 0;
    snprintf(base, bsize, "%s", b);
    if (!slash)
        snprintf(parent, psize, ".");
    else if (slash == t)
        snprintf(parent, psize, "/");
    else
        snprintf(parent, psize, "%.*s", (int)(slash - t), t);
    return 1;
}

int stage_path(const char *target, char *buf, size_t size, struct ss_error *err)
{
    char parent[1100], base[256];
    if (!stage_split(target, parent, sizeof parent, base, sizeof base))
        return err_msg(err, SS_EINPUT,
                       "'%s' cannot be a results folder: give the path of a folder to create "
                       "(results are written whole, then renamed into place)",
                       target);
    int k = snprintf(buf, size, "%s/.%s" STAGE_SUFFIX, parent, base);
    if (k < 0 || (size_t)k >= size)
        return err_msg(err, SS_EINPUT, "results folder path too long: %s", target);
    return SS_OK;
}

/* ---- removing ---------------------------------------------------------- */

static int stage_unlink_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)f;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 ? errno : 0;
}

int stage_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : errno;
    if (!S_ISDIR(st.st_mode)) return unlink(path) != 0 ? errno : 0;
    return nftw(path, stage_unlink_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the lock ---------------------------------------------------------- */

/* What the lock of the staging folder dir says: its state (enum
 * stage_state) and pid. */
static int stage_probe_dir(const char *dir, long *pid)
{
    char path[1200], text[128] = "";
    struct stat st;
    *pid = 0;
    if (lstat(dir, &st) != 0) return STAGE_NONE;
    if (!S_ISDIR(st.st_mode)) return STAGE_FOREIGN;
    snprintf(path, sizeof path, "%s/" STAGE_LOCK, dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return STAGE_FOREIGN;
    ssize_t got = read(fd, text, sizeof text - 1);
    text[got > 0 ? got : 0] = '\0';
    char *save = NULL, *end = NULL;
    const char *sign = strtok_r(text, " \n", &save);
    const char *num = strtok_r(NULL, " \n", &save);
    const char *kind = strtok_r(NULL, " \n", &save);
    if (num) *pid = strtol(num, &end, 10);
    if (!sign || !num || !kind || strcmp(sign, STAGE_SIGN) || *end) {
        *pid = 0;
        close(fd);
        return STAGE_FOREIGN;
    }
    int busy = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    close(fd);
    if (busy) return STAGE_BUSY;
    return !strcmp(kind, "resumable") ? STAGE_INTERRUPTED : STAGE_STALE;
}

int stage_probe(const char *target, long *pid)
{
    char dir[1200];
    struct ss_error ignored = {0};
    *pid = 0;
    if (stage_path(target, dir, sizeof dir, &ignored) != SS_OK) return STAGE_NONE;
    return stage_probe_dir(dir, pid);
}

/* Remove the staging folders in parent that dead processes left with
 * nothing to go on with: only folders named as ours, with our lock, of a
 * kind that cannot be resumed, whose lock nobody holds. */
static void stage_sweep_stale(const char *parent)
{
    DIR *d = opendir(parent);
    if (!d) return;
    const struct dirent *e;
    const size_t ls = strlen(STAGE_SUFFIX);
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        char dir[1400];
        long pid;
        snprintf(dir, sizeof dir, "%s/%s", parent, e->d_name);
        const char *old = e->d_name[0] == '.' ? strstr(e->d_name, ".old-") : NULL;
        if (!old && e->d_name[0] == '.') old = strstr(e->d_name, ".new-");
        if (old) {
            /* a replaced folder whose remover died (stage_publish), or a
             * new one whose maker died before naming it (stage_open) */
            char *end;
            pid = strtol(old + 5, &end, 10);
            if (!*end && pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH)
                stage_remove_tree(dir);
            continue;
        }
        if (e->d_name[0] != '.' || n <= ls + 1 || strcmp(e->d_name + n - ls, STAGE_SUFFIX))
            continue;
        if (stage_probe_dir(dir, &pid) == STAGE_STALE) stage_remove_tree(dir);
    }
    closedir(d);
}

/* Create the lock in dir (the staging folder, or what becomes it by a
 * rename), hold it, and say who we are. */
static int stage_lock(struct stage *s, const char *dir, struct ss_error *err)
{
    char path[1200], text[96];
    snprintf(path, sizeof path, "%s/" STAGE_LOCK, dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) return err_msg(err, SS_EIO, "cannot create %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return err_msg(err, SS_EINPUT, "%s is being written by another scoresim (in %s)",
                           s->target, s->dir);
        return err_msg(err, SS_EIO, "cannot lock %s: %s", path, strerror(e));
    }
    int k = snprintf(text, sizeof text, STAGE_SIGN " %ld %s\n", (long)getpid(),
                     s->kind == STAGE_RESUMABLE ? "resumable" : "once");
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)k, 0) != k) {
        int e = errno;
        close(fd);
        return err_msg(err, SS_EIO, "writing %s: %s", path, strerror(e));
    }
    s->fd = fd;
    return SS_OK;
}

/* ---- the target -------------------------------------------------------- */

/* A name a results folder of scoresim's holds (for a folder from before
 * manifests, which --force may replace only if it holds nothing else). */
static int stage_known_name(const char *n)
{
    static const char *const exact[] = {STORE_DB_NAME, "report.html",  "runs",      "bases",
                                        STAGE_LOCK,    STAGE_MANIFEST, "stderr.log"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (!strcmp(n, exact[i])) return 1;
    size_t len = strlen(n);
    return !strncmp(n, STORE_DB_NAME, strlen(STORE_DB_NAME)) ||
           !strncmp(n, "." STORE_DB_NAME, strlen(STORE_DB_NAME) + 1) || !strncmp(n, "wave-", 5) ||
           !strncmp(n, "checkpoint-", 11) || (len > 4 && !strcmp(n + len - 4, ".csv")) ||
           (n[0] == '.' && strstr(n, ".tmp-"));
}

/* Give up the lock just taken in dir, which did not become the staging
 * folder. */
static void stage_unlock_at(struct stage *s, const char *dir)
{
    char path[MAX_PATH + 64];
    snprintf(path, sizeof path, "%s/" STAGE_LOCK, dir);
    unlink(path);
    close(s->fd);
    s->fd = -1;
}

int stage_target_ok(const char *target, int replace, struct ss_error *err)
{
    char stage[MAX_PATH];
    int rc = stage_path(target, stage, sizeof stage, err);
    if (rc != SS_OK) return rc;
    struct stat st;
    if (lstat(target, &st) != 0) {
        if (errno == ENOENT) return SS_OK;
        return err_msg(err, SS_EINPUT, "cannot use %s as the results folder: %s", target,
                       strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return err_msg(err, SS_EINPUT,
                       "%s is a file, not a folder: give --out the path of a folder to create",
                       target);
    char path[1200], found[64] = "";
    snprintf(path, sizeof path, "%s/" STAGE_MANIFEST, target);
    int ours = access(path, F_OK) == 0 || store_holds_results(target, found, sizeof found);
    DIR *d = opendir(target);
    if (!d)
        return err_msg(err, SS_EINPUT, "cannot read the folder %s: %s", target, strerror(errno));
    const struct dirent *e;
    char other[256] = "";
    int n = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        n++;
        if (!other[0] && !stage_known_name(e->d_name))
            snprintf(other, sizeof other, "%s", e->d_name);
    }
    closedir(d);
    if (n == 0) return SS_OK;
    if (!ours || (other[0] && access(path, F_OK) != 0))
        return err_msg(err, SS_EINPUT,
                       "%s holds files scoresim did not write (%s): results are written as a "
                       "whole folder, so give --out a new or empty folder, or one of "
                       "scoresim's own results",
                       target, other[0] ? other : "?");
    if (!replace)
        return err_msg(err, SS_EINPUT,
                       "%s already holds results (%s): give another --out folder, or add --force "
                       "to replace them",
                       target, found[0] ? found : STAGE_MANIFEST);
    return SS_OK;
}

/* ---- opening ----------------------------------------------------------- */

int stage_open(struct stage *s, const char *target, int kind, int fresh, struct ss_error *err)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->kind = kind;
    char parent[1100], base[256];
    int k = snprintf(s->target, sizeof s->target, "%s", target);
    if (k < 0 || (size_t)k >= sizeof s->target)
        return err_msg(err, SS_EINPUT, "results folder path too long: %s", target);
    int rc = stage_path(target, s->dir, sizeof s->dir, err);
    if (rc != SS_OK) return rc;
    stage_split(target, parent, sizeof parent, base, sizeof base);
    /* a folder that cannot be made is a bad --out: said before any work */
    if (store_mkdirs(parent, err) != SS_OK) return err_msg(err, SS_EINPUT, "%s", err->msg);
    stage_sweep_stale(parent);

    long pid = 0;
    switch (stage_probe_dir(s->dir, &pid)) {
    case STAGE_BUSY:
        return err_msg(err, SS_EINPUT, "%s is being written by another scoresim (process %ld)",
                       target, pid);
    case STAGE_FOREIGN:
        /* an empty one is ours, killed between mkdir and lock */
        if (rmdir(s->dir) != 0 && errno != ENOENT)
            return err_msg(err, SS_EINPUT,
                           "%s exists and was not made by scoresim: move it away, or give "
                           "another --out",
                           s->dir);
        break;
    case STAGE_INTERRUPTED:
    case STAGE_STALE:
        if (fresh && stage_remove_tree(s->dir) != 0)
            return err_msg(err, SS_EIO, "cannot remove %s, left by an earlier run: %s", s->dir,
                           strerror(errno));
        break;
    default:
        break;
    }
    /* A staging folder is never seen under its name without its lock: a
     * new one is made and locked under a name of its own, then renamed; a
     * published one taken back is locked first. Another process that
     * races for the same folder finds it busy, never half made. */
    struct stat st;
    if (lstat(s->dir, &st) == 0) {
        rc = stage_lock(s, s->dir, err); /* an interrupted one, to go on with */
    } else if (!fresh && lstat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* extend published results: taken back until published again */
        rc = stage_lock(s, target, err);
        if (rc == SS_OK && rename(target, s->dir) != 0) {
            int e = errno;
            stage_unlock_at(s, target);
            return err_msg(err, SS_EINPUT, "cannot move %s to %s to go on with it: %s", target,
                           s->dir, strerror(e));
        }
        s->adopted = rc == SS_OK;
    } else {
        char tmp[MAX_PATH + 32];
        snprintf(tmp, sizeof tmp, "%s.new-%ld", s->dir, (long)getpid());
        stage_remove_tree(tmp);
        if (mkdir(tmp, 0777) != 0)
            return err_msg(err, SS_EINPUT, "cannot create %s: %s", tmp, strerror(errno));
        rc = stage_lock(s, tmp, err);
        if (rc == SS_OK && rename(tmp, s->dir) != 0) {
            int e = errno;
            stage_unlock_at(s, tmp);
            stage_remove_tree(tmp);
            if (e == EEXIST || e == ENOTEMPTY)
                return err_msg(err, SS_EINPUT, "%s is being written by another scoresim", target);
            return err_msg(err, SS_EINPUT, "cannot create %s: %s", s->dir, strerror(e));
        }
        if (rc != SS_OK) stage_remove_tree(tmp);
    }
    if (rc != SS_OK) return rc;
    /* an interrupted manifest is not this folder's: it is written last */
    char man[1200];
    snprintf(man, sizeof man, "%s/" STAGE_MANIFEST, s->dir);
    unlink(man);
    return SS_OK;
}

/* ---- publishing -------------------------------------------------------- */

static int stage_sync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int e = fsync(fd) != 0 ? errno : 0;
    close(fd);
    return e == EINVAL ? 0 : e; /* a file system that cannot sync a folder */
}

/* The manifest: what the folder is, and each file in it with its size, so
 * that a reader can tell the folder is the one that was published. */
static int stage_write_manifest(const struct stage *s, struct ss_error *err)
{
    char path[1200], tmp[1250];
    snprintf(path, sizeof path, "%s/" STAGE_MANIFEST, s->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return err_msg(err, SS_EIO, "cannot create %s: %s", tmp, strerror(errno));
    fprintf(f, "scoresim %s results\n", SS_VERSION);
    struct dirent **names = NULL;
    int n = scandir(s->dir, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        struct stat st;
        char p[1400];
        snprintf(p, sizeof p, "%s/%s", s->dir, nm);
        if (nm[0] != '.' && lstat(p, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                fprintf(f, "%s/\n", nm);
            else
                fprintf(f, "%s %lld\n", nm, (long long)st.st_size);
        }
        free(names[i]);
    }
    free(names);
    int bad = ferror(f) | (fflush(f) != 0) | (fsync(fileno(f)) != 0);
    bad |= fclose(f) != 0;
    if (bad || n < 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return err_msg(err, SS_EIO, "writing %s: %s", path, strerror(errno ? errno : EIO));
    }
    return SS_OK;
}

/* A lock file in dir that says "a dead writer's, nothing to resume" as
 * soon as this process is gone (nobody holds it). */
static void stage_mark_stale(const char *dir)
{
    char path[MAX_PATH + 16], text[96];
    snprintf(path, sizeof path, "%s/" STAGE_LOCK, dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) return;
    int k = snprintf(text, sizeof text, STAGE_SIGN " %ld once\n", (long)getpid());
    ssize_t w = write(fd, text, (size_t)k);
    (void)w;
    close(fd);
}

int stage_publish(struct stage *s, int replace, struct ss_error *err)
{
    char parent[1100], base[256], lock[1200];
    stage_split(s->target, parent, sizeof parent, base, sizeof base);
    sys_test_point("publish");
    int rc = stage_write_manifest(s, err);
    int e = rc == SS_OK ? stage_sync_path(s->dir, 1) : 0;
    if (e) rc = err_msg(err, SS_EIO, "syncing %s: %s", s->dir, strerror(e));
    if (rc != SS_OK) {
        stage_keep(s);
        return rc;
    }
    /* The lock goes with the folder and is removed after: a staging folder
     * without its lock would not be known as ours (stage_probe_dir). */
    if (rename(s->dir, s->target) != 0) {
        e = errno;
        if ((e == ENOTEMPTY || e == EEXIST) && replace) {
            /* swap in one step, then remove the old; a file system without
             * exchange gets two renames, with the target absent between */
            char old[1400];
            snprintf(old, sizeof old, "%s/.%s.old-%ld", parent, base, (long)getpid());
            /* the old folder gets a lock of ours first: swapped out, it has
             * the staging folder's name, and a kill then must leave it
             * known as a leftover to remove (stage_sweep_stale) */
            stage_mark_stale(s->target);
            if (renameat2(AT_FDCWD, s->dir, AT_FDCWD, s->target, RENAME_EXCHANGE) == 0) {
                sys_test_point("publish-swapped");
                e = rename(s->dir, old) == 0 ? 0 : errno;
            } else if (rename(s->target, old) == 0) {
                e = rename(s->dir, s->target) == 0 ? 0 : errno;
            } else {
                e = errno;
            }
            if (!e) stage_remove_tree(old);
        }
        if (e) {
            rc = err_msg(err, e == ENOTEMPTY || e == EEXIST ? SS_EINPUT : SS_EIO,
                         "cannot move the results into %s: %s", s->target,
                         e == ENOTEMPTY || e == EEXIST ? "it holds other files" : strerror(e));
            stage_keep(s);
            return rc;
        }
    }
    sys_test_point("published");
    snprintf(lock, sizeof lock, "%s/" STAGE_LOCK, s->target);
    unlink(lock);
    stage_sync_path(parent, 1);
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    s->dir[0] = '\0';
    return SS_OK;
}

/* A stage that was never opened is zeroed (dir empty): its fd 0 is not
 * ours. One whose lock another process holds has fd -1: its folder is not
 * ours to remove. */
void stage_discard(struct stage *s)
{
    if (s->dir[0] && s->fd >= 0) stage_remove_tree(s->dir);
    stage_keep(s);
}

void stage_give_back(struct stage *s)
{
    if (s->dir[0] && s->fd >= 0 && s->adopted) {
        char lock[MAX_PATH + 16];
        snprintf(lock, sizeof lock, "%s/" STAGE_LOCK, s->dir);
        unlink(lock);
        rename(s->dir, s->target);
    }
    stage_keep(s);
}

void stage_keep(struct stage *s)
{
    if (s->dir[0] && s->fd >= 0) close(s->fd);
    s->fd = -1;
    s->dir[0] = '\0';
}
