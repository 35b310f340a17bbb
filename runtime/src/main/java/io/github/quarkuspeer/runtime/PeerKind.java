package io.github.quarkuspeer.runtime;

/** How an instance elects its leader. */
public enum PeerKind {
    /**
     * A lease row per instance in a database table, taken and renewed on the database clock. Works in any
     * environment where the nodes share a database.
     */
    DATABASE,
    /**
     * The view of a runtime cluster of the nodes: its coordinator leads. Needs the {@code quarkus-peer-global}
     * extension and a network between the nodes.
     */
    GLOBAL,
    /**
     * A fixed answer, {@code isolated.leader}: for tests, single-node applications, and nodes that must never lead.
     */
    ISOLATED
}
