/*
 * test_targets.c - the calibration targets file (experiment/targets.c) and
 * the CSV reader under it (core/csv.c): RFC 4180 quoting, embedded commas
 * and line breaks, CRLF, a byte order mark, columns counted in characters;
 * a good targets file checked against a scenario, field by field, with its
 * compared values worked out by hand; each kind of bad row with its exact
 * message and FILE:LINE:COL; every error of a file at once, capped at
 * TGT_MAX_ERRORS; the model's side of each scale against hand-computed
 * figures; a real run's daily table read back through tgt_eval_db against
 * SQL; and out-of-memory at every allocation.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "engine/metrics.h"
#include "experiment/targets.h"
#include "harness.h"

/* a and b within tol (tol 0: equal), naming both when not. */
#define assert_double_equal(a, b, tol) near((a), (b), (tol), #a, __LINE__)
static void near(double a, double b, double tol, const char *what, int line)
{
    if (!(fabs(a - b) <= tol)) fail_msg("line %d: %s = %.17g, expected %.17g", line, what, a, b);
}

#define HEADER "date,day,metric,group,value,scale,population,sd,rel_tol,log,source,note\n"

/* The seed scenario over 100 days from 2013-10-01 (day 1), groups majority,
 * uyghur, tibetan, other_minority. */
static struct scenario *dated_scenario(void)
{
    return th_scenario(200, 100, (const char *const[]){"start_date=2013-10-01", NULL});
}

static int column_of(const char *name)
{
    for (size_t i = 0; i < met_n_daily_columns; i++)
        if (!strcmp(met_daily_columns[i].name, name)) return (int)i;
    fail_msg("no daily column %s", name);
    return -1;
}

/* ---- the CSV reader ------------------------------------------------------ */

static void test_csv_reader(void **state)
{
    /* a BOM; quotes with a comma, a doubled quote and a line break inside;
     * blanks around fields; CRLF; an empty line; a last line without its
     * line end; a two-byte character before a field (columns count it as
     * one) */
    const char *text = "\xEF\xBB\xBF"
                       "a, b ,c\r\n"
                       "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n"
                       "\n"
                       "\xC3\xA9,,\"\"\n"
                       "last,row";
    struct mem m = {0};
    struct csv_reader r;
    csv_init(&r, &m, text, strlen(text));
    const struct csv_field *f;
    int n;
    struct csv_issue is;
    assert_int_equal(csv_next(&r, &f, &n, &is), 1);
    assert_int_equal(n, 3);
    assert_string_equal(f[0].s, "a");
    assert_string_equal(f[1].s, "b");
    assert_int_equal(f[1].col, 4);
    assert_string_equal(f[2].s, "c");
    assert_int_equal(csv_record_line(&r), 1);

    assert_int_equal(csv_next(&r, &f, &n, &is), 1);
    assert_int_equal(n, 3);
    assert_string_equal(f[0].s, "x,y");
    assert_int_equal(f[0].quoted, 1);
    assert_int_equal(f[0].col, 2); /* the character after the quote */
    assert_string_equal(f[1].s, "say \"hi\"");
    assert_int_equal(f[1].col, 8);
    assert_string_equal(f[2].s, "two\nlines");
    assert_int_equal(f[2].line, 2);
    assert_int_equal(csv_record_line(&r), 2);

    /* line 4 is empty: no record; line 5 */
    assert_int_equal(csv_next(&r, &f, &n, &is), 1);
    assert_int_equal(csv_record_line(&r), 5);
    assert_int_equal(n, 3);
    assert_string_equal(f[0].s, "\xC3\xA9");
    assert_string_equal(f[1].s, "");
    assert_int_equal(f[1].col, 3); /* é is one column */
    assert_string_equal(f[2].s, "");
    assert_int_equal(f[2].quoted, 1);

    assert_int_equal(csv_next(&r, &f, &n, &is), 1);
    assert_int_equal(n, 2);
    assert_string_equal(f[1].s, "row");
    assert_int_equal(csv_record_line(&r), 6);
    assert_int_equal(csv_next(&r, &f, &n, &is), 0);
    csv_free(&r);
    assert_int_equal(m.live, 0);
}

static void test_csv_errors(void **state)
{
    const char *text = "ok,1\n"
                       "bad\"quote,2\n"
                       "\"closed\"x,3\n"
                       "fine,4\n"
                       "bad\xFF,5\n"
                       "\"never closed,6\nstill,7\n";
    struct mem m = {0};
    struct csv_reader r;
    csv_init(&r, &m, text, strlen(text));
    const struct csv_field *f;
    int n;
    struct csv_issue is;
    assert_int_equal(csv_next(&r, &f, &n, &is), 1);
    assert_int_equal(csv_next(&r, &f, &n, &is), -1);
    assert_int_equal(is.line, 2);
    assert_int_equal(is.col, 4);
    assert_string_equal(is.msg, "a quote inside an unquoted field: quote the whole field, and "
                                "write a quote inside it as \"\"");
    assert_int_equal(csv_next(&r, &f, &n, &is), -1);
    assert_int_equal(is.line, 3);
    assert_int_equal(is.col, 9);
    assert_string_equal(is.msg, "text after a closing quote: expected a comma or the end of the "
                                "line (a quote inside a quoted field is written \"\")");
    /* reading resumes on the next line */
    assert_int_equal(csv_next(&r, &f, &n, &is), 1);
    assert_string_equal(f[0].s, "fine");
    assert_int_equal(csv_next(&r, &f, &n, &is), -1);
    assert_int_equal(is.line, 5);
    assert_int_equal(is.col, 4);
    assert_string_equal(is.msg, "a byte that is not UTF-8: expected UTF-8 text");
    assert_int_equal(csv_next(&r, &f, &n, &is), -1);
    assert_int_equal(is.line, 6);
    assert_int_equal(is.col, 1);
    assert_string_equal(is.msg, "a quote opened here is never closed: expected a closing '\"'");
    assert_int_equal(csv_next(&r, &f, &n, &is), 0);
    csv_free(&r);
    assert_int_equal(m.live, 0);
}

/* ---- a good file ------------------------------------------------------------ */

static const char good[] =
    HEADER "2013-11-30,,listed,,31259,count,1.15e9,,0.5,1,\"SPC, Nov 2013\",first figure\n"
           ",10,support_rate,uyghur,0.8,as_is,,0.05,,,\"survey, \"\"online\"\"\",\n"
           "2013-12-31,,sum:list_entries:31,all,282000,count,1.15e9,,0.3,1,,\"multi\nline "
           "note\"\n"
           ",20,ratio:list_exits_cum:ever_listed,,0.2,as_is,,0.1,,0,,\n"
           ",30,listed,,0.01,share_of_adults,,0.002,,,,\n"
           ",30,flights_refused_cum,tibetan,2,per_capita,,,0.5,,,\n";

static void test_good_file(void **state)
{
    struct scenario *s = dated_scenario();
    struct tgt_set *ts = NULL;
    struct tgt_errors errs;
    struct ss_error err = {0};
    int rc = tgt_load_text(&ts, good, "good.csv", s, 0, &errs, &err);
    if (rc) ss_error_print(&err, stdout);
    assert_int_equal(rc, SS_OK);
    assert_int_equal(errs.n, 0);
    assert_int_equal(ts->n, 6);
    assert_string_equal(ts->path, "good.csv");
    const struct tgt_target *t = ts->t;

    /* 2013-11-30 is day 61 of a run from 2013-10-01 (day 1) */
    assert_int_equal(t[0].line, 2);
    assert_int_equal(t[0].day, 61);
    assert_int_equal(t[0].kind, TGT_COLUMN);
    assert_int_equal(t[0].col, column_of("listed"));
    assert_int_equal(t[0].group_index, -1);
    assert_int_equal(t[0].scale, TGT_COUNT);
    assert_true(t[0].population == 1.15e9);
    assert_true(isnan(t[0].sd));
    assert_true(t[0].rel_tol == 0.5);
    assert_int_equal(t[0].log, 1);
    assert_string_equal(t[0].source, "SPC, Nov 2013");
    assert_string_equal(t[0].note, "first figure");
    assert_double_equal(t[0].z, log(31259 / 1.15e9), 1e-12);
    assert_double_equal(t[0].sd_obs, log(1.5), 1e-12);

    assert_int_equal(t[1].day, 10);
    assert_int_equal(t[1].date, PARAMS_NO_DATE);
    assert_int_equal(t[1].group_index, 1); /* uyghur, the seed's second group */
    assert_int_equal(t[1].scale, TGT_AS_IS);
    assert_string_equal(t[1].source, "survey, \"online\"");
    assert_double_equal(t[1].z, 0.8, 0);
    assert_double_equal(t[1].sd_obs, 0.05, 0);

    /* a row over two lines: its line is the first */
    assert_int_equal(t[2].line, 4);
    assert_int_equal(t[2].day, 92);
    assert_int_equal(t[2].kind, TGT_SUM);
    assert_int_equal(t[2].col, column_of("list_entries"));
    assert_int_equal(t[2].days, 31);
    assert_int_equal(t[2].group_index, -1); /* "all" is everyone */
    assert_string_equal(t[2].note, "multi\nline note");
    assert_double_equal(t[2].z, log(282000 / 1.15e9), 1e-12);
    assert_double_equal(t[2].sd_obs, log(1.3), 1e-12);

    assert_int_equal(t[3].line, 6);
    assert_int_equal(t[3].kind, TGT_RATIO);
    assert_int_equal(t[3].col, column_of("list_exits_cum"));
    assert_int_equal(t[3].col2, column_of("ever_listed"));
    assert_int_equal(t[3].log, 0);

    assert_int_equal(t[4].scale, TGT_SHARE_OF_ADULTS);
    assert_double_equal(t[4].z, 0.01, 0);
    assert_double_equal(t[4].sd_obs, 0.002, 0);

    /* per capita, rel_tol on a linear scale: sd = 0.5 x 2 */
    assert_int_equal(t[5].scale, TGT_PER_CAPITA);
    assert_int_equal(t[5].group_index, 2);
    assert_double_equal(t[5].z, 2, 0);
    assert_double_equal(t[5].sd_obs, 1, 0);
    tgt_free(ts);

    /* without a scenario: syntax and values only, dates unresolved */
    assert_int_equal(tgt_load_text(&ts, good, "good.csv", NULL, 0, NULL, &err), SS_OK);
    assert_int_equal(ts->t[0].day, 0);
    assert_int_equal(ts->t[0].date, 16039); /* 2013-11-30 */
    assert_int_equal(ts->t[1].group_index, -1);
    tgt_free(ts);
    scn_free(s);
}

/* ---- bad rows ---------------------------------------------------------------- */

/* Load text against the dated scenario; it must fail with exactly one
 * error, at line:col with message msg. */
static void one_error(const char *text, int line, int col, const char *msg)
{
    struct scenario *s = dated_scenario();
    struct tgt_set *ts = NULL;
    struct tgt_errors errs;
    struct ss_error err = {0};
    int rc = tgt_load_text(&ts, text, "t.csv", s, 0, &errs, &err);
    scn_free(s);
    if (rc != SS_EINPUT) fail_msg("accepted: %s", text);
    assert_null(ts);
    if (errs.n != 1)
        for (int i = 0; i < errs.n; i++) ss_error_print(&errs.e[i], stdout);
    assert_int_equal(errs.n, 1);
    assert_int_equal(errs.total, 1);
    assert_string_equal(err.file, "t.csv");
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.msg, msg);
}

static void test_bad_rows(void **state)
{
    one_error(HEADER "2013-10-01,3,listed,,1,count,1e9,,0.5,,,\n", 2, 12,
              "both date and day given: expected one of them");
    one_error(HEADER ",,listed,,1,count,1e9,,0.5,,,\n", 2, 1,
              "no date or day: expected one of them");
    one_error(HEADER "2013-13-01,,listed,,1,count,1e9,,0.5,,,\n", 2, 1,
              "date '2013-13-01': expected a date YYYY-MM-DD");
    one_error(HEADER "2014-03-01,,listed,,1,count,1e9,,0.5,,,\n", 2, 1,
              "date 2014-03-01 is day 152 of the run, outside it: expected 2013-10-01 to "
              "2014-01-08 (days 1 to 100)");
    one_error(HEADER ",101,listed,,1,count,1e9,,0.5,,,\n", 2, 2,
              "day 101 is outside the run: expected 1 to 100");
    one_error(HEADER ",0,listed,,1,count,1e9,,0.5,,,\n", 2, 2,
              "day '0': expected a whole number of days, 1 or more");
    one_error(HEADER ",5,listd,,1,count,1e9,,0.5,,,\n", 2, 4,
              "unknown metric 'listd': expected a column of the daily table (docs/metrics.md), "
              "sum:COLUMN:DAYS or ratio:COLUMN:COLUMN (did you mean 'listed'?)");
    one_error(HEADER ",5,date,,1,count,1e9,,0.5,,,\n", 2, 4,
              "metric 'date' is not a figure: expected a numeric column of the daily table");
    one_error(HEADER ",50,sum:list_entries:x,,1,count,1e9,,0.5,,,\n", 2, 22,
              "sum:COLUMN:DAYS: 'x': expected a number of days, 1 or more");
    one_error(HEADER ",50,sum:listed_cum:5,,1,count,1e9,,0.5,,,\n", 2, 9,
              "unknown column 'listed_cum' in sum:COLUMN:DAYS: expected a column of the daily "
              "table (docs/metrics.md)");
    one_error(HEADER ",50,sum:flights_refused_cum:5,,1,count,1e9,,0.5,,,\n", 2, 9,
              "sum:COLUMN:DAYS: 'flights_refused_cum' is cumulative already: use it alone, or "
              "sum the column of each day's figure");
    one_error(HEADER ",50,sum:support_rate:5,,1,count,1e9,,0.5,,,\n", 2, 9,
              "sum:COLUMN:DAYS: 'support_rate' is a proportion or mean: expected an integer "
              "column (a count)");
    one_error(HEADER ",10,sum:list_entries:31,,1,count,1e9,,0.5,,,\n", 2, 5,
              "sum:list_entries:31 on day 10 reaches back to day -20: expected a window that "
              "starts on day 1 or later");
    one_error(HEADER ",10,ratio:listed,,1,as_is,,,0.5,,,\n", 2, 5,
              "metric 'ratio:listed': expected ratio:COLUMN:COLUMN");
    one_error(HEADER ",10,listed,han,1,count,1e9,,0.5,,,\n", 2, 12,
              "unknown group 'han': expected one of the scenario's groups (majority, uyghur, "
              "tibetan, other_minority, or empty for everyone)");
    one_error(HEADER ",10,listed,,1,counts,1e9,,0.5,,,\n", 2, 15,
              "scale 'counts': expected share_of_adults, per_capita, count or as_is");
    one_error(HEADER ",10,support_rate,,0.8,count,1e9,,0.5,,,\n", 2, 23,
              "scale count does not fit metric 'support_rate', a proportion or mean: expected "
              "as_is");
    one_error(HEADER ",10,listed,,1,as_is,,,0.5,,,\n", 2, 15,
              "scale as_is does not fit metric 'listed', a count: expected share_of_adults, "
              "per_capita or count");
    one_error(HEADER ",10,listed,,1,count,,,0.5,,,\n", 2, 21,
              "scale count needs population: the real number of adults the value refers to");
    one_error(HEADER ",10,listed,,0.1,share_of_adults,1e9,,0.5,,,\n", 2, 33,
              "population is used only with scale count: leave it empty");
    one_error(HEADER ",10,listed,,1,count,-5,,0.5,,,\n", 2, 21,
              "population '-5': expected a number above 0");
    one_error(HEADER ",10,listed,,,count,1e9,,0.5,,,\n", 2, 13, "no value: expected a number");
    one_error(HEADER ",10,listed,,1e,count,1e9,,0.5,,,\n", 2, 13, "value '1e': expected a number");
    one_error(HEADER ",10,listed,,nan,count,1e9,,0.5,,,\n", 2, 13,
              "value 'nan': expected a number");
    one_error(HEADER ",10,listed,,0,count,1e9,,0.5,1,,\n", 2, 13,
              "value 0: expected a value above 0 on a log scale (log 1)");
    one_error(HEADER ",10,listed,,1.5,share_of_adults,,0.1,,,,\n", 2, 13,
              "value 1.5: expected a share from 0 to 1 (scale share_of_adults)");
    one_error(HEADER ",10,listed,,-3,count,1e9,0.1,,,,\n", 2, 13,
              "value -3: expected 0 or more (a count cannot be negative)");
    one_error(HEADER ",10,listed,,1,count,1e9,0.1,0.5,,,\n", 2, 29,
              "both sd and rel_tol given: expected one of them");
    one_error(HEADER ",10,listed,,1,count,1e9,,,,,\n", 2, 25,
              "no sd or rel_tol: expected one of them (the value's uncertainty)");
    one_error(HEADER ",10,listed,,1,count,1e9,0,,,,\n", 2, 25, "sd '0': expected a number above 0");
    one_error(HEADER ",10,listed,,0,count,1e9,,0.5,,,\n", 2, 26,
              "a tolerance relative to a value of 0 is no tolerance: expected sd, on a linear "
              "scale");
    one_error(HEADER ",10,listed,,1,count,1e9,,0.5,yes,,\n", 2, 30,
              "log 'yes': expected 0 or 1 (or empty: 0)");
    one_error(HEADER ",10,listed,,1,count,1e9,,0.5,,,,extra\n", 2, 33,
              "a field beyond the header's 12 columns: expected 12 fields, found 13");
    one_error(HEADER ",10,listed,,1,count\n", 2, 1, "6 fields, expected 12 (as the header)");
    one_error(HEADER ",10,listed,,1,count,1e9,,0.5,,,\n"
                     ",10,listed,all,2,count,1e9,,0.5,,,\n",
              3, 1,
              "the same target as line 2 (the same day, metric and group): expected each target "
              "once");
    one_error(HEADER ",10,listed,,1,count,1e9,,0.5,,\"unclosed,\n", 2, 31,
              "a quote opened here is never closed: expected a closing '\"'");
    /* the header */
    one_error("day,metric,value,scale,sd,colour\n1,listed,1,count,1\n", 1, 27,
              "unknown column 'colour': expected one of date, day, metric, group, value, scale, "
              "population, sd, rel_tol, log, source, note");
    one_error("day,metric,value,scale,sd,day\n", 1, 27,
              "column 'day' appears twice (first at column 1)");
    one_error("day,metric,value,scale\n", 1, 1,
              "the header has no column sd or rel_tol (a target needs date or day, metric, "
              "value, scale, and sd or rel_tol)");
    one_error("", 1, 1,
              "the file is empty: expected a header line (date or day, metric, value, scale, sd "
              "or rel_tol) and a row per target");
    one_error(HEADER, 2, 1, "no targets: expected a row per target after the header");
    /* a date without the scenario's start_date */
    struct scenario *s = th_scenario(200, 100, NULL);
    struct tgt_set *ts = NULL;
    struct ss_error err = {0};
    assert_int_equal(tgt_load_text(&ts, HEADER "2013-10-05,,listed,,1,count,1e9,,0.5,,,\n", "t.csv",
                                   s, 0, NULL, &err),
                     SS_EINPUT);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
    assert_string_equal(err.msg, "date 2013-10-05 needs the scenario's start_date, which it does "
                                 "not have: give day instead");
    scn_free(s);
}

/* Every error of a file at once, in the order of the file; the first in
 * err with the count of the others; the list capped at TGT_MAX_ERRORS. */
static void test_many_errors(void **state)
{
    struct scenario *s = dated_scenario();
    struct tgt_set *ts = NULL;
    struct tgt_errors errs;
    struct ss_error err = {0};
    const char *text = HEADER ",10,listed,,1,count,1e9,,0.5,,,\n"
                              ",0,listd,han,x,count,,,,,,\n"
                              ",11,listed,,1,count,1e9,,0.5,,,\n"
                              "\"a\"b,12,listed,,1,count,1e9,,0.5,,,\n"
                              ",13,listed,,1,count,1e9,,0.5,maybe,,\n";
    assert_int_equal(tgt_load_text(&ts, text, "m.csv", s, 0, &errs, &err), SS_EINPUT);
    assert_null(ts);
    for (int i = 0; i < errs.n; i++) ss_error_print(&errs.e[i], stdout);
    /* line 3: day, metric, group, value, population, uncertainty; line 5: a
     * syntax error; line 6: log */
    assert_int_equal(errs.total, 8);
    assert_int_equal(errs.n, 8);
    const int want[8][2] = {{3, 2}, {3, 4}, {3, 10}, {3, 14}, {3, 22}, {3, 23}, {5, 4}, {6, 30}};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(errs.e[i].line, want[i][0]);
        assert_int_equal(errs.e[i].col, want[i][1]);
        assert_string_equal(errs.e[i].file, "m.csv");
    }
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 2);
    assert_string_equal(err.msg, "day '0': expected a whole number of days, 1 or more (and 7 more "
                                 "errors)");

    /* 30 bad rows: 30 found, the first TGT_MAX_ERRORS kept */
    char big[8192];
    size_t len = (size_t)snprintf(big, sizeof big, "%s", HEADER);
    for (int i = 0; i < 30; i++)
        len +=
            (size_t)snprintf(big + len, sizeof big - len, ",%d,nope,,1,count,1e9,,0.5,,,\n", i + 1);
    assert_int_equal(tgt_load_text(&ts, big, "big.csv", s, 0, &errs, &err), SS_EINPUT);
    assert_int_equal(errs.total, 30);
    assert_int_equal(errs.n, TGT_MAX_ERRORS);
    for (int i = 0; i < TGT_MAX_ERRORS; i++) assert_int_equal(errs.e[i].line, i + 2);
    assert_non_null(strstr(err.msg, "(and 29 more errors)"));
    scn_free(s);
}

/* ---- the compared scale ---------------------------------------------------- */

static struct tgt_set *load_ok(const char *text, const struct scenario *s)
{
    struct tgt_set *ts = NULL;
    struct ss_error err = {0};
    if (tgt_load_text(&ts, text, "t.csv", s, 0, NULL, &err)) {
        ss_error_print(&err, stdout);
        fail_msg("refused");
    }
    return ts;
}

static void test_model_scale(void **state)
{
    struct scenario *s = dated_scenario();
    struct tgt_set *ts = load_ok(good, s);
    const struct tgt_target *t = ts->t;
    /* count, log: 10 listed among 1000 agents of whom 200 children is
     * 10 / 800 of the adults */
    struct tgt_figures f = {10, NAN, 1000, 200};
    assert_double_equal(tgt_model_value(&t[0], &f), log(10.0 / 800), 1e-12);
    /* none listed: half an adult */
    f.metric = 0;
    assert_double_equal(tgt_model_value(&t[0], &f), log(0.5 / 800), 1e-12);
    f.metric = NAN;
    assert_true(isnan(tgt_model_value(&t[0], &f)));
    f = (struct tgt_figures){10, NAN, 200, 200}; /* no adults */
    assert_true(isnan(tgt_model_value(&t[0], &f)));
    /* as is: the REAL column itself */
    f = (struct tgt_figures){0.7, NAN, 1000, 200};
    assert_double_equal(tgt_model_value(&t[1], &f), 0.7, 0);
    /* ratio: 30 / 120 */
    f = (struct tgt_figures){30, 120, 1000, 200};
    assert_double_equal(tgt_model_value(&t[3], &f), 0.25, 0);
    f.metric2 = 0;
    assert_true(isnan(tgt_model_value(&t[3], &f)));
    /* share of adults, linear: 8 / 800 */
    f = (struct tgt_figures){8, NAN, 1000, 200};
    assert_double_equal(tgt_model_value(&t[4], &f), 0.01, 1e-15);
    /* per capita: over every agent, children too */
    f = (struct tgt_figures){1500, NAN, 1000, 200};
    assert_double_equal(tgt_model_value(&t[5], &f), 1.5, 0);

    /* discrepancy: ln(1 + fraction) on a log scale; else fraction x value
     * (/ population for a count) */
    assert_double_equal(tgt_discrepancy_sd(&t[0], 0.1), log(1.1), 1e-15);
    assert_double_equal(tgt_discrepancy_sd(&t[1], 0.1), 0.08, 1e-15);
    assert_double_equal(tgt_discrepancy_sd(&t[4], 0.5), 0.005, 1e-15);
    tgt_free(ts);

    /* a count on a linear scale with sd: z and sd_obs divided by the
     * population */
    ts = load_ok(HEADER ",10,listed,,2000,count,1e6,500,,,,\n", s);
    assert_double_equal(ts->t[0].z, 0.002, 1e-15);
    assert_double_equal(ts->t[0].sd_obs, 0.0005, 1e-15);
    assert_double_equal(tgt_discrepancy_sd(&ts->t[0], 0.1), 0.0002, 1e-15);
    tgt_free(ts);
    /* sd on a log scale: relative to the value */
    ts = load_ok(HEADER ",10,listed,,2000,count,1e6,500,,1,,\n", s);
    assert_double_equal(ts->t[0].sd_obs, log(1.25), 1e-15);
    tgt_free(ts);
    scn_free(s);
}

/* ---- a real run's table ------------------------------------------------------ */

static void test_eval_run(void **state)
{
    struct scenario *s =
        th_busy_scenario(600, 40, (const char *const[]){"start_date=2013-10-01", NULL});
    char dir[128];
    th_tmpdir(dir, sizeof dir, "targets");
    th_run_into(s, 1, dir);
    struct tgt_set *ts = load_ok(HEADER ",40,listed,,1,count,1e9,,0.5,,,\n"
                                        "2013-11-09,,sum:list_entries:10,,1,count,1e9,,0.5,1,,\n"
                                        ",30,sum:flights_refused:30,uyghur,1,per_capita,,,0.5,,,\n"
                                        ",40,ratio:list_exits_cum:ever_listed,,0.2,as_is,,0.1,,,,\n"
                                        ",40,support_rate,,0.5,as_is,,0.1,,,,\n",
                                 s);
    sqlite3 *db = th_open_results(dir);
    double got[5];
    struct ss_error err = {0};
    int rc = tgt_eval_db(ts, db, -1, got, &err);
    if (rc) ss_error_print(&err, stdout);
    assert_int_equal(rc, SS_OK);

    double adults =
        th_query_real(db, "SELECT agents - children FROM daily WHERE day = 40 AND \"group\" = -1");
    double listed = th_query_real(db, "SELECT listed FROM daily WHERE day = 40 AND \"group\" = -1");
    assert_true(adults > 0);
    assert_double_equal(got[0], listed / adults, 1e-15);
    double entries = th_query_real(db, "SELECT SUM(list_entries) FROM daily WHERE day BETWEEN 31 "
                                       "AND 40 AND \"group\" = -1");
    assert_true(entries > 0); /* the busy scenario lists people within days */
    double floor_v = 0.5 / adults;
    assert_double_equal(got[1], log(entries / adults > floor_v ? entries / adults : floor_v),
                        1e-12);
    double flights = th_query_real(db, "SELECT SUM(flights_refused) FROM daily WHERE day BETWEEN 1 "
                                       "AND 30 AND \"group\" = 1");
    double uy = th_query_real(db, "SELECT agents FROM daily WHERE day = 30 AND \"group\" = 1");
    assert_double_equal(got[2], flights / uy, 1e-15);
    double exits =
        th_query_real(db, "SELECT list_exits_cum FROM daily WHERE day = 40 AND \"group\" "
                          "= -1");
    double ever =
        th_query_real(db, "SELECT ever_listed FROM daily WHERE day = 40 AND \"group\" = -1");
    assert_double_equal(got[3], exits / ever, 1e-15);
    double support =
        th_query_real(db, "SELECT support_rate FROM daily WHERE day = 40 AND \"group\" = -1");
    assert_double_equal(got[4], support, 0);
    sqlite3_close(db);
    tgt_free(ts);

    /* a run that stopped before the target's day: the target's line named */
    struct scenario *longer =
        th_busy_scenario(600, 60, (const char *const[]){"start_date=2013-10-01", NULL});
    ts = load_ok(HEADER ",50,listed,,1,count,1e9,,0.5,,,\n", longer);
    db = th_open_results(dir);
    assert_int_equal(tgt_eval_db(ts, db, -1, got, &err), SS_EINPUT);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.msg, "the run's daily table has 0 of the 1 day this target needs (to "
                                 "day 50, group -1): did the run stop early?");
    sqlite3_close(db);
    tgt_free(ts);
    scn_free(longer);
    assert_int_equal(th_remove_tree(dir), 0);
    scn_free(s);
}

/* The file on disk: read, and a missing one is SS_EINPUT naming it. */
static void test_load_file(void **state)
{
    char dir[128], path[256];
    th_tmpdir(dir, sizeof dir, "targets-file");
    snprintf(path, sizeof path, "%s/t.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(good, f);
    fclose(f);
    struct scenario *s = dated_scenario();
    struct tgt_set *ts = NULL;
    struct ss_error err = {0};
    assert_int_equal(tgt_load(&ts, path, s, NULL, &err), SS_OK);
    assert_int_equal(ts->n, 6);
    assert_string_equal(ts->path, path);
    tgt_free(ts);
    snprintf(path, sizeof path, "%s/none.csv", dir);
    assert_int_equal(tgt_load(&ts, path, s, NULL, &err), SS_EINPUT);
    assert_string_equal(err.file, path);
    assert_null(ts);
    scn_free(s);
    assert_int_equal(th_remove_tree(dir), 0);
}

/* The shipped targets of the court list load against the rollout
 * scenario. */
static void test_shipped_targets(void **state)
{
    struct scenario *s = NULL;
    struct ss_error err = {0};
    int rc = scn_load(&s, SOURCE_DIR "/scenarios/rollout.yaml", &err);
    if (rc) ss_error_print(&err, stdout);
    assert_int_equal(rc, SS_OK);
    th_finish(s);
    struct tgt_set *ts = NULL;
    struct tgt_errors errs;
    rc = tgt_load(&ts, SOURCE_DIR "/scenarios/targets-court-list.csv", s, &errs, &err);
    for (int i = 0; i < errs.n; i++) ss_error_print(&errs.e[i], stdout);
    assert_int_equal(rc, SS_OK);
    assert_true(ts->n >= 10);
    for (int i = 0; i < ts->n; i++) {
        assert_true(isfinite(ts->t[i].z));
        assert_true(ts->t[i].sd_obs > 0);
        assert_true(ts->t[i].source[0] != '\0');
    }
    tgt_free(ts);
    scn_free(s);
}

/* Out of memory at every allocation: SS_ENOMEM and nothing left over (ASan
 * counts leaks), until the load succeeds. */
static void test_out_of_memory(void **state)
{
    struct scenario *s = dated_scenario();
    int failed = 0;
    for (long at = 1; at < 200; at++) {
        struct tgt_set *ts = NULL;
        struct ss_error err = {0};
        int rc = tgt_load_text(&ts, good, "good.csv", s, at, NULL, &err);
        if (rc == SS_OK) {
            assert_int_equal(ts->n, 6);
            tgt_free(ts);
            break;
        }
        assert_int_equal(rc, SS_ENOMEM);
        assert_null(ts);
        failed++;
    }
    assert_true(failed >= 5);
    assert_true(failed < 199);
    scn_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_reader),      cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_good_file),       cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_many_errors),     cmocka_unit_test(test_model_scale),
        cmocka_unit_test(test_eval_run),        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_shipped_targets), cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
