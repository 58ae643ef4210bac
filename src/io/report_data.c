/*
 * report_data.c - the data of a report: the figures the page needs, read
 * from results.sqlite with a handful of SQL queries (which ones depends on
 * what the folder holds: a run, a sweep, a compare, a sensitivity
 * analysis or a calibration), written as one JSON object in which each
 * query becomes {"cols": [...], "rows": [[...], ...]}; and the page's
 * title. Apart from the page (report.c) because this is the half that
 * knows the results' tables.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "io/report_internal.h"
#include "io/sqlmem.h"
#include "io/store.h"
#include "scenario/params.h"

/* Most values (rows x columns) the time series may hold before days are
 * thinned to every k-th (the first and last days are always kept): about
 * 5 MB of JSON, enough for every day of a run of 2,000 days with 10 groups,
 * or of a year for 12 sweep points. */
#define REP_SERIES_BUDGET 600000.0

/* ---- reading results.sqlite -------------------------------------------- */

static int rep_sql_err(struct rep *r, const char *what)
{
    if (sqlmem_nomem(r->db))
        return err_msg(r->err, SS_ENOMEM, "out of memory while reading %s (%s)", r->db_path, what);
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
    struct sbuf *b = &r->json;
    int nc = sqlite3_column_count(st);
    sbuf_add(b, ",");
    sbuf_json(b, key);
    sbuf_add(b, ":{\"cols\":[");
    for (int i = 0; i < nc; i++) {
        if (i) sbuf_add(b, ",");
        sbuf_json(b, sqlite3_column_name(st, i));
    }
    sbuf_add(b, "],\"rows\":[");
    int rc, first = 1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !b->nomem) {
        sbuf_add(b, first ? "\n[" : ",\n[");
        first = 0;
        for (int i = 0; i < nc; i++) {
            if (i) sbuf_add(b, ",");
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                sbuf_printf(b, "%lld", (long long)sqlite3_column_int64(st, i));
                break;
            case SQLITE_FLOAT: {
                double v = sqlite3_column_double(st, i);
                if (isfinite(v))
                    sbuf_printf(b, "%.10g", v);
                else
                    sbuf_add(b, "null");
                break;
            }
            case SQLITE_TEXT:
                sbuf_json(b, (const char *)sqlite3_column_text(st, i));
                break;
            default:
                sbuf_add(b, "null");
            }
        }
        sbuf_add(b, "]");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return rep_sql_err(r, key);
    sbuf_add(b, "]}");
    return b->nomem ? err_nomem(r->err, "building the report") : SS_OK;
}

/* rep_table of the query built in r->sql. */
static int rep_query(struct rep *r, const char *key)
{
    const char *sql = sbuf_str(&r->sql, r->err, "building the report");
    return sql ? rep_table(r, key, sql) : SS_ENOMEM;
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
                                        "di_sanctioned",
                                        "unpaid_judgments"};

/* daily counts of today that the charts draw as running totals (cum_X),
 * or as sums over periods (differences of the running totals: exact
 * however the days are thinned). */
static const char *const rep_cum[] = {
    "list_entries",         "flights_refused",    "school_refused", "social_media_bans",
    "jobs_refused",         "loans_refused",      "internments",    "list_exits_settled",
    "list_exits_recovered", "list_exits_expired", "settlements",    "settlements_coerced"};

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
static void rep_in_list(struct sbuf *b, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) sbuf_printf(b, "%s'%s'", i ? ", " : "", names[i]);
}

/* The time series: one row per (point, group, day), every rep_plain
 * column, cum_X running totals of rep_cum, cum_list_exit_days (the days
 * on the list of the day's exits, added up: over cum of the exits, the
 * mean days on the list of a period's exits) and silence_7d (the silence
 * ratio over the last 7 days); thinned to every step-th day. A single run
 * is point 0 (from daily); a sweep's or compare's points are means over
 * their replicates (from summary; the exits' days from the runs' daily
 * rows, which summary holds only as a mean). Running totals and the 7-day
 * window are taken before thinning. */
static int rep_series(struct rep *r)
{
    struct sbuf *q = &r->sql;
    sbuf_clear(q);
    sbuf_add(q, r->kind == REP_RUN ? "WITH src AS (SELECT " : "WITH src0 AS (SELECT ");
    if (r->kind == REP_RUN) {
        sbuf_add(q, "0 AS point, \"group\", day");
        for (size_t i = 0; i < REP_N(rep_plain); i++) sbuf_printf(q, ", \"%s\"", rep_plain[i]);
        for (size_t i = 0; i < REP_N(rep_cum); i++) sbuf_printf(q, ", \"%s\"", rep_cum[i]);
        sbuf_add(q, ", taken_criticise, criticism_would, COALESCE(list_exit_days_mean *"
                    " list_exits, 0) AS list_exit_days FROM daily)");
    } else {
        sbuf_add(q, "point, \"group\", day");
        for (size_t i = 0; i < REP_N(rep_plain); i++)
            sbuf_printf(q, ", MAX(CASE WHEN metric = '%s' THEN mean END) AS \"%s\"", rep_plain[i],
                        rep_plain[i]);
        for (size_t i = 0; i < REP_N(rep_cum); i++)
            sbuf_printf(q, ", MAX(CASE WHEN metric = '%s' THEN mean END) AS \"%s\"", rep_cum[i],
                        rep_cum[i]);
        sbuf_add(q, ", MAX(CASE WHEN metric = 'taken_criticise' THEN mean END) AS taken_criticise"
                    ", MAX(CASE WHEN metric = 'criticism_would' THEN mean END) AS criticism_would"
                    " FROM summary WHERE metric IN (");
        rep_in_list(q, rep_plain, REP_N(rep_plain));
        sbuf_add(q, ", ");
        rep_in_list(q, rep_cum, REP_N(rep_cum));
        sbuf_add(q, ", 'taken_criticise', 'criticism_would') GROUP BY point, \"group\", day)");
        /* the mean over a point's runs of each day's exit days: its sums
         * over days, divided by the mean exits', pool the runs' exits */
        sbuf_add(q, ", days AS (SELECT r.point AS point, d.\"group\" AS \"group\", d.day AS day,"
                    " AVG(COALESCE(d.list_exit_days_mean * d.list_exits, 0)) AS list_exit_days"
                    " FROM daily d JOIN runs r ON r.run = d.run WHERE r.status = 'done'"
                    " GROUP BY r.point, d.\"group\", d.day)"
                    ", src AS (SELECT s.*, days.list_exit_days FROM src0 s LEFT JOIN days"
                    " USING (point, \"group\", day))");
    }
    sbuf_add(q, ", w AS (SELECT point, \"group\", day");
    for (size_t i = 0; i < REP_N(rep_plain); i++) sbuf_printf(q, ", \"%s\"", rep_plain[i]);
    for (size_t i = 0; i < REP_N(rep_cum); i++)
        sbuf_printf(q, ", SUM(\"%s\") OVER run AS cum_%s", rep_cum[i], rep_cum[i]);
    sbuf_add(q,
             ", SUM(list_exit_days) OVER run AS cum_list_exit_days"
             ", 1.0 - CAST(SUM(taken_criticise) OVER week AS REAL) /"
             " NULLIF(SUM(criticism_would) OVER week, 0)"
             " AS silence_7d FROM src WINDOW run AS (PARTITION BY point, \"group\" ORDER BY day),"
             " week AS (PARTITION BY point, \"group\" ORDER BY day ROWS BETWEEN 6 PRECEDING AND"
             " CURRENT ROW))");
    sbuf_printf(
        q, " SELECT * FROM w WHERE day %% %lld = 0 OR day = %lld ORDER BY point, \"group\", day",
        r->step, r->last_day);
    return rep_query(r, "series");
}

/* Sums over the days of each run and group (day 0 excluded): the audit
 * summary's figures; and each run's group sizes, peak listed and interned
 * shares, and the first day either passed 10% (the validated regime's
 * edge, docs/results.md). A single run is run 0 of point 0. */
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
        " SUM(list_exits_settled) AS exits_settled, SUM(list_exits_recovered) AS exits_recovered,"
        " SUM(list_exits_expired) AS exits_expired,"
        " SUM(list_exit_days_mean * list_exits) AS exit_days,"
        " SUM(settlements) AS settlements, SUM(settlements_coerced) AS settlements_coerced,"
        " SUM(internments) AS internments, SUM(rewards) AS rewards,"
        " MAX(agents) AS agents, MAX(interned) AS interned_peak,"
        " MAX(1.0 * listed / NULLIF(agents, 0)) AS listed_peak_rate,"
        " MAX(1.0 * interned / NULLIF(agents, 0)) AS interned_peak_rate,"
        " MIN(CASE WHEN 1.0 * listed / NULLIF(agents, 0) > 0.1 THEN day END) AS listed_over_day,"
        " MIN(CASE WHEN 1.0 * interned / NULLIF(agents, 0) > 0.1 THEN day END)"
        " AS interned_over_day";
    struct sbuf *q = &r->sql;
    sbuf_clear(q);
    if (r->kind == REP_RUN)
        sbuf_printf(q,
                    "SELECT 0 AS run, 0 AS point, \"group\", %s FROM daily WHERE day > 0"
                    " GROUP BY \"group\" ORDER BY \"group\"",
                    cols);
    else
        sbuf_printf(
            q,
            "SELECT d.run AS run, r.point AS point, d.\"group\" AS \"group\", %s"
            " FROM daily d JOIN runs r ON r.run = d.run WHERE d.day > 0 AND r.status = 'done'"
            " GROUP BY d.run, d.\"group\" ORDER BY d.run, d.\"group\"",
            cols);
    return rep_query(r, "totals");
}

/* The ratios table (disparate impact with its counts and interval), on
 * the days the series keeps; absent from results written before it. */
static int rep_ratios(struct rep *r)
{
    int has = 0;
    int rc = rep_has_table(r, "ratios", &has);
    if (rc || !has) return rc;
    struct sbuf *q = &r->sql;
    sbuf_clear(q);
    sbuf_printf(q,
                "SELECT point, \"group\", metric, day, runs, count, agents, ref_count, ref_agents,"
                " ratio, ci_low, ci_high, low_count FROM ratios WHERE day %% %lld = 0 OR day = %lld"
                " ORDER BY point, \"group\", metric, day",
                r->step, r->last_day);
    return rep_query(r, "ratios");
}

static int rep_experiment_tables(struct rep *r)
{
    int rc = rep_table(r, "experiment", "SELECT * FROM experiment LIMIT 1");
    if (!rc) rc = rep_table(r, "points", "SELECT point, label, params FROM points ORDER BY point");
    if (!rc)
        rc = rep_table(r, "runs",
                       "SELECT run, point, replicate, seed, status, error, wall_seconds,"
                       " peak_memory_bytes FROM runs ORDER BY run");
    struct sbuf *q = &r->sql;
    sbuf_clear(q);
    sbuf_add(q, "SELECT point, \"group\", metric, n, mean, sd, ci_low, ci_high FROM summary"
                " WHERE metric IN (");
    rep_in_list(q, rep_final, REP_N(rep_final));
    sbuf_printf(q, ") AND day = %lld ORDER BY point, \"group\", metric", r->last_day);
    if (!rc) rc = rep_query(r, "final");
    if (!rc && r->kind == REP_SWEEP) {
        int has = 0;
        rc = rep_has_table(r, "differences", &has);
        if (!rc && has) {
            sbuf_clear(q);
            sbuf_add(q, "SELECT d.point, d.\"group\", d.metric, d.n, d.mean_baseline, d.mean,"
                        " d.diff, d.ci_low, d.ci_high, s.sd AS sd_baseline FROM differences d"
                        " LEFT JOIN summary s ON s.point = (SELECT baseline FROM experiment)"
                        " AND s.\"group\" = d.\"group\" AND s.metric = d.metric AND s.day = d.day"
                        " WHERE d.metric IN (");
            rep_in_list(q, rep_final, REP_N(rep_final));
            sbuf_printf(q, ") AND d.day = %lld ORDER BY d.point, d.\"group\", d.metric",
                        r->last_day);
            rc = rep_query(r, "differences_final");
        }
    }
    if (rc || r->kind != REP_COMPARE) return rc;
    sbuf_clear(q);
    /* sd_a: the seed-to-seed spread of A, against which a difference is
     * judged large or within the simulator's own noise */
    sbuf_printf(q,
                "SELECT c.\"group\", c.metric, c.n, c.mean_a, c.mean_b, c.diff, c.ci_low,"
                " c.ci_high, s.sd AS sd_a FROM comparison c LEFT JOIN summary s ON s.point = 0"
                " AND s.\"group\" = c.\"group\" AND s.metric = c.metric AND s.day = c.day"
                " WHERE c.day = %lld ORDER BY c.\"group\", c.metric",
                r->last_day);
    rc = rep_query(r, "comparison_final");
    if (rc) return rc;
    sbuf_clear(q);
    sbuf_add(q, "SELECT metric, day, n, mean_a, mean_b, diff, ci_low, ci_high FROM comparison"
                " WHERE \"group\" = -1 AND metric IN (");
    rep_in_list(q, rep_diff_time, REP_N(rep_diff_time));
    sbuf_printf(q, ") AND (day %% %lld = 0 OR day = %lld) ORDER BY metric, day", r->step,
                r->last_day);
    return rep_query(r, "comparison_time");
}

/* The schedule's changes (point 0 for a run: the schedule table of a run
 * has no point) and the calendar: the date of day 0 of each point's runs
 * (the earliest and the latest, which differ only when its runs' start
 * dates do), NULL without a start_date. Results written before the
 * schedule table have none. */
static int rep_schedule(struct rep *r)
{
    int has = 0;
    int rc = rep_has_table(r, "schedule", &has);
    if (!rc && has)
        rc = rep_table(r, "schedule",
                       r->kind == REP_RUN ? "SELECT 0 AS point, * FROM schedule ORDER BY day, key"
                                          : "SELECT * FROM schedule ORDER BY point, day, key");
    if (rc) return rc;
    return rep_table(r, "calendar",
                     r->kind == REP_RUN
                         ? "SELECT 0 AS point, MIN(date) AS day0, MAX(date) AS day0_last FROM"
                           " daily WHERE day = 0 AND \"group\" = -1"
                         : "SELECT r.point AS point, MIN(d.date) AS day0, MAX(d.date) AS day0_last,"
                           " COUNT(*) AS runs, COUNT(d.date) AS dated FROM daily d JOIN runs r ON"
                           " r.run = d.run WHERE d.day = 0 AND d.\"group\" = -1 AND r.status ="
                           " 'done' GROUP BY r.point ORDER BY r.point");
}

/* A sensitivity analysis: the experiment, its runs' status, the design,
 * the indices and the noise (tables of experiment/sensitivity.c; absent
 * until its first invocation finishes, and the indices until every run is
 * done). */
static int rep_sensitivity_tables(struct rep *r)
{
    static const char *const tables[][2] = {
        {"sensitivity_design", "SELECT * FROM sensitivity_design LIMIT 1"},
        {"sensitivity_params", "SELECT * FROM sensitivity_params ORDER BY param"},
        {"sensitivity", "SELECT * FROM sensitivity ORDER BY metric, rank"},
        {"sensitivity_noise", "SELECT * FROM sensitivity_noise ORDER BY metric"}};
    int rc = rep_table(r, "experiment", "SELECT * FROM experiment LIMIT 1");
    if (!rc)
        rc = rep_table(r, "runs",
                       "SELECT run, point, replicate, seed, status, error, wall_seconds FROM runs"
                       " WHERE status != 'done' ORDER BY run");
    for (size_t i = 0; !rc && i < sizeof tables / sizeof tables[0]; i++) {
        int has = 0;
        rc = rep_has_table(r, tables[i][0], &has);
        if (!rc && has) rc = rep_table(r, tables[i][0], tables[i][1]);
    }
    return rc;
}

/* A calibration's tables (docs/calibration.md): what it fitted, every
 * point's parameters and fit, and each accepted point's figures (the
 * posterior predictive). Small: points x parameters and accepted points x
 * replicates x targets. */
static int rep_calibration_tables(struct rep *r)
{
    int rc =
        rep_table(r, "calibration",
                  "SELECT name, targets_file, params, budget, replicates, waves,"
                  " points_per_wave, base_seed, discrepancy, accept, cutoff, started, finished,"
                  " waves_run, eps, accepted, best_wave, best_point, best_distance, scenario"
                  " FROM calibration LIMIT 1");
    if (!rc) rc = rep_table(r, "calib_params", "SELECT * FROM calib_params ORDER BY param");
    if (!rc) rc = rep_table(r, "calib_targets", "SELECT * FROM calib_targets ORDER BY target");
    if (!rc) rc = rep_table(r, "calib_waves", "SELECT * FROM calib_waves ORDER BY wave");
    if (!rc) rc = rep_table(r, "calib_posterior", "SELECT * FROM calib_posterior ORDER BY param");
    if (!rc)
        rc =
            rep_table(r, "calib_points",
                      "SELECT wave, point, imax, distance, kept, accepted, weight FROM calib_points"
                      " ORDER BY wave, point");
    if (!rc)
        rc = rep_table(r, "calib_point_params",
                       "SELECT wave, point, param, value FROM calib_point_params"
                       " ORDER BY wave, point, param");
    if (!rc)
        rc = rep_table(r, "calib_predictive",
                       "SELECT v.wave, v.point, v.replicate, v.target, v.value, p.weight"
                       " FROM calib_values v JOIN calib_points p USING (wave, point)"
                       " WHERE p.accepted = 1 ORDER BY v.target, v.wave, v.point, v.replicate");
    return rc;
}

/* The whole data object into r->json. */
int rep_build(struct rep *r, const char *dir)
{
    int has = 0;
    int rc = rep_has_table(r, "calibration", &has);
    if (rc) return rc;
    if (has) {
        r->kind = REP_CALIBRATE;
        struct sbuf *b = &r->json;
        sbuf_add(b, "{\"kind\":\"calibrate\",\"generator\":");
        sbuf_json(b, "scoresim " SS_VERSION);
        char now[32];
        text_iso_utc(now, sizeof now, time(NULL));
        sbuf_add(b, ",\"generated\":");
        sbuf_json(b, now);
        sbuf_add(b, ",\"dir\":");
        sbuf_json(b, dir);
        rc = rep_calibration_tables(r);
        sbuf_add(b, "}");
        if (!rc && !sbuf_str(b, r->err, "building the report")) rc = SS_ENOMEM;
        return rc;
    }
    rc = rep_has_table(r, "daily", &has);
    if (rc) return rc;
    if (!has)
        return err_msg(r->err, SS_EINPUT,
                       "%s: no daily table: not the results of a scoresim run, sweep or compare",
                       r->db_path);
    rc = rep_has_table(r, "experiment", &has);
    if (rc) return rc;
    r->kind = REP_RUN;
    if (has) {
        long long kind = 0;
        rc = rep_scalar(r,
                        "SELECT CASE kind WHEN 'sweep' THEN 1 WHEN 'sensitivity' THEN 3 ELSE 2 "
                        "END FROM experiment LIMIT 1",
                        1, &kind);
        if (rc) return rc;
        r->kind = kind == 1 ? REP_SWEEP : kind == 3 ? REP_SENS : REP_COMPARE;
    }
    long long groups = 0, points = 1;
    rc = rep_scalar(r, "SELECT MAX(day) FROM daily", 0, &r->last_day);
    if (!rc)
        rc = rep_scalar(r,
                        r->kind == REP_RUN ? "SELECT COUNT(*) FROM groups"
                                           : "SELECT COUNT(DISTINCT \"group\") FROM groups",
                        0, &groups);
    if (!rc && r->kind != REP_RUN) rc = rep_scalar(r, "SELECT COUNT(*) FROM points", 1, &points);
    if (rc) return rc;
    /* point, group, day, exit days, silence */
    const size_t cols = REP_N(rep_plain) + REP_N(rep_cum) + 5;
    double values =
        (double)points * (double)(groups + 1) * (double)(r->last_day + 1) * (double)cols;
    r->step = values > REP_SERIES_BUDGET ? (long long)ceil(values / REP_SERIES_BUDGET) : 1;

    static const char *const kinds[] = {"run", "sweep", "compare", "sensitivity", "calibrate"};
    struct sbuf *b = &r->json;
    sbuf_add(b, "{\"kind\":");
    sbuf_json(b, kinds[r->kind]);
    sbuf_add(b, ",\"generator\":");
    sbuf_json(b, "scoresim " SS_VERSION);
    char now[32];
    text_iso_utc(now, sizeof now, time(NULL));
    sbuf_add(b, ",\"generated\":");
    sbuf_json(b, now);
    sbuf_add(b, ",\"dir\":");
    sbuf_json(b, dir);
    sbuf_printf(b, ",\"last_day\":%lld,\"step\":%lld", r->last_day, r->step);
    /* An experiment's groups and layers tables hold every run's: the page
     * shows the lowest-numbered run's (the groups' sizes in every run come
     * from the daily rows). */
    if (r->kind == REP_RUN) {
        rc = rep_table(r, "groups",
                       "SELECT \"group\", name, share, agents FROM groups ORDER BY \"group\"");
        if (!rc) rc = rep_table(r, "layers", "SELECT * FROM layers ORDER BY layer");
    } else {
        rc = rep_table(r, "groups",
                       "SELECT \"group\", name, share, agents FROM groups WHERE run = "
                       "(SELECT min(run) FROM groups) ORDER BY \"group\"");
        if (!rc)
            rc = rep_table(r, "layers",
                           "SELECT layer, name, generator, contact, ties, mean_degree FROM layers "
                           "WHERE run = (SELECT min(run) FROM layers) ORDER BY layer");
    }
    if (!rc && r->kind == REP_RUN) rc = rep_table(r, "run", "SELECT * FROM run LIMIT 1");
    if (!rc && r->kind == REP_SENS) rc = rep_sensitivity_tables(r);
    if (!rc && r->kind != REP_RUN && r->kind != REP_SENS) rc = rep_experiment_tables(r);
    /* A design's many points have no means over time: its page is its indices. */
    if (!rc && r->kind != REP_SENS) rc = rep_series(r);
    if (!rc && r->kind != REP_SENS) rc = rep_totals(r);
    if (!rc && r->kind != REP_SENS) rc = rep_ratios(r);
    if (!rc && r->kind != REP_SENS) rc = rep_schedule(r);
    sbuf_add(b, "}");
    if (!rc && !sbuf_str(b, r->err, "building the report")) rc = SS_ENOMEM;
    return rc;
}

/* The title: the scenario's or the experiment's name. Returns an owned
 * string (or NULL with rc set). */
int rep_title(struct rep *r, struct mem *m, char **out)
{
    /* A sweep is named by what it varies, not by its scenario alone: a
     * report titled "seed" says nothing of what it compares. */
    const char *sql =
        r->kind == REP_CALIBRATE
            ? "SELECT 'Calibration of ' || name || ' to ' || targets_file FROM calibration LIMIT 1"
        : r->kind == REP_RUN ? "SELECT name FROM run LIMIT 1"
        : r->kind == REP_SWEEP
            ? "SELECT CASE WHEN varied IS NULL OR varied = '[]' THEN 'Replicates of ' || name"
              " ELSE 'Sweep of ' || replace(replace(replace(replace(varied, '[', ''), ']', ''),"
              " '\"', ''), ', ', ' x ') || ' (' || name || ')' END FROM experiment LIMIT 1"
        : r->kind == REP_SENS
            ? "SELECT 'Sensitivity of ' || name || ' to ' || replace(replace(replace(replace("
              "varied, '[', ''), ']', ''), '\"', ''), ', ', ', ') FROM experiment LIMIT 1"
            : "SELECT 'Comparison: ' || replace(name, '-vs-', ' vs ') FROM experiment LIMIT 1";
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
