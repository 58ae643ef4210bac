/*
 * file.c - regular files only, whole-file reads with a limit, and the
 * text check of an input file (see file.h).
 */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.h"

const char *file_open_why(const char *path, FILE **out, int *code)
{
    *out = NULL;
    *code = SS_EINPUT;
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return strerror(errno);
    struct stat st;
    const char *why = NULL;
    if (fstat(fd, &st) != 0) {
        why = strerror(errno);
        *code = SS_EIO;
    } else if (S_ISDIR(st.st_mode)) {
        why = "it is a directory, not a regular file";
    } else if (S_ISFIFO(st.st_mode)) {
        why = "it is a FIFO (named pipe), not a regular file";
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
        why = "it is a device, not a regular file";
    } else if (S_ISSOCK(st.st_mode)) {
        why = "it is a socket, not a regular file";
    } else if (!S_ISREG(st.st_mode)) {
        why = "it is not a regular file";
    } else {
        /* a regular file never blocks; reads are plain from here */
        int flags = fcntl(fd, F_GETFL);
        FILE *f = NULL;
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 || !(f = fdopen(fd, "rb"))) {
            why = strerror(errno);
            *code = SS_EIO;
        } else {
            *out = f;
            *code = SS_OK;
            return NULL;
        }
    }
    close(fd);
    return why;
}

int file_open_regular(const char *path, const char *what, FILE **out, struct ss_error *err)
{
    int code;
    const char *why = file_open_why(path, out, &code);
    if (!why) return SS_OK;
    return err_set(err, code, path, 0, 0, "cannot read %s: %s", what, why);
}

/* max as "4 MiB", or as bytes when it is not a whole number of MiB. */
static void file_limit(char *buf, size_t size, size_t max)
{
    if (max >= (1u << 20) && max % (1u << 20) == 0)
        snprintf(buf, size, "%zu MiB", max >> 20);
    else
        snprintf(buf, size, "%zu bytes", max);
}

int file_read_all(const char *path, const char *what, size_t max, int check_text, struct mem *m,
                  char **text, size_t *len, struct ss_error *err)
{
    *text = NULL;
    *len = 0;
    FILE *f;
    int rc = file_open_regular(path, what, &f, err);
    if (rc) return rc;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            /* one byte over the limit tells a file of exactly max bytes from a longer one */
            size_t nc = cap ? 2 * cap : 1u << 16;
            if (nc > max + 1) nc = max + 1;
            if (nc <= cap) {
                char lim[48];
                file_limit(lim, sizeof lim, max);
                rc = err_set(err, SS_EINPUT, path, 0, 0,
                             "%s is longer than %s, the most scoresim reads", what, lim);
                goto fail;
            }
            char *b = mem_realloc(m, buf, nc + 1);
            if (!b) {
                rc = err_nomem(err, "reading a file");
                goto fail;
            }
            buf = b;
            cap = nc;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        rc = err_set(err, SS_EIO, path, 0, 0, "cannot read %s: %s", what, strerror(errno));
        goto fail;
    }
    if (!buf && !(buf = mem_alloc(m, 1))) {
        rc = err_nomem(err, "reading a file");
        goto fail;
    }
    buf[n] = '\0';
    if (check_text && (rc = file_check_text(buf, n, path, what, err))) goto fail;
    fclose(f);
    *text = buf;
    *len = n;
    return SS_OK;
fail:
    fclose(f);
    mem_free(m, buf);
    return rc;
}

int file_check_text(const char *text, size_t len, const char *label, const char *what,
                    struct ss_error *err)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (c == 0) break;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k = text_utf8_len_n(text + i, len - i);
        if (!k) break;
        i += k;
    }
    if (i >= len) return SS_OK;
    int line, col;
    text_position(text, len, i, &line, &col);
    if (text[i] == '\0')
        return err_set(err, SS_EINPUT, label, line, col, "a NUL byte: expected UTF-8 text in %s",
                       what);
    return err_set(err, SS_EINPUT, label, line, col,
                   "a byte that is not UTF-8 (\\x%02X): expected UTF-8 text in %s",
                   (unsigned char)text[i], what);
}
