/*
 * sys.h - what the machine and the process tell a run about themselves:
 * a monotonic clock, the process's peak memory, the memory available.
 */
#ifndef SYS_H
#define SYS_H

#include <stddef.h>

/* Monotonic seconds (for durations, not dates). */
double sys_now(void);
/* Peak resident memory of this process so far, in bytes (0 if unknown). */
size_t sys_peak_rss(void);
/* Memory a run may use: MemAvailable, which counts reclaimable cache
 * (what a user can actually get), else physical memory. */
size_t sys_available_bytes(void);
/* The tests' stopping points, so that a test can stop a command at an
 * exact moment (between two files, in the middle of the report) rather
 * than at a random one: SIGKILL this process if $SCORESIM_TEST_KILL_AT is
 * `at`; wait here for signals, for ever, if $SCORESIM_TEST_HANG_AT is (a
 * command busy where it checks for no interruption). */
void sys_test_point(const char *at);

#endif
