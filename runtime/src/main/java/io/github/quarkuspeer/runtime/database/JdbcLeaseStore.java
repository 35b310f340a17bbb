package io.github.quarkuspeer.runtime.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;

import io.github.quarkuspeer.runtime.database.Dialect.Param;
import io.github.quarkuspeer.runtime.database.Dialect.Sql;
import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Observation;

/**
 * The lease store of the {@code database} kind: runs a {@link Dialect}'s statements on a pooled JDBC connection.
 * <p>
 * Who leads is always read from the lease as the database holds it after the statement: returned by the statement
 * itself where the database can, otherwise read back in the same transaction. Never from an affected-row count,
 * which drivers report differently (MariaDB's counts found rows unless told otherwise).
 * <p>
 * Every statement gets a network timeout, so that a database that stops answering fails a round instead of
 * hanging it; the connection's own timeout is restored before it goes back to the pool. The acquire statement also
 * carries a server-side timeout of three quarters of it ({@link #serverTimeoutOf}), so that the server cancels a
 * statement before its client gives up: a statement abandoned by its client cannot commit long afterwards.
 * <p>
 * Nothing is sent unless the caller's {@link LeaseStore.Gate gate} is open once the connection is in hand.
 */
public final class JdbcLeaseStore implements LeaseStore {

    private static final Logger LOG = Logger.getLogger(JdbcLeaseStore.class);
    private static final Executor DIRECT = Runnable::run;
    /** As many as Quarkus' default pool holds. */
    private static final int MAX_DEAD_CONNECTIONS = 20;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String table;
    private final int networkTimeoutMillis;
    private final Duration serverTimeout;
    private final Sql acquire;
    private final Sql read;
    private final Sql release;

    /**
     * @param dataSource where the table lives
     * @param dialect the SQL of that database
     * @param table the validated table name
     * @param statementTimeout how long the client waits for one statement before the round fails
     */
    public JdbcLeaseStore(DataSource dataSource, Dialect dialect, String table, Duration statementTimeout) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.table = table;
        this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, statementTimeout.toMillis()));
        this.serverTimeout = serverTimeoutOf(Duration.ofMillis(networkTimeoutMillis));
        this.acquire = dialect.acquireOrRenew(table);
        this.read = dialect.readLease(table);
        this.release = dialect.release(table);
    }

    /**
     * The server-side bound of a statement whose client waits {@code clientTimeout}: three quarters of it, so that
     * the server has cancelled the statement, and the cancellation has had time to reach the client, before the
     * client gives up.
     */
    public static Duration serverTimeoutOf(Duration clientTimeout) {
        return clientTimeout.multipliedBy(3).dividedBy(4);
    }

    /** How long the client waits for one statement. */
    public Duration clientTimeout() {
        return Duration.ofMillis(networkTimeoutMillis);
    }

    /** Work on the schema that must succeed before the store's first statement. */
    @FunctionalInterface
    public interface SchemaWork {
        void run() throws SQLException;
    }

    private volatile SchemaWork pendingSchemaWork;
    private volatile boolean warnedOfLeak;

    public Dialect dialect() {
        return dialect;
    }

    /**
     * Runs {@code work} before the next statement, and before every one after it until it has succeeded once: the
     * schema step that could not run at start because the database was unreachable.
     */
    public void beforeFirstStatement(SchemaWork work) {
        pendingSchemaWork = work;
    }

    private void runPendingSchemaWork() throws SQLException {
        if (pendingSchemaWork != null) {
            synchronized (this) {
                SchemaWork work = pendingSchemaWork;
                if (work != null) {
                    work.run();
                    pendingSchemaWork = null;
                }
            }
        }
    }

    public String table() {
        return table;
    }

    @Override
    public Optional<Observation> acquireOrRenew(String instance, String node, String owner, Duration lease,
            boolean continueTerm, Gate gate) throws SQLException, Refused {
        try {
            return acquireOrRenew(new Values(instance, node, owner, lease.toNanos() / 1_000, continueTerm), gate);
        } catch (SQLException e) {
            dropBrokenConnections(e);
            throw e;
        }
    }

    private Optional<Observation> acquireOrRenew(Values values, Gate gate) throws SQLException, Refused {
        runPendingSchemaWork();
        try (Session session = open()) {
            Connection connection = session.connection;
            pass(gate);
            endLeakedTransaction(connection);
            if (dialect.acquireReturnsLease()) {
                Optional<Observation> held;
                try {
                    held = query(connection, acquire, values, dialect.acquireReportsWritten(),
                            dialect.warningsFailTheRound());
                    if (dialect.inTransaction(connection)) {
                        throw new LeakedTransaction();
                    }
                } catch (LeakedTransaction e) {
                    // it ran inside another's transaction and did not commit: undo it, and fail the round
                    rollback(connection);
                    throw e;
                }
                // a row returned as it stands after the statement is the caller's only if the statement wrote it
                return dialect.acquireReportsWritten() ? held : held.map(lease -> ownedBy(lease, values.owner));
            }
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                boolean lostRace = false;
                try (PreparedStatement statement = prepare(connection, acquire, values)) {
                    statement.executeUpdate();
                } catch (SQLException e) {
                    if (!lostInsertRace(e)) {
                        throw e;
                    }
                    // Another round inserted the lease first: a normal outcome. Start afresh to see who won. The
                    // winner may be an earlier statement of this very owner whose answer was lost: this one wrote
                    // nothing, so what it reads back is not a win.
                    connection.rollback();
                    lostRace = true;
                }
                Optional<Observation> held = query(connection, read, values, false);
                connection.commit();
                return lostRace ? held : held.map(lease -> ownedBy(lease, values.owner));
            } catch (SQLException e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    /**
     * Rolls back a transaction that another user of the pool left open on the connection with a plain
     * {@code BEGIN}, which the pool does not see (the connection still reports auto-commit): a statement run inside
     * it would not commit, and on PostgreSQL its "now" would be that transaction's start. Said once in the log.
     */
    private void endLeakedTransaction(Connection connection) throws SQLException {
        if (dialect.inTransaction(connection)) {
            rollback(connection);
        }
    }

    private void rollback(Connection connection) throws SQLException {
        if (!warnedOfLeak) {
            warnedOfLeak = true;
            LOG.warnf("Quarkus Peer: a connection of the pool of table %s was handed out inside a transaction that "
                    + "its last user left open; rolled it back. Close every transaction before giving a connection "
                    + "back to the pool", table);
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("ROLLBACK");
        }
    }

    /** A statement that ran inside a transaction left open on its connection: it did not commit on its own. */
    static final class LeakedTransaction extends SQLException {
        LeakedTransaction() {
            super("the statement ran inside a transaction left open on its pooled connection, and did not commit");
        }
    }

    /** Refuses the statement unless the gate is open. */
    private static void pass(Gate gate) throws Refused {
        if (!gate.open()) {
            throw new Refused();
        }
    }

    /**
     * A lease as it stands after the caller's own acquire statement (returned by it, or read back in its
     * transaction): a row of the caller's is one that statement wrote, since it always takes or renews the caller's
     * row.
     */
    private static Observation ownedBy(Observation lease, String owner) {
        return lease.owner().equals(owner)
                ? new Observation(lease.node(), lease.owner(), lease.fencingToken(), lease.remainingNanos(), true)
                : lease;
    }

    private boolean lostInsertRace(SQLException e) {
        String state = dialect.lostInsertRaceState();
        return state != null && state.equals(e.getSQLState());
    }

    @Override
    public Optional<Observation> read(String instance, Gate gate) throws SQLException, Refused {
        runPendingSchemaWork();
        try (Session session = open()) {
            pass(gate);
            endLeakedTransaction(session.connection);
            return query(session.connection, read, new Values(instance, null, null, 0, false), false);
        } catch (SQLException e) {
            dropBrokenConnections(e);
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Tried a second time if the statement fails, this time on a connection checked to answer: the release runs
     * while the application stops, when the pooled connections may all be dead although the database is there. An
     * H2 database in files, for one, is closed by H2's own exit hook while the application is still stopping, and a
     * new connection opens it again. Deleting one's own row twice is harmless.
     */
    @Override
    public boolean release(String instance, String owner) throws SQLException {
        Values values = new Values(instance, null, owner, 0, false);
        Connection lent;
        try {
            lent = dataSource.getConnection();
        } catch (SQLException unreachable) {
            dropBrokenConnections(unreachable);
            throw unreachable;
        }
        try {
            return releaseOn(session(lent), values);
        } catch (SQLException first) {
            dropBrokenConnections(first);
            try {
                return releaseOn(openAnswering(), values);
            } catch (SQLException second) {
                first.addSuppressed(second);
                throw first;
            }
        }
    }

    private boolean releaseOn(Session opened, Values values) throws SQLException {
        try (Session session = opened;
                PreparedStatement statement = prepare(session.connection, release, values)) {
            if (dialect.releaseReturnsRows()) {
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next();
                }
            }
            return statement.executeUpdate() > 0;
        }
    }

    /**
     * A pooled connection that answers {@code isValid}; the dead ones met on the way are aborted, so that the pool
     * destroys them instead of lending them again. Gives up after {@value #MAX_DEAD_CONNECTIONS} of them.
     */
    private Session openAnswering() throws SQLException {
        int seconds = Math.max(1, networkTimeoutMillis / 1_000);
        for (int dead = 0;; dead++) {
            Connection connection = dataSource.getConnection();
            if (dead >= MAX_DEAD_CONNECTIONS || connection.isValid(seconds)) {
                return session(connection);
            }
            try {
                connection.abort(DIRECT);
            } catch (SQLException e) {
                // a pool refuses to abort a connection it lent, but marks it to be destroyed on return
            } finally {
                connection.close();
            }
        }
    }

    /**
     * After a failed statement, asks the pool to drop the idle connections that no longer answer. When the database
     * has restarted, every pooled connection is dead; without this, each following round would take one, fail and
     * discard only that one, and recovery would take as many rounds as the pool has connections.
     */
    private void dropBrokenConnections(SQLException cause) {
        if (dataSource instanceof AgroalDataSource pool) {
            try {
                pool.flush(AgroalDataSource.FlushMode.INVALID);
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * Runs a statement, which may be several sent together, and reads the lease from its last result set.
     *
     * @param reportsWritten whether the answer has a {@code written} column; otherwise the lease counts as not
     *        written by the statement
     */
    private Optional<Observation> query(Connection connection, Sql sql, Values values, boolean reportsWritten)
            throws SQLException {
        return query(connection, sql, values, reportsWritten, false);
    }

    /**
     * @param warningsFail whether a warning with the answer fails the statement: the answer of a commit that was not
     *        acknowledged the way it should have been
     */
    private Optional<Observation> query(Connection connection, Sql sql, Values values, boolean reportsWritten,
            boolean warningsFail) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, values)) {
            boolean isRows = statement.execute();
            Optional<Observation> answer = Optional.empty();
            while (true) {
                if (isRows) {
                    try (ResultSet rows = statement.getResultSet()) {
                        answer = lease(rows, reportsWritten);
                    }
                } else if (statement.getUpdateCount() == -1) {
                    break;
                }
                isRows = statement.getMoreResults();
            }
            SQLWarning warning = warningsFail ? statement.getWarnings() : null;
            if (warning != null) {
                throw new SQLException("the database answered with a warning, so the lease may not be durable "
                        + "where it should be: " + warning.getMessage() + " (SQLState " + warning.getSQLState() + ")",
                        warning.getSQLState(), warning);
            }
            return answer;
        }
    }

    private static Optional<Observation> lease(ResultSet rows, boolean reportsWritten) throws SQLException {
        // a result set without the lease's columns belongs to a statement sent before the lease's own
        if (!hasColumn(rows, "remaining_micros") || !rows.next()) {
            return Optional.empty();
        }
        if (hasColumn(rows, "in_transaction") && rows.getInt("in_transaction") != 0) {
            throw new LeakedTransaction();
        }
        long remainingMicros = rows.getLong("remaining_micros");
        if (remainingMicros <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Observation(rows.getString("node"), rows.getString("owner"),
                rows.getLong("fencing_token"), TimeUnit.MICROSECONDS.toNanos(remainingMicros),
                reportsWritten && rows.getBoolean("written")));
    }

    private static boolean hasColumn(ResultSet rows, String label) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            if (label.equalsIgnoreCase(meta.getColumnLabel(i))) {
                return true;
            }
        }
        return false;
    }

    private PreparedStatement prepare(Connection connection, Sql sql, Values values) throws SQLException {
        PreparedStatement statement = dialect.prepare(connection, sql.text());
        try {
            int index = 1;
            for (Param param : sql.params()) {
                switch (param) {
                    case INSTANCE -> statement.setString(index, values.instance);
                    case NODE -> statement.setString(index, values.node);
                    case OWNER -> statement.setString(index, values.owner);
                    case LEASE_MICROS -> statement.setLong(index, values.leaseMicros);
                    case CONTINUE_TERM -> statement.setBoolean(index, values.continueTerm);
                    case CHANNEL -> statement.setString(index, Dialect.channelOf(table));
                    case SERVER_TIMEOUT_MILLIS_TEXT -> statement.setString(index,
                            Long.toString(Math.max(1, serverTimeout.toMillis())));
                    case SERVER_TIMEOUT_SECONDS -> statement.setBigDecimal(index,
                            java.math.BigDecimal.valueOf(Math.max(1, serverTimeout.toMillis()), 3));
                }
                index++;
            }
            return statement;
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
    }

    /** A pooled connection with this store's network timeout. */
    private Session open() throws SQLException {
        return session(dataSource.getConnection());
    }

    /** A connection just taken from the pool, readied for the store's statements. */
    private Session session(Connection connection) throws SQLException {
        try {
            // Every statement of a round is its own transaction unless the dialect opens one; a pool may hand out
            // connections that are not in auto-commit mode (the pool restores the mode when it takes them back).
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            int previous;
            try {
                previous = connection.getNetworkTimeout();
                connection.setNetworkTimeout(DIRECT, networkTimeoutMillis);
            } catch (SQLFeatureNotSupportedException | UnsupportedOperationException e) {
                previous = -1;
            }
            return new Session(connection, previous);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** A connection on loan, which gets its own network timeout back before it returns to the pool. */
    private record Session(Connection connection, int previousTimeout) implements AutoCloseable {
        @Override
        public void close() throws SQLException {
            try {
                if (previousTimeout >= 0 && !connection.isClosed()) {
                    connection.setNetworkTimeout(DIRECT, previousTimeout);
                }
            } catch (SQLException e) {
                // a broken connection: the pool discards it
            } finally {
                connection.close();
            }
        }
    }

    private static void rollbackQuietly(Connection connection, SQLException cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private record Values(String instance, String node, String owner, long leaseMicros, boolean continueTerm) {
    }
}
