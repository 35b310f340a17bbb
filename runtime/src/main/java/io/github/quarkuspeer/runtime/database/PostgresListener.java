package io.github.quarkuspeer.runtime.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
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
 * The listening connection comes from a datasource of its own when one is given: {@code LISTEN} needs a session that
 * stays on one server connection, which a pooler in transaction mode (PgBouncer's {@code pool_mode=transaction})
 * does not give, while the releases and the probes go through the lease datasource, pooler or not, since
 * {@code NOTIFY} is an ordinary transactional statement.
 * <p>
 * A listening connection can also fail without a sound: a NAT or load balancer drops an idle connection, a virtual
 * IP moves, a pooler in transaction mode runs {@code LISTEN} on a server connection that is not this one. So the loop
 * probes the whole path at a regular interval: it sends {@code NOTIFY} on a channel of its own through the lease
 * datasource, as a releasing node would, and expects to hear it on the listening connection. A probe that goes
 * unheard within its timeout, like any failure, closes the connection and opens another, with backoff. The first time
 * notifications are found not to arrive it says so in one warning, with the likely causes, and once more, at info
 * level, when they arrive again; until then releases are found on the followers' own schedule. After a reconnection
 * it calls {@code onReconnect}, so that the elections check at once for releases they may have missed: as soon as it
 * listens again, or, while notifications were not arriving, once a probe is heard.
 * <p>
 * Every statement on the listening connection has a network timeout; before the connection goes back to the pool it
 * is given {@code UNLISTEN *}, or aborted if that fails, so that no other user of the pool inherits the
 * registration. The loop runs on an executor of its own because it blocks for as long as the application lives.
 */
public final class PostgresListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PostgresListener.class);
    private static final int POLL_MILLIS = 250;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final Executor DIRECT = Runnable::run;

    private final DataSource listenOn;
    private final String listenName;
    private final DataSource notifyThrough;
    private final String channel;
    private final String probeChannel;
    private final Duration probeEvery;
    private final Duration timeout;
    private final Consumer<String> onRelease;
    private final Runnable onReconnect;
    private final Object sleep = new Object();
    private volatile boolean closed;
    private volatile boolean listening;
    private volatile long probesHeard;
    private volatile long probesUnheard;
    private boolean warned;
    private long backoff = 1_000;
    private final CountDownLatch finished = new CountDownLatch(1);

    /**
     * A listener whose listening connection and probes both come from {@code dataSource}.
     *
     * @see #PostgresListener(DataSource, String, DataSource, String, Duration, Duration, Consumer, Runnable)
     */
    public PostgresListener(DataSource dataSource, String channel, Duration probeEvery, Duration timeout,
            Consumer<String> onRelease, Runnable onReconnect) {
        this(dataSource, "", dataSource, channel, probeEvery, timeout, onRelease, onReconnect);
    }

    /**
     * @param listenOn the pool that lends the listening connection
     * @param listenName the name of that datasource, for the log
     * @param notifyThrough the pool that the releases go through, which sends the probes
     * @param channel the table's channel, on which releases are notified
     * @param probeEvery how often to probe the listening connection
     * @param timeout how long a probe, a connection or a statement on the listening connection may take
     * @param onRelease receives the name of each released instance
     * @param onReconnect runs after a new listening connection replaced a broken one, or, if notifications were found
     *        not to arrive, once they arrive again
     */
    public PostgresListener(DataSource listenOn, String listenName, DataSource notifyThrough, String channel,
            Duration probeEvery, Duration timeout, Consumer<String> onRelease, Runnable onReconnect) {
        this.listenOn = listenOn;
        this.listenName = listenName;
        this.notifyThrough = notifyThrough;
        this.channel = channel;
        // a channel of this listener's own: its probes wake no other node
        this.probeChannel = (channel + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
        this.probeEvery = probeEvery;
        this.timeout = timeout;
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

    /** How many probes were heard back so far: proof that notifications arrive. */
    public long probesHeard() {
        return probesHeard;
    }

    /** How many probes went unheard so far: each time, notifications were found not to arrive. */
    public long probesUnheard() {
        return probesUnheard;
    }

    private void loop() {
        boolean reconnecting = false;
        while (!closed) {
            Connection connection = null;
            int previousTimeout = 0;
            try {
                connection = listenOn.getConnection();
                previousTimeout = connection.getNetworkTimeout();
                connection.setNetworkTimeout(DIRECT, timeoutMillis());
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + channel);
                    statement.execute("LISTEN " + probeChannel);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                listening = true;
                if (reconnecting) {
                    LOG.debugf("Quarkus Peer: listening on channel %s again", channel);
                    reconnecting = false;
                    if (!warned) {
                        onReconnect.run();
                    }
                }
                listen(pg);
            } catch (SQLException | RuntimeException e) {
                listening = false;
                if (closed) {
                    break;
                }
                if (e instanceof Unheard && !warned) {
                    warned = true;
                    LOG.warnf("Quarkus Peer: notifications on channel %s do not arrive on the listening connection%s "
                            + "(%s): a pooler in transaction mode between this node and PostgreSQL (such as PgBouncer "
                            + "with pool_mode=transaction) cannot carry LISTEN, so give the peer a direct connection "
                            + "with quarkus.peer.notify-datasource; otherwise something drops idle connections (a NAT, "
                            + "a firewall, a proxy). Until they arrive, a released lease is found at the followers' "
                            + "next check, about half a lease later on average, instead of at once", channel,
                            listenName.isEmpty() ? "" : " of datasource " + listenName, e.getMessage());
                } else if (!(e instanceof Unheard)) {
                    LOG.debugf("Quarkus Peer: listening on channel %s failed (%s); retrying in %d ms", channel,
                            e.getMessage(), backoff);
                }
                reconnecting = true;
            } finally {
                giveBack(connection, previousTimeout);
            }
            if (!closed && reconnecting) {
                pause(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
        listening = false;
    }

    /** Hears notifications until closed, probing the path at every {@link #probeEvery}. */
    private void listen(PGConnection pg) throws SQLException {
        long probeSentAt = 0;
        boolean awaitingProbe = false;
        long nextProbe = System.nanoTime();
        while (!closed) {
            long now = System.nanoTime();
            if (!awaitingProbe && now - nextProbe >= 0) {
                probe();
                probeSentAt = now;
                awaitingProbe = true;
            }
            if (awaitingProbe && now - probeSentAt > timeout.toNanos()) {
                probesUnheard++;
                throw new Unheard("a probe sent " + timeout.toMillis() + " ms before was not heard");
            }
            PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
            if (notifications == null) {
                continue;
            }
            for (PGNotification notification : notifications) {
                if (probeChannel.equals(notification.getName())) {
                    if (awaitingProbe) {
                        awaitingProbe = false;
                        nextProbe = System.nanoTime() + probeEvery.toNanos();
                        probesHeard++;
                        heard();
                    }
                } else {
                    LOG.debugf("Quarkus Peer: heard the release of instance %s on channel %s",
                            notification.getParameter(), channel);
                    onRelease.accept(notification.getParameter());
                }
            }
        }
    }

    /** A probe was heard: notifications work, and releases missed while they did not are looked for now. */
    private void heard() {
        backoff = 1_000;
        if (warned) {
            warned = false;
            LOG.infof("Quarkus Peer: notifications on channel %s arrive again", channel);
            onReconnect.run();
        }
    }

    /** Sends a probe through the lease datasource, as a releasing node sends its notification. */
    private void probe() throws SQLException {
        try (Connection connection = notifyThrough.getConnection()) {
            int previous = connection.getNetworkTimeout();
            connection.setNetworkTimeout(DIRECT, timeoutMillis());
            try (PreparedStatement statement = PostgresDriver.unnamed(
                    connection.prepareStatement("SELECT pg_notify(?, '')"))) {
                statement.setString(1, probeChannel);
                statement.execute();
            } finally {
                connection.setNetworkTimeout(DIRECT, previous);
            }
        }
    }

    /** Unregisters the connection before the pool lends it to anyone else; a connection that cannot is aborted. */
    private void giveBack(Connection connection, int previousTimeout) {
        if (connection == null) {
            return;
        }
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute("UNLISTEN *");
            }
            connection.setNetworkTimeout(DIRECT, previousTimeout);
        } catch (SQLException | RuntimeException e) {
            try {
                connection.abort(DIRECT);
            } catch (SQLException | RuntimeException ignored) {
                // a pool refuses to abort a connection it lent, but marks it to be destroyed on return
            }
        } finally {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken: the pool discards it
            }
        }
    }

    private int timeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
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
     * Stops the loop and waits, at most one poll plus one statement timeout, until it has given its connection
     * back, so that the pool never closes a connection under it.
     */
    @Override
    public void close() {
        closed = true;
        synchronized (sleep) {
            sleep.notifyAll();
        }
        try {
            finished.await(2L * POLL_MILLIS + 2 * timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Notifications do not arrive on the listening connection. */
    private static final class Unheard extends SQLException {
        Unheard(String message) {
            super(message);
        }
    }
}
