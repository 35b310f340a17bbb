package io.github.quarkuspeer.runtime.database;

import static io.github.quarkuspeer.runtime.database.Dialect.Param.CONTINUE_TERM;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.INSTANCE;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.LEASE_MICROS;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.NODE;
import static io.github.quarkuspeer.runtime.database.Dialect.Param.OWNER;

/**
 * H2 2.x: the standard {@code MERGE ... WHEN MATCHED AND <the caller may take it> THEN UPDATE ... WHEN NOT MATCHED
 * THEN INSERT} takes or renews the lease and leaves a live lease of another owner alone. H2's {@code MERGE} returns
 * nothing, so the store reads the lease back in the same transaction.
 * <p>
 * {@code CURRENT_TIMESTAMP} is fixed for the transaction, which begins after the caller took its local time. Times are
 * written and compared in UTC: sessions of other processes (automatic mixed mode) may use other time zones, and H2's
 * {@code DATEDIFF} reads the local fields of a timestamp, not the instant.
 * <p>
 * Two rounds that both find no row both insert, and the later one fails on the primary key (SQLSTATE 23505): it lost
 * the race, and the store reads who won. Fencing tokens come from the sequence {@code <table>_seq}, made with
 * {@code CACHE 1}.
 * <p>
 * No server-side timeout is set: H2's client never gives up on a statement (it ignores the JDBC network timeout, in
 * process and over TCP alike), so no statement can commit after its client stopped waiting; a lock wait ends at H2's
 * own lock timeout.
 */
public final class H2Dialect extends Dialect {

    private static final String NOW = "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')";
    private static final String REMAINING = "DATEDIFF(MICROSECOND, " + NOW + ", expires_at AT TIME ZONE 'UTC')";
    private static final String SAME_TERM = "p.owner = v.owner AND p.expires_at > " + NOW + " AND v.continue_term";

    @Override
    public String name() {
        return "h2";
    }

    @Override
    public Sql acquireOrRenew(String table) {
        // Unsized VARCHAR casts: H2 would silently cut a sized one, and the columns' own limits must apply.
        return Sql.of("""
                MERGE INTO %1$s AS p
                USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS BIGINT),
                               CAST(? AS BOOLEAN))) AS v (name, node, owner, lease_micros, continue_term)
                ON p.name = v.name
                WHEN MATCHED AND (p.owner = v.owner OR p.expires_at <= %3$s) THEN UPDATE SET
                  fencing_token = CASE WHEN %4$s THEN p.fencing_token
                                       ELSE GREATEST(NEXT VALUE FOR %2$s, p.fencing_token + 1) END,
                  started_at = CASE WHEN %4$s THEN p.started_at ELSE %3$s END,
                  node = v.node,
                  owner = v.owner,
                  expires_at = CASE WHEN p.owner = v.owner
                                    THEN GREATEST(p.expires_at, DATEADD(MICROSECOND, v.lease_micros, %3$s))
                                    ELSE DATEADD(MICROSECOND, v.lease_micros, %3$s) END
                WHEN NOT MATCHED THEN INSERT (name, node, owner, fencing_token, started_at, expires_at)
                  VALUES (v.name, v.node, v.owner, NEXT VALUE FOR %2$s, %3$s, DATEADD(MICROSECOND, v.lease_micros, %3$s))
                """.formatted(table, sequenceOf(table), NOW, SAME_TERM),
                INSTANCE, NODE, OWNER, LEASE_MICROS, CONTINUE_TERM);
    }

    @Override
    public boolean acquireReturnsLease() {
        return false;
    }

    @Override
    public Sql readLease(String table) {
        return Sql.of("SELECT node, owner, fencing_token, %2$s AS remaining_micros FROM %1$s WHERE name = ? AND expires_at > %3$s"
                .formatted(table, REMAINING, NOW), INSTANCE);
    }

    @Override
    public String lostInsertRaceState() {
        return "23505";
    }

    @Override
    public Sql sequenceCache(String table) {
        return Sql.of("SELECT CACHE FROM INFORMATION_SCHEMA.SEQUENCES WHERE SEQUENCE_SCHEMA = CURRENT_SCHEMA "
                + "AND SEQUENCE_NAME = '" + sequenceOf(table).toUpperCase(java.util.Locale.ROOT) + "'");
    }

    @Override
    public Sql sequenceExists(String table) {
        // EXPLAIN resolves the sequence without taking a value from it.
        return Sql.of("EXPLAIN SELECT NEXT VALUE FOR " + sequenceOf(table));
    }
}
