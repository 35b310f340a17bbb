package io.github.quarkuspeer.demo;

import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.jboss.logging.Logger;

import io.github.quarkuspeer.LeaderOnly;
import io.github.quarkuspeer.LeadershipChanged;
import io.github.quarkuspeer.Peer;
import io.quarkus.scheduler.Scheduled;

/**
 * Work that must run on one node of the cluster, made visible: each job logs one line on the leader of its instance
 * and nothing elsewhere, so that a person watching several nodes' logs sees which one leads and when it changes.
 */
@ApplicationScoped
public class LeaderWork {

    private static final Logger LOG = Logger.getLogger(LeaderWork.class);

    @Inject
    Peer peer;

    @Inject
    @Named("reports")
    Peer reports;

    @Scheduled(every = "${demo.work.every:5s}")
    @LeaderOnly
    void defaultWork() {
        LOG.infof("node %s did the default instance's work (fencing token %s)", peer.node(),
                token(peer.fencingToken()));
    }

    @Scheduled(every = "${demo.work.every:5s}")
    @LeaderOnly("reports")
    void reportsWork() {
        LOG.infof("node %s did the reports instance's work (fencing token %s)", reports.node(),
                token(reports.fencingToken()));
    }

    void onLeadershipChanged(@Observes LeadershipChanged change) {
        LOG.infof("node %s %s instance %s (fencing token %d, %s)", change.node(),
                change.leader() ? "now leads" : "no longer leads", change.instance(), change.fencingToken(),
                change.reason());
    }

    // The lease may run out between the interceptor's check and this read.
    private static String token(OptionalLong token) {
        return token.isPresent() ? Long.toString(token.getAsLong()) : "none, lease just ended";
    }
}
