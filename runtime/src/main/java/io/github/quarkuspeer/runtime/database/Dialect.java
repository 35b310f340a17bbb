package io.github.quarkuspeer.runtime.database;

import java.util.List;
import java.util.Locale;

import io.quarkus.datasource.common.runtime.DatabaseKind;

/**
 * The SQL of one database, and nothing else: {@link JdbcLeaseStore} runs it.
 * <p>
 * Each statement names its bind parameters with {@link Param}, in order, so that every value reaches the database
 * as a parameter. Result columns are read by label: {@code node}, {@code owner}, {@code fencing_token} and
 * {@code remaining_micros} (how long the lease has left by the database clock), and where
 * {@link #acquireReportsWritten()}, {@code written}, and optionally {@code in_transaction} (non-zero: the statement
 * ran inside a transaction left open on the connection, and did not commit). A statement may be several separated by
 * {@code ;}, sent together; the last result set is the answer.
 * <p>
 * The acquire statement follows three rules (SPEC 5.4, 5.5): it takes a row only if it is the caller's or expired
 * by the database clock; an owner's write keeps the later of the row's expiry and the new one, so that a statement
 * that began earlier but committed later never pulls the lease back; and the server bounds it with a timeout below
 * the client's ({@link Param#SERVER_TIMEOUT_MILLIS_TEXT}, {@link Param#SERVER_TIMEOUT_SECONDS}), so that a statement
 * the client gave up on does not commit long afterwards.
 */
public abstract class Dialect {

    /** A bind parameter of a statement. */
    public enum Param {
        /** the instance name */
        INSTANCE,
        /** the node name */
        NODE,
        /** the per-process owner id */
        OWNER,
        /** the lease duration in microseconds */
        LEASE_MICROS,
        /** whether a live lease of the same owner keeps its fencing token */
        CONTINUE_TERM,
        /** the notification channel */
        CHANNEL,
        /** the server-side bound of the statement, in milliseconds, as text (for PostgreSQL's {@code set_config}) */
        SERVER_TIMEOUT_MILLIS_TEXT,
        /** the server-side bound of the statement, in seconds with a fraction (for MariaDB's {@code SET STATEMENT}) */
        SERVER_TIMEOUT_SECONDS
    }

    /** A statement and its parameters. */
    public record Sql(String text, List<Param> params) {
        public static Sql of(String text, Param... params) {
            return new Sql(text, List.of(params));
        }
    }

    /** The name of the shipped DDL file, and of the dialect in messages. */
    public abstract String name();

    /**
     * Takes a free or expired lease, or renews the caller's: one atomic statement. If
     * {@link #acquireReturnsLease()} it also returns the live lease, otherwise {@link #readLease} reads it back in
     * the same transaction.
     */
    public abstract Sql acquireOrRenew(String table);

    /** Whether {@link #acquireOrRenew} returns the lease as it stands after the statement. */
    public abstract boolean acquireReturnsLease();

    /**
     * Whether {@link #acquireOrRenew} answers with a {@code written} column that says whether the lease it returns
     * was written by the statement itself. Otherwise the answer is the row as it stands after the statement, in which
     * a row of the caller's is always one the statement wrote, since it always takes or renews the caller's row.
     */
    public boolean acquireReportsWritten() {
        return false;
    }

    /** The live lease of an instance, if any. */
    public abstract Sql readLease(String table);

    /**
     * Deletes the caller's lease, and where the database can, tells the other nodes in the same statement. If
     * {@link #releaseReturnsRows()}, it is a query that returns one row per deleted lease, otherwise an update whose
     * count is the number of deleted leases (the count of a {@code DELETE} is the rows deleted, whatever a driver's
     * found-rows setting). By default an owner-checked {@code DELETE}, for databases without notifications.
     */
    public Sql release(String table) {
        return Sql.of("DELETE FROM %s WHERE name = ? AND owner = ?".formatted(table), Param.INSTANCE, Param.OWNER);
    }

    public boolean releaseReturnsRows() {
        return false;
    }

    /** Whether other nodes hear of a release at once (otherwise they find out when they next look). */
    public boolean notifiesRelease() {
        return false;
    }

    /**
     * The SQLSTATE with which {@link #acquireOrRenew} fails when a concurrent round inserted the same lease first,
     * or {@code null} if the statement settles that race by itself. Losing that race is a normal outcome: the store
     * then reads who won.
     */
    public String lostInsertRaceState() {
        return null;
    }

    /**
     * Whether a warning that the database sends with the acquire's answer makes the round fail: on PostgreSQL a
     * commit whose wait for a synchronous standby was cancelled answers with success and only a warning, although
     * the standby may lack it.
     */
    public boolean warningsFailTheRound() {
        return false;
    }

    /**
     * Whether the connection is inside a transaction now (one that another user of the pool left open with a plain
     * {@code BEGIN}, which the pool does not see), where the driver can tell without a round trip; {@code false}
     * where it cannot. One of the two pieces of knowledge of a dialect that are not SQL: a statement run inside
     * another's transaction does not commit on its own, so its answer must not count.
     */
    public boolean inTransaction(java.sql.Connection connection) throws java.sql.SQLException {
        return false;
    }

    /**
     * Prepares one of the store's statements. PostgreSQL's keeps the driver from naming it on the server
     * ({@link PostgresDriver}): pgjdbc does so from a statement's fifth execution, and a named statement lives on
     * one server connection, which a pooler in transaction mode does not keep for the next transaction.
     */
    public java.sql.PreparedStatement prepare(java.sql.Connection connection, String sql)
            throws java.sql.SQLException {
        return connection.prepareStatement(sql);
    }

    /** The name of the sequence behind fencing tokens. */
    public static String sequenceOf(String table) {
        return table + "_seq";
    }

    /**
     * The notification channel of a table: its name folded to lower case, as {@code LISTEN} folds an unquoted
     * identifier while {@code pg_notify} takes its argument as written.
     */
    public static String channelOf(String table) {
        return table.toLowerCase(Locale.ROOT);
    }

    /** The classpath location of the DDL that creates the table and its sequence, written for the default table. */
    public String ddlResource() {
        return "META-INF/quarkus-peer/ddl/" + name() + ".sql";
    }

    /** A query that succeeds if the token sequence exists, without changing it. */
    public abstract Sql sequenceExists(String table);

    /**
     * A query of the token sequence's cache size (one row, one column), or {@code null} where the database hands out
     * a sequence's values in order to every session whatever its cache. Where each session caches values of its
     * own, a cache above 1 lets a session hand out a token smaller than one already handed out by another.
     */
    public Sql sequenceCache(String table) {
        return null;
    }

    /** The database kinds that have a dialect, as Quarkus names them in {@code quarkus.datasource.db-kind}. */
    public static final List<String> SUPPORTED = List.of("postgresql", "mariadb", "h2");

    /**
     * The dialect of a Quarkus database kind.
     * <p>
     * MySQL has no dialect on purpose: it has neither sequences nor {@code RETURNING}, so a fencing token that
     * survives a released (deleted) lease and a round that reads back its own outcome would each need more than
     * the one atomic statement every other database runs; and no MySQL server is at hand to prove such a variant.
     *
     * @throws IllegalArgumentException if the database is not supported; the message names it
     */
    public static Dialect forDbKind(String dbKind) {
        // Quarkus' own spelling, so that its aliases (pg, pgsql, maria ...) name the same dialect
        String kind = dbKind == null ? "" : DatabaseKind.normalize(dbKind.toLowerCase(Locale.ROOT));
        return switch (kind) {
            case "postgresql" -> new PostgresDialect();
            case "mariadb" -> new MariaDbDialect();
            case "h2" -> new H2Dialect();
            case "mysql" -> throw new IllegalArgumentException("the database kind '" + dbKind
                    + "' has no Quarkus Peer dialect: MySQL has neither sequences nor INSERT ... RETURNING, which "
                    + "the fencing token and the one-statement election round need; supported: " + SUPPORTED
                    + " (a MariaDB server needs db-kind=mariadb)");
            default -> throw new IllegalArgumentException("the database kind '" + dbKind
                    + "' has no Quarkus Peer dialect; supported: " + SUPPORTED);
        };
    }
}
