package io.github.quarkuspeer.it.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.github.quarkuspeer.runtime.election.ClaimListener;

/**
 * Writes every claim of leadership this node makes to a file, when {@code test-node.history.file} is set, so that a
 * checker can prove that no two nodes claimed an instance at the same moment. It hears the elections through the
 * extension's internal {@link ClaimListener}: it belongs to the tests' node, not to the demo, which uses only the
 * public API.
 * <p>
 * One line per change, in the order they happen:
 * {@code claim <pid> <node> <instance> <token> <fromNanos> <untilNanos>} and
 * {@code end <pid> <node> <instance> <token> <atNanos>}. Times are {@link System#nanoTime()} values, which all
 * processes of a Linux host share. Each line is written through before the claim takes effect, so a node killed at
 * any moment leaves a history that covers every claim it made. Node and instance names may hold spaces, so they are
 * percent-encoded.
 */
@Singleton
public class ClaimHistory implements ClaimListener {

    private final FileChannel file;
    private final long pid = ProcessHandle.current().pid();

    ClaimHistory(@ConfigProperty(name = "test-node.history.file") Optional<Path> path) {
        try {
            this.file = path.isEmpty() ? null
                    : FileChannel.open(path.get(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.APPEND, StandardOpenOption.DSYNC);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open test-node.history.file=" + path.get(), e);
        }
    }

    @Override
    public void claimed(String instance, String node, long token, long fromNanos, long untilNanos) {
        write("claim " + pid + " " + encode(node) + " " + encode(instance) + " " + token + " " + fromNanos + " "
                + untilNanos);
    }

    @Override
    public void ended(String instance, String node, long token, long atNanos) {
        write("end " + pid + " " + encode(node) + " " + encode(instance) + " " + token + " " + atNanos);
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private synchronized void write(String line) {
        if (file == null) {
            return;
        }
        try {
            file.write(java.nio.ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the claim history", e);
        }
    }

    @PreDestroy
    void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }
}
