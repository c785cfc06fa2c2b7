import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, signedInPage, measureFps, openPage, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const ZONES = ['CBD-TRAFFIC-01', 'PARK-WEST-02', 'HARBOUR-EAST-03'];
let gw: TestGateway;
let browser: Browser;
before(async () => { gw = await startGateway(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await gw?.close(); });

it('one operator watches three zones at once, added from the live directory', async () => {
  for (const zone of ZONES) await startCamera(browser, gw, zone);
  const { page, errors } = await signedInPage(browser, gw, '/?zones=');
  for (const zone of ZONES) {
    const item = `[data-directory-zone="${zone}"]`;
    await page.waitForSelector(item);
    await page.click(`${item} [data-action="watch"]`);
  }
  for (const zone of ZONES) {
    const video = await waitForVideo(page, zone);
    assert.ok(video.videoWidth > 0, zone);
    // Plays: its frames keep coming. How fast is the bench's to say (three camera pages encoding
    // and one console decoding on two cores present 5–20 fps a tile, by how busy the machine is).
    const fps = await measureFps(page, zone, 3_000);
    assert.ok(fps >= 1, `${zone} keeps playing (${fps.toFixed(1)} fps)`);
  }
  // A tile dragged by its header onto another changes places with it, and both keep playing.
  const order = () => page.$$eval('.tile', (tiles) => tiles.map((t) => t.getAttribute('data-zone')));
  assert.deepEqual(await order(), ZONES);
  await page.dragAndDrop(`${tile(ZONES[2]!)} .tile-header`, `${tile(ZONES[0]!)} .tile-media`);
  assert.deepEqual(await order(), [ZONES[2], ZONES[1], ZONES[0]]);
  for (const zone of [ZONES[0]!, ZONES[2]!]) {
    const fps = await measureFps(page, zone, 2_000);
    assert.ok(fps >= 1, `${zone} plays on after the move (${fps.toFixed(1)} fps)`);
  }
  // Removing a tile closes only that zone; the others keep playing.
  await page.click(`${tile(ZONES[1]!)} [data-action="remove"]`);
  await page.waitForSelector(tile(ZONES[1]!), { state: 'detached' });
  for (const zone of [ZONES[0]!, ZONES[2]!]) assert.ok((await waitForVideo(page, zone)).framesDecoded > 0);
  assert.deepEqual(errors, []);
});
