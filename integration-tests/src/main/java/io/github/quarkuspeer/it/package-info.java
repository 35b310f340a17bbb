/**
 * A harness that runs the packaged test node (the demo application plus a claim history) as a cluster of separate
 * JVMs, injects faults into it and proves from the nodes' own records that leadership was never held twice: the
 * fault tests, the benchmarks and the demo cluster of the README are built on it.
 *
 * <h2>The pieces</h2>
 * <ul>
 * <li>{@link io.github.quarkuspeer.it.Cluster}: starts nodes ({@code start}, {@code startAll}) on one
 * {@link io.github.quarkuspeer.it.Database} with one interval and lease, reads them ({@code views},
 * {@code healths}, {@code leaders}, {@code awaitLeader}), stops them ({@code stop}, {@code close}).</li>
 * <li>{@link io.github.quarkuspeer.it.Node}: one node, its state ({@code peers}, {@code health}, and the
 * asynchronous forms that can be sent to a paused node) and its process faults ({@code terminate} = SIGTERM,
 * {@code kill} = SIGKILL, {@code pause}/{@code resume} = SIGSTOP/SIGCONT). Each fault returns the
 * {@link java.lang.System#nanoTime()} at which it was sent.</li>
 * <li>{@link io.github.quarkuspeer.it.NodeSpec}: how one node differs from the others: a shifted wall clock, extra
 * system properties. Several nodes may share a name.</li>
 * <li>{@link io.github.quarkuspeer.it.Database}: a {@link io.github.quarkuspeer.testing.PrivatePostgres} (whose
 * {@code stop}, {@code startAgain} and {@code terminateConnections} are the database faults; each node's connections
 * carry its {@link io.github.quarkuspeer.it.Node#applicationName()}), another PostgreSQL database, or H2 in files.</li>
 * <li>{@link io.github.quarkuspeer.it.History}: the checker of the nodes' claim histories: no two processes
 * claimed an instance at the same instant, fencing tokens grow, and where nobody led ({@code gaps}). Its
 * {@link io.github.quarkuspeer.it.Claim}s, on the nano time shared by every process of the host, also time
 * handovers: {@code history.firstClaimFrom(instance, faultNanos).from() - faultNanos}.</li>
 * <li>{@link io.github.quarkuspeer.it.DemoCluster}: the README's demo, a program built on the rest.</li>
 * </ul>
 *
 * <h2>Requirements</h2>
 * Linux (signals, {@code /proc}, a monotonic clock shared by all processes), {@code gcc} (the preloaded libraries of
 * {@code NativeShims}), and the test node packaged under {@code test-node/target} ({@link io.github.quarkuspeer.it.DemoBuild}).
 */
package io.github.quarkuspeer.it;
