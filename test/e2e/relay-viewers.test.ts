import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { auditEntries } from '../support/access.ts';
import { launchBrowser, resultsPath, startCamera } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { scrapeUntil } from '../support/metrics.ts';
import { waitFor } from '../support/waitFor.ts';
import { WeriftViewer } from '../support/weriftViewer.ts';
import type { ViewerCommand, ViewerReport, ViewerSample } from '../support/weriftViewerProcess.ts';

/**
 * Many viewers on the relay: one Chromium camera, a dozen non-browser viewers (werift peers that
 * count frames and keyframes). Access keeps its meaning: a grant removed mid-view stops that
 * viewer's packets within a second while the others play on; the audit trail and /metrics say
 * the video went through the relay.
 */
let gw: TestGateway;
let browser: Browser;
const viewers: WeriftViewer[] = [];

before(async () => {
  gw = await startGateway({ media: { policy: 'relay', workers: 1, listenAddress: '127.0.0.1' } });
  browser = await launchBrowser({ loopbackMedia: true });
});
after(async () => {
  await Promise.all(viewers.map((v) => v.close()));
  await browser?.close();
  await gw?.close();
});

const VIEWERS = 12;

it('twelve relay viewers of one camera get its frames; a removed grant cuts one within a second and the rest play on', async () => {
  const ZONE = 'RELAY-MANY-01';
  await startCamera(browser, gw, ZONE, { viewport: { width: 480, height: 360 } });
  const ada = await gw.addUser('ada', 'operator');
  const adaGrant = await gw.grant(ada.id, ZONE);

  const watchedAt = Date.now();
  const cut = new WeriftViewer(await gw.connect('operator', { cookie: ada.cookie }), ZONE);
  viewers.push(cut);
  for (let i = 1; i < VIEWERS; i += 1) viewers.push(new WeriftViewer(await gw.connect('operator'), ZONE));
  for (const viewer of viewers) assert.equal((await viewer.watch() as { ok: boolean }).ok, true);
  await Promise.all(viewers.map((viewer) => viewer.waitForFrames(30, 20_000)));
  for (const viewer of viewers) {
    assert.equal(viewer.offers.at(-1)?.via, 'relay', 'the relay offered the video');
    assert.ok(viewer.keyframes >= 1, 'each viewer got a keyframe');
    assert.equal(viewer.firstPacketStartsPicture, true, 'each viewer\'s first packet begins a keyframe with its SPS');
  }
  const firstFrameMs = viewers.map((v) => v.firstFrameAt! - watchedAt);
  const connectedMs = viewers.map((v) => (v.connectedAt ?? 0) - watchedAt);
  const firstPacketMs = viewers.map((v) => (v.firstPacketAt ?? 0) - watchedAt);

  // Every viewer plays at the camera's rate: frames over two seconds.
  const before = viewers.map((v) => v.frames);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const fps = viewers.map((v, i) => (v.frames - before[i]!) / 2);
  for (const [i, rate] of fps.entries()) assert.ok(rate >= 15, `viewer ${i + 1} gets ${rate} frames per second`);

  const samples = await scrapeUntil(gw, (s) => s.get(`vigil_relay_subscribers{zone="${ZONE}"}`) === VIEWERS);
  assert.ok((samples.get(`vigil_relay_forwarded_packets{zone="${ZONE}"}`) ?? 0) > 0, 'forwarded packets are counted');
  assert.ok((samples.get('vigil_relay_worker_cpu_seconds{worker="0"}') ?? 0) > 0, 'the worker reports its CPU');
  const started = (await auditEntries(gw, 'view.started')).filter((e) => e.zone === ZONE);
  assert.equal(started.length, VIEWERS);
  for (const entry of started) assert.equal(entry.detail.path, 'relay', 'the audit trail records the media path');

  // A late viewer starts on the packets since the keyframe it asked for (fast start), not on the next one.
  const late = new WeriftViewer(await gw.connect('operator'), ZONE);
  viewers.push(late);
  const lateAt = Date.now();
  await late.watch();
  await late.waitForFrames(10, 10_000);
  const lateFirstFrameMs = late.firstFrameAt! - lateAt;
  assert.equal(late.firstPacketStartsPicture, true, 'the replay begins at the keyframe\'s SPS');
  const afterLate = await scrapeUntil(gw, (s) => s.get(`vigil_relay_subscribers{zone="${ZONE}"}`) === VIEWERS + 1);
  assert.ok((afterLate.get(`vigil_relay_keyframe_replays{zone="${ZONE}"}`) ?? 0) >= 1, 'viewers started on replayed packets since a recent keyframe');

  // Removing Ada's grant ends her subscription on the relay: no packet after a second.
  const revokedAt = Date.now();
  await gw.revokeGrant(adaGrant);
  let lastPacketAt = 0;
  let seen = cut.packets;
  const others = viewers.slice(1).map((v) => v.frames);
  while (Date.now() - revokedAt < 2_500) {
    if (cut.packets !== seen) {
      seen = cut.packets;
      lastPacketAt = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const cutMs = Math.max(0, lastPacketAt - revokedAt);
  assert.ok(cutMs <= 1_000, `the last packet reached the revoked viewer ${cutMs} ms after the grant was removed`);
  viewers.slice(1).forEach((v, i) => assert.ok(v.frames - others[i]! >= 30, `viewer ${i + 2} played on: ${v.frames - others[i]!} frames`));
  await scrapeUntil(gw, (s) => s.get(`vigil_relay_subscribers{zone="${ZONE}"}`) === VIEWERS, 5_000);

  writeFileSync(resultsPath('relay-viewers.json'), JSON.stringify({ viewers: VIEWERS, connectedMs, firstPacketMs, firstFrameMs, lateFirstFrameMs, fps, cutMs }, null, 2));
});

/** A werift viewer in a process of its own, which the test can freeze (SIGSTOP) like a hung machine. */
async function viewerProcess(zone: string): Promise<{ child: ChildProcess; sample(): Promise<ViewerSample>; close(): Promise<void> }> {
  const child = fork(join(import.meta.dirname, '..', 'support', 'weriftViewerProcess.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, WERIFT_VIEWERS_URL: gw.url, WERIFT_VIEWERS_COOKIE: gw.admin.cookie, WERIFT_VIEWERS_ZONE: zone },
  });
  const next = async <T extends ViewerReport['type']>(type: T) => {
    for (;;) {
      const [report] = (await once(child, 'message')) as [ViewerReport];
      if (report.type === type) return report as Extract<ViewerReport, { type: T }>;
    }
  };
  const command = (c: ViewerCommand) => child.send(c);
  await next('ready');
  command({ type: 'add', count: 1 });
  assert.deepEqual((await next('added')).failed, []);
  return {
    child,
    async sample() {
      command({ type: 'sample' });
      return next('sample');
    },
    async close() {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
  };
}

it('a viewer whose machine hangs (its process stopped) holds nobody up; it plays again when it comes back', async () => {
  const ZONE = 'RELAY-MANY-01';
  const frozen = await viewerProcess(ZONE);
  try {
    await waitFor(async () => (await frozen.sample()).viewers[0]!.frames >= 20, 'the viewer in its own process plays', { timeoutMs: 15_000, everyMs: 100 });
    const playing = viewers.slice(1).filter((v) => v.connectionState === 'connected');
    assert.ok(playing.length >= VIEWERS - 1);
    const before = playing.map((v) => v.frames);
    const stoppedAt = Date.now();
    frozen.child.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const during = playing.map((v, i) => ((v.frames - before[i]!) * 1000) / (Date.now() - stoppedAt));
    const framesWhenStopped = (await (async () => { frozen.child.kill('SIGCONT'); return frozen.sample(); })()).viewers[0]!.frames;
    for (const [i, fps] of during.entries()) assert.ok(fps >= 15, `viewer ${i + 2} played at ${fps.toFixed(1)} fps while another was frozen`);
    await waitFor(async () => (await frozen.sample()).viewers[0]!.frames >= framesWhenStopped + 20, 'the viewer that came back plays again', { everyMs: 100 });
  } finally {
    frozen.child.kill('SIGCONT');
    await frozen.close();
  }
});
