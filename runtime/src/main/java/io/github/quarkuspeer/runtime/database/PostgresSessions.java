package io.github.quarkuspeer.runtime.database;

import java.sql.Connection;
import java.sql.SQLException;

import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * What pgjdbc knows of a session without asking the server: loaded only for PostgreSQL, so that applications on
 * other databases need no PostgreSQL driver.
 */
final class PostgresSessions {

    private PostgresSessions() {
    }

    /** Whether the server said, in its last ready-for-query message, that the session is inside a transaction. */
    static boolean inTransaction(Connection connection) throws SQLException {
        if (!connection.isWrapperFor(BaseConnection.class)) {
            return false;
        }
        return connection.unwrap(BaseConnection.class).getTransactionState() != TransactionState.IDLE;
    }
}
