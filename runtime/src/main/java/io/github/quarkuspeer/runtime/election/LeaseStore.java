package io.github.quarkuspeer.runtime.election;

import java.time.Duration;
import java.util.Optional;

/**
 * Where leases live. Input and output only: every decision is taken by {@link Election}.
 * <p>
 * Implementations compare leases with the store's own clock, never with the caller's, and decide who leads from the
 * lease as it stands after the statement, never from a count of affected rows. A write of an owner's own lease never
 * moves its expiry earlier. A statement that the caller gave up on must be bounded by the store itself, so that it
 * cannot commit long after its caller stopped waiting.
 */
public interface LeaseStore {

    /**
     * Asked by the store at the last moment before it sends a statement, once it holds a connection; a closed gate
     * refuses the statement. It lets an election that has begun to release make sure that no statement of a round
     * still queued or waiting for a connection writes its lease back.
     */
    @FunctionalInterface
    interface Gate {
        boolean open();

        /** Never refuses. */
        Gate OPEN = () -> true;
    }

    /** The gate refused the statement: nothing was sent. */
    final class Refused extends Exception {
        public Refused() {
            super("the election is releasing; no statement is sent", null, false, false);
        }
    }

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
     * @param gate asked just before the statement is sent
     * @return the live lease after the statement, {@link Observation#written() written} if this statement took or
     *         renewed it for {@code owner}; or empty if the store shows none (a concurrent winner not yet visible)
     * @throws Refused if the gate refused the statement
     * @throws Exception when the store cannot be reached or the statement fails
     */
    Optional<Observation> acquireOrRenew(String instance, String node, String owner, Duration lease,
            boolean continueTerm, Gate gate) throws Exception;

    /**
     * Reports who holds the live lease of an instance, without trying to take it. The answer is never
     * {@link Observation#written() written}.
     *
     * @param instance the instance
     * @param gate asked just before the statement is sent
     * @return the live lease, or empty if none
     * @throws Refused if the gate refused the statement
     * @throws Exception when the store cannot be reached or the statement fails
     */
    Optional<Observation> read(String instance, Gate gate) throws Exception;

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
