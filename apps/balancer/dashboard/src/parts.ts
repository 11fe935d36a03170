// Header (connection, stub_status), the admin token box and the strip of latest picks.
import type { Frame, PickView } from '../../src/admin/frame.js';
import { clock, count } from './format.js';
import { html } from './html.js';
import type { Connection } from './stream.js';

export function Header({ frame, connection }: { frame: Frame | null; connection: Connection }) {
  const s = frame?.stub;
  const stat = (label: string, value: number | undefined) =>
    html`<div class="stat"><span class="stat-value">${value === undefined ? '–' : count(value)}</span><span class="muted small">${label}</span></div>`;
  return html`<header class="top">
    <div class="title">
      <h1>fleet balancer</h1>
      <span class=${`conn conn-${connection}`} data-connection=${connection}>${connection}</span>
      <span class="muted small">${frame === null ? '' : `updated ${clock(frame.at)}`}</span>
    </div>
    <div class="stats">
      ${stat('active', s?.active)} ${stat('requests', s?.requests)} ${stat('reading', s?.reading)}
      ${stat('writing', s?.writing)} ${stat('waiting', s?.waiting)}
    </div>
  </header>`;
}

export interface TokenProps {
  actions: boolean;
  token: string;
  onToken(token: string): void;
  message: string | null;
}

export function TokenBox({ actions, token, onToken, message }: TokenProps) {
  if (!actions) {
    return html`<p class="note">Drain and undrain are off: start the balancer with <code>ADMIN_TOKEN</code> to use them here.</p>`;
  }
  const submit = (e: Event) => {
    e.preventDefault();
    const input = (e.currentTarget as HTMLFormElement).elements.namedItem('token') as HTMLInputElement;
    onToken(input.value.trim());
  };
  return html`<form class="token" onSubmit=${submit}>
    <label for="token">Admin token</label>
    <input id="token" name="token" type="password" autocomplete="off" defaultValue=${token} placeholder="ADMIN_TOKEN" />
    <button type="submit">${token === '' ? 'Unlock actions' : 'Update'}</button>
    <span class="muted small">${token === '' ? 'needed for drain / undrain' : 'drain / undrain enabled'}</span>
    ${message === null ? null : html`<span class="bad small" role="alert">${message}</span>`}
  </form>`;
}

export function Picks({ picks, palette }: { picks: PickView[]; palette: (group: string, peer: string) => number }) {
  const latest = picks.slice(-36);
  return html`<section class="card picks">
    <header class="card-head">
      <h2>Latest requests</h2>
      <span class="muted small">server_id of each upstream attempt, oldest → newest</span>
    </header>
    <div class="chips" data-picks=${latest.length}>
      ${latest.length === 0 ? html`<span class="muted">no requests since this page opened</span>` : null}
      ${latest.map(
        (p, i) => html`<span
          key=${`${p.at}-${i}`}
          class=${`chip hue-${palette(p.group, p.peer) % 8} ${typeof p.status === 'number' && p.status < 500 ? '' : 'chip-bad'}`}
          title=${`${p.group} ${p.peer} → ${p.status}`}
          >${p.serverId ?? p.peer}</span
        >`,
      )}
    </div>
  </section>`;
}
