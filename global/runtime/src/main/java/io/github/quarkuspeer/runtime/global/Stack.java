package io.github.quarkuspeer.runtime.global;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jgroups.conf.ConfiguratorFactory;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.protocols.raft.CLIENT;
import org.jgroups.protocols.raft.ELECTION;
import org.jgroups.protocols.raft.NO_DUPES;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.REDIRECT;
import org.jgroups.protocols.raft.election.BaseElection;
import org.jgroups.stack.Configurator;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;

import io.github.quarkuspeer.runtime.election.Timing;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The protocols of an instance's channel, bottom to top: the built-in stack, or the one of a {@code stack} file.
 * <p>
 * The built-in stack is minimal: {@code TCP} bound to this node's own {@code members} entry with no port range (a
 * second process for the same node fails to bind instead of taking the next port), {@code TCPPING} with exactly the
 * members' addresses, {@code MERGE3} to heal partitions within seconds, failure detection tuned to a fraction of the
 * lease ({@code FD_ALL3}, {@code VERIFY_SUSPECT2}), {@code NAKACK2}, {@code UNICAST3}, {@code STABLE},
 * {@code NO_DUPES} (refuses a second member with the same Raft id), {@code GMS}, {@code FRAG4} (a snapshot travels
 * as one message), {@code ELECTION} and {@code RAFT}. No {@code REDIRECT}, no {@code CLIENT}, in either stack.
 */
final class Stack {

    private static final long SECOND = 1_000;

    private Stack() {
    }

    /**
     * How long without a heartbeat before a member is suspected: a fifth of the lease, from 1 s to 10 s. Well inside
     * the lease, so a failed leader is replaced by the time its lease ends; not shorter, or a garbage collection pause
     * of a healthy member would make the group churn.
     */
    static long suspectAfterMillis(Timing timing) {
        return clamp(timing.leaseNanos() / 5_000_000, SECOND, 10 * SECOND);
    }

    /** How long a suspicion is checked before a member is excluded: a tenth of the lease, from 0.5 s to 5 s. */
    static long verifyMillis(Timing timing) {
        return clamp(timing.leaseNanos() / 10_000_000, SECOND / 2, 5 * SECOND);
    }

    private static long clamp(long value, long min, long max) {
        return Math.max(min, Math.min(max, value));
    }

    /** The built-in stack, without the peer's guards and without RAFT's settings, which {@link RaftMember} adds. */
    static List<Protocol> builtIn(GlobalSettings settings) throws UnknownHostException {
        List<InetSocketAddress> hosts = new ArrayList<>();
        for (GlobalSettings.Member member : settings.members()) {
            hosts.add(member.address());
        }
        long suspect = suspectAfterMillis(settings.timing());
        TCP tcp = new TCP();
        tcp.setBindAddress(InetAddress.getByName(settings.self().host()));
        tcp.setBindPort(settings.self().port());
        tcp.setPortRange(0);
        // A member cut off by the network (no reset, just silence) must not stall the sends to the others: with
        // blocking sends, one full socket buffer or one connect attempt stops the single bundler thread, the others
        // stop hearing from this member, and a partition of one member turns into a group without a majority.
        tcp.nonBlockingSends(true);
        tcp.setSockConnTimeout((int) Math.min(suspect / 2, 2 * SECOND));
        TCPPING ping = new TCPPING();
        ping.setInitialHosts(hosts);
        ping.setPortRange(0);
        List<Protocol> protocols = new ArrayList<>();
        protocols.add(tcp);
        protocols.add(ping);
        protocols.add(new MERGE3().setMinInterval(SECOND).setMaxInterval(3 * SECOND));
        protocols.add(new FD_ALL3().setTimeout(suspect).setInterval(suspect / 4));
        protocols.add(new VERIFY_SUSPECT2().setTimeout(verifyMillis(settings.timing())));
        protocols.add(new NAKACK2().useMcastXmit(false));
        protocols.add(new UNICAST3());
        protocols.add(new STABLE());
        protocols.add(new NO_DUPES());
        protocols.add(new GMS().setJoinTimeout(SECOND).printLocalAddress(false));
        protocols.add(new FRAG4());
        protocols.add(new ELECTION());
        protocols.add(new GuardedRaft());
        return protocols;
    }

    /**
     * The protocols of a {@code stack} file, checked.
     *
     * @throws ConfigurationException naming {@code key} and the file if it cannot be read or is not acceptable
     */
    static List<Protocol> fromFile(String key, Path file) {
        List<ProtocolConfiguration> configurations = new ArrayList<>();
        for (ProtocolConfiguration configuration : validate(key, file)) {
            // RAFT as GuardedRaft, with the file's attributes: a late snapshot must not erase acknowledged entries
            configurations.add(isRaft(configuration)
                    ? new ProtocolConfiguration(GuardedRaft.class.getName(), configuration.getProperties())
                    : configuration);
        }
        try {
            return Configurator.createProtocolsAndInitializeAttrs(configurations, new ProtocolStack());
        } catch (Exception e) {
            throw new ConfigurationException(key + "=" + file + " is invalid: its protocols cannot be created ("
                    + e.getMessage() + ")", e);
        }
    }

    private static boolean isRaft(ProtocolConfiguration configuration) {
        try {
            return configuration.loadProtocolClass(Stack.class) == RAFT.class;
        } catch (Exception e) {
            return false; // validate has loaded every protocol already
        }
    }

    /** Whether a protocol is RAFT or a subclass of it other than the peer's own, which it could not guard. */
    private static boolean isOtherRaft(Class<?> type) {
        return RAFT.class.isAssignableFrom(type) && type != RAFT.class && type != GuardedRaft.class;
    }

    /**
     * Reads and checks a {@code stack} file: it holds RAFT and an election protocol, and neither REDIRECT nor CLIENT.
     *
     * @throws ConfigurationException naming {@code key} and the file if it cannot be read or is not acceptable
     */
    static List<ProtocolConfiguration> validate(String key, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigurationException(key + "=" + file + " is invalid: no readable file there");
        }
        List<ProtocolConfiguration> configurations;
        try {
            configurations = ConfiguratorFactory.getStackConfigurator(file.toFile()).getProtocolStack();
        } catch (Exception e) {
            throw new ConfigurationException(key + "=" + file + " is invalid: it is not a JGroups stack ("
                    + e.getMessage() + ")", e);
        }
        boolean raft = false;
        boolean election = false;
        for (ProtocolConfiguration configuration : configurations) {
            Class<?> type;
            try {
                type = configuration.loadProtocolClass(Stack.class);
            } catch (Exception e) {
                throw new ConfigurationException(key + "=" + file + " is invalid: the protocol "
                        + configuration.getProtocolName() + " cannot be loaded (" + e.getMessage() + ")", e);
            }
            if (REDIRECT.class.isAssignableFrom(type) || CLIENT.class.isAssignableFrom(type)) {
                String name = REDIRECT.class.isAssignableFrom(type) ? "REDIRECT" : "CLIENT";
                throw new ConfigurationException(key + "=" + file + " is invalid: it holds " + name + ", which the "
                        + "global peer forbids (" + (name.equals("REDIRECT")
                                ? "it would commit a deposed leader's renewal under the new leader"
                                : "it accepts unauthenticated commands from anyone who reaches its port")
                        + "); remove it");
            }
            if (isOtherRaft(type)) {
                throw new ConfigurationException(key + "=" + file + " is invalid: its RAFT is "
                        + configuration.getProtocolName() + ", a subclass the global peer cannot run: it runs RAFT "
                        + "as its own subclass, which keeps a log that already holds a late snapshot's entries; "
                        + "write raft.RAFT");
            }
            raft |= RAFT.class.isAssignableFrom(type);
            election |= BaseElection.class.isAssignableFrom(type);
        }
        if (!raft || !election) {
            throw new ConfigurationException(key + "=" + file + " is invalid: it needs RAFT and ELECTION (or "
                    + "ELECTION2); it has " + configurations.stream().map(ProtocolConfiguration::getProtocolName)
                            .map(n -> n.substring(n.lastIndexOf('.') + 1).toUpperCase(Locale.ROOT)).toList());
        }
        return configurations;
    }
}
