package io.github.quarkuspeer.runtime.database;

import java.sql.SQLException;
import java.sql.Statement;

import org.postgresql.PGStatement;

/**
 * Keeps pgjdbc from naming a statement on the server, so that it works through a pooler in transaction mode.
 * <p>
 * pgjdbc parses a prepared statement as a named server-side statement from its fifth execution on a connection
 * ({@code prepareThreshold=5}), and binds that name from then on. Through PgBouncer in transaction mode (before 1.21)
 * the next transaction may run on another server connection, where the name does not exist ({@code 26000 prepared
 * statement "S_1" does not exist}; pgjdbc cannot repair that for a statement of several queries such as the
 * acquire), or exists for another client's statement of the same name, which would then run with this one's
 * parameters. A threshold of 0 makes pgjdbc parse the statement unnamed at each execution, in the same round trip:
 * nothing outlives the statement's own transaction. Only the statement is changed, never the application's
 * connection.
 * <p>
 * This class is loaded only when the dialect asks for it ({@link Dialect#unnamedStatements()}), so that an
 * application without the PostgreSQL driver never needs it.
 */
final class PostgresStatements {

    private PostgresStatements() {
    }

    /** Makes {@code statement} parse unnamed at every execution, if it is pgjdbc's. */
    static <S extends Statement> S unnamed(S statement) throws SQLException {
        if (statement.isWrapperFor(PGStatement.class)) {
            statement.unwrap(PGStatement.class).setPrepareThreshold(0);
        }
        return statement;
    }
}
