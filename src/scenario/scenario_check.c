/*
 * scenario_check.c - scn_finish: the checks between keys that no single
 * row can make (a key that needs another, a distribution's parameters,
 * the population, the layers and their edge-list files, scoring's bounds
 * and tiers, behaviour's thresholds), each failing at the place the user
 * wrote the key; group names resolved to indices; the schedule finished;
 * and the effective scenario's text. Apart from loading (scenario.c)
 * because these are the model's rules about its parameters, and they
 * grow with it.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/file.h"
#include "scenario/scenario.h"
#include "scenario/scenario_impl.h"

static const char *const tier_keys[] = {"aaa", "aa", "a", "b", "c"};

/* --- cross-key checks ---------------------------------------------------------- */

/* Fail at the place the user wrote key (elem >= 0: that list element), or
 * with no place if the value came from the defaults. */
static int fail_at(const struct scenario *s, struct ss_error *err, const char *key, long elem,
                   const char *fmt, ...) ERR_PRINTF(5, 6);

static int fail_at(const struct scenario *s, struct ss_error *err, const char *key, long elem,
                   const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const struct mark *k = scn_mark_find(s, key);
    if (!k) return err_set(err, SS_EINPUT, s->path[0] ? s->path : NULL, 0, 0, "%s", msg);
    int line = k->line, col = k->col;
    if (elem >= 0 && (uint32_t)elem < k->n_pos) {
        line = k->pos[2 * elem];
        col = k->pos[2 * elem + 1];
    }
    return err_set(err, SS_EINPUT, k->src, line, col, "%s", msg);
}

/* The first of two keys the user wrote, for errors that involve both. */
static const char *written(const struct scenario *s, const char *a, const char *b)
{
    return scn_mark_find(s, a) || !scn_mark_find(s, b) ? a : b;
}

static void fmt(double x, char *buf, size_t size)
{
    snprintf(buf, size, "%.15g", x);
}

static void names_of(const char *const *names, unsigned mask, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; names[i] && n < size; i++)
        if (mask & BIT(i))
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", names[i]);
}

/* A composite (a distribution, a layer): its discriminating enum is set,
 * keys that do not apply were not written and are reset, keys that are
 * required are there, and optional ones left out get their default. */
static int check_composite(struct scenario *s, struct ss_error *err, const struct row *rows,
                           size_t n, const struct family *fam, const struct row *parent, char *base,
                           const char *path)
{
    const struct row *disc = NULL;
    char child[MAX_KEY], list[400];
    for (size_t i = 0; i < n && !disc; i++)
        if (rows[i].fam == fam && rows[i].when) disc = scn_row_sibling(&rows[i]);
    if (!disc) return SS_OK; /* nothing in it depends on a kind */
    int v = *(const int *)(base + disc->off);
    const char *dname = scn_key_last(disc->key);
    /* Missing keys are reported where the user wrote the composite or,
     * failing that, changed its kind. */
    char kind[MAX_KEY + 16];
    snprintf(kind, sizeof kind, "%s.%s", path, dname);
    const char *place = written(s, path, kind);
    if (v < 0) {
        names_of(disc->names, ~0u, list, sizeof list);
        return fail_at(s, err, place, -1, "'%s' needs '%s' (one of %s)", path, dname, list);
    }
    for (size_t i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        if (r->fam != fam || r == disc || r->type == T_FAMILY) continue;
        const char *last = scn_key_last(r->key);
        char *addr = base + r->off;
        snprintf(child, sizeof child, "%s.%s", path, last);
        if (!scn_row_applies(r, v)) {
            if (scn_mark_find(s, child)) {
                names_of(disc->names, r->when_mask, list, sizeof list);
                return fail_at(s, err, child, -1,
                               "key '%s' does not apply to %s '%s' (it applies to: %s)", last,
                               dname, disc->names[v], list);
            }
            if (!r->def && (r->type == T_REAL || r->type == T_PROB)) {
                *(double *)addr = 0; /* no NaN left for other modules */
                continue;
            }
        } else if (!scn_field_unset(r, addr)) {
            continue;
        } else if (r->req_mask & BIT(v)) {
            return fail_at(s, err, place, -1, "'%s' with %s '%s' needs '%s'", path, dname,
                           disc->names[v], last);
        }
        int rc = scn_apply_default(s, r, parent, base, child, err);
        if (rc) return rc;
    }
    return SS_OK;
}

static int check_dist(struct scenario *s, struct ss_error *err, const struct row *r)
{
    struct dist *d = (struct dist *)((char *)&s->p + r->off);
    char key[MAX_KEY], a[32], b[32];
    int rc = check_composite(s, err, scn_dist_rows, scn_n_dist_rows, NULL, r, (char *)d, r->key);
    if (rc) return rc;
    if ((d->kind == DIST_UNIFORM || d->kind == DIST_NORMAL) && d->lo > d->hi) {
        snprintf(key, sizeof key, "%s.lo", r->key);
        fmt(d->lo, a, sizeof a);
        fmt(d->hi, b, sizeof b);
        return fail_at(s, err, written(s, key, r->key), -1,
                       "'%s' needs lo <= hi, got lo %s and hi %s", r->key, a, b);
    }
    if (d->kind == DIST_LIST && d->n_values != s->p.population.agents) {
        snprintf(key, sizeof key, "%s.values", r->key);
        if (!scn_mark_find(s, key))
            snprintf(key, sizeof key, "%s", written(s, r->key, "population.agents"));
        return fail_at(s, err, key, -1,
                       "'%s' lists %" PRIu32 " values but population.agents is %" PRIu32, r->key,
                       d->n_values, s->p.population.agents);
    }
    return SS_OK;
}

static int check_population(struct scenario *s, struct ss_error *err)
{
    const struct named_values *g = &s->p.population.groups;
    double sum = 0;
    char a[32];
    for (uint32_t i = 0; i < g->n; i++) sum += g->v[i];
    if (fabs(sum - 1) > 1e-6) {
        fmt(sum, a, sizeof a);
        return fail_at(s, err, "population.groups", -1,
                       "'population.groups' shares sum to %s, not 1", a);
    }
    /* A clip range of [0, 1] suits thresholds that are shares; counted in
     * contacts, a threshold above 1 is the point, so an unwritten upper clip
     * becomes the population size (no clip at all in effect). */
    struct dist *t = &s->p.population.threshold;
    if (s->p.population.threshold_unit == THRESH_COUNT && t->kind == DIST_NORMAL &&
        !scn_mark_find(s, "population.threshold.hi") && !(t->hi >= (double)s->p.population.agents))
        t->hi = (double)s->p.population.agents;
    for (size_t i = 0; i < scn_n_rows; i++) {
        if (scn_rows[i].type != T_DIST) continue;
        int rc = check_dist(s, err, &scn_rows[i]);
        if (rc) return rc;
    }
    return SS_OK;
}

static int check_edge_file(struct scenario *s, struct ss_error *err, const struct layer_params *l,
                           const char *key)
{
    char full[2 * MAX_PATH + 2];
    if (l->file[0] == '/')
        snprintf(full, sizeof full, "%s", l->file);
    else
        snprintf(full, sizeof full, "%s/%s", s->dir, l->file);
    /* only whether it opens, as a regular file: its lines are read by
     * `check` (sim_check_inputs) and by the run, with the run's reader */
    FILE *f;
    int code;
    const char *why = file_open_why(full, &f, &code);
    if (!why) {
        fclose(f);
        return SS_OK;
    }
    return fail_at(s, err, key, -1, "'%s' names '%s', which cannot be read: %s", key, l->file, why);
}

/* Check each layer, then drop disabled ones (the rest keep their order). */
static int check_layers(struct scenario *s, struct ss_error *err)
{
    const struct family *f = &scn_layer_family;
    char path[MAX_KEY], key[MAX_KEY + 8];
    uint32_t kept = 0;
    for (uint32_t i = 0; i < s->p.network.n_layers; i++) {
        struct layer_params *l = &s->p.network.layers[i];
        snprintf(path, sizeof path, "network.layers.%s", l->name);
        int rc = check_composite(s, err, scn_rows, scn_n_rows, f, NULL,
                                 (char *)&s->p + i * f->stride, path);
        if (rc) return rc;
        snprintf(key, sizeof key, "%s.file", path);
        if (l->generator == GEN_EDGE_LIST && (rc = check_edge_file(s, err, l, key))) return rc;
    }
    for (uint32_t i = 0; i < s->p.network.n_layers; i++)
        if (s->p.network.layers[i].enabled) s->p.network.layers[kept++] = s->p.network.layers[i];
    memset(&s->p.network.layers[kept], 0, (MAX_LAYERS - kept) * sizeof s->p.network.layers[0]);
    s->p.network.n_layers = kept;
    return SS_OK;
}

static int check_scoring(struct scenario *s, struct ss_error *err)
{
    struct params *p = &s->p;
    char a[32], b[32], c[32], k1[64], k2[64];
    fmt(p->scoring.min, a, sizeof a);
    fmt(p->scoring.max, b, sizeof b);
    if (!(p->scoring.min < p->scoring.max))
        return fail_at(s, err, written(s, "scoring.min", "scoring.max"), -1,
                       "'scoring.min' (%s) must be below scoring.max (%s)", a, b);
    for (int t = TIER_AA; t <= TIER_C; t++) {
        if (p->scoring.tiers[t] < p->scoring.tiers[t - 1]) continue;
        snprintf(k1, sizeof k1, "scoring.tiers.%s", tier_keys[t]);
        snprintf(k2, sizeof k2, "scoring.tiers.%s", tier_keys[t - 1]);
        fmt(p->scoring.tiers[t], a, sizeof a);
        fmt(p->scoring.tiers[t - 1], b, sizeof b);
        return fail_at(s, err, written(s, k1, k2), -1,
                       "'%s' (%s) must be below %s (%s): tiers strictly decrease from aaa to c", k1,
                       a, k2, b);
    }
    p->scoring.tiers[TIER_D] = p->scoring.min;
    double x = p->population.start_score;
    if (x < p->scoring.min || x > p->scoring.max) {
        fmt(p->scoring.min, a, sizeof a);
        fmt(p->scoring.max, b, sizeof b);
        fmt(x, c, sizeof c);
        const char *key =
            written(s, "population.start_score", written(s, "scoring.min", "scoring.max"));
        return fail_at(s, err, key, -1,
                       "'population.start_score' must be between scoring.min (%s) and "
                       "scoring.max (%s), got %s",
                       a, b, c);
    }
    return SS_OK;
}

static int check_behaviour(struct scenario *s, struct ss_error *err)
{
    struct params *p = &s->p;
    const char *ik = "behaviour.protest.trigger.ids", *dk = "behaviour.protest.trigger.days";
    char a[32], b[32];
    /* Trigger days written past the run's last day are an error, as
     * schedule changes are. Kept, and never coming (scn_triggers_after
     * counts them for a note), are those past a horizon shortened on the
     * command line, so a scenario can be run for fewer days without
     * editing it (unless the days were written there too), and the seed's
     * own when a file runs for fewer days than its trigger needs. */
    const struct int_list *td = &p->behaviour.protest.trigger.days;
    const int past_ok = scn_horizon_shortened(s) && !scn_mark_on_command_line(s, dk);
    for (uint32_t i = 0; i < td->n && !past_ok && scn_mark_find(s, dk); i++)
        if (td->v[i] > (int64_t)p->days)
            return fail_at(s, err, dk, (long)i,
                           "'%s' holds day %" PRId64 ", after the last day of the run (days 1 "
                           "to %d)",
                           dk, td->v[i], p->days);
    for (uint32_t i = 0; i < p->behaviour.protest.trigger.ids.n; i++)
        if (p->behaviour.protest.trigger.ids.v[i] >= (int64_t)p->population.agents)
            return fail_at(
                s, err, written(s, ik, "population.agents"), scn_mark_find(s, ik) ? (long)i : -1,
                "'%s' must be between 0 and population.agents - 1 (%" PRIu32 "), got %" PRId64, ik,
                p->population.agents - 1, p->behaviour.protest.trigger.ids.v[i]);
    if (p->behaviour.protest.trigger.count > p->population.agents)
        return fail_at(s, err, written(s, "behaviour.protest.trigger.count", "population.agents"),
                       -1,
                       "'behaviour.protest.trigger.count' must be at most population.agents "
                       "(%" PRIu32 "), got %" PRIu32,
                       p->population.agents, p->behaviour.protest.trigger.count);
    if (!(p->behaviour.fear.proximity_bottom < p->behaviour.fear.proximity_top)) {
        fmt(p->behaviour.fear.proximity_bottom, a, sizeof a);
        fmt(p->behaviour.fear.proximity_top, b, sizeof b);
        return fail_at(
            s, err, written(s, "behaviour.fear.proximity_bottom", "behaviour.fear.proximity_top"),
            -1,
            "'behaviour.fear.proximity_bottom' (%s) must be below "
            "behaviour.fear.proximity_top (%s)",
            a, b);
    }
    if (p->list.exit_above < p->list.enter_below) {
        fmt(p->list.exit_above, a, sizeof a);
        fmt(p->list.enter_below, b, sizeof b);
        return fail_at(s, err, written(s, "list.exit_above", "list.enter_below"), -1,
                       "'list.exit_above' (%s) must be at least list.enter_below (%s)", a, b);
    }
    return SS_OK;
}

/* --- group names ------------------------------------------------------------------ */

static int group_index(const struct params *p, const char *name)
{
    for (uint32_t g = 0; g < p->population.groups.n; g++)
        if (!strcmp(p->population.groups.name[g], name)) return (int)g;
    return -1;
}

static int fail_group(const struct scenario *s, struct ss_error *err, const char *place, long elem,
                      const char *key, const char *name)
{
    const struct named_values *g = &s->p.population.groups;
    char hint[MAX_NAME + 24] = "";
    int best = 1 << 20;
    for (uint32_t i = 0; i < g->n; i++) {
        int d = scn_edit_distance(name, g->name[i]);
        if (scn_close(name, g->name[i]) && d < best) {
            best = d;
            snprintf(hint, sizeof hint, " (did you mean '%s'?)", g->name[i]);
        }
    }
    return fail_at(s, err, place, elem,
                   "'%s' names '%s', which is not a group in population.groups%s", key, name, hint);
}

/* Per-group coverage: a name the user wrote must be a group; the seed's
 * names are dropped when the scenario has no such group. */
static int resolve_channel(struct scenario *s, struct ss_error *err, int c)
{
    static const char *const ch[] = {"payment", "internet", "cameras", "phone"};
    struct channel_params *cp = &s->p.surveillance[c];
    struct named_values *nv = &cp->coverage_by_group;
    char key[MAX_KEY], entry[MAX_KEY + MAX_NAME];
    uint32_t kept = 0;
    snprintf(key, sizeof key, "surveillance.%s.coverage_by_group", ch[c]);
    /* keep the overrides of groups the scenario has (params_resolve_coverage
     * then applies them) */
    for (uint32_t i = 0; i < nv->n; i++) {
        int g = group_index(&s->p, nv->name[i]);
        snprintf(entry, sizeof entry, "%s.%s", key, nv->name[i]);
        if (g < 0 && scn_mark_find(s, entry))
            return fail_group(s, err, entry, -1, key, nv->name[i]);
        if (g < 0) continue;
        memmove(nv->name[kept], nv->name[i], MAX_NAME);
        nv->v[kept++] = nv->v[i];
    }
    memset(nv->name[kept], 0, (MAX_GROUPS - kept) * MAX_NAME);
    memset(&nv->v[kept], 0, (MAX_GROUPS - kept) * sizeof nv->v[0]);
    nv->n = kept;
    return SS_OK;
}

static int resolve_set(struct scenario *s, struct ss_error *err, struct group_set *gs,
                       const char *key)
{
    int user = scn_mark_find(s, key) != NULL;
    uint32_t kept = 0;
    gs->mask = 0;
    for (uint32_t i = 0; i < gs->n; i++) {
        int g = group_index(&s->p, gs->name[i]);
        if (g < 0 && user) return fail_group(s, err, key, (long)i, key, gs->name[i]);
        if (g < 0) continue;
        gs->mask |= BIT(g);
        memmove(gs->name[kept++], gs->name[i], MAX_NAME);
    }
    memset(gs->name[kept], 0, (MAX_GROUPS - kept) * MAX_NAME);
    gs->n = kept;
    return SS_OK;
}

static int resolve_groups(struct scenario *s, struct ss_error *err)
{
    int rc = SS_OK;
    for (int c = 0; c < N_CHANNELS && !rc; c++) rc = resolve_channel(s, err, c);
    if (!rc) params_resolve_coverage(&s->p);
    if (!rc) rc = resolve_set(s, err, &s->p.scoring.group_cap.groups, "scoring.group_cap.groups");
    if (!rc)
        rc = resolve_set(s, err, &s->p.sanctions.internment.groups, "sanctions.internment.groups");
    return rc;
}

int scn_finish(struct scenario *s, struct ss_error *err)
{
    int rc = check_population(s, err);
    if (!rc) rc = check_layers(s, err);
    if (!rc) rc = check_scoring(s, err);
    if (!rc) rc = check_behaviour(s, err);
    if (!rc) rc = resolve_groups(s, err);
    if (!rc) rc = scn_schedule_finish(s, err);
    if (rc) return rc;
    struct out o = {.b = {.m = &s->mem}};
    scn_emit(&o, s, NULL);
    if (o.status) {
        sbuf_free(&o.b);
        return err_msg(err, o.status, "printing the effective scenario");
    }
    char *text = sbuf_take(&o.b, err, "printing the effective scenario");
    if (!text) return SS_ENOMEM;
    mem_free(&s->mem, s->text);
    s->text = text;
    s->finished = 1;
    return SS_OK;
}

int scn_triggers_after(const struct scenario *s)
{
    const struct int_list *td = &s->p.behaviour.protest.trigger.days;
    int n = 0;
    for (uint32_t i = 0; i < td->n; i++) n += td->v[i] > (int64_t)s->p.days;
    return n;
}
