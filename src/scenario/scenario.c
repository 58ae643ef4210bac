/*
 * scenario.c - the scenario object: the seed defaults, loading a file,
 * --set overrides, access and freeing. The cross-key checks of scn_finish
 * (which also resolve group names to indices and drop disabled layers)
 * are in scenario_check.c; reading YAML is in scenario_yaml.c (where a key
 * goes) and scenario_value.c (a node as a value), the table in
 * scenario_table.c, printing in scenario_print.c and the docs in
 * scenario_docs.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/file.h"
#include "core/sys.h"
#include "scenario/scenario.h"
#include "scenario/scenario_impl.h"

/* --- building --------------------------------------------------------------- */

/* Every row's default, then each family's: fixed elements start from the
 * row templates, user-named ones are made by the family default itself. */
static int set_defaults(struct scenario *s, struct ss_error *err)
{
    char *p = (char *)&s->p;
    char path[MAX_KEY];
    for (size_t i = 0; i < scn_n_rows; i++) {
        const struct row *r = &scn_rows[i];
        if (r->fam && r->type != T_FAMILY) continue;
        if (r->type == T_FAMILY && !r->fam)
            return err_msg(err, SS_EINTERNAL, "family row '%s' names no family", r->key);
        if (r->type == T_FAMILY && r->fam->names) {
            for (unsigned e = 0; r->fam->names[e]; e++) {
                for (size_t j = 0; j < scn_n_rows; j++) {
                    const struct row *q = &scn_rows[j];
                    if (q->fam != r->fam || q->type == T_FAMILY) continue;
                    snprintf(path, sizeof path, "%s.%s.%s", r->key, r->fam->names[e],
                             scn_key_last(q->key));
                    int rc = scn_apply_default(s, q, NULL, p + e * r->fam->stride, path, err);
                    if (rc) return rc;
                }
            }
        }
        int rc = scn_apply_default(s, r, NULL, p, r->key, err);
        if (rc) return rc;
    }
    return SS_OK;
}

static int create(struct scenario **out, long fail_at, struct ss_error *err)
{
    struct mem m = {.fail_at = fail_at};
    struct scenario *s = mem_calloc(&m, 1, sizeof *s);
    *out = NULL;
    if (!s) {
        err_nomem(err, "creating a scenario");
        return SS_ENOMEM; /* what err_nomem returns, spelled out: s is used when this is 0 */
    }
    s->mem = m;
    strcpy(s->dir, ".");
    int rc = set_defaults(s, err);
    if (rc) {
        scn_free(s);
        return rc;
    }
    *out = s;
    return SS_OK;
}

int scn_new_default(struct scenario **out, struct ss_error *err)
{
    return create(out, 0, err);
}

/* The owned array of row r's field in p (NULL for a row that owns none),
 * and its bytes. A family's rows own none (checked in scn_copy_fresh). */
static void **owned(struct params *p, const struct row *r, size_t *bytes, int which)
{
    char *addr = (char *)p + r->off;
    *bytes = 0;
    if (r->type == T_DIST && which == 0) {
        struct dist *d = (struct dist *)addr;
        *bytes = d->n_values * sizeof *d->values;
        return (void **)&d->values;
    }
    if (r->type == T_INTS && which == 0) {
        struct int_list *l = (struct int_list *)addr;
        *bytes = l->n * sizeof *l->v;
        return (void **)&l->v;
    }
    if (r->type == T_SCHEDULE) {
        struct schedule *sc = (struct schedule *)addr;
        *bytes = sc->n * (which ? sizeof *sc->order : sizeof *sc->c);
        return which ? (void **)&sc->order : (void **)&sc->c;
    }
    return NULL;
}

int scn_copy_fresh(struct scenario **out, const struct scenario *fresh, struct ss_error *err)
{
    *out = NULL;
    if (fresh->finished || fresh->n_marks || fresh->n_srcs || fresh->text)
        return err_msg(err, SS_EINTERNAL, "scn_copy_fresh: the scenario was read into");
    struct mem m = {0};
    struct scenario *s = mem_alloc(&m, sizeof *s);
    if (!s) return err_nomem(err, "copying a scenario");
    memcpy(s, fresh, sizeof *s);
    s->mem = m;
    s->marks = NULL;
    s->srcs = NULL;
    s->cap_marks = s->cap_srcs = 0;
    /* first no array is the copy's, so that scn_free of a half copy frees
     * only what was copied; then each is copied */
    size_t bytes;
    for (size_t i = 0; i < scn_n_rows; i++)
        for (int w = 0; w < 2; w++) {
            void **a = owned(&s->p, &scn_rows[i], &bytes, w);
            if (a && scn_rows[i].fam) {
                scn_free(s);
                return err_msg(err, SS_EINTERNAL, "scn_copy_fresh: family row %s owns memory",
                               scn_rows[i].key);
            }
            if (a) *a = NULL;
        }
    for (size_t i = 0; i < scn_n_rows; i++)
        for (int w = 0; w < 2; w++) {
            void **a = owned(&s->p, &scn_rows[i], &bytes, w);
            void *const *from =
                (void *const *)owned((struct params *)&fresh->p, &scn_rows[i], &bytes, w);
            if (!a || !*from) continue;
            if (!(*a = mem_alloc(&s->mem, bytes))) {
                scn_free(s);
                return err_nomem(err, "copying a scenario");
            }
            if (bytes) memcpy(*a, *from, bytes);
        }
    *out = s;
    return SS_OK;
}

/* The folder of path and its base name without extension. */
static void split_path(struct scenario *s, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash && slash > path)
        snprintf(s->dir, sizeof s->dir, "%.*s", (int)(slash - path), path);
    else if (slash)
        strcpy(s->dir, "/");
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot > base ? (size_t)(dot - base) : strlen(base);
    if (len > sizeof s->p.name - 1) len = sizeof s->p.name - 1;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)base[i] < 0x20 || base[i] == 0x7f) return;
    if (len) snprintf(s->p.name, sizeof s->p.name, "%.*s", (int)len, base);
}

/* One pass over the events of text before it is loaded: a document whose
 * collections nest deeper than SCN_MAX_NESTING is refused at the first
 * one too deep, before libyaml's loader builds it. The scanner is fed
 * lazily, so the pass stops within a few tokens of that place (a file of
 * 10^6 nested brackets is refused in milliseconds: docs/scenario.md). */
static int check_nesting(const char *text, size_t len, const char *src, int has_pos,
                         struct ss_error *err)
{
    yaml_parser_t y;
    yaml_event_t ev;
    if (!yaml_parser_initialize(&y)) return err_nomem(err, "reading YAML");
    yaml_parser_set_input_string(&y, (const unsigned char *)text, len);
    int depth = 0, rc = SS_OK;
    for (;;) {
        if (!yaml_parser_parse(&y, &ev)) {
            rc = scn_yaml_error(&y, src, has_pos, text, len, err);
            break;
        }
        yaml_event_type_t t = ev.type;
        if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
            if (++depth > SCN_MAX_NESTING) {
                rc = err_set(err, SS_EINPUT, src, has_pos ? (int)ev.start_mark.line + 1 : 0,
                             has_pos ? (int)ev.start_mark.column + 1 : 0,
                             "lists and mappings nested more than %d deep: expected a scenario "
                             "(docs/scenario.md)",
                             SCN_MAX_NESTING);
                yaml_event_delete(&ev);
                break;
            }
        } else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        yaml_event_delete(&ev);
        if (t == YAML_STREAM_END_EVENT) break;
    }
    yaml_parser_delete(&y);
    return rc;
}

int scn_yaml_load(yaml_parser_t *y, yaml_document_t *doc, const char *text, size_t len,
                  const char *src, int has_pos, struct ss_error *err)
{
    if (len > SCN_MAX_BYTES)
        return err_set(err, SS_EINPUT, src, 0, 0,
                       "longer than %d MiB, the most scoresim reads: expected a scenario",
                       SCN_MAX_BYTES >> 20);
    int rc = check_nesting(text, len, src, has_pos, err);
    if (rc) return rc;
    if (!yaml_parser_initialize(y)) return err_nomem(err, "reading YAML");
    yaml_parser_set_input_string(y, (const unsigned char *)text, len);
    if (!yaml_parser_load(y, doc)) {
        rc = scn_yaml_error(y, src, has_pos, text, len, err);
        yaml_parser_delete(y);
        return rc;
    }
    return SS_OK;
}

/* Read the YAML text[0 .. len) over s; with all, keep every input error
 * of the walk (scn_apply_root). */
static int read_text(struct scenario *s, const char *text, size_t len, struct ss_errors *all,
                     struct ss_error *err)
{
    yaml_parser_t y;
    yaml_document_t doc;
    int rc = file_check_text(text, len, s->path, "a scenario", err);
    if (rc) return rc;
    if ((rc = scn_yaml_load(&y, &doc, text, len, s->path, 1, err))) return rc;
    rc = scn_apply_root(s, s->path, &doc, yaml_document_get_root_node(&doc), all, err);
    yaml_document_delete(&doc);
    if (!rc && !yaml_parser_load(&y, &doc))
        rc = scn_yaml_error(&y, s->path, 1, text, len, err);
    else if (!rc) {
        yaml_node_t *extra = yaml_document_get_root_node(&doc);
        if (extra)
            rc = err_set(err, SS_EINPUT, s->path, (int)extra->start_mark.line + 1,
                         (int)extra->start_mark.column + 1,
                         "a scenario file holds one YAML document, found another");
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&y);
    return rc;
}

/* A scenario of text[0 .. len) over the seed defaults, or over a copy of
 * base (scn_copy_fresh) if not NULL; its source is label, relative paths
 * are taken from dir, or from label's folder when dir is NULL. */
static int load_buffer(struct scenario **out, const struct scenario *base, const char *text,
                       size_t len, const char *label, const char *dir, long fail_at,
                       struct ss_errors *all, struct ss_error *err)
{
    *out = NULL;
    if (strlen(label) >= MAX_PATH || (dir && strlen(dir) >= MAX_PATH))
        return err_msg(err, SS_EINPUT, "scenario path or folder longer than %d bytes",
                       MAX_PATH - 1);
    struct scenario *s = NULL;
    int rc = base ? scn_copy_fresh(&s, base, err) : create(&s, fail_at, err);
    if (rc) return rc;
    if (!s) return err_msg(err, SS_EINTERNAL, "loading a scenario: no scenario was made");
    strcpy(s->path, label);
    if (dir) {
        strcpy(s->dir, dir);
        s->effective = 1;
    } else {
        split_path(s, label);
    }
    rc = read_text(s, text, len, all, err);
    if (rc) {
        scn_free(s);
        return rc;
    }
    *out = s;
    return SS_OK;
}

static int load_file(struct scenario **out, const char *path, long fail_at, struct ss_errors *all,
                     struct ss_error *err)
{
    *out = NULL;
    if (strlen(path) >= MAX_PATH)
        return err_msg(err, SS_EINPUT, "scenario path longer than %d bytes", MAX_PATH - 1);
    struct mem m = {0};
    char *text;
    size_t len;
    int rc = file_read_all(path, "the scenario file", SCN_MAX_BYTES, 0, &m, &text, &len, err);
    if (rc) return rc;
    rc = load_buffer(out, NULL, text, len, path, NULL, fail_at, all, err);
    mem_free(&m, text);
    return rc;
}

int scn_load_mem(struct scenario **out, const char *path, long fail_at, struct ss_error *err)
{
    return load_file(out, path, fail_at, NULL, err);
}

int scn_load_all(struct scenario **out, const char *path, struct ss_errors *all,
                 struct ss_error *err)
{
    struct ss_error local;
    if (!err) err = &local; /* the walk keeps what the one path recorded */
    memset(all, 0, sizeof *all);
    sys_test_point("load");
    int rc = load_file(out, path, 0, all, err);
    /* an error that stopped the reading (a file that cannot be opened,
     * invalid YAML) is the only one: keep it with the rest */
    if (rc == SS_EINPUT && all->n == 0) ss_errors_add(all, err);
    return rc;
}

int scn_load_buffer(struct scenario **out, const struct scenario *defaults, const char *text,
                    size_t len, const char *label, struct ss_errors *all, struct ss_error *err)
{
    struct ss_error local;
    if (!err) err = &local;
    if (all) memset(all, 0, sizeof *all);
    int rc = load_buffer(out, defaults, text, len, label, NULL, 0, all, err);
    if (all && rc == SS_EINPUT && all->n == 0) ss_errors_add(all, err);
    return rc;
}

int scn_load_text(struct scenario **out, const struct scenario *defaults, const char *text,
                  const char *label, const char *dir, struct ss_error *err)
{
    return load_buffer(out, defaults, text, strlen(text), label, dir, 0, NULL, err);
}

int scn_load(struct scenario **out, const char *path, struct ss_error *err)
{
    return scn_load_mem(out, path, 0, err);
}

/* Keep "--set ARG" for the life of the scenario: it names the source of
 * errors, and marks point into it. */
static int keep_src(struct scenario *s, const char *arg, char **kept, struct ss_error *err)
{
    if (s->n_srcs == s->cap_srcs) {
        size_t cap = s->cap_srcs ? 2 * s->cap_srcs : 8;
        char **v = mem_realloc(&s->mem, s->srcs, cap * sizeof *v);
        if (!v) goto nomem;
        s->srcs = v;
        s->cap_srcs = cap;
    }
    size_t len = strlen(arg) + sizeof "--set ";
    *kept = mem_alloc(&s->mem, len);
    if (!*kept) goto nomem;
    snprintf(*kept, len, "--set %s", arg);
    s->srcs[s->n_srcs++] = *kept;
    return SS_OK;
nomem:
    err_nomem(err, "keeping a --set argument");
    return SS_ENOMEM; /* what err_nomem returns, spelled out: *kept is used when this is 0 */
}

/* The key of "KEY=VALUE", blanks trimmed, into key. */
static int set_key(const char *arg, const char *eq, char *key, struct ss_error *err,
                   const char *src)
{
    const char *a = arg, *b = eq;
    while (a < b && (*a == ' ' || *a == '\t')) a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
    if (a == b) return err_set(err, SS_EINPUT, src, 0, 0, "missing key before '='");
    if ((size_t)(b - a) >= MAX_KEY)
        return err_set(err, SS_EINPUT, src, 0, 0, "key longer than %d bytes", MAX_KEY - 1);
    memcpy(key, a, (size_t)(b - a));
    key[b - a] = '\0';
    if (key[0] == '.' || key[b - a - 1] == '.' || strstr(key, ".."))
        return err_set(err, SS_EINPUT, src, 0, 0, "invalid key '%s'", key);
    return SS_OK;
}

int scn_set(struct scenario *s, const char *assignment, struct ss_error *err)
{
    char key[MAX_KEY], *arg;
    if (s->finished) return err_msg(err, SS_EINTERNAL, "scn_set called after scn_finish");
    int rc = keep_src(s, assignment, &arg, err);
    if (rc) return rc;
    const char *eq = strchr(arg + strlen("--set "), '=');
    if (!eq)
        return err_set(err, SS_EINPUT, arg, 0, 0,
                       "expected KEY=VALUE (e.g. population.agents=1000), found no '='");
    rc = set_key(arg + strlen("--set "), eq, key, err, arg);
    if (rc) return rc;
    yaml_parser_t y;
    yaml_document_t doc;
    const char *value = eq + 1;
    /* checked whole, so that a column counts in what the message shows */
    if ((rc = file_check_text(arg, strlen(arg), arg, "a --set value", err))) return rc;
    if ((rc = scn_yaml_load(&y, &doc, value, strlen(value), arg, 0, err))) return rc;
    rc = scn_apply(s, arg, 0, &doc, key, NULL, yaml_document_get_root_node(&doc), err);
    yaml_document_delete(&doc);
    yaml_parser_delete(&y);
    return rc;
}

/* --- access and freeing ---------------------------------------------------------- */

const struct params *scn_params(const struct scenario *s)
{
    return &s->p;
}

const char *scn_path(const struct scenario *s)
{
    return s->path;
}

const char *scn_dir(const struct scenario *s)
{
    return s->dir;
}

const char *scn_text(const struct scenario *s)
{
    return s->text ? s->text : "";
}

const char *scn_name(const struct scenario *s)
{
    return s->p.name;
}

int scn_print(const struct scenario *s, FILE *f, int with_comments)
{
    struct scenario *def = NULL;
    struct ss_error e;
    if (with_comments) {
        int rc = scn_new_default(&def, &e);
        if (rc) return rc;
    }
    struct out o = {.f = f};
    scn_emit(&o, s, def);
    scn_free(def);
    if (!o.status && ferror(f)) return SS_EIO;
    return o.status;
}

void scn_free(struct scenario *s)
{
    if (!s) return;
    struct mem *m = &s->mem;
    for (size_t i = 0; i < scn_n_rows; i++) {
        const struct row *r = &scn_rows[i];
        char *addr = (char *)&s->p + r->off;
        if (r->type == T_DIST) mem_free(m, ((struct dist *)addr)->values);
        if (r->type == T_INTS) mem_free(m, ((struct int_list *)addr)->v);
        if (r->type == T_SCHEDULE) {
            mem_free(m, ((struct schedule *)addr)->c);
            mem_free(m, ((struct schedule *)addr)->order);
        }
    }
    for (size_t i = 0; i < s->n_marks; i++) {
        mem_free(m, s->marks[i].key);
        mem_free(m, s->marks[i].pos);
    }
    mem_free(m, s->marks);
    for (size_t i = 0; i < s->n_srcs; i++) mem_free(m, s->srcs[i]);
    mem_free(m, s->srcs);
    mem_free(m, s->text);
    struct mem last = s->mem;
    mem_free(&last, s);
}
