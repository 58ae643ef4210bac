/*
 * mem.h - the allocation hook. Every allocation in the library goes through
 * one struct mem, so a test can make the Nth allocation fail and prove that
 * out-of-memory is reported, not crashed on. Allocation happens up front,
 * from serial code only: the hook is not thread-safe and need not be.
 *
 * SQLite allocates through the same switch (io/sqlmem.c), libyaml does not
 * (it has no allocator hook; its failures are reported as YAML_MEMORY_ERROR,
 * which scenario reading turns into SS_ENOMEM).
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

/*
 * The process-wide fault switch: the one piece of global mutable state in
 * the library, and a test switch only. A struct mem's fail_at reaches one
 * hook; a command builds many (scenario, plan, world, output buffers) and
 * SQLite allocates through none of them, so failing "the Nth allocation of
 * the command" needs one counter that all of them share. It is armed by
 * the environment, read once at the first allocation:
 *
 *   SCORESIM_FAIL_ALLOC=SPEC           this process fails one allocation
 *   SCORESIM_FAIL_ALLOC_CHILDREN=SPEC  the runs a sweep starts do (each its own)
 *
 * SPEC is N (the Nth allocation of either kind), lib:N (the Nth of the
 * library's own, through a struct mem) or sqlite:N (the Nth of SQLite's,
 * through io/sqlmem.c); N is 1-based, 0 counts and fails nothing. Only that
 * one allocation fails: the ones after it succeed, as when memory comes
 * back. On reading, SCORESIM_FAIL_ALLOC is replaced in the environment by
 * the value of SCORESIM_FAIL_ALLOC_CHILDREN (removed when that is unset),
 * and SCORESIM_FAIL_ALLOC_CHILDREN is removed, so child processes see only
 * what is meant for them (setenv: the first allocation comes from the
 * command's one thread, before any other starts). The counters are
 * atomic: SQLite may allocate from any thread.
 */
enum mem_kind { MEM_LIB, MEM_SQLITE };

/* Count one allocation of kind k; 1 if the switch says it is to fail. */
int mem_fault_hit(enum mem_kind k);

/* What the switch saw in this process (ss_alloc_counts in scoresim.h is
 * the public face of it). */
struct mem_fault_state {
    int armed;   /* 1 armed, 0 not, -1 SCORESIM_FAIL_ALLOC not understood */
    int kind;    /* -1 either, else an enum mem_kind: what N counts */
    long at;     /* N of the spec (0: fail none) */
    long lib;    /* the library's allocations so far */
    long sqlite; /* SQLite's allocations so far */
    long failed; /* 1 once the allocation N has been made to fail */
};
void mem_fault_state(struct mem_fault_state *out);

/* Parse SPEC (above) into *kind (-1, MEM_LIB or MEM_SQLITE) and *at;
 * -1 if it is not a SPEC. */
int mem_fault_parse(const char *spec, int *kind, long *at);

#endif
