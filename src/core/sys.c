/*
 * sys.c - clock and memory figures from the operating system, and the
 * tests' kill points (see sys.h).
 */
#include "core/sys.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

void sys_test_point(const char *at)
{
    const char *v = getenv("SCORESIM_TEST_KILL_AT");
    if (v && !strcmp(v, at)) raise(SIGKILL);
    v = getenv("SCORESIM_TEST_HANG_AT");
    if (v && !strcmp(v, at))
        for (;;) pause();
}

double sys_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

size_t sys_peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (size_t)ru.ru_maxrss * 1024u; /* Linux reports KiB */
}

size_t sys_available_bytes(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        static const char key[] = "MemAvailable:";
        char line[256];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, key, sizeof key - 1) != 0) continue;
            const char *num = line + sizeof key - 1;
            while (*num == ' ' || *num == '\t') num++;
            if (*num < '0' || *num > '9') continue; /* strtoull would take a sign */
            char *end;
            errno = 0;
            unsigned long long kb = strtoull(num, &end, 10);
            if (errno == ERANGE || strncmp(end, " kB", 3) != 0) continue;
            fclose(f);
            return kb > SIZE_MAX / 1024u ? SIZE_MAX : (size_t)kb * 1024u;
        }
        fclose(f);
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (size_t)pages * (size_t)page : SIZE_MAX;
}
