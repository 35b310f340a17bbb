package io.github.quarkuspeer.runtime.database;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * The lease row of one instance, mapped for Hibernate ORM with Panache.
 * <p>
 * It puts the lease table into the application's persistence unit, so that Hibernate's schema tools know it and
 * the application can read who leads with an ordinary query:
 *
 * <pre>{@code
 * PeerLease lease = PeerLease.findById("billing");
 * }</pre>
 *
 * The elections themselves never go through it: each round is one native statement that compares leases with the
 * database clock, which an entity update cannot express. The table name is the one configured with
 * {@code quarkus.peer.table}; the build rewrites the mapping when it is not the default.
 */
@Entity(name = "QuarkusPeerLease")
@Table(name = Schema.DEFAULT_TABLE)
public class PeerLease extends PanacheEntityBase {

    /** The instance name. */
    @Id
    @Column(name = "name", length = 255, nullable = false)
    public String name;

    /** The leader's node name. */
    @Column(name = "node", length = 255, nullable = false)
    public String node;

    /** The leader's per-process identity. */
    @Column(name = "owner", length = 64, nullable = false)
    public String owner;

    /** The fencing token of the leader's term. */
    @Column(name = "fencing_token", nullable = false)
    public long fencingToken;

    /** When the leader's term began, by the database clock. */
    @Column(name = "started_at", nullable = false)
    public Instant startedAt;

    /** When the lease expires unless renewed, by the database clock. */
    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;
}
