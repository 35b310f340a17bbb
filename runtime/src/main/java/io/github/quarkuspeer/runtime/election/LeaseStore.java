package io.github.quarkuspeer.runtime.election;

import java.time.Duration;
import java.util.Optional;

/**
 * Where leases live. Input and output only: every decision is taken by {@link Election}.
 * <p>
 * Implementations compare leases with the store's own clock, never with the caller's, and decide who leads from the
 * lease as it stands after the statement, never from a count of affected rows.
 */
public interface LeaseStore {

    /**
     * Takes the lease of an instance if nobody holds a live one, renews it if {@code owner} holds it, and reports
     * who holds it afterwards, all in one atomic statement.
     *
     * @param instance the instance
     * @param node the caller's node name, stored for others to see
     * @param owner the caller's per-process identity
     * @param lease how long the won or renewed lease lasts, from the store's now
     * @param continueTerm whether the caller still leads by its own deadline: a live lease of the same owner then
     *        keeps its fencing token; otherwise a win always starts a new term with a greater token
     * @return the live lease after the statement, or empty if the store shows none (a concurrent winner not yet
     *         visible)
     * @throws Exception when the store cannot be reached or the statement fails
     */
    Optional<Observation> acquireOrRenew(String instance, String node, String owner, Duration lease,
            boolean continueTerm) throws Exception;

    /**
     * Reports who holds the live lease of an instance, without trying to take it.
     *
     * @param instance the instance
     * @return the live lease, or empty if none
     * @throws Exception when the store cannot be reached or the statement fails
     */
    Optional<Observation> read(String instance) throws Exception;

    /**
     * Deletes the lease of an instance if {@code owner} holds it, and tells the other nodes that it is free, in one
     * transaction.
     *
     * @param instance the instance
     * @param owner the caller's per-process identity
     * @return whether a lease was deleted
     * @throws Exception when the store cannot be reached or the statement fails
     */
    boolean release(String instance, String owner) throws Exception;
}
