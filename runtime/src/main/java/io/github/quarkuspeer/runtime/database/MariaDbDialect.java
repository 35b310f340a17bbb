package io.github.quarkuspeer.runtime.database;

import static io.github.quarkuspeer.runtime.database.Dialect.Param.CONTINUE_TERM;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.INSTANCE;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.LEASE_MICROS;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.NODE;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.OWNER;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.SERVER_TIMEOUT_SECONDS;

/**
 * MariaDB 10.5 or later: {@code INSERT ... ON DUPLICATE KEY UPDATE ... RETURNING} takes or renews the lease and
 * returns the row as it stands after the statement, whoever holds it, so leadership is read from the row and never
 * from an affected-row count (which the driver reports as found rows, so that an unchanged row looks like a win).
 * <p>
 * Time is {@code UTC_TIMESTAMP(6)} into {@code DATETIME(6)} columns: the session time zone plays no part, and the
 * columns outlive 2038. MariaDB fixes that value at the start of the statement.
 * <p>
 * MariaDB evaluates the assignments of {@code ON DUPLICATE KEY UPDATE} from left to right, each seeing the columns
 * already assigned. So the token and the start of the term are decided first, from the row as it was; then the node
 * and the owner change only if the caller may take the lease; the expiry comes last and moves only if the owner is
 * now the caller, which after the owner's assignment holds exactly when the caller took or renewed it, and never
 * earlier than it was (a renewal that began earlier but committed later does not pull the lease back). A live lease of
 * another owner is left as it was and returned as it is.
 * <p>
 * {@code SET STATEMENT max_statement_time = ?, timestamp = 0 FOR} makes the server abort the statement, lock waits
 * included, before the client gives up on it, and reads the real clock even on a connection that another user of the
 * pool left with {@code SET timestamp} (which freezes {@code UTC_TIMESTAMP()} for the session). The statement returns
 * {@code @@in_transaction}: 1 means it ran inside a transaction that another user left open on the connection, so
 * that it did not commit on its own.
 * <p>
 * Fencing tokens come from the sequence {@code <table>_seq}, which the server hands out in order whatever its cache,
 * so a token stays greater than any before it even after the row was deleted by a release.
 */
public final class MariaDbDialect extends Dialect {

    private static final String NOW = "UTC_TIMESTAMP(6)";
    private static final String REMAINING = "TIMESTAMPDIFF(MICROSECOND, " + NOW + ", expires_at)";
    /** The caller may take the row: it holds it already, or the lease has expired. */
    private static final String MAY_TAKE = "(owner = VALUES(owner) OR expires_at <= " + NOW + ")";
    /** The caller renews its own live lease and still leads by its own deadline: the term goes on. */
    private static final String SAME_TERM = "(owner = VALUES(owner) AND expires_at > " + NOW + " AND ?)";

    @Override
    public String name() {
        return "mariadb";
    }

    @Override
    public Sql acquireOrRenew(String table) {
        return Sql.of("""
                SET STATEMENT max_statement_time = ?, timestamp = 0 FOR
                INSERT INTO %1$s (name, node, owner, fencing_token, started_at, expires_at)
                VALUES (?, ?, ?, NEXTVAL(%2$s), %3$s, %3$s + INTERVAL ? MICROSECOND)
                ON DUPLICATE KEY UPDATE
                  fencing_token = CASE WHEN %4$s THEN fencing_token
                                       WHEN %5$s THEN GREATEST(VALUES(fencing_token), fencing_token + 1)
                                       ELSE fencing_token END,
                  started_at = CASE WHEN %4$s THEN started_at
                                    WHEN %5$s THEN VALUES(started_at)
                                    ELSE started_at END,
                  node = IF(%5$s, VALUES(node), node),
                  owner = IF(%5$s, VALUES(owner), owner),
                  expires_at = IF(owner = VALUES(owner), GREATEST(expires_at, VALUES(expires_at)), expires_at)
                RETURNING node, owner, fencing_token, %6$s AS remaining_micros, @@in_transaction AS in_transaction
                """.formatted(table, sequenceOf(table), NOW, SAME_TERM, MAY_TAKE, REMAINING),
                SERVER_TIMEOUT_SECONDS, INSTANCE, NODE, OWNER, LEASE_MICROS, CONTINUE_TERM, CONTINUE_TERM);
    }

    @Override
    public boolean acquireReturnsLease() {
        return true;
    }

    @Override
    public Sql readLease(String table) {
        return Sql.of(("SET STATEMENT timestamp = 0 FOR SELECT node, owner, fencing_token, %2$s AS remaining_micros"
                + " FROM %1$s WHERE name = ? AND expires_at > %3$s").formatted(table, REMAINING, NOW), INSTANCE);
    }

    @Override
    public Sql sequenceExists(String table) {
        // A MariaDB sequence is also a one-row table: reading it takes no value.
        return Sql.of("SELECT next_not_cached_value FROM " + sequenceOf(table));
    }
}
