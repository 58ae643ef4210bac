/*
 * test_design.c - the designs of sensitivity analyses and calibrations
 * (experiment/design.c): --param parsed and checked against the seed
 * scenario, with the exact message of each refusal; the map from the unit
 * cube to values (ends, log scale, integers with equal shares); "KEY=VALUE"
 * text that reads back exactly; the structure of each generator's points
 * (Sobol', Latin hypercube strata, Morris grid and moves, Saltelli's A, B
 * and A_B^(i) against GSL's sequence read directly); the same points, bit
 * for bit, from the same seed; and out-of-memory at every allocation.
 */
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "experiment/design.h"
#include "harness.h"

static struct design *new_design(void)
{
    struct design *d = NULL;
    struct ss_error err = {0};
    assert_int_equal(design_new(&d, &err), SS_OK);
    return d;
}

static void add(struct design *d, const char *key, double lo, double hi, int scale, int step)
{
    struct ss_error err = {0};
    if (design_add(d, key, lo, hi, scale, step, &err) != SS_OK) fail_msg("%s", err.msg);
}

static void parse_ok(struct design *d, const struct scenario *s, const char *spec)
{
    struct ss_error err = {0};
    if (design_parse(d, s, spec, &err) != SS_OK) {
        ss_error_print(&err, stdout);
        fail_msg("--param %s refused", spec);
    }
}

/* ---- parsing ------------------------------------------------------------ */

static void test_parse_accepts(void **state)
{
    struct scenario *s = th_scenario(1000, 10, NULL);
    struct design *d = new_design();
    parse_ok(d, s, "scoring.integration=0.2:0.8");
    parse_ok(d, s, " population.agents = 500 : 2000 ");
    parse_ok(d, s, "behaviour.fear.sanctioned_weight=0.1:10:log");
    parse_ok(d, s, "network.layers.work.k=4:12");
    parse_ok(d, s, "population.attitude.a=1:4");
    parse_ok(d, s, "surveillance.cameras.coverage_by_group.uyghur=0:1");
    assert_int_equal(d->k, 6);
    const struct design_param *p = d->param;
    assert_string_equal(p[0].key, "scoring.integration");
    assert_string_equal(p[0].spec, "scoring.integration=0.2:0.8");
    assert_true(p[0].lo == 0.2 && p[0].hi == 0.8);
    assert_int_equal(p[0].scale, DESIGN_LINEAR);
    assert_int_equal(p[0].step, 0);
    assert_string_equal(p[1].key, "population.agents");
    assert_int_equal(p[1].step, 1);
    assert_true(p[1].lo == 500 && p[1].hi == 2000);
    assert_int_equal(p[2].scale, DESIGN_LOG);
    assert_int_equal(p[3].step, 2); /* a Watts-Strogatz k is even */
    assert_int_equal(p[4].step, 0);
    for (int i = 0; i < d->k; i++) assert_int_equal(p[i].scheduled, 0);
    design_free(d);
    scn_free(s);
}

/* A key the base scenario's schedule changes is accepted and counted: a
 * point's value holds only until the change. */
static void test_parse_counts_schedule(void **state)
{
    struct scenario *s =
        th_scenario(1000, 20,
                    (const char *const[]){"schedule=[{day: 5, set: {scoring.integration: 0.5}}, "
                                          "{day: 9, set: {scoring.integration: 0.7}}]",
                                          NULL});
    struct design *d = new_design();
    parse_ok(d, s, "scoring.integration=0:1");
    parse_ok(d, s, "scoring.recovery=0:0.1");
    assert_int_equal(d->param[0].scheduled, 2);
    assert_int_equal(d->param[1].scheduled, 0);
    design_free(d);
    scn_free(s);
}

static void test_parse_errors(void **state)
{
    static const struct {
        const char *spec, *msg;
    } cases[] = {
        {"scoring.integration",
         "expected KEY=LO:HI or KEY=LO:HI:log (e.g. scoring.integration=0:1)"},
        {"scoring.integration=0.5",
         "expected KEY=LO:HI or KEY=LO:HI:log (e.g. scoring.integration=0:1)"},
        {"scoring.integration=0:0.5:log:x",
         "expected KEY=LO:HI or KEY=LO:HI:log (e.g. scoring.integration=0:1)"},
        {"=0:1", "missing key before '='"},
        {"seed=1:10", "the seed is not a parameter: each replicate runs with the base seed + its "
                      "number (use --replicates and --seed)"},
        {"scoring.integration=low:1", "LO 'low' is not a number"},
        {"scoring.integration=0:", "HI '' is not a number"},
        {"scoring.integration=0.1:1:ln",
         "unknown scale ':ln' after HI (the only one is ':log'; leave it out for a linear range)"},
        {"scoring.integraton=0:1",
         "unknown key 'scoring.integraton' (did you mean 'scoring.integration'?)"},
        {"sanctions.internment.enabled=0:1",
         "'sanctions.internment.enabled' is not a number: it holds a switch (true or false)"},
        {"scoring.group_cap.mode=0:1",
         "'scoring.group_cap.mode' is not a number: it holds a choice of names"},
        {"population.attitude=0:1",
         "'population.attitude' is a distribution, not a number: vary one of its numbers "
         "('population.attitude.value', 'population.attitude.mean', ...)"},
        {"scoring=0:1", "'scoring' is a section of keys, not a number"},
        {"network.layers.school.contact=0:1",
         "'network.layers.school': there is no layer named 'school'"},
        {"scoring.integration=0.8:0.2", "LO (0.8) must be below HI (0.2)"},
        {"scoring.integration=0.5:0.5", "LO (0.5) must be below HI (0.5)"},
        {"population.agents=500.5:2000",
         "'population.agents' is an integer: LO and HI must be whole numbers, got 500.5 and "
         "2000"},
        {"network.layers.work.k=3:12",
         "'network.layers.work.k' must be even: LO and HI must be even numbers, got 3 and 12"},
        {"behaviour.fear.sanctioned_weight=0:10:log",
         "a log scale needs LO above 0, got 0 (use a linear range, without ':log', to include 0 "
         "or negative values)"},
        {"scoring.integration=-1:1:log",
         "a log scale needs LO above 0, got -1 (use a linear range, without ':log', to include 0 "
         "or negative values)"},
        {"scoring.integration=0.5:1.5",
         "HI = 1.5 is not allowed: 'scoring.integration' must be between 0 and 1, got 1.5"},
        {"scoring.integration=-0.5:1",
         "LO = -0.5 is not allowed: 'scoring.integration' must be between 0 and 1, got -0.5"},
        {"population.attitude.a=0:4",
         "LO = 0 is not allowed: 'population.attitude.a' must be greater than 0, got 0"},
        /* A cross-key check of the scenario's (list.exit_above is 850). */
        {"list.enter_below=500:900",
         "HI = 900 is not allowed: 'list.exit_above' (850) must be at least list.enter_below "
         "(900)"},
    };
    struct scenario *s = th_scenario(1000, 10, NULL);
    struct design *d = new_design();
    parse_ok(d, s, "scoring.recovery=0:0.1");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ss_error err = {0};
        char src[400];
        snprintf(src, sizeof src, "--param %s", cases[i].spec);
        int rc = design_parse(d, s, cases[i].spec, &err);
        if (rc != SS_EINPUT || strcmp(err.msg, cases[i].msg) || strcmp(err.file, src))
            fail_msg("--param %s: status %d, place '%s', message\n  '%s'\nexpected\n  '%s'",
                     cases[i].spec, rc, err.file, err.msg, cases[i].msg);
        assert_int_equal(err.line, 0);
        assert_int_equal(d->k, 1); /* nothing added */
    }
    /* The same key twice. */
    struct ss_error err = {0};
    assert_int_equal(design_parse(d, s, "scoring.recovery=0.2:0.3", &err), SS_EINPUT);
    assert_string_equal(err.msg, "'scoring.recovery' is varied twice");
    assert_string_equal(err.file, "--param scoring.recovery=0.2:0.3");
    /* What ss_error_print writes: the --param, then the reason. */
    char out[600];
    FILE *f = fmemopen(out, sizeof out, "w");
    ss_error_print(&err, f);
    fclose(f);
    assert_string_equal(out, "--param scoring.recovery=0.2:0.3: 'scoring.recovery' is varied "
                             "twice\n");
    design_free(d);
    scn_free(s);
}

static void test_add_errors(void **state)
{
    struct design *d = new_design();
    struct ss_error err = {0};
    assert_int_equal(design_add(d, "x", 1, 1, DESIGN_LINEAR, 0, &err), SS_EINPUT);
    assert_string_equal(err.msg, "LO (1) must be below HI (1)");
    assert_string_equal(err.file, "x");
    assert_int_equal(design_add(d, "x", NAN, 1, DESIGN_LINEAR, 0, &err), SS_EINPUT);
    assert_string_equal(err.msg, "LO and HI must be finite numbers");
    assert_int_equal(design_add(d, "x", 0, 1, DESIGN_LOG, 0, &err), SS_EINPUT);
    for (int i = 0; i < DESIGN_MAX_PARAMS; i++) {
        char key[16];
        snprintf(key, sizeof key, "x%d", i);
        add(d, key, 0, 1, DESIGN_LINEAR, 0);
    }
    assert_int_equal(design_add(d, "y", 0, 1, DESIGN_LINEAR, 0, &err), SS_EINPUT);
    assert_string_equal(err.msg, "a design varies at most 20 keys");
    design_free(d);
}

/* ---- values -------------------------------------------------------------- */

static void test_value_map(void **state)
{
    struct design *d = new_design();
    add(d, "lin", -2, 3, DESIGN_LINEAR, 0);
    add(d, "log", 0.01, 100, DESIGN_LOG, 0);
    add(d, "int", 1, 10, DESIGN_LINEAR, 1);
    add(d, "even", 2, 8, DESIGN_LINEAR, 2);
    add(d, "intlog", 1, 1000, DESIGN_LOG, 1);
    add(d, "hi03", 0.01, 0.3, DESIGN_LOG, 0);
    const struct design_param *p = d->param;
    /* Ends exactly, clamped outside [0, 1]. */
    for (int i = 0; i < d->k; i++) {
        TH_FEQ(design_value(&p[i], 0), p[i].lo);
        TH_FEQ(design_value(&p[i], 1), p[i].hi);
        TH_FEQ(design_value(&p[i], -0.5), p[i].lo);
        TH_FEQ(design_value(&p[i], 7), p[i].hi);
        TH_FEQ(design_value(&p[i], NAN), p[i].lo);
    }
    TH_FEQ(design_value(&p[0], 0.5), 0.5);
    assert_true(fabs(design_value(&p[1], 0.5) - 1) < 1e-12); /* the geometric middle */
    assert_true(fabs(design_value(&p[1], 0.25) - 0.1) < 1e-12);
    /* Integers: each of 1..10 takes exactly a tenth of [0, 1). */
    for (int c = 0; c < 10; c++) {
        TH_FEQ(design_value(&p[2], c / 10.0), 1 + c);
        TH_FEQ(design_value(&p[2], (c + 0.999) / 10.0), 1 + c);
    }
    /* Even integers 2, 4, 6, 8: a quarter each. */
    TH_FEQ(design_value(&p[3], 0.2), 2);
    TH_FEQ(design_value(&p[3], 0.3), 4);
    TH_FEQ(design_value(&p[3], 0.74), 6);
    TH_FEQ(design_value(&p[3], 0.76), 8);
    /* A log integer is rounded from [0.5, 1000.5] on a log scale. */
    for (double u = 0; u <= 1; u += 1.0 / 64) {
        double x = design_value(&p[4], u);
        assert_true(x == floor(x) && x >= 1 && x <= 1000);
        double w = exp(log(0.5) + u * (log(1000.5) - log(0.5)));
        assert_true(fabs(x - w) <= 0.5 + 1e-9);
    }
    /* The inverse: a real key's value goes back to its u; an integer's to
     * its place on the widened range. */
    for (double u = 0; u <= 1; u += 0.125) {
        assert_true(fabs(design_unit(&p[0], design_value(&p[0], u)) - u) < 1e-15);
        assert_true(fabs(design_unit(&p[1], design_value(&p[1], u)) - u) < 1e-15);
    }
    assert_true(fabs(design_unit(&p[2], 1) - 0.05) < 1e-15);
    assert_true(fabs(design_unit(&p[2], 10) - 0.95) < 1e-15);
    design_free(d);
}

static void test_set_text(void **state)
{
    struct design *d = new_design();
    add(d, "scoring.integration", 0, 1, DESIGN_LINEAR, 0);
    add(d, "population.agents", 500, 2000, DESIGN_LINEAR, 1);
    char buf[DESIGN_SET_MAX];
    assert_int_equal(design_set_text(d, 0, 0.1, buf, sizeof buf), SS_OK);
    assert_string_equal(buf, "scoring.integration=0.1");
    assert_int_equal(design_set_text(d, 1, 1234, buf, sizeof buf), SS_OK);
    assert_string_equal(buf, "population.agents=1234");
    /* Any real value reads back as exactly itself. */
    struct rng g;
    rng_init(&g, 7, 0, 0, 0);
    for (int i = 0; i < 1000; i++) {
        double x = design_value(&d->param[0], rng_uniform(&g));
        assert_int_equal(design_set_text(d, 0, x, buf, sizeof buf), SS_OK);
        TH_FEQ(strtod(strchr(buf, '=') + 1, NULL), x);
    }
    char small[8];
    assert_int_equal(design_set_text(d, 0, 0.5, small, sizeof small), SS_EINTERNAL);
    design_free(d);
}

/* Each end passes, but a point of both keys breaks a cross-key rule. */
static void test_check_point(void **state)
{
    struct scenario *s = th_scenario(1000, 10, NULL);
    struct design *d = new_design();
    parse_ok(d, s, "list.enter_below=500:800");
    parse_ok(d, s, "list.exit_above=700:900");
    struct ss_error err = {0};
    assert_int_equal(design_check_point(d, s, (const double[]){600, 800}, &err), SS_OK);
    assert_int_equal(design_check_point(d, s, (const double[]){800, 700}, &err), SS_EINPUT);
    assert_string_equal(err.msg, "the point list.enter_below=800, list.exit_above=700 is not "
                                 "allowed: 'list.exit_above' (700) must be at least "
                                 "list.enter_below (800)");
    design_free(d);
    scn_free(s);
}

/* ---- points -------------------------------------------------------------- */

static struct design *unit_design(int k)
{
    struct design *d = new_design();
    for (int i = 0; i < k; i++) {
        char key[16];
        snprintf(key, sizeof key, "x%d", i);
        add(d, key, 0, 1, DESIGN_LINEAR, 0);
    }
    return d;
}

static void test_sobol_points(void **state)
{
    struct design *d = unit_design(5);
    struct design_points *p = NULL, *q = NULL;
    struct ss_error err = {0};
    long n = 1024;
    assert_int_equal(design_sobol(d, n, &p, &err), SS_OK);
    assert_int_equal(p->kind, DESIGN_SOBOL);
    assert_int_equal(p->n, n);
    assert_int_equal(p->k, 5);
    assert_null(p->moved);
    /* GSL's first point is the centre, and no point is all zeros. */
    for (int j = 0; j < 5; j++) TH_FEQ(p->u[j], 0.5);
    for (long i = 0; i < n; i++) {
        int zero = 1;
        for (int j = 0; j < 5; j++) zero &= p->u[i * 5 + j] == 0;
        assert_false(zero);
    }
    /* The same as GSL's own generator, and x = u on [0, 1]. */
    gsl_qrng *g = gsl_qrng_alloc(gsl_qrng_sobol, 5);
    double v[5];
    for (long i = 0; i < n; i++) {
        gsl_qrng_get(g, v);
        for (int j = 0; j < 5; j++) {
            TH_FEQ(p->u[i * 5 + j], v[j]);
            TH_FEQ(p->x[i * 5 + j], v[j]);
            TH_FEQ(p->s[i * 5 + j], v[j]);
        }
    }
    gsl_qrng_free(g);
    /* Nearly balanced: each coordinate's mean within 2/n of 1/2. */
    for (int j = 0; j < 5; j++) {
        double sum = 0;
        for (long i = 0; i < n; i++) sum += p->u[i * 5 + j];
        assert_true(fabs(sum / n - 0.5) < 2.0 / n);
    }
    assert_int_equal(design_sobol(d, n, &q, &err), SS_OK);
    assert_memory_equal(p->u, q->u, (size_t)n * 5 * sizeof *p->u);
    design_points_free(d, p);
    design_points_free(d, q);
    assert_int_equal(design_sobol(d, 0, &p, &err), SS_EINPUT);
    assert_null(p);
    assert_int_equal(design_sobol(d, DESIGN_MAX_POINTS + 1L, &p, &err), SS_EINPUT);
    design_free(d);
}

static void test_lhs_points(void **state)
{
    struct design *d = unit_design(3);
    add(d, "int", 1, 10, DESIGN_LINEAR, 1);
    struct design_points *p = NULL, *q = NULL, *o = NULL;
    struct ss_error err = {0};
    long n = 1000;
    assert_int_equal(design_lhs(d, n, 42, &p, &err), SS_OK);
    assert_int_equal(p->seed, 42);
    /* One point in each of the n strata of every coordinate. */
    for (int j = 0; j < 4; j++) {
        int *hit = calloc((size_t)n, sizeof *hit);
        for (long i = 0; i < n; i++) {
            double u = p->u[i * 4 + j];
            assert_true(u >= 0 && u < 1);
            hit[(long)(u * n)]++;
        }
        for (long c = 0; c < n; c++) assert_int_equal(hit[c], 1);
        free(hit);
    }
    /* So each of the integer key's ten values is taken exactly 100 times. */
    int count[11] = {0};
    for (long i = 0; i < n; i++) count[(int)p->x[i * 4 + 3]]++;
    for (int v = 1; v <= 10; v++) assert_int_equal(count[v], 100);
    /* The same seed, the same points; another seed, others. */
    assert_int_equal(design_lhs(d, n, 42, &q, &err), SS_OK);
    assert_memory_equal(p->u, q->u, (size_t)n * 4 * sizeof *p->u);
    assert_memory_equal(p->x, q->x, (size_t)n * 4 * sizeof *p->x);
    assert_int_equal(design_lhs(d, n, 43, &o, &err), SS_OK);
    long same = 0;
    for (long i = 0; i < n * 4; i++) same += p->u[i] == o->u[i];
    assert_true(same < 10);
    design_points_free(d, p);
    design_points_free(d, q);
    design_points_free(d, o);
    design_free(d);
}

static void test_morris_points(void **state)
{
    struct design *d = unit_design(4);
    add(d, "int", 0, 9, DESIGN_LINEAR, 1);
    struct design_points *p = NULL, *q = NULL;
    struct ss_error err = {0};
    int k = 5, lv = 6;
    long r = 30;
    assert_int_equal(design_morris(d, r, lv, 9, &p, &err), SS_OK);
    assert_int_equal(p->n, r * (k + 1));
    assert_int_equal(p->base, r);
    assert_int_equal(p->levels, lv);
    double delta = lv / (2.0 * (lv - 1));
    int up = 0, down = 0;
    for (long t = 0; t < r; t++) {
        int seen[5] = {0};
        assert_int_equal(p->moved[t * (k + 1)], -1);
        for (int step = 0; step <= k; step++) {
            long row = t * (k + 1) + step;
            for (int j = 0; j < k; j++) { /* on the grid */
                double g = p->u[row * k + j] * (lv - 1);
                assert_true(fabs(g - round(g)) < 1e-12 && g > -0.5 && g < lv - 0.5);
            }
            if (!step) continue;
            int i = p->moved[row];
            assert_true(i >= 0 && i < k);
            seen[i]++;
            for (int j = 0; j < k; j++) {
                double du = p->u[row * k + j] - p->u[(row - 1) * k + j];
                if (j != i) {
                    TH_FEQ(du, 0);
                    TH_FEQ(p->x[row * k + j], p->x[(row - 1) * k + j]);
                } else {
                    assert_true(fabs(fabs(du) - delta) < 1e-12);
                    up += du > 0, down += du < 0;
                }
            }
        }
        for (int i = 0; i < k; i++) assert_int_equal(seen[i], 1);
    }
    assert_true(up > 30 && down > 30); /* both directions occur */
    /* The integer key's place is its rounded value's, not u. */
    for (long row = 0; row < p->n; row++) {
        double x = p->x[row * k + 4];
        assert_true(x == floor(x) && x >= 0 && x <= 9);
        assert_true(fabs(p->s[row * k + 4] - (x + 0.5) / 10) < 1e-15);
    }
    assert_int_equal(design_morris(d, r, lv, 9, &q, &err), SS_OK);
    assert_memory_equal(p->u, q->u, (size_t)p->n * k * sizeof *p->u);
    assert_memory_equal(p->moved, q->moved, (size_t)p->n * sizeof *p->moved);
    design_points_free(d, p);
    design_points_free(d, q);
    /* Default levels: 4. */
    assert_int_equal(design_morris(d, 2, 0, 1, &p, &err), SS_OK);
    assert_int_equal(p->levels, 4);
    design_points_free(d, p);
    assert_int_equal(design_morris(d, 10, 5, 1, &p, &err), SS_EINPUT);
    assert_string_equal(err.msg, "Morris levels must be even, from 2 to 100, got 5");
    assert_int_equal(design_morris(d, 1, 4, 1, &p, &err), SS_EINPUT);
    assert_null(p);
    design_free(d);
}

/* A log integer key over 1..2: a move of 2/3 of the log range from the
 * bottom rounds 1 to 1, which leaves no effect to divide by. */
static void test_morris_refuses_null_moves(void **state)
{
    struct design *d = new_design();
    struct ss_error err = {0};
    struct design_points *p = NULL;
    add(d, "n", 1, 2, DESIGN_LOG, 1);
    assert_int_equal(design_morris(d, 20, 4, 1, &p, &err), SS_EINPUT);
    assert_string_equal(err.msg, "--param n: with 4 levels, a Morris step of this integer key "
                                 "rounds to no change; use fewer levels or a wider range");
    assert_null(p);
    design_free(d);
}

static void test_saltelli_points(void **state)
{
    struct design *d = unit_design(3);
    add(d, "log", 1, 100, DESIGN_LOG, 0);
    struct design_points *p = NULL;
    struct ss_error err = {0};
    int k = 4;
    long nb = 256;
    assert_int_equal(design_saltelli(d, nb, &p, &err), SS_OK);
    assert_int_equal(p->n, nb * (k + 2));
    assert_int_equal(p->base, nb);
    gsl_qrng *g = gsl_qrng_alloc(gsl_qrng_sobol, 2 * k);
    double v[8];
    for (long j = 0; j < nb; j++) {
        gsl_qrng_get(g, v);
        const double *row = p->u + j * (k + 2) * k;
        for (int i = 0; i < k; i++) {
            TH_FEQ(row[i], v[i]);         /* A */
            TH_FEQ(row[k + i], v[k + i]); /* B */
            for (int c = 0; c < k; c++)   /* A_B^(i): A with column i from B */
                TH_FEQ(row[(2 + i) * k + c], c == i ? v[k + c] : v[c]);
        }
    }
    gsl_qrng_free(g);
    for (long i = 0; i < p->n; i++) {
        double x = p->x[i * k + 3];
        assert_true(x >= 1 && x <= 100);
        TH_FEQ(p->s[i * k + 3], p->u[i * k + 3]);
    }
    design_points_free(d, p);
    assert_int_equal(design_saltelli(d, 1, &p, &err), SS_EINPUT);
    design_free(d);
    /* 2k dimensions: GSL's 40 allow 20 keys. */
    d = unit_design(20);
    assert_int_equal(design_saltelli(d, 4, &p, &err), SS_OK);
    design_points_free(d, p);
    design_free(d);
}

/* Every allocation of parsing and of each generator can fail: the failure
 * is SS_ENOMEM, nothing leaks (ASan), and a later run succeeds. */
static void test_out_of_memory(void **state)
{
    struct scenario *s = th_scenario(1000, 10, NULL);
    int failed = 0;
    for (long at = 1;; at++) {
        struct design *d = NULL;
        struct design_points *p = NULL;
        struct ss_error err = {0};
        int rc = design_new_mem(&d, at, &err);
        if (!rc) rc = design_parse(d, s, "scoring.integration=0:1", &err);
        if (!rc) rc = design_add(d, "x", 1, 10, DESIGN_LOG, 1, &err);
        if (!rc) rc = design_sobol(d, 16, &p, &err);
        design_points_free(d, p);
        p = NULL;
        if (!rc) rc = design_lhs(d, 16, 1, &p, &err);
        design_points_free(d, p);
        p = NULL;
        if (!rc) rc = design_morris(d, 4, 4, 1, &p, &err);
        design_points_free(d, p);
        p = NULL;
        if (!rc) rc = design_saltelli(d, 16, &p, &err);
        design_points_free(d, p);
        design_free(d);
        if (rc == SS_OK) break;
        assert_int_equal(rc, SS_ENOMEM);
        failed++;
    }
    assert_true(failed >= 15);
    scn_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepts),
        cmocka_unit_test(test_parse_counts_schedule),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_add_errors),
        cmocka_unit_test(test_value_map),
        cmocka_unit_test(test_set_text),
        cmocka_unit_test(test_check_point),
        cmocka_unit_test(test_sobol_points),
        cmocka_unit_test(test_lhs_points),
        cmocka_unit_test(test_morris_points),
        cmocka_unit_test(test_morris_refuses_null_moves),
        cmocka_unit_test(test_saltelli_points),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
