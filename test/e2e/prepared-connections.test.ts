import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { addZone, launchBrowser, signedInPage, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/**
 * Both ends keep a connection made ahead of the next view, so an operator's click costs no
 * connection set-up: the camera has an offer ready (track added, candidates gathered), the
 * console a connection with its candidates gathered. This scenario proves the mechanism from the
 * pages' own RTCPeerConnections; the time it saves is measured by `npm run bench -- latency`.
 */
const ZONE = 'CBD-PREPARED-01';
let browser: Browser;
const gateways: TestGateway[] = [];

/** Records every RTCPeerConnection a page makes, when, and with which ICE servers; and the first frame each video presents. */
const RECORDER = `(() => {
  const Native = RTCPeerConnection;
  const made = (window.__made = []);
  window.RTCPeerConnection = function (config) {
    const pc = new Native(config);
    made.push({ pc, createdAt: performance.timeOrigin + performance.now(), username: config?.iceServers?.[0]?.username ?? null });
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
  window.RTCPeerConnection.generateCertificate = Native.generateCertificate;
  window.__firstFrames = [];
  new MutationObserver(() => {
    for (const video of document.querySelectorAll('.tile video:not([data-watched])')) {
      video.setAttribute('data-watched', '');
      video.requestVideoFrameCallback((_now, meta) => window.__firstFrames.push({ width: meta.width, height: meta.height }));
    }
  }).observe(document, { childList: true, subtree: true });
})();`;

interface Made { createdAt: number; state: string; username: string | null }
const madeIn = (page: Page): Promise<Made[]> =>
  page.evaluate(() => (window as unknown as { __made: { pc: RTCPeerConnection; createdAt: number; username: string | null }[] }).__made
    .map(({ pc, createdAt, username }) => ({ createdAt, state: pc.connectionState, username })));
const pageClock = (page: Page): Promise<number> => page.evaluate(() => performance.timeOrigin + performance.now());
/** Connections made and neither connected nor closed: prepared for the next view. */
const spares = (made: Made[]) => made.filter((m) => m.state === 'new');

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  for (const gw of gateways) await gw.close();
});

it('a click is answered on connections both ends made before it; each end prepares the next; H.264 at full size from the first frame', async () => {
  const gw = await startGateway();
  gateways.push(gw);
  const camera = await startCamera(browser, gw, ZONE, { source: 'test-pattern', preset: '720p30', initScripts: [RECORDER] });
  const { page: console_ } = await signedInPage(browser, gw, '/?zones=', gw.admin, [RECORDER]);
  await camera.page.waitForFunction(() => (window as unknown as { __made: unknown[] }).__made.length === 1);
  await console_.waitForFunction(() => (window as unknown as { __made: unknown[] }).__made.length === 1);

  const clickedAt = await pageClock(console_);
  await addZone(console_, ZONE);
  const shown = await waitForVideo(console_, ZONE);

  const cameraMade = await madeIn(camera.page);
  const consoleMade = await madeIn(console_);
  const cameraLink = cameraMade.find((m) => m.state === 'connected');
  const consoleLink = consoleMade.find((m) => m.state === 'connected');
  assert.ok(cameraLink && cameraLink.createdAt < clickedAt, 'the camera offered a connection it made before the operator clicked');
  assert.ok(consoleLink && consoleLink.createdAt < clickedAt, 'the console answered on a connection it made before the click');

  // The next view finds one ready again, on both ends.
  await camera.page.waitForFunction(() => (window as unknown as { __made: RTCPeerConnection[] }).__made.length === 2);
  await console_.waitForFunction(() => (window as unknown as { __made: RTCPeerConnection[] }).__made.length === 2);
  assert.equal(spares(await madeIn(camera.page)).length, 1, 'one spare on the camera');
  assert.equal(spares(await madeIn(console_)).length, 1, 'one spare on the console');

  // The start bitrate keeps the encoder from dropping and downscaling the first frames.
  const [first] = await console_.evaluate(() => (window as unknown as { __firstFrames: { width: number; height: number }[] }).__firstFrames);
  assert.deepEqual(first, { width: 1280, height: 720 }, 'the first presented frame is the camera\'s full 720p');
  await console_.waitForFunction((sel) => document.querySelector(`${sel} [data-kpi="codec"]`)?.textContent?.trim() !== '–', tile(ZONE));
  assert.equal((await waitForVideo(console_, ZONE)).kpis.codec, 'H264', 'the camera puts H.264 first and the console takes it');
  assert.ok(shown.framesDecoded > 0);
});

it('a spare made with TURN credentials since renewed is replaced: a later viewer gets the fresh ones', async () => {
  // Credentials for a TURN server nobody runs: host candidates still connect on loopback; what
  // is checked is which credentials the camera's connection carries.
  const gw = await startGateway({ turn: { urls: ['turn:127.0.0.1:9'], secret: 'prepared-connections-secret', ttlSeconds: 10 } });
  gateways.push(gw);
  const zone = 'CBD-PREPARED-02';
  const camera = await startCamera(browser, gw, zone, { source: 'test-pattern', initScripts: [RECORDER] });
  await camera.page.waitForFunction(() => (window as unknown as { __made: unknown[] }).__made.length === 1);
  const [prepared] = await madeIn(camera.page);
  // Fresh credentials arrive at three quarters of their ten seconds; a new spare carries them.
  await camera.page.waitForFunction(() => (window as unknown as { __made: unknown[] }).__made.length === 2, undefined, { timeout: 15_000 });
  const { page: console_ } = await signedInPage(browser, gw, '/?zones=');
  await addZone(console_, zone);
  await waitForVideo(console_, zone);
  const link = (await madeIn(camera.page)).find((m) => m.state === 'connected');
  assert.ok(prepared?.username && link?.username, 'both connections carry TURN REST credentials');
  const expiry = (username: string) => Number(username.split(':')[0]);
  assert.ok(expiry(link.username) > expiry(prepared.username), `the viewer got the renewed credentials (${link.username} after ${prepared.username})`);
});
