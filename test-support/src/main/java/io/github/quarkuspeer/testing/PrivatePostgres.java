package io.github.quarkuspeer.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own, for tests that must stop, restart or break the database.
 * <p>
 * The PostgreSQL servers on {@code localhost:5432} are shared by every test run on the machine and must never be
 * stopped. A test that needs an outage starts one of these instead: a fresh cluster made with {@code initdb} in a
 * temporary directory, listening only on {@code 127.0.0.1} on a free port, with its unix socket in its own data
 * directory, trust authentication and settings tuned for speed rather than durability ({@code fsync=off}).
 * <p>
 * PostgreSQL refuses to run as root, and CI runs as root: then every server command runs as the {@code postgres}
 * OS user through {@code runuser}, and the temporary directory is handed to that user. The binaries are taken from
 * the highest {@code /usr/lib/postgresql/<version>/bin}.
 * <p>
 * The output of {@code initdb}, {@code pg_ctl} and the server goes to {@code postgres.log} next to the data
 * directory; when a step fails its tail is part of the exception message. A JVM shutdown hook closes the server
 * if the test run ends without {@link #close()}.
 *
 * <pre>{@code
 * try (PrivatePostgres pg = PrivatePostgres.start()) {
 *     // ... connect to pg.jdbcUrl() as pg.user()
 *     pg.stop();        // the database is down
 *     pg.startAgain();  // same port, same data
 * }
 * }</pre>
 */
public final class PrivatePostgres implements AutoCloseable {

    private static final Path INSTALL_ROOT = Paths.get("/usr/lib/postgresql");
    private static final String OS_USER = "postgres";
    private static final String DB_USER = "postgres";
    private static final String DATABASE = "postgres";
    private static final int STEP_TIMEOUT_SECONDS = 60;
    private static final int READY_TIMEOUT_SECONDS = 30;
    private static final int LOG_TAIL_LINES = 40;

    private final Path bin;
    private final Path baseDir;
    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private final boolean asRoot;
    private final Thread shutdownHook;

    private boolean running;
    private boolean closed;

    private PrivatePostgres(Path bin, Path baseDir, int port, boolean asRoot) {
        this.bin = bin;
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.logFile = baseDir.resolve("postgres.log");
        this.port = port;
        this.asRoot = asRoot;
        this.shutdownHook = new Thread(this::closeQuietly, "private-postgres-shutdown-" + port);
    }

    /**
     * Creates a new cluster in a temporary directory, starts it and returns once it accepts JDBC connections.
     * Nothing but the default {@code postgres} database and user exists.
     *
     * @throws IllegalStateException if no PostgreSQL installation is found or a step fails (the message holds the
     *                               tail of the log)
     */
    public static PrivatePostgres start() {
        Path bin = findBinaries();
        Path baseDir;
        try {
            baseDir = Files.createTempDirectory("peer-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for a private PostgreSQL", e);
        }
        PrivatePostgres pg = new PrivatePostgres(bin, baseDir, freePort(), isRoot(baseDir));
        Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
        try {
            pg.initialize();
            pg.startAgain();
            return pg;
        } catch (RuntimeException e) {
            pg.closeQuietly();
            throw e;
        }
    }

    /** The JDBC URL of the {@code postgres} database; stays the same across {@link #stop()} and restarts. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** The TCP port the server listens on, chosen free at {@link #start()} and kept for restarts. */
    public int port() {
        return port;
    }

    /** The database user to connect as; authentication is {@code trust}, so any password is accepted. */
    public String user() {
        return DB_USER;
    }

    /**
     * Stops the server with a fast shutdown (open connections are cut) and returns once its process is gone, so
     * that a test can assert on a database that is really down. The data stays for {@link #startAgain()}.
     * Does nothing if the server is already stopped.
     */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        Optional<ProcessHandle> postmaster = postmaster();
        run("stop", pgCtl("stop", "-m", "fast", "-w", "-t", String.valueOf(READY_TIMEOUT_SECONDS)));
        postmaster.ifPresent(this::awaitExit);
        running = false;
    }

    /**
     * Starts the stopped server again on the same port with the same data, and returns once it accepts JDBC
     * connections. Does nothing if it is already running.
     */
    public synchronized void startAgain() {
        if (closed) {
            throw new IllegalStateException("This private PostgreSQL has been closed");
        }
        if (running) {
            return;
        }
        run("start", pgCtl("start", "-w", "-t", String.valueOf(READY_TIMEOUT_SECONDS), "-l", logFile.toString()));
        running = true;
        awaitJdbc();
    }

    /** Stops the server if it runs, then starts it again: a short outage with the same port and data. */
    public synchronized void restart() {
        stop();
        startAgain();
    }

    /**
     * Cuts the connections of other clients whose {@code application_name} matches the SQL {@code LIKE} pattern,
     * the way an administrator or a failover would, without stopping the server.
     *
     * @return how many backends were terminated
     */
    public int terminateConnections(String applicationNameLike) {
        String sql = "select count(pg_terminate_backend(pid)) from pg_stat_activity"
                + " where pid <> pg_backend_pid() and backend_type = 'client backend' and application_name like ?";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, applicationNameLike);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot terminate connections on " + jdbcUrl(), e);
        }
    }

    /**
     * Stops the server (immediately: its data is about to go) and deletes its directory. Safe to call twice; a test
     * that forgets it is covered by the shutdown hook.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: this call may be the hook itself.
        }
        try {
            if (running || Files.exists(dataDir.resolve("postmaster.pid"))) {
                Optional<ProcessHandle> postmaster = postmaster();
                try {
                    run("stop", pgCtl("stop", "-m", "immediate", "-w", "-t", String.valueOf(READY_TIMEOUT_SECONDS)));
                } catch (RuntimeException e) {
                    // Last resort, so that no server outlives the test run; its backends follow their postmaster.
                    postmaster.ifPresent(ProcessHandle::destroyForcibly);
                }
                postmaster.ifPresent(this::awaitExit);
                running = false;
            }
        } finally {
            closed = true;
            deleteRecursively(baseDir);
        }
    }

    @Override
    public String toString() {
        return "PrivatePostgres[" + jdbcUrl() + ", dir=" + baseDir + (running ? ", running" : ", stopped") + "]";
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void initialize() {
        try {
            Files.createFile(logFile);
            if (asRoot) {
                // The server runs as 'postgres': it must own the directory (and the log, which pg_ctl appends to).
                run("chown", List.of("chown", "-R", OS_USER + ":" + OS_USER, baseDir.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + baseDir, e);
        }
        run("initdb", asServerUser(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(),
                "-U", DB_USER, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync")));
        String settings = String.join("\n",
                "",
                "# Added by " + PrivatePostgres.class.getName() + ": a private, fast, throw-away server",
                "port = " + port,
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = '" + dataDir + "'",
                "max_connections = 50",
                "shared_buffers = 16MB",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "");
        try {
            // Appending as root keeps the file's owner, so the server can still read it.
            Files.writeString(dataDir.resolve("postgresql.conf"), settings, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot configure " + dataDir, e);
        }
    }

    private List<String> pgCtl(String... args) {
        List<String> command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString()));
        command.addAll(List.of(args));
        return asServerUser(command);
    }

    private List<String> asServerUser(List<String> command) {
        if (!asRoot) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", OS_USER, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Runs one step, its output appended to the log; fails with the log's tail if it fails or hangs. */
    private void run(String step, List<String> command) {
        appendToLog("\n$ " + String.join(" ", command) + "\n");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(baseDir.toFile()) // the server user may not be allowed into the caller's directory
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        // Variables such as PGDATA or PGPORT must not redirect the tools to another server.
        builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
        try {
            Process process = builder.start();
            if (!process.waitFor(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw failure(step + " did not finish within " + STEP_TIMEOUT_SECONDS + " s", null);
            }
            if (process.exitValue() != 0) {
                throw failure(step + " failed with exit code " + process.exitValue(), null);
            }
        } catch (IOException e) {
            throw failure(step + " could not be run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(step + " was interrupted", e);
        }
    }

    /** {@code pg_ctl -w} already waited for the server; this proves that JDBC clients get in too. */
    private void awaitJdbc() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        SQLException last;
        do {
            try (Connection c = connect()) {
                c.createStatement().execute("select 1");
                return;
            } catch (SQLException e) {
                last = e;
            }
            sleep(100);
        } while (System.nanoTime() < deadline);
        throw failure("The server does not accept JDBC connections after " + READY_TIMEOUT_SECONDS + " s", last);
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", DB_USER);
        props.setProperty("connectTimeout", "2");
        props.setProperty("ApplicationName", "private-postgres-admin");
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    /** The running postmaster, read from the first line of {@code postmaster.pid}. */
    private Optional<ProcessHandle> postmaster() {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Waits until the postmaster has exited and the port is free, so that "stopped" really means unreachable. */
    private void awaitExit(ProcessHandle postmaster) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
        while (isRunning(postmaster) || portAccepts()) {
            if (System.nanoTime() > deadline) {
                throw failure("The server (pid " + postmaster.pid() + ") is still alive after stopping", null);
            }
            sleep(50);
        }
    }

    /**
     * A postmaster that has exited stays a zombie until its parent reaps it; the parent is whatever adopted it
     * (PID 1 in a container), which may reap late or never. A zombie serves nothing, so it counts as stopped.
     */
    private static boolean isRunning(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Paths.get("/proc", String.valueOf(process.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return process.isAlive(); // no /proc (not Linux) or the process just vanished
        }
    }

    private boolean portAccepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private IllegalStateException failure(String message, Throwable cause) {
        return new IllegalStateException("Private PostgreSQL in " + baseDir + ": " + message
                + "\n--- last lines of " + logFile + " ---\n" + logTail(), cause);
    }

    private String logTail() {
        try (Stream<String> lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
            List<String> all = lines.toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - LOG_TAIL_LINES), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private void appendToLog(String text) {
        try {
            Files.writeString(logFile, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // The log only helps diagnose failures; a missing line must not cause one.
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("Could not close " + this + ": " + e.getMessage());
        }
    }

    private static Path findBinaries() {
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(INSTALL_ROOT)) {
            List<Path> candidates = new ArrayList<>();
            for (Path version : versions) {
                if (version.getFileName().toString().matches("\\d+(\\.\\d+)?")
                        && Files.isExecutable(version.resolve("bin/pg_ctl"))
                        && Files.isExecutable(version.resolve("bin/initdb"))) {
                    candidates.add(version.resolve("bin"));
                }
            }
            return candidates.stream()
                    .max(Comparator.comparingDouble(p -> Double.parseDouble(p.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("No PostgreSQL binaries in " + INSTALL_ROOT + "/*/bin"));
        } catch (IOException e) {
            throw new IllegalStateException("No PostgreSQL installation under " + INSTALL_ROOT, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port", e);
        }
    }

    /** The owner of a directory this JVM just created is the user the JVM runs as. */
    private static boolean isRoot(Path createdByUs) {
        try {
            return ((Integer) Files.getAttribute(createdByUs, "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the private PostgreSQL", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }
}
