/*
 * scenario_yaml.c - reading YAML nodes into struct params, driven by the
 * parameter table. A file, a --set value and every built-in default go
 * through the same path: a dotted key is resolved against the table (with
 * family elements and distribution sub-keys), then the row's type reads
 * and checks the node. Also owns the marks: where the user wrote each key,
 * for cross-key errors found later by scn_finish.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "scenario/scenario_impl.h"

#define NO_MARK SIZE_MAX

/* One application of YAML to the scenario. */
struct ctx {
    struct scenario *s;   /* written to */
    const char *src;      /* file or --set argument; NULL for built-in defaults */
    int has_pos;          /* nodes carry places in a file */
    yaml_document_t *doc; /* the nodes */
    struct ss_error *err; /* failures */
};

enum { TGT_SECTION, TGT_ROW, TGT_ENTRY };

/* What a dotted key resolves to. */
struct target {
    int kind;                 /* TGT_* */
    const struct row *row;    /* TGT_ROW, TGT_ENTRY: the row describing it */
    const struct row *parent; /* a distribution sub-key's distribution row, else NULL */
    char *base;               /* the row's offset is added to this */
    const char *entry;        /* TGT_ENTRY: the name, inside the key path */
    const struct family *fam; /* TGT_SECTION of a family element: the family, else NULL */
};

static int apply_path(struct ctx *c, const char *path, yaml_node_t *key, yaml_node_t *v);

/* --- messages ------------------------------------------------------------ */

static int fail(const struct ctx *c, const yaml_node_t *n, const char *fmt, ...) ERR_PRINTF(3, 4);

static int fail(const struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!c->src) return err_set(c->err, SS_EINTERNAL, NULL, 0, 0, "built-in default: %s", msg);
    int line = c->has_pos && n ? (int)n->start_mark.line + 1 : 0;
    int col = c->has_pos && n ? (int)n->start_mark.column + 1 : 0;
    return err_set(c->err, SS_EINPUT, c->src, line, col, "%s", msg);
}

static const char *text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

/* YAML's null: an empty plain scalar, ~ or null. */
static int is_null(const yaml_node_t *n)
{
    if (!n) return 1;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *t = text(n);
    return !*t || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") || !strcmp(t, "NULL");
}

/* "'abc'", "a mapping", "a list" or "nothing", for "got ..." */
static const char *got(const yaml_node_t *n, char *buf, size_t size)
{
    if (is_null(n)) return "nothing";
    if (n->type == YAML_MAPPING_NODE) return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE) return "a list";
    size_t len = strlen(text(n));
    snprintf(buf, size, "'%.60s%s'", text(n), len > 60 ? "..." : "");
    return buf;
}

static void fmt_num(double x, char *buf, size_t size)
{
    snprintf(buf, size, "%.15g", x);
}

/* "from 0 to 1", "greater than 0", "of at least 1", or "" */
static void range_phrase(double lo, double hi, unsigned flags, char *buf, size_t size)
{
    char a[32], b[32];
    fmt_num(lo, a, sizeof a);
    fmt_num(hi, b, sizeof b);
    if (isfinite(lo) && isfinite(hi))
        snprintf(buf, size, " from %s to %s", a, b);
    else if (isfinite(lo))
        snprintf(buf, size, (flags & F_GT_LO) ? " greater than %s" : " of at least %s", a);
    else if (isfinite(hi))
        snprintf(buf, size, " of at most %s", b);
    else
        buf[0] = '\0';
}

static void join_names(const char *const *names, unsigned mask, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; names[i]; i++) {
        if (!(mask & BIT(i))) continue;
        n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? ", " : "", names[i]);
        if (n >= size) return;
    }
}

/* What a row expects, for "expects ..." */
static void describe(const struct row *r, const struct row *parent, char *buf, size_t size)
{
    double lo, hi;
    char rg[96], names[400];
    scn_row_range(r, parent, &lo, &hi);
    range_phrase(lo, hi, r->flags, rg, sizeof rg);
    switch (r->type) {
    case T_BOOL:
        snprintf(buf, size, "true or false");
        break;
    case T_INT:
    case T_U32:
        snprintf(buf, size, "an integer%s", rg);
        break;
    case T_U64:
        snprintf(buf, size, "an integer from 0 to %" PRIu64, UINT64_MAX);
        break;
    case T_REAL:
        snprintf(buf, size, "a number%s", rg);
        break;
    case T_PROB:
        snprintf(buf, size, "a probability%s", rg);
        break;
    case T_STR:
        snprintf(buf, size, "text of %.0f to %.0f characters", r->lo, r->hi);
        break;
    case T_ENUM:
        join_names(r->names, ~0u, names, sizeof names);
        snprintf(buf, size, "one of %s", names);
        break;
    case T_DIST:
        snprintf(buf, size,
                 "a distribution (a number, a list of numbers, or a mapping with "
                 "'dist')");
        break;
    case T_REALS:
        snprintf(buf, size, "a list of numbers%s", rg);
        break;
    case T_INTS:
        snprintf(buf, size, "a list of integers%s", rg);
        break;
    case T_NAMED:
        snprintf(buf, size, "a mapping of group names to numbers%s", rg);
        break;
    case T_GROUPS:
        snprintf(buf, size, "a list of group names");
        break;
    case T_FAMILY:
        if (r->fam->names) {
            join_names(r->fam->names, ~0u, names, sizeof names);
            snprintf(buf, size, "a mapping of %ss (%s)", r->fam->what, names);
        } else {
            snprintf(buf, size, "a mapping of %s names to %s settings", r->fam->what, r->fam->what);
        }
        break;
    }
}

static int fail_type(const struct ctx *c, const yaml_node_t *n, const char *path,
                     const struct row *r, const struct row *parent)
{
    char want[512], g[80];
    describe(r, parent, want, sizeof want);
    return fail(c, n, "'%s' expects %s, got %s", path, want, got(n, g, sizeof g));
}

static int fail_range(const struct ctx *c, const yaml_node_t *n, const char *path, double lo,
                      double hi, unsigned flags)
{
    char a[32], b[32];
    fmt_num(lo, a, sizeof a);
    fmt_num(hi, b, sizeof b);
    if (isfinite(lo) && isfinite(hi))
        return fail(c, n, "'%s' must be between %s and %s, got %s", path, a, b, text(n));
    if (isfinite(lo))
        return fail(c, n, "'%s' must be %s %s, got %s", path,
                    (flags & F_GT_LO) ? "greater than" : "at least", a, text(n));
    return fail(c, n, "'%s' must be at most %s, got %s", path, b, text(n));
}

static const char *const NAME_RULE =
    "names are 1 to 31 letters, digits or '_', not starting with a digit";

/* --- marks ----------------------------------------------------------------- */

const struct mark *scn_mark_find(const struct scenario *s, const char *key)
{
    for (size_t i = s->n_marks; i-- > 0;)
        if (!strcmp(s->marks[i].key, key)) return &s->marks[i];
    return NULL;
}

/* Forget the mark of path and, with under, of every key below it. */
static void marks_drop(struct scenario *s, const char *path, int under)
{
    size_t n = strlen(path), j = 0;
    for (size_t i = 0; i < s->n_marks; i++) {
        struct mark *k = &s->marks[i];
        int below = under && !strncmp(k->key, path, n) && k->key[n] == '.';
        if (!strcmp(k->key, path) || below) {
            mem_free(&s->mem, k->key);
            mem_free(&s->mem, k->pos);
        } else {
            s->marks[j++] = *k;
        }
    }
    s->n_marks = j;
}

/* Record that the user wrote path at key; *index gets its slot. Defaults
 * (no src) leave no mark. */
static int marks_add(struct ctx *c, const char *path, const yaml_node_t *key, size_t *index)
{
    struct scenario *s = c->s;
    *index = NO_MARK;
    if (!c->src) return SS_OK;
    if (s->n_marks == s->cap_marks) {
        size_t cap = s->cap_marks ? 2 * s->cap_marks : 32;
        struct mark *m = mem_realloc(&s->mem, s->marks, cap * sizeof *m);
        if (!m) return err_nomem(c->err, "reading the scenario");
        s->marks = m;
        s->cap_marks = cap;
    }
    char *k = mem_strdup(&s->mem, path);
    if (!k) return err_nomem(c->err, "reading the scenario");
    int line = c->has_pos && key ? (int)key->start_mark.line + 1 : 0;
    int col = c->has_pos && key ? (int)key->start_mark.column + 1 : 0;
    s->marks[s->n_marks] = (struct mark){k, c->src, line, col, 0, NULL};
    *index = s->n_marks++;
    return SS_OK;
}

/* Places of a list's elements, for errors about one of them. */
static int marks_positions(struct ctx *c, size_t index, yaml_node_t *seq)
{
    if (index == NO_MARK || !c->has_pos) return SS_OK;
    struct scenario *s = c->s;
    size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    if (!n) return SS_OK;
    int *pos = mem_alloc_array(&s->mem, n, 2 * sizeof *pos);
    if (!pos) return err_nomem(c->err, "reading the scenario");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, seq->data.sequence.items.start[i]);
        pos[2 * i] = (int)e->start_mark.line + 1;
        pos[2 * i + 1] = (int)e->start_mark.column + 1;
    }
    s->marks[index].pos = pos;
    s->marks[index].n_pos = (uint32_t)n;
    return SS_OK;
}

/* --- scalars ----------------------------------------------------------------- */

/* 0: v set; -1: not an integer; 1: an integer too large to hold. Integers
 * are written as integers: 1e5 and 2.0 are not. */
static int parse_i64(const char *t, int64_t *v)
{
    const char *d = t + (*t == '+' || *t == '-');
    if (!*d) return -1;
    for (const char *q = d; *q; q++)
        if (*q < '0' || *q > '9') return -1;
    errno = 0;
    long long x = strtoll(t, NULL, 10);
    if (errno == ERANGE) return 1;
    *v = (int64_t)x;
    return 0;
}

/* 0: v set; -1: not a finite number. */
static int parse_real(const char *t, double *v)
{
    if (!*t || strspn(t, "0123456789+-.eE") != strlen(t)) return -1;
    char *end;
    double x = strtod(t, &end);
    if (*end || !isfinite(x)) return -1;
    *v = x;
    return 0;
}

static int need_scalar(const struct ctx *c, const yaml_node_t *n, const char *path,
                       const struct row *r, const struct row *parent)
{
    if (!n || n->type != YAML_SCALAR_NODE || is_null(n)) return fail_type(c, n, path, r, parent);
    return SS_OK;
}

static int read_int(const struct ctx *c, const yaml_node_t *n, const char *path,
                    const struct row *r, int64_t *out)
{
    int rc = need_scalar(c, n, path, r, NULL);
    if (rc) return rc;
    int64_t v;
    int p = parse_i64(text(n), &v);
    if (p < 0) return fail_type(c, n, path, r, NULL);
    if (p > 0 || (double)v < r->lo || (double)v > r->hi)
        return fail_range(c, n, path, r->lo, r->hi, 0);
    if ((r->flags & F_EVEN) && v % 2) return fail(c, n, "'%s' must be even, got %s", path, text(n));
    *out = v;
    return SS_OK;
}

static int read_u64(const struct ctx *c, const yaml_node_t *n, const char *path,
                    const struct row *r, uint64_t *out)
{
    int rc = need_scalar(c, n, path, r, NULL);
    if (rc) return rc;
    const char *t = text(n), *d = t + (*t == '+' || *t == '-');
    if (!*d || strspn(d, "0123456789") != strlen(d)) return fail_type(c, n, path, r, NULL);
    errno = 0;
    unsigned long long x = strtoull(d, NULL, 10);
    if (errno == ERANGE || (*t == '-' && x != 0))
        return fail(c, n, "'%s' must be between 0 and %" PRIu64 ", got %s", path, UINT64_MAX, t);
    *out = (uint64_t)x;
    return SS_OK;
}

static int read_real(const struct ctx *c, const yaml_node_t *n, const char *path,
                     const struct row *r, const struct row *parent, double *out)
{
    int rc = need_scalar(c, n, path, r, parent);
    if (rc) return rc;
    double v, lo, hi;
    if (parse_real(text(n), &v)) return fail_type(c, n, path, r, parent);
    scn_row_range(r, parent, &lo, &hi);
    int below = (r->flags & F_GT_LO) ? v <= lo : v < lo;
    if (below || v > hi) return fail_range(c, n, path, lo, hi, r->flags);
    *out = v;
    return SS_OK;
}

static int read_str(const struct ctx *c, const yaml_node_t *n, const char *path,
                    const struct row *r, char *out)
{
    int rc = need_scalar(c, n, path, r, NULL);
    if (rc) return rc;
    size_t len = n->data.scalar.length;
    if (len < (size_t)r->lo || len > (size_t)r->hi)
        return fail(c, n, "'%s' must be %.0f to %.0f characters long, got %zu", path, r->lo, r->hi,
                    len);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = n->data.scalar.value[i];
        if (ch < 0x20 || ch == 0x7f)
            return fail(c, n, "'%s' must be printable text, got a control character", path);
    }
    memcpy(out, text(n), len + 1);
    return SS_OK;
}

static int name_index(const char *const *names, const char *t)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], t)) return i;
    return -1;
}

static const char *nearest(const char *const *names, const char *t)
{
    const char *best = NULL;
    int bd = 1 << 20;
    for (int i = 0; names[i]; i++) {
        int d = scn_edit_distance(t, names[i]);
        if (scn_close(t, names[i]) && d < bd) {
            best = names[i];
            bd = d;
        }
    }
    return best;
}

static int read_enum(const struct ctx *c, const yaml_node_t *n, const char *path,
                     const struct row *r, int *out)
{
    int rc = need_scalar(c, n, path, r, NULL);
    if (rc) return rc;
    int i = name_index(r->names, text(n));
    if (i >= 0) {
        *out = i;
        return SS_OK;
    }
    char all[400], hint[100] = "";
    join_names(r->names, ~0u, all, sizeof all);
    const char *near = nearest(r->names, text(n));
    if (near) snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
    return fail(c, n, "'%s' must be one of %s, got '%.60s'%s", path, all, text(n), hint);
}

static int read_bool(const struct ctx *c, const yaml_node_t *n, const char *path,
                     const struct row *r, int *out)
{
    int rc = need_scalar(c, n, path, r, NULL);
    if (rc) return rc;
    const char *t = text(n);
    if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE"))
        *out = 1;
    else if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE"))
        *out = 0;
    else
        return fail_type(c, n, path, r, NULL);
    return SS_OK;
}

/* --- lists ------------------------------------------------------------------- */

/* One number of a distribution, in the distribution row's own range. */
static const struct row one_value = {.type = T_REAL, .flags = F_DOMAIN};

static size_t seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_item(const struct ctx *c, const yaml_node_t *n, size_t i)
{
    return yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
}

/* Numbers of a list distribution; range is that of the distribution row. */
static int read_reals(const struct ctx *c, const yaml_node_t *n, const char *path,
                      const struct row *r, const struct row *parent, struct dist *d)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) return fail_type(c, n, path, r, parent);
    size_t len = seq_len(n);
    if (len > UINT32_MAX) return fail(c, n, "'%s' has too many values", path);
    double *v = mem_alloc_array(&c->s->mem, len, sizeof *v);
    if (!v) return err_nomem(c->err, "reading a list of values");
    for (size_t i = 0; i < len; i++) {
        int rc = read_real(c, seq_item(c, n, i), path, &one_value, parent ? parent : r, &v[i]);
        if (rc) {
            mem_free(&c->s->mem, v);
            return rc;
        }
    }
    mem_free(&c->s->mem, d->values);
    d->values = v;
    d->n_values = (uint32_t)len;
    return SS_OK;
}

static int read_ints(struct ctx *c, const yaml_node_t *n, const char *path, const struct row *r,
                     struct int_list *l)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) return fail_type(c, n, path, r, NULL);
    size_t len = seq_len(n);
    if (len > UINT32_MAX) return fail(c, n, "'%s' has too many values", path);
    int64_t *v = mem_alloc_array(&c->s->mem, len, sizeof *v);
    if (!v) return err_nomem(c->err, "reading a list of integers");
    for (size_t i = 0; i < len; i++) {
        int rc = read_int(c, seq_item(c, n, i), path, r, &v[i]);
        if (rc) {
            mem_free(&c->s->mem, v);
            return rc;
        }
    }
    mem_free(&c->s->mem, l->v);
    l->v = v;
    l->n = (uint32_t)len;
    return SS_OK;
}

static int read_groups(struct ctx *c, const yaml_node_t *n, const char *path, const struct row *r,
                       struct group_set *g)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) return fail_type(c, n, path, r, NULL);
    struct group_set tmp = {0};
    for (size_t i = 0; i < seq_len(n); i++) {
        yaml_node_t *e = seq_item(c, n, i);
        char g2[80];
        if (e->type != YAML_SCALAR_NODE)
            return fail(c, e, "'%s' expects a list of group names, got %s in it", path,
                        got(e, g2, sizeof g2));
        if (!scn_valid_name(text(e)))
            return fail(c, e, "'%s' has an invalid group name '%.60s' (%s)", path, text(e),
                        NAME_RULE);
        for (uint32_t j = 0; j < tmp.n; j++)
            if (!strcmp(tmp.name[j], text(e)))
                return fail(c, e, "'%s' lists group '%s' twice", path, text(e));
        if (tmp.n == MAX_GROUPS)
            return fail(c, e, "'%s' lists more than %d groups", path, MAX_GROUPS);
        strcpy(tmp.name[tmp.n++], text(e));
    }
    *g = tmp;
    return SS_OK;
}

/* --- composite values ------------------------------------------------------------ */

static int walk_map(struct ctx *c, const char *path, yaml_node_t *v);

/* A distribution is replaced whole: sub-keys left out are unset, and
 * scn_finish fills or asks for them. */
static void dist_blank(struct mem *m, struct dist *d)
{
    mem_free(m, d->values);
    memset(d, 0, sizeof *d);
    d->kind = -1;
    d->value = d->lo = d->hi = d->mean = d->sd = d->a = d->b = NAN;
}

static int apply_dist(struct ctx *c, const struct row *r, const char *path, yaml_node_t *v,
                      struct dist *d)
{
    dist_blank(&c->s->mem, d);
    if (v && v->type == YAML_MAPPING_NODE) return walk_map(c, path, v);
    if (v && v->type == YAML_SEQUENCE_NODE) {
        d->kind = DIST_LIST;
        return read_reals(c, v, path, r, NULL, d);
    }
    double x;
    if (!v || is_null(v) || parse_real(text(v), &x)) return fail_type(c, v, path, r, NULL);
    d->kind = DIST_CONSTANT;
    return read_real(c, v, path, &one_value, r, &d->value);
}

/* One entry of a named-values map (group -> number). */
static int apply_entry(struct ctx *c, const struct target *t, const char *path, yaml_node_t *key,
                       yaml_node_t *v)
{
    struct named_values *nv = (struct named_values *)(t->base + t->row->off);
    size_t plen = (size_t)(t->entry - path) - 1;
    if (!scn_valid_name(t->entry))
        return fail(c, key, "'%.*s' has an invalid group name '%.60s' (%s)", (int)plen, path,
                    t->entry, NAME_RULE);
    uint32_t i = 0;
    while (i < nv->n && strcmp(nv->name[i], t->entry)) i++;
    if (i == nv->n && nv->n == MAX_GROUPS)
        return fail(c, key, "'%.*s' has more than %d groups", (int)plen, path, MAX_GROUPS);
    double x = 0;
    int rc = read_real(c, v, path, t->row, NULL, &x);
    if (rc) return rc;
    if (i == nv->n) strcpy(nv->name[nv->n++], t->entry);
    nv->v[i] = x;
    return SS_OK;
}

static int apply_named(struct ctx *c, const struct row *r, const char *path, yaml_node_t *v,
                       struct named_values *nv)
{
    if (!v || v->type != YAML_MAPPING_NODE) return fail_type(c, v, path, r, NULL);
    nv->n = 0;
    int rc = walk_map(c, path, v);
    if (rc) return rc;
    if ((r->flags & F_NONEMPTY) && nv->n == 0)
        return fail(c, v, "'%s' needs at least one group", path);
    return SS_OK;
}

/* Writing a user-named family (layers) replaces it: every element is made
 * afresh from the template as its name is met. */
static int apply_family(struct ctx *c, const struct row *r, const char *path, yaml_node_t *v)
{
    if (!v || v->type != YAML_MAPPING_NODE) return fail_type(c, v, path, r, NULL);
    if (!r->fam->names) *(uint32_t *)((char *)&c->s->p + r->fam->count_off) = 0;
    return walk_map(c, path, v);
}

static int apply_row(struct ctx *c, const struct target *t, const char *path, yaml_node_t *v,
                     size_t mark)
{
    const struct row *r = t->row;
    char *addr = t->base + r->off;
    int64_t i64 = 0;
    int rc;
    switch (r->type) {
    case T_BOOL:
        return read_bool(c, v, path, r, (int *)addr);
    case T_INT:
        rc = read_int(c, v, path, r, &i64);
        if (!rc) *(int *)addr = (int)i64;
        return rc;
    case T_U32:
        rc = read_int(c, v, path, r, &i64);
        if (!rc) *(uint32_t *)addr = (uint32_t)i64;
        return rc;
    case T_U64:
        return read_u64(c, v, path, r, (uint64_t *)addr);
    case T_REAL:
    case T_PROB:
        return read_real(c, v, path, r, t->parent, (double *)addr);
    case T_STR:
        return read_str(c, v, path, r, addr);
    case T_ENUM:
        return read_enum(c, v, path, r, (int *)addr);
    case T_DIST:
        return apply_dist(c, r, path, v, (struct dist *)addr);
    case T_REALS:
        return read_reals(c, v, path, r, t->parent,
                          (struct dist *)(addr - offsetof(struct dist, values)));
    case T_INTS:
        rc = read_ints(c, v, path, r, (struct int_list *)addr);
        return rc ? rc : marks_positions(c, mark, v);
    case T_NAMED:
        return apply_named(c, r, path, v, (struct named_values *)addr);
    case T_GROUPS:
        rc = read_groups(c, v, path, r, (struct group_set *)addr);
        return rc ? rc : marks_positions(c, mark, v);
    case T_FAMILY:
        return apply_family(c, r, path, v);
    }
    return err_msg(c->err, SS_EINTERNAL, "unknown parameter type %d", (int)r->type);
}

/* --- key paths ---------------------------------------------------------------- */

static int comp_match(const struct row *r, const char *rc, const char *pc)
{
    if (strcmp(rc, "*")) return !strcmp(rc, pc);
    if (r->fam->names) return name_index(r->fam->names, pc) >= 0;
    return scn_valid_name(pc);
}

/* How many leading components of a row's key match the path's. */
static int match_depth(const struct row *r, const char **rc, int m, const char **pc, int n)
{
    int k = 0;
    while (k < m && k < n && comp_match(r, rc[k], pc[k])) k++;
    return k;
}

static int star_index(const char **rc, int m)
{
    for (int j = 0; j < m; j++)
        if (!strcmp(rc[j], "*")) return j;
    return -1;
}

static void join(char *out, size_t size, const char **comp, int n)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "." : "", comp[i]);
}

/* The element of a user-named family called name, made from the template
 * if new. elem_path is the element's key, for marks and defaults. */
static int family_element(struct ctx *c, const struct family *f, const char *name,
                          const char *elem_path, const yaml_node_t *key, uint32_t *index)
{
    char *p = (char *)&c->s->p;
    uint32_t *count = (uint32_t *)(p + f->count_off);
    for (uint32_t i = 0; i < *count; i++) {
        if (!strcmp(p + f->name_off + i * f->stride, name)) {
            *index = i;
            return SS_OK;
        }
    }
    if (*count == f->max) {
        size_t plen = (size_t)(scn_key_last(elem_path) - elem_path) - 1;
        return fail(c, key, "'%.*s' has more than %u %ss", (int)plen, elem_path, f->max, f->what);
    }
    uint32_t i = (*count)++;
    memset(p + f->elem_off + i * f->stride, 0, f->stride);
    strcpy(p + f->name_off + i * f->stride, name);
    char *base = p + i * f->stride;
    for (size_t j = 0; j < scn_n_rows; j++) {
        const struct row *r = &scn_rows[j];
        if (r->fam != f || r->type == T_FAMILY) continue;
        char sub[MAX_KEY];
        snprintf(sub, sizeof sub, "%s.%s", elem_path, scn_key_last(r->key));
        int rc = scn_apply_default(c->s, r, NULL, base, sub, c->err);
        if (rc) return rc;
    }
    *index = i;
    size_t mark;
    return marks_add(c, elem_path, key, &mark);
}

/* Where a matched row's fields live: params, or the family element named in
 * the path (made if new). */
static int row_base(struct ctx *c, const struct row *r, const char **rc, int m, const char **pc,
                    const yaml_node_t *key, char **base)
{
    char *p = (char *)&c->s->p;
    int j = star_index(rc, m);
    *base = p;
    if (j < 0) return SS_OK;
    const struct family *f = r->fam;
    uint32_t idx = 0;
    if (f->names) {
        idx = (uint32_t)name_index(f->names, pc[j]);
    } else {
        char ep[MAX_KEY];
        join(ep, sizeof ep, pc, j + 1);
        int rc2 = family_element(c, f, pc[j], ep, key, &idx);
        if (rc2) return rc2;
    }
    *base = p + (size_t)idx * f->stride;
    return SS_OK;
}

static int fail_unknown(struct ctx *c, const char **pc, int d, const yaml_node_t *key);

/* Resolve a dotted key against the table. */
static int resolve(struct ctx *c, const char *path, const yaml_node_t *key, struct target *t)
{
    char pbuf[MAX_KEY], rbuf[MAX_KEY];
    const char *pc[MAX_DEPTH], *rc[MAX_DEPTH];
    int n = scn_key_split(path, pbuf, pc), deepest = 0;
    memset(t, 0, sizeof *t);
    if (n < 0) return fail(c, key, "invalid key '%.200s'", path);
    const struct row *section = NULL, *composite = NULL;
    for (size_t i = 0; i < scn_n_rows; i++) {
        const struct row *r = &scn_rows[i];
        int m = scn_key_split(r->key, rbuf, rc), k = match_depth(r, rc, m, pc, n);
        if (k > deepest) deepest = k;
        if (k == n && m == n) {
            t->kind = TGT_ROW;
            t->row = r;
            return row_base(c, r, rc, m, pc, key, &t->base);
        }
        if (k == n && m > n && !section) section = r;
        if (k == m && n == m + 1 && (r->type == T_DIST || r->type == T_NAMED) && !composite)
            composite = r;
    }
    if (composite) {
        int m = scn_key_split(composite->key, rbuf, rc);
        int rc2 = row_base(c, composite, rc, m, pc, key, &t->base);
        if (rc2) return rc2;
        if (composite->type == T_NAMED) {
            t->kind = TGT_ENTRY;
            t->row = composite;
            t->entry = scn_key_last(path);
            return SS_OK;
        }
        for (size_t i = 0; i < scn_n_dist_rows; i++) {
            if (strcmp(scn_dist_rows[i].key, pc[n - 1])) continue;
            t->kind = TGT_ROW;
            t->row = &scn_dist_rows[i];
            t->parent = composite;
            t->base += composite->off;
            return SS_OK;
        }
        return fail_unknown(c, pc, n - 1, key);
    }
    if (section) {
        int m = scn_key_split(section->key, rbuf, rc);
        t->kind = TGT_SECTION;
        if (strcmp(rc[n - 1], "*")) return SS_OK;
        t->fam = section->fam;
        return row_base(c, section, rc, m, pc, key, &t->base);
    }
    return fail_unknown(c, pc, deepest, key);
}

/* The nearest candidate so far, copied (candidates are key components). */
struct hint {
    char best[MAX_NAME * 2]; /* nearest close candidate, or "" */
    int dist;                /* its edit distance */
};

static void consider(struct hint *h, const char *typed, const char *cand, size_t len)
{
    char buf[MAX_NAME * 2];
    if (len >= sizeof buf) return;
    memcpy(buf, cand, len);
    buf[len] = '\0';
    int d = scn_edit_distance(typed, buf);
    if (scn_close(typed, buf) && d < h->dist) {
        memcpy(h->best, buf, len + 1);
        h->dist = d;
    }
}

/* Component d of the path matches no row: name it, with the nearest key
 * at that level if one is close. */
static int fail_unknown(struct ctx *c, const char **pc, int d, const yaml_node_t *key)
{
    char rbuf[MAX_KEY], prefix[MAX_KEY];
    const char *rc[MAX_DEPTH];
    struct hint h = {"", 1 << 20};
    join(prefix, sizeof prefix, pc, d);
    for (size_t i = 0; i < scn_n_rows; i++) {
        const struct row *r = &scn_rows[i];
        int m = scn_key_split(r->key, rbuf, rc);
        if (match_depth(r, rc, m, pc, d) < d) continue;
        if (m > d && strcmp(rc[d], "*")) {
            consider(&h, pc[d], rc[d], strlen(rc[d]));
        } else if (m > d && r->fam->names) {
            for (int j = 0; r->fam->names[j]; j++)
                consider(&h, pc[d], r->fam->names[j], strlen(r->fam->names[j]));
        } else if (m > d) {
            return fail(c, key, "'%s' has an invalid %s name '%.60s' (%s)", prefix, r->fam->what,
                        pc[d], NAME_RULE);
        } else if (m == d && r->type == T_DIST) {
            for (size_t j = 0; j < scn_n_dist_rows; j++)
                consider(&h, pc[d], scn_dist_rows[j].key, strlen(scn_dist_rows[j].key));
        }
    }
    const char *dot = d ? "." : "";
    if (h.best[0])
        return fail(c, key, "unknown key '%s%s%.60s' (did you mean '%s%s%s'?)", prefix, dot, pc[d],
                    prefix, dot, h.best);
    return fail(c, key, "unknown key '%s%s%.60s'", prefix, dot, pc[d]);
}

/* Writing a key that holds a whole value replaces what was below it; a
 * section or a fixed family is only overlaid. */
static int replaces(const struct target *t)
{
    return t->kind != TGT_SECTION && !(t->row->type == T_FAMILY && t->row->fam->names);
}

static int apply_path(struct ctx *c, const char *path, yaml_node_t *key, yaml_node_t *v)
{
    struct target t;
    size_t mark = NO_MARK;
    int rc = resolve(c, path, key, &t);
    if (rc) return rc;
    if (c->src) {
        marks_drop(c->s, path, replaces(&t));
        rc = marks_add(c, path, key, &mark);
        if (rc) return rc;
    }
    if (t.kind == TGT_ENTRY) return apply_entry(c, &t, path, key, v);
    if (t.kind == TGT_ROW) return apply_row(c, &t, path, v, mark);
    if (is_null(v)) return SS_OK;
    if (v->type != YAML_MAPPING_NODE) {
        char g[80];
        if (t.fam)
            return fail(c, v, "'%s' expects a mapping of %s settings, got %s", path, t.fam->what,
                        got(v, g, sizeof g));
        return fail(c, v, "'%s' expects a mapping of keys, got %s", path, got(v, g, sizeof g));
    }
    return walk_map(c, path, v);
}

static int walk_map(struct ctx *c, const char *path, yaml_node_t *v)
{
    yaml_node_pair_t *first = v->data.mapping.pairs.start, *top = v->data.mapping.pairs.top;
    for (yaml_node_pair_t *p = first; p < top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *val = yaml_document_get_node(c->doc, p->value);
        char g[80], child[MAX_KEY];
        if (k->type != YAML_SCALAR_NODE)
            return fail(c, k, "keys must be names, got %s", got(k, g, sizeof g));
        const char *name = text(k);
        if (!*name || strchr(name, '.'))
            return fail(c, k, "invalid key '%.60s' (write nested mappings, not dotted keys)", name);
        int len = snprintf(child, sizeof child, "%s%s%s", path, *path ? "." : "", name);
        if (len < 0 || (size_t)len >= sizeof child)
            return fail(c, k, "invalid key '%.60s' (too long)", name);
        for (yaml_node_pair_t *q = first; q < p; q++) {
            yaml_node_t *qk = yaml_document_get_node(c->doc, q->key);
            if (qk->type == YAML_SCALAR_NODE && !strcmp(text(qk), name))
                return fail(c, k, "duplicate key '%s'", child);
        }
        int rc = apply_path(c, child, k, val);
        if (rc) return rc;
    }
    return SS_OK;
}

/* --- entry points --------------------------------------------------------------- */

int scn_apply(struct scenario *s, const char *src, int has_pos, yaml_document_t *doc,
              const char *path, yaml_node_t *key, yaml_node_t *v, struct ss_error *err)
{
    struct ctx c = {s, src, has_pos, doc, err};
    return apply_path(&c, path, key, v);
}

int scn_apply_root(struct scenario *s, const char *src, yaml_document_t *doc, yaml_node_t *root,
                   struct ss_error *err)
{
    struct ctx c = {s, src, 1, doc, err};
    char g[80];
    if (is_null(root)) return SS_OK;
    if (root->type != YAML_MAPPING_NODE)
        return fail(&c, root, "a scenario file expects a mapping of keys, got %s",
                    got(root, g, sizeof g));
    return walk_map(&c, "", root);
}

int scn_apply_default(struct scenario *s, const struct row *r, const struct row *parent, char *base,
                      const char *path, struct ss_error *err)
{
    if (!r->def) {
        scn_field_clear(&s->mem, r, base + r->off);
        return SS_OK;
    }
    yaml_parser_t y;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&y)) return err_nomem(err, "reading a default");
    yaml_parser_set_input_string(&y, (const unsigned char *)r->def, strlen(r->def));
    if (!yaml_parser_load(&y, &doc)) {
        int rc = scn_yaml_error(&y, "built-in default", 0, err);
        yaml_parser_delete(&y);
        return rc == SS_EINPUT ? SS_EINTERNAL : rc;
    }
    struct ctx c = {s, NULL, 0, &doc, err};
    struct target t = {.kind = TGT_ROW, .row = r, .parent = parent, .base = base};
    int rc = apply_row(&c, &t, path, yaml_document_get_root_node(&doc), NO_MARK);
    yaml_document_delete(&doc);
    yaml_parser_delete(&y);
    return rc;
}

int scn_yaml_error(const yaml_parser_t *y, const char *src, int has_pos, struct ss_error *err)
{
    if (y->error == YAML_MEMORY_ERROR) return err_nomem(err, "reading YAML");
    const char *problem = y->problem ? y->problem : "unreadable input";
    int placed = has_pos && y->error != YAML_READER_ERROR;
    int line = placed ? (int)y->problem_mark.line + 1 : 0;
    int col = placed ? (int)y->problem_mark.column + 1 : 0;
    if (y->context)
        return err_set(err, SS_EINPUT, src, line, col, "invalid YAML: %s (%s)", problem,
                       y->context);
    return err_set(err, SS_EINPUT, src, line, col, "invalid YAML: %s", problem);
}
