package io.github.quarkuspeer.runtime;

/** How an instance elects its leader. */
public enum PeerKind {
    /**
     * A lease row per instance in a database table, taken and renewed on the database clock. Works in any
     * environment where the nodes share a database.
     */
    DATABASE,
    /**
     * A Raft group of the nodes on JGroups (jgroups-raft): the Raft leader leads while it holds a lease committed
     * through the group's log. Needs the {@code quarkus-peer-global} extension, a fixed list of members of which a
     * majority is reachable, and a data directory per node.
     */
    GLOBAL,
    /**
     * A fixed answer, {@code isolated.leader}: for tests, single-node applications, and nodes that must never lead.
     */
    ISOLATED
}
