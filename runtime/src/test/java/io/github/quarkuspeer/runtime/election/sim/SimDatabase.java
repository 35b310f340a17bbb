package io.github.quarkuspeer.runtime.election.sim;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import io.github.quarkuspeer.runtime.election.LeaseStore;
import io.github.quarkuspeer.runtime.election.Observation;

/**
 * A simulated database holding one lease table, with the semantics of the real dialects' statements, and an
 * adversarial network and server between it and the nodes.
 * <p>
 * Each statement goes through these steps, each with a delay drawn from the schedule:
 * <ol>
 * <li>the client waits for a pooled connection ({@code sent} was taken before);</li>
 * <li>the request travels to the server, which fixes the statement's "now" and its snapshot when it arrives, even
 * after the client gave up on it;</li>
 * <li>the server stalls (a lock wait, a slow disk) and then runs the statement against the latest committed row,
 * and commits, unless its server-side timeout ran out first;</li>
 * <li>the reply travels back, or is lost;</li>
 * <li>the client gives up at its network timeout if no reply came.</li>
 * </ol>
 * The flavours are those of the dialects: {@link Flavour#POSTGRESQL} answers a statement that did not write from
 * its snapshot, taken when the statement began; {@link Flavour#MARIADB} returns the row as it stands after the
 * statement; {@link Flavour#H2} reads it back in the same transaction.
 */
final class SimDatabase {

    enum Flavour {
        POSTGRESQL, MARIADB, H2
    }

    /** A committed version of the row, or of its absence ({@code owner == null}). */
    record Row(String name, String node, String owner, long token, long expires, long committedAt) {
        boolean absent() {
            return owner == null;
        }
    }

    /** How hostile the path between the nodes and the database is. */
    record Faults(double slowRequest, double slowServer, double slowReply, double lostReply, double failedStatement,
            double poolWait) {

        static final Faults NONE = new Faults(0, 0, 0, 0, 0, 0);
    }

    private final SimWorld world;
    private final Flavour flavour;
    private final Faults faults;
    /** The client's network timeout of a statement, or 0 for a client that never gives up (H2). */
    final long clientTimeout;
    /** The server's own bound on a statement (a statement or lock timeout), or 0 for none. */
    final long serverTimeout;
    /** Broken promises the database itself sees: a statement sent after its process began to release. */
    final List<String> violations = new ArrayList<>();
    /** Whether an owner's write keeps the later of its old and new expiry (SPEC 5.5). */
    final boolean keepsLaterExpiry;
    private final List<Row> versions = new ArrayList<>();
    private long sequence;
    private final List<SimNode> listeners = new ArrayList<>();
    final String instance;
    int statements;

    SimDatabase(SimWorld world, String instance, Flavour flavour, Faults faults, long clientTimeout,
            long serverTimeout, boolean keepsLaterExpiry) {
        this.world = world;
        this.instance = instance;
        this.flavour = flavour;
        this.faults = faults;
        this.clientTimeout = clientTimeout;
        this.serverTimeout = serverTimeout;
        this.keepsLaterExpiry = keepsLaterExpiry;
        versions.add(new Row(instance, null, null, 0, 0, 0));
    }

    Flavour flavour() {
        return flavour;
    }

    void listen(SimNode node) {
        listeners.add(node);
    }

    private Row latest() {
        return versions.get(versions.size() - 1);
    }

    private void commit(Row row) {
        versions.add(row);
        if (versions.size() > 64) {
            versions.remove(1); // the oldest snapshots are never read again: statements last seconds at most
        }
    }

    /**
     * A statement's view: its "now", fixed when it began on the server, and the snapshot taken then; who sent it
     * and when.
     */
    private record Begun(long now, Row snapshot, SimNode caller, long issued) {
    }

    /** The outcome of a statement at the server, as the client would receive it. */
    private record Outcome<T>(T value, SQLException error) {
    }

    /**
     * Runs one statement from {@code caller}: {@code work} runs on the server when the statement executes, with
     * what it saw when it began. Returns what the client receives, or throws what it receives (a timeout when no
     * answer came in time). Nothing is sent if the gate is closed once a connection is in hand.
     */
    private <T> T execute(SimNode caller, LeaseStore.Gate gate, Function<Begun, Outcome<T>> work)
            throws SQLException, LeaseStore.Refused {
        long poolWait = world.chance(faults.poolWait()) ? world.between(0, scale()) : 0;
        if (poolWait > 0) {
            boolean[] connected = new boolean[1];
            world.after(poolWait, caller, () -> connected[0] = true);
            world.runUntil(() -> connected[0] || caller.dead(), Long.MAX_VALUE);
            if (caller.dead()) {
                throw new SQLException("the process died");
            }
        }
        if (!gate.open()) {
            throw new LeaseStore.Refused();
        }
        statements++;
        long issued = world.now();
        long request = world.chance(faults.slowRequest()) ? world.between(0, 2 * scale())
                : world.between(100_000, 2_000_000);
        long stall = world.chance(faults.slowServer()) ? world.between(0, 3 * scale())
                : world.between(0, 1_000_000);
        boolean lost = world.chance(faults.lostReply());
        long reply = world.chance(faults.slowReply()) ? world.between(0, 2 * scale())
                : world.between(100_000, 2_000_000);
        boolean fails = world.chance(faults.failedStatement());

        Object[] answer = new Object[1];
        boolean[] done = new boolean[1];
        world.at(issued + request, null, () -> {
            Begun begun = new Begun(world.now(), latest(), caller, issued);
            if (serverTimeout > 0 && stall > serverTimeout) {
                world.at(world.now() + serverTimeout, null, () -> deliver(caller, answer, done, lost, reply,
                        new Outcome<T>(null, new SQLTimeoutException("canceling statement due to statement timeout"))));
                return;
            }
            world.at(world.now() + stall, null, () -> {
                Outcome<T> outcome = fails ? new Outcome<>(null, new SQLException("simulated failure"))
                        : work.apply(begun);
                deliver(caller, answer, done, lost, reply, outcome);
            });
        });
        if (clientTimeout > 0) {
            world.at(issued + clientTimeout, caller, () -> {
                if (!done[0]) {
                    done[0] = true;
                    answer[0] = new Outcome<T>(null, new SQLTimeoutException("no answer within the network timeout"));
                }
            });
        }
        world.runUntil(() -> done[0] || caller.dead(), Long.MAX_VALUE);
        if (caller.dead()) {
            throw new SQLException("the process died");
        }
        @SuppressWarnings("unchecked")
        Outcome<T> received = (Outcome<T>) answer[0];
        if (received.error() != null) {
            throw received.error();
        }
        return received.value();
    }

    /** The delays of the schedule are drawn in proportion to this: the client timeout, or 1 s where there is none. */
    private long scale() {
        return clientTimeout > 0 ? clientTimeout : 1_000_000_000L;
    }

    private <T> void deliver(SimNode caller, Object[] answer, boolean[] done, boolean lost, long reply,
            Outcome<T> outcome) {
        if (lost && clientTimeout > 0) {
            return; // the client gives up at its timeout
        }
        if (lost) {
            // a client that never gives up (H2) hears of a lost reply only when the connection breaks
            Outcome<T> broken = new Outcome<>(null, new SQLException("the connection broke"));
            world.at(world.now() + world.between(scale(), 5 * scale()), caller, () -> {
                if (!done[0]) {
                    done[0] = true;
                    answer[0] = broken;
                }
            });
            return;
        }
        world.at(world.now() + reply, caller, () -> {
            if (!done[0]) {
                done[0] = true;
                answer[0] = outcome;
            }
        });
    }

    private static long remaining(Row row, long now) {
        return row.absent() ? 0 : row.expires() - now;
    }

    private Optional<Observation> observe(Row row, long now, boolean written) {
        long left = remaining(row, now);
        return left > 0 ? Optional.of(new Observation(row.node(), row.owner(), row.token(), left, written))
                : Optional.empty();
    }

    /** The store one node's election talks to. */
    LeaseStore storeOf(SimNode caller) {
        return new LeaseStore() {
            @Override
            public Optional<Observation> acquireOrRenew(String name, String node, String owner, Duration lease,
                    boolean continueTerm, Gate gate) throws SQLException, Refused {
                return execute(caller, gate, begun -> new Outcome<>(acquire(begun, node, owner, lease.toNanos(),
                        continueTerm), null));
            }

            @Override
            public Optional<Observation> read(String name, Gate gate) throws SQLException, Refused {
                return execute(caller, gate, begun -> new Outcome<>(observe(begun.snapshot(), begun.now(), false),
                        null));
            }

            @Override
            public boolean release(String name, String owner) throws SQLException {
                try {
                    return execute(caller, Gate.OPEN, begun -> new Outcome<>(delete(owner), null));
                } catch (Refused impossible) {
                    throw new IllegalStateException(impossible);
                }
            }
        };
    }

    /** The acquire statement of the dialects, run at the server against the latest committed row. */
    private Optional<Observation> acquire(Begun begun, String node, String owner, long lease, boolean continueTerm) {
        long now = begun.now();
        Row current = latest();
        if (flavour == Flavour.H2 && begun.snapshot().absent() && !current.absent()) {
            // two MERGEs that both found no row both insert: the later one fails on the key and reads who won,
            // which may be an earlier statement of the same owner; it wrote nothing itself
            return observe(current, now, false);
        }
        Row written = null;
        if (current.absent()) {
            written = new Row(instance, node, owner, ++sequence, now + lease, world.now());
        } else if (current.owner().equals(owner) || current.expires() <= now) {
            boolean sameTerm = current.owner().equals(owner) && current.expires() > now && continueTerm;
            long token = sameTerm ? current.token() : Math.max(++sequence, current.token() + 1);
            long expires = now + lease;
            if (keepsLaterExpiry && current.owner().equals(owner)) {
                expires = Math.max(expires, current.expires());
            }
            written = new Row(instance, node, owner, token, expires, world.now());
        }
        if (written != null) {
            if (begun.caller().releaseBegan >= 0 && begun.issued() > begun.caller().releaseBegan) {
                violations.add(begun.caller() + " wrote its lease with a statement sent after its release began");
            }
            commit(written);
            return observe(written, now, true);
        }
        return switch (flavour) {
            // the fallback SELECT of the statement reads its snapshot, taken when the statement began
            case POSTGRESQL -> observe(begun.snapshot(), now, false);
            case MARIADB, H2 -> observe(current, now, false);
        };
    }

    private boolean delete(String owner) {
        Row current = latest();
        if (current.absent() || !current.owner().equals(owner)) {
            return false;
        }
        commit(new Row(instance, null, null, 0, 0, world.now()));
        for (SimNode listener : listeners) {
            if (!world.chance(0.1)) {
                world.after(world.between(100_000, 50_000_000), listener, listener::notifyReleased);
            }
        }
        return true;
    }
}
