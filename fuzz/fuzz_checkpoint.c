/*
 * fuzz_checkpoint.c - a checkpoint file: any bytes, read as resume and
 * fork read one (its header and checksum, ckpt_read_meta_file), then the
 * same bytes with their CRC-32 appended, so that mutations get past the
 * checksum and reach the header's sizes and the restore into a world
 * (ckpt_restore_file, into the tiny world the seed checkpoint was written
 * from). The stream is fmemopen's: nothing touches the disk. The
 * checkpoint's scenario text is read by the scenario reader, which
 * fuzz_scenario covers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "scenario/scenario.h"
#include "world/checkpoint.h"
#include "world/world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct scenario *fz_scn;
static struct world fz_world;
static struct mem fz_mem;
static uint32_t *fz_adj[MAX_LAYERS]; /* the uncut ties, put back before each input */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct ss_error err = {0};
    fz_scn = fz_tiny_scenario();
    fz_must(world_build(&fz_world, scn_params(fz_scn), ".", 1, &fz_mem, &err), &err,
            "building the tiny world");
    for (uint32_t l = 0; l < fz_world.net.n_layers; l++) {
        const struct layer *L = &fz_world.net.layer[l];
        fz_adj[l] = malloc(L->n_entries * sizeof *L->adj + 1);
        if (!fz_adj[l]) abort();
        memcpy(fz_adj[l], L->adj, L->n_entries * sizeof *L->adj);
    }
    return 0;
}

/* Read data[0 .. size) as a checkpoint; with restore, into the world. */
static void fz_read(const uint8_t *data, size_t size, int restore)
{
    struct ss_error err = {0};
    struct ckpt_meta meta;
    struct mem m = {0};
    /* fmemopen refuses a size of 0: one byte more, never read past size */
    FILE *f = fmemopen((void *)data, size ? size : 1, "rb");
    if (!f) abort();
    if (!size) fgetc(f);
    int rc = ckpt_read_meta_file(f, "fuzz.ckpt", &meta, &m, &err);
    if (rc != SS_OK && rc != SS_EINPUT) abort();
    if (rc == SS_OK) ckpt_meta_free(&meta, &m);
    if (m.live != 0) abort();
    if (!restore || rc != SS_OK) return;
    for (uint32_t l = 0; l < fz_world.net.n_layers; l++) {
        struct layer *L = &fz_world.net.layer[l];
        memcpy(L->adj, fz_adj[l], L->n_entries * sizeof *L->adj);
    }
    f = fmemopen((void *)data, size, "rb");
    if (!f) abort();
    rc = ckpt_restore_file(f, "fuzz.ckpt", &fz_world, &err);
    if (rc != SS_OK && rc != SS_EINPUT) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_read(data, size, 0);
    uint8_t *sealed = malloc(size + 4);
    if (!sealed) abort();
    if (size) memcpy(sealed, data, size);
    uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)size);
    memcpy(sealed + size, &crc, sizeof crc);
    fz_read(sealed, size + 4, 1);
    free(sealed);
    return 0;
}
