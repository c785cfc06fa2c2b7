import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { EvidenceView, SceneEvent } from '../../src/shared/index.ts';
import { auditEntries } from '../support/access.ts';
import { launchBrowser, openConsole, resultsPath, signedInPage, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { scrapeUntil } from '../support/metrics.ts';
import { fileBrightness } from '../support/picture.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * Evidence of a browser camera: peer to peer, the gateway never holds its stream; recorded, the
 * camera sends through the relay (viewers or not) and the relay's worker keeps its ring buffer,
 * from which events and operators' clicks cut clips as from an IP camera's.
 */
const ZONE = 'PLAZA-REC-01';
let gw: TestGateway;
let browser: Browser;
before(async () => {
  // One viewer is peer to peer here: only recording moves the camera to the relay.
  gw = await startGateway({ media: { policy: 'auto', p2pMaxViewers: 1, workers: 1 } });
  browser = await launchBrowser({ loopbackMedia: true });
});
after(async () => { await browser?.close(); await gw?.close(); });

function probe(bytes: Buffer): { duration: number; codec: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-browser-clip-')), 'clip.mp4');
  writeFileSync(file, bytes);
  try {
    const read = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]).toString());
    return { duration: Number(read.format.duration), codec: read.streams[0].codec_name };
  } finally {
    rmSync(file, { recursive: true, force: true });
  }
}

it('a recorded browser camera publishes through the relay with no viewer, and its clips (an operator\'s click, an event) have 5 s of pre-roll and play', async () => {
  const camera = await startCamera(browser, gw, ZONE, { source: 'test-scene' });
  await camera.page.waitForFunction(() => document.querySelector('#camera-recording')?.textContent === 'not recorded');
  assert.equal((await gw.api('/api/evidence', { cookie: gw.admin.cookie, body: { zone: ZONE } })).status, 404, 'peer to peer: nothing kept');

  // The admin turns recording on from Named cameras; the camera page says where its video now goes.
  const { page: admin } = await signedInPage(browser, gw, '/admin.html');
  const record = `#profiles-body tr[data-zone="${ZONE}"] [data-action="record"]`;
  await admin.waitForSelector(record);
  assert.match((await admin.getAttribute(record, 'title')) ?? '', /through the gateway's relay/);
  await admin.click(record);
  await admin.waitForSelector(`${record}[aria-pressed="true"]`);
  await camera.page.waitForFunction(() => /^recorded by the gateway: this camera sends through its relay$/.test(document.querySelector('#camera-recording')?.textContent ?? ''), undefined, { timeout: 10_000 });
  await camera.page.waitForFunction(() => document.querySelector('#camera-session')?.textContent === 'publishing via relay', undefined, { timeout: 15_000 });
  await camera.page.screenshot({ path: resultsPath('browser-camera-recorded.png') });
  const [audited] = await auditEntries(gw, 'camera.recording');
  assert.deepEqual([audited?.zone, audited?.actor, audited?.detail.record], [ZONE, 'admin', true]);

  // No one watches: the relay records all the same. An operator's click once the ring holds the pre-roll.
  await scrapeUntil(gw, (s) => s.get(`vigil_relay_recording{zone="${ZONE}"}`) === 1);
  await new Promise((resolve) => setTimeout(resolve, 8_000));
  const clickedAt = Date.now();
  const saved = await gw.api('/api/evidence', { cookie: gw.admin.cookie, body: { zone: ZONE } });
  assert.equal(saved.status, 200, saved.body);
  const clip = saved.json.clip as EvidenceView;
  console.log(`# browser camera clip: ${Date.parse(clip.endedAt) - Date.parse(clip.startedAt)} ms, pre-roll ${clickedAt - Date.parse(clip.startedAt)} ms, ready ${Date.now() - clickedAt} ms after the click`);
  assert.ok(clickedAt - Date.parse(clip.startedAt) >= 5_000, 'at least 5 s before the click');
  assert.ok(Date.parse(clip.endedAt) >= clickedAt + 4_000, 'and a few seconds after');
  const bytes = (await gw.api(`/api/evidence/${clip.id}/clip.mp4`, { cookie: gw.admin.cookie })).bytes;
  const read = probe(bytes);
  assert.ok(read.duration >= 10, `ffprobe reads ${read.duration} s`);
  assert.equal(read.codec, 'h264');
  const pictures = await fileBrightness(bytes, [0, 0.5, 1, 1], 2);
  assert.ok(pictures.length >= 18, `${pictures.length} pictures decoded at 2 a second`);
  assert.ok(pictures.every((b) => b > 20), 'the street, not black');

  // An operator: the zone is relayed from the first view (it is recorded), and an event cuts its own clip.
  const { page } = await openConsole(browser, gw, [ZONE]);
  await waitForVideo(page, ZONE);
  assert.equal(await page.getAttribute(`${tile(ZONE)} .tile-path`, 'data-path'), 'relay');
  await camera.page.click('[data-scene-action="walk"]');
  await waitFor(async () => ((await gw.api(`/api/events?zone=${ZONE}`, { cookie: gw.admin.cookie })).json.events as SceneEvent[]).some((e) => e.kind === 'motion' && e.clipId !== null),
    'the motion event\'s clip', { timeoutMs: 30_000, everyMs: 500 });
  await page.click('#timeline-list [data-event-kind="motion"] [data-scene-action="play"]', { timeout: 15_000 });
  await page.waitForFunction(() => {
    const video = document.querySelector('dialog[data-dialog="clip"] video') as HTMLVideoElement | null;
    return video !== null && video.videoWidth > 0 && video.currentTime > 0.3;
  }, undefined, { timeout: 15_000 });
  await page.click('dialog[data-dialog="clip"] [data-action="cancel"]');
  // The event's snapshot, from the timeline: the picture the camera sent with it, the look audited.
  await page.click('#timeline-list [data-event-kind="motion"] [data-scene-action="snapshot"]');
  await page.waitForFunction(() => {
    const img = document.querySelector('dialog[data-dialog="picture"] img') as HTMLImageElement | null;
    return img !== null && img.complete && img.naturalWidth > 0;
  }, undefined, { timeout: 10_000 });
  await page.click('dialog[data-dialog="picture"] [data-action="cancel"]');
  assert.ok((await auditEntries(gw, 'event.snapshot')).some((e) => e.zone === ZONE && e.actor === 'admin'), 'the look is audited');

  // Per camera: the tile's Clips button lists them all, newest first, each to play or download.
  await page.click(`${tile(ZONE)} [data-action="clips"]`);
  const rows = page.locator('dialog[data-dialog="clip-list"] .clip-row');
  await rows.first().waitFor();
  const listed = await rows.evaluateAll((els) => els.map((el) => ({ id: Number(el.getAttribute('data-evidence')), text: el.textContent ?? '' })));
  assert.ok(listed.length >= 2, `${listed.length} clips listed`);
  assert.ok(listed.some((r) => r.id === clip.id && /saved by admin/.test(r.text)), 'the operator\'s clip, saying who');
  assert.ok(listed.some((r) => /event #\d+/.test(r.text)), 'the event\'s clip');
  assert.deepEqual(listed.map((r) => r.id), [...listed.map((r) => r.id)].sort((a, b) => b - a), 'newest first');
  await page.screenshot({ path: resultsPath('browser-camera-clips.png') });
  await rows.locator('[data-action="play"]').last().click();
  await page.waitForFunction(() => {
    const video = document.querySelector('dialog[data-dialog="clip"] video') as HTMLVideoElement | null;
    return video !== null && video.videoWidth > 0 && video.currentTime > 0.3;
  }, undefined, { timeout: 15_000 });
  await page.screenshot({ path: resultsPath('browser-camera-clip.png') });
  await page.click('dialog[data-dialog="clip"] [data-action="cancel"]');

  // Off again: nothing more is kept, and the camera says so.
  await admin.click(record);
  await admin.waitForSelector(`${record}[aria-pressed="false"]`);
  await camera.page.waitForFunction(() => document.querySelector('#camera-recording')?.textContent === 'not recorded', undefined, { timeout: 10_000 });
  const refused = await gw.api('/api/evidence', { cookie: gw.admin.cookie, body: { zone: ZONE } });
  assert.deepEqual([refused.status, refused.json.error.code], [404, 'NOT_FOUND'], 'the ring is gone');
  assert.equal((await scrapeUntil(gw, (s) => s.get(`vigil_relay_recording{zone="${ZONE}"}`) === 0)).get(`vigil_relay_recording{zone="${ZONE}"}`), 0);
  assert.equal((await page.getAttribute(tile(ZONE), 'data-state')), 'live', 'the operator still watches');
});
