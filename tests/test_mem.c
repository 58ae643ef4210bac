/*
 * test_mem.c - the process-wide fault switch (core/mem.h) and SQLite's
 * allocator (io/sqlmem.c): the switch, armed from the environment before
 * the first allocation, fails exactly the Nth of its kind, hands the
 * children's spec on in its place and reports what it saw; SPEC parsing;
 * SQLite, opened through sqlmem_open, allocates through the switch, gets
 * back each block's rounded size, keeps a block's bytes across a
 * reallocation, and an out-of-memory failure of its own is told apart.
 * main() sets the environment before anything allocates: the switch is
 * read once per process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/mem.h"
#include "io/sqlmem.h"
#include "scoresim.h"

/* Armed in main(): the library's 3rd allocation fails. */
static void test_switch_fails_the_nth(void **state)
{
    struct mem m = {0};
    void *p[5];
    for (int i = 0; i < 5; i++) p[i] = mem_alloc(&m, 16);
    assert_non_null(p[0]);
    assert_non_null(p[1]);
    assert_null(p[2]);     /* the 3rd of the process */
    assert_non_null(p[3]); /* only that one: memory came back */
    assert_non_null(p[4]);
    assert_int_equal(m.count, 5);
    assert_int_equal(m.live, 4 * 16);
    for (int i = 0; i < 5; i++) mem_free(&m, p[i]);
    assert_int_equal(m.live, 0);

    /* counted across hooks: a second struct mem goes on from 5 */
    struct mem m2 = {0};
    void *q = mem_alloc(&m2, 8);
    assert_non_null(q);
    mem_free(&m2, q);

    struct mem_fault_state st;
    mem_fault_state(&st);
    assert_int_equal(st.armed, 1);
    assert_int_equal(st.kind, MEM_LIB);
    assert_int_equal(st.at, 3);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.lib, 6);
    /* what the children get: their own spec, and no further */
    assert_string_equal(getenv("SCORESIM_FAIL_ALLOC"), "sqlite:5");
    assert_null(getenv("SCORESIM_FAIL_ALLOC_CHILDREN"));

    struct ss_alloc_counts n;
    ss_alloc_counts(&n);
    assert_int_equal(n.armed, 1);
    assert_int_equal(n.library, 6);
    assert_int_equal(n.failed, 1);
}

static void test_parse(void **state)
{
    int kind;
    long at;
    assert_int_equal(mem_fault_parse("17", &kind, &at), 0);
    assert_int_equal(kind, -1);
    assert_int_equal(at, 17);
    assert_int_equal(mem_fault_parse("lib:3", &kind, &at), 0);
    assert_int_equal(kind, MEM_LIB);
    assert_int_equal(at, 3);
    assert_int_equal(mem_fault_parse("sqlite:0", &kind, &at), 0);
    assert_int_equal(kind, MEM_SQLITE);
    assert_int_equal(at, 0);
    const char *bad[] = {"",   "x",      "lib:", "sqlite:", "5x",
                         "-1", "lib:-2", " 4",   "yaml:3",  "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (mem_fault_parse(bad[i], &kind, &at) == 0) fail_msg("'%s' was taken as a SPEC", bad[i]);
}

static void test_sqlite_through_switch(void **state)
{
    struct mem_fault_state before, after;
    mem_fault_state(&before);
    sqlite3 *db = NULL;
    assert_int_equal(sqlmem_open(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE),
                     SQLITE_OK);
    assert_true(sqlmem_installed());
    assert_int_equal(
        sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);", NULL, NULL, NULL),
        SQLITE_OK);
    mem_fault_state(&after);
    assert_true(after.sqlite > before.sqlite);
    assert_int_equal(after.lib, before.lib); /* SQLite's are counted apart */

    /* xRoundup and xSize: a block's size is its request rounded up to 8 */
    char *p = sqlite3_malloc(100);
    assert_non_null(p);
    assert_int_equal(sqlite3_msize(p), 104);
    memset(p, 'a', 100);
    p = sqlite3_realloc(p, 5000);
    assert_non_null(p);
    assert_int_equal(sqlite3_msize(p), 5000);
    for (int i = 0; i < 100; i++) assert_int_equal(p[i], 'a');
    sqlite3_free(p);
    assert_null(sqlite3_malloc(0));
    sqlite3_close(db);

    assert_true(sqlmem_nomem(NULL)); /* no connection: SQLite could not allocate one */
    assert_int_equal(sqlmem_open(":memory:", &db, SQLITE_OPEN_READWRITE), SQLITE_OK);
    assert_false(sqlmem_nomem(db));
    assert_int_not_equal(sqlite3_exec(db, "SELECT * FROM nothing", NULL, NULL, NULL), SQLITE_OK);
    assert_false(sqlmem_nomem(db)); /* a plain error is not out of memory */
    sqlite3_close(db);
}

int main(void)
{
    /* before the first allocation of the process: read once */
    setenv("SCORESIM_FAIL_ALLOC", "lib:3", 1);
    setenv("SCORESIM_FAIL_ALLOC_CHILDREN", "sqlite:5", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch_fails_the_nth),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_sqlite_through_switch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
