package io.github.quarkuspeer.runtime.global.sim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.quarkuspeer.runtime.election.sim.SimWorld;
import io.github.quarkuspeer.runtime.global.LeaseEntry;
import io.github.quarkuspeer.runtime.global.LeaseStateMachine;
import io.github.quarkuspeer.runtime.global.RaftLeaseStore;
import io.github.quarkuspeer.runtime.global.Takeover;

/**
 * Raft, abstractly: a log per member that survives its processes, appends on the leader and on followers over a
 * network that delays, drops and partitions, commits by a majority of the current term's entries, and leader changes.
 * JGroups is not simulated; elections are made by an oracle that, every failure-detection period, gives each group of
 * members that reach one another and form a majority a leader if it has none that leads the group's highest term (and
 * sometimes anyway): the member with the most up-to-date log, in a term above every term in the group, as Raft's votes
 * would. Members outside it keep what they believed, so a paused or cut-off leader goes on believing it leads its old
 * term until a message of a higher term reaches it, as in jgroups-raft; a group without a majority loses its leader.
 */
final class SimRaft {

    record Entry(long term, byte[] data) {
    }

    private final SimWorld world;
    private final int majority;
    final Map<String, Member> members = new LinkedHashMap<>();
    private final long maxDelay;
    private final double drop;
    private final long detect;
    /** The members on one side of a partition, or {@code null} when the network is whole. */
    private Set<String> side;
    private boolean forceElection;

    SimRaft(SimWorld world, List<String> names, long maxDelay, double drop, long detect) {
        this.world = world;
        this.majority = names.size() / 2 + 1;
        this.maxDelay = maxDelay;
        this.drop = drop;
        this.detect = detect;
        for (String name : names) {
            members.put(name, new Member(name));
        }
        world.after(detect, null, this::oracle);
    }

    void partition(Set<String> oneSide) {
        side = oneSide;
    }

    void heal() {
        side = null;
    }

    /** The next oracle elects a new leader even if the group has one. */
    void forceElection() {
        forceElection = true;
    }

    private boolean connected(Member a, Member b) {
        return side == null || side.contains(a.name) == side.contains(b.name);
    }

    private void send(Member from, Member to, Runnable handler) {
        if (from == to || world.chance(drop) || !connected(from, to) || to.proc == null) {
            return;
        }
        Proc receiver = to.proc;
        world.after(world.between(100_000, maxDelay), receiver, () -> {
            if (connected(from, to) && to.proc == receiver && to.online) {
                handler.run();
            }
        });
    }

    /** Every failure-detection period: elections where a reachable majority has no leader of its highest term. */
    private void oracle() {
        List<Member> up = members.values().stream().filter(Member::up).toList();
        List<List<Member>> components = new ArrayList<>();
        for (Member member : up) {
            List<Member> component = components.stream().filter(c -> connected(c.get(0), member)).findFirst()
                    .orElse(null);
            if (component == null) {
                component = new ArrayList<>();
                components.add(component);
            }
            component.add(member);
        }
        boolean force = forceElection;
        forceElection = false;
        for (List<Member> component : components) {
            if (component.size() < majority) {
                for (Member member : component) { // the view lost its majority: nobody leads here
                    member.stepDown();
                    member.forgetLeader();
                }
                continue;
            }
            long highest = component.stream().mapToLong(m -> m.currentTerm).max().orElse(0);
            boolean led = component.stream().anyMatch(m -> m.leaderTerm >= 0 && m.leaderTerm == highest);
            if (!led || force) {
                elect(component, highest + 1);
            }
        }
        world.after(world.between(detect / 2, detect), null, this::oracle);
    }

    private void elect(List<Member> component, long term) {
        Member winner = component.stream()
                .max(Comparator.<Member>comparingLong(m -> m.termAt(m.last())).thenComparingLong(Member::last)
                        .thenComparingDouble(m -> world.random.nextDouble()))
                .orElseThrow();
        for (Member member : component) {
            member.currentTerm = term;
            member.stepDown();
            member.leader = winner.name;
            member.leaderlessSince = -1;
        }
        winner.lead(term);
    }

    /** A blocking wait of a process for its entry: the world runs in its frame meanwhile. */
    private final class SimFuture extends CompletableFuture<Object> {
        private final Proc waiter;

        SimFuture(Proc waiter) {
            this.waiter = waiter;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException,
                TimeoutException {
            long limit = world.now() + waiter.trueDelay(unit.toNanos(timeout));
            world.runUntil(() -> isDone() || waiter.dead(), limit);
            if (!isDone() && !waiter.dead()) {
                world.runTo(limit);
            }
            while (waiter.paused() && !waiter.dead()) {
                world.runTo(waiter.pausedUntil()); // a stopped process sees its answer only when it runs again
            }
            if (!isDone() || waiter.dead()) {
                throw new TimeoutException("no commit in time");
            }
            return super.get();
        }
    }

    /** One member of the group: its persistent Raft state, and the process that runs it. */
    final class Member implements RaftLeaseStore.Group {
        final String name;
        // on disk
        final List<Entry> log = new ArrayList<>();
        long currentTerm;
        long commitIndex;
        // in the running process
        Proc proc;
        boolean online;
        String rejoining;
        boolean stopped;
        String leader;
        long leaderTerm = -1;
        long leaderlessSince = 0;
        long applied;
        private final Map<String, Long> next = new HashMap<>();
        private final Map<String, Long> match = new HashMap<>();
        private final TreeMap<Long, SimFuture> pending = new TreeMap<>();
        Runnable changed = () -> {
        };

        Member(String name) {
            this.name = name;
        }

        long last() {
            return log.size();
        }

        long termAt(long index) {
            return index <= 0 || index > log.size() ? 0 : log.get((int) index - 1).term();
        }

        boolean up() {
            return proc != null && !proc.dead() && online && !proc.paused();
        }

        /** A new process opens the log: everything in it counts as stored now; committed entries are replayed. */
        void open(Proc process) {
            proc = process;
            stopped = false;
            rejoining = null;
            reopen();
        }

        private void reopen() {
            long now = proc.clock();
            for (Entry entry : log) {
                feed(entry, now);
            }
            proc.machine = new LeaseStateMachine(proc::clock, proc.takeover, this::notifyChanged);
            applied = 0;
            apply(commitIndex);
            leader = null;
            leaderTerm = -1;
            leaderlessSince = world.now();
            online = true;
        }

        private void feed(Entry entry, long now) {
            try {
                LeaseEntry lease = LeaseEntry.decode(entry.data(), 0, entry.data().length);
                proc.takeover.stored(lease, now);
                if (lease.released()) {
                    notifyChanged();
                }
            } catch (IOException e) {
                // not a lease
            }
        }

        private void notifyChanged() {
            Proc process = proc;
            world.after(0, process, () -> {
                if (proc == process) {
                    changed.run();
                }
            });
        }

        private void apply(long upTo) {
            while (applied < Math.min(upTo, last())) {
                applied++;
                byte[] data = log.get((int) applied - 1).data();
                proc.machine.apply(data, 0, data.length, false);
            }
        }

        void forgetLeader() {
            if (leader != null) {
                leader = null;
                leaderlessSince = world.now();
            }
        }

        /** Gives up leading, failing every entry not yet committed. */
        void stepDown() {
            if (leaderTerm < 0) {
                return;
            }
            leaderTerm = -1;
            List<SimFuture> failed = new ArrayList<>(pending.values());
            pending.clear();
            failed.forEach(f -> f.completeExceptionally(new IllegalStateException("I'm not the leader")));
            notifyChanged();
        }

        void lead(long term) {
            leaderTerm = term;
            leader = name;
            for (Member other : members.values()) {
                next.put(other.name, last() + 1);
                match.put(other.name, 0L);
            }
            notifyChanged();
            replicate();
            heartbeat(term);
        }

        private void heartbeat(long term) {
            Proc process = proc;
            world.after(100_000_000, process, () -> {
                if (proc == process && leaderTerm == term && online) {
                    replicate();
                    heartbeat(term);
                }
            });
        }

        private void replicate() {
            for (Member follower : members.values()) {
                if (follower == this) {
                    continue;
                }
                long prev = Math.max(0, next.getOrDefault(follower.name, last() + 1) - 1);
                prev = Math.min(prev, last());
                List<Entry> entries = List.copyOf(log.subList((int) prev, log.size()));
                long term = leaderTerm;
                long prevTerm = termAt(prev);
                long leaderCommit = commitIndex;
                long from = prev;
                send(this, follower, () -> follower.appendEntries(this, term, from, prevTerm, entries, leaderCommit));
            }
        }

        private void appendEntries(Member from, long term, long prev, long prevTerm, List<Entry> entries,
                long leaderCommit) {
            if (term < currentTerm) {
                long mine = currentTerm;
                send(this, from, () -> from.appendResult(this, term, mine, false, 0));
                return;
            }
            if (term > currentTerm) {
                currentTerm = term;
            }
            if (leaderTerm >= 0 && leaderTerm < term) {
                stepDown();
            }
            if (leaderTerm < 0) {
                leader = from.name;
                leaderlessSince = -1;
            }
            if (prev > last() || termAt(prev) != prevTerm) {
                long mine = currentTerm;
                send(this, from, () -> from.appendResult(this, term, mine, false, 0));
                return;
            }
            long now = proc.clock();
            for (int i = 0; i < entries.size(); i++) {
                long index = prev + 1 + i;
                Entry entry = entries.get(i);
                if (index <= last()) {
                    if (termAt(index) == entry.term()) {
                        continue;
                    }
                    while (last() >= index) { // a conflicting suffix, never committed
                        log.remove(log.size() - 1);
                    }
                    applied = Math.min(applied, last());
                }
                log.add(entry);
                feed(entry, now);
            }
            long matched = prev + entries.size();
            commitIndex = Math.max(commitIndex, Math.min(leaderCommit, matched));
            apply(commitIndex);
            long mine = currentTerm;
            send(this, from, () -> from.appendResult(this, term, mine, true, matched));
        }

        private void appendResult(Member follower, long term, long theirs, boolean success, long matched) {
            if (theirs > currentTerm) {
                currentTerm = theirs;
                stepDown();
                forgetLeader();
                return;
            }
            if (leaderTerm != term) {
                return; // an answer to an earlier leadership
            }
            if (!success) {
                next.put(follower.name, Math.max(1, next.get(follower.name) - 1));
                return;
            }
            match.put(follower.name, Math.max(match.get(follower.name), matched));
            next.put(follower.name, matched + 1);
            commit();
        }

        private void commit() {
            for (long index = last(); index > commitIndex; index--) {
                if (termAt(index) != leaderTerm) {
                    break; // only an entry of the current term is committed by counting
                }
                long copies = 1;
                for (Member other : members.values()) {
                    if (other != this && match.getOrDefault(other.name, 0L) >= index) {
                        copies++;
                    }
                }
                if (copies >= majority) {
                    commitIndex = index;
                    apply(commitIndex);
                    while (!pending.isEmpty() && pending.firstKey() <= commitIndex) {
                        pending.pollFirstEntry().getValue().complete(null);
                    }
                    return;
                }
            }
        }

        /** Leaves the group and comes back after a while, with the same process, as a rejoin does. */
        void rejoinLater(String why) {
            rejoining = why;
            online = false;
            stepDown();
            forgetLeader();
            Proc process = proc;
            world.after(world.between(20_000_000, 300_000_000), process, () -> {
                if (proc == process && !stopped) {
                    reopen();
                    rejoining = null;
                    notifyChanged();
                }
            });
        }

        /** The process left the group, or died. */
        void leave() {
            online = false;
            stepDown();
            forgetLeader();
        }

        // ------------------------------------------------------------------------------------------ Group

        @Override
        public long leaderTerm() {
            return online && proc != null && !proc.dead() ? leaderTerm : -1;
        }

        @Override
        public boolean leaderKnown() {
            return online && leader != null;
        }

        @Override
        public CompletableFuture<?> submit(byte[] entry) {
            if (leaderTerm() < 0) {
                throw new IllegalStateException("I'm not the leader");
            }
            log.add(new Entry(leaderTerm, entry));
            feed(log.get(log.size() - 1), proc.clock());
            SimFuture future = new SimFuture(proc);
            pending.put(last(), future);
            replicate();
            commit();
            return future;
        }

        @Override
        public LeaseStateMachine.Applied applied() {
            return proc.machine.applied();
        }

        @Override
        public Takeover takeover() {
            return proc.takeover;
        }

        @Override
        public void stepDown(String why) {
            if (online && rejoining == null && !stopped) {
                rejoinLater(why);
            }
        }

        @Override
        public String unavailable() {
            if (stopped) {
                return "stopped";
            }
            if (rejoining != null) {
                return "rejoining: " + rejoining;
            }
            return online ? null : "not in the group";
        }

        @Override
        public long leaderlessForNanos() {
            return leader != null || leaderlessSince < 0 ? 0 : world.now() - leaderlessSince;
        }
    }
}
