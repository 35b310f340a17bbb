package io.github.quarkuspeer.runtime.global;

import org.jgroups.protocols.raft.RAFT;

/** A RAFT subclass of a user's own, for {@link StackFileTest}. */
public class OwnRaft extends RAFT {
}
