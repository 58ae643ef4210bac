/*
 * scenario_value.c - reading one YAML node as the value of a parameter row
 * (for scenario_yaml.c, which finds the row): scalars, lists and a
 * distribution's short forms, each checked against the row's type and
 * range, and the messages that say what a row expects and what it got.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/text.h"
#include "scenario/scenario_impl.h"

/* --- messages ------------------------------------------------------------ */

int scn_fail(const struct scn_ctx *c, const yaml_node_t *n, const char *fmt, ...)
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

const char *scn_node_text(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

int scn_node_null(const yaml_node_t *n)
{
    if (!n) return 1;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *t = scn_node_text(n);
    return !*t || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") || !strcmp(t, "NULL");
}

const char *scn_node_got(const yaml_node_t *n, char *buf, size_t size)
{
    if (!n || scn_node_null(n)) return "nothing";
    if (n->type == YAML_MAPPING_NODE) return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE) return "a list";
    size_t len = strlen(scn_node_text(n));
    snprintf(buf, size, "'%.60s%s'", scn_node_text(n), len > 60 ? "..." : "");
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
    case T_DATE:
        snprintf(buf, size, "a date YYYY-MM-DD");
        break;
    case T_SCHEDULE:
        snprintf(buf, size, "a list of changes");
        break;
    }
}

int scn_fail_type(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                  const struct row *r, const struct row *parent)
{
    char want[512], g[80];
    describe(r, parent, want, sizeof want);
    return scn_fail(c, n, "'%s' expects %s, got %s", path, want, scn_node_got(n, g, sizeof g));
}

static int fail_range(const struct scn_ctx *c, const yaml_node_t *n, const char *path, double lo,
                      double hi, unsigned flags)
{
    char a[32], b[32];
    fmt_num(lo, a, sizeof a);
    fmt_num(hi, b, sizeof b);
    if (isfinite(lo) && isfinite(hi))
        return scn_fail(c, n, "'%s' must be between %s and %s, got %s", path, a, b,
                        scn_node_text(n));
    if (isfinite(lo))
        return scn_fail(c, n, "'%s' must be %s %s, got %s", path,
                        (flags & F_GT_LO) ? "greater than" : "at least", a, scn_node_text(n));
    return scn_fail(c, n, "'%s' must be at most %s, got %s", path, b, scn_node_text(n));
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

static int need_scalar(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                       const struct row *r, const struct row *parent)
{
    if (!n || n->type != YAML_SCALAR_NODE || scn_node_null(n))
        return scn_fail_type(c, n, path, r, parent);
    return SS_OK;
}

static int read_int(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                    const struct row *r, int64_t *out)
{
    int rc = need_scalar(c, n, path, r, NULL);
    if (rc) return rc;
    int64_t v;
    int p = parse_i64(scn_node_text(n), &v);
    if (p < 0) return scn_fail_type(c, n, path, r, NULL);
    if (p > 0 || (double)v < r->lo || (double)v > r->hi)
        return fail_range(c, n, path, r->lo, r->hi, 0);
    if ((r->flags & F_EVEN) && v % 2)
        return scn_fail(c, n, "'%s' must be even, got %s", path, scn_node_text(n));
    *out = v;
    return SS_OK;
}

static int read_u64(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                    const struct row *r, uint64_t *out)
{
    int rc = need_scalar(c, n, path, r, NULL);
    if (rc) return rc;
    const char *t = scn_node_text(n), *d = t + (*t == '+' || *t == '-');
    if (!*d || strspn(d, "0123456789") != strlen(d)) return scn_fail_type(c, n, path, r, NULL);
    errno = 0;
    unsigned long long x = strtoull(d, NULL, 10);
    if (errno == ERANGE || (*t == '-' && x != 0))
        return scn_fail(c, n, "'%s' must be between 0 and %" PRIu64 ", got %s", path, UINT64_MAX,
                        t);
    *out = (uint64_t)x;
    return SS_OK;
}

int scn_read_real(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                  const struct row *r, const struct row *parent, double *out)
{
    int rc = need_scalar(c, n, path, r, parent);
    if (rc) return rc;
    double v, lo, hi;
    if (parse_real(scn_node_text(n), &v)) return scn_fail_type(c, n, path, r, parent);
    scn_row_range(r, parent, &lo, &hi);
    int below = (r->flags & F_GT_LO) ? v <= lo : v < lo;
    if (below || v > hi) return fail_range(c, n, path, lo, hi, r->flags);
    *out = v;
    return SS_OK;
}

/* A calendar date, YYYY-MM-DD (a real day), as days since 1970-01-01. */
static int read_date(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                     const struct row *r, int32_t *out)
{
    int rc = need_scalar(c, n, path, r, NULL);
    if (rc) return rc;
    if (text_date_parse(scn_node_text(n), out) != 0) {
        char g[80];
        return scn_fail(c, n,
                        "'%s' expects a date YYYY-MM-DD (a real day of years 1000-9999), got %s",
                        path, scn_node_got(n, g, sizeof g));
    }
    return SS_OK;
}

static int read_str(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                    const struct row *r, char *out)
{
    int rc = need_scalar(c, n, path, r, NULL);
    if (rc) return rc;
    size_t len = n->data.scalar.length;
    if (len < (size_t)r->lo || len > (size_t)r->hi)
        return scn_fail(c, n, "'%s' must be %.0f to %.0f characters long, got %zu", path, r->lo,
                        r->hi, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = n->data.scalar.value[i];
        if (ch < 0x20 || ch == 0x7f)
            return scn_fail(c, n, "'%s' must be printable text, got a control character", path);
    }
    memcpy(out, scn_node_text(n), len + 1);
    return SS_OK;
}

int scn_name_index(const char *const *names, const char *t)
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

static int read_enum(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                     const struct row *r, int *out)
{
    int rc = need_scalar(c, n, path, r, NULL);
    if (rc) return rc;
    int i = scn_name_index(r->names, scn_node_text(n));
    if (i >= 0) {
        *out = i;
        return SS_OK;
    }
    char all[400], hint[100] = "";
    join_names(r->names, ~0u, all, sizeof all);
    const char *near = nearest(r->names, scn_node_text(n));
    if (near) snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
    return scn_fail(c, n, "'%s' must be one of %s, got '%.60s'%s", path, all, scn_node_text(n),
                    hint);
}

static int read_bool(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                     const struct row *r, int *out)
{
    int rc = need_scalar(c, n, path, r, NULL);
    if (rc) return rc;
    const char *t = scn_node_text(n);
    if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE"))
        *out = 1;
    else if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE"))
        *out = 0;
    else
        return scn_fail_type(c, n, path, r, NULL);
    return SS_OK;
}

/* --- lists ------------------------------------------------------------------- */

/* One number of a distribution, in the distribution row's own range. */
static const struct row one_value = {.type = T_REAL, .flags = F_DOMAIN};

static size_t seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_item(const struct scn_ctx *c, const yaml_node_t *n, size_t i)
{
    return yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
}

/* Numbers of a list distribution; range is that of the distribution row. */
static int read_reals(const struct scn_ctx *c, const yaml_node_t *n, const char *path,
                      const struct row *r, const struct row *parent, struct dist *d)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) return scn_fail_type(c, n, path, r, parent);
    size_t len = seq_len(n);
    if (len > UINT32_MAX) return scn_fail(c, n, "'%s' has too many values", path);
    double *v = mem_alloc_array(&c->s->mem, len, sizeof *v);
    if (!v) return err_nomem(c->err, "reading a list of values");
    for (size_t i = 0; i < len; i++) {
        int rc = scn_read_real(c, seq_item(c, n, i), path, &one_value, parent ? parent : r, &v[i]);
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

static int read_ints(struct scn_ctx *c, const yaml_node_t *n, const char *path, const struct row *r,
                     struct int_list *l)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) return scn_fail_type(c, n, path, r, NULL);
    size_t len = seq_len(n);
    if (len > UINT32_MAX) return scn_fail(c, n, "'%s' has too many values", path);
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

static int read_groups(struct scn_ctx *c, const yaml_node_t *n, const char *path,
                       const struct row *r, struct group_set *g)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) return scn_fail_type(c, n, path, r, NULL);
    struct group_set tmp = {0};
    for (size_t i = 0; i < seq_len(n); i++) {
        yaml_node_t *e = seq_item(c, n, i);
        char g2[80];
        if (e->type != YAML_SCALAR_NODE)
            return scn_fail(c, e, "'%s' expects a list of group names, got %s in it", path,
                            scn_node_got(e, g2, sizeof g2));
        if (!scn_valid_name(scn_node_text(e)))
            return scn_fail(c, e, "'%s' has an invalid group name '%.60s' (%s)", path,
                            scn_node_text(e), SCN_NAME_RULE);
        for (uint32_t j = 0; j < tmp.n; j++)
            if (!strcmp(tmp.name[j], scn_node_text(e)))
                return scn_fail(c, e, "'%s' lists group '%s' twice", path, scn_node_text(e));
        if (tmp.n == MAX_GROUPS)
            return scn_fail(c, e, "'%s' lists more than %d groups", path, MAX_GROUPS);
        strcpy(tmp.name[tmp.n++], scn_node_text(e));
    }
    *g = tmp;
    return SS_OK;
}

/* --- a row's value ------------------------------------------------------------ */

int scn_read_dist(const struct scn_ctx *c, const struct row *r, const char *path,
                  const yaml_node_t *v, struct dist *d)
{
    if (v && v->type == YAML_SEQUENCE_NODE) {
        d->kind = DIST_LIST;
        return read_reals(c, v, path, r, NULL, d);
    }
    double x;
    if (!v || scn_node_null(v) || parse_real(scn_node_text(v), &x))
        return scn_fail_type(c, v, path, r, NULL);
    d->kind = DIST_CONSTANT;
    return scn_read_real(c, v, path, &one_value, r, &d->value);
}

int scn_read_value(struct scn_ctx *c, const struct row *r, const struct row *parent,
                   const char *path, const yaml_node_t *v, char *addr)
{
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
        return scn_read_real(c, v, path, r, parent, (double *)addr);
    case T_STR:
        return read_str(c, v, path, r, addr);
    case T_ENUM:
        return read_enum(c, v, path, r, (int *)addr);
    case T_REALS:
        return read_reals(c, v, path, r, parent,
                          (struct dist *)(addr - offsetof(struct dist, values)));
    case T_INTS:
        return read_ints(c, v, path, r, (struct int_list *)addr);
    case T_GROUPS:
        return read_groups(c, v, path, r, (struct group_set *)addr);
    case T_DATE:
        return read_date(c, v, path, r, (int32_t *)addr);
    default:
        break;
    }
    return err_msg(c->err, SS_EINTERNAL, "parameter type %d is not read from one node",
                   (int)r->type);
}
