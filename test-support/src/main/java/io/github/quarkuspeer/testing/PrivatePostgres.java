package io.github.quarkuspeer.testing;

import static io.github.quarkuspeer.testing.ProcessSupport.SERVER_OS_USER;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A PostgreSQL server of the test's own, for tests that must stop, restart, crash or fail over the database.
 * <p>
 * The PostgreSQL servers on {@code localhost:5432} are shared by every test run on the machine and must never be
 * stopped. A test that needs an outage starts one of these instead: a fresh cluster made with {@code initdb} in a
 * temporary directory, listening only on {@code 127.0.0.1} on a free port, with its unix socket in its own data
 * directory, trust authentication and settings tuned for speed rather than durability: {@code fsync=off}, so what a
 * server has written survives a crash of the server, as the kernel still holds it, but not a crash of the machine,
 * which no test causes. Commits are written before they are confirmed ({@code synchronous_commit=on}), so a
 * {@link #kill()} loses no confirmed commit.
 * <p>
 * Every server is ready to be a replication primary ({@code wal_level=replica}, WAL senders and slots, the
 * {@code replication} lines of {@code initdb}'s trusting {@code pg_hba.conf}); {@link PrivatePostgresPair} makes a
 * standby of one and fails over to it with {@link #kill()} and {@link #promote()}.
 * <p>
 * PostgreSQL refuses to run as root, and CI runs as root: then every server command runs as the {@code postgres}
 * OS user through {@code runuser}, and the temporary directory is handed to that user. The binaries are taken from
 * the highest {@code /usr/lib/postgresql/<version>/bin}.
 * <p>
 * The output of {@code initdb}, {@code pg_ctl} and the server goes to {@link #logFile()} next to the data directory;
 * when a step fails its tail is part of the exception message. A JVM shutdown hook closes the server if the test run
 * ends without {@link #close()}.
 *
 * <pre>{@code
 * try (PrivatePostgres pg = PrivatePostgres.start()) {
 *     // ... connect to pg.jdbcUrl() as pg.user()
 *     pg.stop();        // the database is down
 *     pg.startAgain();  // same port, same data
 *     pg.kill();        // a crash: every server process gets SIGKILL
 *     pg.startAgain();  // crash recovery, then the same data
 * }
 * }</pre>
 */
public final class PrivatePostgres implements AutoCloseable {

    private static final Path INSTALL_ROOT = Paths.get("/usr/lib/postgresql");
    private static final String DB_USER = "postgres";
    private static final String DATABASE = "postgres";
    private static final int STEP_TIMEOUT_SECONDS = 60;
    private static final int READY_TIMEOUT_SECONDS = 30;

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
        PrivatePostgres pg = create();
        try {
            pg.initialize();
            pg.startAgain();
            return pg;
        } catch (RuntimeException e) {
            pg.closeQuietly();
            throw e;
        }
    }

    /**
     * Makes a hot standby of {@code primary} with {@code pg_basebackup -R} on a free port and starts it: it streams
     * WAL from the primary through the physical replication slot {@code name}, and reports itself to the primary as
     * the application {@code name} (its {@code cluster_name}), the name that {@code synchronous_standby_names}
     * refers to. Returns once it accepts JDBC connections; it may not be streaming yet.
     */
    static PrivatePostgres startStandbyOf(PrivatePostgres primary, String name) {
        PrivatePostgres standby = create();
        try {
            standby.prepareDirectory();
            standby.run("pg_basebackup", standby.asServerUser(List.of(standby.bin.resolve("pg_basebackup").toString(),
                    "-h", "127.0.0.1", "-p", String.valueOf(primary.port), "-U", DB_USER,
                    "-D", standby.dataDir.toString(),
                    "--write-recovery-conf", "--create-slot", "--slot=" + name,
                    "--wal-method=stream", "--checkpoint=fast", "--no-sync")));
            // The copied postgresql.conf still names the primary's port and socket directory; later lines win.
            standby.appendSettings(
                    "# Added by " + PrivatePostgres.class.getName() + ": a standby of " + primary.jdbcUrl(),
                    "port = " + standby.port,
                    "unix_socket_directories = '" + standby.dataDir + "'",
                    "cluster_name = '" + name + "'");
            standby.startAgain();
            return standby;
        } catch (RuntimeException e) {
            standby.closeQuietly();
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

    /** The log of the server and of the commands run for it: errors clients saw are there too. */
    public Path logFile() {
        return logFile;
    }

    /**
     * Stops the server with a fast shutdown (open connections are cut) and returns once its process is gone, so
     * that a test can assert on a database that is really down. The data stays for {@link #startAgain()}.
     * Does nothing if the server is already stopped.
     * <p>
     * A primary's fast shutdown waits until its WAL senders have sent every record up to the shutdown checkpoint:
     * a connected standby, even an asynchronous one, misses no commit. To lose one, use {@link #kill()} or cut the
     * standby off first ({@link PrivatePostgresPair#cutReplication()}).
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
     * Crashes the server: SIGKILL to the postmaster and every process it started, at once, as if its machine had
     * died, except that what it had written survives. Nothing is written or sent that was not already: a standby
     * gets nothing more. {@link #startAgain()} runs crash recovery and finds every confirmed commit. Returns once
     * every process is gone and the port refuses connections. Does nothing if the server is already stopped.
     */
    public synchronized void kill() {
        if (!running) {
            return;
        }
        Optional<ProcessHandle> postmaster = postmaster();
        if (postmaster.isEmpty()) {
            throw failure("kill: no postmaster.pid, or its process is gone", null);
        }
        List<ProcessHandle> children = postmaster.get().children().toList();
        postmaster.get().destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        awaitExit(postmaster.get());
        children.forEach(this::awaitExit);
        running = false;
        // The dead postmaster stays a zombie until PID 1 reaps it, and PostgreSQL takes a PID that still exists in
        // its lock files for a running server: it would refuse to start again. We know it is dead.
        try {
            Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
            Files.deleteIfExists(dataDir.resolve(".s.PGSQL." + port + ".lock"));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove the lock files of the killed server in " + dataDir, e);
        }
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
     * Promotes this standby to a primary with {@code pg_ctl promote -w} and returns once it accepts writes. The
     * standby first replays all the WAL it has received (even if replay was paused with
     * {@code pg_wal_replay_pause()}), then starts a new timeline: what it never received is lost.
     *
     * @throws IllegalStateException if this server is not a standby, or promotion fails
     */
    public synchronized void promote() {
        if (!queryBoolean("select pg_is_in_recovery()")) {
            throw failure("promote: this server is not a standby", null);
        }
        run("promote", pgCtl("promote", "-w", "-t", String.valueOf(READY_TIMEOUT_SECONDS)));
        if (!ProcessSupport.awaitCondition(() -> !queryBoolean("select pg_is_in_recovery()"), READY_TIMEOUT_SECONDS,
                20)) {
            throw failure("promote: still in recovery after " + READY_TIMEOUT_SECONDS + " s", null);
        }
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
            Optional<ProcessHandle> postmaster = postmaster().filter(ProcessSupport::isRunning);
            if (running || postmaster.isPresent()) {
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
            ProcessSupport.deleteRecursively(baseDir);
        }
    }

    @Override
    public String toString() {
        return "PrivatePostgres[" + jdbcUrl() + ", dir=" + baseDir + (running ? ", running" : ", stopped") + "]";
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Runs SQL as the administrator, for {@link PrivatePostgresPair}; fails with the log's tail. */
    void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw failure("'" + sql + "' failed", e);
        }
    }

    /** The first column of the first row, or null if there is no row; fails with the log's tail. */
    String queryString(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw failure("'" + sql + "' failed", e);
        }
    }

    boolean queryBoolean(String sql) {
        return "t".equals(queryString(sql));
    }

    IllegalStateException failure(String message, Throwable cause) {
        return new IllegalStateException("Private PostgreSQL in " + baseDir + ": " + message
                + "\n--- last lines of " + logFile + " ---\n" + ProcessSupport.tail(logFile), cause);
    }

    private static PrivatePostgres create() {
        Path bin = findBinaries();
        Path baseDir;
        try {
            baseDir = Files.createTempDirectory("peer-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for a private PostgreSQL", e);
        }
        PrivatePostgres pg = new PrivatePostgres(bin, baseDir, FreePorts.pick(),
                ProcessSupport.isRoot(baseDir));
        Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
        return pg;
    }

    private void prepareDirectory() {
        try {
            Files.createFile(logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + baseDir, e);
        }
        if (asRoot) {
            // The server runs as 'postgres': it must own the directory (and the log, which pg_ctl appends to).
            run("chown", List.of("chown", "-R", SERVER_OS_USER + ":" + SERVER_OS_USER, baseDir.toString()));
        }
    }

    private void initialize() {
        prepareDirectory();
        run("initdb", asServerUser(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(),
                "-U", DB_USER, "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync")));
        appendSettings(
                "# Added by " + PrivatePostgres.class.getName() + ": a private, fast, throw-away server",
                "port = " + port,
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = '" + dataDir + "'",
                "max_connections = 50",
                "shared_buffers = 16MB",
                "fsync = off",
                // A commit writes its WAL before it returns (fsync being off, that costs a write only), so that a
                // killed server, like a crashed real one, keeps every commit it confirmed.
                "synchronous_commit = on",
                "full_page_writes = off",
                "# Ready to be a replication primary (PostgreSQL 15's defaults, written down)",
                "wal_level = replica",
                "max_wal_senders = 5",
                "max_replication_slots = 5",
                "hot_standby = on");
    }

    private void appendSettings(String... lines) {
        try {
            // Appending as root keeps the file's owner, so the server can still read it.
            Files.writeString(dataDir.resolve("postgresql.conf"), "\n" + String.join("\n", lines) + "\n",
                    StandardOpenOption.APPEND);
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
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", SERVER_OS_USER, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Runs one step, its output appended to the log; fails with the log's tail if it fails or hangs. */
    private void run(String step, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(baseDir.toFile()); // the server user may not be allowed into the caller's directory
        // Variables such as PGDATA or PGPORT must not redirect the tools to another server.
        builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
        try {
            ProcessSupport.run(step, builder, STEP_TIMEOUT_SECONDS, logFile);
        } catch (IllegalStateException e) {
            throw failure(e.getMessage(), e.getCause());
        }
    }

    /** {@code pg_ctl -w} already waited for the server; this proves that JDBC clients get in too. */
    private void awaitJdbc() {
        SQLException[] last = new SQLException[1];
        boolean ready = ProcessSupport.awaitCondition(() -> {
            try (Connection c = connect()) {
                c.createStatement().execute("select 1");
                return true;
            } catch (SQLException e) {
                last[0] = e;
                return false;
            }
        }, READY_TIMEOUT_SECONDS, 100);
        if (!ready) {
            throw failure("The server does not accept JDBC connections after " + READY_TIMEOUT_SECONDS + " s", last[0]);
        }
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

    /** Waits until the process has exited and the port is free, so that "stopped" really means unreachable. */
    private void awaitExit(ProcessHandle process) {
        boolean gone = ProcessSupport.awaitCondition(
                () -> !ProcessSupport.isRunning(process) && !ProcessSupport.portAccepts(port), READY_TIMEOUT_SECONDS, 50);
        if (!gone) {
            throw failure("The server (pid " + process.pid() + ") is still alive after stopping", null);
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
}
