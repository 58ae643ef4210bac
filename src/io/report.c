/*
 * report.c - report.html of a run, a sweep, a compare or a calibration
 * (see report.h).
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
 *
 * This file holds the escaping, the page and writing the file; the
 * queries and the data object are in report_data.c (report_internal.h is
 * what they share).
 */
#include "io/report.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "core/sys.h"
#include "core/text.h"
#include "io/report_internal.h"
#include "io/sqlmem.h"
#include "io/store.h"
#include "scenario/params.h"

#define REP_HTML_NAME "report.html"

/* ---- escaping ----------------------------------------------------------- */

/* s as HTML text; bytes that are not UTF-8 become U+FFFD. */
static void rep_html(struct sbuf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        size_t n = text_utf8_len((const char *)s);
        if (n == 0) {
            sbuf_add(b, "\xEF\xBF\xBD");
            s++;
            continue;
        }
        switch (*s) {
        case '&':
            sbuf_add(b, "&amp;");
            break;
        case '<':
            sbuf_add(b, "&lt;");
            break;
        case '>':
            sbuf_add(b, "&gt;");
            break;
        case '"':
            sbuf_add(b, "&quot;");
            break;
        case '\'':
            sbuf_add(b, "&#39;");
            break;
        default:
            sbuf_addn(b, (const char *)s, n);
        }
        s += n;
    }
}

int rep_html_escape(struct mem *m, const char *s, char **out, size_t *len)
{
    struct sbuf b = {.m = m};
    rep_html(&b, s);
    *len = b.n;
    *out = sbuf_take(&b, NULL, "escaping HTML");
    if (!*out) *len = 0;
    return *out ? SS_OK : SS_ENOMEM;
}

/* ---- the file ---------------------------------------------------------- */

static const char rep_csp[] =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:";

/* The page around the data: head, escaped title and heading, the inlined
 * stylesheet, the data, the inlined script. */
static void rep_page(struct sbuf *h, const struct rep *r, const char *title)
{
    static const char *const kinds[] = {"run", "sweep", "comparison", "sensitivity", "calibration"};
    sbuf_add(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"");
    sbuf_add(h, rep_csp);
    sbuf_add(h, "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta name=\"generator\" content=\"scoresim " SS_VERSION "\">\n<title>");
    rep_html(h, title);
    sbuf_printf(h, " - scoresim %s report</title>\n<style>\n", kinds[r->kind]);
    sbuf_addn(h, (const char *)rep_asset_css, rep_asset_css_len);
    sbuf_printf(h,
                "\n</style>\n</head>\n<body>\n<header class=\"page-head\">\n"
                "<p class=\"kicker\">scoresim %s report</p>\n<h1 id=\"title\">",
                kinds[r->kind]);
    rep_html(h, title);
    sbuf_add(h, "</h1>\n</header>\n<noscript><p class=\"noscript\">This report draws its charts "
                "with JavaScript. Enable it to see them; the figures are in the element "
                "scoresim-data of this file.</p></noscript>\n<main id=\"report\"></main>\n"
                "<script type=\"application/json\" id=\"scoresim-data\">");
    sbuf_addn(h, r->json.s, r->json.n);
    sbuf_add(h, "</script>\n<script>\n");
    sbuf_addn(h, (const char *)rep_asset_js, rep_asset_js_len);
    sbuf_add(h, "\n</script>\n</body>\n</html>\n");
}

/* Write the page to dir/report.html through a temporary file. */
static int rep_save(const char *dir, const struct sbuf *h, struct ss_error *err)
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
    sys_test_point("report");
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
    int k = snprintf(path, sizeof path, "%s/" STORE_DB_NAME, dir);
    if (k < 0 || (size_t)k >= sizeof path)
        return err_msg(err, SS_EINPUT, "results folder path too long: %s", dir);
    if (access(path, R_OK) != 0)
        return err_msg(err, SS_EINPUT,
                       "%s: no readable " STORE_DB_NAME
                       " (give the folder of a run, a sweep or a compare): %s",
                       dir, strerror(errno));
    struct rep r = {.db_path = path, .err = err};
    r.json.m = r.sql.m = m;
    struct sbuf page = {.m = m};
    char *title = NULL;
    int rc = SS_OK;
    if (sqlmem_open(path, &r.db, SQLITE_OPEN_READONLY) != SQLITE_OK) {
        rc = sqlmem_nomem(r.db) ? err_msg(err, SS_ENOMEM, "out of memory while opening %s", path)
                                : err_msg(err, SS_EINPUT, "cannot open %s: %s", path,
                                          r.db ? sqlite3_errmsg(r.db) : "out of memory");
        goto done;
    }
    rc = rep_build(&r, dir);
    if (!rc) rc = rep_title(&r, m, &title);
    if (rc) goto done;
    rep_page(&page, &r, title);
    rc = sbuf_str(&page, err, "building the report") ? rep_save(dir, &page, err) : SS_ENOMEM;
done:
    sqlite3_close(r.db);
    mem_free(m, title);
    sbuf_free(&page);
    sbuf_free(&r.json);
    sbuf_free(&r.sql);
    return rc;
}

int rep_write(const char *dir, struct ss_error *err)
{
    struct mem m = {0};
    return rep_write_mem(dir, &m, err);
}
