/*
 * Preloaded (LD_PRELOAD) into every node a cluster starts: a thread that kills the node as soon as the process that
 * started it is gone. The harness stops its nodes itself, on success, on failure and from a shutdown hook; this
 * covers what none of those can, a harness killed with SIGKILL, so that no node outlives it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

static pid_t parent;

static void *watch(void *unused) {
    (void) unused;
    while (getppid() == parent) {
        sleep(1);
    }
    kill(getpid(), SIGKILL);
    return NULL;
}

__attribute__((constructor)) static void init(void) {
    parent = getppid();
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_create(&thread, &attributes, watch, NULL);
    pthread_attr_destroy(&attributes);
}
