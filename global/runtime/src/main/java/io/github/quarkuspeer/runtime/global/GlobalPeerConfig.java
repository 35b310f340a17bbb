package io.github.quarkuspeer.runtime.global;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.github.quarkuspeer.Peer;
import io.quarkus.runtime.annotations.ConfigDocDefault;
import io.quarkus.runtime.annotations.ConfigDocMapKey;
import io.quarkus.runtime.annotations.ConfigDocSection;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;
import io.smallrye.config.WithUnnamedKey;

/**
 * Settings of the {@code global} kind, read when the application starts: {@code quarkus.peer.global.*} for the
 * default instance, {@code quarkus.peer."name".global.*} for a named one.
 */
@ConfigMapping(prefix = "quarkus.peer")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface GlobalPeerConfig {

    /**
     * Instances of the {@code global} kind. The default instance's keys are {@code quarkus.peer.global.<key>}, a
     * named instance's {@code quarkus.peer."<name>".global.<key>}.
     */
    @ConfigDocSection
    @ConfigDocMapKey("instance-name")
    @WithParentName
    @WithDefaults
    @WithUnnamedKey(Peer.DEFAULT_INSTANCE)
    Map<String, InstanceConfig> instances();

    /** The {@code global} settings of one instance. */
    interface InstanceConfig {

        /** Settings of the {@code global} kind: the instance's Raft group. */
        GlobalConfig global();
    }

    /** The Raft group of one {@code global} instance. */
    interface GlobalConfig {

        /**
         * The members of the instance's Raft group, each as {@code name@host:port}, separated by commas, the same
         * list on every node: for example {@code n1@10.0.0.1:7800,n2@10.0.0.2:7800,n3@10.0.0.3:7800}. The name is a
         * node's {@code quarkus.peer.node} (the Raft id); this node's own entry is the address and port it binds, so
         * its host must be an address of this machine. A majority of the members must be reachable for anyone to
         * lead: use 3 or 5 members. Each instance is a group of its own, on ports of its own. Required for the
         * {@code global} kind.
         */
        Optional<List<String>> members();

        /**
         * The directory that holds this node's Raft log of the instance, in a subdirectory named after the instance
         * ({@code default} for the default instance). It must survive restarts: a member whose directory was lost
         * must not rejoin under its old name (see {@code join-with-empty-data-dir}). A named instance uses the
         * default instance's directory unless it sets its own; by default {@code quarkus-peer/<node>} in the working
         * directory, so that several nodes of one host keep apart. The process locks it: a second process for the
         * same node and instance cannot start.
         */
        @ConfigDocDefault("quarkus-peer/<node> (a named instance: the default instance's)")
        Optional<Path> dataDir();

        /**
         * A JGroups XML file that replaces the built-in stack of the instance's channel, for networks the built-in
         * one does not suit (TLS, another discovery). It must hold {@code RAFT} and {@code ELECTION} or
         * {@code ELECTION2}, and must not hold {@code REDIRECT} (it would commit a deposed leader's renewal under
         * the new leader) or {@code CLIENT} (it accepts unauthenticated commands). Whatever the file says, the peer
         * sets RAFT's members, Raft id, log and fsync, keeps {@code send_commits_immediately} off, runs RAFT as its
         * own subclass (which keeps a log that already holds a late snapshot's entries), and adds its own guards
         * below the election protocol. The file's transport and discovery are used as they are: the
         * {@code members} addresses then only name the members.
         */
        @ConfigDocDefault("the built-in stack")
        Optional<Path> stack();

        /** The name of the instance's JGroups cluster; by default {@code quarkus-peer-} followed by the instance. */
        @ConfigDocDefault("quarkus-peer-<instance>")
        Optional<String> clusterName();

        /**
         * Lets this member join a group that already has history although its data directory is empty. By default
         * such a member is refused: it may have voted and acknowledged entries before its directory was lost, and
         * could vote twice in a term or drop a committed lease below a majority. Set it only for a node name that
         * never took part in the group (for example a member started for the first time after the others). The
         * first start of a new group, every member's directory empty, needs no flag. To replace a member whose
         * directory was lost, add it under a new name instead and remove the old name from {@code members}.
         */
        @WithDefault("false")
        boolean joinWithEmptyDataDir();
    }
}
