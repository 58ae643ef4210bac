/*
 * scenario_yaml.c - reading YAML nodes into struct params, driven by the
 * parameter table. A file, a --set value and every built-in default go
 * through the same path: a dotted key is resolved against the table (with
 * family elements and distribution sub-keys), mappings are walked key by
 * key, and the row's type reads and checks the node (scenario_value.c).
 * Also owns the marks: where the user wrote each key, for cross-key errors
 * found later by scn_finish.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/text.h"
#include "scenario/scenario.h"
#include "scenario/scenario_impl.h"

#define NO_MARK SIZE_MAX

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

static int apply_path(struct scn_ctx *c, const char *path, yaml_node_t *key, yaml_node_t *v);

/* --- marks ----------------------------------------------------------------- */

const struct mark *scn_mark_find(const struct scenario *s, const char *key)
{
    for (size_t i = s->n_marks; i-- > 0;)
        if (!strcmp(s->marks[i].key, key)) return &s->marks[i];
    return NULL;
}

int scn_mark_on_command_line(const struct scenario *s, const char *key)
{
    const struct mark *k = scn_mark_find(s, key);
    return k && k->line == 0 && k->src && !strncmp(k->src, "--set ", 6);
}

int scn_horizon_shortened(const struct scenario *s)
{
    return s->effective || scn_mark_on_command_line(s, "days");
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
static int marks_add(struct scn_ctx *c, const char *path, const yaml_node_t *key, size_t *index)
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
static int marks_positions(struct scn_ctx *c, size_t index, yaml_node_t *seq)
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

/* --- composite values ------------------------------------------------------------ */

static int walk_map(struct scn_ctx *c, const char *path, yaml_node_t *v);

/* A distribution is replaced whole: sub-keys left out are unset, and
 * scn_finish fills or asks for them. */
static void dist_blank(struct mem *m, struct dist *d)
{
    mem_free(m, d->values);
    memset(d, 0, sizeof *d);
    d->kind = -1;
    d->value = d->lo = d->hi = d->mean = d->sd = d->a = d->b = NAN;
}

static int apply_dist(struct scn_ctx *c, const struct row *r, const char *path, yaml_node_t *v,
                      struct dist *d)
{
    dist_blank(&c->s->mem, d);
    if (v && v->type == YAML_MAPPING_NODE) return walk_map(c, path, v);
    return scn_read_dist(c, r, path, v, d);
}

/* One entry of a named-values map (group -> number). */
static int apply_entry(struct scn_ctx *c, const struct target *t, const char *path,
                       yaml_node_t *key, yaml_node_t *v)
{
    struct named_values *nv = (struct named_values *)(t->base + t->row->off);
    size_t plen = (size_t)(t->entry - path) - 1;
    if (!scn_valid_name(t->entry))
        return scn_fail(c, key, "'%.*s' has an invalid group name '%.60s' (%s)", (int)plen, path,
                        t->entry, SCN_NAME_RULE);
    uint32_t i = 0;
    while (i < nv->n && strcmp(nv->name[i], t->entry)) i++;
    if (i == nv->n && nv->n == MAX_GROUPS)
        return scn_fail(c, key, "'%.*s' has more than %d groups", (int)plen, path, MAX_GROUPS);
    double x = 0;
    int rc = scn_read_real(c, v, path, t->row, NULL, &x);
    if (rc) return rc;
    if (i == nv->n) strcpy(nv->name[nv->n++], t->entry);
    nv->v[i] = x;
    return SS_OK;
}

/* Errors kept so far (none without c->all). */
static int kept(const struct scn_ctx *c)
{
    return c->all ? c->all->n + c->all->more : 0;
}

static int apply_named(struct scn_ctx *c, const struct row *r, const char *path, yaml_node_t *v,
                       struct named_values *nv)
{
    if (!v || v->type != YAML_MAPPING_NODE) return scn_fail_type(c, v, path, r, NULL);
    nv->n = 0;
    const int before = kept(c);
    int rc = walk_map(c, path, v);
    if (rc) return rc;
    /* entries that failed are not missing: say nothing more */
    if (kept(c) > before) return SS_OK;
    if ((r->flags & F_NONEMPTY) && nv->n == 0)
        return scn_fail(c, v, "'%s' needs at least one group", path);
    return SS_OK;
}

/* Writing a user-named family (layers) replaces it: every element is made
 * afresh from the template as its name is met. */
static int apply_family(struct scn_ctx *c, const struct row *r, const char *path, yaml_node_t *v)
{
    if (!v || v->type != YAML_MAPPING_NODE) return scn_fail_type(c, v, path, r, NULL);
    if (!r->fam->names) *(uint32_t *)((char *)&c->s->p + r->fam->count_off) = 0;
    return walk_map(c, path, v);
}

static int apply_row(struct scn_ctx *c, const struct target *t, const char *path, yaml_node_t *v,
                     size_t mark)
{
    const struct row *r = t->row;
    char *addr = t->base + r->off;
    int rc;
    switch (r->type) {
    case T_DIST:
        return apply_dist(c, r, path, v, (struct dist *)addr);
    case T_NAMED:
        return apply_named(c, r, path, v, (struct named_values *)addr);
    case T_FAMILY:
        return apply_family(c, r, path, v);
    case T_SCHEDULE:
        return scn_read_schedule(c, path, v, (struct schedule *)addr);
    case T_INTS:
    case T_GROUPS:
        rc = scn_read_value(c, r, t->parent, path, v, addr);
        return rc ? rc : marks_positions(c, mark, v);
    default:
        return scn_read_value(c, r, t->parent, path, v, addr);
    }
}

/* --- key paths ---------------------------------------------------------------- */

static int comp_match(const struct row *r, const char *rc, const char *pc)
{
    if (strcmp(rc, "*")) return !strcmp(rc, pc);
    if (r->fam->names) return scn_name_index(r->fam->names, pc) >= 0;
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

/* The element of a user-named family called name, made from the template
 * if new. elem_path is the element's key, for marks and defaults. */
static int family_element(struct scn_ctx *c, const struct family *f, const char *name,
                          const char *elem_path, const yaml_node_t *key, int create,
                          uint32_t *index)
{
    char *p = (char *)&c->s->p;
    uint32_t *count = (uint32_t *)(p + f->count_off);
    for (uint32_t i = 0; i < *count; i++) {
        if (!strcmp(p + f->name_off + i * f->stride, name)) {
            *index = i;
            return SS_OK;
        }
    }
    if (!create)
        return scn_fail(c, key, "'%s': there is no %s named '%s'", elem_path, f->what, name);
    if (*count == f->max) {
        size_t plen = (size_t)(scn_key_last(elem_path) - elem_path) - 1;
        return scn_fail(c, key, "'%.*s' has more than %u %ss", (int)plen, elem_path, f->max,
                        f->what);
    }
    uint32_t i = (*count)++;
    memset(p + f->elem_off + i * f->stride, 0, f->stride);
    strcpy(p + f->name_off + i * f->stride, name);
    char *base = p + i * f->stride;
    for (size_t j = 0; j < scn_n_rows; j++) {
        const struct row *r = &scn_rows[j];
        if (r->fam != f || r->type == T_FAMILY) continue;
        char sub[MAX_KEY];
        const char *parts[2] = {elem_path, scn_key_last(r->key)};
        scn_key_join(sub, sizeof sub, parts, 2);
        int rc = scn_apply_default(c->s, r, NULL, base, sub, c->err);
        if (rc) return rc;
    }
    *index = i;
    size_t mark;
    return marks_add(c, elem_path, key, &mark);
}

/* Where a matched row's fields live: params, or the family element named in
 * the path (made if new). */
static int row_base(struct scn_ctx *c, const struct row *r, const char **rc, int m, const char **pc,
                    const yaml_node_t *key, int create, char **base)
{
    char *p = (char *)&c->s->p;
    int j = star_index(rc, m);
    *base = p;
    if (j < 0) return SS_OK;
    const struct family *f = r->fam;
    uint32_t idx = 0;
    if (f->names) {
        idx = (uint32_t)scn_name_index(f->names, pc[j]);
    } else {
        char ep[MAX_KEY];
        scn_key_join(ep, sizeof ep, pc, j + 1);
        int rc2 = family_element(c, f, pc[j], ep, key, create, &idx);
        if (rc2) return rc2;
    }
    *base = p + (size_t)idx * f->stride;
    return SS_OK;
}

static int fail_unknown(struct scn_ctx *c, const char **pc, int d, const yaml_node_t *key);

/* Resolve a dotted key against the table. */
static int resolve(struct scn_ctx *c, const char *path, const yaml_node_t *key, int create,
                   struct target *t)
{
    char pbuf[MAX_KEY], rbuf[MAX_KEY];
    const char *pc[MAX_DEPTH], *rc[MAX_DEPTH];
    int n = scn_key_split(path, pbuf, pc), deepest = 0;
    memset(t, 0, sizeof *t);
    if (n < 0) return scn_fail(c, key, "invalid key '%.200s'", path);
    const struct row *section = NULL, *composite = NULL;
    for (size_t i = 0; i < scn_n_rows; i++) {
        const struct row *r = &scn_rows[i];
        int m = scn_key_split(r->key, rbuf, rc), k = match_depth(r, rc, m, pc, n);
        if (k > deepest) deepest = k;
        if (k == n && m == n) {
            t->kind = TGT_ROW;
            t->row = r;
            return row_base(c, r, rc, m, pc, key, create, &t->base);
        }
        if (k == n && m > n && !section) section = r;
        if (k == m && n == m + 1 && (r->type == T_DIST || r->type == T_NAMED) && !composite)
            composite = r;
    }
    if (composite) {
        int m = scn_key_split(composite->key, rbuf, rc);
        int rc2 = row_base(c, composite, rc, m, pc, key, create, &t->base);
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
        return row_base(c, section, rc, m, pc, key, create, &t->base);
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
static int fail_unknown(struct scn_ctx *c, const char **pc, int d, const yaml_node_t *key)
{
    char rbuf[MAX_KEY], prefix[MAX_KEY];
    const char *rc[MAX_DEPTH];
    struct hint h = {"", 1 << 20};
    scn_key_join(prefix, sizeof prefix, pc, d);
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
            return scn_fail(c, key, "'%s' has an invalid %s name '%.60s' (%s)", prefix,
                            r->fam->what, pc[d], SCN_NAME_RULE);
        } else if (m == d && r->type == T_DIST) {
            for (size_t j = 0; j < scn_n_dist_rows; j++)
                consider(&h, pc[d], scn_dist_rows[j].key, strlen(scn_dist_rows[j].key));
        }
    }
    const char *dot = d ? "." : "";
    if (h.best[0])
        return scn_fail(c, key, "unknown key '%s%s%.60s' (did you mean '%s%s%s'?)", prefix, dot,
                        pc[d], prefix, dot, h.best);
    return scn_fail(c, key, "unknown key '%s%s%.60s'", prefix, dot, pc[d]);
}

/* Writing a key that holds a whole value replaces what was below it; a
 * section or a fixed family is only overlaid. */
static int replaces(const struct target *t)
{
    return t->kind != TGT_SECTION && !(t->row->type == T_FAMILY && t->row->fam->names);
}

static int apply_path(struct scn_ctx *c, const char *path, yaml_node_t *key, yaml_node_t *v)
{
    struct target t;
    size_t mark = NO_MARK;
    int rc = resolve(c, path, key, 1, &t);
    if (rc) return rc;
    if (c->src) {
        marks_drop(c->s, path, replaces(&t));
        rc = marks_add(c, path, key, &mark);
        if (rc) return rc;
    }
    if (t.kind == TGT_ENTRY) return apply_entry(c, &t, path, key, v);
    if (t.kind == TGT_ROW) return apply_row(c, &t, path, v, mark);
    if (scn_node_null(v)) return SS_OK;
    if (v->type != YAML_MAPPING_NODE) {
        char g[80];
        if (t.fam)
            return scn_fail(c, v, "'%s' expects a mapping of %s settings, got %s", path,
                            t.fam->what, scn_node_got(v, g, sizeof g));
        return scn_fail(c, v, "'%s' expects a mapping of keys, got %s", path,
                        scn_node_got(v, g, sizeof g));
    }
    return walk_map(c, path, v);
}

/* One key and its value of a mapping at path. */
static int walk_pair(struct scn_ctx *c, const char *path, yaml_node_pair_t *first,
                     yaml_node_pair_t *p)
{
    yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
    yaml_node_t *val = yaml_document_get_node(c->doc, p->value);
    char g[80], child[MAX_KEY];
    if (k->type != YAML_SCALAR_NODE)
        return scn_fail(c, k, "keys must be names, got %s", scn_node_got(k, g, sizeof g));
    const char *name = scn_node_text(k);
    if (!*name || strchr(name, '.'))
        return scn_fail(c, k, "invalid key '%.60s' (write nested mappings, not dotted keys)", name);
    int len = snprintf(child, sizeof child, "%s%s%s", path, *path ? "." : "", name);
    if (len < 0 || (size_t)len >= sizeof child)
        return scn_fail(c, k, "invalid key '%.60s' (too long)", name);
    for (yaml_node_pair_t *q = first; q < p; q++) {
        yaml_node_t *qk = yaml_document_get_node(c->doc, q->key);
        if (qk->type == YAML_SCALAR_NODE && !strcmp(scn_node_text(qk), name))
            return scn_fail(c, k, "duplicate key '%s'", child);
    }
    return apply_path(c, child, k, val);
}

/* The keys of a mapping, in order. Collecting (c->all), an input error of
 * one key is kept and the next key is read: keys are independent, and a
 * key that failed leaves its field set or unset, never half-owned (lists
 * are replaced only once read whole). Anything else stops the walk. */
static int walk_map(struct scn_ctx *c, const char *path, yaml_node_t *v)
{
    yaml_node_pair_t *first = v->data.mapping.pairs.start, *top = v->data.mapping.pairs.top;
    /* each key is compared with those before it (duplicates): bounded
     * here, far above the largest mapping the table has */
    if (top - first > SCN_MAX_MAP_KEYS)
        return scn_fail(c, v, "a mapping of %ld keys: expected at most %d (docs/scenario.md)",
                        (long)(top - first), SCN_MAX_MAP_KEYS);
    for (yaml_node_pair_t *p = first; p < top; p++) {
        int rc = walk_pair(c, path, first, p);
        if (rc == SS_EINPUT && c->all)
            ss_errors_add(c->all, c->err);
        else if (rc)
            return rc;
    }
    return SS_OK;
}

/* --- entry points --------------------------------------------------------------- */

int scn_apply(struct scenario *s, const char *src, int has_pos, yaml_document_t *doc,
              const char *path, yaml_node_t *key, yaml_node_t *v, struct ss_error *err)
{
    struct scn_ctx c = {s, src, has_pos, doc, err, NULL};
    return apply_path(&c, path, key, v);
}

int scn_apply_root(struct scenario *s, const char *src, yaml_document_t *doc, yaml_node_t *root,
                   struct ss_errors *all, struct ss_error *err)
{
    struct scn_ctx c = {s, src, 1, doc, err, all};
    char g[80];
    if (scn_node_null(root)) return SS_OK;
    if (root->type != YAML_MAPPING_NODE)
        return scn_fail(&c, root, "a scenario file expects a mapping of keys, got %s",
                        scn_node_got(root, g, sizeof g));
    const int before = kept(&c);
    int rc = walk_map(&c, "", root);
    if (rc || kept(&c) == before) return rc;
    /* the one error path: err holds the first error this walk kept */
    if (err && before < SS_MAX_ERRORS) *err = all->e[before];
    return SS_EINPUT;
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
        int rc = scn_yaml_error(&y, "built-in default", 0, NULL, 0, err);
        yaml_parser_delete(&y);
        return rc == SS_EINPUT ? SS_EINTERNAL : rc;
    }
    struct scn_ctx c = {s, NULL, 0, &doc, err, NULL};
    struct target t = {.kind = TGT_ROW, .row = r, .parent = parent, .base = base};
    int rc = apply_row(&c, &t, path, yaml_document_get_root_node(&doc), NO_MARK);
    yaml_document_delete(&doc);
    yaml_parser_delete(&y);
    return rc;
}

int scn_yaml_error(const yaml_parser_t *y, const char *src, int has_pos, const char *text,
                   size_t len, struct ss_error *err)
{
    if (y->error == YAML_MEMORY_ERROR) return err_nomem(err, "reading YAML");
    const char *problem = y->problem ? y->problem : "unreadable input";
    int line = 0, col = 0;
    if (has_pos && y->error == YAML_READER_ERROR && text) {
        /* the reader knows only a byte offset (a control character, a
         * byte that is not UTF-8): counted from the text read */
        text_position(text, len, y->problem_offset, &line, &col);
        if (y->problem_value >= 0)
            return err_set(err, SS_EINPUT, src, line, col, "invalid YAML: %s (character U+%04X)",
                           problem, (unsigned)y->problem_value);
        return err_set(err, SS_EINPUT, src, line, col, "invalid YAML: %s", problem);
    }
    if (has_pos && y->error != YAML_READER_ERROR) {
        line = (int)y->problem_mark.line + 1;
        col = (int)y->problem_mark.column + 1;
    }
    if (y->context)
        return err_set(err, SS_EINPUT, src, line, col, "invalid YAML: %s (%s)", problem,
                       y->context);
    return err_set(err, SS_EINPUT, src, line, col, "invalid YAML: %s", problem);
}

int scn_lookup(struct scn_ctx *c, const char *path, const yaml_node_t *key, const struct row **row,
               size_t *off)
{
    struct target t;
    int rc = resolve(c, path, key, 0, &t);
    if (rc) return rc;
    if (t.kind != TGT_ROW || t.parent)
        return scn_fail(c, key, "'%s' is not a single value that can change", path);
    *row = t.row;
    *off = (size_t)(t.base + t.row->off - (char *)&c->s->p);
    return SS_OK;
}

/* What a row that is not one number holds, for "... is not a number". */
static const char *holds(const struct row *r)
{
    switch (r->type) {
    case T_BOOL:
        return "a switch (true or false)";
    case T_U64:
        return "the random seed";
    case T_STR:
        return "text";
    case T_ENUM:
        return "a choice of names";
    case T_DATE:
        return "a date";
    case T_REALS:
    case T_INTS:
    case T_GROUPS:
    case T_SCHEDULE:
        return "a list";
    default:
        return "a mapping";
    }
}

int scn_number_of(struct scenario *s, const char *key, const char *src, struct scn_number *out,
                  struct ss_error *err)
{
    struct scn_ctx c = {s, src, 0, NULL, err, NULL};
    struct target t;
    int rc = resolve(&c, key, NULL, 0, &t);
    if (rc) return rc;
    if (t.kind == TGT_SECTION)
        return scn_fail(&c, NULL, "'%s' is a section of keys, not a number", key);
    if (t.kind == TGT_ENTRY) {
        *out = (struct scn_number){SCN_NUM_REAL, 0};
        return SS_OK;
    }
    const struct row *r = t.row;
    switch (r->type) {
    case T_INT:
    case T_U32:
        *out = (struct scn_number){SCN_NUM_INT, (r->flags & F_EVEN) != 0};
        return SS_OK;
    case T_REAL:
        *out = (struct scn_number){SCN_NUM_REAL, 0};
        return SS_OK;
    case T_PROB:
        *out = (struct scn_number){SCN_NUM_PROB, 0};
        return SS_OK;
    case T_DIST:
        return scn_fail(&c, NULL,
                        "'%s' is a distribution, not a number: vary one of its numbers "
                        "('%s.value', '%s.mean', ...)",
                        key, key, key);
    default:
        return scn_fail(&c, NULL, "'%s' is not a number: it holds %s", key, holds(r));
    }
}
