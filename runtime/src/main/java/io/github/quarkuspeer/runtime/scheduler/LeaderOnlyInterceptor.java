package io.github.quarkuspeer.runtime.scheduler;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import org.jboss.logging.Logger;

import io.github.quarkuspeer.LeaderOnly;
import io.github.quarkuspeer.Peers;
import io.quarkus.arc.ArcInvocationContext;

/** Runs a {@link LeaderOnly} method only on the leader of its instance. */
@LeaderOnly
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 100)
public class LeaderOnlyInterceptor {

    private static final Logger LOG = Logger.getLogger(LeaderOnlyInterceptor.class);

    private final Peers peers;

    LeaderOnlyInterceptor(Peers peers) {
        this.peers = peers;
    }

    @AroundInvoke
    Object aroundInvoke(InvocationContext context) throws Exception {
        LeaderOnly binding = ArcInvocationContext.findIterceptorBinding(context, LeaderOnly.class);
        String instance = binding == null ? io.github.quarkuspeer.Peer.DEFAULT_INSTANCE : binding.value();
        if (peers.get(instance).isLeader()) {
            return context.proceed();
        }
        LOG.debugf("Quarkus Peer: skipped %s.%s, this node does not lead instance %s",
                context.getMethod().getDeclaringClass().getSimpleName(), context.getMethod().getName(), instance);
        return skipped(context.getMethod().getReturnType());
    }

    private static Object skipped(Class<?> type) {
        if (type == Optional.class) {
            return Optional.empty();
        } else if (type == OptionalInt.class) {
            return OptionalInt.empty();
        } else if (type == OptionalLong.class) {
            return OptionalLong.empty();
        } else if (type == OptionalDouble.class) {
            return OptionalDouble.empty();
        } else if (type == boolean.class) {
            return false;
        } else if (type.isPrimitive() && type != void.class) {
            return type == char.class ? (Object) '\0' : zero(type);
        }
        return null;
    }

    private static Object zero(Class<?> type) {
        if (type == int.class) {
            return 0;
        } else if (type == long.class) {
            return 0L;
        } else if (type == double.class) {
            return 0d;
        } else if (type == float.class) {
            return 0f;
        } else if (type == short.class) {
            return (short) 0;
        }
        return (byte) 0;
    }
}
