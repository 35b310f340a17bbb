package io.github.quarkuspeer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;

/** Small JDBC helpers for these tests: connections as {@code postgres}, one-value queries, reading logs. */
final class Jdbc {

    private Jdbc() {
    }

    /** A connection as {@code postgres}; {@code url} may carry parameters such as {@code ?prepareThreshold=0}. */
    static Connection connect(String url) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("connectTimeout", "2");
        props.setProperty("ApplicationName", "test-support-test");
        return DriverManager.getConnection(url, props);
    }

    static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static String queryString(String url, String sql) throws SQLException {
        try (Connection c = connect(url)) {
            return queryString(c, sql);
        }
    }

    static int backendPid(Connection c) throws SQLException {
        return Integer.parseInt(queryString(c, "select pg_backend_pid()"));
    }

    static void execute(String url, String sql) throws SQLException {
        try (Connection c = connect(url); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long size(Path log) {
        try {
            return Files.size(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What was appended to {@code log} after it had {@code offset} bytes. */
    static String readFrom(Path log, long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            return new String(Arrays.copyOfRange(all, (int) Math.min(offset, all.length), all.length),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
