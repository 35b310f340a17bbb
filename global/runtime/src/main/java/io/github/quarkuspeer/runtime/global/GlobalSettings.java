package io.github.quarkuspeer.runtime.global;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.github.quarkuspeer.Peer;
import io.github.quarkuspeer.runtime.ConfigKeys;
import io.github.quarkuspeer.runtime.InstancePlan;
import io.github.quarkuspeer.runtime.InstanceSettings;
import io.github.quarkuspeer.runtime.election.Timing;
import io.github.quarkuspeer.runtime.global.GlobalPeerConfig.GlobalConfig;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The validated settings of one {@code global} instance on this node.
 *
 * @param instance the instance name
 * @param node this node's name, its Raft id
 * @param candidate whether this node may lead
 * @param timing the instance's timing
 * @param members the group, in the configured order
 * @param self this node's entry in {@code members}
 * @param directory the instance's own directory: {@code <data-dir>/<instance>}
 * @param stack the JGroups XML file that replaces the built-in stack, if any
 * @param clusterName the JGroups cluster name
 * @param joinWithEmptyDataDir whether this member may join a group with history although its directory is empty
 */
public record GlobalSettings(String instance, String node, boolean candidate, Timing timing, List<Member> members,
        Member self, Path directory, Optional<Path> stack, String clusterName, boolean joinWithEmptyDataDir) {

    /**
     * Where data directories go unless one is set: {@code quarkus-peer/<node>} in the working directory, so that the
     * nodes of one host that share a working directory keep apart.
     */
    public static final String DEFAULT_DATA_DIR = "quarkus-peer";

    /**
     * One member of the group.
     *
     * @param name its node name, the Raft id
     * @param host the host of its address
     * @param port the port of its address
     */
    public record Member(String name, String host, int port) {

        /**
         * The member's address, resolved now.
         *
         * @throws UnknownHostException if the host cannot be resolved
         */
        public InetSocketAddress address() throws UnknownHostException {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        }

        @Override
        public String toString() {
            return name + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Resolves and checks the settings of a {@code global} instance.
     *
     * @param settings the instance's settings of every kind
     * @param own the instance's {@code global} keys
     * @param defaults the default instance's {@code global} keys (a named instance inherits its {@code data-dir})
     * @throws ConfigurationException naming the key and the value that are wrong
     */
    public static GlobalSettings resolve(InstanceSettings settings, GlobalConfig own, GlobalConfig defaults) {
        String instance = settings.instance();
        String membersKey = ConfigKeys.key(instance, "global.members");
        List<String> entries = own.members().orElseThrow(() -> new ConfigurationException(membersKey
                + " is not set: the global kind needs the members of the instance's Raft group, each as "
                + "name@host:port (for example n1@10.0.0.1:7800,n2@10.0.0.2:7800,n3@10.0.0.3:7800)"));
        List<Member> members = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> addresses = new HashSet<>();
        String written = String.join(",", entries);
        for (String entry : entries) {
            Member member = parse(membersKey, written, entry.strip());
            if (!names.add(member.name())) {
                throw new ConfigurationException(membersKey + "=" + written + " is invalid: the name "
                        + member.name() + " appears twice; each member has a name of its own");
            }
            if (!addresses.add(member.host() + ":" + member.port())) {
                throw new ConfigurationException(membersKey + "=" + written + " is invalid: the address "
                        + member.host() + ":" + member.port() + " appears twice; each member binds its own");
            }
            members.add(member);
        }
        Member self = members.stream().filter(m -> m.name().equals(settings.node())).findFirst()
                .orElseThrow(() -> new ConfigurationException(membersKey + "=" + written + " is invalid: it has no "
                        + "entry for this node, " + ConfigKeys.key(instance, "node") + "=" + settings.node()
                        + "; every member of the group, this one too, is listed as name@host:port"));

        String dataDirKey = ConfigKeys.key(instance, "global.data-dir");
        Path dataDir = own.dataDir().or(defaults::dataDir)
                .orElseGet(() -> Paths.get(DEFAULT_DATA_DIR, encode(settings.node())));
        Path directory;
        try {
            directory = dataDir.toAbsolutePath().resolve(directoryName(instance)).normalize();
        } catch (InvalidPathException e) {
            throw new ConfigurationException(dataDirKey + "=" + dataDir + " is invalid: " + e.getMessage(), e);
        }
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            throw new ConfigurationException(dataDirKey + "=" + dataDir + " is invalid: it is a file, not a "
                    + "directory");
        }

        Optional<Path> stack = own.stack();
        stack.ifPresent(file -> Stack.validate(ConfigKeys.key(instance, "global.stack"), file));
        String clusterName = own.clusterName().map(String::strip).orElse("quarkus-peer-" + directoryName(instance));
        if (clusterName.isEmpty()) {
            throw new ConfigurationException(ConfigKeys.key(instance, "global.cluster-name")
                    + "= is invalid: the cluster name must not be empty");
        }
        return new GlobalSettings(instance, settings.node(), settings.candidate(),
                Timing.of(settings.interval(), settings.lease()), List.copyOf(members), self, directory, stack,
                clusterName, own.joinWithEmptyDataDir());
    }

    private static Member parse(String key, String written, String entry) {
        int at = entry.lastIndexOf('@');
        int colon = entry.lastIndexOf(':');
        if (at <= 0 || colon < at + 2 || colon == entry.length() - 1) {
            throw new ConfigurationException(key + "=" + written + " is invalid: the entry '" + entry
                    + "' is not name@host:port");
        }
        String name = entry.substring(0, at).strip();
        String host = entry.substring(at + 1, colon).strip();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(entry.substring(colon + 1).strip());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new ConfigurationException(key + "=" + written + " is invalid: the entry '" + entry
                    + "' has no port from 1 to 65535");
        }
        int length = name.codePointCount(0, name.length());
        if (name.isEmpty() || host.isEmpty() || length > InstancePlan.MAX_NAME_LENGTH) {
            throw new ConfigurationException(key + "=" + written + " is invalid: the entry '" + entry
                    + "' needs a name of 1 to " + InstancePlan.MAX_NAME_LENGTH + " characters and a host");
        }
        return new Member(name, host, port);
    }

    /**
     * The name of an instance's directory under the data directory: {@code default} for the default instance, the
     * name (URL-encoded, dots too) for a named one.
     */
    public static String directoryName(String instance) {
        if (Peer.DEFAULT_INSTANCE.equals(instance)) {
            return "default";
        }
        return encode(instance);
    }

    /** A name as one path segment: URL-encoded, dots and stars too, so that no name climbs out of its parent. */
    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace(".", "%2E").replace("*", "%2A");
    }

    /** The lease as a duration. */
    public Duration lease() {
        return timing.lease();
    }

    /** The Raft ids of the group. */
    public List<String> memberNames() {
        return members.stream().map(Member::name).toList();
    }
}
