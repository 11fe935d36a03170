/**
 * The admin dashboard in a real browser (Debian's chromium through playwright-core, no
 * browser download) against the real balancer and three real model-server replicas: no
 * console errors, three peers up with their server ids, numbers that move under load, a
 * SIGKILLed replica shown failed and then up again once it is back, drain and undrain from
 * the page. Screenshots (light and dark) go to test-artifacts/ (git-ignored).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Balancer } from '../../src/app.js';
import { adminStatus, startTestBalancer } from '../helpers/balancer.js';
import { startReplica, type Replica } from '../helpers/processes.js';
import { missingTool } from '../helpers/tools.js';
import { waitFor } from '../helpers/wait.js';
import { startLoad, type Load } from './load.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = missingTool('chromium', CHROMIUM, 'as root: apt-get install -y chromium');
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const replicas: Replica[] = [];
let balancer: Balancer;
let context: BrowserContext;
let page: Page;
let profile = '';
let load: Load | undefined;
const consoleErrors: string[] = [];

const row = (address: string) => page.locator(`tbody tr[data-peer="${address}"]`);
const stateOf = (address: string) => row(address).getAttribute('data-state');
async function untilState(address: string, state: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await stateOf(address)) === state, { timeoutMs, intervalMs: 100, what: `${address} shown ${state}` });
}
async function rps(address: string): Promise<number> {
  return Number((await row(address).locator('td[data-metric="rps"]').textContent())?.replace(/,/g, ''));
}

beforeAll(async () => {
  if (skip !== undefined) return;
  // One after the other, with a generous bound: three model loads at once on a busy 2-core
  // machine (beside the other test files) can take longer than a replica's default 30 s.
  for (const id of ['server-1', 'server-2', 'server-3']) replicas.push(await startReplica(id, { timeoutMs: 90_000 }));
  balancer = await startTestBalancer({
    upstreams: { default: { servers: replicas.map((r) => `${r.address} max_fails=1 fail_timeout=2s`) } },
  });
  profile = mkdtempSync(join(tmpdir(), 'fleet-dashboard-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1440, height: 760 } });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  await page.goto(`http://127.0.0.1:${balancer.adminPort}/`);
}, 300_000);

afterAll(async () => {
  await load?.stop();
  await context?.close();
  if (profile !== '') rmSync(profile, { recursive: true, force: true });
  await balancer?.close(1000);
  await Promise.all(replicas.map((r) => r.stop()));
}, 60_000);

describe.skipIf(skip !== undefined)(`dashboard in Chromium ${skip ?? ''}`, () => {
  it('shows three peers up, named by their server ids', async () => {
    await waitFor(async () => (await page.locator('tbody tr[data-state="up"]').count()) === 3, { timeoutMs: 20_000, what: 'three peers up' });
    await waitFor(async () => (await page.locator('.peer-name').allTextContents()).join(' ').includes('server-3'), { what: 'server ids' });
    expect((await page.locator('.peer-name').allTextContents()).map((t) => t.trim()).sort()).toEqual(['server-1', 'server-2', 'server-3']);
    expect(await page.locator('[data-connection]').getAttribute('data-connection')).toBe('live');
  });

  it('moves its numbers under load: req/s per peer, the request count, the server_id rotation', async () => {
    load = startLoad(balancer.port, 3);
    await waitFor(async () => (await Promise.all(replicas.map((r) => rps(r.address)))).every((n) => n > 0), { timeoutMs: 20_000, intervalMs: 200, what: 'req/s > 0 on every peer' });
    const total = async () => Number((await page.locator('.stat-value').nth(1).textContent())?.replace(/,/g, ''));
    const before = await total();
    await waitFor(async () => (await total()) > before, { what: 'the request count to grow' });
    const chips = await page.locator('.chip').allTextContents();
    expect(new Set(chips)).toEqual(new Set(['server-1', 'server-2', 'server-3']));
    await waitFor(async () => (await row(replicas[0]?.address ?? '').locator('td[data-metric="p99"]').textContent()) !== '–', { what: 'a p99' });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  }, 60_000);

  it('shows a SIGKILLed replica failed within seconds, and up again once it is back', async () => {
    const victim = replicas[1] as Replica;
    victim.signal('SIGKILL');
    await victim.exited;
    await untilState(victim.address, 'failed');
    replicas[1] = await startReplica('server-2', { port: victim.port, timeoutMs: 90_000 });
    await untilState(victim.address, 'up', 30_000);
  }, 150_000);

  it('drains and undrains a peer from the page with the admin token', async () => {
    const target = replicas[0]?.address ?? '';
    expect(await row(target).locator('button').count()).toBe(0); // no token given yet
    // Typed like a person, across several frames: a re-render must not wipe what is typed.
    await page.locator('#token').pressSequentially('test-token', { delay: 150 });
    expect(await page.inputValue('#token')).toBe('test-token');
    await page.click('form.token button[type="submit"]');
    await row(target).locator('button', { hasText: 'Drain' }).click();
    await untilState(target, 'draining', 10_000);
    const peers = (await adminStatus(balancer)).upstreams.default?.peers ?? [];
    expect(peers.find((p) => p.id === target)?.state).toBe('draining');
    await row(target).locator('button', { hasText: 'Undrain' }).click();
    await untilState(target, 'up', 10_000);
  }, 60_000);

  it('is readable in dark mode and logged no console error', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await waitFor(async () => (await page.locator('tbody tr[data-state="up"]').count()) === 3, { timeoutMs: 20_000, what: 'three peers up' });
    await waitFor(async () => (await page.locator('.chip').count()) > 3, { what: 'picks after reload' });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-dark.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
