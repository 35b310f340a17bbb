package io.github.quarkuspeer.runtime.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Reads a lease row behind the peers' back. */
record LeaseRows(TestDatabase database, String table) {

    /** The owner of an instance's lease row, or {@code null} if there is none. */
    String owner(String instance) {
        try (Connection connection = database.dataSource.getConnection();
                PreparedStatement statement = connection
                        .prepareStatement("SELECT owner FROM " + table + " WHERE name = ?")) {
            statement.setString(1, instance);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
