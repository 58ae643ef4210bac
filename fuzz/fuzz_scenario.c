/*
 * fuzz_scenario.c - a scenario file: any bytes, read as `scoresim run
 * FILE` reads them (scn_load_buffer, every error collected), then the
 * cross-key checks (scn_finish). A scenario that finishes must print an
 * effective scenario that loads and finishes again (what a checkpoint and
 * a sweep's children rely on): if not, the harness aborts.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct scenario *fz_defaults; /* copied for each input: building it is the slow part */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct ss_error err = {0};
    fz_must(scn_new_default(&fz_defaults, &err), &err, "the seed scenario");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario *s = NULL, *back = NULL;
    struct ss_errors all;
    struct ss_error err = {0};
    /* relative paths (edge lists) resolve under a folder that does not exist */
    int rc = scn_load_buffer(&s, fz_defaults, (const char *)data, size, "/nonexistent/fuzz.yaml",
                             &all, &err);
    if (rc == SS_OK && scn_finish(s, &err) == SS_OK) {
        if (scn_load_text(&back, fz_defaults, scn_text(s), "effective", scn_dir(s), &err) !=
                SS_OK ||
            scn_finish(back, &err) != SS_OK) {
            ss_error_print(&err, stderr);
            abort(); /* the effective scenario of a valid one must read back */
        }
    }
    scn_free(back);
    scn_free(s);
    return 0;
}
