/*
 * test_scenario_errors.c - bad input to the scenario module: the cases of
 * tests/data/bad (data-driven: each file says the error it expects, with
 * its line and column), every error of a file reported at once, a missing
 * file, and --set arguments it refuses (at the assignment or at
 * scn_finish). The good scenarios and round trips are test_scenario.c's.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "scenario/scenario.h"

#define BAD_DIR TEST_DATA_DIR "/bad"

/* --- bad inputs, as data --------------------------------------------------------- */

struct expect {
    char msg[1024]; /* expected message */
    int line, col;  /* expected place; 0 0 for none */
};

static int read_expect(const char *path, struct expect *e)
{
    FILE *f = fopen(path, "r");
    char l1[1000], l2[200];
    if (!f) return -1;
    int ok = fgets(l1, sizeof l1, f) && fgets(l2, sizeof l2, f);
    fclose(f);
    if (!ok || strncmp(l1, "# expect: ", 10) || strncmp(l2, "# at: ", 6)) return -1;
    l1[strcspn(l1, "\n")] = '\0';
    snprintf(e->msg, sizeof e->msg, "%s", l1 + 10);
    if (!strncmp(l2 + 6, "none", 4)) {
        e->line = e->col = 0;
        return 0;
    }
    return sscanf(l2 + 6, "%d:%d", &e->line, &e->col) == 2 ? 0 : -1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every case runs; all mismatches are listed before the test fails. */
static void test_bad_files(void **state)
{
    DIR *d = opendir(BAD_DIR);
    assert_non_null(d);
    char *names[512];
    size_t n = 0;
    for (struct dirent *de; (de = readdir(d)) && n < 512;) {
        size_t len = strlen(de->d_name);
        if (len > 5 && !strcmp(de->d_name + len - 5, ".yaml")) names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    assert_true(n >= 25);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        struct expect e;
        struct ss_error err = {0};
        struct scenario *s = NULL;
        snprintf(path, sizeof path, "%s/%s", BAD_DIR, names[i]);
        if (read_expect(path, &e)) {
            printf("%s: no '# expect:' and '# at:' lines\n", names[i]);
            failures++;
            continue;
        }
        int rc = th_load_finish(path, &s, &err);
        scn_free(s);
        int ok = rc == SS_EINPUT && !strcmp(err.msg, e.msg) && err.line == e.line &&
                 err.col == e.col && !strcmp(err.file, path);
        if (!ok) {
            printf("%s:\n  want %d:%d: %s\n  got  rc %d, %s:%d:%d: %s\n", names[i], e.line, e.col,
                   e.msg, rc, err.file, err.line, err.col, err.msg);
            failures++;
        }
        /* Read going on after errors, each file still holds one error (a
         * key that failed adds none downstream), the same one; a file that
         * reads cleanly fails at the same check between keys. */
        struct ss_errors all;
        struct ss_error first = {0};
        s = NULL;
        rc = scn_load_all(&s, path, &all, &first);
        if (rc == SS_OK) {
            rc = scn_finish(s, &first);
            if (rc == SS_EINPUT) ss_errors_add(&all, &first);
        }
        scn_free(s);
        ok = rc == SS_EINPUT && all.n == 1 && all.more == 0 && !strcmp(all.e[0].msg, err.msg) &&
             !strcmp(first.msg, err.msg) && all.e[0].line == err.line && all.e[0].col == err.col;
        if (!ok) {
            printf("%s: scn_load_all: rc %d, %d error(s), the first %s:%d:%d: %s\n", names[i], rc,
                   all.n, all.n ? all.e[0].file : "", all.n ? all.e[0].line : 0,
                   all.n ? all.e[0].col : 0, all.n ? all.e[0].msg : "");
            failures++;
        }
        free(names[i]);
    }
    if (failures) fail_msg("%d bad-input case(s) failed", failures);
}

/* Every error of a file at once: three independent ones (a bad type, a
 * value out of range, an unknown key in another section), each at its
 * place, and the keys between them read; err holds the first, and
 * scn_load stops there. Past SS_MAX_ERRORS only a count is kept. */
static void test_all_errors(void **state)
{
    char dir[256], path[300];
    th_tmpdir(dir, sizeof dir, "test-scenario");
    snprintf(path, sizeof path, "%s/three.yaml", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("population:\n"
          "  agents: many\n"
          "  household_size: 2.5\n"
          "  online_share: 1.5\n"
          "behaviour:\n"
          "  protest:\n"
          "    leeve: 0.3\n"
          "days: 30\n",
          f);
    fclose(f);
    static const struct {
        int line, col;
        const char *msg;
    } want[3] = {
        {2, 11, "'population.agents' expects an integer from 1 to 4294967294, got 'many'"},
        {4, 17, "'population.online_share' must be between 0 and 1, got 1.5"},
        {7, 5, "unknown key 'behaviour.protest.leeve' (did you mean 'behaviour.protest.leave'?)"},
    };
    struct ss_errors all;
    struct ss_error err = {0};
    struct scenario *s = (struct scenario *)1;
    assert_int_equal(scn_load_all(&s, path, &all, &err), SS_EINPUT);
    assert_null(s);
    TH_EQ(all.n, 3);
    TH_EQ(all.more, 0);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(all.e[i].file, path);
        TH_EQ(all.e[i].line, want[i].line);
        TH_EQ(all.e[i].col, want[i].col);
        assert_string_equal(all.e[i].msg, want[i].msg);
    }
    assert_string_equal(err.msg, want[0].msg);
    TH_EQ(err.line, 2);
    /* the one-error reader stops at the first */
    struct ss_error one = {0};
    assert_int_equal(scn_load(&s, path, &one), SS_EINPUT);
    assert_string_equal(one.msg, want[0].msg);
    /* what check prints */
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_non_null(m);
    ss_errors_print(&all, m);
    fclose(m);
    char line2[600];
    snprintf(line2, sizeof line2, "%s:4:17: %s\n", path, want[1].msg);
    assert_non_null(strstr(text, line2));
    free(text);

    /* 25 unknown keys: 20 kept, 5 counted */
    f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 25; i++) fprintf(f, "nokey%d: 1\n", i);
    fclose(f);
    assert_int_equal(scn_load_all(&s, path, &all, &err), SS_EINPUT);
    TH_EQ(all.n, SS_MAX_ERRORS);
    TH_EQ(all.more, 25 - SS_MAX_ERRORS);
    TH_EQ(all.e[SS_MAX_ERRORS - 1].line, SS_MAX_ERRORS);
    assert_string_equal(err.msg, "unknown key 'nokey0'");
    /* invalid YAML stops the reading: its one error */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("population: {agents: 5\n", f);
    fclose(f);
    assert_int_equal(scn_load_all(&s, path, &all, &err), SS_EINPUT);
    TH_EQ(all.n, 1);
    assert_non_null(strstr(all.e[0].msg, "invalid YAML"));
    assert_int_equal(th_remove_tree(dir), 0);
}

static void test_missing_file(void **state)
{
    struct scenario *s = (struct scenario *)1;
    struct ss_error err = {0};
    assert_int_equal(scn_load(&s, TEST_DATA_DIR "/no/such.yaml", &err), SS_EINPUT);
    assert_null(s);
    assert_string_equal(err.file, TEST_DATA_DIR "/no/such.yaml");
    assert_string_equal(err.msg, "cannot read the scenario file: No such file or directory");
}

/* --- --set ------------------------------------------------------------------------- */

struct set_case {
    const char *arg; /* the --set argument */
    int at_finish;   /* the error shows at scn_finish */
    const char *msg; /* expected message */
};

static void test_set_errors(void **state)
{
    static const struct set_case cases[] = {
        {"population.agents", 0, "expected KEY=VALUE (e.g. population.agents=1000), found no '='"},
        {"=5", 0, "missing key before '='"},
        {"population..agents=5", 0, "invalid key 'population..agents'"},
        {"population.agent=5", 0,
         "unknown key 'population.agent' (did you mean 'population.agents'?)"},
        {"populaton.agents=5", 0, "unknown key 'populaton' (did you mean 'population'?)"},
        {"population.agents=abc", 0,
         "'population.agents' expects an integer from 1 to 4294967294, got 'abc'"},
        {"population.agents=", 0,
         "'population.agents' expects an integer from 1 to 4294967294, got nothing"},
        {"population.online_share=1.5", 0,
         "'population.online_share' must be between 0 and 1, got 1.5"},
        {"behaviour.protest.trigger.days=[10,", 0,
         "invalid YAML: did not find expected node content (while parsing a flow node)"},
        {"network.layers.work.generator=erdos", 0,
         "'network.layers.work.generator' must be one of household, watts_strogatz, "
         "barabasi_albert, erdos_renyi, complete, edge_list, got 'erdos'"},
        {"network.layers.bad-name.k=4", 0,
         "'network.layers' has an invalid layer name 'bad-name' (names are 1 to 31 letters, "
         "digits or '_', not starting with a digit)"},
        {"population.attitude.sd=0.1", 1,
         "key 'sd' does not apply to dist 'beta' (it applies to: normal)"},
        {"network.layers.new.k=4", 1,
         "'network.layers.new' needs 'generator' (one of household, watts_strogatz, "
         "barabasi_albert, erdos_renyi, complete, edge_list)"},
        {"behaviour.protest.trigger.days=[0]", 0,
         "'behaviour.protest.trigger.days' must be between 1 and 100000, got 0"},
        {"sanctions.internment.groups=[uygur]", 1,
         "'sanctions.internment.groups' names 'uygur', which is not a group in "
         "population.groups (did you mean 'uyghur'?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct set_case *c = &cases[i];
        struct scenario *s = th_scn_default();
        struct ss_error err = {0};
        char file[600];
        int rc = scn_set(s, c->arg, &err);
        if (c->at_finish) {
            assert_int_equal(rc, SS_OK);
            rc = scn_finish(s, &err);
        }
        snprintf(file, sizeof file, "--set %s", c->arg);
        if (rc != SS_EINPUT || strcmp(err.msg, c->msg) || strcmp(err.file, file) || err.line ||
            err.col)
            fail_msg("--set %s:\n  want %s\n  got  rc %d, %s:%d:%d: %s", c->arg, c->msg, rc,
                     err.file, err.line, err.col, err.msg);
        scn_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_all_errors),
        cmocka_unit_test(test_set_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
