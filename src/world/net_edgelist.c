/*
 * net_edgelist.c - network layers read from edge list files.
 *
 * Format: one tie per line, two non-negative integer agent ids separated
 * by whitespace or a comma; '#' starts a comment; blank lines are allowed.
 * Ties are undirected (each adds both directions); a tie listed more than
 * once (either way round) is merged and counted in layer.n_merged. The
 * file is read in large blocks and scanned by hand, since edge lists can
 * have 10^8 lines; ties are kept in fixed-size chunks until the CSR is
 * built, so no buffer is ever copied to grow it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "world/net_internal.h"

/* Bytes read from the file at a time; also the longest line accepted. */
#define EL_BUF (1u << 20)
/* Ties per chunk (8 bytes each). */
#define EL_CHUNK (1u << 16)
/* Characters of an offending line quoted in an error. */
#define EL_QUOTE 60

/* The ties read so far. */
struct el_ties {
    uint32_t **chunk;  /* [n_chunks] EL_CHUNK ties each as id pairs, the last partly filled */
    uint32_t n_chunks; /* chunks allocated */
    uint32_t cap;      /* room in chunk[] */
    uint64_t n;        /* ties */
};

/* Where a line is being read from, for errors. */
struct el_place {
    const char *path; /* the file as opened */
    long long line;   /* 1-based line number */
    uint32_t agents;  /* population size: ids must be below it */
};

int net_edge_list_path(char *buf, size_t size, const char *base_dir, const char *file)
{
    int k;
    if (file[0] == '/' || !base_dir || !base_dir[0])
        k = snprintf(buf, size, "%s", file);
    else
        k = snprintf(buf, size, "%s/%s", base_dir, file);
    return k < 0 || (size_t)k >= size ? -1 : 0;
}

static int el_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int el_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The line [s, e) as quoted in an error: comment and surrounding blanks
 * stripped, control bytes shown as '?', cut at EL_QUOTE characters. */
static void el_quote(char *out, size_t size, const char *s, const char *e)
{
    while (s < e && el_space(*s)) s++;
    for (const char *h = s; h < e; h++)
        if (*h == '#') {
            e = h;
            break;
        }
    while (e > s && el_space(e[-1])) e--;
    size_t n = 0, lim = size - 4;
    for (; s < e && n < lim && n < EL_QUOTE; s++)
        out[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    if (s < e) memcpy(out + n, "...", 3), n += 3;
    out[n] = '\0';
}

/* A column in an error: 1-based, clamped to int. */
static int el_col(const char *s, const char *at)
{
    long long c = (long long)(at - s) + 1;
    return c > INT_MAX ? INT_MAX : (int)c;
}

static int el_malformed(const struct el_place *pl, const char *s, const char *e, const char *at,
                        struct ss_error *err)
{
    char q[EL_QUOTE + 8];
    el_quote(q, sizeof q, s, e);
    return err_set(err, SS_EINPUT, pl->path, pl->line > INT_MAX ? INT_MAX : (int)pl->line,
                   el_col(s, at), "expected two agent ids, got '%s'", q);
}

/* Append tie (u, v). Returns SS_OK or SS_ENOMEM. */
static int el_push(struct el_ties *t, uint32_t u, uint32_t v, struct mem *m)
{
    uint32_t k = (uint32_t)(t->n % EL_CHUNK);
    if (k == 0 && t->n / EL_CHUNK == t->n_chunks) {
        if (t->n_chunks == t->cap) {
            uint32_t cap = t->cap ? 2 * t->cap : 64;
            uint32_t **c = mem_realloc(m, t->chunk, (size_t)cap * sizeof *c);
            if (!c) return SS_ENOMEM;
            t->chunk = c;
            t->cap = cap;
        }
        uint32_t *c = mem_alloc_array(m, 2 * (size_t)EL_CHUNK, sizeof *c);
        if (!c) return SS_ENOMEM;
        t->chunk[t->n_chunks++] = c;
    }
    uint32_t *c = t->chunk[t->n / EL_CHUNK];
    c[2 * k] = u;
    c[2 * k + 1] = v;
    t->n++;
    return SS_OK;
}

/* Read one line [s, e) (no newline) into t. */
static int el_line(struct el_ties *t, const char *s, const char *e, const struct el_place *pl,
                   struct mem *m, struct ss_error *err)
{
    const char *c = s, *tok[2];
    uint64_t id[2];
    int over[2];
    for (int k = 0; k < 2; k++) {
        while (c < e && el_space(*c)) c++;
        if (k == 1 && c < e && *c == ',') {
            c++;
            while (c < e && el_space(*c)) c++;
        }
        if (c == e || *c == '#') {
            if (k == 0) return SS_OK; /* blank or comment */
            return el_malformed(pl, s, e, c, err);
        }
        if (!el_digit(*c)) return el_malformed(pl, s, e, c, err);
        tok[k] = c;
        uint64_t v = 0;
        over[k] = 0;
        for (; c < e && el_digit(*c); c++) {
            unsigned d = (unsigned)(*c - '0');
            if (v > (UINT64_MAX - d) / 10)
                over[k] = 1;
            else
                v = v * 10 + d;
        }
        if (c < e && !el_space(*c) && *c != ',' && *c != '#')
            return el_malformed(pl, s, e, tok[k], err);
        id[k] = v;
    }
    while (c < e && el_space(*c)) c++;
    if (c < e && *c != '#') return el_malformed(pl, s, e, c, err);
    int line = pl->line > INT_MAX ? INT_MAX : (int)pl->line;
    for (int k = 0; k < 2; k++) {
        if (!over[k] && id[k] < pl->agents) continue;
        int len = 0;
        while (tok[k] + len < e && el_digit(tok[k][len]) && len < 40) len++;
        return err_set(err, SS_EINPUT, pl->path, line, el_col(s, tok[k]),
                       "agent id %.*s is out of range: the population has %u agents "
                       "(population.agents)",
                       len, tok[k], pl->agents);
    }
    if (id[0] == id[1])
        return err_set(err, SS_EINPUT, pl->path, line, el_col(s, tok[1]),
                       "self-loop on agent %llu: a tie needs two different agents",
                       (unsigned long long)id[0]);
    return el_push(t, (uint32_t)id[0], (uint32_t)id[1], m);
}

/* Read the whole file into t. */
static int el_read(struct el_ties *t, FILE *f, struct el_place *pl, struct mem *m,
                   struct ss_error *err, const char *what)
{
    char *buf = mem_alloc(m, EL_BUF);
    if (!buf) return err_nomem(err, what);
    size_t have = 0;
    int rc = SS_OK;
    for (;;) {
        size_t got = fread(buf + have, 1, EL_BUF - have, f);
        if (!got && ferror(f)) {
            rc = err_set(err, SS_EIO, pl->path, 0, 0, "cannot read the edge list: %s",
                         strerror(errno));
            break;
        }
        have += got;
        const char *s = buf, *end = buf + have, *nl;
        while ((nl = memchr(s, '\n', (size_t)(end - s)))) {
            pl->line++;
            if ((rc = el_line(t, s, nl, pl, m, err))) goto done;
            s = nl + 1;
        }
        size_t rest = (size_t)(end - s);
        if (!got) { /* end of file: a last line without a newline */
            if (rest) {
                pl->line++;
                rc = el_line(t, s, end, pl, m, err);
            }
            break;
        }
        if (rest == EL_BUF) { /* a line longer than the buffer */
            pl->line++;
            rc = el_malformed(pl, s, end, s, err);
            break;
        }
        memmove(buf, s, rest);
        have = rest;
    }
done:
    mem_free(m, buf);
    if (rc == SS_ENOMEM) err_nomem(err, what);
    return rc;
}

/* Item i is tie i. */
static void el_item(const void *vt, uint64_t i, struct net_sink *s)
{
    const struct el_ties *t = vt;
    const uint32_t *p = t->chunk[i / EL_CHUNK] + 2 * (i % EL_CHUNK);
    net_emit(s, p[0], p[1]);
}

int net_edge_list_read(struct layer *L, const struct population *pop, const struct layer_params *lp,
                       const char *base_dir, int threads, struct mem *m, struct ss_error *err,
                       const char *what)
{
    char path[2 * MAX_PATH];
    if (!lp->file[0])
        return err_msg(err, SS_EINPUT, "network.%s.file: an edge_list layer needs a file",
                       lp->name);
    if (net_edge_list_path(path, sizeof path, base_dir, lp->file))
        return err_msg(err, SS_EINPUT, "network.%s.file: the path is too long", lp->name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, SS_EIO, path, 0, 0, "cannot open the edge list: %s", strerror(errno));
    struct el_ties t = {0};
    struct el_place pl = {path, 0, pop->n};
    int rc = el_read(&t, f, &pl, m, err, what);
    fclose(f);
    struct net_gen gen = {el_item, &t, t.n, 2, threads};
    /* the count is exact here: refuse before net_csr_build's first pass */
    if (!rc) rc = net_check_entries(2 * t.n, L->name, err);
    if (!rc) rc = net_csr_build(L, &gen, m, err, what);
    for (uint32_t i = 0; i < t.n_chunks; i++) mem_free(m, t.chunk[i]);
    mem_free(m, t.chunk);
    return rc;
}
