import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { auditEntries } from '../support/access.ts';
import { launchBrowser, openConsole, addZone, resultsPath, signedInPage, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { pageBrightness, type Rect } from '../support/picture.ts';
import { waitFor } from '../support/waitFor.ts';

const ZONE = 'PLAZA-MASK-01';
/** The top-left quarter: the test scene's bright sky and buildings. */
const MASK = [[0, 0], [0.5, 0], [0.5, 0.45], [0, 0.45]];
let gw: TestGateway;
let browser: Browser;
before(async () => {
  // One viewer peer to peer, then a second moves the zone to the relay: both paths must be masked.
  gw = await startGateway({ media: { policy: 'auto', p2pMaxViewers: 1, workers: 1 } });
  browser = await launchBrowser({ loopbackMedia: true });
});
after(async () => { await browser?.close(); await gw?.close(); });

const brightness = (page: Page, selector: string, rect: number[]) => pageBrightness(page, selector, rect as unknown as Rect);

// Well inside the mask and well inside the unmasked sky: edges are the codec's to blur.
const INSIDE = [0.05, 0.03, 0.45, 0.1];
const OUTSIDE_SKY = [0.55, 0.03, 0.95, 0.1];

it('a zone\'s privacy masks are black in every viewer, peer to peer and through the relay, and in its thumbnail; changes apply live and are audited', async () => {
  const set = await gw.api(`/api/camera-profiles/${ZONE}/masks`, { method: 'PUT', cookie: gw.admin.cookie, body: { masks: [MASK] } });
  assert.equal(set.status, 200, set.body);
  const bad = await gw.api(`/api/camera-profiles/${ZONE}/masks`, { method: 'PUT', cookie: gw.admin.cookie, body: { masks: [[[0, 0], [2, 2]]] } });
  assert.equal(bad.status, 400);

  const camera = await startCamera(browser, gw, ZONE, { source: 'test-scene' });
  await camera.page.waitForFunction(() => /^1 area blacked out · \d+\.\d\d ms per frame$/.test(document.querySelector('#camera-privacy')?.textContent ?? ''), undefined, { timeout: 15_000 });
  const cost = Number((await camera.page.textContent('#camera-privacy'))!.match(/([\d.]+) ms/)![1]);
  console.log(`# privacy mask in the camera page's worker: ${cost} ms median per 720p frame (copyTo, fill, new VideoFrame)`);
  assert.ok(cost < 6, `masking costs ${cost} ms per frame`);
  assert.ok(await brightness(camera.page, '#local-video', INSIDE) < 30, 'the preview shows what goes out: masked');

  const first = await openConsole(browser, gw, [ZONE]);
  await waitForVideo(first.page, ZONE);
  const video = `${tile(ZONE)} video`;
  await waitFor(async () => (await brightness(first.page, video, OUTSIDE_SKY)) > 100, 'the sky bright at the viewer', { timeoutMs: 10_000 });
  assert.ok(await brightness(first.page, video, INSIDE) < 30, `masked at a peer-to-peer viewer (${await brightness(first.page, video, INSIDE)})`);
  assert.equal(await first.page.getAttribute(`${tile(ZONE)} .tile-path`, 'data-path'), 'p2p');

  const second = await openConsole(browser, gw, []);
  await addZone(second.page, ZONE);
  await waitForVideo(second.page, ZONE, 30_000);
  await second.page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-path') === 'relay', `${tile(ZONE)} .tile-path`, { timeout: 20_000 });
  await waitFor(async () => (await brightness(second.page, video, OUTSIDE_SKY)) > 100, 'the sky bright through the relay', { timeoutMs: 10_000 });
  assert.ok(await brightness(second.page, video, INSIDE) < 30, 'masked through the relay');
  await second.page.screenshot({ path: resultsPath('privacy-mask-console.png') });

  // The directory thumbnail is the camera page's own picture: masked too.
  await first.page.waitForFunction((zone) => {
    const img = document.querySelector(`img.directory-thumb[data-zone="${zone}"]`);
    return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
  }, ZONE, { timeout: 15_000 });
  assert.ok(await brightness(first.page, `img.directory-thumb[data-zone="${ZONE}"]`, INSIDE) < 40, 'masked in the thumbnail');

  // Cleared while publishing: the sky comes back at the viewer within seconds, no reconnect.
  await gw.api(`/api/camera-profiles/${ZONE}/masks`, { method: 'PUT', cookie: gw.admin.cookie, body: { masks: [] } });
  await waitFor(async () => (await brightness(first.page, video, INSIDE)) > 100, 'the area visible again', { timeoutMs: 10_000 });
  await camera.page.waitForFunction(() => document.querySelector('#camera-privacy')?.textContent === 'none');
  const audited = (await auditEntries(gw, 'camera.masked')).filter((e) => e.zone === ZONE);
  assert.deepEqual(audited.map((e) => e.detail.count), [0, 1], 'both changes, newest first, with the polygons');
  assert.deepEqual(audited[1]!.detail.masks, [MASK]);

  // The admin page's editor, over the zone's thumbnail: a mask drawn over the top-right sky, an
  // ignore zone over the road, a threshold; saved, audited, and applied by the camera at once.
  const { page: admin } = await signedInPage(browser, gw, '/admin.html');
  await admin.click(`#profiles-body tr[data-zone="${ZONE}"] [data-action="scene"]`);
  const editor = admin.locator('dialog[data-dialog="scene-editor"]');
  await editor.waitFor();
  const canvas = editor.locator('canvas');
  const box = (await canvas.boundingBox())!;
  const at = (x: number, y: number) => canvas.click({ position: { x: Math.min(0.99, Math.max(0.01, x)) * box.width, y: Math.min(0.99, Math.max(0.01, y)) * box.height } });
  for (const [x, y] of [[0.55, 0.02], [0.98, 0.02], [0.98, 0.4], [0.55, 0.4]] as const) await at(x, y);
  await editor.locator('[data-action="close-shape"]').click();
  await editor.locator('[data-field="layer"]').selectOption('ignoreZones');
  for (const [x, y] of [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] as const) await at(x, y);
  await editor.locator('[data-field="threshold"]').fill('30');
  await admin.screenshot({ path: resultsPath('scene-editor.png') });
  await editor.locator('[data-action="confirm"]').click();
  await editor.waitFor({ state: 'detached' });
  await waitFor(async () => (await brightness(first.page, video, OUTSIDE_SKY)) < 30, 'the top-right sky masked at the viewer', { timeoutMs: 10_000 });
  assert.ok(await brightness(first.page, video, INSIDE) > 100, 'the first area is no longer masked');
  const profile = ((await gw.api('/api/camera-profiles', { cookie: gw.admin.cookie })).json.cameras as { zone: string; masks: number[][][]; detection: { threshold: number; ignoreZones: number[][][] } }[]).find((c) => c.zone === ZONE)!;
  assert.equal(profile.masks.length, 1);
  assert.deepEqual([profile.detection.threshold, profile.detection.ignoreZones.length], [30, 1]);
  const [detection] = await auditEntries(gw, 'camera.detection');
  assert.deepEqual([detection?.zone, detection?.detail.threshold], [ZONE, 30]);
});
