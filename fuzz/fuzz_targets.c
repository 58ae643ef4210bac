/*
 * fuzz_targets.c - a calibration targets file: any bytes, as tgt_load
 * reads them (a NUL ends the text there, as tgt_load refuses one), against
 * no scenario and against a dated one (dates resolved to days, group
 * names checked).
 */
#include <stdint.h>
#include <stdlib.h>

#include "experiment/targets.h"
#include "fuzz.h"
#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct scenario *fz_dated;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct ss_error err = {0};
    fz_must(scn_load_text(&fz_dated, NULL,
                          "population:\n  agents: 1000\nstart_date: 2013-10-01\ndays: 3000\n",
                          "fuzz-dated", ".", &err),
            &err, "the dated scenario");
    fz_must(scn_finish(fz_dated, &err), &err, "finishing the dated scenario");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_cstring(data, size);
    for (int k = 0; k < 2; k++) {
        struct tgt_set *ts = NULL;
        struct tgt_errors errs;
        struct ss_error err = {0};
        int rc = tgt_load_text(&ts, text, "fuzz.csv", k ? fz_dated : NULL, 0, &errs, &err);
        if (rc != SS_OK && rc != SS_EINPUT) abort();
        if ((rc == SS_OK) != (ts != NULL)) abort();
        tgt_free(ts);
    }
    free(text);
    return 0;
}
