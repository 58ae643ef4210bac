/*
 * mem.c - the allocation hook (see mem.h). Each block carries a small header
 * with its size so that live and peak bytes are exact.
 */
#include "core/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Keeps the payload aligned for any type, SIMD loads included. */
#define HDR 64

static int mem_should_fail(struct mem *m)
{
    m->count++;
    return m->fail_at > 0 && m->count == m->fail_at;
}

static void *mem_track(struct mem *m, unsigned char *raw, size_t size)
{
    if (!raw) return NULL;
    memcpy(raw, &size, sizeof size);
    m->live += size;
    if (m->live > m->peak) m->peak = m->live;
    return raw + HDR;
}

void *mem_alloc(struct mem *m, size_t size)
{
    if (mem_should_fail(m) || size > SIZE_MAX - 2 * HDR) return NULL;
    /* At least one byte past the header: the pointer returned for size 0
     * must point into its block, or a leak checker that sees only that
     * pointer takes the block for lost (LeakSanitizer under libFuzzer did). */
    size_t block = (size + !size + HDR + HDR - 1) / HDR * HDR;
    return mem_track(m, aligned_alloc(HDR, block), size);
}

void *mem_alloc_array(struct mem *m, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) {
        m->count++;
        return NULL;
    }
    return mem_alloc(m, count * size);
}

void *mem_calloc(struct mem *m, size_t count, size_t size)
{
    void *p = mem_alloc_array(m, count, size);
    if (p) memset(p, 0, count * size);
    return p;
}

void *mem_realloc(struct mem *m, void *p, size_t size)
{
    if (!p) return mem_alloc(m, size);
    unsigned char *raw = (unsigned char *)p - HDR;
    size_t old;
    memcpy(&old, raw, sizeof old);
    void *q = mem_alloc(m, size);
    if (!q) return NULL;
    memcpy(q, p, old < size ? old : size);
    mem_free(m, p);
    return q;
}

void mem_free(struct mem *m, void *p)
{
    if (!p) return;
    unsigned char *raw = (unsigned char *)p - HDR;
    size_t size;
    memcpy(&size, raw, sizeof size);
    m->live -= size;
    free(raw);
}

char *mem_strdup(struct mem *m, const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = mem_alloc(m, n);
    if (d) memcpy(d, s, n);
    return d;
}
