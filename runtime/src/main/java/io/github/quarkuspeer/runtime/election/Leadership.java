package io.github.quarkuspeer.runtime.election;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * An immutable snapshot of what this node knows about an instance's leadership, published through one volatile
 * field so that readers need no lock and allocate nothing.
 * <p>
 * Times are {@link System#nanoTime()} values and are compared by subtraction, which stays right across the clock's
 * wrap-around.
 */
public final class Leadership {

    /** Nothing known: this node does not lead and has not seen a leader. */
    public static final Leadership NONE = new Leadership(false, 0, 0, Optional.empty(), 0);

    private final boolean leading;
    private final long deadline;
    private final long token;
    private final OptionalLong tokenView;
    private final Optional<String> leaderView;
    private final long leaderUntil;

    private Leadership(boolean leading, long deadline, long token, Optional<String> leaderView, long leaderUntil) {
        this.leading = leading;
        this.deadline = deadline;
        this.token = token;
        this.tokenView = leading ? OptionalLong.of(token) : OptionalLong.empty();
        this.leaderView = leaderView;
        this.leaderUntil = leaderUntil;
    }

    /** This node leads until {@code deadline}, in the term of {@code token}. */
    public static Leadership leading(String node, long token, long deadline) {
        return new Leadership(true, deadline, token, Optional.of(node), deadline);
    }

    /** Another node leads, and its lease lasts at least until {@code leaderUntil}. */
    public static Leadership following(String leaderNode, long leaderUntil) {
        return new Leadership(false, 0, 0, Optional.of(leaderNode), leaderUntil);
    }

    public boolean leading() {
        return leading;
    }

    public long deadline() {
        return deadline;
    }

    public long token() {
        return token;
    }

    /** Whether this node leads at {@code now}: it won a lease and its local deadline has not passed. */
    public boolean leadsAt(long now) {
        return leading && now - deadline < 0;
    }

    public OptionalLong tokenAt(long now) {
        return leadsAt(now) ? tokenView : OptionalLong.empty();
    }

    /** The leader as last observed, unless its lease is known to have expired at {@code now}. */
    public Optional<String> leaderAt(long now) {
        return now - leaderUntil < 0 ? leaderView : Optional.empty();
    }

    @Override
    public String toString() {
        return leading ? "leading(token " + token + ")" : leaderView.map(n -> "following(" + n + ")").orElse("none");
    }
}
