package io.github.quarkuspeer.deployment;

import io.github.quarkuspeer.runtime.PeerKind;
import io.quarkus.builder.item.MultiBuildItem;

/**
 * Declares that this application carries the engine of a kind of peer that lives in an extension of its own, such as
 * {@code global} in {@code quarkus-peer-global}. Without it, an instance of that kind fails the build, naming the
 * dependency to add. That extension also registers its engine bean itself; this extension only learns that the kind
 * is available.
 */
public final class PeerEngineBuildItem extends MultiBuildItem {

    private final PeerKind kind;

    public PeerEngineBuildItem(PeerKind kind) {
        this.kind = kind;
    }

    public PeerKind kind() {
        return kind;
    }
}
