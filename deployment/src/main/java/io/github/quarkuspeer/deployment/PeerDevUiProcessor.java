package io.github.quarkuspeer.deployment;

import io.github.quarkuspeer.runtime.devui.PeerJsonRpcService;
import io.quarkus.deployment.IsLocalDevelopment;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.BuildSteps;
import io.quarkus.devui.spi.JsonRPCProvidersBuildItem;
import io.quarkus.devui.spi.page.CardPageBuildItem;
import io.quarkus.devui.spi.page.Page;

/**
 * The Dev UI card and its page of instances, which updates live and offers the "resign" action. Dev mode only:
 * the JSON-RPC service, and with it the action, exists nowhere else.
 */
@BuildSteps(onlyIf = IsLocalDevelopment.class)
class PeerDevUiProcessor {

    @BuildStep
    CardPageBuildItem card(PeerPlansBuildItem plans) {
        CardPageBuildItem card = new CardPageBuildItem();
        card.addPage(Page.webComponentPageBuilder()
                .title("Instances")
                .icon("font-awesome-solid:crown")
                .componentLink("qwc-peer-instances.js")
                .staticLabel(Integer.toString(plans.plans().size())));
        return card;
    }

    @BuildStep
    JsonRPCProvidersBuildItem jsonRpc() {
        return new JsonRPCProvidersBuildItem(PeerJsonRpcService.class);
    }
}
