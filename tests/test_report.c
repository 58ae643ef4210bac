/*
 * test_report.c - report.html (report.c): the escaping of scenario text for
 * HTML (for JSON inside <script>, see test_strbuf.c), a report of a real
 * small run (title escaped, data embedded, front-end inlined, no temporary
 * file left), the errors for a folder without results, and out-of-memory
 * at every allocation.
 *
 * The browser half (the page draws every chart, exports PNG and SVG) is
 * tests/cli_report.sh with tests/report_browser.mjs.
 *
 * Also a driver while the command line has no 'report' command:
 * "test_report --write DIR" writes DIR/report.html and exits 0, or prints
 * the error and exits 1 (2 for bad input).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "io/report.h"
#include "scoresim.h"

static char *html(const char *s)
{
    struct mem m = {0};
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(rep_html_escape(&m, s, &out, &len), SS_OK);
    char *copy = strdup(out);
    mem_free(&m, out);
    return copy;
}

static void test_html_escape(void **state)
{
    char *s = html("<script>alert('x') & \"y\"</script>");
    assert_string_equal(s, "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    free(s);
    s = html("a\xFF"
             "b");
    assert_string_equal(s, "a\xEF\xBF\xBD"
                           "b");
    free(s);
}

static void test_asset(void **state)
{
    /* the inlined front-end is there, NUL-terminated, and cannot end the
     * element it sits in */
    assert_true(rep_asset_js_len > 100000);
    assert_true(rep_asset_css_len > 100);
    assert_int_equal(rep_asset_js[rep_asset_js_len], 0);
    assert_int_equal(rep_asset_css[rep_asset_css_len], 0);
    assert_null(strstr((const char *)rep_asset_js, "</script"));
    assert_null(strstr((const char *)rep_asset_css, "</style"));
}

/* Files in dir other than results.sqlite, a table's CSV and report.html:
 * temporary files left behind. */
static int stray_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            !strcmp(e->d_name, "results.sqlite") || !strcmp(e->d_name, "report.html") ||
            !strcmp(e->d_name, ".scoresim") ||
            (e->d_name[0] != '.' && strlen(e->d_name) > 4 &&
             !strcmp(e->d_name + strlen(e->d_name) - 4, ".csv")))
            continue;
        n++;
    }
    closedir(d);
    return n;
}

struct fixture {
    char dir[256]; /* a temporary folder holding one small run's results */
};

/* A 1500-agent, 12-day run of a scenario named with markup, through the
 * library. */
static int run_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    th_tmpdir(fx->dir, sizeof fx->dir, "test-report");
    struct ss_error err = {0};
    struct scenario *s = NULL;
    int rc = scn_new_default(&s, &err);
    const char *sets[] = {"name=\"<script>alert(1)</script> & 'co'\"", "population.agents=1500",
                          "days=12", "behaviour.protest.trigger.days=[2]",
                          "behaviour.protest.trigger.count=40"};
    for (size_t i = 0; rc == SS_OK && i < sizeof sets / sizeof sets[0]; i++)
        rc = scn_set(s, sets[i], &err);
    if (rc == SS_OK) rc = scn_finish(s, &err);
    struct sim_options o = {.threads = 1, .out_dir = fx->dir};
    struct sim *sim = NULL;
    if (rc == SS_OK) rc = sim_create(&sim, s, &o, &err);
    if (rc == SS_OK) rc = sim_run(sim, &err);
    if (rc != SS_OK) ss_error_print(&err, stderr);
    sim_free(sim);
    scn_free(s);
    *state = fx;
    return rc == SS_OK ? 0 : -1;
}

static int run_teardown(void **state)
{
    struct fixture *fx = *state;
    int rc = th_remove_tree(fx->dir);
    free(fx);
    return rc == 0 ? 0 : -1;
}

static void test_report_of_a_run(void **state)
{
    struct fixture *fx = *state;
    struct ss_error err = {0};
    assert_int_equal(rep_write(fx->dir, &err), SS_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/report.html", fx->dir);
    size_t len = 0;
    char *page = th_slurp(path, &len);
    assert_non_null(page);
    assert_int_equal(stray_files(fx->dir), 0);
    /* the name is escaped in the title and the heading, and in the data */
    assert_null(strstr(page, "<script>alert(1)"));
    assert_non_null(
        strstr(page, "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;co&#39;"));
    assert_non_null(strstr(page, "<h1 id=\"title\">&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(page, "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 'co'"));
    /* one data element, the script and the stylesheet inlined, no network */
    assert_non_null(
        strstr(page, "<script type=\"application/json\" id=\"scoresim-data\">{\"kind\":\"run\""));
    assert_non_null(strstr(page, "\"series\":{\"cols\":[\"point\",\"group\",\"day\""));
    assert_non_null(strstr(page, "\"totals\":{\"cols\":"));
    assert_non_null(strstr(page, "default-src 'none'"));
    assert_null(strstr(page, "src=\"http"));
    assert_null(strstr(page, "href=\"http"));
    assert_true(len > rep_asset_js_len);
    /* the body of every <script> element ends where its closing tag is */
    int scripts = 0;
    for (const char *p = page; (p = strstr(p, "<script")); p++) scripts++;
    assert_int_equal(scripts, 2);
    free(page);
    /* written again: replaced, still nothing left behind */
    assert_int_equal(rep_write(fx->dir, &err), SS_OK);
    assert_int_equal(stray_files(fx->dir), 0);
}

static void test_out_of_memory(void **state)
{
    struct fixture *fx = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/report.html", fx->dir);
    int failures = 0;
    for (long n = 1;; n++) {
        unlink(path);
        struct mem m = {.fail_at = n};
        struct ss_error err = {0};
        int rc = rep_write_mem(fx->dir, &m, &err);
        assert_int_equal(m.live, 0);
        if (rc == SS_OK) break;
        assert_int_equal(rc, SS_ENOMEM);
        assert_non_null(strstr(err.msg, "out of memory"));
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(stray_files(fx->dir), 0);
        failures++;
        assert_true(n < 10000);
    }
    assert_true(failures > 3);
    assert_int_equal(access(path, F_OK), 0);
}

static void test_not_results(void **state)
{
    char dir[64];
    th_tmpdir(dir, sizeof dir, "test-report");
    struct ss_error err = {0};
    /* no results.sqlite */
    assert_int_equal(rep_write(dir, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "no readable results.sqlite"));
    /* a database that is not a run's */
    char path[128], cmd[256];
    snprintf(path, sizeof path, "%s/results.sqlite", dir);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'create table other(x)'", path);
    assert_int_equal(system(cmd), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(rep_write(dir, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "no daily table"));
    /* not a database at all */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not SQLite\n", f);
    fclose(f);
    memset(&err, 0, sizeof err);
    assert_int_equal(rep_write(dir, &err), SS_EINPUT);
    snprintf(path, sizeof path, "%s/report.html", dir);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(th_remove_tree(dir), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(rep_write("/nonexistent/scoresim-folder", &err), SS_EINPUT);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write")) {
        struct ss_error err = {0};
        int rc = rep_write(argv[2], &err);
        if (rc != SS_OK) ss_error_print(&err, stderr);
        return rc == SS_OK ? 0 : rc == SS_EINPUT ? 2 : 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_asset),
        cmocka_unit_test_setup_teardown(test_report_of_a_run, run_setup, run_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, run_setup, run_teardown),
        cmocka_unit_test(test_not_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
