package io.github.quarkuspeer.runtime.database;

import static io.github.quarkuspeer.runtime.database.Dialect.Param.CHANNEL;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.CONTINUE_TERM;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.INSTANCE;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.LEASE_MICROS;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.NODE;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.OWNER;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.SERVER_TIMEOUT_MILLIS_TEXT;

/**
 * PostgreSQL: {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE} takes or renews the lease and returns it; a
 * release deletes the row and calls {@code pg_notify} in the same statement, so the notification leaves exactly
 * when the delete commits.
 * <p>
 * "Now" is {@code statement_timestamp()}, the start of the statement, which comes after the caller took its local
 * time, so a lease never ends earlier by the database clock than the caller believes; unlike {@code now()}, it stays
 * right even on a connection that another user of the pool handed back inside an open transaction.
 * <p>
 * The acquire statement is preceded, in the same transaction and the same round trip, by {@code set_config} of
 * {@code statement_timeout} and {@code lock_timeout} for that transaction only, so that the server cancels the
 * statement before the client gives up on it, and of {@code synchronous_commit=on}, so that a lease is durable (and
 * on a synchronous standby) before anyone leads on it, whatever the session or database default. A wait for the
 * standby that is cancelled (an operator's {@code pg_cancel_backend}) still commits on the primary alone and answers
 * with success and a warning only: so warnings are sent whatever the session's {@code client_min_messages}, and any
 * warning fails the round ({@link #warningsFailTheRound()}). It answers with a {@code written} column: a statement that did not write, because
 * another node committed first, falls back to a {@code SELECT} that reads the statement's snapshot, taken before
 * that commit, which may still show the caller's old row. Such an answer must never count as a win.
 */
public final class PostgresDialect extends Dialect {

    private static final String NOW = "statement_timestamp()";
    private static final String REMAINING = "CAST(EXTRACT(EPOCH FROM (expires_at - " + NOW + ")) * 1000000 AS BIGINT)";

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public Sql acquireOrRenew(String table) {
        // A live lease of the same owner keeps its token if the caller still leads; any other win is a new term,
        // whose token is greater than the sequence's last value and than the row's previous token.
        String sameTerm = "p.owner = EXCLUDED.owner AND p.expires_at > " + NOW + " AND ?";
        return Sql.of("""
                SELECT set_config('statement_timeout', ?, true), set_config('lock_timeout', ?, true),
                       set_config('synchronous_commit', 'on', true), set_config('client_min_messages', 'warning', true);
                WITH won AS (
                  INSERT INTO %1$s AS p (name, node, owner, fencing_token, started_at, expires_at)
                  VALUES (?, ?, ?, nextval('%2$s'), %6$s, %6$s + ? * INTERVAL '1 microsecond')
                  ON CONFLICT (name) DO UPDATE SET
                    fencing_token = CASE WHEN %3$s THEN p.fencing_token
                                         ELSE GREATEST(EXCLUDED.fencing_token, p.fencing_token + 1) END,
                    started_at = CASE WHEN %4$s THEN p.started_at ELSE EXCLUDED.started_at END,
                    node = EXCLUDED.node,
                    owner = EXCLUDED.owner,
                    expires_at = CASE WHEN p.owner = EXCLUDED.owner THEN GREATEST(p.expires_at, EXCLUDED.expires_at)
                                      ELSE EXCLUDED.expires_at END
                  WHERE p.owner = EXCLUDED.owner OR p.expires_at <= %6$s
                  RETURNING node, owner, fencing_token, expires_at
                )
                SELECT node, owner, fencing_token, %5$s AS remaining_micros, TRUE AS written FROM won
                UNION ALL
                SELECT node, owner, fencing_token, %5$s AS remaining_micros, FALSE AS written FROM %1$s
                 WHERE name = ? AND expires_at > %6$s AND NOT EXISTS (SELECT 1 FROM won)
                """.formatted(table, sequenceOf(table), sameTerm, sameTerm, REMAINING, NOW),
                SERVER_TIMEOUT_MILLIS_TEXT, SERVER_TIMEOUT_MILLIS_TEXT, INSTANCE, NODE, OWNER, LEASE_MICROS,
                CONTINUE_TERM, CONTINUE_TERM, INSTANCE);
    }

    @Override
    public boolean acquireReturnsLease() {
        return true;
    }

    @Override
    public boolean acquireReportsWritten() {
        return true;
    }

    @Override
    public boolean warningsFailTheRound() {
        return true;
    }

    @Override
    public Sql readLease(String table) {
        return Sql.of("SELECT node, owner, fencing_token, %2$s AS remaining_micros FROM %1$s WHERE name = ? AND expires_at > %3$s"
                .formatted(table, REMAINING, NOW), INSTANCE);
    }

    @Override
    public Sql release(String table) {
        return Sql.of("""
                WITH gone AS (DELETE FROM %s WHERE name = ? AND owner = ? RETURNING name)
                SELECT pg_notify(?, name) FROM gone
                """.formatted(table), INSTANCE, OWNER, CHANNEL);
    }

    @Override
    public boolean releaseReturnsRows() {
        return true;
    }

    @Override
    public boolean notifiesRelease() {
        return true;
    }

    /** Every statement parsed unnamed, so that it works through PgBouncer in transaction mode. */
    @Override
    public java.sql.PreparedStatement prepare(java.sql.Connection connection, String sql)
            throws java.sql.SQLException {
        return PostgresDriver.unnamed(connection.prepareStatement(sql));
    }

    @Override
    public boolean inTransaction(java.sql.Connection connection) throws java.sql.SQLException {
        return PostgresDriver.inTransaction(connection);
    }

    @Override
    public Sql sequenceCache(String table) {
        // to_regclass resolves the name as the statements do: unquoted, through the search path
        return Sql.of("SELECT seqcache FROM pg_sequence WHERE seqrelid = to_regclass('" + sequenceOf(table) + "')");
    }

    @Override
    public Sql sequenceExists(String table) {
        return Sql.of("SELECT last_value FROM " + sequenceOf(table));
    }
}
