import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { EvidenceView, SceneEvent } from '../../src/shared/index.ts';
import { auditEntries } from '../support/access.ts';
import { launchBrowser, openConsole, resultsPath, signedInPage } from '../support/browser.ts';
import type { TestGateway } from '../support/gateway.ts';
import { startDetectingIpCamera } from '../support/ipCameraGateway.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * Evidence from an IP camera with detection on: its ffmpeg keeps the last ~30 s as segments (a
 * copy, no decode); an event or an operator's click cuts a clip with pre-roll into an MP4.
 */
const ZONE = 'DEPOT-EVIDENCE-01';
let gw: TestGateway;
let site: Awaited<ReturnType<typeof startDetectingIpCamera>>;
let browser: Browser;
before(async () => {
  site = await startDetectingIpCamera(ZONE, 'Depot yard');
  gw = site.gw;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

const clipsOf = async (cookie = gw.admin.cookie) => ((await gw.api(`/api/evidence?zone=${ZONE}`, { cookie })).json.clips ?? []) as EvidenceView[];

it('cuts a clip with 5 s of pre-roll that ffprobe reads and Chromium plays; only those who may watch the zone get it, each view audited with its SHA-256; retention deletes the oldest, never a held one', async () => {
  // The event the detector raised gets its clip (the camera just started: its pre-roll is what there was).
  await waitFor(async () => ((await gw.api(`/api/events?zone=${ZONE}`, { cookie: gw.admin.cookie })).json.events as SceneEvent[]).some((e) => e.clipId !== null),
    'the motion event\'s clip', { timeoutMs: 40_000, everyMs: 500 });

  // The console plays it from the event's timeline entry.
  const console_ = await openConsole(browser, gw, [ZONE]);
  await console_.page.click('#timeline-list [data-scene-action="play"]', { timeout: 15_000 });
  await console_.page.waitForFunction(() => {
    const video = document.querySelector('dialog[data-dialog="clip"] video') as HTMLVideoElement | null;
    return video !== null && video.videoWidth > 0 && video.currentTime > 0.3;
  }, undefined, { timeout: 15_000 });
  await console_.page.screenshot({ path: resultsPath('evidence-clip-console.png') });
  await console_.page.click('dialog[data-dialog="clip"] [data-action="cancel"]');
  await console_.page.close();

  // An operator's click, once the ring holds more than the pre-roll.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const clickedAt = Date.now();
  const saved = await gw.api('/api/evidence', { cookie: gw.admin.cookie, body: { zone: ZONE } });
  assert.equal(saved.status, 200, saved.body);
  const clip = saved.json.clip as EvidenceView;
  console.log(`# clip: ${Date.parse(clip.endedAt) - Date.parse(clip.startedAt)} ms, pre-roll ${clickedAt - Date.parse(clip.startedAt)} ms, ${clip.bytes} bytes, cut ${Date.now() - clickedAt} ms after the click`);
  assert.ok(clickedAt - Date.parse(clip.startedAt) >= 5_000, 'at least 5 s before the click');
  assert.ok(Date.parse(clip.endedAt) >= clickedAt + 4_000, 'and a few seconds after');

  const download = await gw.api(`/api/evidence/${clip.id}/clip.mp4?download=1`, { cookie: gw.admin.cookie });
  assert.equal(download.status, 200);
  assert.match(String(download.headers['content-disposition']), /attachment; filename="DEPOT-EVIDENCE-01-/);
  const bytes = download.bytes;
  assert.equal(createHash('sha256').update(bytes).digest('hex'), clip.sha256, 'the file is the one recorded');
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-clip-test-')), 'clip.mp4');
  writeFileSync(file, bytes);
  const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]).toString());
  rmSync(dirname(file), { recursive: true, force: true });
  assert.ok(Number(probe.format.duration) >= 10, `ffprobe reads ${probe.format.duration} s`);
  assert.match(probe.format.format_name, /mp4/);
  assert.equal(probe.streams[0].codec_name, 'h264');
  const snapshot = await gw.api(`/api/evidence/${clip.id}/snapshot.jpg`, { cookie: gw.admin.cookie });
  assert.deepEqual([snapshot.status, snapshot.headers['content-type'], snapshot.bytes.subarray(0, 2).toString('hex')], [200, 'image/jpeg', 'ffd8'], 'a JPEG snapshot with it');
  const [downloaded] = await auditEntries(gw, 'evidence.downloaded');
  assert.deepEqual([downloaded?.actor, downloaded?.zone, downloaded?.detail.sha256], ['admin', ZONE, clip.sha256]);

  // It plays in Chromium, from the gateway, as the console would play it.
  const { page } = await signedInPage(browser, gw, '/');
  const played = await page.evaluate(async (src) => {
    const video = document.createElement('video');
    video.muted = true;
    video.src = src;
    document.body.append(video);
    await video.play();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    return { width: video.videoWidth, time: video.currentTime, duration: video.duration };
  }, `/api/evidence/${clip.id}/clip.mp4`);
  assert.ok(played.width > 0 && played.time > 0.5, `played: ${JSON.stringify(played)}`);
  assert.ok((await auditEntries(gw, 'evidence.viewed')).some((e) => e.detail.evidence === clip.id));

  // Someone without the zone's grant: never listed, refused, audited.
  const outsider = await gw.addUser('evidence-outsider', 'operator', ['PARK-*']);
  assert.deepEqual(await clipsOf(outsider.cookie), []);
  const refused = await gw.api(`/api/evidence/${clip.id}/clip.mp4`, { cookie: outsider.cookie });
  assert.deepEqual([refused.status, refused.json.error.code], [403, 'ZONE_FORBIDDEN']);
  assert.equal((await gw.api(`/api/evidence/${clip.id}/snapshot.jpg`, { cookie: outsider.cookie })).status, 403);
  assert.equal((await gw.api('/api/evidence', { cookie: outsider.cookie, body: { zone: ZONE } })).status, 403);
  assert.ok((await auditEntries(gw, 'api.denied')).some((e) => e.actor === 'evidence-outsider' && e.detail.evidence === clip.id));
  assert.equal((await gw.api(`/api/evidence/${clip.id}/hold`, { method: 'PUT', cookie: outsider.cookie, body: { held: true } })).status, 403, 'legal hold is an admin\'s');

  // Retention: hold this clip, let the camera keep 1 MB; the next clips push out the oldest unheld.
  assert.equal((await gw.api(`/api/evidence/${clip.id}/hold`, { method: 'PUT', cookie: gw.admin.cookie, body: { held: true } })).json.clip.held, true);
  const { page: adminPage } = await signedInPage(browser, gw, '/admin.html');
  await adminPage.waitForFunction((id) => /legal hold/.test(document.querySelector(`#evidence-body tr[data-evidence="${id}"]`)?.textContent ?? ''), clip.id);
  await adminPage.close();
  const before = await clipsOf();
  const oldestUnheld = before.filter((c) => !c.held).at(-1)!;
  assert.ok(oldestUnheld, 'the event\'s clip, not held');
  const limited = await gw.api(`/api/camera-profiles/${ZONE}/retention`, { method: 'PUT', cookie: gw.admin.cookie, body: { days: null, megabytes: 1 } });
  assert.deepEqual(limited.json.retention, { days: 30, megabytes: 1 });
  const next = await gw.api('/api/evidence', { cookie: gw.admin.cookie, body: { zone: ZONE } });
  assert.equal(next.status, 200, next.body);
  const after = await clipsOf();
  assert.deepEqual(after.map((c) => c.id).sort(), [clip.id, next.json.clip.id].sort(), `the held clip and the newest stay; the oldest unheld went (${before.map((c) => `${c.id}:${c.bytes}`).join(' ')})`);
  const deleted = await auditEntries(gw, 'evidence.deleted');
  assert.ok(deleted.every((e) => e.detail.evidence !== clip.id), 'never the held one');
  assert.ok(deleted.length >= 1 && deleted.some((e) => e.detail.evidence === oldestUnheld.id), 'the oldest went, audited with why');
});
