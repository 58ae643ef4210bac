/*
 * report.h - the HTML report of a results folder: one self-contained file,
 * report.html, that opens offline. rep_write (in scoresim.h) is the public
 * face; this header adds what tests need and the embedded front-end.
 *
 * The report reads the folder's results.sqlite: a single run's (tables of
 * docs/metrics.md), or a sweep's or a comparison's (an `experiment` table,
 * docs/experiments-schema.md). It turns the figures into one JSON object,
 * embedded in a <script type="application/json"> element, and inlines the
 * front-end (report/src, bundled with Apache ECharts at build time) that
 * draws the page from it. The file is written under a temporary name and
 * renamed into place, so a report.html is always complete.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>

#include "core/mem.h"
#include "scoresim.h"

/* The front-end, generated at build time by report/build.mjs into
 * report_asset.c: the bundled script and stylesheet, each followed by a NUL
 * that the length does not count. Neither contains "</script" or
 * "</style" (build.mjs checks), so both can be inlined as they are. */
extern const unsigned char rep_asset_js[];
extern const size_t rep_asset_js_len;
extern const unsigned char rep_asset_css[];
extern const size_t rep_asset_css_len;

/* rep_write with every allocation through m, so a test can make the Nth
 * fail. */
int rep_write_mem(const char *dir, struct mem *m, struct ss_error *err);

/* s as HTML text (& < > " ' escaped; bytes that are not UTF-8 become
 * U+FFFD) in *out, a NUL-terminated buffer of *len bytes that the caller
 * frees with mem_free(m, *out). SS_OK or SS_ENOMEM. (Text inside the
 * page's JSON goes through sbuf_json, core/strbuf.h.) */
int rep_html_escape(struct mem *m, const char *s, char **out, size_t *len);

#endif
