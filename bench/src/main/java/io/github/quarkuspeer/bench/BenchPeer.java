package io.github.quarkuspeer.bench;

/**
 * One node's peer of one instance as the benchmarks drive it, whichever schedule it follows: the extension's
 * {@link io.github.quarkuspeer.runtime.election.Election}, or the Oban-schedule baseline. Both run on the same lease
 * store, timers and worker threads, so that a benchmark measures them the same way.
 */
public interface BenchPeer {

    String instance();

    String node();

    /** Runs the first round and returns when it has ended, won or not. */
    void start();

    boolean isLeader();

    /**
     * When this peer last began to lead, by {@link System#nanoTime()} taken as the change was published, or 0 if it
     * never led.
     */
    long electedAt();

    /** Hears that another node released the lease of this instance (a PostgreSQL notification). */
    void released();

    /** Gives leadership up as on shutdown: deletes its lease, which notifies the others, and runs no more rounds. */
    void release();
}
