/*
 * mem.h - the allocation hook. Every allocation in the library goes through
 * one struct mem, so a test can make the Nth allocation fail and prove that
 * out-of-memory is reported, not crashed on. Allocation happens up front,
 * from serial code only: the hook is not thread-safe and need not be.
 */
#ifndef MEM_H
#define MEM_H

#include <stddef.h>

struct mem {
    long fail_at; /* fail the allocation with this 1-based number; 0 never */
    long count;   /* allocations made so far */
    size_t live;  /* bytes currently allocated through this hook */
    size_t peak;  /* most bytes ever live at once */
};

/* Each returns NULL when the allocation fails (or is made to fail); size 0
 * is allowed and returns a valid pointer to free. mem_calloc and
 * mem_alloc_array check count * size for overflow. */
void *mem_alloc(struct mem *m, size_t size);
void *mem_calloc(struct mem *m, size_t count, size_t size);
void *mem_alloc_array(struct mem *m, size_t count, size_t size);
void *mem_realloc(struct mem *m, void *p, size_t size);
/* Accepts NULL. */
void mem_free(struct mem *m, void *p);
/* strdup through the hook. */
char *mem_strdup(struct mem *m, const char *s);

#endif
