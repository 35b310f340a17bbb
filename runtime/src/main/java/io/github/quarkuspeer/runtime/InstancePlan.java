package io.github.quarkuspeer.runtime;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the build decided about one instance, checked there once: its name, its kind, and for the {@code database}
 * kind the datasource, its database kind and the table. The run time adds the run-time keys
 * ({@link InstanceSettings#resolve}) and never checks these again.
 *
 * @param instance the instance name
 * @param kind the kind configured at build time ({@code enabled=false} makes it {@code isolated} at run time)
 * @param datasource the datasource of a {@code database} instance
 * @param dbKind the {@code db-kind} of that datasource
 * @param table the lease table of a {@code database} instance, a plain SQL identifier
 * @param notifyDatasource the datasource a {@code database} instance listens for released leases on, if it names one
 *        ({@code notify-datasource})
 */
public record InstancePlan(String instance, PeerKind kind, Optional<String> datasource, Optional<String> dbKind,
        String table, Optional<String> notifyDatasource) {

    /** The longest instance or node name. */
    public static final int MAX_NAME_LENGTH = 255;
    /** The longest table name, leaving room for the sequence's suffix within every database's limit. */
    public static final int MAX_TABLE_LENGTH = 48;

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * What is wrong with an instance name, naming its keys.
     *
     * @return the message, or empty if it has 1 to {@value #MAX_NAME_LENGTH} characters
     */
    public static Optional<String> checkName(String instance) {
        int length = instance.codePointCount(0, instance.length());
        if (length > 0 && length <= MAX_NAME_LENGTH) {
            return Optional.empty();
        }
        return Optional.of(ConfigKeys.key(abbreviate(instance), "*") + ": the instance name '" + abbreviate(instance)
                + "' is invalid: an instance name must have 1 to " + MAX_NAME_LENGTH + " characters, it has "
                + length);
    }

    /**
     * What is wrong with a table name, naming its key.
     *
     * @return the message, or empty if it is a plain SQL identifier of at most {@value #MAX_TABLE_LENGTH}
     *         characters
     */
    public static Optional<String> checkTable(String instance, String table) {
        if (IDENTIFIER.matcher(table).matches() && table.length() <= MAX_TABLE_LENGTH) {
            return Optional.empty();
        }
        return Optional.of(ConfigKeys.key(instance, "table") + "=" + table
                + " is invalid: the table name must be a plain SQL identifier (a letter or underscore, then "
                + "letters, digits or underscores) of at most " + MAX_TABLE_LENGTH + " characters");
    }

    static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
