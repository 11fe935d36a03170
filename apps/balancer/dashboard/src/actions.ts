// Drain / undrain through the admin API (the same token-protected POST as curl uses).

export type ActionResult = { ok: true } | { ok: false; message: string };

export async function setDrain(group: string, peer: string, drained: boolean, token: string): Promise<ActionResult> {
  const path = `/admin/peers/${encodeURIComponent(group)}/${encodeURIComponent(peer)}/${drained ? 'drain' : 'undrain'}`;
  try {
    const res = await fetch(path, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    if (res.ok) return { ok: true };
    const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    if (res.status === 401) return { ok: false, message: 'the admin token was refused' };
    return { ok: false, message: `${body.code ?? res.status}: ${body.message ?? res.statusText}` };
  } catch (err) {
    return { ok: false, message: `request failed: ${String(err)}` };
  }
}

const KEY = 'fleet-admin-token';

export function savedToken(): string {
  try {
    return sessionStorage.getItem(KEY) ?? '';
  } catch {
    return ''; // storage disabled (privacy mode): the token lives in the page only
  }
}

export function saveToken(token: string): void {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // storage disabled: the token lives in the page only
  }
}
