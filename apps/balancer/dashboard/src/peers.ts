// The table of one upstream group: one row per peer with its state, load, latency, health
// and chart, and drain/undrain when actions are on.
import type { GroupView, PeerView } from '../../src/admin/frame.js';
import { Sparkline } from './chart.js';
import { ago, count, millis, percent, rate } from './format.js';
import { html } from './html.js';
import type { Columns } from './series.js';

export interface GroupProps {
  group: GroupView;
  columns(group: string, peer: string): Columns;
  range: [number, number];
  /** Set when actions are possible (token configured and given). */
  onDrain?: (group: string, peer: PeerView, drained: boolean) => void;
  busy: string | null;
}

function lastCheck(p: PeerView) {
  const c = p.lastCheck;
  if (c === null) return html`<span class="muted" title="active health checks are off for this group">–</span>`;
  const what = c.ok ? `${c.status ?? 'ok'}` : (c.error ?? `${c.status ?? 'failed'}`);
  return html`<span class=${c.ok ? 'ok' : 'bad'} title=${`${millis(c.durationMs)}, ${p.health.checks} checks`}>${what}</span>
    <span class="muted"> ${ago(c.agoMs)}</span>`;
}

function peerName(p: PeerView) {
  const title = p.serverId ?? p.name;
  const sub = p.name === p.id ? p.id : `${p.name} → ${p.id}`;
  return html`<div class="peer-name">${title}${p.backup ? html` <span class="tag">backup</span>` : null}</div>
    <div class="muted small">${sub}</div>`;
}

function Row({ group, p, props }: { group: string; p: PeerView; props: GroupProps }) {
  const drained = p.state === 'draining';
  const action =
    props.onDrain === undefined
      ? null
      : html`<button
          class=${drained ? 'secondary' : ''}
          disabled=${props.busy === `${group}/${p.id}` || p.state === 'down'}
          data-peer=${p.id}
          onClick=${() => props.onDrain?.(group, p, !drained)}
        >
          ${drained ? 'Undrain' : 'Drain'}
        </button>`;
  const weight = p.effectiveWeight !== p.weight ? `${p.effectiveWeight} / ${p.weight}` : String(p.weight);
  return html`<tr data-peer=${p.id} data-state=${p.state}>
    <td>${peerName(p)}</td>
    <td><span class=${`state state-${p.state}`}>${p.state}</span></td>
    <td class="num">${weight}</td>
    <td class="num">${p.inFlight}${p.maxConns > 0 ? html`<span class="muted"> / ${p.maxConns}</span>` : null}</td>
    <td class="num" data-metric="rps">${rate(p.rps)}</td>
    <td class=${`num ${p.errorRate !== null && p.errorRate > 0 ? 'bad' : ''}`} data-metric="errors">${percent(p.errorRate)}</td>
    <td class="num" data-metric="p50">${millis(p.p50Ms)}</td>
    <td class="num" data-metric="p99">${millis(p.p99Ms)}</td>
    <td class="num">${count(p.ejections)}</td>
    <td>${lastCheck(p)}</td>
    <td><${Sparkline} data=${props.columns(group, p.id)} range=${props.range} /></td>
    <td>${action}</td>
  </tr>`;
}

export function GroupTable(props: GroupProps) {
  const g = props.group;
  return html`<section class="card group" data-group=${g.name}>
    <header class="card-head">
      <h2>${g.name}</h2>
      <span class="muted">${g.strategy.replace('_', ' ')} · ${g.peers.length} peers · retries in flight ${g.retriesInFlight}</span>
    </header>
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th>peer</th><th>state</th><th class="num">weight</th><th class="num">in flight</th><th class="num">req/s</th>
            <th class="num">errors</th><th class="num">p50</th><th class="num">p99</th><th class="num">ejections</th>
            <th>last check</th><th><span class="key rps">req/s</span> <span class="key p99">p99</span></th><th></th>
          </tr>
        </thead>
        <tbody>
          ${g.peers.map((p) => html`<${Row} key=${p.id} group=${g.name} p=${p} props=${props} />`)}
        </tbody>
      </table>
    </div>
  </section>`;
}
