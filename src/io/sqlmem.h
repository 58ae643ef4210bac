/*
 * sqlmem.h - SQLite's allocations through the allocation switch. SQLite's
 * allocator is one per process, set before SQLite starts; every database
 * the library opens is opened here, so that the first open installs it.
 */
#ifndef SQLMEM_H
#define SQLMEM_H

struct sqlite3;

/* sqlite3_open_v2(path, db, flags, NULL), after installing (once per
 * process) SQLite's allocator: malloc behind a size header, each
 * allocation counted by mem_fault_hit(MEM_SQLITE), so that the fault
 * switch of core/mem.h reaches SQLite. Returns SQLite's status, as
 * sqlite3_open_v2 does (*db may be set even on failure: close it). */
int sqlmem_open(const char *path, struct sqlite3 **db, int flags);

/* Whether db's last failure was out of memory (also when db is NULL: SQLite
 * could not allocate the connection), so that the caller reports SS_ENOMEM,
 * "out of memory while ...", and not a bad or unwritable file. */
int sqlmem_nomem(struct sqlite3 *db);

/* Whether SQLite allocates through the switch in this process: 0 when
 * something used SQLite before the first sqlmem_open (a test that opens a
 * database directly), so that its own allocator was already fixed. */
int sqlmem_installed(void);

#endif
