/*
 * test_metrics_docs.c - docs/metrics.md: written from the column tables
 * (out_write_docs), it names every column of both daily tables in its own
 * section, and the committed file is up to date.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static char *docs_text(size_t *len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(out_write_docs(f), SS_OK);
    rewind(f);
    char *text = th_read_stream(f, len);
    fclose(f);
    return text;
}

/* Every column of both daily tables has its own row in its own section. */
static void test_docs_have_every_column(void **state)
{
    size_t len;
    char *text = docs_text(&len);
    char *daily = strstr(text, "\n## daily\n"), *layer = strstr(text, "\n## daily_layer\n");
    assert_non_null(daily);
    assert_non_null(layer);
    assert_true(daily < layer);
    char needle[128];
    for (size_t i = 0; i < met_n_daily_columns; i++) {
        snprintf(needle, sizeof needle, "| `%s` | %s |", met_daily_columns[i].name,
                 met_sql_type(met_daily_columns[i].type));
        char *at = strstr(daily, needle);
        if (!at || at > layer) fail_msg("daily column %s missing from the docs", needle);
    }
    for (size_t i = 0; i < met_n_layer_columns; i++) {
        snprintf(needle, sizeof needle, "| `%s` | %s |", met_layer_columns[i].name,
                 met_sql_type(met_layer_columns[i].type));
        if (!strstr(layer, needle)) fail_msg("daily_layer column %s missing from the docs", needle);
    }
    for (const char *t = text; (t = strstr(t, "\n## ")) != NULL; t++) {
        /* every section has a table with at least one row */
        const char *next = strstr(t + 1, "\n## ");
        const char *row = strstr(t, "\n| `");
        assert_true(row && (!next || row < next));
    }
    assert_non_null(strstr(text, "\n## run\n"));
    assert_non_null(strstr(text, "\n## agents\n"));
    free(text);
}

static void test_docs_up_to_date(void **state)
{
    size_t len, have_len;
    char *text = docs_text(&len);
    char *have = th_slurp(SOURCE_DIR "/docs/metrics.md", &have_len);
    if (!have)
        fail_msg("docs/metrics.md is missing: regenerate it with "
                 "./build/scoresim metrics --markdown > docs/metrics.md");
    if (len != have_len || memcmp(text, have, len) != 0)
        fail_msg("docs/metrics.md is out of date: regenerate it with "
                 "./build/scoresim metrics --markdown > docs/metrics.md");
    free(text);
    free(have);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docs_have_every_column),
        cmocka_unit_test(test_docs_up_to_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
