package io.github.quarkuspeer.deployment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Named;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.FieldInfo;
import org.jboss.jandex.IndexView;
import org.jboss.jandex.MethodInfo;
import org.jboss.jandex.MethodParameterInfo;

import io.github.quarkuspeer.LeaderOnly;
import io.github.quarkuspeer.Peer;

/**
 * Where the application's code refers to instances: fields and parameters of type {@link Peer} (qualified with
 * {@code @Named} or not), {@link LeaderOnly} and {@link LeaderOnly.Skip}. Each place is described for messages.
 */
final class PeerUsages {

    private static final DotName PEER = DotName.createSimple(Peer.class);
    private static final DotName NAMED = DotName.createSimple(Named.class);
    private static final DotName LEADER_ONLY = DotName.createSimple(LeaderOnly.class);
    private static final DotName SKIP = DotName.createSimple(LeaderOnly.Skip.class);
    private static final DotName SCHEDULED = DotName.createSimple("io.quarkus.scheduler.Scheduled");
    private static final DotName SCHEDULES = DotName.createSimple("io.quarkus.scheduler.Scheduled$Schedules");

    /** For each instance referred to, the places that refer to it. */
    final Map<String, List<String>> places = new LinkedHashMap<>();

    static PeerUsages scan(IndexView index) {
        PeerUsages usages = new PeerUsages();
        for (ClassInfo type : index.getKnownClasses()) {
            for (FieldInfo field : type.fields()) {
                if (field.type().name().equals(PEER)) {
                    AnnotationInstance named = field.annotation(NAMED);
                    String instance = named != null && named.value() == null ? field.name() : instanceOf(named);
                    usages.add(instance, type.name() + "#" + field.name());
                }
            }
            for (MethodInfo method : type.methods()) {
                for (MethodParameterInfo parameter : method.parameters()) {
                    if (parameter.type().name().equals(PEER)) {
                        AnnotationInstance named = method.annotations(NAMED).stream()
                                .filter(a -> a.target().kind() == AnnotationTarget.Kind.METHOD_PARAMETER
                                        && a.target().asMethodParameter().position() == parameter.position())
                                .findFirst().orElse(null);
                        usages.add(instanceOf(named), type.name() + "#" + method.name() + "()");
                    }
                }
            }
        }
        for (AnnotationInstance leaderOnly : index.getAnnotations(LEADER_ONLY)) {
            AnnotationValue value = leaderOnly.value();
            usages.add(value == null ? Peer.DEFAULT_INSTANCE : value.asString(),
                    "@LeaderOnly on " + leaderOnly.target());
        }
        List<AnnotationInstance> scheduled = new ArrayList<>(index.getAnnotations(SCHEDULED));
        for (AnnotationInstance schedules : index.getAnnotations(SCHEDULES)) {
            for (AnnotationInstance nested : schedules.value().asNestedArray()) {
                scheduled.add(nested);
            }
        }
        for (AnnotationInstance schedule : scheduled) {
            AnnotationValue skip = schedule.value("skipExecutionIf");
            if (skip != null && skip.asClass().name().equals(SKIP)) {
                usages.add(Peer.DEFAULT_INSTANCE, "LeaderOnly.Skip on " + schedule.target());
            }
        }
        return usages;
    }

    private static String instanceOf(AnnotationInstance named) {
        return named == null || named.value() == null ? Peer.DEFAULT_INSTANCE : named.value().asString();
    }

    private void add(String instance, String place) {
        places.computeIfAbsent(instance, i -> new ArrayList<>()).add(place);
    }

    boolean uses(String instance) {
        return places.containsKey(instance);
    }
}
