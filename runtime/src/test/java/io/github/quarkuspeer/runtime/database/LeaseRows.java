package io.github.quarkuspeer.runtime.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;

/** Reads a lease row behind the peers' back. */
record LeaseRows(TestDatabase database, String table) {

    /** The owner of an instance's lease row, or {@code null} if there is none. */
    String owner(String instance) {
        return (String) column(instance, "owner");
    }

    /** The expiry of an instance's lease row as the database holds it, or {@code null} if there is none. */
    Timestamp expiry(String instance) {
        return (Timestamp) column(instance, "expires_at");
    }

    private Object column(String instance, String column) {
        try (Connection connection = database.dataSource.getConnection();
                PreparedStatement statement = connection
                        .prepareStatement("SELECT " + column + " FROM " + table + " WHERE name = ?")) {
            statement.setString(1, instance);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? (column.equals("owner") ? rows.getString(1) : rows.getTimestamp(1)) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
