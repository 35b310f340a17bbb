package io.github.quarkuspeer.runtime.global;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

import org.jgroups.protocols.raft.LogEntries;
import org.jgroups.protocols.raft.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persisted term, and with it the fencing token, never goes down. jgroups-raft's file log writes the term of the
 * entries it appends as the current term: a follower at term 5 that catches up on entries of term 3 would restart at
 * term 3, and could vote again in terms it already voted in.
 */
class TermNeverGoesDownTest {

    private static final GuardedLog.Listener NOBODY = new GuardedLog.Listener() {
        @Override
        public void stored(long index, LogEntries entries) {
        }

        @Override
        public void reinitialized(long index) {
        }

        @Override
        public void poisoned(Throwable failure) {
        }
    };

    @TempDir
    Path directory;

    @Test
    void catchingUpOnEntriesOfAnEarlierTermKeepsTheCurrentTermAcrossARestart() throws Exception {
        String name = directory.resolve("raft").toString();
        GuardedLog log = new GuardedLog(NOBODY);
        log.init(name, new HashMap<>());
        log.currentTerm(5);
        log.append(1, new LogEntries().add(new LogEntry(3, new byte[] {1})).add(new LogEntry(3, new byte[] {2})));
        assertThat(log.currentTerm()).isEqualTo(5);
        log.close();

        GuardedLog reopened = new GuardedLog(NOBODY);
        reopened.init(name, new HashMap<>());
        assertThat(reopened.currentTerm()).isEqualTo(5);
        assertThat(reopened.lastAppended()).isEqualTo(2);
        assertThat(Files.exists(directory.resolve("raft/metadata.raft"))).isTrue();
        reopened.close();
    }
}
