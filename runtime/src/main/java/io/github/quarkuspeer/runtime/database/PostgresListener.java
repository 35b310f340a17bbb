package io.github.quarkuspeer.runtime.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Listens on a table's channel for released leases ({@code LISTEN}), on one connection per node and table, and
 * hands each released instance name to the elections.
 * <p>
 * The loop runs on an executor of its own because it blocks for as long as the application lives. When the
 * connection breaks it reconnects with backoff, then calls {@code onReconnect} so that the elections check at once
 * for releases they may have missed.
 */
public final class PostgresListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PostgresListener.class);
    private static final int POLL_MILLIS = 250;
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final DataSource dataSource;
    private final String channel;
    private final Consumer<String> onRelease;
    private final Runnable onReconnect;
    private final Object sleep = new Object();
    private volatile boolean closed;
    private volatile boolean listening;
    private final CountDownLatch finished = new CountDownLatch(1);

    public PostgresListener(DataSource dataSource, String channel, Consumer<String> onRelease, Runnable onReconnect) {
        this.dataSource = dataSource;
        this.channel = channel;
        this.onRelease = onRelease;
        this.onReconnect = onReconnect;
    }

    /** Starts listening on {@code executor}, which the loop occupies until {@link #close()}. */
    public void start(Executor executor) {
        executor.execute(() -> {
            try {
                loop();
            } finally {
                finished.countDown();
            }
        });
    }

    /** Whether a connection is listening now. */
    public boolean listening() {
        return listening;
    }

    private void loop() {
        long backoff = 1_000;
        boolean reconnecting = false;
        while (!closed) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + channel);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                listening = true;
                backoff = 1_000;
                if (reconnecting) {
                    LOG.debugf("Quarkus Peer: listening on channel %s again", channel);
                    onReconnect.run();
                    reconnecting = false;
                }
                while (!closed) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            onRelease.accept(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (closed) {
                    break;
                }
                LOG.debugf("Quarkus Peer: listening on channel %s failed (%s); retrying in %d ms", channel,
                        e.getMessage(), backoff);
                reconnecting = true;
                pause(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
        listening = false;
    }

    private void pause(long millis) {
        synchronized (sleep) {
            if (!closed) {
                try {
                    sleep.wait(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed = true;
                }
            }
        }
    }

    /**
     * Stops the loop and waits (within one poll) until it has given its connection back, so that the pool never
     * closes a connection under it.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (sleep) {
            sleep.notifyAll();
        }
        try {
            finished.await(4 * POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
