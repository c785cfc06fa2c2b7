import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { addZone, launchBrowser, signedInPage, openPage, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const ZONE = 'CBD-TRAFFIC-01';
let gw: TestGateway;
let browser: Browser;
before(async () => { gw = await startGateway(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await gw?.close(); });

/**
 * Records the Socket.IO frames the console receives, and keeps its WebSocket, so the test can
 * send exactly what the console sends when its peer connection fails.
 */
const WIRETAP = `(() => {
  const Native = window.WebSocket;
  const offers = (window.wiretapOffers = []);
  class Tapped extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      window.wiretapSocket = this;
      this.addEventListener('message', (event) => {
        if (typeof event.data !== 'string' || !event.data.startsWith('42')) return;
        const [name, payload] = JSON.parse(event.data.slice(2));
        if (name === 'signal:offer') offers.push(payload);
      });
    }
  }
  window.WebSocket = Tapped;
})();`;

it('ICE restart: the camera re-offers on the same peer with fresh ICE credentials and the tile keeps playing', async () => {
  await startCamera(browser, gw, ZONE);
  const { context, page } = await signedInPage(browser, gw, '/?zones=', gw.admin, [WIRETAP]);
  await addZone(page, ZONE);
  const first = await waitForVideo(page, ZONE);

  type Offer = { peerId: string; sdp: string };
  const offers = () => page.evaluate(() => (window as unknown as { wiretapOffers: Offer[] }).wiretapOffers);
  const ufrag = (sdp: string) => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
  const [original] = await offers();
  assert.ok(original, 'the console received the camera offer');

  await page.evaluate((peerId) => {
    const socket = (window as unknown as { wiretapSocket: WebSocket }).wiretapSocket;
    socket.send(`42${JSON.stringify(['signal:restart', { peerId }])}`);
  }, original.peerId);

  await page.waitForFunction(() => (window as unknown as { wiretapOffers: unknown[] }).wiretapOffers.length >= 2, undefined, { timeout: 10_000 });
  const restart = (await offers())[1]!;
  assert.equal(restart.peerId, original.peerId, 'same peer: a renegotiation, not a new connection');
  assert.notEqual(ufrag(restart.sdp), ufrag(original.sdp), 'fresh ICE credentials: an ICE restart');

  await page.waitForFunction(
    ([selector, frames]) => Number(document.querySelector(selector as string)?.getAttribute('data-frames-decoded')) > (frames as number) + 30,
    [tile(ZONE), first.framesDecoded] as const,
    { timeout: 10_000 },
  );
  assert.equal((await waitForVideo(page, ZONE)).state, 'live');
  await context.close();
});
