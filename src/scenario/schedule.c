/*
 * schedule.c - the schedule: changes of scenario keys during a run
 * (docs/model.md section 10). Reading it from YAML with the same checks as the
 * file itself, resolving dates and checking it once the scenario is
 * finished, and the parameters in force on a given day (schedule.h).
 *
 * A change names its key as a dotted path (`scoring.integration`), looked
 * up in the one parameter table without creating anything; its value is
 * read with the row's own reader, so its type and range are checked as in
 * the file, and kept as a number (a switch as 0 or 1, a choice as its
 * index). Keys that fix the run's structure or size cannot change:
 * sched_fixed says which and why.
 */
#include "scenario/schedule.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "scenario/scenario.h"
#include "scenario/scenario_impl.h"

/* ---- which keys may change ----------------------------------------------- */

static int sched_prefix(const char *key, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(key, prefix, n) && (key[n] == '.' || key[n] == '\0');
}

/* Why row r (key `key`) cannot change during a run, or NULL if it can. */
static const char *sched_fixed(const struct row *r, const char *key)
{
    switch (r->type) {
    case T_BOOL:
    case T_INT:
    case T_U32:
    case T_REAL:
    case T_PROB:
    case T_ENUM:
        break;
    default:
        return "only numbers, switches (true/false) and choices can change during a run";
    }
    if (!strchr(key, '.')) return "it is fixed for the run";
    if (sched_prefix(key, "population")) return "the population is built once, at the start";
    if (sched_prefix(key, "network") && strcmp(scn_key_last(key), "contact"))
        return "the networks are built once, at the start; of a layer only its daily `contact` "
               "probability can change";
    if (!strcmp(key, "scoring.min") || !strcmp(key, "scoring.max"))
        return "the score range is fixed for the run (it sizes the score histograms)";
    if (!strcmp(key, "scoring.court.missed_payments"))
        return "it sizes each agent's record of missed payments, fixed for the run";
    if (!strcmp(key, "behaviour.protest.trigger.count") ||
        !strcmp(key, "behaviour.protest.trigger.share"))
        return "a trigger's size is fixed for the run (it sizes the list of triggered agents); "
               "choose the trigger days instead";
    return NULL;
}

/* ---- reading -------------------------------------------------------------- */

static void sched_place(const struct scn_ctx *c, const yaml_node_t *n, struct sched_change *ch)
{
    ch->src = c->src;
    ch->line = c->has_pos && n ? (int)n->start_mark.line + 1 : 0;
    ch->col = c->has_pos && n ? (int)n->start_mark.column + 1 : 0;
}

static int sched_push(struct scn_ctx *c, struct schedule *s, const struct sched_change *ch)
{
    struct sched_change *grown = mem_realloc(&c->s->mem, s->c, (s->n + 1) * sizeof *s->c);
    if (!grown) return err_nomem(c->err, "reading the schedule");
    s->c = grown;
    s->c[s->n++] = *ch;
    return SS_OK;
}

/* The value node v of key (row r) as a number, with the row's checks. */
static int sched_value(struct scn_ctx *c, const struct row *r, const char *key,
                       const yaml_node_t *v, double *out)
{
    union {
        int i;
        uint32_t u;
        double d;
    } x = {0};
    int rc = scn_read_value(c, r, NULL, key, v, (char *)&x);
    if (rc) return rc;
    *out = r->type == T_U32 ? (double)x.u : (r->type == T_REAL || r->type == T_PROB) ? x.d : x.i;
    return SS_OK;
}

/* The day of a change: `day: D` (at least 1; the horizon is checked by
 * scn_schedule_finish) or `date: YYYY-MM-DD`, written in mapping m. */
static int sched_when(struct scn_ctx *c, const yaml_node_t *m, const char *what, int32_t *day,
                      int32_t *date)
{
    const yaml_node_t *d = NULL, *dt = NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        if (k->type == YAML_SCALAR_NODE && !strcmp(scn_node_text(k), "day")) d = v;
        if (k->type == YAML_SCALAR_NODE && !strcmp(scn_node_text(k), "date")) dt = v;
    }
    if (!d == !dt) return scn_fail(c, m, "%s needs a `day:` or a `date:` (one of them)", what);
    *date = PARAMS_NO_DATE;
    *day = 0;
    static const struct row day_row = {.key = "day", .type = T_INT, .lo = 1, .hi = 32767};
    static const struct row date_row = {.key = "date", .type = T_DATE};
    if (dt) return scn_read_value(c, &date_row, NULL, "date", dt, (char *)date);
    int v = 0;
    int rc = scn_read_value(c, &day_row, NULL, "day", d, (char *)&v);
    *day = v;
    return rc;
}

/* The child of mapping m under name, or NULL; fails on any key not in
 * the NULL-terminated allowed list. */
static int sched_keys(struct scn_ctx *c, const yaml_node_t *m, const char *const *allowed,
                      const char *what)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        const char *name = k->type == YAML_SCALAR_NODE ? scn_node_text(k) : "";
        int ok = 0;
        for (int i = 0; allowed[i]; i++) ok |= !strcmp(name, allowed[i]);
        if (ok) continue;
        char list[160] = "";
        for (int i = 0; allowed[i]; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     allowed[i]);
        return scn_fail(c, k, "unknown key '%.60s' in %s (expected %s)", name, what, list);
    }
    return SS_OK;
}

static yaml_node_t *sched_child(struct scn_ctx *c, const yaml_node_t *m, const char *name)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        if (k->type == YAML_SCALAR_NODE && !strcmp(scn_node_text(k), name))
            return yaml_document_get_node(c->doc, p->value);
    }
    return NULL;
}

/* The key node k names a key that can change: its row and field. */
static int sched_key(struct scn_ctx *c, const yaml_node_t *k, struct sched_change *ch,
                     const struct row **row)
{
    char g[80];
    if (k->type != YAML_SCALAR_NODE || !*scn_node_text(k))
        return scn_fail(c, k, "a schedule names keys as dotted paths, got %s",
                        scn_node_got(k, g, sizeof g));
    const char *key = scn_node_text(k);
    if (strlen(key) >= sizeof ch->key) return scn_fail(c, k, "key '%.60s...' too long", key);
    size_t off = 0;
    *row = NULL;
    int rc = scn_lookup(c, key, k, row, &off);
    if (rc) return rc;
    const char *why = sched_fixed(*row, key);
    if (why) return scn_fail(c, k, "'%s' cannot change during a run: %s", key, why);
    snprintf(ch->key, sizeof ch->key, "%s", key);
    ch->type = (*row)->type;
    ch->names = (*row)->names;
    ch->off = (uint32_t)off;
    sched_place(c, k, ch);
    return SS_OK;
}

static int sched_read_ramp(struct scn_ctx *c, const yaml_node_t *m, uint32_t entry,
                           struct schedule *s)
{
    static const char *const keys[] = {"ramp", "from", "to", NULL};
    static const char *const ends[] = {"day", "date", "value", NULL};
    int rc = sched_keys(c, m, keys, "a ramp of the schedule");
    if (rc) return rc;
    struct sched_change ch = {.entry = entry, .ramp = 1};
    const struct row *r = NULL;
    rc = sched_key(c, sched_child(c, m, "ramp"), &ch, &r);
    if (rc) return rc;
    if (!r) return SS_EINTERNAL; /* sched_key names a row when it succeeds */
    if (r->type == T_BOOL || r->type == T_ENUM)
        return scn_fail(c, sched_child(c, m, "ramp"),
                        "'%s' cannot ramp: only numbers move linearly (set it with `set:`)",
                        ch.key);
    const char *side[2] = {"from", "to"};
    for (int k = 0; k < 2; k++) {
        yaml_node_t *e = sched_child(c, m, side[k]);
        char what[64];
        snprintf(what, sizeof what, "a ramp's `%s:`", side[k]);
        if (!e || e->type != YAML_MAPPING_NODE)
            return scn_fail(c, e ? e : m, "%s must be a mapping {day: D, value: V}", what);
        rc = sched_keys(c, e, ends, what);
        if (!rc) rc = sched_when(c, e, what, k ? &ch.day_to : &ch.day, k ? &ch.date_to : &ch.date);
        yaml_node_t *v = sched_child(c, e, "value");
        if (!rc && !v) rc = scn_fail(c, e, "%s needs a `value:`", what);
        if (!rc) rc = sched_value(c, r, ch.key, v, k ? &ch.value_to : &ch.value);
        if (rc) return rc;
    }
    return sched_push(c, s, &ch);
}

static int sched_read_set(struct scn_ctx *c, const yaml_node_t *m, uint32_t entry,
                          struct schedule *s)
{
    static const char *const keys[] = {"day", "date", "set", NULL};
    int rc = sched_keys(c, m, keys, "a change of the schedule");
    struct sched_change when = {.entry = entry};
    if (!rc) rc = sched_when(c, m, "a change of the schedule", &when.day, &when.date);
    if (rc) return rc;
    when.day_to = when.day;
    when.date_to = when.date;
    const yaml_node_t *set = sched_child(c, m, "set");
    if (!set || set->type != YAML_MAPPING_NODE ||
        set->data.mapping.pairs.top == set->data.mapping.pairs.start)
        return scn_fail(c, set ? set : m,
                        "a change of the schedule needs `set:`, a mapping of keys to values "
                        "(or `ramp:`)");
    for (yaml_node_pair_t *p = set->data.mapping.pairs.start; p < set->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        struct sched_change ch = when;
        const struct row *r = NULL;
        rc = sched_key(c, k, &ch, &r);
        if (!rc && !r) rc = SS_EINTERNAL; /* sched_key names a row when it succeeds */
        if (!rc)
            rc = sched_value(c, r, ch.key, yaml_document_get_node(c->doc, p->value), &ch.value);
        ch.value_to = ch.value;
        if (!rc) rc = sched_push(c, s, &ch);
        if (rc) return rc;
    }
    return SS_OK;
}

int scn_read_schedule(struct scn_ctx *c, const char *path, const yaml_node_t *v,
                      struct schedule *out)
{
    mem_free(&c->s->mem, out->c);
    mem_free(&c->s->mem, out->order);
    memset(out, 0, sizeof *out);
    if (scn_node_null(v)) return SS_OK;
    char g[80];
    if (v->type != YAML_SEQUENCE_NODE)
        return scn_fail(c, v, "'%s' expects a list of changes, got %s", path,
                        scn_node_got(v, g, sizeof g));
    uint32_t entry = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++, entry++) {
        yaml_node_t *m = yaml_document_get_node(c->doc, *it);
        if (m->type != YAML_MAPPING_NODE)
            return scn_fail(c, m,
                            "each change of '%s' is a mapping ({day: D, set: {...}} or "
                            "{ramp: KEY, from: {...}, to: {...}}), got %s",
                            path, scn_node_got(m, g, sizeof g));
        int rc = sched_child(c, m, "ramp") ? sched_read_ramp(c, m, entry, out)
                                           : sched_read_set(c, m, entry, out);
        if (rc) return rc;
        /* finishing compares every change with every other (overlaps) and
         * sorts them by insertion: bounded here */
        if (out->n > SCN_MAX_CHANGES)
            return scn_fail(c, m, "'%s' makes more than %d changes: expected at most %d", path,
                            SCN_MAX_CHANGES, SCN_MAX_CHANGES);
    }
    return SS_OK;
}

/* ---- checking, once the scenario is finished ----------------------------- */

static int sched_fail(const struct sched_change *ch, struct ss_error *err, const char *fmt, ...)
    ERR_PRINTF(3, 4);
static int sched_fail(const struct sched_change *ch, struct ss_error *err, const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(err, SS_EINPUT, ch->src, ch->line, ch->col, "%s", msg);
}

/* A written date as a day of the run, or the reason it is not one. */
static int sched_day_of(const struct scenario *s, const struct sched_change *ch, int32_t date,
                        int32_t *day, struct ss_error *err)
{
    if (date == PARAMS_NO_DATE) return SS_OK;
    if (s->p.start_date == PARAMS_NO_DATE)
        return sched_fail(ch, err,
                          "'%s' is changed on a date, but the scenario has no "
                          "start_date (the date of day 1)",
                          ch->key);
    *day = date - s->p.start_date + 1;
    return SS_OK;
}

/* The days of change ch, from dates where it was given by date, checked
 * against the run's horizon. */
static int sched_resolve_days(const struct scenario *s, struct sched_change *ch,
                              struct ss_error *err)
{
    int rc = sched_day_of(s, ch, ch->date, &ch->day, err);
    if (!rc) rc = sched_day_of(s, ch, ch->date_to, &ch->day_to, err);
    if (rc) return rc;
    const int32_t days = s->p.days;
    /* A horizon shortened on the command line (--days, --set days) runs the
     * first days of the scenario: the changes after it never come. The
     * scenario as its file wrote it is checked in full. */
    const int shortened = scn_horizon_shortened(s);
    const int32_t ends[2] = {ch->day, ch->day_to};
    const int32_t dates[2] = {ch->date, ch->date_to};
    for (int k = 0; k < (ch->ramp ? 2 : 1); k++) {
        if (ends[k] >= 1 && (ends[k] <= days || shortened)) continue;
        if (dates[k] != PARAMS_NO_DATE) {
            char d[TEXT_DATE_LEN], first[TEXT_DATE_LEN], last[TEXT_DATE_LEN];
            text_date_format(dates[k], d);
            text_date_format(s->p.start_date, first);
            text_date_format(s->p.start_date + days - 1, last);
            return sched_fail(ch, err,
                              "'%s' changes on %s, which is day %d: outside the run (%s to %s, "
                              "days 1 to %d)",
                              ch->key, d, (int)ends[k], first, last, (int)days);
        }
        return sched_fail(ch, err, "'%s' changes on day %d, outside the run (days 1 to %d)",
                          ch->key, (int)ends[k], (int)days);
    }
    if (ch->ramp && !(ch->day < ch->day_to))
        return sched_fail(ch, err, "the ramp of '%s' must end after it starts (day %d to day %d)",
                          ch->key, (int)ch->day, (int)ch->day_to);
    return SS_OK;
}

/* Where change c was written, for a message about another change: its
 * line if it is in the same file as other, else file and line. */
static void sched_where(const struct sched_change *c, const struct sched_change *other, char *buf,
                        size_t size)
{
    if (c->src && other->src && !strcmp(c->src, other->src))
        snprintf(buf, size, "line %d", c->line);
    else
        snprintf(buf, size, "%s:%d", c->src ? c->src : "--set", c->line);
}

/* Two changes of one key may not overlap: a ramp's days and another
 * change of the same key's, or two sets of it on one day. */
static int sched_overlaps(const struct schedule *sc, struct ss_error *err)
{
    for (uint32_t i = 0; i < sc->n; i++)
        for (uint32_t j = 0; j < i; j++) {
            const struct sched_change *a = &sc->c[i], *b = &sc->c[j];
            if (a->off != b->off) continue;
            if (a->day > b->day_to || b->day > a->day_to) continue;
            const struct sched_change *ramp = b->ramp ? b : a;
            char where[MAX_PATH + 32];
            sched_where(b, a, where, sizeof where);
            if (a->ramp || b->ramp)
                return sched_fail(a, err,
                                  "'%s' changes on days %d to %d, which overlap its ramp of days "
                                  "%d to %d (%s)",
                                  a->key, (int)a->day, (int)a->day_to, (int)ramp->day,
                                  (int)ramp->day_to, where);
            return sched_fail(a, err, "'%s' is set twice on day %d (also at %s)", a->key,
                              (int)a->day, where);
        }
    return SS_OK;
}

/* The rules between keys that a change could break, on parameters in
 * force: what is broken, and the keys involved, or NULL. */
static const char *sched_rule(const struct params *p, char *msg, size_t size, const char *keys[2])
{
    static const char *const tier[] = {"aaa", "aa", "a", "b", "c"};
    for (int t = TIER_AA; t <= TIER_C; t++) {
        if (p->scoring.tiers[t] < p->scoring.tiers[t - 1]) continue;
        snprintf(msg, size, "scoring.tiers.%s (%g) must stay below scoring.tiers.%s (%g)", tier[t],
                 p->scoring.tiers[t], tier[t - 1], p->scoring.tiers[t - 1]);
        keys[0] = "scoring.tiers.", keys[1] = "scoring.tiers.";
        return msg;
    }
    if (!(p->behaviour.fear.proximity_bottom < p->behaviour.fear.proximity_top)) {
        snprintf(msg, size,
                 "behaviour.fear.proximity_bottom (%g) must stay below "
                 "behaviour.fear.proximity_top (%g)",
                 p->behaviour.fear.proximity_bottom, p->behaviour.fear.proximity_top);
        keys[0] = "behaviour.fear.proximity_bottom", keys[1] = "behaviour.fear.proximity_top";
        return msg;
    }
    if (p->list.exit_above < p->list.enter_below) {
        snprintf(msg, size, "list.exit_above (%g) must stay at least list.enter_below (%g)",
                 p->list.exit_above, p->list.enter_below);
        keys[0] = "list.exit_above", keys[1] = "list.enter_below";
        return msg;
    }
    return NULL;
}

/* The rules hold on every day a change starts or ends: between those days
 * every value is constant or linear, so they hold in between too. */
static int sched_rules(const struct scenario *s, struct ss_error *err)
{
    const struct schedule *sc = &s->p.schedule;
    for (uint32_t i = 0; i < sc->n; i++) {
        for (int end = 0; end < 1 + sc->c[i].ramp; end++) {
            const int32_t day = end ? sc->c[i].day_to : sc->c[i].day;
            struct params at;
            sched_params_at(&s->p, day, &at);
            char msg[300];
            const char *keys[2];
            if (!sched_rule(&at, msg, sizeof msg, keys)) continue;
            /* blame the latest change on or before that day of a key involved */
            const struct sched_change *blame = &sc->c[i];
            for (uint32_t j = 0; j < sc->n; j++) {
                const struct sched_change *c = &sc->c[j];
                int involved = !strncmp(c->key, keys[0], strlen(keys[0])) ||
                               !strncmp(c->key, keys[1], strlen(keys[1]));
                if (involved && c->day <= day && c->day >= blame->day) blame = c;
            }
            return sched_fail(blame, err, "on day %d the schedule breaks a rule: %s", (int)day,
                              msg);
        }
    }
    return SS_OK;
}

int scn_schedule_finish(struct scenario *s, struct ss_error *err)
{
    struct schedule *sc = &s->p.schedule;
    mem_free(&s->mem, sc->order);
    sc->order = NULL;
    if (sc->n == 0) return SS_OK;
    for (uint32_t i = 0; i < sc->n; i++) {
        struct sched_change *ch = &sc->c[i];
        int rc = sched_resolve_days(s, ch, err);
        if (rc) return rc;
        /* A layer may have moved since the schedule was read (a later
         * `network.layers` replaces them all): find its field again. */
        struct scn_ctx c = {s, ch->src, 0, NULL, NULL, NULL};
        const struct row *r = NULL;
        size_t off = 0;
        if (scn_lookup(&c, ch->key, NULL, &r, &off) != SS_OK)
            return sched_fail(ch, err,
                              "'%s' names nothing in the finished scenario (was its "
                              "layer removed?)",
                              ch->key);
        ch->off = (uint32_t)off;
    }
    int rc = sched_overlaps(sc, err);
    if (rc) return rc;
    sc->order = mem_alloc_array(&s->mem, sc->n, sizeof *sc->order);
    if (!sc->order) return err_nomem(err, "ordering the schedule");
    /* by day, then as written: insertion sort, schedules are short */
    for (uint32_t i = 0; i < sc->n; i++) {
        uint32_t k = i;
        while (k > 0 && sc->c[sc->order[k - 1]].day > sc->c[i].day) {
            sc->order[k] = sc->order[k - 1];
            k--;
        }
        sc->order[k] = i;
    }
    return sched_rules(s, err);
}

/* ---- the parameters of a day ------------------------------------------- */

static void sched_write(struct params *p, const struct sched_change *c, double v)
{
    char *at = (char *)p + c->off;
    switch (c->type) {
    case T_REAL:
    case T_PROB:
        memcpy(at, &v, sizeof v);
        break;
    case T_U32: {
        uint32_t u = (uint32_t)lround(v);
        memcpy(at, &u, sizeof u);
        break;
    }
    default: { /* T_BOOL, T_INT, T_ENUM */
        int i = (int)lround(v);
        memcpy(at, &i, sizeof i);
        break;
    }
    }
}

void sched_params_at(const struct params *base, int32_t day, struct params *out)
{
    *out = *base;
    const struct schedule *sc = &base->schedule;
    for (uint32_t k = 0; k < sc->n && sc->order; k++) {
        const struct sched_change *c = &sc->c[sc->order[k]];
        if (c->day > day) break;
        double v = c->value;
        if (c->ramp)
            v = day >= c->day_to ? c->value_to
                                 : c->value + (c->value_to - c->value) * (double)(day - c->day) /
                                                  (double)(c->day_to - c->day);
        sched_write(out, c, v);
    }
    params_resolve_coverage(out);
}

double sched_value_in(const struct params *p, const struct sched_change *c)
{
    const char *at = (const char *)p + c->off;
    switch (c->type) {
    case T_REAL:
    case T_PROB: {
        double d;
        memcpy(&d, at, sizeof d);
        return d;
    }
    case T_U32: {
        uint32_t u;
        memcpy(&u, at, sizeof u);
        return (double)u;
    }
    default: { /* T_BOOL, T_INT, T_ENUM */
        int i;
        memcpy(&i, at, sizeof i);
        return (double)i;
    }
    }
}

void sched_value_text(const struct sched_change *c, double v, char buf[SCHED_VALUE_LEN])
{
    switch (c->type) {
    case T_BOOL:
        snprintf(buf, SCHED_VALUE_LEN, "%s", v != 0 ? "true" : "false");
        break;
    case T_ENUM: {
        /* an index past the names cannot come from the table: say so, not read past them */
        int k = (int)v, n = 0;
        while (c->names && c->names[n]) n++;
        snprintf(buf, SCHED_VALUE_LEN, "%s", k >= 0 && k < n ? c->names[k] : "~");
        break;
    }
    case T_REAL:
    case T_PROB:
        scn_fmt_real(v, buf, SCHED_VALUE_LEN);
        break;
    default:
        snprintf(buf, SCHED_VALUE_LEN, "%.0f", v);
        break;
    }
}

int sched_changes(const struct params *base, int32_t day)
{
    const struct schedule *sc = &base->schedule;
    for (uint32_t i = 0; i < sc->n; i++)
        if (sc->c[i].day == day || (sc->c[i].ramp && sc->c[i].day < day && day <= sc->c[i].day_to))
            return 1;
    return 0;
}

void params_resolve_coverage(struct params *p)
{
    for (int ch = 0; ch < N_CHANNELS; ch++) {
        struct channel_params *cp = &p->surveillance[ch];
        for (uint32_t g = 0; g < MAX_GROUPS; g++)
            cp->coverage_g[g] = g < p->population.groups.n ? cp->coverage : 0;
        for (uint32_t i = 0; i < cp->coverage_by_group.n; i++)
            for (uint32_t g = 0; g < p->population.groups.n; g++)
                if (!strcmp(cp->coverage_by_group.name[i], p->population.groups.name[g]))
                    cp->coverage_g[g] = cp->coverage_by_group.v[i];
    }
}

int scn_changes_after(const struct scenario *s)
{
    const struct schedule *sc = &s->p.schedule;
    int n = 0;
    for (uint32_t i = 0; i < sc->n; i++) n += sc->c[i].day > s->p.days;
    return n;
}

/* ---- the structure of a run ---------------------------------------------- */

/* Whether n doubles at a equal those at b as values (an unset value, NaN,
 * equals another: comparing bytes would tell 0.0 from -0.0 and one NaN
 * from another). */
static int sched_same_double(const void *a, const void *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double x, y;
        memcpy(&x, (const char *)a + i * sizeof x, sizeof x);
        memcpy(&y, (const char *)b + i * sizeof y, sizeof y);
        if (x != y && !(isnan(x) && isnan(y))) return 0;
    }
    return 1;
}

/* Whether the field of row r at a equals the one at b. */
static int sched_same_field(const struct row *r, const char *a, const char *b)
{
    switch (r->type) {
    case T_BOOL:
    case T_INT:
    case T_ENUM:
        return !memcmp(a, b, sizeof(int));
    case T_U32:
    case T_DATE:
        return !memcmp(a, b, sizeof(uint32_t));
    case T_U64:
        return !memcmp(a, b, sizeof(uint64_t));
    case T_REAL:
    case T_PROB:
        return sched_same_double(a, b, 1);
    case T_STR:
        return !strcmp(a, b);
    case T_DIST: {
        const struct dist *x = (const struct dist *)a, *y = (const struct dist *)b;
        if (x->kind != y->kind || x->n_values != y->n_values) return 0;
        const double u[7] = {x->value, x->lo, x->hi, x->mean, x->sd, x->a, x->b};
        const double v[7] = {y->value, y->lo, y->hi, y->mean, y->sd, y->a, y->b};
        return sched_same_double(u, v, 7) &&
               (!x->n_values || sched_same_double(x->values, y->values, x->n_values));
    }
    case T_NAMED: {
        const struct named_values *x = (const struct named_values *)a,
                                  *y = (const struct named_values *)b;
        if (x->n != y->n) return 0;
        for (uint32_t i = 0; i < x->n; i++)
            if (strcmp(x->name[i], y->name[i]) || !sched_same_double(&x->v[i], &y->v[i], 1))
                return 0;
        return 1;
    }
    default:
        return 1;
    }
}

int scn_same_structure(const struct scenario *a, const struct scenario *b, struct ss_error *err)
{
    const char *pa = (const char *)&a->p, *pb = (const char *)&b->p;
    const struct family *lf = &scn_layer_family;
    const uint32_t na = *(const uint32_t *)(pa + lf->count_off),
                   nb = *(const uint32_t *)(pb + lf->count_off);
    for (size_t i = 0; i < scn_n_rows; i++) {
        const struct row *r = &scn_rows[i];
        int structural = sched_prefix(r->key, "population") || sched_prefix(r->key, "network") ||
                         !strcmp(r->key, "seed") || !strcmp(r->key, "start_date");
        if (!structural || r->type == T_FAMILY || !strcmp(scn_key_last(r->key), "contact"))
            continue;
        if (r->fam != lf) {
            if (!sched_same_field(r, pa + r->off, pb + r->off))
                return err_msg(err, SS_EINPUT,
                               "'%s' differs: a fork keeps the world's structure (population, "
                               "networks, seed, start_date); only its policy can change",
                               r->key);
            continue;
        }
        if (na != nb)
            return err_msg(err, SS_EINPUT,
                           "'network.layers' differs (%u layers against %u): a "
                           "fork keeps the world's networks",
                           na, nb);
        for (uint32_t l = 0; l < na; l++) {
            const char *ea = pa + (size_t)l * lf->stride, *eb = pb + (size_t)l * lf->stride;
            if (strcmp(ea + lf->name_off, eb + lf->name_off) ||
                !sched_same_field(r, ea + r->off, eb + r->off))
                return err_msg(err, SS_EINPUT,
                               "'network.layers.%s.%s' differs: a fork keeps the world's "
                               "networks (only a layer's contact can change)",
                               ea + lf->name_off, scn_key_last(r->key));
        }
    }
    return SS_OK;
}
