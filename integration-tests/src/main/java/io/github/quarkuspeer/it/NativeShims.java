package io.github.quarkuspeer.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The two small C libraries that the harness preloads into nodes ({@code LD_PRELOAD}), compiled with {@code gcc}
 * the first time they are needed, into {@code integration-tests/target/native}:
 * <ul>
 * <li>{@code lifeline}, in every node: kills the node when the process that started it is gone, even if that
 * process was killed with SIGKILL and ran no shutdown hook.</li>
 * <li>{@code wall-clock-shift}, in a node started with a shifted wall clock: moves every reading of the wall clock
 * by {@value #SHIFT_VARIABLE} milliseconds and leaves the monotonic clock alone.</li>
 * </ul>
 * They are compiled here rather than shipped so that they always match the machine's C library.
 */
final class NativeShims {

    /** The environment variable that holds the wall clock's shift, in milliseconds. */
    static final String SHIFT_VARIABLE = "PEER_WALL_CLOCK_SHIFT_MS";

    private static Optional<Path> lifeline;
    private static Path wallClockShift;

    private NativeShims() {
    }

    /**
     * The lifeline library, or empty if it cannot be compiled here: the nodes then depend on the harness's own
     * clean-up alone, which covers everything but a harness killed with SIGKILL, so a missing compiler is worth a
     * warning, not a failure.
     */
    static synchronized Optional<Path> lifeline() {
        if (lifeline == null) {
            try {
                lifeline = Optional.of(compile("lifeline", "-pthread"));
            } catch (RuntimeException e) {
                System.err.println("Warning: nodes will not end by themselves if this JVM is killed: "
                        + e.getMessage());
                lifeline = Optional.empty();
            }
        }
        return lifeline;
    }

    /** The wall clock shift library; throws if it cannot be compiled. */
    static synchronized Path wallClockShift() {
        if (wallClockShift == null) {
            wallClockShift = compile("wall-clock-shift", "-ldl");
        }
        return wallClockShift;
    }

    /**
     * Compiles {@code <name>.c} from the class path into {@code integration-tests/target/native}, once: the library's
     * file name carries a hash of its source, so a changed source is compiled again and an unchanged one never. The
     * library is moved into place in one step, so JVMs that compile it at the same time cannot see half of it.
     */
    private static Path compile(String name, String library) {
        try {
            byte[] code;
            try (InputStream in = NativeShims.class.getResourceAsStream(name + ".c")) {
                if (in == null) {
                    throw new IllegalStateException("The source " + name + ".c is missing from the class path");
                }
                code = in.readAllBytes();
            }
            Path dir = Files.createDirectories(DemoBuild.projectRoot().resolve("integration-tests/target/native"));
            Path output = dir.resolve("lib" + name + "-" + hash(code) + ".so");
            if (Files.isRegularFile(output)) {
                return output;
            }
            Path work = Files.createTempDirectory(dir, name + "-");
            try {
                Path source = Files.write(work.resolve(name + ".c"), code);
                Path built = work.resolve("lib" + name + ".so");
                Path log = work.resolve("gcc.log");
                Process gcc = new ProcessBuilder(List.of("gcc", "-shared", "-fPIC", "-O2", "-Wall", "-o",
                        built.toString(), source.toString(), library))
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                    gcc.destroyForcibly();
                    throw new IllegalStateException("gcc could not compile " + source + ":\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                Files.move(built, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return output;
            } finally {
                try (Stream<Path> files = Files.walk(work)) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot compile the " + name + " shim (is gcc installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while compiling the " + name + " shim", e);
        }
    }

    private static String hash(byte[] code) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(code), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
