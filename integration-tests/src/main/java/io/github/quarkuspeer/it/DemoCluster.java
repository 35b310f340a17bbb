package io.github.quarkuspeer.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.github.quarkuspeer.testing.PrivatePostgres;

/**
 * The README's main job, run by {@code ./demo-cluster}: three demo nodes elect a leader for each of two instances,
 * the leader is stopped (SIGTERM), then the next leader is killed ({@code kill -9}), and the time each handover took
 * is printed. Which node leads each instance, with its fencing token, is shown live as it changes.
 * <p>
 * The nodes share the demo's embedded H2 database in files (the default build); with {@code --postgresql} they use a
 * private PostgreSQL server instead, which the demo starts and removes; with {@code --global} they need no database:
 * the global build of the demo elects through a Raft group per instance, on loopback. At the end the claim histories of all nodes
 * are checked (no two nodes ever claimed an instance at the same instant), every node has exited, and the program
 * exits with 0; any failure exits with 1. Logs and histories stay in {@code integration-tests/target/demo-cluster}.
 */
public final class DemoCluster {

    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final Duration LEASE = Duration.ofSeconds(4);
    private static final Duration BOUND = LEASE.multipliedBy(10);
    private static final List<String> INSTANCES = List.of(PeersView.DEFAULT_INSTANCE, "reports");
    private static final long START = System.nanoTime();

    private final Cluster cluster;
    private volatile boolean watching = true;

    private DemoCluster(Cluster cluster) {
        this.cluster = cluster;
    }

    public static void main(String[] args) {
        boolean postgres = List.of(args).contains("--postgresql");
        boolean global = List.of(args).contains("--global");
        Path home = DemoBuild.projectRoot().resolve("integration-tests/target/demo-cluster");
        int status;
        PrivatePostgres pg = null;
        try {
            deleteRecursively(home);
            Database database;
            String where;
            if (global) {
                Database.Global groups = Database.global("n1", "n2", "n3");
                database = groups;
                where = "the global kind: a Raft group per instance (" + groups.members(groups.defaultPorts())
                        + " and " + groups.members(groups.reportsPorts()) + "), no database";
            } else if (postgres) {
                say("Starting a private PostgreSQL server for the demo...");
                pg = PrivatePostgres.start();
                database = Database.postgres(pg);
                where = "PostgreSQL (" + pg.jdbcUrl() + ")";
            } else {
                database = Database.h2(home.resolve("database"));
                where = "an embedded H2 database in files";
            }
            say("Quarkus Peer demo cluster: three nodes of the demo application on " + where + ", interval "
                    + INTERVAL.toSeconds() + " s, lease " + LEASE.toSeconds() + " s.");
            say("Node logs and claim histories: " + home.resolve("nodes"));
            try (Cluster cluster = Cluster.builder(database).interval(INTERVAL).lease(LEASE)
                    .directory(home.resolve("nodes")).events(line -> say("  " + line)).build()) {
                new DemoCluster(cluster).run();
            }
            status = 0;
        } catch (RuntimeException | AssertionError e) {
            say("FAILED: " + e);
            e.printStackTrace();
            status = 1;
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
        System.exit(status);
    }

    private void run() {
        Thread watcher = new Thread(this::watch, "demo-cluster-watcher");
        watcher.setDaemon(true);

        say("Starting n1, then n2 and n3 (a few seconds each)...");
        cluster.start("n1");
        watcher.start();
        cluster.startAll("n2", "n3");
        Map<String, Node> leaders = awaitLeaders(n -> true);
        watchFor(LEASE.multipliedBy(2));

        Node first = leaders.get(PeersView.DEFAULT_INSTANCE);
        say("");
        say("Step 1: SIGTERM to " + first.name() + ", the leader of <default>. It releases its leases on the way out.");
        long stoppedAt = first.terminate();
        awaitLeaders(n -> n != first);
        first.awaitExit(Duration.ofSeconds(30));
        reportHandovers(first, stoppedAt, "SIGTERM", true);
        watchFor(LEASE);
        if (cluster.database() instanceof Database.Global) {
            // two of three members must run for anyone to lead a Raft group: the stopped one comes back first
            say("");
            say("The global kind needs a majority of its members: " + first.name() + " starts again, with its log.");
            cluster.start(first.name());
            watchFor(LEASE);
        }

        Node second = cluster.leader(PeersView.DEFAULT_INSTANCE).orElseThrow();
        say("");
        say("Step 2: kill -9 of " + second.name() + ", the leader of <default> now. It releases nothing: the others "
                + "must wait for its lease (" + LEASE.toSeconds() + " s from its last renewal) to expire.");
        long killedAt = second.kill();
        awaitLeaders(n -> n != second);
        reportHandovers(second, killedAt, "kill -9", false);
        watchFor(LEASE);

        say("");
        say("Stopping the last nodes...");
        watching = false;
        cluster.stop(Duration.ofSeconds(30));
        List<Node> alive = cluster.nodes().stream().filter(Node::isAlive).toList();
        if (!alive.isEmpty()) {
            throw new AssertionError("Nodes still running: " + alive);
        }
        History history = cluster.history();
        history.assertSafe();
        long processes = history.claims().stream().map(Claim::pid).distinct().count();
        say("Checked the claim histories: " + history.claims().size() + " terms of leadership by " + processes
                + " processes, and no two of them claimed an instance at the same instant.");
        say("All " + cluster.nodes().size() + " node processes have exited. Done in "
                + String.format(Locale.ROOT, "%.0f s.", seconds(System.nanoTime())));
    }

    /** Waits until each instance has one leader that every node agrees on and that {@code which} accepts. */
    private Map<String, Node> awaitLeaders(java.util.function.Predicate<Node> which) {
        return INSTANCES.stream().collect(Collectors.toMap(i -> i, i -> cluster.awaitLeader(i, BOUND, which)));
    }

    /**
     * For each instance the node led when the fault came: who leads next, how long after the fault, and for how
     * long nobody led, from the nodes' claim histories.
     */
    private void reportHandovers(Node from, long faultAt, String fault, boolean graceful) {
        History history = cluster.history();
        for (String instance : INSTANCES) {
            Optional<Claim> last = history.claims(instance).stream().filter(c -> c.pid() == from.pid())
                    .max(Comparator.comparingLong(Claim::from));
            Optional<Claim> next = history.firstClaimFrom(instance, faultAt);
            if (last.isEmpty() || last.get().until() < faultAt || next.isEmpty()) {
                continue; // it did not lead this instance when the fault came
            }
            long took = next.get().from() - faultAt;
            long held = last.get().until() - faultAt;
            long leaderless = Math.max(0, next.get().from() - last.get().until());
            String ending = String.format(Locale.ROOT,
                    graceful ? "it let go after %.2f s" : "its lease had %.2f s left", held / 1e9);
            say(String.format(Locale.ROOT, "  handover of %-9s %s -> %s took %.2f s after %s (%s, then no leader for "
                    + "%.2f s)", instance + ":", from.name(), next.get().node(), took / 1e9, fault, ending,
                    leaderless / 1e9));
        }
    }

    /** Lets the cluster run for a while so that the watcher shows it steady; a pause for the reader, nothing else. */
    private static void watchFor(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /** Prints who leads each instance whenever it changes, and every few seconds while it does not. */
    private void watch() {
        String last = "";
        long lastPrinted = 0;
        while (watching) {
            String now = leadersLine(cluster.views());
            long time = System.nanoTime();
            if (watching && (!now.equals(last) || time - lastPrinted > 2_000_000_000L)) {
                say((now.equals(last) ? "  " : "* ") + now);
                last = now;
                lastPrinted = time;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String leadersLine(Map<Node, PeersView> views) {
        List<String> parts = new ArrayList<>();
        for (String instance : INSTANCES) {
            List<String> leaders = views.values().stream().filter(v -> v.leads(instance))
                    .map(v -> v.node() + " (fencing token " + v.instance(instance).fencingToken() + ")").toList();
            parts.add(String.format(Locale.ROOT, "%-9s %-28s", instance + ":",
                    leaders.isEmpty() ? "no leader" : String.join(" AND ", leaders)));
        }
        return "leaders  " + String.join("  ", parts) + "  nodes up: " + views.values().stream()
                .map(PeersView::node).collect(Collectors.joining(" "));
    }

    private static synchronized void say(String text) {
        System.out.printf(Locale.ROOT, "[%5.1f s] %s%n", seconds(System.nanoTime()), text);
    }

    private static double seconds(long nanos) {
        return (nanos - START) / 1e9;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clear " + dir, e);
        }
    }
}
