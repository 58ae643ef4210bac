/*
 * sqlmem.c - SQLite's allocator (see sqlmem.h): plain malloc with a 16-byte
 * header holding the size (SQLite asks any allocation's size back), each
 * allocation first offered to the fault switch (core/mem.h).
 *
 * SQLite's bytes do not count toward any struct mem's live and peak: the
 * allocator is process-wide and a struct mem belongs to one object. They
 * are in the process's peak resident memory (the run table's
 * peak_memory_bytes), and SQLite keeps its own count
 * (sqlite3_memory_highwater); a connection's page cache is bounded by
 * SQLite's cache_size (2 MB by default).
 */
#include "io/sqlmem.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* malloc's alignment, at least the 8 bytes SQLite needs. */
#define SQ_HDR 16

static void *sq_malloc(int n)
{
    if (n <= 0 || mem_fault_hit(MEM_SQLITE)) return NULL;
    unsigned char *raw = malloc((size_t)n + SQ_HDR);
    if (!raw) return NULL;
    memcpy(raw, &n, sizeof n);
    return raw + SQ_HDR;
}

static void sq_free(void *p)
{
    if (p) free((unsigned char *)p - SQ_HDR);
}

static void *sq_realloc(void *p, int n)
{
    if (!p) return sq_malloc(n);
    if (n <= 0 || mem_fault_hit(MEM_SQLITE)) return NULL; /* p stays valid */
    unsigned char *raw = realloc((unsigned char *)p - SQ_HDR, (size_t)n + SQ_HDR);
    if (!raw) return NULL;
    memcpy(raw, &n, sizeof n);
    return raw + SQ_HDR;
}

static int sq_size(void *p)
{
    int n = 0;
    if (p) memcpy(&n, (unsigned char *)p - SQ_HDR, sizeof n);
    return n;
}

/* SQLite fails an allocation whose rounded size is 0. */
static int sq_roundup(int n)
{
    return n > 0 && n <= 0x7ffffff0 ? (n + 7) & ~7 : 0;
}

static int sq_init(void *ud)
{
    (void)ud;
    return SQLITE_OK;
}

static void sq_shutdown(void *ud)
{
    (void)ud;
}

static pthread_once_t sq_once = PTHREAD_ONCE_INIT;
static int sq_installed; /* written once, under sq_once */

static void sq_install(void)
{
    static const sqlite3_mem_methods methods = {sq_malloc,  sq_free, sq_realloc,  sq_size,
                                                sq_roundup, sq_init, sq_shutdown, NULL};
    /* SQLITE_MISUSE when SQLite has already started: it keeps its own. */
    sq_installed = sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) == SQLITE_OK;
}

int sqlmem_open(const char *path, sqlite3 **db, int flags)
{
    pthread_once(&sq_once, sq_install);
    return sqlite3_open_v2(path, db, flags, NULL);
}

int sqlmem_nomem(sqlite3 *db)
{
    return !db || sqlite3_errcode(db) == SQLITE_NOMEM;
}

int sqlmem_installed(void)
{
    pthread_once(&sq_once, sq_install);
    return sq_installed;
}
