package io.github.quarkuspeer.deployment.global;

/** Reads a build or start failure the way a user reads the console: every message of the chain. */
final class Failures {

    private Failures() {
    }

    static String messages(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
            for (Throwable suppressed : t.getSuppressed()) {
                text.append(messages(suppressed));
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return text.toString();
    }
}
