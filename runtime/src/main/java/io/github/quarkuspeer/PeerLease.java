package io.github.quarkuspeer;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.Subselect;
import org.hibernate.annotations.Synchronize;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * The lease row of one instance of the {@code database} kind, for applications with Hibernate ORM: who leads each
 * instance, as the database sees it, read with an ordinary query. Read-only.
 *
 * <pre>{@code
 * @Transactional
 * List<String> leaders() {
 *     return PeerLease.<PeerLease> listAll().stream()
 *             .map(lease -> lease.name + " led by " + lease.node + " until " + lease.expiresAt)
 *             .toList();
 * }
 *
 * Optional<PeerLease> billing = PeerLease.findByIdOptional("billing");
 * }</pre>
 *
 * A row exists only while some node holds or held the lease of the instance and did not release it: a lease whose
 * {@code expiresAt} has passed (by the database clock) is free. To ask whether this node leads, use
 * {@link Peer#isLeader()}, which is right to the moment and touches no database; a row read here is only a
 * snapshot.
 * <p>
 * The entity joins the persistence unit of the instances' datasource ({@code quarkus.peer.persistence-unit} names
 * another), through the {@code quarkus-peer-hibernate-orm} extension, which an application with Hibernate ORM gets
 * by itself; code that uses this class needs Panache on its compile class path ({@code quarkus-hibernate-orm-panache}).
 * <p>
 * It is mapped to a query of the lease table ({@link Subselect}), not to the table itself, so that Hibernate's schema
 * tools never create, drop, alter or validate that table, whatever {@code quarkus.hibernate-orm.schema-management.strategy}
 * says: the peer owns it ({@code quarkus.peer.schema-management}). The elections never go through the entity: each
 * round is one native statement that compares leases with the database clock. The table is the one configured with
 * {@code quarkus.peer.table}; the build rewrites the query when it is not the default.
 */
@Entity(name = "QuarkusPeerLease")
@Immutable
// the shipped DDL's table name: the build rewrites both to quarkus.peer.table when that is another
@Subselect("select name, node, owner, fencing_token, started_at, expires_at from quarkus_peers")
@Synchronize("quarkus_peers")
public class PeerLease extends PanacheEntityBase {

    /** The instance name. */
    @Id
    @Column(name = "name")
    public String name;

    /** The leader's node name. */
    @Column(name = "node")
    public String node;

    /** The leader's identity: a random id per process and instance. */
    @Column(name = "owner")
    public String owner;

    /** The fencing token of the leader's term. */
    @Column(name = "fencing_token")
    public long fencingToken;

    /** When the leader's term began, by the database clock. */
    @Column(name = "started_at")
    public Instant startedAt;

    /** When the lease expires unless it is renewed, by the database clock. */
    @Column(name = "expires_at")
    public Instant expiresAt;
}
