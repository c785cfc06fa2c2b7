import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { CameraView } from '../../src/shared/index.ts';
import { addZone, launchBrowser, resultsPath, signedInPage, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { makeClip, startRtspCamera, type RtspCamera } from '../support/rtspCamera.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * The console as a control room uses it: walls of 1, 4, 9 and 16 live cameras fit a 1920×1080
 * and a 1280×720 screen with no scrolling, opened by address; keyboard control; kiosk mode; a
 * phone shows the picture first. Sixteen IP cameras (one RTSP encoder shared, an ffmpeg copy each)
 * give a real 16-camera wall through the relay.
 */
const ZONES = Array.from({ length: 16 }, (_, i) => `WALL-${String(i + 1).padStart(2, '0')}`);
let gw: TestGateway;
let browser: Browser;
let rtsp: RtspCamera;
let page: Page;
const measured: Record<string, unknown> = {};
const dir = mkdtempSync(join(tmpdir(), 'vigil-wall-'));

before(async () => {
  // One camera server looping a pre-encoded clip: sixteen cameras, no encoder.
  rtsp = await startRtspCamera('clip', { clip: makeClip(dir, { size: '640x360', fps: 25, bitrate: '600k' }), fps: 25 });
  gw = await startGateway({
    media: { policy: 'auto', workers: 1 },
    cameras: ZONES.map((zone, i) => ({ zone, name: `Street ${i + 1}`, url: rtsp.url })),
  });
  browser = await launchBrowser();
  const statuses = async () => ((await gw.api('/api/cameras', { cookie: gw.admin.cookie })).json.cameras as CameraView[]).map((c) => c.status);
  await waitFor(async () => (await statuses()).every((status) => status === 'live'), 'all 16 cameras live', { timeoutMs: 60_000, everyMs: 500 })
    .catch(async (error: unknown) => {
      const cameras = (await gw.api('/api/cameras', { cookie: gw.admin.cookie })).json.cameras as CameraView[];
      throw new Error(`${(error as Error).message}: ${cameras.map((c) => `${c.status} (${c.reason})`).slice(0, 3).join('; ')}`);
    });
  ({ page } = await signedInPage(browser, gw, '/'));
});
after(async () => {
  writeFileSync(resultsPath('video-wall.json'), JSON.stringify(measured, null, 2));
  console.log(`video-wall: ${JSON.stringify(measured)}`);
  await browser?.close();
  await gw?.close();
  await rtsp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Each tile's picture as shown: the 16:9 frame fitted into its video element's box. */
async function wallGeometry(p: Page) {
  return p.evaluate(() => {
    const pictures = [...document.querySelectorAll('.tile video')].map((video) => {
      const box = video.getBoundingClientRect();
      const scale = Math.min(box.width / 16, box.height / 9);
      return { width: Math.round(scale * 16), height: Math.round(scale * 9), bottom: Math.round(box.bottom), right: Math.round(box.right) };
    });
    const root = document.documentElement;
    const beyond = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().bottom > window.innerHeight + 1 && (el as HTMLElement).offsetParent !== null)
      .slice(0, 4).map((el) => `${el.tagName}#${el.id}.${el.className} ${Math.round(el.getBoundingClientRect().bottom)}`);
    return {
      beyond,
      scrolls: root.scrollHeight > window.innerHeight || root.scrollWidth > window.innerWidth,
      pictures,
      smallest: pictures.reduce((a, b) => (b.width * b.height < a.width * a.height ? b : a), pictures[0] ?? { width: 0, height: 0 }),
      allInside: pictures.every((pic) => pic.bottom <= window.innerHeight && pic.right <= window.innerWidth),
    };
  });
}

async function openWall(zones: readonly string[], query = ''): Promise<void> {
  await page.goto(`${gw.url}/?zones=${zones.join(',')}${query}`);
  await page.waitForFunction((n) => document.querySelectorAll('.tile').length === n, zones.length);
}

for (const viewport of [{ width: 1920, height: 1080 }, { width: 1280, height: 720 }]) {
  it(`walls of 1, 4, 9 and 16 cameras fit ${viewport.width}×${viewport.height} with no page scroll`, async () => {
    await page.setViewportSize(viewport);
    for (const count of [1, 4, 9, 16]) {
      await openWall(ZONES.slice(0, count));
      const geometry = await wallGeometry(page);
      measured[`${viewport.width}x${viewport.height} ${count} tiles`] = geometry.smallest;
      assert.equal(geometry.scrolls, false, `${count} tiles scroll at ${viewport.width}×${viewport.height}: ${geometry.beyond.join('; ')}`);
      assert.ok(geometry.allInside, `${count} tiles: every picture inside the window`);
      if (viewport.width === 1920) {
        assert.ok(geometry.smallest.width >= 360 && geometry.smallest.height >= 200, `${count} tiles: smallest picture ${geometry.smallest.width}×${geometry.smallest.height}`);
      }
    }
  });
}

it('a 16-camera wall opened by address plays every camera at once, named on its tile', async () => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const started = Date.now();
  await openWall(ZONES);
  for (const zone of ZONES) {
    await waitForVideo(page, zone, 30_000).catch(async (error: unknown) => {
      const tiles = await page.evaluate(() => [...document.querySelectorAll('.tile')].map((t) => `${t.getAttribute('data-zone')}:${t.getAttribute('data-state')}:${t.getAttribute('data-frames-decoded')}`));
      const relay = (await gw.gateway.relayWorkers!.stats()).flatMap((w) => w.zones).map((z) => `${z.zone}:${z.publisher}:${z.subscribers}:${z.forwardedPackets}`);
      throw new Error(`${zone}: ${(error as Error).message}\ntiles ${tiles.join(' ')}\nrelay ${relay.join(' ')}`);
    });
  }
  measured['16 tiles live after (ms)'] = Date.now() - started;
  assert.equal((await page.textContent(`${tile('WALL-07')} .tile-title`))?.trim(), 'WALL-07 · Street 7', 'zone and camera name on the tile');
  const geometry = await wallGeometry(page);
  assert.equal(geometry.scrolls, false);
  // The KPIs settle after the fast start's burst (a replay decodes at once): every tile at the camera's rate.
  await page.waitForFunction(() => [...document.querySelectorAll('.tile [data-kpi="fps"]')]
    .every((kpi) => /^(2[0-9]|30) fps$/.test(kpi.textContent?.trim() ?? '')), undefined, { timeout: 15_000, polling: 250 });
  await page.mouse.move(1, 1);
  const shot = resultsPath('wall-16.png');
  await page.screenshot({ path: shot });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    const docs = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
    mkdirSync(docs, { recursive: true });
    copyFileSync(shot, join(docs, 'wall-16.png'));
  }
});

it('the keyboard drives the wall: 1–9 select, arrows move the selection, Shift+arrows move the tile, F full screen', async () => {
  const selected = () => page.evaluate(() => document.querySelector('.tile.selected')?.getAttribute('data-zone'));
  const order = () => page.evaluate(() => [...document.querySelectorAll('.tile')].map((t) => t.getAttribute('data-zone')));
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('3');
  assert.equal(await selected(), 'WALL-03');
  await page.keyboard.press('ArrowRight');
  assert.equal(await selected(), 'WALL-04');
  await page.keyboard.press('ArrowDown');
  assert.equal(await selected(), 'WALL-08', 'a 4×4 grid: one row down');
  await page.keyboard.press('Shift+ArrowLeft');
  assert.deepEqual((await order()).slice(4, 8), ['WALL-05', 'WALL-06', 'WALL-08', 'WALL-07'], 'the tile changed places with its neighbour');
  assert.equal(await selected(), 'WALL-08');
  await waitForVideo(page, 'WALL-08', 5_000); // moved, and still playing
  await page.keyboard.press('f');
  await page.waitForFunction(() => document.fullscreenElement?.getAttribute('data-zone') === 'WALL-08');
  await page.keyboard.press('f');
  await page.waitForFunction(() => document.fullscreenElement === null);
  await page.fill('#zone-input', '12');
  assert.equal(await selected(), 'WALL-08', 'digits typed in a field are not shortcuts');
});

it('a fixed 2×2 layout and kiosk mode by address: the wall and nothing else', async () => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openWall(ZONES.slice(0, 4), '&grid=2&kiosk');
  for (const zone of ZONES.slice(0, 4)) await waitForVideo(page, zone, 20_000);
  assert.equal(await page.isVisible('.account-bar'), false);
  assert.equal(await page.isVisible('.wall-bar'), false);
  const geometry = await wallGeometry(page);
  assert.equal(geometry.scrolls, false);
  measured['1280x720 kiosk 2x2'] = geometry.smallest;
  assert.ok(geometry.smallest.width >= 600, `kiosk 2×2 at 1280×720: ${geometry.smallest.width}×${geometry.smallest.height}`);
  await page.screenshot({ path: resultsPath('wall-2x2-kiosk.png') });
  await page.keyboard.press('Escape');
  assert.equal(await page.isVisible('.wall-bar'), true, 'Esc leaves kiosk mode');
  assert.equal(await page.inputValue('#wall-layout'), '2');
});

it('on a phone the picture comes first, above the fold', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openWall(ZONES.slice(0, 2));
  await waitForVideo(page, ZONES[0]!, 20_000);
  const top = await page.evaluate((sel) => document.querySelector(sel)!.getBoundingClientRect(), `${tile(ZONES[0]!)} video`);
  measured['phone first picture'] = { top: Math.round(top.top), bottom: Math.round(top.bottom), width: Math.round(top.width) };
  assert.ok(top.bottom <= 844, `the first picture ends at ${top.bottom} px`);
  assert.ok(top.width >= 350, `and is ${top.width} px wide`);
});

it('the wall as last left comes back after a reload and the next sign-in; saved layouts open by name; a shared one shows each operator its zones only', async () => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const current = async (cookie = gw.admin.cookie) => (await gw.api('/api/layouts', { cookie })).json as { layouts: { name: string; zones: string[]; shared: boolean }[]; current: { grid: string; zones: string[] } | null };
  await page.goto(`${gw.url}/`);
  for (const zone of ['WALL-03', 'WALL-01', 'WALL-02']) await addZone(page, zone);
  await page.selectOption('#wall-layout', '3');
  await waitFor(async () => JSON.stringify((await current()).current) === JSON.stringify({ grid: '3', zones: ['WALL-03', 'WALL-01', 'WALL-02'] }), 'the wall is saved as it changes');
  const wallOf = (p: Page) => p.evaluate(() => ({ grid: (document.querySelector('#wall-layout') as HTMLSelectElement).value, zones: [...document.querySelectorAll('.tile')].map((t) => t.getAttribute('data-zone')) }));

  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('.tile').length === 3);
  assert.deepEqual(await wallOf(page), { grid: '3', zones: ['WALL-03', 'WALL-01', 'WALL-02'] }, 'after a reload');
  const { page: again } = await signedInPage(browser, gw, '/');
  await again.waitForFunction(() => document.querySelectorAll('.tile').length === 3);
  assert.deepEqual(await wallOf(again), { grid: '3', zones: ['WALL-03', 'WALL-01', 'WALL-02'] }, 'after a new sign-in');
  await again.close();

  await page.fill('#layout-name', 'Night shift');
  await page.click('#layout-save');
  await waitFor(async () => (await current()).layouts.some((l) => l.name === 'Night shift' && !l.shared), 'the layout is saved');
  await page.goto(`${gw.url}/?layout=${encodeURIComponent('Night shift')}`);
  await page.waitForFunction(() => document.querySelectorAll('.tile').length === 3);
  assert.deepEqual((await wallOf(page)).zones, ['WALL-03', 'WALL-01', 'WALL-02'], 'opened by name');

  const shared = await gw.api(`/api/layouts/Stadium`, { method: 'PUT', cookie: gw.admin.cookie, body: { grid: '2', zones: ['WALL-01', 'WALL-09'], shared: true } });
  assert.equal(shared.status, 200, shared.body);
  const operator = await gw.addUser('wall-op', 'operator', ['WALL-01']);
  assert.deepEqual((await current(operator.cookie)).layouts.map((l) => [l.name, l.shared, l.zones]), [['Stadium', true, ['WALL-01']]], 'only the zones it may watch');
  const refused = await gw.api('/api/layouts/Mine', { method: 'PUT', cookie: operator.cookie, body: { grid: 'auto', zones: ['WALL-01'], shared: true } });
  assert.equal(refused.status, 403, 'an operator cannot share');
  const invalid = await gw.api('/api/wall', { method: 'PUT', cookie: operator.cookie, body: { grid: '9', zones: ['not a zone'] } });
  assert.equal(invalid.status, 400);
  const { page: operatorPage } = await signedInPage(browser, gw, '/?layout=Stadium', operator);
  await operatorPage.waitForFunction(() => document.querySelectorAll('.tile').length === 1);
  assert.deepEqual((await wallOf(operatorPage)).zones, ['WALL-01']);
  await operatorPage.close();
});

it('a camera going offline raises the banner and a timeline entry within a second; the entry leads to its tile', async () => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const camera = await startCamera(browser, gw, 'WALL-CAM-99', { source: 'test-pattern', preset: '360p30', viewport: { width: 480, height: 360 } });
  await openWall(['WALL-01', 'WALL-02', 'WALL-CAM-99']);
  await waitForVideo(page, 'WALL-CAM-99', 20_000);
  assert.equal(await page.isVisible('#wall-down'), false, 'no banner while every camera is up');
  const watching = page.waitForFunction(() => {
    const banner = document.querySelector('#wall-down');
    const entry = document.querySelector('#timeline-list [data-event-zone="WALL-CAM-99"][data-event-kind="camera.offline"]');
    return banner?.getAttribute('data-down') === '1' && !(banner as HTMLElement).hidden && entry !== null ? performance.now() : false;
  }, undefined, { timeout: 10_000, polling: 50 });
  const wentAt = await page.evaluate(() => performance.now());
  await camera.context.close();
  const shownAt = (await (await watching).jsonValue()) as number;
  measured['banner and timeline after the camera went (ms)'] = Math.round(shownAt - wentAt);
  assert.ok(shownAt - wentAt <= 1_000, `shown ${Math.round(shownAt - wentAt)} ms after the camera's page closed`);
  assert.match((await page.textContent('#wall-down')) ?? '', /^1 of 3 cameras down: WALL-CAM-99$/);
  assert.match((await page.textContent(`${tile('WALL-CAM-99')} .tile-message`)) ?? '', /^Camera offline since \d\d:\d\d/);
  assert.equal(await page.getAttribute(tile('WALL-CAM-99'), 'data-state'), 'offline');
  await page.selectOption('#timeline-kind', 'camera.offline');
  assert.ok((await page.locator('#timeline-list [data-event-kind="camera.online"]').count()) === 0, 'the filter shows offline events only');
  await page.keyboard.press('1');
  await page.click('#timeline-list [data-event-zone="WALL-CAM-99"]');
  assert.equal(await page.evaluate(() => document.querySelector('.tile.selected')?.getAttribute('data-zone')), 'WALL-CAM-99', 'the entry selects its tile');
  const shot = resultsPath('wall-alert.png');
  await page.screenshot({ path: shot });
  if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(shot, join(import.meta.dirname, '..', '..', 'docs', 'screenshots', 'wall-alert.png'));
});

/**
 * The first connection whose offer it is given never gets a candidate either way (the offer's and
 * the answer's are stripped, trickled ones dropped): it stays "connecting", as the one-in-many
 * stuck relay connection does.
 */
const STUCK_FIRST_CONNECTION = `(() => {
  const Native = window.RTCPeerConnection;
  let sabotaged = 0;
  window.__vigilConnections = 0;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__vigilConnections += 1; this.__stuck = false; }
    async setRemoteDescription(description) {
      if (sabotaged === 0 && description && description.type === 'offer') { sabotaged = 1; this.__stuck = true; }
      if (this.__stuck && description && description.sdp) description = { type: description.type, sdp: description.sdp.replace(/a=candidate:[^\\r\\n]*\\r\\n/g, '') };
      return super.setRemoteDescription(description);
    }
    async addIceCandidate(candidate) { if (!this.__stuck) return super.addIceCandidate(candidate); }
    async setLocalDescription(description) { return super.setLocalDescription(description); }
    get localDescription() {
      const d = super.localDescription;
      return d && this.__stuck ? { type: d.type, sdp: d.sdp.replace(/a=candidate:[^\\r\\n]*\\r\\n/g, ''), toJSON() { return { type: this.type, sdp: this.sdp }; } } : d;
    }
    addEventListener(type, listener, options) {
      if (type === 'icecandidate') return super.addEventListener(type, (event) => { if (!this.__stuck) listener.call(this, event); }, options);
      return super.addEventListener(type, listener, options);
    }
    set onicecandidate(listener) { super.onicecandidate = (event) => { if (!this.__stuck && listener) listener.call(this, event); }; }
    get onicecandidate() { return super.onicecandidate; }
  };
})();`;

it('a tile whose connection never comes up starts its view again by itself and plays', async () => {
  const { page: stuckPage } = await signedInPage(browser, gw, '/?zones=WALL-05', gw.admin, [STUCK_FIRST_CONNECTION]);
  await stuckPage.waitForSelector(`${tile('WALL-05')}[data-state="connecting"]`, { timeout: 10_000 });
  const started = Date.now();
  await waitForVideo(stuckPage, 'WALL-05', 30_000);
  measured['stuck view playing again after (ms)'] = Date.now() - started;
  assert.ok(await stuckPage.evaluate(() => (window as unknown as { __vigilConnections: number }).__vigilConnections >= 2), 'a second connection was made');
  await stuckPage.close();
});
