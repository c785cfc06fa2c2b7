import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { CameraView, EvidenceView } from '../../src/shared/index.ts';
import { auditEntries } from '../support/access.ts';
import { launchBrowser, openConsole, resultsPath, signedInPage, tile, waitForVideo } from '../support/browser.ts';
import { fileBrightness, pageBrightness, type Rect } from '../support/picture.ts';
import type { TestGateway } from '../support/gateway.ts';
import { startDetectingIpCamera } from '../support/ipCameraGateway.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * An IP camera cannot mask its own picture: the gateway's ffmpeg decodes it, lays the masks over
 * every frame and encodes it once, and everything the gateway has of it (the relay's viewers, the
 * thumbnail, the detector, the evidence ring) is that masked picture.
 */
const ZONE = 'DEPOT-MASK-01';
/** The top-left quarter of a grey yard with a ball bouncing across it. */
const MASK = [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]];
// Well inside the mask and well outside it: edges are the codec's to blur.
const INSIDE: Rect = [0.05, 0.08, 0.45, 0.45];
const OUTSIDE: Rect = [0.6, 0.6, 0.95, 0.95];

let gw: TestGateway;
let site: Awaited<ReturnType<typeof startDetectingIpCamera>>;
let browser: Browser;
before(async () => {
  site = await startDetectingIpCamera(ZONE, 'Depot gate');
  gw = site.gw;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

const cameraView = async (): Promise<CameraView> => ((await gw.api('/api/cameras', { cookie: gw.admin.cookie })).json.cameras as CameraView[]).find((c) => c.zone === ZONE)!;
const setMasks = async (masks: number[][][]) => {
  const set = await gw.api(`/api/camera-profiles/${ZONE}/masks`, { method: 'PUT', cookie: gw.admin.cookie, body: { masks } });
  assert.equal(set.status, 200, set.body);
};

it('an IP camera\'s masks are burned in by the gateway: black at the viewer, in the thumbnail and in an evidence clip, applied in place and audited', async () => {
  const { page } = await openConsole(browser, gw, [ZONE]);
  await waitForVideo(page, ZONE, 30_000);
  const video = `${tile(ZONE)} video`;
  await waitFor(async () => (await pageBrightness(page, video, INSIDE)) > 80, 'the yard visible before any mask', { timeoutMs: 10_000 });
  assert.equal((await cameraView()).masked, false, 'copied, not re-encoded, without masks');
  // The same video element plays on: the viewer is not reconnected when the camera's ffmpeg restarts.
  await page.$eval(video, (el) => (el.dataset.before = 'masks'));

  const maskedAt = Date.now();
  await setMasks([MASK]);
  await waitFor(async () => (await pageBrightness(page, video, INSIDE)) < 30, 'the masked quarter black at the viewer', { timeoutMs: 15_000, everyMs: 100 });
  console.log(`# IP camera mask applied at the viewer ${Date.now() - maskedAt} ms after it was saved (the camera's ffmpeg restarted with it)`);
  assert.ok(await pageBrightness(page, video, OUTSIDE) > 80, 'the rest of the yard still visible');
  assert.equal(await page.$eval(video, (el) => el.dataset.before), 'masks', 'the same player, not a new connection');
  assert.equal(await page.getAttribute(tile(ZONE), 'data-state'), 'live');
  await page.screenshot({ path: resultsPath('ip-camera-mask-console.png') });
  const view = await cameraView();
  assert.deepEqual([view.status, view.masked], ['live', true], 're-encoded to burn the masks in, and says so');

  // The thumbnail: what the camera showed before the mask is not served again; the next is masked.
  let thumbnail: number[] = [];
  await waitFor(async () => {
    const got = await gw.api(`/api/thumbnails/${ZONE}`, { cookie: gw.admin.cookie });
    if (got.status !== 200) return false;
    thumbnail = [...await fileBrightness(got.bytes, INSIDE), ...await fileBrightness(got.bytes, OUTSIDE)];
    return true;
  }, 'a thumbnail again', { timeoutMs: 15_000, everyMs: 500 });
  assert.ok(thumbnail[0]! < 30 && thumbnail[1]! > 80, `the thumbnail masked (inside ${thumbnail[0]}, outside ${thumbnail[1]})`);

  // Evidence: the ring buffer holds the masked encoding only (a fresh ring for the masked ffmpeg).
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  const saved = await gw.api('/api/evidence', { cookie: gw.admin.cookie, body: { zone: ZONE } });
  assert.equal(saved.status, 200, saved.body);
  const clip = saved.json.clip as EvidenceView;
  console.log(`# the masking ffmpeg (640×360, 30 fps: decode, overlay, libx264 veryfast): ${(await cameraView()).cpuPercent} % of a core`);
  const bytes = (await gw.api(`/api/evidence/${clip.id}/clip.mp4`, { cookie: gw.admin.cookie })).bytes;
  const [inside, outside] = [await fileBrightness(bytes, INSIDE, 2), await fileBrightness(bytes, OUTSIDE, 2)];
  assert.ok(inside.length >= 10, `${inside.length} pictures decoded from the clip`);
  assert.ok(inside.every((b) => b < 30), `every picture of the clip masked: ${inside.map((b) => b.toFixed(0)).join(' ')}`);
  assert.ok(outside.every((b) => b > 80), 'and the rest visible');

  // The admin's editor says what masks cost on an IP camera.
  const { page: admin } = await signedInPage(browser, gw, '/admin.html');
  await admin.click(`#profiles-body tr[data-zone="${ZONE}"] [data-action="scene"]`);
  assert.match((await admin.textContent('dialog[data-dialog="scene-editor"] [data-field="mask-where"]')) ?? '', /IP camera.*decodes and re-encodes/);
  await admin.close();

  // Cleared: the camera is copied again, and the quarter comes back at the same viewer.
  await setMasks([]);
  await waitFor(async () => (await pageBrightness(page, video, INSIDE)) > 80, 'the quarter visible again', { timeoutMs: 15_000, everyMs: 100 });
  assert.equal(await page.$eval(video, (el) => el.dataset.before), 'masks');
  await waitFor(async () => (await cameraView()).masked === false, 'copied again', { timeoutMs: 5_000 });
  const audited = (await auditEntries(gw, 'camera.masked')).filter((e) => e.zone === ZONE);
  assert.deepEqual(audited.map((e) => e.detail.count), [0, 1]);
});
