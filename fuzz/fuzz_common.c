/*
 * fuzz_common.c - what the harnesses share (see fuzz.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scenario/scenario.h"

/* Small and fast to build; every section keeps its seed default. */
static const char fz_tiny_yaml[] = "name: fuzz-tiny\n"
                                   "days: 10\n"
                                   "population:\n"
                                   "  agents: 60\n";

char *fz_cstring(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void fz_must(int rc, const struct ss_error *err, const char *what)
{
    if (rc == SS_OK) return;
    fprintf(stderr, "fuzz setup: %s failed: ", what);
    ss_error_print(err, stderr);
    abort();
}

struct scenario *fz_tiny_scenario(void)
{
    struct scenario *s = NULL;
    struct ss_error err = {0};
    fz_must(scn_load_text(&s, NULL, fz_tiny_yaml, "fuzz-tiny", ".", &err), &err,
            "the tiny scenario");
    fz_must(scn_finish(s, &err), &err, "finishing the tiny scenario");
    return s;
}
