package io.github.quarkuspeer;

import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.enterprise.util.Nonbinding;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.InterceptorBinding;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;

/**
 * Runs a method only while this node leads an instance.
 * <p>
 * On any other node the method returns at once without running: a {@code void} method simply returns, others
 * return {@code null}, an empty {@code Optional} (or {@code OptionalInt}, {@code OptionalLong},
 * {@code OptionalDouble}), or zero and {@code false} for primitives; a skipped call is logged at DEBUG. It works on {@code @Scheduled} methods, which is the
 * usual way to run cluster-wide jobs on one node:
 *
 * <pre>{@code
 * @Scheduled(every = "10m")
 * @LeaderOnly
 * void purgeExpiredTokens() { ... }
 *
 * @Scheduled(cron = "0 0 3 * * ?")
 * @LeaderOnly("billing")
 * void invoice() { ... }
 * }</pre>
 *
 * Naming an instance that is not configured fails the build.
 */
@InterceptorBinding
@Retention(RUNTIME)
@Target({ METHOD, TYPE })
public @interface LeaderOnly {

    /**
     * The instance whose leader runs the method.
     *
     * @return the instance name; the default instance when absent
     */
    @Nonbinding
    String value() default Peer.DEFAULT_INSTANCE;

    /**
     * Skips a scheduled execution unless this node leads the default instance.
     * <p>
     * The scheduler's own way to the same end as {@link LeaderOnly}: the skipped execution fires a
     * {@code SkippedExecution} event instead of running.
     *
     * <pre>{@code
     * @Scheduled(every = "1m", skipExecutionIf = LeaderOnly.Skip.class)
     * void report() { ... }
     * }</pre>
     */
    @Singleton
    class Skip implements Scheduled.SkipPredicate {

        private final Peer peer;

        @Inject
        Skip(Peer peer) {
            this.peer = peer;
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return !peer.isLeader();
        }
    }
}
