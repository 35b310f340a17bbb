import { LitElement, html, css } from 'lit';
import { JsonRpc } from 'jsonrpc';

/**
 * Quarkus Peer's instances as this node sees them, updated every second through a JSON-RPC stream, with the
 * dev-mode-only "resign" action: the node gives its lease up and runs again under a new identity.
 */
export class QwcPeerInstances extends LitElement {

    jsonRpc = new JsonRpc(this);

    static styles = css`
        :host { display: block; padding: 10px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { padding: 6px 12px; text-align: left; border-bottom: 1px solid var(--lumo-contrast-10pct, #ddd); }
        th { font-weight: 600; }
        .leads { color: var(--lumo-success-text-color, green); font-weight: 600; }
        .error { color: var(--lumo-error-text-color, red); }
        .note { color: var(--lumo-secondary-text-color, #666); font-size: small; padding-top: 8px; }
    `;

    static properties = {
        _instances: { state: true },
    };

    connectedCallback() {
        super.connectedCallback();
        this.jsonRpc.getInstances().then(response => this._instances = response.result);
        this._stream = this.jsonRpc.streamInstances().onNext(response => this._instances = response.result);
    }

    disconnectedCallback() {
        this._stream?.cancel();
        super.disconnectedCallback();
    }

    render() {
        if (!this._instances) {
            return html`<span>Loading instances...</span>`;
        }
        return html`
            <table>
                <tr>
                    <th>Instance</th><th>Kind</th><th>Node</th><th>Leader</th><th>This node leads</th>
                    <th>Fencing token</th><th>Lease left</th><th>Last error</th><th></th>
                </tr>
                ${this._instances.map(i => html`
                    <tr class="instance">
                        <td>${i.instance}</td>
                        <td>${i.kind}</td>
                        <td>${i.node}</td>
                        <td>${i.leaderNode ?? 'none'}</td>
                        <td class="${i.leader ? 'leads' : ''}">${i.leader ? 'yes' : 'no'}</td>
                        <td>${i.fencingToken ?? ''}</td>
                        <td>${i.leaseLeftMillis == null ? '' : (i.leaseLeftMillis / 1000).toFixed(1) + ' s'}</td>
                        <td class="error">${i.lastError ?? ''}</td>
                        <td>${i.canResign
                            ? html`<button title="Give the lease up and run again under a new identity"
                                        @click=${() => this._resign(i.instance)}>Resign</button>`
                            : ''}</td>
                    </tr>`)}
            </table>
            <div class="note">Resign, in dev mode only: this node deletes its lease (the other nodes hear of it on
                PostgreSQL) and runs again at once under a new identity; if no other node takes the lease, this one
                wins it again with a greater fencing token.</div>`;
    }

    _resign(instance) {
        this.jsonRpc.resign({ instance: instance }).then(response => this._instances = response.result);
    }
}
customElements.define('qwc-peer-instances', QwcPeerInstances);
