/*
 * tally.c - clearing and adding a day's tallies (see tally.h).
 */
#include "model/tally.h"

#include <string.h>

/* The tallies are plain int64 fields: a row is an array of them. */
#define TALLY_PER_ROW (sizeof(struct group_counts) / sizeof(int64_t))
_Static_assert(sizeof(struct group_counts) % sizeof(int64_t) == 0,
               "group_counts must hold int64_t fields only");

void tally_clear(struct day_counts *c, uint32_t n_groups)
{
    c->n_rows = n_groups + 1;
    memset(c->row, 0, sizeof c->row);
}

void tally_add(struct day_counts *c, const struct day_counts *d, uint32_t n_groups)
{
    for (uint32_t g = 0; g <= n_groups; g++) {
        int64_t *x = (int64_t *)&c->row[g];
        const int64_t *y = (const int64_t *)&d->row[g];
        for (size_t k = 0; k < TALLY_PER_ROW; k++) x[k] += y[k];
    }
}

void tally_total(struct day_counts *c, uint32_t n_groups)
{
    int64_t *all = (int64_t *)&c->row[n_groups];
    memset(all, 0, sizeof c->row[n_groups]);
    for (uint32_t g = 0; g < n_groups; g++) {
        const int64_t *y = (const int64_t *)&c->row[g];
        for (size_t k = 0; k < TALLY_PER_ROW; k++) all[k] += y[k];
    }
}
