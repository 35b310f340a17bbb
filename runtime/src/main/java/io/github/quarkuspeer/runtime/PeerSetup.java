package io.github.quarkuspeer.runtime;

import java.util.List;
import java.util.Map;

/**
 * What the build decided: the instances that exist, and the database kind of each datasource they use.
 *
 * @param instances the instance names, the default one first if it exists
 * @param datasources the datasource of each {@code database} instance
 * @param dbKinds the {@code db-kind} of each datasource that a {@code database} instance uses
 * @param notifyDatasources for each datasource of {@code database} instances that names one, the datasource to
 *        listen for released leases on ({@code notify-datasource})
 */
public record PeerSetup(List<String> instances, Map<String, String> datasources, Map<String, String> dbKinds,
        Map<String, String> notifyDatasources) {
}
