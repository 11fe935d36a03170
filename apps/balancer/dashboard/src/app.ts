// The page: connects the event stream, keeps the latest frame and the chart series, and
// renders the header, the token box, the latest picks and one table per upstream group.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Frame, PeerView } from '../../src/admin/frame.js';
import { saveToken, savedToken, setDrain } from './actions.js';
import { html } from './html.js';
import { Header, Picks, TokenBox } from './parts.js';
import { GroupTable } from './peers.js';
import { SeriesStore } from './series.js';
import { connect, type Connection } from './stream.js';

function usePalette(frame: Frame | null) {
  return useMemo(() => {
    const index = new Map<string, number>();
    for (const g of frame?.groups ?? []) g.peers.forEach((p, i) => index.set(`${g.name}/${p.id}`, i));
    return (group: string, peer: string) => index.get(`${group}/${peer}`) ?? 7;
  }, [frame?.groups.map((g) => g.peers.map((p) => p.id).join()).join()]);
}

export function App() {
  const store = useRef(new SeriesStore());
  const [frame, setFrame] = useState<Frame | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [token, setToken] = useState(savedToken());
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  useEffect(
    () =>
      connect('/dashboard/events', {
        onHistory: (h) => store.current.reset(h),
        onFrame: (f) => {
          store.current.addFrame(f);
          setFrame(f);
        },
        onConnection: setConnection,
      }),
    [],
  );
  const palette = usePalette(frame);
  const onToken = (t: string) => {
    setToken(t);
    saveToken(t);
    setMessage(null);
  };
  const onDrain = async (group: string, peer: PeerView, drained: boolean) => {
    setBusy(`${group}/${peer.id}`);
    const result = await setDrain(group, peer.id, drained, token);
    setBusy(null);
    setMessage(result.ok ? null : result.message);
  };
  const canAct = frame?.actions === true && token !== '';
  const now = (frame?.at ?? Date.now()) / 1000;
  const range: [number, number] = [now - store.current.seconds, now];
  return html`<main>
    <${Header} frame=${frame} connection=${connection} />
    <${TokenBox} actions=${frame?.actions ?? false} token=${token} onToken=${onToken} message=${message} />
    <${Picks} picks=${frame?.picks ?? []} palette=${palette} />
    ${frame === null ? html`<p class="muted">waiting for the first sample…</p>` : null}
    ${(frame?.groups ?? []).map(
      (g) => html`<${GroupTable}
        key=${g.name}
        group=${g}
        columns=${(group: string, peer: string) => store.current.columns(group, peer)}
        range=${range}
        onDrain=${canAct ? onDrain : undefined}
        busy=${busy}
      />`,
    )}
    <footer class="muted small">
      ${`One sample per second over Server-Sent Events (/dashboard/events); p50/p99 and errors over the last ${frame?.windowSeconds ?? 10} s, charts over the last ${Math.round(store.current.seconds / 60)} minutes. `}
      <a href="/status">/status</a> (JSON) · <a href="/metrics">/metrics</a> (Prometheus)
    </footer>
  </main>`;
}
