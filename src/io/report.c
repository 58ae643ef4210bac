/*
 * report.c - report.html of a run, a sweep or a compare (see report.h).
 *
 * The C side does three things: it reads the figures the page needs from
 * results.sqlite with a handful of SQL queries, writes them as one JSON
 * object (each query becomes {"cols": [...], "rows": [[...], ...]}), and
 * wraps that object and the embedded front-end into one HTML file. All
 * shaping, statistics and wording happen in the front-end
 * (report/src/report.js), which documents the object's keys.
 *
 * Every text that comes from a scenario (its name, group and layer names,
 * the scenario text itself) reaches the page either HTML-escaped (the title
 * and heading written here) or inside the JSON, escaped for a <script>
 * element, and the front-end inserts it as text, never as markup.
 */
#include "io/report.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "scenario/params.h"

#define REP_DB_NAME   "results.sqlite"
#define REP_HTML_NAME "report.html"

/* Most values (rows x columns) the time series may hold before days are
 * thinned to every k-th (the first and last days are always kept): about
 * 5 MB of JSON, enough for every day of a run of 2,000 days with 10 groups,
 * or of a year for 12 sweep points. */
#define REP_SERIES_BUDGET 600000.0

/* ---- a growing buffer ------------------------------------------------- */

/* Text under construction. After an allocation failure every append is a
 * no-op and oom stays set: callers check once, at the end. */
struct rep_buf {
    struct mem *m; /* allocation hook */
    char *s;       /* the text, NUL-terminated, or NULL while empty */
    size_t n;      /* length */
    size_t cap;    /* bytes allocated */
    int oom;       /* an allocation failed */
};

static void rb_free(struct rep_buf *b)
{
    mem_free(b->m, b->s);
    b->s = NULL;
    b->n = b->cap = 0;
}

static int rb_reserve(struct rep_buf *b, size_t extra)
{
    if (b->oom) return -1;
    if (b->n + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *s = mem_realloc(b->m, b->s, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

static void rb_add(struct rep_buf *b, const char *p, size_t n)
{
    if (rb_reserve(b, n)) return;
    memcpy(b->s + b->n, p, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void rb_puts(struct rep_buf *b, const char *s)
{
    rb_add(b, s, strlen(s));
}

static void rb_printf(struct rep_buf *b, const char *fmt, ...) ERR_PRINTF(2, 3);
static void rb_printf(struct rep_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (k < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)k < sizeof small) {
        rb_add(b, small, (size_t)k);
        return;
    }
    if (rb_reserve(b, (size_t)k)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if s does not start
 * one (overlong forms, surrogates and code points above U+10FFFF are
 * invalid). */
static size_t rep_utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0)
        n = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
        n = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0; /* also stops at the NUL */
        cp = cp << 6 | (s[i] & 0x3F);
    }
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

/* The body of a JSON string, safe inside <script> (see report.h). */
static void rb_json_text(struct rep_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        unsigned c = *s;
        size_t n = rep_utf8_len(s);
        if (n == 0) {
            rb_puts(b, "\\ufffd");
            s++;
        } else if (n == 3 && c == 0xE2 && s[1] == 0x80 && (s[2] == 0xA8 || s[2] == 0xA9)) {
            rb_puts(b, s[2] == 0xA8 ? "\\u2028" : "\\u2029");
            s += 3;
        } else if (n > 1) {
            rb_add(b, (const char *)s, n);
            s += n;
        } else {
            switch (c) {
            case '"':
                rb_puts(b, "\\\"");
                break;
            case '\\':
                rb_puts(b, "\\\\");
                break;
            case '\n':
                rb_puts(b, "\\n");
                break;
            case '\t':
                rb_puts(b, "\\t");
                break;
            case '<':
            case '>':
            case '&':
                rb_printf(b, "\\u%04x", c);
                break;
            default:
                if (c < 0x20 || c == 0x7F)
                    rb_printf(b, "\\u%04x", c);
                else
                    rb_add(b, (const char *)s, 1);
            }
            s++;
        }
    }
}

static void rb_json_str(struct rep_buf *b, const char *s)
{
    rb_puts(b, "\"");
    rb_json_text(b, s);
    rb_puts(b, "\"");
}

/* s as HTML text; bytes that are not UTF-8 become U+FFFD. */
static void rb_html(struct rep_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        size_t n = rep_utf8_len(s);
        if (n == 0) {
            rb_puts(b, "\xEF\xBF\xBD");
            s++;
            continue;
        }
        switch (*s) {
        case '&':
            rb_puts(b, "&amp;");
            break;
        case '<':
            rb_puts(b, "&lt;");
            break;
        case '>':
            rb_puts(b, "&gt;");
            break;
        case '"':
            rb_puts(b, "&quot;");
            break;
        case '\'':
            rb_puts(b, "&#39;");
            break;
        default:
            rb_add(b, (const char *)s, n);
        }
        s += n;
    }
}

static int rep_escape(struct mem *m, const char *s, char **out, size_t *len,
                      void (*fn)(struct rep_buf *, const char *))
{
    struct rep_buf b = {.m = m};
    rb_puts(&b, "");
    fn(&b, s ? s : "");
    if (b.oom) {
        rb_free(&b);
        *out = NULL;
        *len = 0;
        return SS_ENOMEM;
    }
    *out = b.s;
    *len = b.n;
    return SS_OK;
}

int rep_json_escape(struct mem *m, const char *s, char **out, size_t *len)
{
    return rep_escape(m, s, out, len, rb_json_text);
}

int rep_html_escape(struct mem *m, const char *s, char **out, size_t *len)
{
    return rep_escape(m, s, out, len, rb_html);
}

/* ---- reading results.sqlite -------------------------------------------- */

enum rep_kind { REP_RUN, REP_SWEEP, REP_COMPARE };

/* One report being built. */
struct rep {
    sqlite3 *db;          /* results.sqlite, read-only */
    const char *db_path;  /* its path, for messages */
    struct rep_buf json;  /* the data object */
    struct rep_buf sql;   /* scratch for query text */
    int kind;             /* enum rep_kind */
    long long last_day;   /* the last day of the results */
    long long step;       /* time series keep every step-th day */
    struct ss_error *err; /* where failures go */
};

static int rep_sql_err(struct rep *r, const char *what)
{
    return err_msg(r->err, SS_EINPUT, "%s: %s %s: %s", r->db_path,
                   "cannot read the results (is it a scoresim results folder?) while reading", what,
                   sqlite3_errmsg(r->db));
}

/* The integer the query's first row starts with; *out = dflt for no row or
 * NULL. */
static int rep_scalar(struct rep *r, const char *sql, long long dflt, long long *out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) return rep_sql_err(r, sql);
    int rc = sqlite3_step(st);
    *out = dflt;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return rep_sql_err(r, sql);
    return SS_OK;
}

static int rep_has_table(struct rep *r, const char *name, int *has)
{
    sqlite3_stmt *st = NULL;
    const char *sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?";
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) return rep_sql_err(r, sql);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *has = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return rep_sql_err(r, sql);
    return SS_OK;
}

/* Append ,"key":{"cols":[...],"rows":[[...],...]} with every row of sql. */
static int rep_table(struct rep *r, const char *key, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) return rep_sql_err(r, key);
    struct rep_buf *b = &r->json;
    int nc = sqlite3_column_count(st);
    rb_puts(b, ",");
    rb_json_str(b, key);
    rb_puts(b, ":{\"cols\":[");
    for (int i = 0; i < nc; i++) {
        if (i) rb_puts(b, ",");
        rb_json_str(b, sqlite3_column_name(st, i));
    }
    rb_puts(b, "],\"rows\":[");
    int rc, first = 1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !b->oom) {
        rb_puts(b, first ? "\n[" : ",\n[");
        first = 0;
        for (int i = 0; i < nc; i++) {
            if (i) rb_puts(b, ",");
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                rb_printf(b, "%lld", (long long)sqlite3_column_int64(st, i));
                break;
            case SQLITE_FLOAT: {
                double v = sqlite3_column_double(st, i);
                if (isfinite(v))
                    rb_printf(b, "%.10g", v);
                else
                    rb_puts(b, "null");
                break;
            }
            case SQLITE_TEXT:
                rb_json_str(b, (const char *)sqlite3_column_text(st, i));
                break;
            default:
                rb_puts(b, "null");
            }
        }
        rb_puts(b, "]");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return rep_sql_err(r, key);
    rb_puts(b, "]}");
    return b->oom ? err_nomem(r->err, "building the report") : SS_OK;
}

/* ---- the queries ------------------------------------------------------- */

/* daily columns the time-series charts draw, as they are. */
static const char *const rep_plain[] = {"agents",
                                        "score_mean",
                                        "score_p10",
                                        "score_p50",
                                        "score_p90",
                                        "tier_aaa",
                                        "tier_aa",
                                        "tier_a",
                                        "tier_b",
                                        "tier_c",
                                        "tier_d",
                                        "listed",
                                        "listed_rate",
                                        "interned",
                                        "sanctioned_rate",
                                        "support_rate",
                                        "fear_mean",
                                        "silence_ratio",
                                        "protesters",
                                        "sanctions",
                                        "wrongful_sanctions",
                                        "cross_context_sanctions",
                                        "sanctions_cum",
                                        "wrongful_sanctions_cum",
                                        "cross_context_sanctions_cum",
                                        "ties",
                                        "ties_cut",
                                        "largest_component_share",
                                        "di_listed",
                                        "di_sanctioned"};

/* daily counts of today that the charts draw as running totals (cum_X). */
static const char *const rep_cum[] = {"list_entries",      "flights_refused", "school_refused",
                                      "social_media_bans", "jobs_refused",    "loans_refused",
                                      "internments"};

/* Metrics of the final day that sweep charts draw against the parameter. */
static const char *const rep_final[] = {"listed",
                                        "listed_rate",
                                        "sanctioned_rate",
                                        "interned",
                                        "sanctions_cum",
                                        "ties_cut",
                                        "ties",
                                        "largest_component_share",
                                        "score_mean",
                                        "fear_mean",
                                        "support_rate",
                                        "di_listed",
                                        "di_sanctioned",
                                        "agents",
                                        "ever_sanctioned",
                                        "wrongful_sanctions_cum",
                                        "cross_context_sanctions_cum"};

/* Metrics whose paired difference a compare draws over time. */
static const char *const rep_diff_time[] = {
    "listed_rate", "sanctions_cum", "wrongful_sanctions_cum", "cross_context_sanctions_cum",
    "ties_cut",    "protesters",    "silence_ratio",          "score_mean"};

#define REP_N(a) (sizeof(a) / sizeof((a)[0]))

/* "'a', 'b', ..." of a list of metric names. */
static void rep_in_list(struct rep_buf *b, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) rb_printf(b, "%s'%s'", i ? ", " : "", names[i]);
}

/* The time series: one row per (point, group, day), every rep_plain
 * column, cum_X running totals of rep_cum, and silence_7d (the silence
 * ratio over the last 7 days); thinned to every step-th day. A single run
 * is point 0 (from daily); a sweep's or compare's points are means over
 * their replicates (from summary). Running totals and the 7-day window are
 * taken before thinning. */
static int rep_series(struct rep *r)
{
    struct rep_buf *q = &r->sql;
    q->n = 0;
    rb_puts(q, "WITH src AS (SELECT ");
    if (r->kind == REP_RUN) {
        rb_puts(q, "0 AS point, \"group\", day");
        for (size_t i = 0; i < REP_N(rep_plain); i++) rb_printf(q, ", \"%s\"", rep_plain[i]);
        for (size_t i = 0; i < REP_N(rep_cum); i++) rb_printf(q, ", \"%s\"", rep_cum[i]);
        rb_puts(q, ", taken_criticise, criticism_would FROM daily)");
    } else {
        rb_puts(q, "point, \"group\", day");
        for (size_t i = 0; i < REP_N(rep_plain); i++)
            rb_printf(q, ", MAX(CASE WHEN metric = '%s' THEN mean END) AS \"%s\"", rep_plain[i],
                      rep_plain[i]);
        for (size_t i = 0; i < REP_N(rep_cum); i++)
            rb_printf(q, ", MAX(CASE WHEN metric = '%s' THEN mean END) AS \"%s\"", rep_cum[i],
                      rep_cum[i]);
        rb_puts(q, ", MAX(CASE WHEN metric = 'taken_criticise' THEN mean END) AS taken_criticise"
                   ", MAX(CASE WHEN metric = 'criticism_would' THEN mean END) AS criticism_would"
                   " FROM summary WHERE metric IN (");
        rep_in_list(q, rep_plain, REP_N(rep_plain));
        rb_puts(q, ", ");
        rep_in_list(q, rep_cum, REP_N(rep_cum));
        rb_puts(q, ", 'taken_criticise', 'criticism_would') GROUP BY point, \"group\", day)");
    }
    rb_puts(q, ", w AS (SELECT point, \"group\", day");
    for (size_t i = 0; i < REP_N(rep_plain); i++) rb_printf(q, ", \"%s\"", rep_plain[i]);
    for (size_t i = 0; i < REP_N(rep_cum); i++)
        rb_printf(q, ", SUM(\"%s\") OVER run AS cum_%s", rep_cum[i], rep_cum[i]);
    rb_puts(q, ", 1.0 - CAST(SUM(taken_criticise) OVER week AS REAL) /"
               " NULLIF(SUM(criticism_would) OVER week, 0)"
               " AS silence_7d FROM src WINDOW run AS (PARTITION BY point, \"group\" ORDER BY day),"
               " week AS (PARTITION BY point, \"group\" ORDER BY day ROWS BETWEEN 6 PRECEDING AND"
               " CURRENT ROW))");
    rb_printf(q,
              " SELECT * FROM w WHERE day %% %lld = 0 OR day = %lld ORDER BY point, \"group\", day",
              r->step, r->last_day);
    if (q->oom) return err_nomem(r->err, "building the report");
    return rep_table(r, "series", q->s);
}

/* Sums over the days of each run and group (day 0 excluded): the audit
 * summary's figures. A single run is run 0 of point 0. */
static int rep_totals(struct rep *r)
{
    static const char cols[] =
        "SUM(sanctions) AS sanctions, SUM(wrongful_sanctions) AS wrongful,"
        " SUM(cross_context_sanctions) AS cross_context,"
        " SUM(scored_missed_payment + scored_court_judgment + scored_criticism + scored_protest +"
        " scored_association) AS scored_negative,"
        " SUM(false_missed_payment + false_court_judgment + false_criticism + false_protest)"
        " AS scored_false,"
        " SUM(scored_association) AS scored_association,"
        " SUM(taken_criticise) AS criticised, SUM(criticism_would) AS would_criticise,"
        " MAX(protesters) AS protest_peak, SUM(list_entries) AS list_entries,"
        " SUM(internments) AS internments, SUM(rewards) AS rewards";
    struct rep_buf *q = &r->sql;
    q->n = 0;
    if (r->kind == REP_RUN)
        rb_printf(q,
                  "SELECT 0 AS run, 0 AS point, \"group\", %s FROM daily WHERE day > 0"
                  " GROUP BY \"group\" ORDER BY \"group\"",
                  cols);
    else
        rb_printf(q,
                  "SELECT d.run AS run, r.point AS point, d.\"group\" AS \"group\", %s"
                  " FROM daily d JOIN runs r ON r.run = d.run WHERE d.day > 0 AND r.status = 'done'"
                  " GROUP BY d.run, d.\"group\" ORDER BY d.run, d.\"group\"",
                  cols);
    if (q->oom) return err_nomem(r->err, "building the report");
    return rep_table(r, "totals", q->s);
}

static int rep_experiment_tables(struct rep *r)
{
    int rc = rep_table(r, "experiment", "SELECT * FROM experiment LIMIT 1");
    if (!rc) rc = rep_table(r, "points", "SELECT point, label, params FROM points ORDER BY point");
    if (!rc)
        rc = rep_table(r, "runs",
                       "SELECT run, point, replicate, seed, status, error, wall_seconds,"
                       " peak_memory_bytes FROM runs ORDER BY run");
    struct rep_buf *q = &r->sql;
    q->n = 0;
    rb_puts(q, "SELECT point, \"group\", metric, n, mean, sd, ci_low, ci_high FROM summary"
               " WHERE metric IN (");
    rep_in_list(q, rep_final, REP_N(rep_final));
    rb_printf(q, ") AND day = %lld ORDER BY point, \"group\", metric", r->last_day);
    if (!rc && q->oom) rc = err_nomem(r->err, "building the report");
    if (!rc) rc = rep_table(r, "final", q->s);
    if (rc || r->kind != REP_COMPARE) return rc;
    q->n = 0;
    rb_printf(q,
              "SELECT \"group\", metric, n, mean_a, mean_b, diff, ci_low, ci_high FROM comparison"
              " WHERE day = %lld ORDER BY \"group\", metric",
              r->last_day);
    if (q->oom) return err_nomem(r->err, "building the report");
    rc = rep_table(r, "comparison_final", q->s);
    if (rc) return rc;
    q->n = 0;
    rb_puts(q, "SELECT metric, day, n, mean_a, mean_b, diff, ci_low, ci_high FROM comparison"
               " WHERE \"group\" = -1 AND metric IN (");
    rep_in_list(q, rep_diff_time, REP_N(rep_diff_time));
    rb_printf(q, ") AND (day %% %lld = 0 OR day = %lld) ORDER BY metric, day", r->step,
              r->last_day);
    if (q->oom) return err_nomem(r->err, "building the report");
    return rep_table(r, "comparison_time", q->s);
}

/* The whole data object into r->json. */
static int rep_build(struct rep *r, const char *dir)
{
    int has = 0;
    int rc = rep_has_table(r, "daily", &has);
    if (rc) return rc;
    if (!has)
        return err_msg(r->err, SS_EINPUT,
                       "%s: no daily table: not the results of a scoresim run, sweep or compare",
                       r->db_path);
    rc = rep_has_table(r, "experiment", &has);
    if (rc) return rc;
    r->kind = REP_RUN;
    if (has) {
        long long sweep = 0;
        rc = rep_scalar(r, "SELECT kind = 'sweep' FROM experiment LIMIT 1", 1, &sweep);
        if (rc) return rc;
        r->kind = sweep ? REP_SWEEP : REP_COMPARE;
    }
    long long groups = 0, points = 1;
    rc = rep_scalar(r, "SELECT MAX(day) FROM daily", 0, &r->last_day);
    if (!rc) rc = rep_scalar(r, "SELECT COUNT(*) FROM groups", 0, &groups);
    if (!rc && r->kind != REP_RUN) rc = rep_scalar(r, "SELECT COUNT(*) FROM points", 1, &points);
    if (rc) return rc;
    const size_t cols = REP_N(rep_plain) + REP_N(rep_cum) + 4; /* point, group, day, silence */
    double values =
        (double)points * (double)(groups + 1) * (double)(r->last_day + 1) * (double)cols;
    r->step = values > REP_SERIES_BUDGET ? (long long)ceil(values / REP_SERIES_BUDGET) : 1;

    static const char *const kinds[] = {"run", "sweep", "compare"};
    struct rep_buf *b = &r->json;
    rb_puts(b, "{\"kind\":");
    rb_json_str(b, kinds[r->kind]);
    rb_puts(b, ",\"generator\":");
    rb_json_str(b, "scoresim " SS_VERSION);
    char now[32] = "";
    time_t t = time(NULL);
    struct tm tm;
    if (gmtime_r(&t, &tm)) strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    rb_puts(b, ",\"generated\":");
    rb_json_str(b, now);
    rb_puts(b, ",\"dir\":");
    rb_json_str(b, dir);
    rb_printf(b, ",\"last_day\":%lld,\"step\":%lld", r->last_day, r->step);
    rc = rep_table(r, "groups",
                   "SELECT \"group\", name, share, agents FROM groups ORDER BY \"group\"");
    if (!rc) rc = rep_table(r, "layers", "SELECT * FROM layers ORDER BY layer");
    if (!rc && r->kind == REP_RUN) rc = rep_table(r, "run", "SELECT * FROM run LIMIT 1");
    if (!rc && r->kind != REP_RUN) rc = rep_experiment_tables(r);
    if (!rc) rc = rep_series(r);
    if (!rc) rc = rep_totals(r);
    rb_puts(b, "}");
    if (!rc && b->oom) rc = err_nomem(r->err, "building the report");
    return rc;
}

/* The title: the scenario's or the experiment's name. Returns an owned
 * string (or NULL with rc set). */
static int rep_title(struct rep *r, struct mem *m, char **out)
{
    const char *sql =
        r->kind == REP_RUN ? "SELECT name FROM run LIMIT 1" : "SELECT name FROM experiment LIMIT 1";
    sqlite3_stmt *st = NULL;
    *out = NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) return rep_sql_err(r, sql);
    const char *name = "results";
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        name = (const char *)sqlite3_column_text(st, 0);
    *out = mem_strdup(m, name);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return rep_sql_err(r, sql);
    return *out ? SS_OK : err_nomem(r->err, "building the report");
}

/* ---- the file ---------------------------------------------------------- */

static const char rep_csp[] =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:";

/* The page around the data: head, escaped title and heading, the inlined
 * stylesheet, the data, the inlined script. */
static void rep_page(struct rep_buf *h, const struct rep *r, const char *title)
{
    static const char *const kinds[] = {"run", "sweep", "comparison"};
    rb_puts(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta http-equiv=\"Content-Security-Policy\" content=\"");
    rb_puts(h, rep_csp);
    rb_puts(h, "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<meta name=\"generator\" content=\"scoresim " SS_VERSION "\">\n<title>");
    rb_html(h, title);
    rb_printf(h, " - scoresim %s report</title>\n<style>\n", kinds[r->kind]);
    rb_add(h, (const char *)rep_asset_css, rep_asset_css_len);
    rb_printf(h,
              "\n</style>\n</head>\n<body>\n<header class=\"page-head\">\n"
              "<p class=\"kicker\">scoresim %s report</p>\n<h1 id=\"title\">",
              kinds[r->kind]);
    rb_html(h, title);
    rb_puts(h, "</h1>\n</header>\n<noscript><p class=\"noscript\">This report draws its charts "
               "with JavaScript. Enable it to see them; the figures are in the element "
               "scoresim-data of this file.</p></noscript>\n<main id=\"report\"></main>\n"
               "<script type=\"application/json\" id=\"scoresim-data\">");
    rb_add(h, r->json.s, r->json.n);
    rb_puts(h, "</script>\n<script>\n");
    rb_add(h, (const char *)rep_asset_js, rep_asset_js_len);
    rb_puts(h, "\n</script>\n</body>\n</html>\n");
}

/* Write the page to dir/report.html through a temporary file. */
static int rep_save(const char *dir, const struct rep_buf *h, struct ss_error *err)
{
    char tmp[MAX_PATH + 64], final[MAX_PATH + 32];
    int k1 = snprintf(tmp, sizeof tmp, "%s/." REP_HTML_NAME ".tmp-%ld", dir, (long)getpid());
    int k2 = snprintf(final, sizeof final, "%s/" REP_HTML_NAME, dir);
    if (k1 < 0 || (size_t)k1 >= sizeof tmp || k2 < 0 || (size_t)k2 >= sizeof final)
        return err_msg(err, SS_EINPUT, "results folder path too long: %s", dir);
    FILE *f = fopen(tmp, "w");
    if (!f) return err_msg(err, SS_EIO, "cannot create %s: %s", tmp, strerror(errno));
    int bad = fwrite(h->s, 1, h->n, f) != h->n;
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    int e = errno;
    bad |= fclose(f) != 0;
    if (bad) {
        unlink(tmp);
        return err_msg(err, SS_EIO, "writing %s: %s", tmp, strerror(e ? e : EIO));
    }
    if (rename(tmp, final) != 0) {
        e = errno;
        unlink(tmp);
        return err_msg(err, SS_EIO, "renaming %s to %s: %s", tmp, final, strerror(e));
    }
    return SS_OK;
}

int rep_write_mem(const char *dir, struct mem *m, struct ss_error *err)
{
    char path[MAX_PATH + 32];
    int k = snprintf(path, sizeof path, "%s/" REP_DB_NAME, dir);
    if (k < 0 || (size_t)k >= sizeof path)
        return err_msg(err, SS_EINPUT, "results folder path too long: %s", dir);
    if (access(path, R_OK) != 0)
        return err_msg(err, SS_EINPUT,
                       "%s: no readable " REP_DB_NAME
                       " (give the folder of a run, a sweep or a compare): %s",
                       dir, strerror(errno));
    struct rep r = {.db_path = path, .err = err};
    r.json.m = r.sql.m = m;
    struct rep_buf page = {.m = m};
    char *title = NULL;
    int rc = SS_OK;
    if (sqlite3_open_v2(path, &r.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = err_msg(err, SS_EINPUT, "cannot open %s: %s", path,
                     r.db ? sqlite3_errmsg(r.db) : "out of memory");
        goto done;
    }
    rc = rep_build(&r, dir);
    if (!rc) rc = rep_title(&r, m, &title);
    if (rc) goto done;
    rep_page(&page, &r, title);
    if (page.oom) {
        rc = err_nomem(err, "building the report");
        goto done;
    }
    rc = rep_save(dir, &page, err);
done:
    sqlite3_close(r.db);
    mem_free(m, title);
    rb_free(&page);
    rb_free(&r.json);
    rb_free(&r.sql);
    return rc;
}

int rep_write(const char *dir, struct ss_error *err)
{
    struct mem m = {0};
    return rep_write_mem(dir, &m, err);
}
