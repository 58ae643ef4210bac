/*
 * fuzz_set.c - `--set KEY=VALUE` arguments: the input is up to eight of
 * them, one a line, applied in order over the seed scenario as the
 * command line does (each error kept, the rest still applied), then
 * scn_finish.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    char *text = fz_cstring(data, size);
    struct scenario *s = NULL;
    struct ss_error err = {0};
    fz_must(scn_copy_fresh(&s, fz_defaults, &err), &err, "copying the seed scenario");
    int bad = 0;
    char *line = text;
    for (int i = 0; i < 8 && line; i++) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        int rc = scn_set(s, line, &err);
        if (rc != SS_OK && rc != SS_EINPUT) abort(); /* only the input's fault is possible */
        bad |= rc != SS_OK;
        line = nl ? nl + 1 : NULL;
    }
    if (!bad) (void)scn_finish(s, &err);
    scn_free(s);
    free(text);
    return 0;
}
