package io.github.quarkuspeer.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A packaged build of the test node, the program every node of a {@link Cluster} runs: the demo application plus a
 * claim history ({@code test-node} of the project).
 * <p>
 * The database kind is fixed when Quarkus packages an application, so the test node is packaged once per kind of
 * database server; each build is found under {@code test-node/target} of the project, located by
 * {@link #projectRoot()}, or under the directory named by the system property {@value #TARGET_PROPERTY}.
 */
public enum DemoBuild {

    /** The node as packaged by default ({@code test-node/target/quarkus-app}): the embedded H2 database. */
    DEFAULT("quarkus-app"),

    /** The node packaged for PostgreSQL ({@code test-node/target/postgresql}). */
    POSTGRESQL("postgresql"),

    /**
     * The node packaged for the global kind ({@code test-node-global/target/quarkus-app}, or {@code global} under the
     * directory of {@value #TARGET_PROPERTY}).
     */
    GLOBAL("global");

    /** Names the project root when the working directory is outside it. */
    public static final String ROOT_PROPERTY = "peer.project.root";

    /** Names another directory that holds the node's builds, in place of {@code test-node/target}. */
    public static final String TARGET_PROPERTY = "peer.demo.target";

    private final String directory;

    DemoBuild(String directory) {
        this.directory = directory;
    }

    /**
     * The runnable jar of this build.
     *
     * @throws IllegalStateException if the demo has not been packaged, with the command that packages it
     */
    public Path runJar() {
        String target = System.getProperty(TARGET_PROPERTY);
        Path jar;
        if (target != null && !target.isBlank()) {
            jar = Paths.get(target).resolve(directory).resolve("quarkus-run.jar");
        } else if (this == GLOBAL) {
            jar = projectRoot().resolve("test-node-global/target/quarkus-app/quarkus-run.jar");
        } else {
            jar = projectRoot().resolve("test-node/target").resolve(directory).resolve("quarkus-run.jar");
        }
        if (!Files.isRegularFile(jar)) {
            String module = this == GLOBAL ? "test-node-global" : "test-node";
            throw new IllegalStateException("The test node is not packaged: " + jar + " is missing. Run ./mvnw "
                    + "package -DskipTests -pl " + module + " -am from " + projectRoot());
        }
        return jar;
    }

    /**
     * The root of the Quarkus Peer project: the system property {@value #ROOT_PROPERTY} if set, otherwise the
     * nearest directory at or above the working directory that holds both {@code mvnw} and
     * {@code test-node/pom.xml}.
     */
    public static Path projectRoot() {
        String configured = System.getProperty(ROOT_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isRegularFile(dir.resolve("test-node/pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("Cannot find the Quarkus Peer project above " + Paths.get("").toAbsolutePath()
                + "; set -D" + ROOT_PROPERTY + "=<its directory>");
    }
}
