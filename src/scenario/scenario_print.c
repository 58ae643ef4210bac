/*
 * scenario_print.c - writing a scenario back out, from the parameter
 * table: the YAML of scn_print and scn_text (which reads back to the same
 * parameters) and its comments: each row's type, range and default, which
 * the Markdown reference (scenario_docs.c) shows too.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "scenario/scenario.h"
#include "scenario/scenario_impl.h"
#include "scenario/schedule.h"

#define WIDTH 78 /* comment lines wrap here */

/* --- the sink ---------------------------------------------------------------- */

void scn_out(struct out *o, const char *fmt, ...)
{
    va_list ap;
    if (o->status) return;
    va_start(ap, fmt);
    if (!o->f)
        sbuf_vprintf(&o->b, fmt, ap);
    else if (vfprintf(o->f, fmt, ap) < 0)
        o->status = SS_EIO;
    va_end(ap);
}

void scn_fmt_real(double x, char *buf, size_t size)
{
    /* Whole numbers read best without an exponent (1000, not 1e+03). */
    if (x == floor(x) && fabs(x) < 1e15) {
        snprintf(buf, size, "%.0f", x);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if (strtod(buf, NULL) == x) return;
    }
}

/* --- values ---------------------------------------------------------------- */

static void emit_quoted(struct out *o, const char *s)
{
    scn_out(o, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            scn_out(o, "\\%c", *s);
        else
            scn_out(o, "%c", *s);
    }
    scn_out(o, "\"");
}

static void emit_real(struct out *o, double x)
{
    char b[40];
    scn_fmt_real(x, b, sizeof b);
    scn_out(o, "%s", b);
}

static void emit_value(struct out *o, const struct row *r, const char *addr);

/* One change's value, as its row would print it. */
static void emit_change_value(struct out *o, const struct sched_change *c, double v)
{
    char buf[SCHED_VALUE_LEN];
    sched_value_text(c, v, buf);
    scn_out(o, "%s", buf);
}

/* When a change happens, as it was written: a date or a day. */
static void emit_when(struct out *o, int32_t date, int32_t day)
{
    char buf[TEXT_DATE_LEN];
    if (date != PARAMS_NO_DATE) {
        text_date_format(date, buf);
        scn_out(o, "date: %s", buf);
    } else {
        scn_out(o, "day: %d", (int)day);
    }
}

/* The schedule as a flow list, one entry a line, as it was written (the
 * keys of one `set:` together). */
static void emit_schedule(struct out *o, const struct schedule *s)
{
    if (s->n == 0) {
        scn_out(o, "[]");
        return;
    }
    scn_out(o, "[");
    for (uint32_t i = 0; i < s->n;) {
        const struct sched_change *c = &s->c[i];
        scn_out(o, "%s\n    {", i ? "," : "");
        if (c->ramp) {
            scn_out(o, "ramp: %s, from: {", c->key);
            emit_when(o, c->date, c->day);
            scn_out(o, ", value: ");
            emit_change_value(o, c, c->value);
            scn_out(o, "}, to: {");
            emit_when(o, c->date_to, c->day_to);
            scn_out(o, ", value: ");
            emit_change_value(o, c, c->value_to);
            scn_out(o, "}}");
            i++;
            continue;
        }
        emit_when(o, c->date, c->day);
        scn_out(o, ", set: {");
        uint32_t j = i;
        for (; j < s->n && s->c[j].entry == c->entry && !s->c[j].ramp; j++) {
            scn_out(o, "%s%s: ", j > i ? ", " : "", s->c[j].key);
            emit_change_value(o, &s->c[j], s->c[j].value);
        }
        scn_out(o, "}}");
        i = j;
    }
    scn_out(o, "\n  ]");
}

static void emit_dist(struct out *o, const struct dist *d)
{
    const char *base = (const char *)d;
    scn_out(o, "{");
    for (size_t i = 0, n = 0; i < scn_n_dist_rows; i++) {
        const struct row *r = &scn_dist_rows[i];
        if (scn_field_unset(r, base + r->off) || !scn_row_applies(r, d->kind)) continue;
        scn_out(o, "%s%s: ", n++ ? ", " : "", r->key);
        emit_value(o, r, base + r->off);
    }
    scn_out(o, "}");
}

static void emit_family_names(struct out *o, const struct family *f, const struct params *p)
{
    if (f->names) { /* fixed names: no scenario needed (the docs pass none) */
        for (uint32_t i = 0; i < f->max; i++) scn_out(o, "%s%s", i ? ", " : "", f->names[i]);
        return;
    }
    if (!p) return;
    const char *base = (const char *)p;
    uint32_t n = *(const uint32_t *)(base + f->count_off);
    for (uint32_t i = 0; i < n; i++)
        scn_out(o, "%s%s", i ? ", " : "", base + f->name_off + i * f->stride);
}

static void emit_value(struct out *o, const struct row *r, const char *addr)
{
    switch (r->type) {
    case T_BOOL:
        scn_out(o, "%s", *(const int *)addr ? "true" : "false");
        break;
    case T_INT:
        scn_out(o, "%d", *(const int *)addr);
        break;
    case T_U32:
        scn_out(o, "%" PRIu32, *(const uint32_t *)addr);
        break;
    case T_U64:
        scn_out(o, "%" PRIu64, *(const uint64_t *)addr);
        break;
    case T_REAL:
    case T_PROB:
        emit_real(o, *(const double *)addr);
        break;
    case T_STR:
        emit_quoted(o, addr);
        break;
    case T_ENUM: {
        int v = *(const int *)addr;
        scn_out(o, "%s", v >= 0 ? r->names[v] : "~");
        break;
    }
    case T_DIST:
        emit_dist(o, (const struct dist *)addr);
        break;
    case T_REALS: {
        const struct dist *d = (const struct dist *)(addr - offsetof(struct dist, values));
        scn_out(o, "[");
        for (uint32_t i = 0; i < d->n_values; i++) {
            scn_out(o, "%s", i ? ", " : "");
            emit_real(o, d->values[i]);
        }
        scn_out(o, "]");
        break;
    }
    case T_INTS: {
        const struct int_list *l = (const struct int_list *)addr;
        scn_out(o, "[");
        for (uint32_t i = 0; i < l->n; i++) scn_out(o, "%s%" PRId64, i ? ", " : "", l->v[i]);
        scn_out(o, "]");
        break;
    }
    case T_NAMED: {
        const struct named_values *nv = (const struct named_values *)addr;
        scn_out(o, "{");
        for (uint32_t i = 0; i < nv->n; i++) {
            scn_out(o, "%s%s: ", i ? ", " : "", nv->name[i]);
            emit_real(o, nv->v[i]);
        }
        scn_out(o, "}");
        break;
    }
    case T_GROUPS: {
        const struct group_set *g = (const struct group_set *)addr;
        scn_out(o, "[");
        for (uint32_t i = 0; i < g->n; i++) scn_out(o, "%s%s", i ? ", " : "", g->name[i]);
        scn_out(o, "]");
        break;
    }
    case T_FAMILY:
        break; /* printed as a block by emit_family */
    case T_DATE: {
        int32_t d = *(const int32_t *)addr;
        char buf[TEXT_DATE_LEN];
        if (d == PARAMS_NO_DATE) {
            scn_out(o, "~");
            break;
        }
        text_date_format(d, buf);
        scn_out(o, "%s", buf);
        break;
    }
    case T_SCHEDULE:
        emit_schedule(o, (const struct schedule *)addr);
        break;
    }
}

/* --- type, range and default, for comments and docs ----------------------------- */

const char *scn_type_name(const struct row *r)
{
    static const char *const names[] = {
        [T_BOOL] = "true/false",
        [T_INT] = "integer",
        [T_U32] = "integer",
        [T_U64] = "integer",
        [T_REAL] = "number",
        [T_PROB] = "probability",
        [T_STR] = "text",
        [T_ENUM] = "choice",
        [T_DIST] = "distribution",
        [T_REALS] = "list of numbers",
        [T_INTS] = "list of integers",
        [T_NAMED] = "map of group to number",
        [T_GROUPS] = "list of groups",
        [T_FAMILY] = "map",
        [T_DATE] = "date",
        [T_SCHEDULE] = "list of changes",
    };
    if (r->type == T_FAMILY) return r->fam->names ? "channels" : "map of name to layer";
    return names[r->type];
}

void scn_emit_range(struct out *o, const struct row *r, const struct row *parent)
{
    double lo, hi;
    char a[40], b[40];
    switch (r->type) {
    case T_BOOL:
        scn_out(o, "true, false");
        return;
    case T_U64:
        scn_out(o, "0 to 2^64 - 1");
        return;
    case T_STR:
        scn_out(o, "%.0f to %.0f characters", r->lo, r->hi);
        return;
    case T_ENUM:
        for (int i = 0; r->names[i]; i++) scn_out(o, "%s%s", i ? ", " : "", r->names[i]);
        return;
    case T_GROUPS:
        scn_out(o, "names of population.groups");
        return;
    case T_DATE:
        scn_out(o, "YYYY-MM-DD");
        return;
    case T_SCHEDULE:
        scn_out(o, "days 1 to days");
        return;
    case T_FAMILY:
        if (r->fam->names)
            emit_family_names(o, r->fam, NULL);
        else
            scn_out(o, "up to %u %ss", r->fam->max, r->fam->what);
        return;
    default:
        break;
    }
    scn_row_range(r, parent, &lo, &hi);
    scn_fmt_real(lo, a, sizeof a);
    scn_fmt_real(hi, b, sizeof b);
    const char *what = r->type == T_DIST ? "values " : r->type == T_NAMED ? "numbers " : "";
    if (isfinite(lo) && isfinite(hi))
        scn_out(o, "%s%s to %s", what, a, b);
    else if (isfinite(lo))
        scn_out(o, "%s%s %s", what, (r->flags & F_GT_LO) ? ">" : ">=", a);
    else if (isfinite(hi))
        scn_out(o, "%s<= %s", what, b);
    else
        scn_out(o, "any");
    if (r->flags & F_EVEN) scn_out(o, ", even");
}

/* The seed's value of a row: a fixed family's elements each, a
 * user-named family's template. */
void scn_emit_default(struct out *o, const struct scenario *def, const struct row *r)
{
    const char *p = (const char *)&def->p;
    if (r->type == T_FAMILY) {
        emit_family_names(o, r->fam, &def->p);
        return;
    }
    if (!r->fam) {
        emit_value(o, r, p + r->off);
        return;
    }
    if (!r->fam->names) {
        scn_out(o, "%s", r->def ? r->def : "none");
        return;
    }
    /* Each element's value, to say it once when all are the same. */
    unsigned n = r->fam->max < N_CHANNELS ? r->fam->max : N_CHANNELS;
    struct mem m = {0};
    struct out one[N_CHANNELS];
    const char *text[N_CHANNELS] = {""};
    int same = 1, ok = 1;
    for (unsigned i = 0; i < n; i++) {
        one[i] = (struct out){.b = {.m = &m}};
        emit_value(&one[i], r, p + i * r->fam->stride + r->off);
        text[i] = sbuf_str(&one[i].b, NULL, "printing the defaults");
        ok = ok && text[i] && !one[i].status;
        same = same && ok && !strcmp(text[i], text[0]);
    }
    if (!ok)
        o->status = SS_ENOMEM;
    else if (same)
        scn_out(o, "%s", text[0]);
    else
        for (unsigned i = 0; i < n; i++)
            scn_out(o, "%s%s %s", i ? ", " : "", r->fam->names[i], text[i]);
    for (unsigned i = 0; i < n; i++) sbuf_free(&one[i].b);
}

void scn_emit_applies(struct out *o, const struct row *r, const char *lead)
{
    const struct row *sib = scn_row_sibling(r);
    if (!sib) return;
    scn_out(o, "%s for %s ", lead, scn_key_last(sib->key));
    for (int i = 0, n = 0; sib->names[i]; i++)
        if (r->when_mask & BIT(i)) scn_out(o, "%s%s", n++ ? ", " : "", sib->names[i]);
}

/* --- YAML --------------------------------------------------------------------- */

static void wrap(struct out *o, int indent, const char *text)
{
    int width = WIDTH - indent - 2, col = 0;
    while (*text) {
        size_t w = strcspn(text, " ");
        if (col && col + 1 + (int)w > width) {
            scn_out(o, "\n");
            col = 0;
        }
        if (!col) scn_out(o, "%*s#", indent, "");
        scn_out(o, " %.*s", (int)w, text);
        col += 1 + (int)w;
        text += w;
        text += strspn(text, " ");
    }
    if (col) scn_out(o, "\n");
}

/* "integer, 1 to 100000", "one of share, count", "true or false" */
static void emit_kind(struct out *o, const struct row *r)
{
    if (r->type == T_BOOL) {
        scn_out(o, "true or false");
        return;
    }
    if (r->type == T_ENUM) {
        scn_out(o, "one of ");
        scn_emit_range(o, r, NULL);
        return;
    }
    scn_out(o, "%s, ", scn_type_name(r));
    scn_emit_range(o, r, NULL);
}

/* A row's doc and kind, before its first appearance. A fixed family's
 * section comment says all there is to say about it. */
static void emit_comment(struct emit *e, const struct row *r, int indent)
{
    size_t i = (size_t)(r - scn_rows);
    if (!e->def || e->seen[i] || (r->type == T_FAMILY && r->fam->names)) return;
    e->seen[i] = 1;
    wrap(e->o, indent, r->doc);
    scn_out(e->o, "%*s# ", indent, "");
    emit_kind(e->o, r);
    scn_out(e->o,
            "; %s: ", r->fam && !r->fam->names && r->type != T_FAMILY ? "new layer" : "default");
    scn_emit_default(e->o, e->def, r);
    scn_emit_applies(e->o, r, "; only");
    scn_out(e->o, "\n");
}

static void emit_section(struct emit *e, const char **rc, int n, int indent)
{
    char key[MAX_KEY];
    scn_key_join(key, sizeof key, rc, n);
    if (!e->def) return;
    if (n == 1) scn_out(e->o, "\n");
    for (size_t i = 0; i < scn_n_sections; i++)
        if (!strcmp(scn_sections[i].key, key)) wrap(e->o, indent, scn_sections[i].doc);
}

/* Printed: set, and applying to its element's generator. */
static int shown(const struct row *r, const char *base)
{
    if (scn_field_unset(r, base + r->off)) return 0;
    const struct row *sib = scn_row_sibling(r);
    return !sib || scn_row_applies(r, *(const int *)(base + sib->off));
}

static void emit_family(struct emit *e, const struct row *r, int indent);

/* The rows of the top level (fam NULL) or of one family element, as nested
 * block mappings; skip is how many key components the element's own
 * indentation already stands for. */
void scn_emit_rows(struct emit *e, const struct family *fam, int skip, const char *base, int indent)
{
    char open[MAX_DEPTH][MAX_KEY], rbuf[MAX_KEY];
    const char *rc[MAX_DEPTH];
    int n_open = 0;
    for (size_t i = 0; i < scn_n_rows; i++) {
        const struct row *r = &scn_rows[i];
        int star = strchr(r->key, '*') != NULL;
        if (fam ? (r->fam != fam || !star) : star) continue;
        int m = scn_key_split(r->key, rbuf, rc);
        if (!fam && e->only && strcmp(rc[0], e->only)) continue;
        if (!shown(r, base)) continue;
        int common = 0;
        while (common < n_open && common < m - 1 - skip && !strcmp(open[common], rc[skip + common]))
            common++;
        n_open = common;
        for (int j = common; j < m - 1 - skip; j++) {
            if (!fam) emit_section(e, rc, j + 1, indent + 2 * j);
            scn_out(e->o, "%*s%s:\n", indent + 2 * j, "", rc[skip + j]);
            strcpy(open[n_open++], rc[skip + j]);
        }
        int ind = indent + 2 * (m - 1 - skip);
        if (!fam && m == 1 && r->type == T_FAMILY) emit_section(e, rc, 1, ind);
        emit_comment(e, r, ind);
        if (r->type == T_FAMILY) {
            emit_family(e, r, ind);
            continue;
        }
        scn_out(e->o, "%*s%s: ", ind, "", rc[m - 1]);
        emit_value(e->o, r, base + r->off);
        scn_out(e->o, "\n");
    }
}

static void emit_family(struct emit *e, const struct row *r, int indent)
{
    const struct family *f = r->fam;
    const char *p = (const char *)&e->s->p;
    uint32_t n = f->names ? f->max : *(const uint32_t *)(p + f->count_off);
    if (!n) {
        scn_out(e->o, "%*s%s: {}\n", indent, "", scn_key_last(r->key));
        return;
    }
    scn_out(e->o, "%*s%s:\n", indent, "", scn_key_last(r->key));
    for (uint32_t i = 0; i < n; i++) {
        const char *name = f->names ? f->names[i] : p + f->name_off + i * f->stride;
        scn_out(e->o, "%*s%s:\n", indent + 2, "", name);
        scn_emit_rows(e, f, scn_key_depth(r->key) + 1, p + i * f->stride, indent + 4);
    }
}

static void emit_header(struct out *o, const struct scenario *s)
{
    scn_out(o, "# scoresim scenario: ");
    emit_quoted(o, s->p.name);
    scn_out(o, "\n#\n");
    wrap(o, 0,
         "Run it with: scoresim run FILE. Every key is optional: a key left out keeps the "
         "seed default given in its comment. Maps (population.groups, network.layers, "
         "coverage_by_group) replace the default map when written, so list every group "
         "or layer you want. Any key can be overridden on the command line with --set "
         "KEY=VALUE, e.g. --set population.agents=1000. Reference: docs/scenario.md; the "
         "model: docs/model.md.");
}

void scn_emit(struct out *o, const struct scenario *s, const struct scenario *defaults)
{
    struct emit e = {.o = o, .s = s, .def = defaults};
    if (scn_n_rows > MAX_ROWS) {
        o->status = SS_EINTERNAL;
        return;
    }
    if (defaults) {
        emit_header(o, s);
        scn_out(o, "\n");
    }
    scn_emit_rows(&e, NULL, 0, (const char *)&s->p, 0);
}
