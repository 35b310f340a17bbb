package io.github.quarkuspeer.runtime.database;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import javax.sql.DataSource;

/**
 * Creates or checks the lease table and its token sequence, with the DDL shipped for each database.
 */
public final class Schema {

    /** The table name that the shipped DDL files use. */
    public static final String DEFAULT_TABLE = "quarkus_peers";

    private static final Set<Integer> TEXT = Set.of(Types.VARCHAR, Types.NVARCHAR, Types.LONGVARCHAR,
            Types.LONGNVARCHAR, Types.CHAR, Types.NCHAR, Types.CLOB, Types.NCLOB);
    private static final Set<Integer> TIMESTAMP = Set.of(Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE);
    private static final Map<String, Set<Integer>> COLUMNS = Map.of(
            "name", TEXT, "node", TEXT, "owner", TEXT,
            "fencing_token", Set.of(Types.BIGINT),
            "started_at", TIMESTAMP, "expires_at", TIMESTAMP);

    private Schema() {
    }

    /** A lease table that is missing or not as the peer needs it. */
    public static final class InvalidSchemaException extends RuntimeException {
        InvalidSchemaException(String message) {
            super(message);
        }

        /** The same problem, said of the key that asked for the check. */
        public InvalidSchemaException(String key, InvalidSchemaException problem) {
            super(key + ": " + problem.getMessage(), problem);
        }
    }

    /**
     * The statements of a dialect's shipped DDL for the given table.
     */
    public static List<String> ddl(Dialect dialect, String table) {
        String text;
        try (InputStream in = Schema.class.getClassLoader().getResourceAsStream(dialect.ddlResource())) {
            if (in == null) {
                throw new IllegalStateException("Missing " + dialect.ddlResource());
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n")) {
            if (!line.stripLeading().startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String statement : sql.toString().split(";")) {
            if (!statement.isBlank()) {
                statements.add(Pattern.compile("\\b" + DEFAULT_TABLE).matcher(statement.strip()).replaceAll(table));
            }
        }
        return statements;
    }

    /**
     * Creates the table and the sequence if they do not exist. Several nodes may do so at once, and a database may
     * then fail one node's {@code CREATE ... IF NOT EXISTS} because another's created the same object meanwhile
     * (PostgreSQL does). So every statement runs even after one failed. The schema counts as created only if it
     * then validates, so that an existing table or sequence that the peer cannot use (a token sequence with a cache,
     * say) fails the start as under {@code validate}.
     */
    public static void create(DataSource dataSource, Dialect dialect, String table) throws SQLException {
        SQLException failed = null;
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String ddl : ddl(dialect, table)) {
                try {
                    statement.execute(ddl);
                } catch (SQLException e) {
                    if (failed == null) {
                        failed = e;
                    } else {
                        failed.addSuppressed(e);
                    }
                }
            }
        }
        try {
            validate(dataSource, dialect, table);
        } catch (InvalidSchemaException | SQLException invalid) {
            if (failed == null) {
                throw invalid;
            }
            failed.addSuppressed(invalid);
            throw failed;
        }
    }

    /**
     * Checks that the table has the columns, types and primary key the peer needs, and that the token sequence
     * exists.
     *
     * @throws InvalidSchemaException naming the table and what is wrong
     */
    public static void validate(DataSource dataSource, Dialect dialect, String table) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData meta = connection.getMetaData();
            // An unquoted name as the database stores it: upper case on H2, lower case on PostgreSQL, as written on
            // MariaDB (unless lower_case_table_names says otherwise)
            String stored = meta.storesUpperCaseIdentifiers() ? table.toUpperCase(Locale.ROOT)
                    : meta.storesLowerCaseIdentifiers() ? table.toLowerCase(Locale.ROOT) : table;
            // MariaDB calls its databases catalogs and has no schemas; PostgreSQL and H2 have both
            String catalog = connection.getCatalog();
            String schema = connection.getSchema();
            Map<String, Integer> found = new HashMap<>();
            try (ResultSet columns = meta.getColumns(catalog, schema, escaped(stored, meta), null)) {
                while (columns.next()) {
                    found.put(columns.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), columns.getInt("DATA_TYPE"));
                }
            }
            String where = "table '" + table + "'" + (schema != null ? " of schema '" + schema + "'"
                    : catalog != null ? " of database '" + catalog + "'" : "");
            if (found.isEmpty()) {
                throw new InvalidSchemaException("Quarkus Peer: " + where + " does not exist. Create it with "
                        + dialect.ddlResource() + " from the quarkus-peer jar, or let the peer create it (schema-management=create)");
            }
            List<String> wrong = new ArrayList<>();
            COLUMNS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(column -> {
                Integer type = found.get(column.getKey());
                if (type == null) {
                    wrong.add("column '" + column.getKey() + "' is missing");
                } else if (!column.getValue().contains(type)) {
                    wrong.add("column '" + column.getKey() + "' has JDBC type " + type + ", expected one of "
                            + column.getValue());
                }
            });
            List<String> key = new ArrayList<>();
            // not a pattern here: the exact name
            try (ResultSet keys = meta.getPrimaryKeys(catalog, schema, stored)) {
                while (keys.next()) {
                    key.add(keys.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                }
            }
            if (!key.equals(List.of("name"))) {
                wrong.add("the primary key is " + (key.isEmpty() ? "missing" : key) + ", expected (name)");
            }
            try (PreparedStatement probe = dialect.prepare(connection, dialect.sequenceExists(table).text());
                    ResultSet ignored = probe.executeQuery()) {
                // exists
            } catch (SQLException e) {
                wrong.add("its sequence '" + Dialect.sequenceOf(table) + "' is missing (" + e.getMessage() + ")");
            }
            Dialect.Sql cacheQuery = dialect.sequenceCache(table);
            if (cacheQuery != null) {
                try (PreparedStatement probe = dialect.prepare(connection, cacheQuery.text());
                        ResultSet cache = probe.executeQuery()) {
                    if (cache.next() && cache.getLong(1) != 1) {
                        wrong.add("its sequence '" + Dialect.sequenceOf(table) + "' has CACHE " + cache.getLong(1)
                                + ", and it needs CACHE 1 (ALTER SEQUENCE " + Dialect.sequenceOf(table)
                                + " CACHE 1): with a larger cache a session can hand out a fencing token smaller than "
                                + "one already handed out");
                    }
                }
            }
            if (!wrong.isEmpty()) {
                throw new InvalidSchemaException("Quarkus Peer: " + where + " is not a valid lease table: "
                        + String.join("; ", wrong) + ". Its DDL is " + dialect.ddlResource()
                        + " in the quarkus-peer jar");
            }
        }
    }

    /** A table name as a metadata search pattern that matches only itself: {@code _} is a wildcard there. */
    private static String escaped(String name, DatabaseMetaData meta) throws SQLException {
        String escape = meta.getSearchStringEscape();
        if (escape == null || escape.isEmpty()) {
            return name;
        }
        return name.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
    }
}
