/*
 * scenario_print.c - writing a scenario back out, from the parameter
 * table: the YAML of scn_print and scn_text (which reads back to the same
 * parameters), its comments, and the Markdown reference of
 * scn_write_docs (docs/scenario.md).
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

#define MAX_ROWS 256 /* rows the printer can track */
#define WIDTH    78  /* comment lines wrap here */

/* One printing pass. */
struct emit {
    struct out *o;                /* destination */
    const struct scenario *s;     /* printed */
    const struct scenario *def;   /* seed scenario for comments; NULL: no comments */
    const char *only;             /* print only this top-level section, or NULL */
    unsigned char seen[MAX_ROWS]; /* rows whose comment is out (first element only) */
};

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

static const char *type_name(const struct row *r)
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

static void emit_range(struct out *o, const struct row *r, const struct row *parent)
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
static void emit_default(struct out *o, const struct scenario *def, const struct row *r)
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

static void emit_applies(struct out *o, const struct row *r, const char *lead)
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
        emit_range(o, r, NULL);
        return;
    }
    scn_out(o, "%s, ", type_name(r));
    emit_range(o, r, NULL);
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
    emit_default(e->o, e->def, r);
    emit_applies(e->o, r, "; only");
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
static void emit_rows(struct emit *e, const struct family *fam, int skip, const char *base,
                      int indent)
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
        emit_rows(e, f, scn_key_depth(r->key) + 1, p + i * f->stride, indent + 4);
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
         "model: MODEL.md.");
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
    emit_rows(&e, NULL, 0, (const char *)&s->p, 0);
}

/* --- Markdown ------------------------------------------------------------------- */

static const char *const intro =
    "# Scenario reference\n"
    "\n"
    "<!-- Generated from the parameter table in src/scenario/scenario_table.c; do not edit.\n"
    "     Regenerate: ./build/scoresim scenario --markdown > docs/scenario.md -->\n"
    "\n"
    "A scenario is a YAML file that sets the parameters of one simulation. The built-in\n"
    "seed scenario follows MODEL.md; a file only lists what it changes. Run one with\n"
    "`scoresim run FILE`.\n"
    "\n"
    "## Writing a scenario\n"
    "\n"
    "- **Every key is optional.** A key left out keeps the seed default listed below.\n"
    "- **Sections are nested mappings**: `population.agents` is written\n"
    "  `population: {agents: 1000}` or in block style, one key per line.\n"
    "- **Maps replace.** Writing `population.groups`, `network.layers` or a\n"
    "  `coverage_by_group` replaces the seed's map entirely: list every group or layer\n"
    "  you want. A new layer starts from the layer defaults below, with no generator.\n"
    "  Rules that name groups (`coverage_by_group`, `scoring.group_cap.groups`,\n"
    "  `sanctions.internment.groups`) must name groups of `population.groups`; the seed's\n"
    "  own names are dropped quietly when a scenario has no such group.\n"
    "- **Numbers.** Integers are written as integers (`100000`, not `1e5` or\n"
    "  `100000.0`); other numbers also accept integers and exponents (`1e-5`).\n"
    "  Booleans are `true` or `false` (`yes` and `no` are not accepted). Text is any\n"
    "  printable text; quote it when it holds YAML punctuation (`name: \"a: b\"`).\n"
    "- **Errors** name the place and the key: `FILE:LINE:COL: 'population.agents'\n"
    "  expects an integer from 1 to 4294967294, got 'abc'`. Unknown keys and values get\n"
    "  a suggestion when one is close. Checks between keys (group shares summing to 1,\n"
    "  trigger days within `days`, ...) point at the key concerned. `check` (and every\n"
    "  command that reads a file) lists every error of the file at once, up to 20:\n"
    "  each key is read on its own, so unknown keys, wrong types and values out of\n"
    "  range are all found; so are those of the `--set` overrides. The checks between\n"
    "  keys need a file that reads cleanly, and stop at the first.\n"
    "\n"
    "## Overrides: --set\n"
    "\n"
    "`--set KEY=VALUE` changes one key after the file is read, with the same checks.\n"
    "VALUE is read as YAML, so maps and lists work:\n"
    "\n"
    "```\n"
    "--set population.agents=1000\n"
    "--set population.groups=\"{a: 0.5, b: 0.5}\"\n"
    "--set behaviour.protest.trigger.days=[10,20]\n"
    "--set network.layers.work.k=12        # modifies layer work, or creates it\n"
    "--set population.groups.a=0.4         # one entry of a map\n"
    "--set population.attitude.a=3         # one parameter of a distribution\n"
    "```\n"
    "\n"
    "Errors in an override are reported as `--set KEY=VALUE: message`.\n"
    "\n"
    "## Distributions\n"
    "\n"
    "Per-agent values (`population.attitude`, `population.reliability`,\n"
    "`population.threshold`) are distributions, written as a mapping with `dist` and\n"
    "its parameters, e.g. `{dist: normal, mean: 0.25, sd: 0.12}`. A plain number is a\n"
    "constant (`0.3` means `{dist: constant, value: 0.3}`) and a list is one value per\n"
    "agent (`[0, 1, 2]` means `{dist: list, values: [0, 1, 2]}`). Writing a key that\n"
    "does not apply to the kind (`sd` for a beta) is an error. Values, ranges and\n"
    "list entries must lie within the parameter's own range.\n"
    "\n";

static void md_text(struct out *o, const char *s)
{
    for (; *s; s++) scn_out(o, *s == '|' ? "\\|" : "%c", *s);
}

static void md_key(struct out *o, const struct row *r)
{
    char buf[MAX_KEY];
    const char *star = strchr(r->key, '*');
    if (star)
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)(star - r->key), r->key, r->fam->placeholder,
                 star + 1);
    else
        snprintf(buf, sizeof buf, "%s", r->key);
    scn_out(o, "| `%s` | ", buf);
}

static void md_dist_rows(struct out *o)
{
    scn_out(o, "| key | for | meaning |\n|---|---|---|\n");
    for (size_t i = 0; i < scn_n_dist_rows; i++) {
        const struct row *r = &scn_dist_rows[i];
        const struct row *sib = scn_row_sibling(r);
        scn_out(o, "| `%s` | ", r->key);
        if (!sib) scn_out(o, "all");
        for (int j = 0, n = 0; sib && sib->names[j]; j++)
            if (r->when_mask & BIT(j)) scn_out(o, "%s%s", n++ ? ", " : "", sib->names[j]);
        scn_out(o, " | ");
        md_text(o, r->doc);
        scn_out(o, " |\n");
    }
    scn_out(o, "\n");
}

static void md_row(struct out *o, const struct scenario *def, const struct row *r)
{
    md_key(o, r);
    scn_out(o, "%s | ", type_name(r));
    if (r->fam && !r->fam->names && r->type != T_FAMILY && !r->def) {
        scn_out(o, "none");
    } else {
        scn_out(o, "`");
        emit_default(o, def, r);
        scn_out(o, "`");
    }
    scn_out(o, " | ");
    emit_range(o, r, NULL);
    scn_out(o, " | ");
    md_text(o, r->doc);
    if (r->when) {
        emit_applies(o, r, " Only");
        scn_out(o, ".");
    }
    scn_out(o, " |\n");
}

/* Does the row belong to the docs section? The top level ("") holds the
 * one-component keys that are not sections of their own (surveillance). */
static int in_section(const struct row *r, const char *sec)
{
    size_t len = strlen(sec);
    if (len) return !strncmp(r->key, sec, len) && (r->key[len] == '.' || !r->key[len]);
    if (scn_key_depth(r->key) != 1) return 0;
    for (size_t i = 0; i < scn_n_sections; i++)
        if (!strcmp(scn_sections[i].key, r->key)) return 0;
    return 1;
}

static void md_section(struct out *o, const struct scenario *def, const struct section *sec)
{
    scn_out(o, "## %s\n\n%s\n\n", sec->title, sec->doc);
    scn_out(o, "| key | type | default | range | meaning |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < scn_n_rows; i++)
        if (in_section(&scn_rows[i], sec->key)) md_row(o, def, &scn_rows[i]);
    scn_out(o, "\n");
    if (strcmp(sec->key, "network")) return;
    struct emit e = {.o = o, .s = def, .only = "network"};
    scn_out(o, "The seed's layers:\n\n```yaml\n");
    emit_rows(&e, NULL, 0, (const char *)&def->p, 0);
    scn_out(o, "```\n\n");
}

/* The schedule's own section of docs/scenario.md: its syntax, what may
 * change, and what is checked. */
static const char schedule_doc[] =
    "\n## The schedule\n\n"
    "`schedule:` changes keys during a run (a policy rolled out in stages, a sanction\n"
    "switched off, a sub-system extended). Each entry either **sets** one or more keys\n"
    "from a day on, or **ramps** one number linearly between two days:\n\n"
    "```yaml\n"
    "start_date: 2013-10-01              # day 1; needed only for date: entries\n"
    "schedule:\n"
    "  - date: 2014-07-01                # or day: 274\n"
    "    set: {sanctions.travel_ban.enabled: true}\n"
    "  - date: 2017-01-01\n"
    "    set: {scoring.coverage.social: 0.1, scoring.integration: 0.2}\n"
    "  - ramp: scoring.integration       # 0.2 on 2017-01-01 to 0.6 on 2020-01-01, then 0.6\n"
    "    from: {date: 2017-01-01, value: 0.2}\n"
    "    to: {date: 2020-01-01, value: 0.6}\n"
    "```\n\n"
    "- A change applies from the start of its day: the day's acts, scores and sanctions\n"
    "  follow the new value. Before its first change a key keeps its value in the file.\n"
    "- Keys are written as dotted paths, as with `--set`, and every key and value is\n"
    "  checked as in the file itself (errors name the file, line and column).\n"
    "- Numbers, switches and choices can change. The population, the networks (but a\n"
    "  layer's `contact`), `name`, `seed`, `days`, `start_date`, `scoring.min` and\n"
    "  `scoring.max` (they size the score histograms), `scoring.court.missed_payments`\n"
    "  (it sizes the record of missed payments) and a trigger's `count` and `share`\n"
    "  cannot; the error says why.\n"
    "- Every day must fall inside the run (days 1 to `days`); a date needs `start_date`.\n"
    "  A ramp must end after it starts, and may not overlap another change of the same\n"
    "  key; a key may not be set twice on one day.\n"
    "- The rules between keys (tiers decreasing, `list.exit_above` at least\n"
    "  `list.enter_below`, `fear.proximity_bottom` below `proximity_top`) must hold on\n"
    "  every day of the run, and are checked on every day a change starts or ends.\n"
    "- Raising a surveillance channel's or a sub-system's `coverage` adds agents to\n"
    "  those it covers and drops none: each agent's place is a fixed draw.\n"
    "- `--set schedule=[...]` replaces the whole schedule; `scoresim scenario FILE`\n"
    "  prints it back, one entry a line.\n";

int scn_write_docs(FILE *f)
{
    struct scenario *def;
    struct ss_error err;
    int rc = scn_new_default(&def, &err);
    if (rc) return rc;
    struct out o = {.f = f};
    scn_out(&o, "%s", intro);
    md_dist_rows(&o);
    for (size_t i = 0; i < scn_n_sections; i++)
        if (!strchr(scn_sections[i].key, '.')) md_section(&o, def, &scn_sections[i]);
    scn_out(&o, "%s", schedule_doc);
    scn_free(def);
    if (!o.status && ferror(f)) return SS_EIO;
    return o.status;
}
