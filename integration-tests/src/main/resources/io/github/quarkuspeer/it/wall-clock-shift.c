/*
 * Preloaded (LD_PRELOAD) into a node that must run with a wrong wall clock: every reading of the wall clock
 * (CLOCK_REALTIME and its variants, gettimeofday, time) is moved by PEER_WALL_CLOCK_SHIFT_MS milliseconds, while
 * the monotonic clocks, which System.nanoTime reads, are left alone. The JVM reads both through these functions of
 * the C library, so System.currentTimeMillis and Instant.now see the shifted time.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long long shift_nanos;
static int (*real_clock_gettime)(clockid_t, struct timespec *);

static void load(void) {
    if (real_clock_gettime == NULL) {
        const char *shift = getenv("PEER_WALL_CLOCK_SHIFT_MS");
        shift_nanos = shift == NULL ? 0 : strtoll(shift, NULL, 10) * 1000000LL;
        real_clock_gettime = (int (*)(clockid_t, struct timespec *)) dlsym(RTLD_NEXT, "clock_gettime");
    }
}

__attribute__((constructor)) static void init(void) {
    load();
}

static int is_wall_clock(clockid_t clock) {
    return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE || clock == CLOCK_TAI;
}

static void shift(struct timespec *time) {
    long long nanos = (long long) time->tv_sec * 1000000000LL + time->tv_nsec + shift_nanos;
    long long seconds = nanos / 1000000000LL;
    long long rest = nanos % 1000000000LL;
    if (rest < 0) {
        rest += 1000000000LL;
        seconds--;
    }
    time->tv_sec = (time_t) seconds;
    time->tv_nsec = (long) rest;
}

int clock_gettime(clockid_t clock, struct timespec *time) {
    load();
    int result = real_clock_gettime(clock, time);
    if (result == 0 && is_wall_clock(clock)) {
        shift(time);
    }
    return result;
}

int gettimeofday(struct timeval *restrict time, void *restrict zone) {
    (void) zone;
    struct timespec now;
    int result = clock_gettime(CLOCK_REALTIME, &now);
    if (result == 0) {
        time->tv_sec = now.tv_sec;
        time->tv_usec = now.tv_nsec / 1000;
    }
    return result;
}

time_t time(time_t *result) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (result != NULL) {
        *result = now.tv_sec;
    }
    return now.tv_sec;
}
