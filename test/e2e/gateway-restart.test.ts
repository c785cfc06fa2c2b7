import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openConsole, pillText, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const ZONES = ['CBD-TRAFFIC-01', 'PARK-WEST-02', 'HARBOUR-EAST-03', 'DOCK-NORTH-04'];
/** How long the gateway stays down: longer than Socket.IO's first reconnect attempts. */
const OUTAGE_MS = 3_000;
let gw: TestGateway;
let browser: Browser;
before(async () => { gw = await startGateway(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await gw?.close(); });

/** Per tile: [page time, frames presented so far] at each video frame callback. */
type FrameLog = Record<string, [number, number][]>;
declare global { interface Window { presented: FrameLog } }

/**
 * Records each tile's count of presented frames at every video frame callback. The callback's own
 * `presentedFrames` counts frames that a busy page drew between two callbacks, too.
 */
async function recordFrames(page: Page): Promise<void> {
  await page.evaluate((zones) => {
    window.presented = {};
    for (const zone of zones) {
      const video = document.querySelector(`.tile[data-zone="${zone}"] video`) as HTMLVideoElement;
      const log: [number, number][] = (window.presented[zone] = []);
      const onFrame = (now: number, frame: VideoFrameCallbackMetadata) => { log.push([now, frame.presentedFrames]); video.requestVideoFrameCallback(onFrame); };
      video.requestVideoFrameCallback(onFrame);
    }
  }, ZONES);
}

/** Frames presented by each tile in each whole second between `from` and `to` (page clock). */
function framesPerSecond(page: Page, from: number, to: number): Promise<Record<string, number[]>> {
  return page.evaluate(([start, end]) => Object.fromEntries(Object.entries(window.presented).map(([zone, log]) => {
    /** Frames presented by page time `t`: the count at the last callback before it. */
    const countAt = (t: number) => (log.findLast(([at]) => at <= t) ?? log[0])?.[1] ?? 0;
    const seconds: number[] = [];
    for (let t = start; t + 1_000 <= end; t += 1_000) seconds.push(countAt(t + 1_000) - countAt(t));
    return [zone, seconds];
  })), [from, to] as const);
}

const peersOf = (page: Page) => page.$$eval('.tile', (tiles) => tiles.map((t) => `${t.getAttribute('data-zone')}=${t.getAttribute('data-peer')}`));

it('the gateway restarts under four playing tiles: every tile keeps decoding through the outage (20+ frames every second), and none renegotiates', async () => {
  // The test pattern paints 30 frames a second (Chromium's fake camera gives 20).
  const cameras = [];
  for (const zone of ZONES) cameras.push(await startCamera(browser, gw, zone, { source: 'test-pattern', preset: '360p30', viewport: { width: 480, height: 360 } }));
  const operator = await openConsole(browser, gw, ZONES);
  await operator.page.setViewportSize({ width: 960, height: 600 });
  for (const zone of ZONES) await waitForVideo(operator.page, zone);
  for (const camera of cameras) await camera.page.waitForFunction(() => document.querySelector('#operator-count')?.textContent === '1');
  const peersBefore = await peersOf(operator.page);
  assert.ok(peersBefore.every((entry) => !entry.endsWith('=')), peersBefore.join(' '));
  await recordFrames(operator.page);
  const recordingFrom = await operator.page.evaluate(() => performance.now());
  await operator.page.waitForTimeout(2_000);
  console.log(`# before: ${JSON.stringify(await framesPerSecond(operator.page, recordingFrom, recordingFrom + 2_000))}`);

  const { port, dataDir } = gw;
  const downAt = await operator.page.evaluate(() => performance.now());
  await gw.gateway.close();
  // While it is down, every page says so, and the video goes on.
  await operator.page.waitForFunction(() => document.querySelector('#status-pill')?.textContent?.trim() === 'UNREACHABLE', undefined, { timeout: 5_000, polling: 100 });
  for (const camera of cameras) assert.equal(await pillText(camera.page), 'UNREACHABLE');
  await operator.page.waitForSelector('#console-alert[data-code="CONNECTION_LOST"]', { state: 'visible' });
  assert.match((await operator.page.textContent('#console-alert .alert-text')) ?? '', /reconnecting… \(since \d{2}:\d{2}; video already flowing keeps playing\)$/, 'the operator is told since when');
  // Checked every 100 ms, not every animation frame: the pages' own work is what is measured.
  await operator.page.waitForTimeout(OUTAGE_MS);
  gw = await startGateway({ port }, dataDir);

  // Both sides come back by themselves and resume their pairings.
  await operator.page.waitForFunction(() => document.querySelector('#status-pill')?.textContent?.trim() === 'STREAMING', undefined, { timeout: 15_000, polling: 100 });
  for (const camera of cameras) {
    await camera.page.waitForFunction(() => document.querySelector('#status-pill')?.textContent?.trim() === 'STREAMING', undefined, { timeout: 15_000, polling: 100 });
  }
  const deadline = Date.now() + 10_000;
  let summaries = await gw.gateway.presence.summaries();
  while (summaries.some((z) => z.viewers !== 1) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    summaries = await gw.gateway.presence.summaries();
  }
  const backAt = await operator.page.evaluate(() => performance.now());
  await operator.page.waitForTimeout(1_000);

  const perSecond = await framesPerSecond(operator.page, downAt, backAt);
  const lowest = Math.min(...Object.values(perSecond).flat());
  console.log(`# frames per second on each tile from the shutdown to both ends resumed (${Math.round(backAt - downAt)} ms): ${JSON.stringify(perSecond)}`);
  for (const [zone, seconds] of Object.entries(perSecond)) {
    assert.ok(seconds.length >= Math.floor(OUTAGE_MS / 1_000), `${zone}: ${seconds.length} whole seconds measured`);
    // Every second keeps playing (a renegotiation or a stall shows as a second of few or no frames);
    // the exact rate is the bench's: 4 camera pages and a console on 2 cores dipped to 24 once in CI.
    assert.ok(seconds.every((frames) => frames >= 20), `${zone} presented ${seconds.join(', ')} frames in successive seconds (lowest of all tiles ${lowest})`);
  }
  // No tile renegotiated: each plays the same pairing, and the gateway, the cameras and the console agree.
  assert.deepEqual(await peersOf(operator.page), peersBefore);
  assert.deepEqual(summaries, ZONES.map((zone) => ({ zone, cameraOnline: true, viewers: 1 })).sort((a, b) => a.zone.localeCompare(b.zone)));
  for (const camera of cameras) assert.equal(await camera.page.textContent('#operator-count'), '1');
  for (const zone of ZONES) assert.equal(await operator.page.getAttribute(tile(zone), 'data-state'), 'live');
  assert.ok(await operator.page.isHidden('#console-alert[data-code="CONNECTION_LOST"]'), 'the connection alert clears itself');
  // The resumed pairing is the gateway's again: removing the tile reaches its camera, which closes it.
  await operator.page.click(`${tile(ZONES[0]!)} [data-action="remove"]`);
  await cameras[0]!.page.waitForFunction(() => document.querySelector('#operator-count')?.textContent === '0', undefined, { timeout: 5_000 });
});
