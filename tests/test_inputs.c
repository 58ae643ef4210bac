/*
 * test_inputs.c - bounded, positioned reading of outside input (issue 14):
 * only regular files are opened (a FIFO is refused at once, a directory by
 * name), whole-file reads have a limit, NUL bytes and invalid UTF-8 are
 * placed at line and column, bytes quoted in a message are escaped, a
 * scenario nested 10^6 deep is refused in well under a second, and an
 * edge list's over-long line is reported as too long, from a file and from
 * memory alike. The readers' other errors are in their own tests
 * (test_scenario_errors, test_network_build, test_targets,
 * test_checkpoint).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/file.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "experiment/targets.h"
#include "harness.h"
#include "scenario/scenario.h"
#include "world/checkpoint.h"
#include "world/net_internal.h"
#include "world/network.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* No byte of s is a control byte but through an escape: what a terminal
 * would be sent is printable. */
static void assert_printable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) fail_msg("raw control byte 0x%02x in '%s'", *p, s);
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* --- core: regular files, limits, text checks, escapes ------------------------- */

static void test_regular_files_only(void **state)
{
    char dir[128], fifo[256], file[256];
    th_tmpdir(dir, sizeof dir, "inputs-regular");
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    snprintf(file, sizeof file, "%s/plain.txt", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    write_file(file, "x\n", 2);
    FILE *f = NULL;
    struct ss_error err = {0};

    /* a FIFO with no writer: refused at once, not waited on */
    double t0 = now();
    assert_int_equal(file_open_regular(fifo, "the scenario file", &f, &err), SS_EINPUT);
    assert_true(now() - t0 < 1.0);
    assert_null(f);
    assert_string_equal(err.file, fifo);
    assert_string_equal(err.msg,
                        "cannot read the scenario file: it is a FIFO (named pipe), not a regular "
                        "file");

    assert_int_equal(file_open_regular(dir, "the edge list", &f, &err), SS_EINPUT);
    assert_string_equal(err.msg,
                        "cannot read the edge list: it is a directory, not a regular file");
    assert_int_equal(file_open_regular("/dev/null", "the targets file", &f, &err), SS_EINPUT);
    assert_string_equal(err.msg,
                        "cannot read the targets file: it is a device, not a regular file");

    assert_int_equal(file_open_regular(file, "the scenario file", &f, &err), SS_OK);
    assert_int_equal(fgetc(f), 'x');
    fclose(f);

    /* every reader goes through it: the scenario, the targets, a checkpoint */
    struct scenario *s = NULL;
    struct ss_errors all;
    assert_int_equal(scn_load_all(&s, fifo, &all, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "it is a FIFO"));
    assert_int_equal(scn_load(&s, dir, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "it is a directory"));
    struct tgt_set *ts = NULL;
    assert_int_equal(tgt_load(&ts, fifo, NULL, NULL, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "it is a FIFO"));
    struct ckpt_meta meta;
    struct mem m = {0};
    assert_int_equal(ckpt_read_meta(dir, &meta, &m, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "it is a directory"));
    assert_int_equal(th_remove_tree(dir), 0);
}

static void test_read_limit(void **state)
{
    char dir[128], path[256];
    th_tmpdir(dir, sizeof dir, "inputs-limit");
    snprintf(path, sizeof path, "%s/big.txt", dir);
    static char big[5000];
    memset(big, 'a', sizeof big);
    write_file(path, big, sizeof big);
    struct mem m = {0};
    struct ss_error err = {0};
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(file_read_all(path, "the targets file", 4999, 0, &m, &text, &len, &err),
                     SS_EINPUT);
    assert_null(text);
    assert_string_equal(err.msg,
                        "the targets file is longer than 4999 bytes, the most scoresim reads");
    /* exactly the limit is read */
    assert_int_equal(file_read_all(path, "the targets file", 5000, 1, &m, &text, &len, &err),
                     SS_OK);
    TH_EQ(len, 5000);
    assert_int_equal(text[len], '\0');
    mem_free(&m, text);
    TH_EQ(m.live, 0);
    assert_int_equal(th_remove_tree(dir), 0);
}

static void test_text_positions(void **state)
{
    struct ss_error err = {0};
    /* line 2, after a two-byte character: the column counts characters */
    static const char nul[] = "ok\n\xC3\xA9x\0y";
    assert_int_equal(file_check_text(nul, sizeof nul - 1, "f.yaml", "the scenario file", &err),
                     SS_EINPUT);
    TH_EQ(err.line, 2);
    TH_EQ(err.col, 3);
    assert_string_equal(err.msg, "a NUL byte: expected UTF-8 text in the scenario file");
    static const char bad[] = "a\nb\n  \xFF";
    assert_int_equal(file_check_text(bad, sizeof bad - 1, "f.csv", "the targets file", &err),
                     SS_EINPUT);
    TH_EQ(err.line, 3);
    TH_EQ(err.col, 3);
    assert_string_equal(err.msg,
                        "a byte that is not UTF-8 (\\xFF): expected UTF-8 text in the targets "
                        "file");
    /* a sequence cut by the end of the text is not UTF-8 either */
    assert_int_equal(file_check_text("ab\xE2\x82", 4, "f", "it", &err), SS_EINPUT);
    TH_EQ(err.col, 3);
    assert_int_equal(file_check_text("\xE2\x82\xAC ok\n", 7, "f", "it", &err), SS_OK);
}

static void test_escape(void **state)
{
    char out[64];
    text_escape(out, sizeof out, "a\x1b[2Jb\tc\\", 9, 1);
    assert_string_equal(out, "a\\x1B[2Jb\\tc\\\\");
    text_escape(out, sizeof out, "caf\xC3\xA9 \xFF\xC2\x85!", 10, 0);
    assert_string_equal(out, "caf\xC3\xA9 \\xFF\\xC2\\x85!"); /* U+0085 is a C1 control */
    text_escape(out, 12, "0123456789abcdef", 16, 0);
    assert_string_equal(out, "01234567...");
    /* the one error path escapes whatever a message quotes */
    struct ss_error err = {0};
    err_set(&err, SS_EINPUT, "x\ny", 1, 1, "unknown key '%s'", "\x1b]0;title\x07\xFE");
    assert_string_equal(err.file, "x\\ny");
    assert_string_equal(err.msg, "unknown key '\\x1B]0;title\\x07\\xFE'");
    assert_printable(err.msg);
}

/* --- scenarios ------------------------------------------------------------------- */

/* "name: " then depth opening brackets, as many closing ones and a line
 * end, NUL-terminated (*len excludes the NUL). */
static char *nested(const char *open, const char *close, long depth, size_t *len)
{
    size_t a = strlen(open), b = strlen(close);
    char *s = malloc(16 + (size_t)depth * (a + b));
    assert_non_null(s);
    size_t k = (size_t)sprintf(s, "name: ");
    for (long i = 0; i < depth; i++) memcpy(s + k, open, a), k += a;
    for (long i = 0; i < depth; i++) memcpy(s + k, close, b), k += b;
    s[k++] = '\n';
    s[k] = '\0';
    *len = k;
    return s;
}

static void test_scenario_nesting(void **state)
{
    struct scenario *s = (struct scenario *)1;
    struct ss_error err = {0};
    size_t len;
    /* the adversarial probe's file: 10^6 nested flow sequences took over
     * two minutes; the limit stops it at its 32nd bracket (the file's
     * mapping is the first level) */
    char *text = nested("[", "]", 1000000, &len);
    double t0 = now();
    assert_int_equal(scn_load_buffer(&s, NULL, text, len, "deep.yaml", NULL, &err), SS_EINPUT);
    double took = now() - t0;
    print_message("10^6 nested '[': refused in %.4f s\n", took);
    assert_true(took < 1.0);
    assert_null(s);
    TH_EQ(err.line, 1);
    TH_EQ(err.col, 7 + 31);
    assert_string_equal(err.msg, "lists and mappings nested more than 32 deep: expected a "
                                 "scenario (docs/scenario.md)");
    free(text);
    text = nested("{a: ", "}", 1000000, &len);
    t0 = now();
    assert_int_equal(scn_load_buffer(&s, NULL, text, len, "deep.yaml", NULL, &err), SS_EINPUT);
    assert_true(now() - t0 < 1.0);
    assert_non_null(strstr(err.msg, "nested more than 32 deep"));
    free(text);
    /* block style nests too: "- - - ... x" */
    text = nested("- ", "", 100000, &len);
    memcpy(text, "name:\n", 6); /* "name: - - ..." is no YAML; a block list under the key is */
    t0 = now();
    assert_int_equal(scn_load_buffer(&s, NULL, text, len, "deep.yaml", NULL, &err), SS_EINPUT);
    assert_true(now() - t0 < 1.0);
    assert_non_null(strstr(err.msg, "nested more than 32 deep"));
    free(text);
    /* 32 deep, the mapping and 31 lists, is allowed by the limit (and
     * refused for what it is) */
    text = nested("[", "]", 31, &len);
    assert_int_equal(scn_load_buffer(&s, NULL, text, len, "ok.yaml", NULL, &err), SS_EINPUT);
    assert_null(strstr(err.msg, "nested"));
    free(text);
    /* --set values too */
    assert_int_equal(scn_new_default(&s, &err), SS_OK);
    text = nested("[", "]", 100, &len);
    memcpy(text, "name= ", 6);
    assert_int_equal(scn_set(s, text, &err), SS_EINPUT);
    assert_non_null(strstr(err.msg, "nested more than 32 deep"));
    free(text);
    scn_free(s);
}

static void test_scenario_size(void **state)
{
    const size_t n = ((size_t)16 << 20) + 1;
    char *text = malloc(n);
    assert_non_null(text);
    memset(text, '#', n);
    struct scenario *s = NULL;
    struct ss_error err = {0};
    assert_int_equal(scn_load_buffer(&s, NULL, text, n, "big.yaml", NULL, &err), SS_EINPUT);
    assert_string_equal(err.msg,
                        "longer than 16 MiB, the most scoresim reads: expected a scenario");
    free(text);
}

static void test_scenario_bytes(void **state)
{
    struct scenario *s = NULL;
    struct ss_error err = {0};
    static const char nul[] = "days: 10\nname: a\0b\n";
    assert_int_equal(scn_load_buffer(&s, NULL, nul, sizeof nul - 1, "nul.yaml", NULL, &err),
                     SS_EINPUT);
    TH_EQ(err.line, 2);
    TH_EQ(err.col, 8);
    assert_string_equal(err.msg, "a NUL byte: expected UTF-8 text in a scenario");
    static const char latin1[] = "days: 10\nname: caf\xE9\n";
    assert_int_equal(
        scn_load_buffer(&s, NULL, latin1, sizeof latin1 - 1, "latin1.yaml", NULL, &err), SS_EINPUT);
    TH_EQ(err.line, 2);
    TH_EQ(err.col, 10);
    assert_non_null(strstr(err.msg, "not UTF-8 (\\xE9)"));
    /* a control character is valid UTF-8 but not YAML: libyaml's reader
     * knows only its offset, placed here */
    static const char ctl[] = "days: 10\nname: a\x01\n";
    assert_int_equal(scn_load_buffer(&s, NULL, ctl, sizeof ctl - 1, "ctl.yaml", NULL, &err),
                     SS_EINPUT);
    TH_EQ(err.line, 2);
    TH_EQ(err.col, 8);
    assert_string_equal(err.msg,
                        "invalid YAML: control characters are not allowed (character U+0001)");
    /* an escape in a quoted key makes a control character; the message
     * quoting the unknown key escapes it */
    static const char esc[] = "\"\\e[2Jdays\": 10\n";
    assert_int_equal(scn_load_buffer(&s, NULL, esc, sizeof esc - 1, "esc.yaml", NULL, &err),
                     SS_EINPUT);
    assert_non_null(strstr(err.msg, "\\x1B[2Jdays"));
    assert_printable(err.msg);
    /* --set: the column counts in what the message shows */
    assert_int_equal(scn_new_default(&s, &err), SS_OK);
    assert_int_equal(scn_set(s, "name=caf\xE9", &err), SS_EINPUT);
    assert_string_equal(err.file, "--set name=caf\\xE9");
    TH_EQ(err.col, 15);
    scn_free(s);
}

/* --- edge lists ------------------------------------------------------------------ */

static void test_edge_list_lines(void **state)
{
    struct mem m = {0};
    struct ss_error err = {0};
    uint64_t ties = 0;
    assert_int_equal(net_edge_list_parse("0 1\n1,2 # c\n\n", 13, "e.txt", 3, &m, &ties, &err),
                     SS_OK);
    TH_EQ(ties, 2);
    /* binary in a line: quoted escaped, the column of the first bad byte */
    static const char bin[] = "0 1\n2 \x1b[31m\xFF\n";
    assert_int_equal(net_edge_list_parse(bin, sizeof bin - 1, "e.txt", 9, &m, &ties, &err),
                     SS_EINPUT);
    TH_EQ(err.line, 2);
    TH_EQ(err.col, 3);
    assert_string_equal(err.msg, "expected two agent ids, got '2 \\x1B[31m\\xFF'");
    static const char nul[] = "0 1\n1 2\n3\0 4\n";
    assert_int_equal(net_edge_list_parse(nul, sizeof nul - 1, "e.txt", 9, &m, &ties, &err),
                     SS_EINPUT);
    TH_EQ(err.line, 3);
    TH_EQ(err.col, 1);
    assert_string_equal(err.msg, "expected two agent ids, got '3\\x00 4'");
    TH_EQ(m.live, 0);
}

/* A line of 2^20 bytes (one more than the most) on line 2: too long, from
 * memory and from a file (where it spans the reader's buffer) alike; one
 * byte shorter is read. */
static void test_edge_list_long_line(void **state)
{
    const size_t max = ((size_t)1 << 20) - 1;
    char *text = malloc(max + 16);
    assert_non_null(text);
    size_t k = (size_t)sprintf(text, "0 1\n");
    memset(text + k, ' ', max + 1 - 3);
    memcpy(text + k + max + 1 - 3, "1 2", 3);
    k += max + 1;
    text[k++] = '\n';
    struct mem m = {0};
    struct ss_error err = {0};
    uint64_t ties = 0;
    assert_int_equal(net_edge_list_parse(text, k, "long.txt", 9, &m, &ties, &err), SS_EINPUT);
    TH_EQ(err.line, 2);
    TH_EQ(err.col, 1);
    assert_string_equal(err.msg, "a line longer than 1048575 bytes: expected one tie (two agent "
                                 "ids) a line");

    char dir[128], path[256];
    th_tmpdir(dir, sizeof dir, "inputs-edges");
    snprintf(path, sizeof path, "%s/long.txt", dir);
    write_file(path, text, k);
    struct params p;
    memset(&p, 0, sizeof p);
    p.population.agents = 9;
    p.network.n_layers = 1;
    struct layer_params *lp = &p.network.layers[0];
    snprintf(lp->name, sizeof lp->name, "friends");
    lp->enabled = 1;
    lp->generator = GEN_EDGE_LIST;
    snprintf(lp->file, sizeof lp->file, "long.txt");
    struct ss_error ferr = {0};
    assert_int_equal(net_check_edge_lists(&p, dir, &m, &ferr), SS_EINPUT);
    assert_string_equal(ferr.file, path);
    TH_EQ(ferr.line, 2);
    TH_EQ(ferr.col, 1);
    assert_string_equal(ferr.msg, err.msg);

    /* one byte shorter fits, from memory and from the file */
    memmove(text + 4, text + 5, k - 5);
    k--;
    assert_int_equal(net_edge_list_parse(text, k, "long.txt", 9, &m, &ties, &err), SS_OK);
    TH_EQ(ties, 2);
    write_file(path, text, k);
    assert_int_equal(net_check_edge_lists(&p, dir, &m, &ferr), SS_OK);
    TH_EQ(m.live, 0);
    free(text);
    assert_int_equal(th_remove_tree(dir), 0);
}

/* --- targets ---------------------------------------------------------------------- */

/* Each target is compared with every one before it: 10,000 are read, the
 * 10,001st is refused at its line. */
static void test_targets_count(void **state)
{
    struct sbuf b = {0};
    struct mem m = {0};
    sbuf_init(&b, &m);
    sbuf_add(&b, "day,metric,value,scale,sd\n");
    for (int i = 1; i <= 10001; i++) sbuf_printf(&b, "%d,listed,0.1,share_of_adults,0.05\n", i);
    struct ss_error err = {0};
    struct tgt_set *ts = NULL;
    assert_int_equal(
        tgt_load_text(&ts, sbuf_str(&b, &err, "targets"), "t.csv", NULL, 0, NULL, &err), SS_EINPUT);
    assert_null(ts);
    TH_EQ(err.line, 10002);
    assert_string_equal(err.msg, "a target after the 10000th: expected at most 10000 targets");
    /* one fewer is read */
    char *text = (char *)sbuf_str(&b, &err, "targets");
    *strstr(text, "10001,listed") = '\0';
    assert_int_equal(tgt_load_text(&ts, text, "t.csv", NULL, 0, NULL, &err), SS_OK);
    TH_EQ(ts->n, 10000);
    tgt_free(ts);
    sbuf_free(&b);
}

/* A scenario mapping of more keys than any section has is refused before
 * its keys are compared with each other (the duplicate check). */
static void test_scenario_map_keys(void **state)
{
    struct sbuf b = {0};
    struct mem m = {0};
    sbuf_init(&b, &m);
    sbuf_add(&b, "days: 5\npopulation:\n");
    for (int i = 0; i < 1001; i++) sbuf_printf(&b, "  k%d: 1\n", i);
    struct ss_error err = {0};
    struct scenario *s = NULL;
    const char *text = sbuf_str(&b, &err, "scenario");
    assert_int_equal(scn_load_buffer(&s, NULL, text, strlen(text), "keys.yaml", NULL, &err),
                     SS_EINPUT);
    TH_EQ(err.line, 3);
    TH_EQ(err.col, 3);
    assert_string_equal(err.msg,
                        "a mapping of 1001 keys: expected at most 1000 (docs/scenario.md)");
    sbuf_free(&b);
}

/* A schedule is finished by comparing every change with every other: more
 * than 1,000 changes are refused at the entry that passes the limit. */
static void test_schedule_changes(void **state)
{
    struct sbuf b = {0};
    struct mem m = {0};
    sbuf_init(&b, &m);
    sbuf_add(&b, "days: 400\nschedule:\n");
    for (int i = 0; i < 1001; i++)
        sbuf_printf(&b, "  - {day: %d, set: {scoring.integration: 0.5}}\n", 1 + i % 300);
    struct ss_error err = {0};
    struct scenario *s = NULL;
    const char *text = sbuf_str(&b, &err, "scenario");
    assert_int_equal(scn_load_buffer(&s, NULL, text, strlen(text), "sched.yaml", NULL, &err),
                     SS_EINPUT);
    TH_EQ(err.line, 3 + 1000);
    assert_string_equal(err.msg, "'schedule' makes more than 1000 changes: expected at most 1000");
    sbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regular_files_only),  cmocka_unit_test(test_read_limit),
        cmocka_unit_test(test_text_positions),      cmocka_unit_test(test_escape),
        cmocka_unit_test(test_scenario_nesting),    cmocka_unit_test(test_scenario_size),
        cmocka_unit_test(test_scenario_bytes),      cmocka_unit_test(test_edge_list_lines),
        cmocka_unit_test(test_edge_list_long_line), cmocka_unit_test(test_targets_count),
        cmocka_unit_test(test_scenario_map_keys),   cmocka_unit_test(test_schedule_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
