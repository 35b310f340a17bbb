package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The replicated state: what a lease, a release and a snapshot make of it. */
class LeaseStateMachineTest {

    private final AtomicLong clock = new AtomicLong(1_000);
    private final Takeover takeover = new Takeover();
    private final LeaseStateMachine machine = new LeaseStateMachine(clock::get, takeover, () -> {
    });

    private void apply(LeaseEntry entry) {
        byte[] bytes = entry.encode();
        machine.apply(bytes, 0, bytes.length, false);
    }

    @Test
    void aMalformedEntryChangesNothingAndThrowsNothing() {
        apply(LeaseEntry.lease("jobs", "x", "owner-x", 3, 2_000));
        LeaseStateMachine.Applied before = machine.applied();
        assertThat(machine.apply(new byte[] {42, 1, 2}, 0, 3, true)).isNull();
        assertThat(machine.apply(null, 0, 0, true)).isNull();
        assertThat(machine.applied()).isEqualTo(before);
    }

    @Test
    void aReleaseCountsOnlyForTheHolder() {
        apply(LeaseEntry.lease("jobs", "x", "owner-x", 3, 2_000));
        apply(LeaseEntry.release("jobs", "y", "owner-y", 4));
        assertThat(machine.applied().released()).isFalse();
        apply(LeaseEntry.release("jobs", "x", "owner-x", 4));
        assertThat(machine.applied().released()).isTrue();
    }

    private byte[] snapshotOfALease() throws Exception {
        apply(LeaseEntry.lease("jobs", "x", "owner-x", 3, 2_000));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        machine.writeContentTo(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    @Test
    void aSnapshotALeaderInstallsCarriesTheLeaseAndCountsAsStoredWhenRead() throws Exception {
        byte[] snapshot = snapshotOfALease();
        Takeover elsewhere = new Takeover();
        LeaseStateMachine installed = new LeaseStateMachine(clock::get, elsewhere, () -> {
        });
        clock.set(5_000);
        installed.readContentFrom(new DataInputStream(new ByteArrayInputStream(snapshot)));
        assertThat(installed.applied().lease()).isEqualTo(LeaseEntry.lease("jobs", "x", "owner-x", 3, 2_000));
        assertThat(installed.applied().appliedAt()).isEqualTo(5_000);
        assertThat(elsewhere.blocking("owner-me")).hasValueSatisfying(s -> assertThat(s.storedAt()).isEqualTo(5_000));
    }

    @Test
    void theReplayOfTheMembersOwnSnapshotIsNotCountedAgainButEveryLaterSnapshotIs() throws Exception {
        byte[] snapshot = snapshotOfALease();
        Takeover elsewhere = new Takeover();
        LeaseStateMachine reopened = new LeaseStateMachine(clock::get, elsewhere, () -> {
        });
        reopened.expectOwnSnapshot();
        clock.set(5_000);
        reopened.readContentFrom(new DataInputStream(new ByteArrayInputStream(snapshot)));
        assertThat(reopened.applied().lease()).isEqualTo(LeaseEntry.lease("jobs", "x", "owner-x", 3, 2_000));
        // RaftMember counts the snapshot on disk before the log when it reopens; RAFT's replay must not count it
        // again at a later time, after entries of the log that came after it
        assertThat(elsewhere.blocking("owner-me")).isEmpty();

        // the next read is a leader's snapshot, installed at once, while the member still connects
        clock.set(6_000);
        reopened.readContentFrom(new DataInputStream(new ByteArrayInputStream(snapshot)));
        assertThat(elsewhere.blocking("owner-me")).hasValueSatisfying(s -> assertThat(s.storedAt()).isEqualTo(6_000));
    }
}
