package io.github.quarkuspeer.testing;

import java.util.function.BooleanSupplier;

/**
 * A private PostgreSQL primary with one streaming-replication standby, for tests of what a client sees through a
 * failover: the primary crashes ({@link PrivatePostgres#kill()}), the standby is promoted
 * ({@link PrivatePostgres#promote()}), and clients that use {@link #jdbcUrl()} reconnect to whichever is primary.
 * <p>
 * Both servers are {@link PrivatePostgres} instances with their settings for speed: {@code fsync=off} loses
 * nothing when a server process crashes, as the kernel still holds what it wrote, only when the machine does, which
 * no test causes; durability across a crash of the OS is not what these tests are about. Both commit with
 * {@code synchronous_commit=on}, so that in {@link Replication#SYNCHRONOUS} mode a commit returns only once the
 * standby has written its WAL. The standby is made with
 * {@code pg_basebackup -R} through a physical replication slot, so the primary keeps the WAL the standby has not yet
 * received, for as long as it is cut off.
 * <p>
 * <b>Losing a committed row, deterministically.</b> An asynchronous standby loses the commits it had not received
 * when the primary died. {@link #cutReplication()} makes that window as wide as a test needs: it empties the
 * standby's {@code primary_conninfo} (with {@code ALTER SYSTEM} and a reload, which PostgreSQL 13 and later apply to
 * the running WAL receiver) and returns once the standby's WAL receiver has exited and the primary's WAL sender is
 * gone. From then on the primary's commits exist on the primary only, as in a network partition between the two; a
 * {@link PrivatePostgres#kill()} of the primary and a {@link PrivatePostgres#promote()} of the standby lose them.
 * Two simpler ideas do not work: {@code pg_wal_replay_pause()} stops replay but not receipt, and promotion replays
 * everything received first; and a SIGSTOP of the WAL receiver leaves the primary's data in the standby's socket
 * buffer, where the receiver finds it when continued, and makes promotion wait for the stopped receiver to exit.
 *
 * <pre>{@code
 * try (PrivatePostgresPair pair = PrivatePostgresPair.start(Replication.ASYNCHRONOUS)) {
 *     // a client connects to pair.jdbcUrl(): it reaches the primary
 *     pair.cutReplication();
 *     // ... commit something on pair.primary(): the standby never receives it
 *     pair.primary().kill();
 *     pair.standby().promote();
 *     // pair.jdbcUrl() now reaches the former standby, without that commit
 * }
 * }</pre>
 */
public final class PrivatePostgresPair implements AutoCloseable {

    /** Whether a commit on the primary waits for the standby. */
    public enum Replication {
        /**
         * The standby is the primary's {@code synchronous_standby_names}: a commit returns once the standby has
         * written (flushed) its WAL, so no commit is lost when the standby is promoted. While the standby is cut off
         * or down, commits on the primary wait.
         */
        SYNCHRONOUS,
        /**
         * A commit returns once the primary has written it; the standby receives it a moment later, or, if the
         * primary dies first, never.
         */
        ASYNCHRONOUS
    }

    /** The standby's {@code cluster_name}, application name on the primary and replication slot. */
    public static final String STANDBY_NAME = "peer_standby";

    private static final int READY_TIMEOUT_SECONDS = 30;

    private final PrivatePostgres primary;
    private final PrivatePostgres standby;
    private final Replication replication;
    private String standbyConnInfo;

    private PrivatePostgresPair(PrivatePostgres primary, PrivatePostgres standby, Replication replication) {
        this.primary = primary;
        this.standby = standby;
        this.replication = replication;
    }

    /**
     * Starts a primary and a standby of it, and returns once the standby streams from the primary (and, for
     * {@link Replication#SYNCHRONOUS}, once the primary counts it as its synchronous standby).
     *
     * @throws IllegalStateException if a server does not start or replication does not begin (the message holds the
     *                               tail of that server's log)
     */
    public static PrivatePostgresPair start(Replication replication) {
        PrivatePostgres primary = PrivatePostgres.start();
        PrivatePostgres standby = null;
        try {
            standby = PrivatePostgres.startStandbyOf(primary, STANDBY_NAME);
            PrivatePostgresPair pair = new PrivatePostgresPair(primary, standby, replication);
            if (replication == Replication.SYNCHRONOUS) {
                // After the base backup: a promoted standby that inherited it would wait for a standby of its own.
                primary.execute("alter system set synchronous_standby_names = '" + STANDBY_NAME + "'");
                primary.execute("select pg_reload_conf()");
            }
            pair.awaitStreaming();
            return pair;
        } catch (RuntimeException e) {
            if (standby != null) {
                standby.close();
            }
            primary.close();
            throw e;
        }
    }

    /** The server started as the primary; after a failover, the one that used to be. */
    public PrivatePostgres primary() {
        return primary;
    }

    /** The server started as the standby; after {@link PrivatePostgres#promote()}, the primary. */
    public PrivatePostgres standby() {
        return standby;
    }

    public Replication replication() {
        return replication;
    }

    /**
     * The multi-host JDBC URL of both servers, primary first, with {@code targetServerType=primary}: pgjdbc tries
     * them in order and keeps the first that accepts writes, so a client that reconnects after a failover reaches the
     * promoted standby. Add parameters with {@code &}.
     */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + primary.port() + ",127.0.0.1:" + standby.port()
                + "/postgres?targetServerType=primary";
    }

    /**
     * Cuts the standby off from the primary, as a network partition would, and returns once neither side has a
     * replication connection: from then on commits on the primary do not reach the standby (in
     * {@link Replication#SYNCHRONOUS} mode they wait). See the class documentation for why this way.
     */
    public synchronized void cutReplication() {
        if (standbyConnInfo == null) {
            standbyConnInfo = standby.queryString("show primary_conninfo");
        }
        standby.execute("alter system set primary_conninfo = ''");
        standby.execute("select pg_reload_conf()");
        await(standby, "the standby's WAL receiver to exit", () -> !standby.queryBoolean(
                "select exists (select 1 from pg_stat_wal_receiver)"));
        await(primary, "the primary's WAL sender to go", () -> !primary.queryBoolean(
                "select exists (select 1 from pg_stat_replication)"));
    }

    /** Undoes {@link #cutReplication()}: returns once the standby streams again and has caught up. */
    public synchronized void resumeReplication() {
        if (standbyConnInfo == null) {
            return;
        }
        standby.execute("alter system set primary_conninfo = '" + standbyConnInfo.replace("'", "''") + "'");
        standby.execute("select pg_reload_conf()");
        awaitStreaming();
        awaitStandbyReplayed();
    }

    /**
     * Returns once the standby has replayed all the WAL the primary has written so far, so that a commit made
     * before this call is visible in a query on the standby.
     */
    public void awaitStandbyReplayed() {
        String target = primary.queryString("select pg_current_wal_lsn()");
        await(standby, "the standby to replay up to " + target, () -> standby.queryBoolean(
                "select pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn"));
    }

    /** Closes both servers; safe to call twice. */
    @Override
    public void close() {
        try {
            standby.close();
        } finally {
            primary.close();
        }
    }

    @Override
    public String toString() {
        return "PrivatePostgresPair[" + replication + ", primary=" + primary + ", standby=" + standby + "]";
    }

    private void awaitStreaming() {
        String expected = replication == Replication.SYNCHRONOUS ? "sync" : "async";
        await(primary, "the standby to stream with sync_state '" + expected + "'", () -> primary.queryBoolean(
                "select exists (select 1 from pg_stat_replication where application_name = '" + STANDBY_NAME
                        + "' and state = 'streaming' and sync_state = '" + expected + "')"));
    }

    private static void await(PrivatePostgres server, String what, BooleanSupplier condition) {
        if (!ProcessSupport.awaitCondition(condition, READY_TIMEOUT_SECONDS, 20)) {
            throw server.failure("waited " + READY_TIMEOUT_SECONDS + " s in vain for " + what, null);
        }
    }
}
