package io.github.quarkuspeer.runtime.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.postgresql.PGStatement;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * What the store asks of pgjdbc itself, beyond SQL: loaded only for PostgreSQL, so that an application without the
 * PostgreSQL driver never needs it.
 * <p>
 * {@link #unnamed} keeps pgjdbc from naming a statement on the server, so that it works through a pooler in
 * transaction mode.
 * pgjdbc parses a prepared statement as a named server-side statement from its fifth execution on a connection
 * ({@code prepareThreshold=5}), and binds that name from then on. Through PgBouncer in transaction mode (before 1.21)
 * the next transaction may run on another server connection, where the name does not exist ({@code 26000 prepared
 * statement "S_1" does not exist}; pgjdbc cannot repair that for a statement of several queries such as the
 * acquire), or exists for another client's statement of the same name, which would then run with this one's
 * parameters. A threshold of 0 makes pgjdbc parse the statement unnamed at each execution, in the same round trip:
 * nothing outlives the statement's own transaction. Only the statement is changed, never the application's
 * connection.
 * <p>
 * {@link #inTransaction} tells whether a session is inside a transaction, from what the server said in its last
 * ready-for-query message, without a round trip.
 */
final class PostgresDriver {

    private PostgresDriver() {
    }

    /** Whether the server said, in its last ready-for-query message, that the session is inside a transaction. */
    static boolean inTransaction(Connection connection) throws SQLException {
        if (!connection.isWrapperFor(BaseConnection.class)) {
            return false;
        }
        return connection.unwrap(BaseConnection.class).getTransactionState() != TransactionState.IDLE;
    }

    /** Makes {@code statement} parse unnamed at every execution, if it is pgjdbc's. */
    static <S extends Statement> S unnamed(S statement) throws SQLException {
        if (statement.isWrapperFor(PGStatement.class)) {
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
        }
        return statement;
    }
}
