/*
 * fuzz_edgelist.c - an edge list file: any bytes, read by the run's own
 * line reader (net_edge_list_parse) against a population of 1,000 agents.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/error.h"
#include "fuzz.h"
#include "world/net_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mem m = {0};
    struct ss_error err = {0};
    uint64_t ties = 0;
    int rc = net_edge_list_parse((const char *)data, size, "fuzz.txt", 1000, &m, &ties, &err);
    if (rc != SS_OK && rc != SS_EINPUT) abort();
    if (m.live != 0) abort(); /* everything it allocated is freed */
    return 0;
}
