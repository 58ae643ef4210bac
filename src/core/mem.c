/*
 * mem.c - the allocation hook (see mem.h). Each block carries a small header
 * with its size so that live and peak bytes are exact. Also the
 * process-wide fault switch (SCORESIM_FAIL_ALLOC), and its public report,
 * ss_alloc_counts.
 */
#include "core/mem.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scoresim.h"

/* Keeps the payload aligned for any type, SIMD loads included. */
#define HDR 64

/* ---- the process-wide fault switch (mem.h says why it is global) ------ */

static pthread_once_t fault_once = PTHREAD_ONCE_INIT;
static int fault_armed, fault_kind = -1; /* written once, under fault_once */
static long fault_at;
static atomic_long fault_count[2], fault_any, fault_failed;

int mem_fault_parse(const char *spec, int *kind, long *at)
{
    *kind = -1;
    if (!strncmp(spec, "lib:", 4))
        *kind = MEM_LIB, spec += 4;
    else if (!strncmp(spec, "sqlite:", 7))
        *kind = MEM_SQLITE, spec += 7;
    if (*spec < '0' || *spec > '9') return -1;
    char *end;
    errno = 0;
    long v = strtol(spec, &end, 10);
    if (errno || *end) return -1;
    *at = v;
    return 0;
}

/* Read the switch, then hand the children's spec on in its place (mem.h),
 * and no further: a run's own children, if it ever has any, see neither. */
static void fault_read(void)
{
    const char *spec = getenv("SCORESIM_FAIL_ALLOC");
    if (spec) {
        fault_armed = mem_fault_parse(spec, &fault_kind, &fault_at) == 0 ? 1 : -1;
        if (fault_armed < 0) fault_at = 0;
    }
    const char *children = getenv("SCORESIM_FAIL_ALLOC_CHILDREN");
    if (children) {
        setenv("SCORESIM_FAIL_ALLOC", children, 1);
        unsetenv("SCORESIM_FAIL_ALLOC_CHILDREN");
    } else if (spec) {
        unsetenv("SCORESIM_FAIL_ALLOC");
    }
}

int mem_fault_hit(enum mem_kind k)
{
    pthread_once(&fault_once, fault_read);
    long own = atomic_fetch_add(&fault_count[k], 1) + 1;
    long any = atomic_fetch_add(&fault_any, 1) + 1;
    if (fault_armed <= 0 || fault_at <= 0) return 0;
    long n = fault_kind < 0 ? any : fault_kind == (int)k ? own : 0;
    if (n != fault_at) return 0;
    atomic_store(&fault_failed, 1);
    return 1;
}

void mem_fault_state(struct mem_fault_state *out)
{
    pthread_once(&fault_once, fault_read);
    out->armed = fault_armed;
    out->kind = fault_kind;
    out->at = fault_at;
    out->lib = atomic_load(&fault_count[MEM_LIB]);
    out->sqlite = atomic_load(&fault_count[MEM_SQLITE]);
    out->failed = atomic_load(&fault_failed);
}

void ss_alloc_counts(struct ss_alloc_counts *out)
{
    struct mem_fault_state st;
    mem_fault_state(&st);
    *out = (struct ss_alloc_counts){
        .armed = st.armed, .library = st.lib, .sqlite = st.sqlite, .failed = (int)st.failed};
}

/* ---- the hook ---------------------------------------------------------- */

static int mem_should_fail(struct mem *m)
{
    m->count++;
    int global = mem_fault_hit(MEM_LIB);
    return global || (m->fail_at > 0 && m->count == m->fail_at);
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
        mem_should_fail(m); /* counted like any other attempt */
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
