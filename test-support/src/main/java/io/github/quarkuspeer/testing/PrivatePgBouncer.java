package io.github.quarkuspeer.testing;

import static io.github.quarkuspeer.testing.ProcessSupport.SERVER_OS_USER;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A PgBouncer of the test's own, in front of a PostgreSQL server, to test against a database the way many
 * production systems reach it: through a pooler that hands each transaction, or each session, a server connection.
 * <p>
 * It runs Debian's {@code /usr/sbin/pgbouncer}, installing the {@code pgbouncer} package with {@code apt-get} the
 * first time one is started on a machine that lacks it (CI machines start without it). It listens on
 * {@code 127.0.0.1} on a free port, with a config file and an auth file of its own in a temporary directory:
 * authentication is {@code trust} for the user {@code postgres}, so the PostgreSQL behind it must trust that user
 * too, as {@link PrivatePostgres} and the shared server on port 5432 do. Every database name reaches the database of
 * the same name on that server.
 * <p>
 * PgBouncer refuses to run as root ("PgBouncer should not run as root"), and CI runs as root: then it is started
 * with its own {@code -u postgres} option, which switches to the {@code postgres} OS user before it serves, so the
 * process this class holds is PgBouncer itself. Its output goes to {@code pgbouncer.log} in its directory; the tail
 * of that log is part of every exception this class throws. It is stopped by {@link #close()}, or by a JVM shutdown
 * hook if a test run ends without one.
 * <p>
 * What transaction mode means for pgjdbc is shown by {@code TransactionPoolingTest} (PgBouncer 1.18 as in Debian 12,
 * pgjdbc 42.7): named server-side statements and {@code LISTEN} stay on the server connection where they were made.
 * pgjdbc names a prepared statement at its fifth execution, and its own {@code COMMIT} at once; only the connection
 * property {@code prepareThreshold=0} stops both ({@code PGStatement.setPrepareThreshold(0)} leaves {@code COMMIT}
 * named). PgBouncer hands out the server connection released last first ({@code server_round_robin=0}), so a client
 * alone keeps getting the same one and sees no problem: a test must make another client take it in between.
 *
 * <pre>{@code
 * try (PrivatePostgres pg = PrivatePostgres.start();
 *         PrivatePgBouncer bouncer = PrivatePgBouncer.start(pg, PrivatePgBouncer.PoolMode.TRANSACTION);
 *         Connection c = DriverManager.getConnection(bouncer.jdbcUrl() + "?prepareThreshold=0", bouncer.user(), "")) {
 *     // each transaction of c may run on another server connection
 * }
 * }</pre>
 */
public final class PrivatePgBouncer implements AutoCloseable {

    /** How PgBouncer lends its server connections to clients; the values of its {@code pool_mode} setting. */
    public enum PoolMode {
        /** A client keeps one server connection from connecting to disconnecting: every feature works. */
        SESSION,
        /**
         * A client holds a server connection only for the length of one transaction (one statement in autocommit):
         * session state such as named prepared statements, {@code SET}, {@code LISTEN} or advisory locks taken
         * outside a transaction stays behind on a server connection that the next transaction may not get.
         */
        TRANSACTION;

        String setting() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Path EXECUTABLE = Paths.get("/usr/sbin/pgbouncer");
    private static final String DB_USER = "postgres";
    private static final String DATABASE = "postgres";
    private static final int INSTALL_TIMEOUT_SECONDS = 300;
    private static final int READY_TIMEOUT_SECONDS = 30;

    private static boolean installed;

    private final String serverHost;
    private final int serverPort;
    private final PoolMode mode;
    private final Path baseDir;
    private final Path logFile;
    private final int port;
    private final Thread shutdownHook;

    private Process process;
    private boolean closed;

    private PrivatePgBouncer(String serverHost, int serverPort, PoolMode mode, Path baseDir, int port) {
        this.serverHost = serverHost;
        this.serverPort = serverPort;
        this.mode = mode;
        this.baseDir = baseDir;
        this.logFile = baseDir.resolve("pgbouncer.log");
        this.port = port;
        this.shutdownHook = new Thread(this::closeQuietly, "private-pgbouncer-shutdown-" + port);
    }

    /** Starts a PgBouncer in front of a private PostgreSQL; see {@link #start(String, int, PoolMode)}. */
    public static PrivatePgBouncer start(PrivatePostgres server, PoolMode mode) {
        return start("127.0.0.1", server.port(), mode);
    }

    /**
     * Starts a PgBouncer in front of the PostgreSQL server at {@code serverHost:serverPort}, installing the
     * {@code pgbouncer} package first if it is missing, and returns once a JDBC client gets through it to the server.
     *
     * @throws IllegalStateException if the installation fails, or PgBouncer does not start or cannot reach the server
     *                               (the message holds the tail of the relevant log)
     */
    public static PrivatePgBouncer start(String serverHost, int serverPort, PoolMode mode) {
        ensureInstalled();
        Path baseDir;
        try {
            baseDir = Files.createTempDirectory("peer-pgbouncer-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for a private PgBouncer", e);
        }
        int port = FreePorts.pick();
        PrivatePgBouncer bouncer = new PrivatePgBouncer(serverHost, serverPort, mode, baseDir, port);
        Runtime.getRuntime().addShutdownHook(bouncer.shutdownHook);
        try {
            bouncer.launch(ProcessSupport.isRoot(baseDir));
            return bouncer;
        } catch (RuntimeException e) {
            bouncer.closeQuietly();
            throw e;
        }
    }

    /** The JDBC URL of the {@code postgres} database through this PgBouncer; add parameters with {@code ?}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** The port PgBouncer listens on, chosen free at {@link #start(String, int, PoolMode)}. */
    public int port() {
        return port;
    }

    /** The user to connect as; authentication is {@code trust}, so any password is accepted. */
    public String user() {
        return DB_USER;
    }

    /** The pool mode this PgBouncer was started with. */
    public PoolMode poolMode() {
        return mode;
    }

    /** The file PgBouncer writes its log to: connections, pooling decisions and errors. */
    public Path logFile() {
        return logFile;
    }

    /**
     * The version line of the installed PgBouncer, for example {@code "PgBouncer 1.18.0"}, installing it if needed.
     */
    public static String version() {
        ensureInstalled();
        try {
            Process p = new ProcessBuilder(EXECUTABLE.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("").trim();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + EXECUTABLE + " --version", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while asking PgBouncer its version", e);
        }
    }

    /**
     * Stops PgBouncer (its clients and server connections are cut) and deletes its directory. Safe to call twice; a
     * test that forgets it is covered by the shutdown hook.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: this call may be the hook itself.
        }
        try {
            if (process != null) {
                process.destroy(); // SIGTERM: PgBouncer's immediate shutdown
                if (!waitFor(process, READY_TIMEOUT_SECONDS)) {
                    process.destroyForcibly();
                    waitFor(process, READY_TIMEOUT_SECONDS);
                }
            }
        } finally {
            ProcessSupport.deleteRecursively(baseDir);
        }
    }

    @Override
    public String toString() {
        return "PrivatePgBouncer[" + jdbcUrl() + " -> " + serverHost + ":" + serverPort
                + ", pool_mode=" + mode.setting() + ", dir=" + baseDir + "]";
    }

    // ---------------------------------------------------------------------------------------------------------------

    private void launch(boolean asRoot) {
        Path config = baseDir.resolve("pgbouncer.ini");
        Path users = baseDir.resolve("userlist.txt");
        try {
            Files.createFile(logFile);
            // Trust still requires the user to be listed; the password is not checked.
            Files.writeString(users, "\"" + DB_USER + "\" \"\"\n");
            Files.writeString(config, String.join("\n",
                    "; Written by " + PrivatePgBouncer.class.getName() + " for one test run",
                    "[databases]",
                    "* = host=" + serverHost + " port=" + serverPort,
                    "",
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    "listen_port = " + port,
                    "unix_socket_dir =",
                    "auth_type = trust",
                    "auth_file = " + users,
                    "pool_mode = " + mode.setting(),
                    "pidfile = " + baseDir.resolve("pgbouncer.pid"),
                    "admin_users = " + DB_USER,
                    // pgjdbc sends it at every connection; PgBouncer refuses unknown startup parameters.
                    "ignore_startup_parameters = extra_float_digits",
                    "max_client_conn = 100",
                    // Room for tests that hold many server connections at once, well under the server's 50.
                    "default_pool_size = 20",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare " + baseDir, e);
        }
        if (asRoot) {
            // PgBouncer drops to this user before it writes its pid file.
            run("chown", List.of("chown", "-R", SERVER_OS_USER + ":" + SERVER_OS_USER, baseDir.toString()),
                    READY_TIMEOUT_SECONDS, logFile);
        }
        List<String> command = new ArrayList<>(List.of(EXECUTABLE.toString()));
        if (asRoot) {
            command.addAll(List.of("-u", SERVER_OS_USER));
        }
        command.add(config.toString());
        ProcessSupport.appendToLog(logFile, "\n$ " + String.join(" ", command) + "\n");
        try {
            process = new ProcessBuilder(command)
                    .directory(baseDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw failure("PgBouncer could not be run", e);
        }
        awaitJdbc();
    }

    /** Proves that a JDBC client gets through PgBouncer to the server, not only that the port is open. */
    private void awaitJdbc() {
        SQLException[] last = new SQLException[1];
        Properties props = new Properties();
        props.setProperty("user", DB_USER);
        props.setProperty("connectTimeout", "2");
        props.setProperty("ApplicationName", "private-pgbouncer-check");
        boolean ready = ProcessSupport.awaitCondition(() -> {
            if (!process.isAlive()) {
                return true;
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl(), props)) {
                c.createStatement().execute("select 1");
                return true;
            } catch (SQLException e) {
                last[0] = e;
                return false;
            }
        }, READY_TIMEOUT_SECONDS, 100);
        if (!process.isAlive()) {
            throw failure("PgBouncer exited with code " + process.exitValue(), null);
        }
        if (!ready) {
            throw failure("No JDBC client gets through to " + serverHost + ":" + serverPort + " after "
                    + READY_TIMEOUT_SECONDS + " s", last[0]);
        }
    }

    private IllegalStateException failure(String message, Throwable cause) {
        return new IllegalStateException("Private PgBouncer in " + baseDir + ": " + message
                + "\n--- last lines of " + logFile + " ---\n" + ProcessSupport.tail(logFile), cause);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("Could not close " + this + ": " + e.getMessage());
        }
    }

    /**
     * Installs Debian's package once per JVM when the executable is missing. A machine may have no package lists
     * yet, so a failed install is retried once after {@code apt-get update}; an install by another test JVM at the
     * same time is waited for (the dpkg lock) rather than failed on. Where {@code /usr/sbin/policy-rc.d} does not
     * forbid it (it does on this project's machines), the package also starts Debian's own PgBouncer service on
     * port 6432, which nothing here uses.
     */
    private static synchronized void ensureInstalled() {
        if (installed || Files.isExecutable(EXECUTABLE)) {
            installed = true;
            return;
        }
        Path log;
        try {
            log = Files.createTempFile("peer-pgbouncer-install-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a log file for installing pgbouncer", e);
        }
        String lockTimeout = "DPkg::Lock::Timeout=" + INSTALL_TIMEOUT_SECONDS;
        List<String> install = List.of("apt-get", "install", "-y", "--no-install-recommends", "-o", lockTimeout,
                "pgbouncer");
        try {
            try {
                run("apt-get install", install, INSTALL_TIMEOUT_SECONDS, log);
            } catch (IllegalStateException noPackageListsYet) {
                run("apt-get update", List.of("apt-get", "update", "-o", lockTimeout), INSTALL_TIMEOUT_SECONDS, log);
                run("apt-get install", install, INSTALL_TIMEOUT_SECONDS, log);
            }
            if (!Files.isExecutable(EXECUTABLE)) {
                throw new IllegalStateException("apt-get installed pgbouncer, yet " + EXECUTABLE + " is missing");
            }
            installed = true;
        } catch (IllegalStateException e) {
            throw new IllegalStateException(EXECUTABLE + " is missing and installing Debian's pgbouncer package failed"
                    + " (this needs root and Debian's package repositories): " + e.getMessage()
                    + "\n--- last lines of " + log + " ---\n" + ProcessSupport.tail(log), e);
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // A left-over log in the temp directory harms nothing.
        }
    }

    private static void run(String step, List<String> command, int timeoutSeconds, Path log) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
        ProcessSupport.run(step, builder, timeoutSeconds, log);
    }

    private static boolean waitFor(Process p, int seconds) {
        try {
            return p.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
