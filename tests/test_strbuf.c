/*
 * test_strbuf.c - the string builder and the small text rules of core
 * (strbuf.c, text.c): appends and printf past the first allocation, an
 * allocation failure remembered and reported once, taking the text; the
 * JSON string writer (safe inside <script>, UTF-8 checked); file-safe
 * names; ISO times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/strbuf.h"
#include "core/text.h"

static void test_append(void **state)
{
    struct mem m = {0};
    struct sbuf b;
    sbuf_init(&b, &m);
    assert_string_equal(sbuf_str(&b, NULL, "testing"), ""); /* nothing allocated yet */
    assert_int_equal(m.count, 0);
    sbuf_add(&b, "ab");
    sbuf_addn(&b, "cdef", 2);
    sbuf_printf(&b, "-%d-%s", 42, "x");
    assert_string_equal(b.s, "abcd-42-x");
    assert_int_equal(b.n, strlen(b.s));
    /* a long format, past the first allocation, in one append */
    char big[5000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sbuf_printf(&b, "[%s]", big);
    assert_int_equal(b.n, 9 + 2 + sizeof big - 1);
    assert_int_equal(b.s[b.n], '\0');
    assert_int_equal(b.s[9], '[');
    assert_int_equal(b.s[b.n - 1], ']');
    /* clear keeps the memory for the next text */
    size_t cap = b.cap;
    sbuf_clear(&b);
    sbuf_add(&b, "again");
    assert_string_equal(sbuf_str(&b, NULL, "testing"), "again");
    assert_int_equal(b.cap, cap);
    char *t = sbuf_take(&b, NULL, "testing");
    assert_string_equal(t, "again");
    assert_null(b.s);
    assert_int_equal(b.n, 0);
    mem_free(&m, t);
    /* taking an empty builder gives an empty text, not NULL */
    t = sbuf_take(&b, NULL, "testing");
    assert_non_null(t);
    assert_string_equal(t, "");
    mem_free(&m, t);
    sbuf_free(&b);
    sbuf_free(NULL);
    assert_int_equal(m.live, 0);
}

/* Every allocation made to fail in turn: the failure sticks, later appends
 * do nothing, and it is reported once, when the text is read or taken. */
static void test_out_of_memory(void **state)
{
    int failures = 0;
    for (long n = 1;; n++) {
        struct mem m = {.fail_at = n};
        struct sbuf b = {.m = &m};
        for (int i = 0; i < 200; i++) sbuf_printf(&b, "%d,", i);
        sbuf_json(&b, "tail");
        struct ss_error err = {0};
        const char *s = sbuf_str(&b, &err, "testing the builder");
        if (s) {
            assert_int_equal(err.code, SS_OK);
            assert_non_null(strstr(s, "199,\"tail\""));
            sbuf_free(&b);
            assert_int_equal(m.live, 0);
            break;
        }
        failures++;
        assert_true(b.nomem);
        assert_int_equal(err.code, SS_ENOMEM);
        assert_non_null(strstr(err.msg, "testing the builder"));
        /* what was built before the failure is still a C string */
        assert_true(!b.s || strlen(b.s) == b.n);
        memset(&err, 0, sizeof err);
        assert_null(sbuf_take(&b, &err, "taking"));
        assert_int_equal(err.code, SS_ENOMEM);
        assert_null(b.s);
        assert_int_equal(m.live, 0);
        assert_true(n < 100);
    }
    assert_true(failures >= 2);
}

static char *json(const char *s)
{
    struct mem m = {0};
    struct sbuf b = {.m = &m};
    sbuf_json_text(&b, s);
    char *out = sbuf_take(&b, NULL, "testing");
    assert_non_null(out);
    char *copy = strdup(out);
    mem_free(&m, out);
    assert_int_equal(m.live, 0);
    return copy;
}

#define ASSERT_JSON(in, want)                                                                      \
    do {                                                                                           \
        char *got_ = json(in);                                                                     \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_json(void **state)
{
    ASSERT_JSON("seed", "seed");
    ASSERT_JSON("<script>alert(1)</script>", "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e");
    ASSERT_JSON("a & b", "a \\u0026 b");
    ASSERT_JSON("say \"hi\"\\", "say \\\"hi\\\"\\\\");
    ASSERT_JSON("line\nnext\ttab\r\x01\x7f", "line\\nnext\\ttab\\u000d\\u0001\\u007f");
    ASSERT_JSON("\xE2\x80\xA8|\xE2\x80\xA9", "\\u2028|\\u2029"); /* JS line separators */
    ASSERT_JSON("caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80",
                "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80");
    /* not UTF-8: a lone continuation byte, a truncated sequence, an overlong
     * '<', a surrogate, beyond U+10FFFF */
    ASSERT_JSON("a\x80z", "a\\ufffdz");
    ASSERT_JSON("a\xE2\x80", "a\\ufffd\\ufffd");
    ASSERT_JSON("\xC0\xBC", "\\ufffd\\ufffd");
    ASSERT_JSON("\xED\xA0\x80", "\\ufffd\\ufffd\\ufffd");
    ASSERT_JSON("\xF4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd");
    ASSERT_JSON("", "");
    ASSERT_JSON(NULL, "");

    struct mem m = {0};
    struct sbuf b = {.m = &m};
    sbuf_json(&b, "k\"");
    sbuf_add(&b, ": ");
    sbuf_json(&b, NULL);
    assert_string_equal(sbuf_str(&b, NULL, "testing"), "\"k\\\"\": \"\"");
    sbuf_free(&b);
}

static void test_utf8_len(void **state)
{
    assert_int_equal(text_utf8_len("a"), 1);
    assert_int_equal(text_utf8_len(""), 1); /* the NUL is one ASCII byte */
    assert_int_equal(text_utf8_len("\xC3\xA9"), 2);
    assert_int_equal(text_utf8_len("\xE4\xB8\xAD"), 3);
    assert_int_equal(text_utf8_len("\xF0\x9F\x98\x80"), 4);
    assert_int_equal(text_utf8_len("\xC3"), 0);
    assert_int_equal(text_utf8_len("\xE0\x80\x80"), 0); /* overlong */
    assert_int_equal(text_utf8_len("\xFF"), 0);
}

static void safe(const char *name, size_t size, const char *want)
{
    char out[64];
    memset(out, 'X', sizeof out);
    text_safe_name(out, size, name);
    assert_string_equal(out, want);
}

static void test_safe_name(void **state)
{
    safe("seed", 64, "seed");
    safe("My run/2: a*b", 64, "My_run_2__a_b");
    safe("v1.2_x-y", 64, "v1.2_x-y");
    safe("caf\xC3\xA9", 64, "caf__");
    /* never empty, hidden, "." or "..": the first character is replaced */
    safe("", 64, "_");
    safe(".", 64, "_");
    safe("..", 64, "_.");
    safe(".hidden", 64, "_hidden");
    safe("a.", 64, "a.");
    /* cut to the buffer */
    safe("abcdef", 4, "abc");
    safe(".abcdef", 4, "_ab");
    safe("abc", 2, "a");
    safe("", 2, "_");
    safe("abc", 1, "");
}

static void test_iso_utc(void **state)
{
    char buf[32];
    assert_ptr_equal(text_iso_utc(buf, sizeof buf, 0), buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    assert_non_null(text_iso_utc(buf, sizeof buf, 1700000000));
    assert_string_equal(buf, "2023-11-14T22:13:20Z");
    /* too small a buffer: NULL and "" */
    assert_null(text_iso_utc(buf, 10, 0));
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append),    cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_json),      cmocka_unit_test(test_utf8_len),
        cmocka_unit_test(test_safe_name), cmocka_unit_test(test_iso_utc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
