package io.github.quarkuspeer.runtime;

import java.util.concurrent.TimeUnit;

import io.github.quarkuspeer.runtime.election.Election;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Runs an election on Quarkus' Vert.x: one-off wake-ups are Vert.x timers, rounds run on the worker pool through
 * the election's own context.
 */
public final class VertxScheduling implements Election.Scheduling {

    private final Vertx vertx;
    private final Context context;

    public VertxScheduling(Vertx vertx, Context context) {
        this.vertx = vertx;
        this.context = context;
    }

    @Override
    public long setTimer(long delayNanos, Runnable task) {
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos + 999_999));
        return vertx.setTimer(millis, id -> task.run());
    }

    @Override
    public void cancelTimer(long handle) {
        vertx.cancelTimer(handle);
    }

    @Override
    public void runBlocking(Runnable task) {
        context.executeBlocking(() -> {
            task.run();
            return null;
        }, false);
    }
}
