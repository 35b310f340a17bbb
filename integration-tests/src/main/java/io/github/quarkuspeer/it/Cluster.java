package io.github.quarkuspeer.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import io.github.quarkuspeer.testing.FreePorts;

/**
 * A cluster of demo nodes, each a separate JVM running the packaged test node (the demo plus a claim history)
 * against one {@link Database}: the harness
 * of the fault tests, the benchmarks and the demo cluster.
 *
 * <pre>{@code
 * try (PrivatePostgres pg = PrivatePostgres.start();
 *         Cluster cluster = Cluster.builder(Database.postgres(pg)).interval(Duration.ofSeconds(2)).build()) {
 *     Node first = cluster.start("n1");
 *     cluster.startAll("n2", "n3");
 *     Node leader = cluster.awaitLeader(PeersView.DEFAULT_INSTANCE, Duration.ofSeconds(30));
 *     long killedAt = leader.kill();
 *     Node next = cluster.awaitLeader(PeersView.DEFAULT_INSTANCE, Duration.ofSeconds(30), n -> n != leader);
 *     History history = cluster.history();
 *     history.assertSafe();
 *     Claim taken = history.firstClaimFrom(PeersView.DEFAULT_INSTANCE, killedAt).orElseThrow();
 * }
 * }</pre>
 *
 * Every node runs with its own HTTP port, node name ({@code quarkus.peer.node}), directory (log, claim history) and
 * database application name, and with the cluster's interval and lease. {@link #close()} kills whatever still runs;
 * so does a JVM shutdown hook should the caller never close the cluster, and a small preloaded library (compiled
 * with {@code gcc}) kills each node by itself should the JVM that started it die without running its hooks. No node
 * outlives its cluster.
 * <p>
 * Only one thread should start and stop nodes; reading state is safe from any thread.
 */
public final class Cluster implements AutoCloseable {

    /** The JVM options of each node unless {@link Builder#jvmOptions} says otherwise: small and quick to start. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx192m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    private static final int PORT_ATTEMPTS = 3;

    private final Database database;
    private final Duration interval;
    private final Duration lease;
    private final Path directory;
    private final boolean ownsDirectory;
    private final List<String> jvmOptions;
    private final Map<String, String> properties;
    private final Duration startTimeout;
    private final Consumer<String> events;
    private final long createdAt = System.nanoTime();
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread shutdownHook = new Thread(this::destroyAll, "peer-cluster-shutdown");
    private int started;
    private boolean closed;

    private Cluster(Builder builder) {
        this.database = builder.database;
        this.interval = builder.interval;
        this.lease = builder.lease == null ? builder.interval : builder.lease;
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.properties = Map.copyOf(builder.properties);
        this.startTimeout = builder.startTimeout;
        this.events = builder.events != null ? builder.events
                : text -> System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", elapsedSeconds(), text);
        try {
            this.ownsDirectory = builder.directory == null;
            this.directory = ownsDirectory ? Files.createTempDirectory("peer-cluster-")
                    : Files.createDirectories(builder.directory).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the cluster's directory", e);
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A cluster on {@code database}, whose demo build follows from it ({@link Database#build()}). */
    public static Builder builder(Database database) {
        return new Builder(database);
    }

    /** The settings of a cluster; every node started by it shares them. */
    public static final class Builder {

        private final Database database;
        private Duration interval = Duration.ofSeconds(2);
        private Duration lease;
        private Path directory;
        private List<String> jvmOptions = DEFAULT_JVM_OPTIONS;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(90);
        private Consumer<String> events;

        private Builder(Database database) {
            this.database = Objects.requireNonNull(database);
        }

        /** {@code quarkus.peer.interval} of every node; 2 s unless set. */
        public Builder interval(Duration interval) {
            this.interval = interval;
            return this;
        }

        /** {@code quarkus.peer.lease-duration} of every node; the interval unless set. */
        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        /**
         * Where the nodes' directories go; it is kept after {@link Cluster#close()}, for the logs. Unless set, a
         * temporary directory that {@code close()} deletes.
         */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** The options of every node's JVM, replacing {@link Cluster#DEFAULT_JVM_OPTIONS}. */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /** A system property of every node, for example a key of the demo's configuration. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** How long a node may take to answer its first request; 90 s unless set. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /**
         * Where the cluster reports what it does (nodes started, signals sent), one line at a time; unless set,
         * standard output, each line after the seconds since the cluster was built.
         */
        public Builder events(Consumer<String> events) {
            this.events = events;
            return this;
        }

        public Cluster build() {
            return new Cluster(this);
        }
    }

    public Database database() {
        return database;
    }

    public Duration interval() {
        return interval;
    }

    public Duration lease() {
        return lease;
    }

    /** Where the nodes' directories are: {@link History#read(Path)} reads every node's history from here. */
    public Path directory() {
        return directory;
    }

    // ------------------------------------------------------------------------------------------------ starting

    /** Starts a node named {@code name} and waits until it answers. */
    public Node start(String name) {
        return start(NodeSpec.named(name));
    }

    /** Starts a node and waits until it answers. */
    public Node start(NodeSpec spec) {
        return startAll(List.of(spec)).get(0);
    }

    /** Starts nodes with these names side by side and waits until all of them answer. */
    public List<Node> startAll(String... names) {
        return startAll(Stream.of(names).map(NodeSpec::named).toList());
    }

    /**
     * Starts the nodes side by side and waits until all of them answer. A node that fails to start is retried on
     * another port if its port was taken meanwhile; any other failure throws with the tail of its log.
     */
    public List<Node> startAll(List<NodeSpec> specs) {
        if (closed) {
            throw new IllegalStateException("This cluster is closed");
        }
        List<Launch> launches = new ArrayList<>();
        for (NodeSpec spec : specs) {
            launches.add(launch(spec, 1));
        }
        List<Node> ready = new ArrayList<>();
        for (Launch launch : launches) {
            ready.add(awaitReady(launch));
        }
        return ready;
    }

    private record Launch(NodeSpec spec, Node node, int attempt) {
    }

    private synchronized Launch launch(NodeSpec spec, int attempt) {
        int number = ++started;
        String id = String.format("%02d-%s", number, spec.name().replaceAll("[^A-Za-z0-9.-]", "_"));
        Path nodeDir = directory.resolve(id);
        int port = FreePorts.pick();
        String applicationName = "peer-node-" + id.replace('_', '-');
        List<String> command = new ArrayList<>(spec.commandPrefix());
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.http.host", spec.host());
        props.put("quarkus.http.port", Integer.toString(port));
        props.put("quarkus.peer.node", spec.name());
        props.put("quarkus.peer.interval", interval.toMillis() + "ms");
        props.put("quarkus.peer.lease-duration", lease.toMillis() + "ms");
        props.put("quarkus.datasource.jdbc.url", database.jdbcUrl(applicationName));
        props.put("quarkus.datasource.username", database.user());
        props.put("quarkus.datasource.password", database.password());
        props.put("test-node.history.file", nodeDir.resolve("node" + History.FILE_SUFFIX).toString());
        // so that a test can tell a follower woken by a release notification (Node#heardRelease)
        props.put("quarkus.log.category.\"" + Node.LISTENER_CATEGORY + "\".level", "DEBUG");
        props.putAll(database.nodeProperties(spec.name(), directory));
        props.putAll(properties);
        props.putAll(spec.properties());
        props.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(database.build().runJar().toString());

        ProcessBuilder builder = new ProcessBuilder(command).directory(nodeDir.toFile()).redirectErrorStream(true)
                .redirectOutput(nodeDir.resolve("node.log").toFile());
        List<String> preload = new ArrayList<>();
        NativeShims.lifeline().ifPresent(library -> preload.add(library.toString()));
        if (!spec.wallClockShift().isZero()) {
            preload.add(NativeShims.wallClockShift().toString());
            builder.environment().put(NativeShims.SHIFT_VARIABLE, Long.toString(spec.wallClockShift().toMillis()));
        }
        if (!preload.isEmpty()) {
            builder.environment().put("LD_PRELOAD", String.join(":", preload));
        }
        try {
            Files.createDirectories(nodeDir);
            Files.write(nodeDir.resolve("command.txt"), command);
            Node node = new Node(spec, port, nodeDir, applicationName, builder.start(), http, this::event);
            nodes.add(node);
            event("started " + node + (spec.wallClockShift().isZero() ? "" : ", wall clock shifted by "
                    + spec.wallClockShift()) + ", log " + node.logFile());
            return new Launch(spec, node, attempt);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start node " + spec.name(), e);
        }
    }

    private Node awaitReady(Launch launch) {
        Node node = launch.node();
        try {
            Awaitility.await("node " + node + " answering").atMost(startTimeout)
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> !node.isAlive() || node.peers().pid() == node.pid());
        } catch (ConditionTimeoutException e) {
            node.destroy();
            throw new IllegalStateException("Node " + node + " did not answer within " + startTimeout + "; its log:\n"
                    + node.logTail(60), e);
        }
        if (node.isAlive()) {
            if (node.log().contains("Driver does not support the provided URL")) {
                // the build's database kind, fixed when it was packaged, is not the database's
                node.destroy();
                throw new IllegalStateException(database.build().runJar() + " was not packaged for "
                        + database.getClass().getSimpleName() + " (its JDBC driver refuses " + database.jdbcUrl("")
                        + "); its log:\n" + node.logTail(20));
            }
            node.markReady();
            return node;
        }
        String log = node.log();
        if (log.contains("Port already bound") || log.contains("Address already in use")) {
            if (launch.attempt() < PORT_ATTEMPTS) {
                nodes.remove(node);
                event("port " + node.port() + " of " + node.name() + " was taken meanwhile; starting it again");
                return awaitReady(launch(launch.spec(), launch.attempt() + 1));
            }
        }
        throw new IllegalStateException("Node " + node + " exited with " + node.awaitExit(Duration.ofSeconds(1))
                + " while starting; its log:\n" + node.logTail(60));
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** Every node this cluster started, running or not, in the order they were started. */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The nodes that still run (paused ones included). */
    public List<Node> running() {
        return nodes().stream().filter(Node::isAlive).toList();
    }

    /**
     * The view of every running node that answers within {@link Node#READ_TIMEOUT}, keyed by node, in start order.
     * Paused nodes and nodes still starting are not asked; the others are asked side by side.
     */
    public Map<Node, PeersView> views() {
        return ask(node -> node.peersAsync(Node.READ_TIMEOUT));
    }

    /**
     * The readiness checks of every running node that answers within {@link Node#READ_TIMEOUT}, keyed by node, in
     * start order. Paused nodes and nodes still starting are not asked; the others are asked side by side.
     */
    public Map<Node, Health> healths() {
        return ask(node -> node.healthAsync(Node.READ_TIMEOUT));
    }

    private <T> Map<Node, T> ask(Function<Node, CompletableFuture<T>> question) {
        Map<Node, CompletableFuture<T>> asked = new LinkedHashMap<>();
        for (Node node : running()) {
            if (node.isReady() && !node.isPaused()) {
                asked.put(node, question.apply(node));
            }
        }
        Map<Node, T> answers = new LinkedHashMap<>();
        asked.forEach((node, answer) -> {
            try {
                answers.put(node, answer.get(Node.READ_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS));
            } catch (ExecutionException | TimeoutException e) {
                answer.cancel(true); // no answer in time: left out
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while reading the nodes", e);
            }
        });
        return answers;
    }

    /** The answering nodes that say they lead {@code instance} now. */
    public List<Node> leaders(String instance) {
        return views().entrySet().stream().filter(e -> e.getValue().leads(instance)).map(Map.Entry::getKey)
                .toList();
    }

    /** The one node that leads {@code instance} now, if exactly one answering node says so. */
    public Optional<Node> leader(String instance) {
        List<Node> leaders = leaders(instance);
        return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
    }

    /**
     * Waits until exactly one answering node leads {@code instance} and every answering node names it as the
     * leader: the cluster has settled.
     *
     * @return the leader
     * @throws ConditionTimeoutException if that does not happen within {@code within}
     */
    public Node awaitLeader(String instance, Duration within) {
        return awaitLeader(instance, within, node -> true);
    }

    /** Like {@link #awaitLeader(String, Duration)}, for a leader that satisfies {@code which}. */
    public Node awaitLeader(String instance, Duration within, Predicate<Node> which) {
        return Awaitility.await("one leader of " + instance + " that all nodes agree on").atMost(within)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> settledLeader(instance).filter(which), Optional::isPresent).orElseThrow();
    }

    private Optional<Node> settledLeader(String instance) {
        Map<Node, PeersView> views = views();
        List<Node> leaders = views.entrySet().stream().filter(e -> e.getValue().leads(instance))
                .map(Map.Entry::getKey).toList();
        if (leaders.size() != 1) {
            return Optional.empty();
        }
        String name = leaders.get(0).name();
        boolean agreed = views.values().stream().allMatch(v -> name.equals(v.instance(instance).leaderNode()));
        return agreed ? Optional.of(leaders.get(0)) : Optional.empty();
    }

    /** The claim histories of every node started so far. */
    public History history() {
        return History.read(directory);
    }

    /** Seconds since the cluster was built, for reports. */
    public double elapsedSeconds() {
        return (System.nanoTime() - createdAt) / 1e9;
    }

    // ------------------------------------------------------------------------------------------------ stopping

    /**
     * Stops every running node gracefully (SIGTERM; a paused node is resumed first) and waits for them; a node
     * still running after {@code timeout} is killed.
     */
    public void stop(Duration timeout) {
        List<Node> alive = running();
        for (Node node : alive) {
            if (node.isPaused()) {
                node.resume();
            }
            node.terminate();
        }
        for (Node node : alive) {
            try {
                node.awaitExit(timeout);
            } catch (IllegalStateException e) {
                event(node + " ignored SIGTERM for " + timeout + "; killing it");
                node.destroy();
            }
        }
    }

    /**
     * Kills every node that still runs (SIGKILL) and waits for them; deletes the cluster's directory if it was a
     * temporary one. Safe to call twice.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        destroyAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down, and the hook runs anyway
        }
        if (ownsDirectory) {
            deleteRecursively(directory);
        }
    }

    private void destroyAll() {
        nodes.forEach(Node::destroy);
    }

    void event(String text) {
        events.accept(text);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
