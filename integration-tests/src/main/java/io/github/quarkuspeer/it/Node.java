package io.github.quarkuspeer.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.awaitility.Awaitility;

/**
 * One demo node: a separate JVM that a {@link Cluster} started, with its own HTTP port, node name, log file and
 * claim history.
 * <p>
 * It reads the node's state over HTTP ({@link #peers()}, {@link #health()}) and injects the process faults. Each
 * fault returns the {@link System#nanoTime()} taken just before the signal was sent, on the clock that the nodes'
 * histories use, so that a test can measure a handover from the fault to the next {@link Claim}.
 */
public final class Node {

    /**
     * How long a read of a node's state may take before the node counts as not answering. Generous: while the
     * database refuses connections, the datasource's own readiness check makes each health answer take seconds.
     */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);

    private final NodeSpec spec;
    private final int port;
    private final Path directory;
    private final String applicationName;
    private final Process process;
    private final HttpClient http;
    private final Consumer<String> events;
    private volatile boolean paused;
    private volatile boolean ready;

    Node(NodeSpec spec, int port, Path directory, String applicationName, Process process, HttpClient http,
            Consumer<String> events) {
        this.spec = spec;
        this.port = port;
        this.directory = directory;
        this.applicationName = applicationName;
        this.process = process;
        this.http = http;
        this.events = events;
    }

    public String name() {
        return spec.name();
    }

    public NodeSpec spec() {
        return spec;
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    /** The node's own directory: its working directory, log and history. */
    public Path directory() {
        return directory;
    }

    /** Everything the node wrote to its standard output and error. */
    public Path logFile() {
        return directory.resolve("node.log");
    }

    /** The claim history the node appends to (see {@link History}). */
    public Path historyFile() {
        return directory.resolve("node" + History.FILE_SUFFIX);
    }

    /**
     * The name its database connections carry where the database can tag them (PostgreSQL's
     * {@code application_name}); unique in the cluster and free of SQL {@code LIKE} wildcards.
     */
    public String applicationName() {
        return applicationName;
    }

    /** The URI of a path on the node's HTTP server. */
    public URI uri(String path) {
        return URI.create("http://" + spec.host() + ":" + port + path);
    }

    // ----------------------------------------------------------------------------------------------- state

    /**
     * The node's view of every instance ({@code GET /peers}).
     *
     * @throws UncheckedIOException if it does not answer within {@link #READ_TIMEOUT}
     */
    public PeersView peers() {
        return join(peersAsync(READ_TIMEOUT), READ_TIMEOUT);
    }

    /** The node's view, or empty if it does not answer in time (stopped, paused, starting). */
    public Optional<PeersView> tryPeers() {
        if (!isAlive() || paused) {
            return Optional.empty();
        }
        try {
            return Optional.of(peers());
        } catch (UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /**
     * Asks for the node's view and returns at once. The request is sent even while the node is paused: the
     * operating system accepts the connection, and the node answers it first thing when it runs again.
     */
    public CompletableFuture<PeersView> peersAsync(Duration timeout) {
        return get("/peers", timeout).thenApply(response -> parse(response.body(), PeersView.class));
    }

    /**
     * The node's readiness checks ({@code GET /q/health/ready}), UP or DOWN.
     *
     * @throws UncheckedIOException if it does not answer within {@link #READ_TIMEOUT}
     */
    public Health health() {
        return join(healthAsync(READ_TIMEOUT), READ_TIMEOUT);
    }

    /** Asks for the node's readiness checks and returns at once; see {@link #peersAsync}. */
    public CompletableFuture<Health> healthAsync(Duration timeout) {
        return get("/q/health/ready", timeout).thenApply(response -> {
            Health body = parse(response.body(), Health.class);
            return new Health(response.statusCode(), body.status(), body.checks());
        });
    }

    /**
     * The node's meters in Prometheus' text format ({@code GET /q/metrics}).
     *
     * @throws UncheckedIOException if it does not answer within {@link #READ_TIMEOUT}
     */
    public String metrics() {
        return join(get("/q/metrics", READ_TIMEOUT).thenApply(HttpResponse::body), READ_TIMEOUT);
    }

    private CompletableFuture<HttpResponse<String>> get(String path, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri(path)).timeout(timeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private <T> T parse(String body, Class<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new UncheckedIOException("Node " + name() + " answered with something that is not a "
                    + type.getSimpleName() + ": " + body, e);
        }
    }

    private <T> T join(CompletableFuture<T> answer, Duration timeout) {
        try {
            return answer.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException unchecked) {
                throw unchecked;
            }
            if (cause instanceof IOException io) {
                throw new UncheckedIOException("Node " + name() + " on port " + port + " did not answer: " + io, io);
            }
            throw new IllegalStateException("Reading node " + name() + " failed", cause);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new UncheckedIOException("Node " + name() + " on port " + port + " did not answer in " + timeout,
                    new IOException(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading node " + name(), e);
        }
    }

    /** The logger whose DEBUG lines say that a release notification was heard. */
    static final String LISTENER_CATEGORY = "io.github.quarkuspeer.runtime.database.PostgresListener";

    /**
     * Whether this node heard a notification that the lease of {@code instance} was released: only a follower
     * woken that way can take a released lease over faster than its own schedule.
     */
    public boolean heardRelease(String instance) {
        return log().contains("heard the release of instance " + instance + " ");
    }

    /** The node's log so far. */
    public String log() {
        try {
            return Files.readString(logFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The last {@code lines} lines of the node's log, for failure messages. */
    public String logTail(int lines) {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Whether the node has answered since it started: a node still starting is left out of a cluster's views. */
    public boolean isReady() {
        return ready;
    }

    void markReady() {
        ready = true;
    }

    /** Whether the node is stopped by {@link #pause()} and not yet resumed. */
    public boolean isPaused() {
        return paused && isAlive();
    }

    // ----------------------------------------------------------------------------------------------- faults

    /**
     * Sends SIGTERM: the node shuts down gracefully (a leader releases its leases). Returns at once; see
     * {@link #awaitExit}.
     *
     * @return the nano time just before the signal
     */
    public long terminate() {
        long at = System.nanoTime();
        process.destroy();
        events.accept("SIGTERM to " + this);
        return at;
    }

    /**
     * Sends SIGKILL and waits until the process is gone: no shutdown, no release.
     *
     * @return the nano time just before the signal
     */
    public long kill() {
        long at = System.nanoTime();
        process.destroyForcibly();
        awaitExit(SIGNAL_TIMEOUT);
        events.accept("SIGKILL to " + this);
        return at;
    }

    /**
     * Sends SIGSTOP and waits until the process is stopped: it runs no code, answers nothing and renews nothing,
     * like a very long garbage collection pause, until {@link #resume()}.
     *
     * @return the nano time just before the signal
     */
    public long pause() {
        long at = System.nanoTime();
        signal("STOP");
        paused = true;
        events.accept("SIGSTOP to " + this);
        Awaitility.await("node " + name() + " stopped").atMost(SIGNAL_TIMEOUT)
                .pollInterval(Duration.ofMillis(10)).until(() -> processState() == 'T');
        return at;
    }

    /**
     * Sends SIGCONT to a paused node and waits until it runs again.
     *
     * @return the nano time just before the signal
     */
    public long resume() {
        long at = System.nanoTime();
        signal("CONT");
        paused = false;
        events.accept("SIGCONT to " + this);
        Awaitility.await("node " + name() + " running").atMost(SIGNAL_TIMEOUT)
                .pollInterval(Duration.ofMillis(10)).until(() -> processState() != 'T');
        return at;
    }

    /**
     * Waits until the process has exited.
     *
     * @return its exit code
     * @throws IllegalStateException if it is still alive after {@code timeout}
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("Node " + name() + " (pid " + pid() + ") still runs after " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for node " + name() + " to exit", e);
        }
    }

    /** Kills the process if it still runs and waits for it; for clean-up, never fails. */
    void destroy() {
        if (process.isAlive()) {
            process.destroyForcibly(); // SIGKILL ends a stopped process too
            try {
                process.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void signal(String name) {
        if (!isAlive()) {
            throw new IllegalStateException("Node " + name() + " (pid " + pid() + ") is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).redirectErrorStream(true)
                    .start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run kill -" + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending SIG" + name, e);
        }
    }

    /** The state letter of the process in {@code /proc/<pid>/stat}: 'T' when stopped. */
    private char processState() {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return 'X'; // gone
        }
    }

    @Override
    public String toString() {
        return name() + " (pid " + pid() + ", port " + port + ")";
    }
}
