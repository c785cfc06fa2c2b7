import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openConsole, readTile, startCamera, tile, waitForVideo } from '../support/browser.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const ZONE = 'PARK-WEST-02';
let gw: TestGateway;
let browser: Browser;
before(async () => { gw = await startGateway(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); await gw?.close(); });

it('an operator who opens the zone before the camera waits, then gets video when it publishes', async () => {
  const { page, errors } = await openConsole(browser, gw, [ZONE]);
  await page.waitForSelector(`${tile(ZONE)}[data-state="waiting"]`);
  assert.match((await page.textContent(`${tile(ZONE)} .tile-message`)) ?? '', /Waiting for camera/i);
  assert.equal((await readTile(page, ZONE)).framesDecoded, 0);

  await startCamera(browser, gw, ZONE);
  const video = await waitForVideo(page, ZONE);
  assert.ok(video.videoWidth > 0);
  assert.deepEqual(errors, []);
});
