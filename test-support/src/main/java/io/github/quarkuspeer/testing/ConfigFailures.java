package io.github.quarkuspeer.testing;

/** Reads a build or start failure the way a user reads the console: every message of the chain. */
public final class ConfigFailures {

    private ConfigFailures() {
    }

    public static String messages(Throwable failure) {
        StringBuilder text = new StringBuilder();
        append(failure, text, 0);
        return text.toString();
    }

    private static void append(Throwable failure, StringBuilder text, int depth) {
        if (failure == null || depth > 20) {
            return;
        }
        text.append(failure.getClass().getName()).append(": ").append(failure.getMessage()).append('\n');
        for (Throwable suppressed : failure.getSuppressed()) {
            append(suppressed, text, depth + 1);
        }
        append(failure.getCause(), text, depth + 1);
    }
}
