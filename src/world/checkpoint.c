/*
 * checkpoint.c - writing and reading a world (see checkpoint.h).
 *
 * The file is a fixed sequence of fields in the machine's own byte order
 * (a marker refuses another order), streamed through a CRC-32: a header,
 * the agents' arrays one after the other, the caps, the totals, then for
 * each layer the entries ostracism has cut, and last the CRC of everything
 * before it. Reading streams the same sequence, so a file is never held in
 * memory whole; the checksum is compared once the last byte is in, and a
 * file that ends early, has bytes after its checksum, or does not match it
 * is refused.
 */
#include "world/checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/error.h"
#include "core/file.h"

static const char ckpt_magic[16] = "SCORESIM CKPT\n";
#define CKPT_ORDER 0x01020304u /* as written by this machine */

/* One file streamed through the checksum. */
struct ckpt_io {
    FILE *f;          /* the file */
    const char *path; /* for messages */
    uLong crc;        /* CRC-32 of every byte so far */
    int failed;       /* a write failed, or a read came up short */
};

static void ckpt_crc(struct ckpt_io *io, const void *p, size_t n)
{
    const Bytef *b = p;
    while (n > 0) { /* zlib takes 32-bit lengths */
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        io->crc = crc32(io->crc, b, k);
        b += k;
        n -= k;
    }
}

static void ckpt_put(struct ckpt_io *io, const void *p, size_t n)
{
    if (io->failed || n == 0) return;
    if (fwrite(p, 1, n, io->f) != n) io->failed = 1;
    ckpt_crc(io, p, n);
}

static void ckpt_get(struct ckpt_io *io, void *p, size_t n)
{
    if (io->failed || n == 0) return;
    if (fread(p, 1, n, io->f) != n) {
        io->failed = 1;
        return;
    }
    ckpt_crc(io, p, n);
}

/* Read n bytes only for the checksum (an array the reader does not need). */
static void ckpt_skip(struct ckpt_io *io, uint64_t n)
{
    char buf[1 << 16];
    while (n > 0 && !io->failed) {
        size_t k = n > sizeof buf ? sizeof buf : (size_t)n;
        ckpt_get(io, buf, k);
        n -= k;
    }
}

/* The fixed part of the header. */
struct ckpt_head {
    char magic[16];
    uint32_t order, format;
    char version[32];
    int32_t day;
    uint32_t agents;
    uint64_t seed;
    uint32_t n_groups, n_layers, n_misses;
    int32_t every;
    uint64_t n_entries[MAX_LAYERS];
    uint32_t scenario_len, dir_len;
};

/* Each per-agent array of the state, in file order: where, and its size. */
struct ckpt_array {
    void *p;     /* the array */
    size_t size; /* bytes */
};

static size_t ckpt_arrays(const struct state *st, struct ckpt_array *a)
{
    const size_t n = st->n;
    size_t k = 0;
    a[k++] = (struct ckpt_array){st->attitude, n * sizeof *st->attitude};
    a[k++] = (struct ckpt_array){st->fear, n * sizeof *st->fear};
    for (int d = 0; d < N_SUBSYSTEMS; d++)
        a[k++] = (struct ckpt_array){st->ledger[d], n * sizeof *st->ledger[d]};
    a[k++] = (struct ckpt_array){st->status, n};
    a[k++] = (struct ckpt_array){st->history, n};
    a[k++] = (struct ckpt_array){st->watched, n};
    a[k++] = (struct ckpt_array){st->listed_day, n * sizeof *st->listed_day};
    a[k++] = (struct ckpt_array){st->interned_until, n * sizeof *st->interned_until};
    a[k++] = (struct ckpt_array){st->misses, n * st->n_misses * sizeof *st->misses};
    a[k++] = (struct ckpt_array){st->debt, n * sizeof *st->debt};
    a[k++] = (struct ckpt_array){st->sanctioned, n * sizeof *st->sanctioned};
    a[k++] = (struct ckpt_array){st->sanctioned_last, n * sizeof *st->sanctioned_last};
    return k;
}
#define CKPT_MAX_ARRAYS (12 + N_SUBSYSTEMS)

int ckpt_write(const struct world *w, const char *path, const char *scenario, const char *dir,
               int32_t every, struct ss_error *err)
{
    char tmp[MAX_PATH + 8];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return err_msg(err, SS_EIO, "checkpoint path too long: %s", path);
    struct ckpt_io io = {fopen(tmp, "wb"), tmp, crc32(0L, Z_NULL, 0), 0};
    if (!io.f) return err_msg(err, SS_EIO, "cannot create %s: %s", tmp, strerror(errno));
    struct ckpt_head h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, ckpt_magic, sizeof h.magic);
    h.order = CKPT_ORDER;
    h.format = CKPT_FORMAT;
    snprintf(h.version, sizeof h.version, "%s", SS_VERSION);
    h.day = w->day;
    h.agents = w->pop.n;
    h.seed = w->p->seed;
    h.n_groups = w->pop.n_groups;
    h.n_layers = w->net.n_layers;
    h.n_misses = w->st.n_misses;
    h.every = every;
    for (uint32_t l = 0; l < w->net.n_layers; l++) h.n_entries[l] = w->net.layer[l].n_entries;
    h.scenario_len = (uint32_t)strlen(scenario);
    h.dir_len = (uint32_t)strlen(dir);
    ckpt_put(&io, &h, sizeof h);
    ckpt_put(&io, scenario, h.scenario_len);
    ckpt_put(&io, dir, h.dir_len);
    struct ckpt_array a[CKPT_MAX_ARRAYS];
    size_t na = ckpt_arrays(&w->st, a);
    for (size_t k = 0; k < na; k++) ckpt_put(&io, a[k].p, a[k].size);
    ckpt_put(&io, w->st.cap, sizeof w->st.cap);
    ckpt_put(&io, w->totals, (w->pop.n_groups + 1) * sizeof *w->totals);
    for (uint32_t l = 0; l < w->net.n_layers; l++) {
        const struct layer *L = &w->net.layer[l];
        uint64_t cut = 0;
        for (uint64_t e = 0; e < L->n_entries; e++) cut += L->adj[e] == NET_CUT;
        ckpt_put(&io, &cut, sizeof cut);
        for (uint64_t e = 0; e < L->n_entries; e++)
            if (L->adj[e] == NET_CUT) {
                uint32_t at = (uint32_t)e;
                ckpt_put(&io, &at, sizeof at);
            }
    }
    uint32_t crc = (uint32_t)io.crc;
    if (!io.failed && fwrite(&crc, sizeof crc, 1, io.f) != 1) io.failed = 1;
    int e = errno;
    if (!io.failed && (fflush(io.f) != 0 || fsync(fileno(io.f)) != 0)) io.failed = 1, e = errno;
    if (fclose(io.f) != 0 && !io.failed) io.failed = 1, e = errno;
    if (io.failed) {
        unlink(tmp);
        return err_msg(err, SS_EIO, "writing %s: %s", tmp, strerror(e ? e : EIO));
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return err_msg(err, SS_EIO, "renaming %s to %s: %s", tmp, path, strerror(e));
    }
    return SS_OK;
}

/* Read the header of the checkpoint f (named path in messages); the
 * caller goes on reading io. On an error f is closed. */
static int ckpt_open(FILE *f, const char *path, struct ckpt_io *io, struct ckpt_head *h,
                     struct ss_error *err)
{
    *io = (struct ckpt_io){f, path, crc32(0L, Z_NULL, 0), 0};
    memset(h, 0, sizeof *h);
    ckpt_get(io, h, sizeof *h);
    const char *why = NULL;
    if (io->failed || memcmp(h->magic, ckpt_magic, sizeof h->magic))
        why = "not a scoresim checkpoint";
    else if (h->order != CKPT_ORDER)
        why = "written by a machine of another byte order";
    else if (h->format != CKPT_FORMAT || strncmp(h->version, SS_VERSION, sizeof h->version))
        why = "written by another version of scoresim";
    else if (h->n_layers > MAX_LAYERS || h->n_groups < 1 || h->n_groups > MAX_GROUPS ||
             h->scenario_len > (1u << 24) || h->dir_len >= MAX_PATH)
        why = "corrupt (its sizes are impossible)";
    if (!why) return SS_OK;
    fclose(io->f);
    io->f = NULL;
    if (h->format != CKPT_FORMAT && !io->failed && !memcmp(h->magic, ckpt_magic, sizeof h->magic))
        return err_set(err, SS_EINPUT, path, 0, 0,
                       "the checkpoint was %s (%.31s, format %u; this is %s, format %d): resume "
                       "it with that version",
                       why, h->version, (unsigned)h->format, SS_VERSION, CKPT_FORMAT);
    return err_set(err, SS_EINPUT, path, 0, 0, "cannot use the checkpoint: %s", why);
}

/* The rest of the file after its last field: the checksum, then nothing. */
static int ckpt_close(struct ckpt_io *io, struct ss_error *err)
{
    uint32_t want = (uint32_t)io->crc, got = 0;
    int short_read = io->failed || fread(&got, sizeof got, 1, io->f) != 1;
    int extra = !short_read && fgetc(io->f) != EOF;
    fclose(io->f);
    io->f = NULL;
    if (short_read)
        return err_set(err, SS_EINPUT, io->path, 0, 0,
                       "cannot use the checkpoint: it is truncated (it ends before its "
                       "checksum)");
    if (extra || got != want)
        return err_set(err, SS_EINPUT, io->path, 0, 0,
                       "cannot use the checkpoint: it is corrupt (its checksum does not match)");
    return SS_OK;
}

int ckpt_read_meta_file(FILE *f, const char *path, struct ckpt_meta *meta, struct mem *m,
                        struct ss_error *err)
{
    memset(meta, 0, sizeof *meta);
    struct ckpt_io io;
    struct ckpt_head h;
    int rc = ckpt_open(f, path, &io, &h, err);
    if (rc) return rc;
    meta->format = h.format;
    memcpy(meta->version, h.version, sizeof meta->version);
    meta->version[sizeof meta->version - 1] = '\0';
    meta->day = h.day;
    meta->seed = h.seed;
    meta->agents = h.agents;
    meta->every = h.every;
    meta->scenario = mem_alloc(m, (size_t)h.scenario_len + 1);
    if (!meta->scenario) {
        fclose(io.f);
        return err_nomem(err, "reading a checkpoint");
    }
    ckpt_get(&io, meta->scenario, h.scenario_len);
    meta->scenario[h.scenario_len] = '\0';
    ckpt_get(&io, meta->dir, h.dir_len);
    meta->dir[h.dir_len] = '\0';
    /* the state, for the checksum only */
    uint64_t n = h.agents, per_agent = 0;
    /* the arrays' sizes for one agent (ckpt_arrays reads no element) */
    struct state one = {.n = 1, .n_misses = h.n_misses};
    struct ckpt_array a[CKPT_MAX_ARRAYS] = {{0}};
    size_t na = ckpt_arrays(&one, a);
    for (size_t k = 0; k < na; k++) per_agent += a[k].size;
    ckpt_skip(&io, n * per_agent + sizeof(double) * (N_SUBSYSTEMS + 1) +
                       (uint64_t)(h.n_groups + 1) * sizeof(struct world_totals));
    for (uint32_t l = 0; l < h.n_layers && !io.failed; l++) {
        uint64_t cut = 0;
        ckpt_get(&io, &cut, sizeof cut);
        if (cut > h.n_entries[l]) io.failed = 1;
        ckpt_skip(&io, cut * sizeof(uint32_t));
    }
    rc = ckpt_close(&io, err);
    if (rc) ckpt_meta_free(meta, m);
    return rc;
}

int ckpt_read_meta(const char *path, struct ckpt_meta *meta, struct mem *m, struct ss_error *err)
{
    FILE *f;
    memset(meta, 0, sizeof *meta);
    int rc = file_open_regular(path, "the checkpoint", &f, err);
    return rc ? rc : ckpt_read_meta_file(f, path, meta, m, err);
}

int ckpt_restore_file(FILE *f, const char *path, struct world *w, struct ss_error *err)
{
    struct ckpt_io io;
    struct ckpt_head h;
    int rc = ckpt_open(f, path, &io, &h, err);
    if (rc) return rc;
    int fits = h.agents == w->pop.n && h.n_groups == w->pop.n_groups &&
               h.n_layers == w->net.n_layers && h.n_misses == w->st.n_misses &&
               h.seed == w->p->seed;
    for (uint32_t l = 0; l < h.n_layers && fits; l++)
        fits = h.n_entries[l] == w->net.layer[l].n_entries;
    if (!fits) {
        fclose(io.f);
        return err_set(err, SS_EINPUT, path, 0, 0,
                       "the checkpoint does not fit this scenario: its population or networks "
                       "differ (%u agents, seed %llu)",
                       h.agents, (unsigned long long)h.seed);
    }
    ckpt_skip(&io, (uint64_t)h.scenario_len + h.dir_len);
    struct ckpt_array a[CKPT_MAX_ARRAYS];
    size_t na = ckpt_arrays(&w->st, a);
    for (size_t k = 0; k < na; k++) ckpt_get(&io, a[k].p, a[k].size);
    ckpt_get(&io, w->st.cap, sizeof w->st.cap);
    ckpt_get(&io, w->totals, (h.n_groups + 1) * sizeof *w->totals);
    for (uint32_t l = 0; l < h.n_layers && !io.failed; l++) {
        struct layer *L = &w->net.layer[l];
        uint64_t cut = 0;
        ckpt_get(&io, &cut, sizeof cut);
        if (cut > L->n_entries) io.failed = 1;
        for (uint64_t k = 0; k < cut && !io.failed; k++) {
            uint32_t at = 0;
            ckpt_get(&io, &at, sizeof at);
            if (at >= L->n_entries)
                io.failed = 1;
            else
                L->adj[at] = NET_CUT;
        }
    }
    rc = ckpt_close(&io, err);
    if (rc) return rc;
    w->day = h.day;
    return SS_OK;
}

int ckpt_restore(const char *path, struct world *w, struct ss_error *err)
{
    FILE *f;
    int rc = file_open_regular(path, "the checkpoint", &f, err);
    return rc ? rc : ckpt_restore_file(f, path, w, err);
}

void ckpt_meta_free(struct ckpt_meta *meta, struct mem *m)
{
    mem_free(m, meta->scenario);
    meta->scenario = NULL;
}
