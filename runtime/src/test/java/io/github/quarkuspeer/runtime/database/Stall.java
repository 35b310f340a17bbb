package io.github.quarkuspeer.runtime.database;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Holds the acquire statements of a lease table on the server, in a {@code BEFORE INSERT} trigger: after the
 * statement's "now" was fixed and before it touches the row, where a statement waits when its server is slow or
 * the network delivered it late. PostgreSQL (an advisory lock) and MariaDB (a user lock).
 *
 * <pre>{@code
 * try (Stall stall = Stall.install(database, table)) {
 *     stall.hold();          // statements that begin now wait in the trigger
 *     ... start one, await stall.waiting()
 *     stall.stopHolding();   // statements that begin now pass; the one waiting still waits
 *     stall.release();       // it goes on
 * }
 * }</pre>
 */
final class Stall implements AutoCloseable {

    private final TestDatabase database;
    private final String table;
    private final Connection holder;
    private final boolean postgres;
    private final long key;

    private Stall(TestDatabase database, String table) throws SQLException {
        this.database = database;
        this.table = table;
        this.postgres = database.dialect instanceof PostgresDialect;
        this.key = 0x5EE0_0000L + (table.hashCode() & 0xffff);
        this.holder = database.dataSource.getConnection();
        holder.setAutoCommit(true);
    }

    static Stall install(TestDatabase database, String table) throws SQLException {
        Stall stall = new Stall(database, table);
        if (stall.postgres) {
            database.execute("CREATE TABLE " + table + "_ctl (stalling BOOLEAN NOT NULL)");
            database.execute("INSERT INTO " + table + "_ctl VALUES (FALSE)");
            database.execute("CREATE FUNCTION " + table + "_stall() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    + "IF (SELECT stalling FROM " + table + "_ctl) THEN PERFORM pg_advisory_xact_lock(" + stall.key
                    + "); END IF; RETURN NEW; END $$");
            database.execute("CREATE TRIGGER " + table + "_stall BEFORE INSERT ON " + table
                    + " FOR EACH ROW EXECUTE FUNCTION " + table + "_stall()");
        } else {
            // a statement that reads a table from a trigger would lock its rows: the signal is a lock instead
            database.execute("CREATE TRIGGER " + table + "_stall BEFORE INSERT ON " + table + " FOR EACH ROW BEGIN "
                    + "IF IS_USED_LOCK('" + table + "_on') IS NOT NULL THEN "
                    + "SET @peer_stall = GET_LOCK('" + table + "_gate', 120); "
                    + "SET @peer_stall = RELEASE_LOCK('" + table + "_gate'); END IF; END");
        }
        return stall;
    }

    /** Statements that begin from now on wait in the trigger until {@link #release()}. */
    void hold() throws SQLException {
        if (postgres) {
            query("SELECT pg_advisory_lock(" + key + ")");
            database.execute("UPDATE " + table + "_ctl SET stalling = TRUE");
        } else {
            query("SELECT GET_LOCK('" + table + "_gate', 10) + GET_LOCK('" + table + "_on', 10)");
        }
    }

    /** Statements that begin from now on pass; those already waiting go on waiting. */
    void stopHolding() throws SQLException {
        if (postgres) {
            database.execute("UPDATE " + table + "_ctl SET stalling = FALSE");
        } else {
            query("SELECT RELEASE_LOCK('" + table + "_on')");
        }
    }

    /** The statements waiting in the trigger go on. */
    void release() throws SQLException {
        stopHolding();
        query(postgres ? "SELECT pg_advisory_unlock_all()" : "SELECT RELEASE_ALL_LOCKS()");
    }

    /** Whether a statement waits in the trigger now. */
    boolean waiting() throws SQLException {
        String sql = postgres
                ? "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'"
                        + " AND query LIKE '%" + table + "%' AND pid <> pg_backend_pid()"
                : "SELECT count(*) FROM information_schema.PROCESSLIST WHERE STATE = 'User lock' AND INFO LIKE '%"
                        + table + "_gate%'";
        try (Connection connection = database.dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getInt(1) > 0;
        }
    }

    private void query(String sql) throws SQLException {
        try (Statement statement = holder.createStatement(); ResultSet ignored = statement.executeQuery(sql)) {
            // done
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            release();
        } finally {
            holder.close();
            database.execute("DROP TRIGGER IF EXISTS " + table + "_stall" + (postgres ? " ON " + table : ""));
            if (postgres) {
                database.execute("DROP FUNCTION IF EXISTS " + table + "_stall()");
                database.execute("DROP TABLE IF EXISTS " + table + "_ctl");
            }
        }
    }
}
