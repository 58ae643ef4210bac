/*
 * net_edgelist.c - network layers read from edge list files.
 *
 * Format: one tie per line, two non-negative integer agent ids separated
 * by whitespace or a comma; '#' starts a comment; blank lines are allowed.
 * Ties are undirected (each adds both directions); a tie listed more than
 * once (either way round) is merged and counted in layer.n_merged. The
 * file is read in large blocks and scanned by hand, since edge lists can
 * have 10^8 lines; ties are kept in fixed-size chunks until the CSR is
 * built, so no buffer is ever copied to grow it. A line may be at most
 * EL_MAX_LINE bytes (the read buffer, less its newline); a longer one is
 * refused as too long. The same scan reads a file, a text in memory
 * (net_edge_list_parse, for the fuzzer) and the files `check` reads
 * (net_check_edge_lists), so all three say the same thing of a line.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/file.h"
#include "core/text.h"
#include "world/net_internal.h"

/* Bytes read from the file at a time; a line and its newline must fit. */
#define EL_BUF      (1u << 20)
#define EL_MAX_LINE (EL_BUF - 1)
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
    int count_only;    /* only count the ties (check): chunk stays empty */
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
 * stripped, escaped (text_escape), cut at about EL_QUOTE characters. */
static void el_quote(char *out, size_t size, const char *s, const char *e)
{
    while (s < e && el_space(*s)) s++;
    for (const char *h = s; h < e; h++)
        if (*h == '#') {
            e = h;
            break;
        }
    while (e > s && el_space(e[-1])) e--;
    text_escape(out, size, s, (size_t)(e - s), 1);
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
    char q[EL_QUOTE + 4];
    el_quote(q, sizeof q, s, e);
    return err_set(err, SS_EINPUT, pl->path, pl->line > INT_MAX ? INT_MAX : (int)pl->line,
                   el_col(s, at), "expected two agent ids, got '%s'", q);
}

/* Append tie (u, v). Returns SS_OK or SS_ENOMEM. */
static int el_push(struct el_ties *t, uint32_t u, uint32_t v, struct mem *m)
{
    if (t->count_only) {
        t->n++;
        return SS_OK;
    }
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
    if (e - s > (long)EL_MAX_LINE)
        return err_set(err, SS_EINPUT, pl->path, pl->line > INT_MAX ? INT_MAX : (int)pl->line, 1,
                       "a line longer than %u bytes: expected one tie (two agent ids) a line",
                       EL_MAX_LINE);
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

/* Read the complete lines of buf[0 .. have), and with eof the last one
 * without a newline, into t; *used gets the bytes read. */
static int el_scan(struct el_ties *t, const char *buf, size_t have, int eof, struct el_place *pl,
                   struct mem *m, struct ss_error *err, size_t *used)
{
    const char *s = buf, *end = buf + have, *nl;
    int rc = SS_OK;
    while ((nl = memchr(s, '\n', (size_t)(end - s)))) {
        pl->line++;
        if ((rc = el_line(t, s, nl, pl, m, err))) break;
        s = nl + 1;
    }
    if (!rc && eof && s < end) {
        pl->line++;
        rc = el_line(t, s, end, pl, m, err);
        s = end;
    }
    *used = (size_t)(s - buf);
    return rc;
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
        size_t got = fread(buf + have, 1, EL_BUF - have, f), used;
        if (!got && ferror(f)) {
            rc = err_set(err, SS_EIO, pl->path, 0, 0, "cannot read the edge list: %s",
                         strerror(errno));
            break;
        }
        have += got;
        if ((rc = el_scan(t, buf, have, !got, pl, m, err, &used)) || !got) break;
        size_t rest = have - used;
        if (rest == EL_BUF) { /* no newline in a full buffer: el_line says too long */
            pl->line++;
            rc = el_line(t, buf, buf + rest, pl, m, err);
            if (!rc) rc = SS_EINTERNAL; /* unreachable: el_line refuses the line */
            break;
        }
        memmove(buf, buf + used, rest);
        have = rest;
    }
    mem_free(m, buf);
    if (rc == SS_ENOMEM) err_nomem(err, what);
    return rc;
}

static void el_free(struct el_ties *t, struct mem *m)
{
    for (uint32_t i = 0; i < t->n_chunks; i++) mem_free(m, t->chunk[i]);
    mem_free(m, t->chunk);
    memset(t, 0, sizeof *t);
}

/* The layer's file, resolved against base_dir, into path. */
static int el_path(char *path, size_t size, const struct layer_params *lp, const char *base_dir,
                   struct ss_error *err)
{
    if (!lp->file[0])
        return err_msg(err, SS_EINPUT, "network.%s.file: an edge_list layer needs a file",
                       lp->name);
    if (net_edge_list_path(path, size, base_dir, lp->file))
        return err_msg(err, SS_EINPUT, "network.%s.file: the path is too long", lp->name);
    return SS_OK;
}

/* Open the regular file path and read its ties into t; then the layer's
 * size (net_check_entries). */
static int el_load(struct el_ties *t, const char *path, const char *layer, uint32_t agents,
                   struct mem *m, struct ss_error *err, const char *what)
{
    FILE *f;
    int rc = file_open_regular(path, "the edge list", &f, err);
    if (rc) return rc;
    struct el_place pl = {path, 0, agents};
    rc = el_read(t, f, &pl, m, err, what);
    fclose(f);
    /* the count is exact here: refuse before net_csr_build's first pass */
    if (!rc) rc = net_check_entries(2 * t->n, layer, err);
    return rc;
}

int net_edge_list_parse(const char *text, size_t len, const char *label, uint32_t agents,
                        struct mem *m, uint64_t *ties, struct ss_error *err)
{
    struct el_ties t = {.count_only = 1};
    struct el_place pl = {label, 0, agents};
    size_t used;
    int rc = el_scan(&t, text, len, 1, &pl, m, err, &used);
    if (rc == SS_ENOMEM) err_nomem(err, "reading an edge list");
    *ties = t.n;
    el_free(&t, m);
    return rc;
}

int net_check_edge_lists(const struct params *p, const char *base_dir, struct mem *m,
                         struct ss_error *err)
{
    for (uint32_t l = 0; l < p->network.n_layers; l++) {
        const struct layer_params *lp = &p->network.layers[l];
        if (!lp->enabled || lp->generator != GEN_EDGE_LIST) continue;
        char path[2 * MAX_PATH], what[MAX_NAME + 32];
        int rc = el_path(path, sizeof path, lp, base_dir, err);
        if (rc) return rc;
        snprintf(what, sizeof what, "checking the %s layer", lp->name);
        struct el_ties t = {.count_only = 1};
        rc = el_load(&t, path, lp->name, p->population.agents, m, err, what);
        el_free(&t, m);
        if (rc) return rc;
    }
    return SS_OK;
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
    int rc = el_path(path, sizeof path, lp, base_dir, err);
    if (rc) return rc;
    struct el_ties t = {0};
    rc = el_load(&t, path, L->name, pop->n, m, err, what);
    struct net_gen gen = {el_item, &t, t.n, 2, threads};
    if (!rc) rc = net_csr_build(L, &gen, m, err, what);
    el_free(&t, m);
    return rc;
}
