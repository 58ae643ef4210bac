/*
 * test_output_files.c - the life of a results folder (output.c, store.c):
 * only temporary names before out_close, nothing left behind by
 * out_abort, a second run replacing the first (and, with replace, what a
 * sweep had left there), I/O errors that name the path, days out of order
 * refused. The rows are harness_output.c's; what the files hold is
 * test_output.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "harness_output.h"
#include "io/output.h"

static void test_abort_leaves_nothing(void **state)
{
    struct fixture *fx = *state;
    struct ss_error err = {0};
    struct output zero = {0};
    out_abort(&zero); /* never opened: nothing to do */

    assert_int_equal(th_out_open(fx, fx->dir, &err), SS_OK);
    assert_int_equal(out_day(&fx->out, fx->rows[0], N_ROWS, fx->lrows[0], N_ROWS * N_LAYERS, &err),
                     SS_OK);
    th_out_assert_only_temp_files(fx->dir, 0, fx->snapshot);
    out_abort(&fx->out);
    char have[4096];
    th_list_dir(fx->dir, have, sizeof have);
    assert_string_equal(have, "");
    out_abort(&fx->out); /* twice is harmless */
}

/* A second run into the same folder replaces the first run's files. */
static void test_rerun_replaces(void **state)
{
    struct fixture *fx = *state;
    th_out_write_three_days(fx, 0);
    fx->run.seed = 99;
    th_out_write_three_days(fx, 1);
    char dir[512];
    th_out_results_dir(fx, dir, sizeof dir);
    sqlite3 *db = th_open_results(dir);
    assert_int_equal(th_query_int(db, "SELECT seed FROM run"), 99);
    assert_int_equal(th_query_int(db, "SELECT count(*) FROM daily"), 9);
    sqlite3_close(db);
}

static void test_unwritable_folder(void **state)
{
    struct fixture *fx = *state;
    struct ss_error err = {0};
    char file[512], dir[600];
    snprintf(file, sizeof file, "%s/plain-file", fx->dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);

    snprintf(dir, sizeof dir, "%s/sub/results", file); /* under a regular file */
    assert_int_equal(th_out_open(fx, dir, &err), SS_EIO);
    assert_int_equal(err.code, SS_EIO);
    assert_non_null(strstr(err.msg, dir));
    assert_non_null(strstr(err.msg, "Not a directory"));
    assert_null(fx->out.db);

    memset(&err, 0, sizeof err);
    assert_int_equal(th_out_open(fx, file, &err), SS_EIO); /* the folder is a file */
    assert_non_null(strstr(err.msg, file));

    char have[4096];
    th_list_dir(fx->dir, have, sizeof have);
    assert_string_equal(have, "plain-file");
}

/* Out of order: rows before out_open, the run before out_open, an agent
 * without a snapshot opened. Each is refused, and nothing is written. */
static void test_out_of_order(void **state)
{
    struct fixture *fx = *state;
    struct ss_error err = {0};
    struct output never = {0};
    assert_int_equal(out_day(&never, fx->rows[0], N_ROWS, fx->lrows[0], N_ROWS * N_LAYERS, &err),
                     SS_EINTERNAL);
    assert_int_equal(out_close(&never, &fx->run, &err), SS_EINTERNAL);
    fx->snapshot = 0;
    assert_int_equal(th_out_open(fx, fx->dir, &err), SS_OK);
    assert_int_equal(out_agent(&fx->out, &fx->agents[0], fx->degree[0], &err), SS_EINTERNAL);
    out_abort(&fx->out);
    char have[4096];
    th_list_dir(fx->dir, have, sizeof have);
    assert_string_equal(have, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, th_out_setup, th_out_teardown),
        cmocka_unit_test_setup_teardown(test_rerun_replaces, th_out_setup, th_out_teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_folder, th_out_setup, th_out_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order, th_out_setup, th_out_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
