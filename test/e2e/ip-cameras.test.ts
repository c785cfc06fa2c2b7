import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { CameraView } from '../../src/shared/index.ts';
import { auditEntries } from '../support/access.ts';
import { launchBrowser, measureFps, openConsole, readTile, resultsPath, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startOnvifCamera } from '../support/onvifCamera.ts';
import { startRtspCamera, type RtspCamera } from '../support/rtspCamera.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * IP cameras against the real thing: GStreamer's RTSP server as the cameras (H.264 Baseline and
 * High, with and without B-frames, H.265; TCP and UDP; Basic authentication), ffmpeg copying
 * them into the relay, Chromium decoding them on the wall. One gateway for the file.
 */
const PASSWORD = 'p@ss:w/rd#1';
let gw: TestGateway;
let browser: Browser;
const cameras: Record<string, RtspCamera> = {};

async function cameraIn(zone: string): Promise<CameraView> {
  const reply = await gw.api('/api/cameras', { cookie: gw.admin.cookie });
  assert.equal(reply.status, 200, reply.body);
  const camera = (reply.json.cameras as CameraView[]).find((c) => c.zone === zone);
  assert.ok(camera, `no camera in ${zone}`);
  return camera;
}

async function statusBecomes(zone: string, status: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await waitFor(async () => (await cameraIn(zone)).status === status, `${zone} ${status}`, { timeoutMs, everyMs: 100 });
  return Date.now() - started;
}

before(async () => {
  const [high, udp, bframes, h265] = await Promise.all([
    startRtspCamera('high', { user: 'viewer', password: PASSWORD, audio: true }),
    startRtspCamera('baseline'),
    startRtspCamera('bframes'),
    startRtspCamera('h265', { size: '320x180', fps: 15 }),
  ]);
  Object.assign(cameras, { high, udp, bframes, h265 });
  gw = await startGateway({
    media: { policy: 'auto', workers: 1 },
    cameras: [
      { zone: 'IPCAM-HIGH', name: 'High street', url: high!.url, username: 'viewer', password: PASSWORD },
      { zone: 'IPCAM-UDP', name: 'Baseline over UDP', url: udp!.url, transport: 'udp' },
      { zone: 'IPCAM-BFRAMES', name: 'B-frames', url: bframes!.url },
      { zone: 'IPCAM-H265', name: 'H.265', url: h265!.url },
    ],
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await gw?.close();
  await Promise.all(Object.values(cameras).map((camera) => camera.stop()));
});

describe('cameras from the config file', () => {
  it('a High-profile camera behind a password and a Baseline one over UDP play on the wall at full rate, fast', async () => {
    await statusBecomes('IPCAM-HIGH', 'live', 15_000);
    await statusBecomes('IPCAM-UDP', 'live', 15_000);
    const high = await cameraIn('IPCAM-HIGH');
    assert.equal(high.probe?.codec, 'h264');
    assert.equal(high.probe?.profile, 'High');
    assert.equal(high.probe?.bFrames, false);
    assert.equal(high.hasPassword, true);
    const { page } = await openConsole(browser, gw, ['IPCAM-HIGH', 'IPCAM-UDP']);
    for (const zone of ['IPCAM-HIGH', 'IPCAM-UDP']) {
      const shown = await waitForVideo(page, zone);
      assert.equal(shown.videoWidth, 640);
      assert.equal(shown.videoHeight, 360);
      assert.equal(await page.$eval(`${tile(zone)} .tile-path`, (el) => el.getAttribute('data-path')), 'relay', 'an IP camera always goes through the relay');
      // The GOP cache: the first picture comes from the cached keyframe, not the camera's next
      // one (its GOP is 2 s, so waiting for it would average a second).
      assert.ok(shown.firstFrameMs !== null && shown.firstFrameMs < 1_000, `first frame after ${shown.firstFrameMs} ms`);
    }
    for (const zone of ['IPCAM-HIGH', 'IPCAM-UDP']) {
      const fps = await measureFps(page, zone);
      assert.ok(fps >= 25, `${zone} plays at ${fps.toFixed(1)} fps`);
    }
    const stats = await gw.gateway.relayWorkers!.stats();
    const replays = stats.flatMap((s) => s.zones).filter((z) => z.zone.startsWith('IPCAM-')).reduce((n, z) => n + z.replays, 0);
    assert.ok(replays >= 2, `both viewers started on the GOP cache (${replays} replays)`);
    await page.close();
  });

  it('B-frames and H.265 are refused with a status that names the camera setting to change', async () => {
    await statusBecomes('IPCAM-BFRAMES', 'unsupported_codec', 15_000);
    await statusBecomes('IPCAM-H265', 'unsupported_codec', 15_000);
    const bframes = await cameraIn('IPCAM-BFRAMES');
    assert.match(bframes.reason ?? '', /B-frames/);
    assert.match(bframes.reason ?? '', /transcode/);
    assert.equal(bframes.probe?.bFrames, true);
    const h265 = await cameraIn('IPCAM-H265');
    assert.match(h265.reason ?? '', /H\.265/);
    assert.equal(h265.probe?.codec, 'hevc');
    // Not published: operators see no live camera there.
    assert.equal((await gw.gateway.presence.summaries()).find((z) => z.zone === 'IPCAM-BFRAMES')?.cameraOnline ?? false, false);
  });

  it('never gives a password back: not in the API, not in the store', async () => {
    const reply = await gw.api('/api/cameras', { cookie: gw.admin.cookie });
    assert.ok(!reply.body.includes(PASSWORD));
    assert.ok(!reply.body.includes('password"'), 'no password field, only hasPassword');
    const db = readFileSync(join(gw.dataDir, 'vigil.db'));
    const wal = (() => { try { return readFileSync(join(gw.dataDir, 'vigil.db-wal')); } catch { return Buffer.alloc(0); } })();
    assert.ok(!db.includes(PASSWORD) && !wal.includes(PASSWORD), 'the store holds the password sealed only');
    const operator = await gw.addUser('ipcam-operator', 'operator', ['IPCAM-*']);
    assert.equal((await gw.api('/api/cameras', { cookie: operator.cookie })).status, 403, 'admins only');
  });
});

describe('cameras an admin adds', () => {
  it('test connection reports what the camera sends, or why it cannot be read, and saves nothing', async () => {
    const test = (body: Record<string, unknown>) => gw.api('/api/cameras/test', { cookie: gw.admin.cookie, body });
    const good = await test({ url: cameras.high!.url, username: 'viewer', password: PASSWORD });
    assert.equal(good.status, 200, good.body);
    assert.equal(good.json.status, 'live', good.body);
    assert.deepEqual(
      { codec: good.json.probe.codec, profile: good.json.probe.profile, width: good.json.probe.width, height: good.json.probe.height, fps: good.json.probe.fps, gop: good.json.probe.gopSeconds, bFrames: good.json.probe.bFrames },
      { codec: 'h264', profile: 'High', width: 640, height: 360, fps: 30, gop: 2, bFrames: false },
    );
    assert.equal(good.json.probe.audio, 'pcm_alaw', 'its audio is named (and not carried: video only)');
    const wrong = await test({ url: cameras.high!.url, username: 'viewer', password: 'wrong' });
    assert.equal(wrong.json.status, 'auth_failed');
    const nobody = await test({ url: 'rtsp://127.0.0.1:9/cam' });
    assert.equal(nobody.json.status, 'unreachable');
    const inUrl = await test({ url: `rtsp://viewer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${cameras.high!.port}/cam` });
    assert.equal(inUrl.status, 400, 'credentials go in their own fields');
    assert.equal(inUrl.json.error.code, 'PAYLOAD_INVALID');
    assert.ok(!(await gw.api('/api/cameras', { cookie: gw.admin.cookie })).body.includes('rtsp://127.0.0.1:9/'), 'a test saves nothing');
  });

  it('ONVIF: the camera says what it is, how far its clock is off and where its best H.264 stream is; a wrong password or no camera says so', async () => {
    const onvif = await startOnvifCamera({ username: 'onvif-admin', password: PASSWORD, streamUri: `rtsp://onvif-admin:x@127.0.0.1:${cameras.high!.port}/cam`, clockOffsetMs: 90_000 });
    try {
      const ask = (body: Record<string, unknown>) => gw.api('/api/cameras/onvif', { cookie: gw.admin.cookie, body });
      const found = await ask({ host: onvif.host, port: onvif.port, username: 'onvif-admin', password: PASSWORD });
      assert.equal(found.status, 200, found.body);
      const { onvif: description } = found.json;
      assert.equal(`${description.manufacturer} ${description.model}`, 'Vigil Test Optics VTO-2000');
      assert.equal(description.profile, 'main', 'the largest H.264 profile');
      assert.equal(description.streamUrl, cameras.high!.url, 'the stream URL, without the credentials the camera put in it');
      assert.ok(Math.abs(description.clockOffsetSeconds - 90) <= 2, `clock off by ${description.clockOffsetSeconds} s`);
      assert.ok(onvif.requests.filter((r) => r.action !== 'GetSystemDateAndTime').every((r) => r.authenticated), 'every other request carried a valid WS-Security digest');
      const refused = await ask({ host: onvif.host, port: onvif.port, username: 'onvif-admin', password: 'wrong' });
      assert.equal(refused.json.status, 'auth_failed');
      assert.equal(refused.json.onvif, null);
      assert.equal((await ask({ host: '127.0.0.1', port: 9 })).json.status, 'unreachable');
      // What ONVIF found plays: the same camera as IPCAM-HIGH.
      const tested = await gw.api('/api/cameras/test', { cookie: gw.admin.cookie, body: { url: description.streamUrl, username: 'viewer', password: PASSWORD } });
      assert.equal(tested.json.status, 'live', tested.body);
    } finally {
      await onvif.close();
    }
  });

  it('an added camera goes live and plays; transcode makes a B-frame camera play; removing one unpublishes its zone, audited', async () => {
    const add = (body: Record<string, unknown>) => gw.api('/api/cameras', { cookie: gw.admin.cookie, body });
    // Its own camera: a decoding ffmpeg stalls for seconds when another client joins the test
    // server's shared stream (the refused camera's retries would).
    cameras.toTranscode = await startRtspCamera('bframes');
    const added = await add({ zone: 'IPCAM-TRANSCODED', name: 'Re-encoded', url: cameras.toTranscode.url, transcode: true });
    assert.equal(added.status, 201, added.body);
    const clash = await add({ zone: 'IPCAM-TRANSCODED', name: 'Again', url: cameras.udp!.url });
    assert.equal(clash.status, 409);
    assert.equal(clash.json.error.code, 'CONFLICT');
    await statusBecomes('IPCAM-TRANSCODED', 'live', 20_000);
    const { page } = await openConsole(browser, gw, ['IPCAM-TRANSCODED']);
    await waitForVideo(page, 'IPCAM-TRANSCODED');
    const fps = await measureFps(page, 'IPCAM-TRANSCODED');
    assert.ok(fps >= 25, `the re-encoded camera plays at ${fps.toFixed(1)} fps`);

    // The admin page shows what each ffmpeg costs: copying is nearly free, re-encoding is not.
    const [transcoded, copied] = [await cameraIn('IPCAM-TRANSCODED'), await cameraIn('IPCAM-HIGH')];
    assert.ok(copied.cpuPercent !== null && copied.cpuPercent < 5, `copying costs ${copied.cpuPercent} % of a core`);
    assert.ok(transcoded.cpuPercent !== null && transcoded.cpuPercent > 2 * copied.cpuPercent, `transcoding costs ${transcoded.cpuPercent} % against ${copied.cpuPercent} %`);
    const id = transcoded.id;
    assert.equal((await gw.api(`/api/cameras/${id}`, { method: 'DELETE', cookie: gw.admin.cookie })).status, 200);
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-state') !== 'live', tile('IPCAM-TRANSCODED'), { timeout: 5_000 });
    await page.close();
    const configured = await cameraIn('IPCAM-HIGH');
    const refused = await gw.api(`/api/cameras/${configured.id}`, { method: 'DELETE', cookie: gw.admin.cookie });
    assert.equal(refused.status, 409, 'a camera of the config file is removed there');
    assert.ok((await auditEntries(gw, 'camera.added')).some((e) => e.zone === 'IPCAM-TRANSCODED' && e.actor === 'admin'));
    assert.ok((await auditEntries(gw, 'camera.removed')).some((e) => e.zone === 'IPCAM-TRANSCODED'));
    assert.ok((await auditEntries(gw, 'publish.ended')).some((e) => e.zone === 'IPCAM-TRANSCODED' && e.actor === 'source:Re-encoded'));
  });
});

describe('cameras that fail', () => {
  it('a camera that hangs is noticed within 5 s, and plays again on the wall once it answers, with no operator action', async () => {
    const hanging = await startRtspCamera('baseline');
    cameras.hanging = hanging;
    assert.equal((await gw.api('/api/cameras', { cookie: gw.admin.cookie, body: { zone: 'IPCAM-HANG', name: 'Hangs', url: hanging.url } })).status, 201);
    await statusBecomes('IPCAM-HANG', 'live', 15_000);
    const { page } = await openConsole(browser, gw, ['IPCAM-HANG']);
    await waitForVideo(page, 'IPCAM-HANG');
    hanging.freeze();
    const noticedMs = await statusBecomes('IPCAM-HANG', 'stalled', 8_000);
    assert.ok(noticedMs <= 6_000, `noticed after ${noticedMs} ms`);
    hanging.thaw();
    await statusBecomes('IPCAM-HANG', 'live', 20_000);
    const before = await readTile(page, 'IPCAM-HANG');
    await page.waitForFunction(([sel, n]) => {
      const el = document.querySelector(sel!);
      return el?.getAttribute('data-state') === 'live' && (el.querySelector('video') as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames > Number(n) + 10;
    }, [tile('IPCAM-HANG'), String(before.presentedFrames)], { timeout: 15_000 });
    await page.close();
  });

  it('a relay worker that dies is restarted and the IP camera plays on the wall again, its ffmpeg pointed at the new worker', async () => {
    const { page } = await openConsole(browser, gw, ['IPCAM-HIGH']);
    await waitForVideo(page, 'IPCAM-HIGH');
    const peerBefore = await page.getAttribute(tile('IPCAM-HIGH'), 'data-peer');
    const [pid] = gw.gateway.relayWorkers!.pids;
    const killedAt = Date.now();
    process.kill(pid!, 'SIGKILL');
    await page.waitForFunction(([sel, old]) => {
      const el = document.querySelector(sel!);
      return el?.getAttribute('data-peer') !== old && el?.getAttribute('data-state') === 'live';
    }, [tile('IPCAM-HIGH'), peerBefore], { timeout: 15_000, polling: 50 });
    const start = await readTile(page, 'IPCAM-HIGH');
    await page.waitForFunction(([sel, n]) => (document.querySelector(`${sel} video`) as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames > Number(n) + 5, [tile('IPCAM-HIGH'), String(start.presentedFrames)], { timeout: 10_000 });
    const backAfterMs = Date.now() - killedAt;
    writeFileSync(resultsPath('ip-camera-relay-restart.json'), JSON.stringify({ backAfterMs }, null, 2));
    // ffmpeg must connect to the camera again and wait for its next keyframe (the GOP cache went
    // with the worker): a 2 s GOP bounds it.
    assert.ok(backAfterMs <= 5_000, `the IP camera plays again ${backAfterMs} ms after the worker died`);
    assert.equal((await cameraIn('IPCAM-HIGH')).status, 'live');
    await page.close();
  });

  it('a camera whose server dies says unreachable, and comes back when the server does', async () => {
    const dying = await startRtspCamera('baseline');
    cameras.dying = dying;
    assert.equal((await gw.api('/api/cameras', { cookie: gw.admin.cookie, body: { zone: 'IPCAM-DIES', name: 'Dies', url: dying.url } })).status, 201);
    await statusBecomes('IPCAM-DIES', 'live', 15_000);
    await dying.stop();
    await waitFor(async () => ['unreachable', 'stalled'].includes((await cameraIn('IPCAM-DIES')).status), 'noticed', { timeoutMs: 6_000, everyMs: 100 });
    cameras.dying = await startRtspCamera('baseline', { port: dying.port });
    await statusBecomes('IPCAM-DIES', 'live', 20_000);
    const metrics = await gw.api('/metrics');
    assert.match(metrics.body, /vigil_ip_camera_live\{zone="IPCAM-DIES"\} 1/);
    assert.match(metrics.body, /vigil_ip_cameras\{status="unsupported_codec"\} 2/);
  });
});
